"""Helpers for generative autoencoders with a 2-D latent space: the latent grid, the KL term, decoded manifolds.

The variational chapter builds its model in plain Keras; what it shares with any chapter that decodes a latent
space lives here: a grid of latent points at the standard normal's quantiles (so that each grid cell holds the
same share of the prior), the closed-form KL divergence of a diagonal Gaussian from the standard normal, the
decoding of the grid into checked images, and the figure that tiles them into one "manifold" picture.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from statistics import NormalDist

import matplotlib.pyplot as plt
import numpy as np

from aeutils._checks import positive_int

IMAGE_SIDE = 28


def _latent_array(x: object, name: str) -> np.ndarray:
    """Return ``x`` as a float64 (n, d) array of finite values, or raise saying what is wrong."""
    if hasattr(x, "numpy") and not isinstance(x, np.ndarray):
        x = x.numpy()
    if not isinstance(x, np.ndarray):
        raise TypeError(f"{name} must be a NumPy array, got {type(x).__name__}; convert it with np.asarray(...).")
    if not np.issubdtype(x.dtype, np.floating):
        raise TypeError(f"{name} has dtype {x.dtype}; the encoder gives floats, convert with .astype('float32').")
    if x.ndim != 2 or x.shape[0] == 0 or x.shape[1] == 0:
        raise ValueError(
            f"{name} has shape {x.shape}; expected one row per image and one column per latent dimension, "
            "(n, latent_dim), e.g. the first two outputs of encoder.predict(x)."
        )
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name} contains NaN or infinite values: the encoder diverged; lower the learning rate.")
    return x.astype(np.float64)


def _pair(value: object, name: str, *, positive: bool) -> np.ndarray:
    """A number or a pair of numbers (one per latent axis) as a float64 array of shape (2,)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating, Sequence, np.ndarray)):
        raise TypeError(f"{name} must be a number or a pair of numbers (one per axis), got {value!r}.")
    try:
        pair = np.broadcast_to(np.asarray(value, dtype=np.float64), (2,))
    except (ValueError, TypeError):
        raise ValueError(f"{name} must be a number or a pair of numbers (one per axis), got {value!r}.") from None
    if not np.all(np.isfinite(pair)) or (positive and np.any(pair <= 0)):
        kind = "positive finite" if positive else "finite"
        raise ValueError(f"{name} must hold {kind} numbers, got {value!r}.")
    return pair.copy()


def latent_grid(
    n: int, extent: float = 0.9, *, center: float | Sequence[float] = 0.0, scale: float | Sequence[float] = 1.0
) -> np.ndarray:
    """Return an ``n`` x ``n`` grid of 2-D latent points, shape (n * n, 2), float32, row by row.

    Along each axis the points sit at the standard normal's quantiles from ``(1 - extent) / 2`` to
    ``(1 + extent) / 2``, so the grid covers the central ``extent`` of the prior's probability on each axis and
    every column holds the same share of it (the grid of Kingma and Welling's manifold figures). ``center`` and
    ``scale`` (a number or one per axis) move and stretch the grid, e.g. to the mean and spread of a plain
    autoencoder's codes. Rows run from the top (largest second coordinate) down and columns from left to right,
    so the grid reads like a scatter plot of the latent space.
    """
    n = positive_int(n, "n", minimum=2)
    if isinstance(extent, bool) or not isinstance(extent, (int, float, np.integer, np.floating)):
        raise TypeError(f"extent must be a number between 0 and 1, got {extent!r}.")
    if not 0 < extent < 1:
        raise ValueError(
            f"extent must lie strictly between 0 and 1 (the share of the prior each axis covers), got {extent}; "
            "1 would put the grid's edge at infinity, try 0.9 or 0.99."
        )
    center, scale = _pair(center, "center", positive=False), _pair(scale, "scale", positive=True)
    low = (1 - extent) / 2
    quantiles = np.array([NormalDist().inv_cdf(p) for p in np.linspace(low, 1 - low, n)])
    z1, z2 = np.meshgrid(quantiles, quantiles[::-1])  # z2 decreases down the rows, as on a plot's y axis
    points = np.stack([z1.ravel(), z2.ravel()], axis=1) * scale + center
    return points.astype(np.float32)


def kl_divergence(mean: np.ndarray, log_var: np.ndarray) -> np.ndarray:
    """KL divergence of N(mean, exp(log_var)) (diagonal) from the standard normal, one value per row, in nats.

    KL = 1/2 * sum_j (exp(log_var_j) + mean_j^2 - 1 - log_var_j): zero exactly when mean = 0 and log_var = 0,
    positive otherwise. ``mean`` and ``log_var`` are the encoder's two outputs, both (n, latent_dim). Computed in
    float64 and returned as an (n,) float64 array.
    """
    mean, log_var = _latent_array(mean, "mean"), _latent_array(log_var, "log_var")
    if mean.shape != log_var.shape:
        raise ValueError(
            f"mean has shape {mean.shape} but log_var has shape {log_var.shape}; the encoder gives one log-variance "
            "per mean, so they must match."
        )
    if log_var.max() > 700:
        raise ValueError(
            f"log_var reaches {log_var.max():.4g}, whose exponential overflows: the encoder has diverged; "
            "lower the learning rate or the KL weight's warm-up."
        )
    # expm1(v) - v is exp(v) - 1 - v without the cancellation near v = 0; it is >= 0 for every v.
    per_dimension = np.expm1(log_var) - log_var + mean**2
    return 0.5 * np.maximum(per_dimension, 0.0).sum(axis=1)


def decode_grid(
    decoder: object,
    n: int,
    extent: float = 0.9,
    *,
    center: float | Sequence[float] = 0.0,
    scale: float | Sequence[float] = 1.0,
) -> np.ndarray:
    """Decode ``latent_grid(n, extent, center=..., scale=...)`` and return the images, shape (n * n, 28, 28).

    ``decoder`` is a Keras model (its ``predict`` is used, silently) or any callable mapping (m, 2) points to m
    images of 784 pixels in any layout. The images are checked to be finite and in [0, 1] (a decoder that
    ends in a sigmoid gives that), so they can be shown or compared with pixels directly.
    """
    points = latent_grid(n, extent, center=center, scale=scale)
    if hasattr(decoder, "predict"):
        images = decoder.predict(points, verbose=0)
    elif callable(decoder):
        images = decoder(points)
    else:
        raise TypeError(
            f"decoder must be a Keras model or a callable mapping (m, 2) latent points to images, "
            f"got {type(decoder).__name__}."
        )
    images = np.asarray(images.numpy() if hasattr(images, "numpy") else images)
    if images.shape[:1] != (len(points),) or images[0].size != IMAGE_SIDE * IMAGE_SIDE:
        raise ValueError(
            f"decoder gave shape {images.shape} for {len(points)} latent points; expected one 28 x 28 image per "
            "point, e.g. (m, 784) or (m, 28, 28, 1). Does the decoder take 2-D codes and end in Dense(784)?"
        )
    if not np.all(np.isfinite(images)):
        raise ValueError("decoder gave NaN or infinite pixels: the model diverged; lower the learning rate.")
    if images.min() < 0 or images.max() > 1:
        raise ValueError(
            f"decoder gave pixels in [{images.min():.4g}, {images.max():.4g}], outside [0, 1]; end the decoder "
            "with a sigmoid activation."
        )
    return images.reshape(len(points), IMAGE_SIDE, IMAGE_SIDE).astype(np.float32)


def plot_manifold(grids: np.ndarray | Mapping[str, np.ndarray], size: float = 3.6) -> plt.Figure:
    """Tile the n * n images of ``decode_grid`` into one square picture, row by row; return the figure (closed).

    Pass one (n * n, 28, 28) array, or a dict of them keyed by title to draw several side by side. The picture
    is a map of what the decoder draws across the latent grid: a smooth, filled-in latent space shows digits
    morphing into each other everywhere, a plain autoencoder's shows blots between its clusters.
    """
    if isinstance(grids, Mapping) and not grids:
        raise TypeError("grids must be an (n * n, 28, 28) array or a non-empty dict such as {'VAE': images}.")
    panels = dict(grids) if isinstance(grids, Mapping) else {"": grids}
    if isinstance(size, bool) or not isinstance(size, (int, float)) or not 0 < size < 20:
        raise ValueError(f"size must be a figure size in inches per panel, between 0 and 20, got {size!r}.")
    canvases = {}
    for title, images in panels.items():
        name = f"grids[{title!r}]" if title else "grids"
        if not isinstance(images, np.ndarray) or images.ndim != 3 or images.shape[1:] != (IMAGE_SIDE, IMAGE_SIDE):
            shape = getattr(images, "shape", type(images).__name__)
            raise ValueError(f"{name} must be the (n * n, 28, 28) array of decode_grid, got {shape}.")
        n = int(round(np.sqrt(len(images))))
        if n * n != len(images) or n < 2:
            raise ValueError(f"{name} holds {len(images)} images, which is not a square grid of at least 2 x 2.")
        canvases[title] = images.reshape(n, n, IMAGE_SIDE, IMAGE_SIDE).transpose(0, 2, 1, 3).reshape(n * IMAGE_SIDE, -1)
    fig, axes = plt.subplots(1, len(canvases), figsize=(size * len(canvases), size + 0.3), squeeze=False)
    for ax, (title, canvas) in zip(axes[0], canvases.items(), strict=True):
        ax.imshow(canvas, cmap="gray", vmin=0.0, vmax=1.0)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_xlabel("latent axis 1 \u2192")
        ax.set_ylabel("latent axis 2 \u2192")
        if title:
            ax.set_title(title)
    fig.tight_layout(pad=0.3)
    plt.close(fig)
    return fig
