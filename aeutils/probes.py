"""Linear probes: how much a code tells a linear classifier that sees only a few labelled examples."""

from __future__ import annotations

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

from aeutils._checks import positive_int


def _labels(labels: object, name: str) -> np.ndarray:
    """Check a 1-D array of integer class labels."""
    if not isinstance(labels, np.ndarray):
        raise TypeError(f"{name} must be a NumPy array of integer labels, got {type(labels).__name__}.")
    if labels.ndim != 1 or len(labels) == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array of labels, one per image; got shape {labels.shape}.")
    if not np.issubdtype(labels.dtype, np.integer):
        raise TypeError(f"{name} has dtype {labels.dtype}; labels must be integers such as aeutils.load_mnist gives.")
    return labels


def _features(features: object, name: str, n: int) -> np.ndarray:
    """Check a 2-D array of finite features with one row per label; flatten any trailing axes."""
    if hasattr(features, "numpy") and not isinstance(features, np.ndarray):
        features = features.numpy()
    if not isinstance(features, np.ndarray) or not np.issubdtype(features.dtype, np.number):
        raise TypeError(f"{name} must be a numeric NumPy array (codes or pixels), got {type(features).__name__}.")
    if features.ndim < 2 or len(features) != n:
        raise ValueError(
            f"{name} has shape {features.shape}; it needs one row per label ({n} rows), "
            "e.g. codes of shape (n, code_size)."
        )
    if not np.all(np.isfinite(features)):
        raise ValueError(f"{name} contains NaN or infinite values; check the model that produced these codes.")
    return features.reshape(len(features), -1)


def labelled_subset(labels: np.ndarray, n_labelled: int, seed: int = 0) -> np.ndarray:
    """Indices of ``n_labelled`` examples drawn stratified by class with a fixed ``seed``: the "few labels" of a probe.

    Each class gets a share proportional to its frequency (for MNIST's balanced classes, about ``n_labelled / 10``
    each). The same labels and seed give the same indices, sorted ascending.
    """
    labels = _labels(labels, "labels")
    n_labelled = positive_int(n_labelled, "n_labelled")
    seed = positive_int(seed, "seed", minimum=0)
    classes = np.unique(labels)
    if not len(classes) <= n_labelled < len(labels):
        raise ValueError(
            f"n_labelled must be at least the number of classes ({len(classes)}) and below the number of examples "
            f"({len(labels)}) so that every class is represented; got {n_labelled}."
        )
    chosen, _ = train_test_split(np.arange(len(labels)), train_size=n_labelled, stratify=labels, random_state=seed)
    return np.sort(chosen)


def linear_probe_accuracy(
    train_features: np.ndarray,
    train_labels: np.ndarray,
    test_features: np.ndarray,
    test_labels: np.ndarray,
    *,
    max_iter: int = 2000,
) -> float:
    """Accuracy on the test examples of a logistic regression trained on the training features.

    The features are codes (or raw pixels, for the baseline), one row per example; any trailing axes are
    flattened. scikit-learn's ``LogisticRegression`` with its defaults (L2 penalty, C = 1, lbfgs) and
    ``max_iter`` iterations; the result is deterministic. Pass only the few labelled training examples, e.g.
    those of :func:`labelled_subset`.
    """
    train_labels = _labels(train_labels, "train_labels")
    test_labels = _labels(test_labels, "test_labels")
    train_features = _features(train_features, "train_features", len(train_labels))
    test_features = _features(test_features, "test_features", len(test_labels))
    if train_features.shape[1] != test_features.shape[1]:
        raise ValueError(
            f"train_features have {train_features.shape[1]} values per example but test_features "
            f"{test_features.shape[1]}; compute both with the same encoder."
        )
    if len(np.unique(train_labels)) < 2:
        raise ValueError("train_labels hold a single class; a probe needs examples of at least two classes.")
    max_iter = positive_int(max_iter, "max_iter")
    classifier = LogisticRegression(max_iter=max_iter).fit(train_features, train_labels)
    return float(classifier.score(test_features, test_labels))
