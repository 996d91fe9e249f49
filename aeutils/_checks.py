"""Input checks shared by the public functions: each error says what is wrong and how to fix it."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np


def as_image_array(x: object, name: str, *, unit_range: bool = True) -> np.ndarray:
    """Return ``x`` as a floating-point NumPy array after checking it holds a batch of images.

    A batch is at least two-dimensional: ``(n, features)``, ``(n, height, width)`` or
    ``(n, height, width, channels)``. With ``unit_range`` the values must lie in [0, 1], the book's pixel scale.
    """
    if hasattr(x, "numpy") and not isinstance(x, np.ndarray):
        x = x.numpy()
    if not isinstance(x, np.ndarray):
        raise TypeError(f"{name} must be a NumPy array, got {type(x).__name__}; convert it with np.asarray(...).")
    if not np.issubdtype(x.dtype, np.floating):
        raise TypeError(
            f"{name} has dtype {x.dtype}, but pixels must be floats in [0, 1]; "
            "convert with x.astype('float32') / 255 (aeutils.load_mnist already does)."
        )
    if x.ndim < 2 or x.shape[0] == 0:
        raise ValueError(
            f"{name} has shape {x.shape}; expected a non-empty batch of images such as (n, 784), (n, 28, 28) "
            "or (n, 28, 28, 1). For a single image, add the batch axis with x[None]."
        )
    if not np.all(np.isfinite(x)):
        bad = int(np.size(x) - np.count_nonzero(np.isfinite(x)))
        raise ValueError(
            f"{name} contains {bad} NaN or infinite values; a diverged model produces these: lower the learning "
            "rate or check the loss, and never average them away."
        )
    if unit_range and (x.min() < 0.0 or x.max() > 1.0):
        raise ValueError(
            f"{name} has values in [{x.min():.4g}, {x.max():.4g}], outside the pixel range [0, 1]; "
            "scale uint8 images with x / 255, or clip a model's output with np.clip(x, 0, 1)."
        )
    return x


def same_shape(a: np.ndarray, b: np.ndarray, a_name: str, b_name: str) -> None:
    """Raise if two batches differ in shape, suggesting the usual reshapes."""
    if a.shape != b.shape:
        raise ValueError(
            f"{a_name} has shape {a.shape} but {b_name} has shape {b.shape}; they must match image for image. "
            "Reshape one with aeutils.as_flat(...) or aeutils.as_channels(...)."
        )


def positive_int(value: object, name: str, *, minimum: int = 1) -> int:
    """Return ``value`` if it is an integer of at least ``minimum`` (bools are refused)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {value!r} of type {type(value).__name__}.")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}.")
    return int(value)


def non_empty_mapping(value: object, name: str, example: str) -> Mapping:
    """Return ``value`` if it is a non-empty dict-like mapping; ``example`` shows the reader what to pass."""
    if not isinstance(value, Mapping) or not value:
        raise TypeError(f"{name} must be a non-empty dict such as {example}.")
    return value


def nonnegative_float(value: object, name: str, *, maximum: float | None = None) -> float:
    """Return ``value`` as a float if it is a finite number >= 0 (and <= ``maximum`` if given); bools are refused."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number, got {value!r} of type {type(value).__name__}.")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value}.")
    if value < 0:
        raise ValueError(f"{name} must be at least 0, got {value}.")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be at most {maximum}, got {value}.")
    return value


def integer_labels(labels: object, name: str, *, n: int | None = None, of: str = "") -> np.ndarray:
    """Return ``labels`` if it is a 1-D NumPy array of integers (with ``n`` entries, one per row of ``of``)."""
    if not isinstance(labels, np.ndarray):
        raise TypeError(f"{name} must be a NumPy array of integer labels, got {type(labels).__name__}.")
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(
            f"{name} has shape {labels.shape} and dtype {labels.dtype}; expected one integer label per image, "
            "shape (n,), such as the labels aeutils.load_mnist() returns."
        )
    if n is not None and len(labels) != n:
        raise ValueError(f"{name} holds {len(labels)} labels but {of} holds {n}; pass one label per row of {of}.")
    return labels
