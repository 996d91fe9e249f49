"""Anomaly detection by reconstruction error: the leave-one-class-out split, a threshold, and ROC curves.

The book's anomaly-detection chapter trains a model on every digit but one and asks whether the left-out digit
stands out by its reconstruction error. These helpers hold its plumbing, so the notebook can spend its cells on
the detector: :func:`leave_one_class_out` splits the data without ever letting the anomaly class into training
or into the choice of the threshold, :func:`percentile_threshold` sets the alarm level from normal scores only,
and :func:`plot_roc_curves` draws one ROC curve per detector with its area under the curve.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import roc_auc_score, roc_curve

from aeutils._checks import as_image_array, integer_labels, non_empty_mapping, nonnegative_float


class AnomalySplit(NamedTuple):
    """The four arrays of one leave-one-class-out experiment (see :func:`leave_one_class_out`)."""

    x_fit: np.ndarray
    """Normal training images (every class but the anomaly class) to train the detector on."""
    x_threshold: np.ndarray
    """Normal training images held back from training, to choose the alarm threshold on."""
    x_test: np.ndarray
    """Every held-out image, normal and anomalous, to evaluate the detector on."""
    is_anomaly: np.ndarray
    """Boolean, one per image of ``x_test``: True where the image belongs to the anomaly class."""


def leave_one_class_out(
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_test: np.ndarray,
    y_test: np.ndarray,
    anomaly_class: int,
    *,
    threshold_fraction: float = 0.1,
    seed: int = 0,
) -> AnomalySplit:
    """Split labelled data for anomaly detection with ``anomaly_class`` as the anomaly.

    The training images of every other class are divided at random (``seed``) into ``x_fit``, to train the
    detector, and a share ``threshold_fraction`` of them, ``x_threshold``, to choose the alarm threshold on.
    The training images of the anomaly class are dropped: neither the model nor the threshold ever sees an
    anomaly. ``x_test`` is all of ``x_test``, unchanged, with ``is_anomaly`` marking the anomaly class, so the
    test set keeps its natural share of anomalies (about one in ten for a balanced MNIST sample).
    """
    x_train = as_image_array(x_train, "x_train")
    x_test = as_image_array(x_test, "x_test")
    if x_train.shape[1:] != x_test.shape[1:]:
        raise ValueError(
            f"x_train images have shape {x_train.shape[1:]} but x_test images {x_test.shape[1:]}; "
            "pass both in the same layout."
        )
    y_train = integer_labels(y_train, "y_train", n=len(x_train), of="x_train")
    y_test = integer_labels(y_test, "y_test", n=len(x_test), of="x_test")
    if isinstance(anomaly_class, bool) or not isinstance(anomaly_class, (int, np.integer)):
        raise TypeError(f"anomaly_class must be an integer label, got {anomaly_class!r}.")
    for labels, name in ((y_train, "y_train"), (y_test, "y_test")):
        if not np.any(labels == anomaly_class):
            raise ValueError(
                f"anomaly_class {anomaly_class} does not occur in {name} "
                f"(its labels are {np.unique(labels).tolist()}); pick one of them."
            )
    fraction = nonnegative_float(threshold_fraction, "threshold_fraction", maximum=1.0)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an integer, got {seed!r}.")
    normal = np.flatnonzero(y_train != anomaly_class)
    n_threshold = int(round(fraction * len(normal)))
    if n_threshold < 1 or n_threshold >= len(normal):
        raise ValueError(
            f"threshold_fraction {fraction} of the {len(normal)} normal training images leaves {n_threshold} for "
            "the threshold and the rest for training; both need at least one image: use a value such as 0.1."
        )
    order = np.random.default_rng(seed).permutation(normal)
    fit, threshold = np.sort(order[n_threshold:]), np.sort(order[:n_threshold])
    return AnomalySplit(x_train[fit], x_train[threshold], x_test, y_test == anomaly_class)


def _scores(scores: object, name: str) -> np.ndarray:
    """Check a non-empty 1-D array of finite real scores and return it as float64."""
    if not isinstance(scores, np.ndarray):
        raise TypeError(f"{name} must be a NumPy array of scores, got {type(scores).__name__}; use np.asarray(...).")
    if (
        scores.ndim != 1
        or scores.size == 0
        or not (np.issubdtype(scores.dtype, np.floating) or np.issubdtype(scores.dtype, np.integer))
    ):
        raise ValueError(
            f"{name} has shape {scores.shape} and dtype {scores.dtype}; expected a non-empty 1-D array of real "
            "scores, one per image, such as aeutils.mse_per_image(x, reconstruction)."
        )
    if not np.all(np.isfinite(scores)):
        raise ValueError(f"{name} contains NaN or infinite scores; a diverged model produces these.")
    return scores.astype(np.float64)


def percentile_threshold(normal_scores: np.ndarray, percentile: float = 99.0) -> float:
    """The alarm threshold that ``percentile`` percent of normal images' scores stay at or below.

    Pass the anomaly scores (e.g. reconstruction errors) of *normal* images the detector was not trained on,
    such as the ``x_threshold`` of :func:`leave_one_class_out`. A score above the threshold raises the alarm, so
    about ``100 - percentile`` percent of normal images raise a false one: the threshold fixes the false-alarm
    rate without looking at a single anomaly.
    """
    scores = _scores(normal_scores, "normal_scores")
    percentile = nonnegative_float(percentile, "percentile", maximum=100.0)
    return float(np.percentile(scores, percentile))


def _truth(is_anomaly: object, name: str, n: int) -> np.ndarray:
    """Check one boolean (or 0/1) truth value per score, with both kinds present, and return it as bool."""
    if not isinstance(is_anomaly, np.ndarray):
        raise TypeError(f"{name} must be a NumPy array of booleans, got {type(is_anomaly).__name__}.")
    if is_anomaly.ndim != 1 or len(is_anomaly) != n:
        raise ValueError(f"{name} has shape {is_anomaly.shape}; expected one value per score, shape ({n},).")
    if is_anomaly.dtype != bool and not np.isin(is_anomaly, (0, 1)).all():
        raise ValueError(f"{name} must hold booleans or 0/1, got values {np.unique(is_anomaly)[:5].tolist()}.")
    truth = is_anomaly.astype(bool)
    if truth.all() or not truth.any():
        raise ValueError(
            f"{name} marks {'every' if truth.all() else 'no'} image as an anomaly; an ROC curve needs both normal "
            "images and anomalies."
        )
    return truth


def plot_roc_curves(curves: Mapping[str, tuple[np.ndarray, np.ndarray]]) -> plt.Figure:
    """Draw one ROC curve per entry, ``{name: (is_anomaly, scores)}``, with its AUC in the legend.

    ``is_anomaly`` holds the truth (booleans, one per image), ``scores`` the detector's anomaly scores, higher
    meaning more anomalous. The dotted diagonal is a detector that guesses: a curve below it ranks normal images
    above anomalies. Returns the figure, already closed in pyplot.
    """
    non_empty_mapping(curves, "curves", "{'autoencoder': (is_anomaly, errors)}")
    fig, ax = plt.subplots(figsize=(6, 4.2))
    for i, (name, pair) in enumerate(curves.items()):
        if not isinstance(pair, tuple) or len(pair) != 2:
            raise TypeError(f"curves[{name!r}] must be a pair (is_anomaly, scores), got {type(pair).__name__}.")
        scores = _scores(pair[1], f"curves[{name!r}] scores")
        truth = _truth(pair[0], f"curves[{name!r}] is_anomaly", len(scores))
        false_alarms, detections, _ = roc_curve(truth, scores)
        auc = roc_auc_score(truth, scores)
        ax.plot(false_alarms, detections, color=plt.get_cmap("tab10")(i % 10), label=f"{name} (AUC {auc:.3f})")
    ax.plot([0, 1], [0, 1], color="k", linestyle=":", linewidth=1, label="guessing (AUC 0.5)")
    ax.set_xlabel("false-alarm rate (normal digits flagged)")
    ax.set_ylabel("detection rate (anomalies flagged)")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.01)
    ax.grid(alpha=0.3)
    ax.legend(fontsize="x-small", loc="lower right")
    fig.tight_layout(pad=0.3)
    plt.close(fig)
    return fig
