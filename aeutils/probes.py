"""Codes as features: linear probes, k-nearest-neighbour accuracy, retrieval and labelled subsets.

A representation is judged by what a simple classifier can read from it: a *linear probe* (a logistic regression
on features standardised by default, with an L2 penalty of inverse strength C to tune) and a *k-NN* classifier
(Euclidean distance on the features as they are). The same functions take raw pixels, PCA components or an
encoder's codes, so every representation gets the same protocol.

scikit-learn's solvers call BLAS on small matrices, where a multi-threaded BLAS spends more time waiting for its
threads than computing (ten times more on a busy two-core machine); every fit here runs with one BLAS thread.
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier, NearestNeighbors
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from aeutils._checks import as_image_array, integer_labels, non_empty_mapping, nonnegative_float, positive_int
from aeutils.plots import _as_square_images, _finish


def _features(features: object, name: str) -> np.ndarray:
    features = as_image_array(features, name, unit_range=False)
    return features.reshape(len(features), -1)


def _two_sets(a: object, a_name: str, b: object, b_name: str) -> tuple[np.ndarray, np.ndarray]:
    """Two sets of rows, flattened, that must live in the same space (the same number of values per row)."""
    a, b = _features(a, a_name), _features(b, b_name)
    if a.shape[1] != b.shape[1]:
        raise ValueError(
            f"{a_name} have {a.shape[1]} values per row but {b_name} {b.shape[1]}; put both in the same space: "
            "the same encoder (or PCA fit), or both as pixels."
        )
    return a, b


def _train_labels(train_labels: object, train: np.ndarray) -> np.ndarray:
    labels = integer_labels(train_labels, "train_labels", n=len(train), of="train_features")
    if len(np.unique(labels)) < 2:
        raise ValueError("train_labels hold a single class; a classifier needs at least two.")
    return labels


def _penalty(C: object) -> float:
    C = nonnegative_float(C, "C")
    if C == 0:
        raise ValueError(
            "C must be above 0: it is the inverse of the penalty's strength (smaller C, stronger penalty)."
        )
    return C


def fit_probe(
    train_features: np.ndarray,
    train_labels: np.ndarray,
    *,
    C: float = 1.0,
    max_iter: int = 5000,
    standardize: bool = True,
) -> Pipeline:
    """A linear probe fitted on the training rows: standardise each feature, then a multinomial logistic regression.

    The mean and scale of each feature come from the training rows; ``standardize=False`` skips that step and
    fits the regression on the features as they are (the penalty then favours the features that vary most).
    ``C`` is the inverse strength of the L2 penalty on the weights (scikit-learn's default is 1; smaller C,
    stronger penalty): tune it on validation rows.
    Features may be images of any shape or codes (n, k); they are flattened. Returns the fitted scikit-learn
    pipeline, whose ``predict`` and ``score`` take features of the same width. ``max_iter`` is high enough by
    default that the lbfgs solver converges on the book's features; a ConvergenceWarning means it should be raised.
    """
    train = _features(train_features, "train_features")
    train_labels = _train_labels(train_labels, train)
    C, max_iter = _penalty(C), positive_int(max_iter, "max_iter")
    if not isinstance(standardize, bool):
        raise TypeError(f"standardize must be True or False, got {standardize!r}.")
    steps = [StandardScaler()] if standardize else []
    probe = make_pipeline(*steps, LogisticRegression(C=C, max_iter=max_iter))
    with threadpool_limits(limits=1, user_api="blas"):
        return probe.fit(train, train_labels)


def knn_predictions(
    train_features: np.ndarray,
    train_labels: np.ndarray,
    test_features: np.ndarray,
    *,
    k: int = 5,
    standardize: bool = False,
) -> np.ndarray:
    """The label of each test row by a ``k``-nearest-neighbour vote among the training rows (Euclidean distance).

    By default the features are used as they are, so the distance is the one of the representation itself
    (pixels, PCA components or codes). ``standardize=True`` rescales each feature to unit variance first (mean
    and scale from the training rows). A tied vote goes to the smallest label.
    """
    train, test = _two_sets(train_features, "train_features", test_features, "test_features")
    train_labels = _train_labels(train_labels, train)
    k = positive_int(k, "k")
    if k > len(train):
        raise ValueError(f"k={k} neighbours requested but there are only {len(train)} training rows; lower k.")
    if not isinstance(standardize, bool):
        raise TypeError(f"standardize must be True or False, got {standardize!r}.")
    knn = KNeighborsClassifier(n_neighbors=k, algorithm="brute")
    model = make_pipeline(StandardScaler(), knn) if standardize else knn
    with threadpool_limits(limits=1, user_api="blas"):
        model.fit(train, train_labels)
        return model.predict(test)


def nearest_neighbours(queries: np.ndarray, gallery: np.ndarray, n: int = 5) -> np.ndarray:
    """Indices (len(queries), n) of each query's ``n`` nearest rows of ``gallery`` (Euclidean), nearest first."""
    queries, gallery = _two_sets(queries, "queries", gallery, "gallery")
    n = positive_int(n, "n")
    if n > len(gallery):
        raise ValueError(f"n={n} neighbours requested but the gallery holds only {len(gallery)} rows; lower n.")
    with threadpool_limits(limits=1, user_api="blas"):
        return NearestNeighbors(n_neighbors=n, algorithm="brute").fit(gallery).kneighbors(queries)[1]


def balanced_subset(labels: np.ndarray, per_class: int, rng: np.random.Generator | int) -> np.ndarray:
    """Sorted indices of ``per_class`` randomly chosen rows of every class in ``labels``: a small labelled set.

    ``rng`` is a NumPy Generator or an integer seed, so the same seed picks the same rows.
    """
    labels = integer_labels(labels, "labels")
    per_class = positive_int(per_class, "per_class")
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        rng = np.random.default_rng(int(rng))
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy Generator or an integer seed, got {type(rng).__name__}.")
    classes, counts = np.unique(labels, return_counts=True)
    if counts.min() < per_class:
        raise ValueError(
            f"class {classes[counts.argmin()]} has only {counts.min()} rows, fewer than per_class={per_class}."
        )
    picks = [rng.choice(np.flatnonzero(labels == c), size=per_class, replace=False) for c in classes]
    return np.sort(np.concatenate(picks))


def plot_neighbours(queries: np.ndarray, neighbours: Mapping[str, np.ndarray]) -> plt.Figure:
    """Each query image (first column) followed by its neighbours' images, one block of rows per space.

    ``queries`` holds q images; ``neighbours`` maps a space's name (e.g. "pixels", "codes") to the neighbours'
    images, shaped (q, n, ...) with n images per query. Rows are grouped by query: for each query, one row per
    space, labelled with the space's name.
    """
    query_images = _as_square_images(queries, "queries")
    non_empty_mapping(neighbours, "neighbours", "{'pixels': gallery[indices_pixels]}")
    grids = {}
    for name, images in neighbours.items():
        images = as_image_array(images, f"neighbours[{name!r}]", unit_range=False)
        if len(images) != len(query_images) or images.ndim < 3:
            raise ValueError(
                f"neighbours[{name!r}] has shape {images.shape}; expected (q, n, ...) with q = {len(query_images)} "
                "queries, e.g. gallery[nearest_neighbours(...)]."
            )
        q, n = images.shape[:2]
        grids[name] = _as_square_images(images.reshape(q * n, *images.shape[2:]), f"neighbours[{name!r}]").reshape(
            q, n, *query_images.shape[1:]
        )
    widths = {grid.shape[1] for grid in grids.values()}
    if len(widths) != 1:
        raise ValueError(f"every space needs the same number of neighbours per query, got {sorted(widths)}.")
    n = widths.pop()
    rows = len(query_images) * len(grids)
    fig, axes = plt.subplots(rows, n + 1, figsize=((n + 1) * 0.62 + 0.9, rows * 0.62), squeeze=False)
    for q, query in enumerate(query_images):
        for s, (name, grid) in enumerate(grids.items()):
            row = axes[q * len(grids) + s]
            row[0].imshow(query, cmap="gray", vmin=0, vmax=1)
            row[0].set_ylabel(name, rotation=0, ha="right", va="center", fontsize="small")
            for ax, image in zip(row[1:], grid[q], strict=True):
                ax.imshow(image, cmap="gray", vmin=0, vmax=1)
            for ax in row:
                ax.set_xticks([])
                ax.set_yticks([])
    axes[0, 0].set_title("query", fontsize="small")
    for j in range(1, n + 1):
        axes[0, j].set_title(f"{j}", fontsize="small")
    return _finish(fig)
