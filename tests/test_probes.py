"""aeutils.probes: the stratified labelled subset and the linear probe's accuracy."""

from __future__ import annotations

import numpy as np
import pytest

from aeutils import labelled_subset, linear_probe_accuracy


@pytest.fixture
def labels() -> np.ndarray:
    return np.repeat(np.arange(10), 30)  # 300 examples, 30 of each of 10 classes


def test_labelled_subset_is_stratified_sorted_and_repeatable(labels):
    chosen = labelled_subset(labels, 100, seed=0)
    assert len(chosen) == 100 and len(np.unique(chosen)) == 100
    assert np.all(np.diff(chosen) > 0)
    assert np.bincount(labels[chosen]).tolist() == [10] * 10
    assert np.array_equal(chosen, labelled_subset(labels, 100, seed=0))
    assert not np.array_equal(chosen, labelled_subset(labels, 100, seed=1))


@pytest.mark.parametrize(
    "arguments, error, message",
    [
        (([1, 2, 3], 2), TypeError, "NumPy array"),
        ((np.zeros((3, 2), dtype=int), 2), ValueError, "1-D"),
        ((np.array([0.0, 1.0, 1.0]), 2), TypeError, "integers"),
        ((np.repeat(np.arange(10), 30), 5), ValueError, "number of classes"),
        ((np.repeat(np.arange(10), 30), 300), ValueError, "below the number of examples"),
        ((np.repeat(np.arange(10), 30), 2.5), TypeError, "integer"),
        ((np.repeat(np.arange(10), 30), 20, -1), ValueError, "at least 0"),
    ],
    ids=["list", "2-D", "float labels", "fewer than classes", "all examples", "float size", "negative seed"],
)
def test_labelled_subset_refuses_bad_input(arguments, error, message):
    with pytest.raises(error, match=message):
        labelled_subset(*arguments)


def test_a_probe_separates_separable_classes_and_not_noise(rng):
    centres = rng.normal(size=(3, 5)) * 5
    train_labels, test_labels = np.repeat(np.arange(3), 10), np.repeat(np.arange(3), 50)
    train = centres[train_labels] + rng.normal(size=(30, 5))
    test = centres[test_labels] + rng.normal(size=(150, 5))
    assert linear_probe_accuracy(train, train_labels, test, test_labels) > 0.9
    noise = linear_probe_accuracy(rng.normal(size=(30, 5)), train_labels, rng.normal(size=(150, 5)), test_labels)
    assert noise < 0.6


def test_a_probe_flattens_grid_codes(rng):
    labels = np.repeat(np.arange(2), 10)
    codes = rng.normal(size=(20, 2, 2, 3)) + labels[:, None, None, None] * 3
    assert linear_probe_accuracy(codes, labels, codes, labels) == 1.0


@pytest.mark.parametrize(
    "change, error, message",
    [
        ({"train_features": [[0.0]] * 20}, TypeError, "numeric NumPy array"),
        ({"train_features": np.zeros(20)}, ValueError, "one row per label"),
        ({"test_features": np.zeros((7, 4))}, ValueError, "one row per label"),
        ({"test_features": np.zeros((20, 5))}, ValueError, "same encoder"),
        ({"train_features": np.full((20, 4), np.nan)}, ValueError, "NaN"),
        ({"train_labels": np.zeros(20, dtype=int)}, ValueError, "single class"),
        ({"test_labels": np.arange(20.0)}, TypeError, "integers"),
        ({"max_iter": 0}, ValueError, "at least 1"),
    ],
    ids=["list", "1-D", "row count", "widths", "nan", "one class", "float labels", "max_iter"],
)
def test_linear_probe_refuses_bad_input(change, error, message):
    arguments = {
        "train_features": np.zeros((20, 4)),
        "train_labels": np.repeat(np.arange(2), 10),
        "test_features": np.zeros((20, 4)),
        "test_labels": np.repeat(np.arange(2), 10),
    }
    max_iter = change.pop("max_iter", 100)
    arguments.update(change)
    with pytest.raises(error, match=message):
        linear_probe_accuracy(**arguments, max_iter=max_iter)
