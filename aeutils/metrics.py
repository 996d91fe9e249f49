"""Reconstruction quality (mean squared error, PSNR and SSIM, per image and averaged) and code sparsity.

Every reconstruction metric takes the reference images first (values in [0, 1]) and the reconstructions second
(same shape, finite; they may stray outside [0, 1], as PCA's do). :func:`code_sparsity` takes a batch of codes.
"""

from __future__ import annotations

from dataclasses import dataclass

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


@dataclass(frozen=True)
class CodeSparsity:
    """How sparse a batch of codes is; the fields are described in :func:`code_sparsity`."""

    fraction_zero: float
    fraction_near_zero: float
    mean_activation: float
    dead_units: int
    units: int


def code_sparsity(codes: np.ndarray, near_zero: float = 0.05) -> CodeSparsity:
    """Measure how sparse a batch of codes is: one row per input, one column per code unit.

    Codes of any shape ``(n, ...)`` (a convolutional code, say) are flattened to ``(n, units)`` first.
    Returns a :class:`CodeSparsity` with

    - ``fraction_zero``: the share of all code values that are exactly zero (what a ReLU switches off);
    - ``fraction_near_zero``: the share whose magnitude is at most ``near_zero`` times the largest magnitude
      *of the same unit* on these inputs. The threshold is relative per unit because an activity penalty can
      shrink a unit's values while the decoder scales its weights up: a code that is merely smaller is not
      sparser. Exact zeros always count; every value of a dead unit counts;
    - ``mean_activation``: the mean magnitude of the code values, ``mean(|h|)`` (the plain mean for ReLU codes);
    - ``dead_units``: how many units are exactly zero for every input in the batch;
    - ``units``: how many units the code has.
    """
    codes = as_image_array(codes, "codes", unit_range=False)
    if isinstance(near_zero, bool) or not isinstance(near_zero, (int, float, np.integer, np.floating)):
        raise TypeError(f"near_zero must be a number, got {near_zero!r} of type {type(near_zero).__name__}.")
    if not 0.0 <= near_zero < 1.0:
        raise ValueError(
            f"near_zero must be in [0, 1), a fraction of each unit's largest value (e.g. 0.05), got {near_zero}."
        )
    magnitudes = np.abs(codes.reshape(len(codes), -1).astype(np.float64))
    largest = magnitudes.max(axis=0)
    return CodeSparsity(
        fraction_zero=float(np.mean(magnitudes == 0)),
        fraction_near_zero=float(np.mean(magnitudes <= near_zero * largest)),
        mean_activation=float(magnitudes.mean()),
        dead_units=int(np.sum(largest == 0)),
        units=int(magnitudes.shape[1]),
    )
