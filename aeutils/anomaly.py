"""Anomaly detection by reconstruction error: a threshold from normal scores, and ROC curves.

The book's anomaly-detection chapter trains a model on every digit but one and asks whether the left-out digit
stands out by its reconstruction error. These helpers hold its plumbing, so the notebook can spend its cells on
the detector: :func:`percentile_threshold` sets the alarm level from normal scores only (the chapter uses the
normal validation digits), and :func:`plot_roc_curves` draws one ROC curve per detector with its area under the
curve.
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import roc_auc_score, roc_curve

from aeutils._checks import non_empty_mapping, nonnegative_float


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
    such as those of the normal validation images. A score above the threshold raises the alarm, so
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
