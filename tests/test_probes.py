"""aeutils.probes: linear probes, k-NN accuracy, nearest neighbours, labelled subsets and the neighbour grid."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

from aeutils import (
    balanced_subset,
    fit_probe,
    knn_predictions,
    nearest_neighbours,
    plot_neighbours,
)


@pytest.fixture
def blobs(rng) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Three well-separated Gaussian classes in 4-D: 60 training rows and 30 test rows, float32."""
    centres = np.array([[0, 0, 0, 0], [6, 0, 0, 0], [0, 6, 0, 0]], dtype=np.float32)

    def draw(per_class):
        labels = np.repeat(np.arange(3), per_class)
        return (centres[labels] + rng.normal(size=(len(labels), 4))).astype(np.float32), labels

    (x_train, y_train), (x_test, y_test) = draw(20), draw(10)
    return x_train, y_train, x_test, y_test


# --------------------------------------------------------------------------------------------------------------
# fit_probe and knn_predictions: the two readers of a representation, scored as accuracy on test rows
# --------------------------------------------------------------------------------------------------------------


def probe_accuracy(x_train, y_train, x_test, y_test, **options):
    return fit_probe(x_train, y_train, **options).score(x_test.reshape(len(x_test), -1), y_test)


def knn_accuracy(x_train, y_train, x_test, y_test, **options):
    return np.mean(knn_predictions(x_train, y_train, x_test, **options) == y_test)


@pytest.mark.parametrize("score", [probe_accuracy, knn_accuracy], ids=["probe", "knn"])
def test_separable_classes_are_read_perfectly(blobs, score):
    assert score(*blobs) == 1.0


@pytest.mark.parametrize("score", [probe_accuracy, knn_accuracy], ids=["probe", "knn"])
def test_features_without_information_score_near_chance(rng, score):
    x_train, x_test = rng.normal(size=(300, 5)), rng.normal(size=(300, 5))
    y_train, y_test = rng.integers(0, 3, 300), rng.integers(0, 3, 300)
    assert score(x_train, y_train, x_test, y_test) < 0.5  # chance is 1/3


@pytest.mark.parametrize("score", [probe_accuracy, knn_accuracy], ids=["probe", "knn"])
def test_images_are_flattened(blobs, score):
    x_train, y_train, x_test, y_test = blobs
    as_images = score(x_train.reshape(-1, 2, 2), y_train, x_test.reshape(-1, 2, 2, 1), y_test)
    assert as_images == score(*blobs)


def test_knn_uses_the_features_as_they_are_unless_told_to_standardise():
    # Feature 0 separates the classes by 1; feature 1 is noise of scale 10. Raw distances follow the noise,
    # standardised ones weigh both features equally and find the signal.
    rng = np.random.default_rng(1)
    labels = np.repeat([0, 1], 100)
    x = np.column_stack([labels + 0.05 * rng.normal(size=200), 10 * rng.normal(size=200)])
    train, test = slice(0, 200, 2), slice(1, 200, 2)
    raw = knn_accuracy(x[train], labels[train], x[test], labels[test], k=1)
    scaled = knn_accuracy(x[train], labels[train], x[test], labels[test], k=1, standardize=True)
    assert scaled > raw
    assert scaled == 1.0


def test_probe_converges_without_warnings(blobs, recwarn):
    probe_accuracy(*blobs)
    assert not [w for w in recwarn if "converge" in str(w.message).lower()]


@pytest.mark.parametrize("score", [probe_accuracy, knn_accuracy], ids=["probe", "knn"])
def test_bad_features_are_refused(blobs, bad_values, score):
    _, y_train, x_test, y_test = blobs
    values = bad_values.value
    labels = y_train[: len(values)] if isinstance(values, np.ndarray) and values.ndim > 1 else y_train
    with bad_values.raises("train_features"):
        score(values, labels, x_test, y_test)


def test_mismatched_widths_are_refused(blobs):
    x_train, y_train, x_test, y_test = blobs
    with pytest.raises(ValueError, match=r"train_features have 4 values per row but test_features 3.*same encoder"):
        knn_accuracy(x_train, y_train, x_test[:, :3], y_test)


@pytest.mark.parametrize(
    ("labels", "error", "phrase"),
    [
        ([0, 1], TypeError, r"train_labels must be a NumPy array of integer labels, got list"),
        (np.zeros(60, dtype=np.float32), ValueError, r"train_labels has shape \(60,\) and dtype float32"),
        (np.zeros((60, 1), dtype=int), ValueError, r"train_labels has shape \(60, 1\)"),
        (
            np.zeros(59, dtype=int),
            ValueError,
            r"train_labels holds 59 labels but train_features holds 60; pass one label per row",
        ),
        (np.zeros(60, dtype=int), ValueError, r"train_labels hold a single class"),
    ],
    ids=["list", "floats", "column", "too few", "one class"],
)
@pytest.mark.parametrize("score", [probe_accuracy, knn_accuracy], ids=["probe", "knn"])
def test_bad_labels_are_refused(blobs, score, labels, error, phrase):
    x_train, _, x_test, y_test = blobs
    with pytest.raises(error, match=phrase):
        score(x_train, labels, x_test, y_test)


def test_bad_max_iter_is_refused(blobs, bad_count):
    with bad_count.raises("max_iter"):
        probe_accuracy(*blobs, max_iter=bad_count.value)


def test_bad_k_is_refused(blobs, bad_count):
    with bad_count.raises("k"):
        knn_accuracy(*blobs, k=bad_count.value)


def test_k_above_the_training_rows_is_refused(blobs):
    with pytest.raises(ValueError, match=r"k=61 neighbours requested but there are only 60 training rows"):
        knn_accuracy(*blobs, k=61)


def test_standardize_must_be_a_bool(blobs):
    with pytest.raises(TypeError, match=r"standardize must be True or False, got 'yes'"):
        knn_accuracy(*blobs, standardize="yes")


def test_a_smaller_c_is_a_stronger_penalty(blobs):
    x_train, y_train, _, _ = blobs
    norms = [np.linalg.norm(fit_probe(x_train, y_train, C=C)[-1].coef_) for C in (0.01, 0.1, 1.0, 10.0)]
    assert norms == sorted(norms)
    assert norms[0] < norms[-1] / 10


@pytest.mark.parametrize(("C", "error", "phrase"), [(0, ValueError, r"C must be above 0"), ("1", TypeError, r"C must")])
def test_bad_c_is_refused(blobs, C, error, phrase):
    with pytest.raises(error, match=phrase):
        fit_probe(*blobs[:2], C=C)


def test_a_tied_knn_vote_goes_to_the_smallest_label():
    x_train, y_train = np.array([[-1.0], [1.0]]), np.array([3, 2])
    np.testing.assert_array_equal(knn_predictions(x_train, y_train, np.array([[0.0]]), k=2), [2])


# --------------------------------------------------------------------------------------------------------------
# nearest_neighbours
# --------------------------------------------------------------------------------------------------------------


def test_nearest_neighbours_are_sorted_nearest_first():
    gallery = np.array([[0.0], [10.0], [1.0], [3.0]])
    np.testing.assert_array_equal(nearest_neighbours(np.array([[0.4], [9.0]]), gallery, n=3), [[0, 2, 3], [1, 3, 2]])


def test_nearest_neighbours_of_gallery_rows_start_with_themselves(blobs):
    x_train = blobs[0]
    index = nearest_neighbours(x_train, x_train, n=2)
    assert index.shape == (len(x_train), 2)
    np.testing.assert_array_equal(index[:, 0], np.arange(len(x_train)))


def test_nearest_neighbours_refuse_bad_inputs(blobs, bad_values, bad_count):
    x_train = blobs[0]
    with bad_values.raises("queries"):
        nearest_neighbours(bad_values.value, x_train)
    with bad_values.raises("gallery"):
        nearest_neighbours(x_train, bad_values.value)
    with bad_count.raises("n"):
        nearest_neighbours(x_train, x_train, n=bad_count.value)
    with pytest.raises(ValueError, match=r"queries have 4 values per row but gallery 3"):
        nearest_neighbours(x_train, x_train[:, :3])
    with pytest.raises(ValueError, match=r"n=61 neighbours requested but the gallery holds only 60 rows"):
        nearest_neighbours(x_train, x_train, n=61)


# --------------------------------------------------------------------------------------------------------------
# balanced_subset
# --------------------------------------------------------------------------------------------------------------


def test_balanced_subset_takes_per_class_rows_of_every_class(rng):
    labels = rng.permutation(np.repeat(np.arange(4), [5, 9, 6, 7]))
    rows = balanced_subset(labels, per_class=3, rng=0)
    assert np.all(np.diff(rows) > 0)  # sorted, no repeats
    np.testing.assert_array_equal(np.bincount(labels[rows]), [3, 3, 3, 3])


def test_balanced_subset_repeats_with_the_same_seed_and_varies_with_another():
    labels = np.repeat(np.arange(3), 20)
    np.testing.assert_array_equal(balanced_subset(labels, 4, 7), balanced_subset(labels, 4, np.random.default_rng(7)))
    assert not np.array_equal(balanced_subset(labels, 4, 7), balanced_subset(labels, 4, 8))


def test_balanced_subset_refuses_bad_inputs(bad_count):
    labels = np.repeat(np.arange(3), [5, 2, 5])
    with pytest.raises(ValueError, match=r"class 1 has only 2 rows, fewer than per_class=3"):
        balanced_subset(labels, 3, 0)
    with bad_count.raises("per_class"):
        balanced_subset(labels, bad_count.value, 0)
    with pytest.raises(TypeError, match=r"rng must be a numpy Generator or an integer seed, got float"):
        balanced_subset(labels, 1, 0.5)
    with pytest.raises(TypeError, match=r"labels must be a NumPy array of integer labels, got list"):
        balanced_subset([0, 1], 1, 0)
    with pytest.raises(ValueError, match=r"labels has shape \(12,\) and dtype float64"):
        balanced_subset(labels.astype(float), 1, 0)


# --------------------------------------------------------------------------------------------------------------
# plot_neighbours
# --------------------------------------------------------------------------------------------------------------


def test_neighbour_grid_has_one_row_per_query_and_space(digits):
    queries = digits[:2]
    neighbours = {"pixels": np.stack([digits[[1, 2, 3]], digits[[3, 4, 5]]]), "codes": np.stack([digits[:3]] * 2)}
    fig = plot_neighbours(queries, neighbours)
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 2 * 2 * 4  # 2 queries x 2 spaces rows, query + 3 neighbours each
    assert [fig.axes[i * 4].get_ylabel() for i in range(4)] == ["pixels", "codes", "pixels", "codes"]
    np.testing.assert_array_equal(fig.axes[1].images[0].get_array(), digits[1])  # first pixel-space neighbour
    np.testing.assert_array_equal(fig.axes[12].images[0].get_array(), digits[1])  # query 2 opens its rows


def test_neighbour_grid_accepts_flat_images(digits):
    fig = plot_neighbours(digits[:1].reshape(1, 784), {"pixels": digits[None, :2].reshape(1, 2, 784)})
    assert len(fig.axes) == 3


def test_neighbour_grid_refuses_bad_inputs(digits, bad_values):
    good = {"pixels": digits[None, :2]}
    with bad_values.raises("queries"):
        plot_neighbours(bad_values.value, good)
    with pytest.raises(TypeError, match=r"neighbours must be a non-empty dict"):
        plot_neighbours(digits[:1], {})
    with pytest.raises(ValueError, match=r"neighbours\['pixels'\] has shape \(2, 2, 28, 28\); expected \(q, n, ...\)"):
        plot_neighbours(digits[:1], {"pixels": np.stack([digits[:2]] * 2)})
    with pytest.raises(ValueError, match=r"the same number of neighbours per query, got \[2, 3\]"):
        plot_neighbours(digits[:1], {"pixels": digits[None, :2], "codes": digits[None, :3]})


def test_fit_probe_without_standardizing_fits_the_features_as_they_are(blobs):
    x_train, y_train, x_test, _ = blobs
    scale = np.array([1.0, 100.0, 1.0, 1.0], dtype=np.float32)
    as_is = fit_probe(x_train * scale, y_train, C=0.1, standardize=False)
    assert len(as_is.steps) == 1 and as_is[-1].C == 0.1
    assert as_is.predict(x_test * scale).shape == (len(x_test),)
    # standardising undoes a feature's scale; as is, the fit sees it
    standardized = [fit_probe(x, y_train, C=0.1)[-1].coef_ for x in (x_train, x_train * scale)]
    np.testing.assert_allclose(standardized[0], standardized[1], rtol=1e-3, atol=1e-4)
    plain = fit_probe(x_train, y_train, C=0.1, standardize=False)[-1].coef_
    assert not np.allclose(plain, as_is[-1].coef_, rtol=0.01)
    with pytest.raises(TypeError, match=r"standardize must be True or False, got 'no'"):
        fit_probe(x_train, y_train, standardize="no")
