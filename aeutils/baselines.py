"""Classical baselines every autoencoder has to beat."""

from __future__ import annotations

from collections.abc import Sequence

import keras
import numpy as np
from scipy import ndimage
from sklearn.decomposition import PCA

from aeutils._checks import as_image_array, nonnegative_float, positive_int
from aeutils.family import family_autoencoder


def _fitted_pca(x_train: np.ndarray, x_test: np.ndarray, code_size: int) -> PCA:
    """Check the arguments shared by the PCA baselines and fit ``code_size`` components on ``x_train``."""
    if x_train.shape[1:] != x_test.shape[1:]:
        raise ValueError(
            f"x_train images have shape {x_train.shape[1:]} but x_test images {x_test.shape[1:]}; "
            "pass both in the same layout."
        )
    n_features = int(np.prod(x_train.shape[1:]))
    if code_size > min(len(x_train), n_features):
        raise ValueError(
            f"code_size {code_size} exceeds what PCA can fit on {len(x_train)} images of {n_features} pixels "
            f"(at most {min(len(x_train), n_features)} components)."
        )
    solver = "covariance_eigh" if len(x_train) >= n_features else "full"
    return PCA(n_components=code_size, svd_solver=solver).fit(x_train.reshape(len(x_train), -1).astype(np.float64))


def pca_reconstruct(x_train: np.ndarray, x_test: np.ndarray, code_size: int) -> np.ndarray:
    """Reconstruct ``x_test`` from its first ``code_size`` principal components, fitted on ``x_train``.

    This is the linear autoencoder's optimum at the same code size: the baseline a non-linear model must beat.
    The result has the shape of ``x_test`` and is not clipped (a linear map can leave [0, 1]).

    With more images than pixels (the book's case) the components come from the eigenvectors of the pixel
    covariance, computed in float64: the same subspace as a full SVD of the images, several times faster on a
    CPU. With fewer images than pixels a full SVD is used.
    """
    x_train = as_image_array(x_train, "x_train")
    x_test = as_image_array(x_test, "x_test")
    code_size = positive_int(code_size, "code_size")
    pca = _fitted_pca(x_train, x_test, code_size)
    codes = pca.transform(x_test.reshape(len(x_test), -1).astype(np.float64))
    return pca.inverse_transform(codes).astype(np.float32).reshape(x_test.shape)


def pca_mse_by_code_size(x_train: np.ndarray, x_test: np.ndarray, code_sizes: Sequence[int]) -> dict[int, float]:
    """Held-out per-pixel MSE of PCA at each of ``code_sizes``, from a single fit: for sweeps over the code size.

    Principal components are nested (the first k of a larger fit are the k-component fit), so one fit with the
    largest size serves every size. Each value equals ``aeutils.mse(x_test, pca_reconstruct(x_train, x_test, k))``;
    the dict keeps the order of ``code_sizes``.
    """
    x_train = as_image_array(x_train, "x_train")
    x_test = as_image_array(x_test, "x_test")
    if isinstance(code_sizes, (str, bytes)) or not isinstance(code_sizes, Sequence) or not code_sizes:
        raise TypeError(f"code_sizes must be a non-empty sequence of integers such as (2, 8, 32), got {code_sizes!r}.")
    sizes = [positive_int(k, f"code_sizes[{i}]") for i, k in enumerate(code_sizes)]
    pca = _fitted_pca(x_train, x_test, max(sizes))
    flat = x_test.reshape(len(x_test), -1).astype(np.float64)
    codes = pca.transform(flat)
    errors = {}
    for k in sizes:
        reconstruction = codes[:, :k] @ pca.components_[:k] + pca.mean_
        errors[k] = float(((flat - reconstruction) ** 2).mean())
    return errors


def vanilla_autoencoder(
    x_train: np.ndarray, code_size: int, *, epochs: int = 30, validation_data: np.ndarray | None = None
) -> tuple[keras.Model, keras.callbacks.History]:
    """Chapter 1's one-hidden-layer autoencoder, trained with chapter 1's loss and optimiser: the baseline to beat.

    Flat images (n, pixels) -> ReLU code of ``code_size`` units -> sigmoid reconstruction, binary cross-entropy,
    Adam at 0.003, batches of 128, ``epochs`` epochs, no log. ``validation_data`` (flat validation images) adds a
    validation loss to the history. Returns the trained model and its history; call ``seed_everything`` first for
    repeatable weights.
    """
    x_train = as_image_array(x_train, "x_train")
    if x_train.ndim != 2:
        raise ValueError(f"x_train has shape {x_train.shape}; pass flat images, e.g. aeutils.as_flat(x_train).")
    code_size = positive_int(code_size, "code_size")
    epochs = positive_int(epochs, "epochs")
    validation = None
    if validation_data is not None:
        validation_data = as_image_array(validation_data, "validation_data")
        if validation_data.shape[1:] != x_train.shape[1:]:
            raise ValueError(
                f"validation_data has images of shape {validation_data.shape[1:]}, x_train {x_train.shape[1:]}; "
                "pass both flat."
            )
        validation = (validation_data, validation_data)
    model, _ = family_autoencoder("vanilla", code_size, pixels=x_train.shape[1])
    history = model.fit(x_train, x_train, epochs=epochs, batch_size=128, validation_data=validation, verbose=0)
    return model, history


def _spatial_images(x: object, name: str) -> tuple[np.ndarray, tuple[int, ...]]:
    """Check a batch of 2-D images, (n, h, w) or (n, h, w, 1); return it and the axes a filter may act on."""
    x = as_image_array(x, name)
    if x.ndim == 3:
        return x, (0, 1, 1)
    if x.ndim == 4 and x.shape[-1] == 1:
        return x, (0, 1, 1, 0)
    raise ValueError(
        f"{name} has shape {x.shape}; a filter needs a batch of 2-D images, (n, height, width) or "
        "(n, height, width, 1). Reshape flat images first, e.g. x.reshape(len(x), 28, 28)."
    )


def median_filter(x: np.ndarray, size: int = 3) -> np.ndarray:
    """Replace each pixel by the median of its ``size`` x ``size`` neighbourhood, image by image.

    The classical remedy for impulse noise (salt-and-pepper); edges are handled by reflection. ``x`` holds
    images with pixels in [0, 1], shaped (n, h, w) or (n, h, w, 1); the result has the same shape and dtype.
    """
    x, axes = _spatial_images(x, "x")
    size = positive_int(size, "size")
    return ndimage.median_filter(x, size=tuple(size if axis else 1 for axis in axes), mode="reflect")


def gaussian_blur(x: np.ndarray, sigma: float = 1.0) -> np.ndarray:
    """Blur each image with a Gaussian kernel of standard deviation ``sigma`` pixels (0 leaves it unchanged).

    The classical remedy for Gaussian noise: it averages the noise away, and the strokes' edges with it. ``x``
    holds images with pixels in [0, 1], shaped (n, h, w) or (n, h, w, 1); the result has the same shape and
    dtype. Edges are handled by reflection.
    """
    x, axes = _spatial_images(x, "x")
    sigma = nonnegative_float(sigma, "sigma")
    return ndimage.gaussian_filter(x, sigma=tuple(sigma * axis for axis in axes), mode="reflect")
