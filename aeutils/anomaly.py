"""Anomaly detection by reconstruction error: a threshold from normal scores.

The book's anomaly-detection chapter trains a model on every digit but one and asks whether the left-out digit
stands out by its reconstruction error. These helpers hold its plumbing, so the notebook can spend its cells on
the detector: :func:`percentile_threshold` sets the alarm level from normal scores only (the chapter uses the
normal validation digits).
"""

from __future__ import annotations

import numpy as np

from aeutils._checks import nonnegative_float


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
