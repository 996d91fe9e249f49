"""aeutils.anomaly: the percentile threshold and the ROC plot."""

from __future__ import annotations

import numpy as np
import pytest

from aeutils import percentile_threshold

# --------------------------------------------------------------------------------------------------------------
# percentile_threshold
# --------------------------------------------------------------------------------------------------------------


def test_threshold_leaves_the_stated_share_of_normal_scores_above_it():
    scores = np.arange(1, 101, dtype=np.float64)
    threshold = percentile_threshold(scores, 95)
    assert isinstance(threshold, float)
    assert np.mean(scores > threshold) == pytest.approx(0.05)


def test_threshold_extremes_are_the_smallest_and_largest_score(rng):
    scores = rng.random(50).astype(np.float32)
    assert percentile_threshold(scores, 0) == pytest.approx(scores.min())
    assert percentile_threshold(scores, 100) == pytest.approx(scores.max())


@pytest.mark.parametrize(
    ("scores", "error", "phrase"),
    [
        ([0.1, 0.2], TypeError, r"normal_scores must be a NumPy array of scores, got list"),
        (np.zeros((3, 2)), ValueError, r"normal_scores has shape \(3, 2\).*1-D array"),
        (np.zeros(0), ValueError, r"normal_scores has shape \(0,\).*non-empty"),
        (np.array(["a", "b"]), ValueError, r"normal_scores has shape \(2,\) and dtype <U1"),
        (np.array([0.1, np.nan]), ValueError, r"normal_scores contains NaN or infinite scores"),
    ],
    ids=["list", "2-D", "empty", "strings", "NaN"],
)
def test_threshold_checks_the_scores(scores, error, phrase):
    with pytest.raises(error, match=phrase):
        percentile_threshold(scores)


@pytest.mark.parametrize(
    ("percentile", "error", "phrase"),
    [
        (101, ValueError, r"percentile must be at most 100\.0, got 101"),
        (-1, ValueError, r"percentile must be at least 0"),
        (0.99j, TypeError, r"percentile must be a number"),
        (True, TypeError, r"percentile must be a number, got True"),
    ],
    ids=["above 100", "negative", "complex", "bool"],
)
def test_threshold_checks_the_percentile(percentile, error, phrase):
    with pytest.raises(error, match=phrase):
        percentile_threshold(np.ones(4), percentile)
