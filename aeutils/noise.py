"""Corruptions for denoising: clipped Gaussian noise, salt-and-pepper and random masking.

Each function draws from an explicit NumPy generator (or a seed for one), so that a fixed held-out noisy set is
the same on every run and every machine. Training noise, drawn afresh every epoch, belongs in the model instead
(for example ``keras.layers.GaussianNoise``), where Keras' seeded generator draws it.
"""

from __future__ import annotations

import numpy as np

from aeutils._checks import as_image_array, nonnegative_float


def _generator(rng: object) -> np.random.Generator:
    """Return ``rng`` if it is a NumPy Generator, or a new Generator seeded with it if it is a seed."""
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool) and rng >= 0:
        return np.random.default_rng(int(rng))
    raise TypeError(
        f"rng must be a numpy.random.Generator or a non-negative integer seed, got {rng!r}; pass "
        "np.random.default_rng(seed) so that the corrupted images are the same on every run."
    )


def _uniform(rng: np.random.Generator, x: np.ndarray) -> np.ndarray:
    return rng.random(x.shape, dtype=np.float32 if x.dtype == np.float32 else np.float64)


def add_gaussian_noise(x: np.ndarray, sigma: float, rng: np.random.Generator | int) -> np.ndarray:
    """Add Gaussian noise of standard deviation ``sigma`` to each pixel and clip the result to [0, 1].

    ``x`` is a batch of images with pixels in [0, 1] in any layout; the result has its shape and dtype.
    ``rng`` is a NumPy Generator (which advances) or an integer seed.
    """
    x = as_image_array(x, "x")
    sigma = nonnegative_float(sigma, "sigma")
    rng = _generator(rng)
    noise = rng.standard_normal(x.shape, dtype=np.float32 if x.dtype == np.float32 else np.float64)
    return np.clip(x + sigma * noise, 0.0, 1.0).astype(x.dtype, copy=False)


def add_salt_and_pepper(x: np.ndarray, fraction: float, rng: np.random.Generator | int) -> np.ndarray:
    """Replace each pixel, with probability ``fraction``, by white (1) or black (0), each as likely.

    ``fraction`` lies in [0, 1]; the result has the shape and dtype of ``x`` (pixels in [0, 1]).
    ``rng`` is a NumPy Generator (which advances) or an integer seed.
    """
    x = as_image_array(x, "x")
    fraction = nonnegative_float(fraction, "fraction", maximum=1.0)
    rng = _generator(rng)
    hit = _uniform(rng, x) < fraction
    salt = _uniform(rng, x) < 0.5
    return np.where(hit, salt.astype(x.dtype), x).astype(x.dtype, copy=False)


def mask_pixels(x: np.ndarray, fraction: float, rng: np.random.Generator | int) -> np.ndarray:
    """Set each pixel to 0 with probability ``fraction`` (masking noise: the pixel is simply missing).

    ``fraction`` lies in [0, 1]; the result has the shape and dtype of ``x``.
    ``rng`` is a NumPy Generator (which advances) or an integer seed.
    """
    x = as_image_array(x, "x")
    fraction = nonnegative_float(fraction, "fraction", maximum=1.0)
    rng = _generator(rng)
    return np.where(_uniform(rng, x) < fraction, x.dtype.type(0), x).astype(x.dtype, copy=False)
