"""aeutils.anomaly: the percentile threshold and the ROC plot."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

from aeutils import percentile_threshold, plot_roc_curves

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


# --------------------------------------------------------------------------------------------------------------
# plot_roc_curves
# --------------------------------------------------------------------------------------------------------------


def test_roc_plot_draws_one_curve_per_detector_and_the_diagonal(rng):
    truth = np.repeat([False, True], 20)
    perfect, reversed_ = truth.astype(float), 1.0 - truth
    fig = plot_roc_curves({"perfect": (truth, perfect), "reversed": (truth, reversed_)})
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert len(ax.lines) == 3
    labels = [text.get_text() for text in ax.get_legend().get_texts()]
    assert labels == ["perfect (AUC 1.000)", "reversed (AUC 0.000)", "guessing (AUC 0.5)"]


def test_roc_plot_accepts_zero_one_truth(rng):
    truth = np.repeat([0, 1], 10)
    fig = plot_roc_curves({"noise": (truth, rng.random(20))})
    assert fig.axes[0].get_legend().get_texts()[0].get_text().startswith("noise (AUC ")


@pytest.mark.parametrize(
    ("curves", "error", "phrase"),
    [
        ({}, TypeError, r"curves must be a non-empty dict"),
        ({"a": [np.ones(4, bool), np.ones(4)]}, TypeError, r"curves\['a'\] must be a pair \(is_anomaly, scores\)"),
        ({"a": (np.ones(4, bool), np.ones(4))}, ValueError, r"marks every image as an anomaly"),
        ({"a": (np.zeros(4, bool), np.ones(4))}, ValueError, r"marks no image as an anomaly"),
        ({"a": (np.array([True, False]), np.ones(4))}, ValueError, r"is_anomaly has shape \(2,\); expected .*\(4,\)"),
        ({"a": (np.array([0, 1, 2, 1]), np.ones(4))}, ValueError, r"must hold booleans or 0/1"),
        ({"a": ([True, False], np.ones(2))}, TypeError, r"is_anomaly must be a NumPy array of booleans, got list"),
        ({"a": (np.array([True, False]), np.array([0.1, np.inf]))}, ValueError, r"scores contains NaN or infinite"),
    ],
    ids=["empty", "list pair", "all anomalies", "no anomaly", "length", "three classes", "list truth", "inf score"],
)
def test_roc_plot_checks_its_input(curves, error, phrase):
    with pytest.raises(error, match=phrase):
        plot_roc_curves(curves)
