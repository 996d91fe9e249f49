"""Reconstruction quality: mean squared error, PSNR and SSIM, per image and averaged.

Every function takes the reference images first (values in [0, 1]) and the reconstructions second (same
shape, finite; they may stray outside [0, 1], as PCA's do).
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from aeutils._checks import as_image_array, positive_int, same_shape


def _pair(x: np.ndarray, reconstruction: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x = as_image_array(x, "x")
    reconstruction = as_image_array(reconstruction, "reconstruction", unit_range=False)
    same_shape(x, reconstruction, "x", "reconstruction")
    return x.astype(np.float64), reconstruction.astype(np.float64)


def mse_per_image(x: np.ndarray, reconstruction: np.ndarray) -> np.ndarray:
    """Mean squared error of each image, averaged over its pixels: shape (n,)."""
    x, reconstruction = _pair(x, reconstruction)
    return ((x - reconstruction) ** 2).reshape(len(x), -1).mean(axis=1)


def mse(x: np.ndarray, reconstruction: np.ndarray) -> float:
    """Per-pixel mean squared error over the whole batch (the number the book calls "MSE")."""
    return float(mse_per_image(x, reconstruction).mean())


def psnr_per_image(x: np.ndarray, reconstruction: np.ndarray) -> np.ndarray:
    """Peak signal-to-noise ratio of each image in decibels, for pixels in [0, 1]: 10 log10(1 / MSE).

    A perfect reconstruction has infinite PSNR; it is capped at 100 dB so that averages stay finite.
    """
    errors = mse_per_image(x, reconstruction)
    return np.minimum(10 * np.log10(1.0 / np.maximum(errors, 1e-10)), 100.0)


def psnr(x: np.ndarray, reconstruction: np.ndarray) -> float:
    """Mean over images of the per-image PSNR in decibels."""
    return float(psnr_per_image(x, reconstruction).mean())


def ssim(x: np.ndarray, reconstruction: np.ndarray, side: int = 28) -> float:
    """Mean structural similarity (TensorFlow's ``tf.image.ssim``, 11 x 11 Gaussian window) of square images.

    Accepts flat (n, side*side), (n, side, side) or (n, side, side, 1) batches; reconstructions are clipped to
    [0, 1] first, as SSIM is defined for images in the data range.
    """
    x, reconstruction = _pair(x, reconstruction)
    side = positive_int(side, "side")
    if x[0].size != side * side:
        raise ValueError(f"ssim needs square one-channel images of side {side}; got shape {x.shape}. Pass side=.")
    shape = (len(x), side, side, 1)
    a = tf.constant(x.reshape(shape), tf.float32)
    b = tf.constant(np.clip(reconstruction, 0.0, 1.0).reshape(shape), tf.float32)
    return float(tf.reduce_mean(tf.image.ssim(a, b, max_val=1.0)))
