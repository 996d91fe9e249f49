"""aeutils.anomaly: the leave-one-class-out split, the percentile threshold and the ROC plot."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

from aeutils import AnomalySplit, leave_one_class_out, percentile_threshold, plot_roc_curves


@pytest.fixture
def labelled(rng):
    """40 training and 20 held-out 4 x 4 images of three classes; pixel (0, 0) of each image holds its index."""
    y_train = np.repeat(np.arange(3), [14, 13, 13])
    y_test = np.repeat(np.arange(3), [7, 7, 6])
    x_train = rng.random((40, 4, 4)).astype(np.float32)
    x_test = rng.random((20, 4, 4)).astype(np.float32)
    x_train[:, 0, 0] = np.arange(40) / 100
    x_test[:, 0, 0] = np.arange(20) / 100
    return x_train, y_train, x_test, y_test


def _index(images: np.ndarray) -> np.ndarray:
    return np.round(images[:, 0, 0] * 100).astype(int)


# --------------------------------------------------------------------------------------------------------------
# leave_one_class_out
# --------------------------------------------------------------------------------------------------------------


def test_split_keeps_the_anomaly_class_out_of_training_and_threshold(labelled):
    x_train, y_train, x_test, y_test = labelled
    split = leave_one_class_out(x_train, y_train, x_test, y_test, anomaly_class=1, threshold_fraction=0.25)
    assert isinstance(split, AnomalySplit)
    fit, threshold = _index(split.x_fit), _index(split.x_threshold)
    assert not np.any(y_train[fit] == 1) and not np.any(y_train[threshold] == 1)
    assert sorted(np.concatenate([fit, threshold])) == list(np.flatnonzero(y_train != 1))  # every normal image once
    assert len(threshold) == round(0.25 * 27)


def test_split_keeps_every_test_image_and_marks_the_anomalies(labelled):
    x_train, y_train, x_test, y_test = labelled
    split = leave_one_class_out(x_train, y_train, x_test, y_test, anomaly_class=2)
    np.testing.assert_array_equal(split.x_test, x_test)
    np.testing.assert_array_equal(split.is_anomaly, y_test == 2)
    assert split.is_anomaly.dtype == bool


def test_split_is_repeatable_and_depends_on_the_seed(labelled):
    first = leave_one_class_out(*labelled, anomaly_class=0, threshold_fraction=0.3, seed=5)
    again = leave_one_class_out(*labelled, anomaly_class=0, threshold_fraction=0.3, seed=5)
    other = leave_one_class_out(*labelled, anomaly_class=0, threshold_fraction=0.3, seed=6)
    np.testing.assert_array_equal(first.x_threshold, again.x_threshold)
    assert not np.array_equal(_index(first.x_threshold), _index(other.x_threshold))


def test_split_accepts_flat_images(labelled):
    x_train, y_train, x_test, y_test = labelled
    split = leave_one_class_out(x_train.reshape(40, 16), y_train, x_test.reshape(20, 16), y_test, anomaly_class=0)
    assert split.x_fit.shape[1:] == (16,) and split.x_test.shape == (20, 16)


def test_split_checks_the_images(labelled, bad_pixels):
    _, y_train, x_test, y_test = labelled
    with bad_pixels.raises("x_train"):
        leave_one_class_out(bad_pixels.value, y_train, x_test, y_test, anomaly_class=0)


def test_split_refuses_images_of_different_layouts(labelled):
    x_train, y_train, x_test, y_test = labelled
    with pytest.raises(ValueError, match=r"x_train images have shape \(4, 4\) but x_test images \(16,\)"):
        leave_one_class_out(x_train, y_train, x_test.reshape(20, 16), y_test, anomaly_class=0)


@pytest.mark.parametrize(
    ("labels", "error", "phrase"),
    [
        ([0] * 40, TypeError, r"y_train must be a NumPy array of integer labels, got list"),
        (np.zeros(40, np.float32), ValueError, r"y_train has shape \(40,\) and dtype float32; expected one integer"),
        (np.zeros((40, 1), int), ValueError, r"y_train has shape \(40, 1\)"),
        (np.zeros(39, int), ValueError, r"y_train holds 39 labels but x_train holds 40; pass one label per row"),
    ],
    ids=["list", "float labels", "column", "one short"],
)
def test_split_checks_the_labels(labelled, labels, error, phrase):
    x_train, _, x_test, y_test = labelled
    with pytest.raises(error, match=phrase):
        leave_one_class_out(x_train, labels, x_test, y_test, anomaly_class=0)


@pytest.mark.parametrize(
    ("anomaly_class", "error", "phrase"),
    [
        (7, ValueError, r"anomaly_class 7 does not occur in y_train \(its labels are \[0, 1, 2\]\)"),
        (1.0, TypeError, r"anomaly_class must be an integer label, got 1\.0"),
        (True, TypeError, r"anomaly_class must be an integer label, got True"),
    ],
    ids=["absent", "float", "bool"],
)
def test_split_checks_the_anomaly_class(labelled, anomaly_class, error, phrase):
    with pytest.raises(error, match=phrase):
        leave_one_class_out(*labelled, anomaly_class=anomaly_class)


def test_split_refuses_an_anomaly_class_missing_from_the_test_set(labelled):
    x_train, y_train, x_test, y_test = labelled
    with pytest.raises(ValueError, match=r"anomaly_class 2 does not occur in y_test"):
        leave_one_class_out(x_train, y_train, x_test[:14], y_test[:14], anomaly_class=2)


@pytest.mark.parametrize(
    ("fraction", "error", "phrase"),
    [
        (0.0, ValueError, r"leaves 0 for the threshold"),
        (1.0, ValueError, r"both need at least one image"),
        (1.5, ValueError, r"threshold_fraction must be at most 1\.0"),
        (-0.1, ValueError, r"threshold_fraction must be at least 0"),
        ("0.1", TypeError, r"threshold_fraction must be a number"),
    ],
    ids=["zero", "all", "above one", "negative", "string"],
)
def test_split_checks_the_threshold_fraction(labelled, fraction, error, phrase):
    with pytest.raises(error, match=phrase):
        leave_one_class_out(*labelled, anomaly_class=0, threshold_fraction=fraction)


def test_split_checks_the_seed(labelled):
    with pytest.raises(TypeError, match=r"seed must be an integer, got 0\.5"):
        leave_one_class_out(*labelled, anomaly_class=0, seed=0.5)


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
