"""The book's figures: image grids, learning curves and code histograms, in one consistent style.

Each function returns its figure already closed in pyplot, so a notebook cell that ends with the call shows the
figure exactly once, as the cell's value (pyplot's own display of open figures would show it a second time).
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np

from aeutils._checks import as_image_array, non_empty_mapping, positive_int


def _finish(fig: plt.Figure) -> plt.Figure:
    fig.tight_layout(pad=0.3)
    plt.close(fig)
    return fig


def _as_square_images(images: np.ndarray, name: str) -> np.ndarray:
    images = as_image_array(images, name, unit_range=False)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim == 2:
        side = int(round(np.sqrt(images.shape[1])))
        if side * side != images.shape[1]:
            raise ValueError(f"{name} has {images.shape[1]} values per image, which is not a square image.")
        images = images.reshape(len(images), side, side)
    if images.ndim != 3:
        raise ValueError(f"{name} has shape {images.shape}; expected (n, h, w), (n, h, w, 1) or flat square images.")
    return images


def plot_image_grid(
    rows: Mapping[str, np.ndarray], n: int = 10, value_range: tuple[float, float] | None = (0.0, 1.0)
) -> plt.Figure:
    """Show the first ``n`` images of each row, one titled row per entry (e.g. originals over reconstructions).

    With ``value_range=(0, 1)`` every image shares the pixel scale, so a washed-out reconstruction looks
    washed out (values outside the range, as PCA produces, saturate); ``value_range=None`` scales each image
    on its own, for codes and filters.
    """
    non_empty_mapping(rows, "rows", "{'original': x, 'reconstruction': r}")
    n = positive_int(n, "n")
    grids = {title: _as_square_images(images, f"rows[{title!r}]") for title, images in rows.items()}
    short = {title: len(images) for title, images in grids.items() if len(images) < n}
    if short:
        raise ValueError(f"n={n} images requested, but some rows hold fewer: {short}; lower n.")
    vmin, vmax = value_range if value_range is not None else (None, None)
    fig, axes = plt.subplots(len(grids), n, figsize=(n * 0.9, len(grids) * 1.0), squeeze=False)
    for axes_row, (title, images) in zip(axes, grids.items(), strict=False):
        for ax, image in zip(axes_row, images[:n], strict=False):
            ax.imshow(image, cmap="gray", vmin=vmin, vmax=vmax)
            ax.set_xticks([])
            ax.set_yticks([])
        axes_row[0].set_ylabel(title, rotation=0, ha="right", va="center")
    return _finish(fig)


def plot_learning_curves(histories: Mapping[str, Mapping[str, list[float]]], log_scale: bool = True) -> plt.Figure:
    """Plot training (solid) and validation (dashed) loss per epoch for one or more runs, keyed by run name.

    Pass ``{"name": model.fit(...).history}``; each history needs a ``loss`` list, ``val_loss`` is drawn
    when present.
    """
    non_empty_mapping(histories, "histories", "{'vanilla': history.history}")
    fig, ax = plt.subplots(figsize=(6, 3.5))
    for i, (name, history) in enumerate(histories.items()):
        if "loss" not in history or not len(history["loss"]):
            raise ValueError(f"history {name!r} has no 'loss' values; pass model.fit(...).history.")
        losses = np.asarray(history["loss"], dtype=float)
        if not np.all(np.isfinite(losses)):
            raise ValueError(f"history {name!r} contains NaN or infinite losses: training diverged.")
        epochs = np.arange(1, len(losses) + 1)
        color = f"C{i}"
        ax.plot(epochs, losses, color=color, label=f"{name} (training)")
        if "val_loss" in history:
            held_out = np.asarray(history["val_loss"], dtype=float)
            if held_out.shape != losses.shape or not np.all(np.isfinite(held_out)):
                raise ValueError(
                    f"history {name!r} has {held_out.size} 'val_loss' values for {losses.size} epochs, or "
                    "NaN/infinite ones; pass the history of one fit(..., validation_data=...) call unchanged."
                )
            ax.plot(epochs, held_out, color=color, linestyle="--", label=f"{name} (held-out)")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    if log_scale:
        ax.set_yscale("log")
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")
    return _finish(fig)


def plot_code_histogram(codes: Mapping[str, np.ndarray], bins: int = 50) -> plt.Figure:
    """Histogram of code activations (all units pooled) for one or more models, keyed by model name."""
    non_empty_mapping(codes, "codes", "{'vanilla': encoder.predict(x)}")
    bins = positive_int(bins, "bins")
    fig, ax = plt.subplots(figsize=(6, 3.5))
    for name, values in codes.items():
        values = as_image_array(values, f"codes[{name!r}]", unit_range=False)
        ax.hist(values.ravel(), bins=bins, alpha=0.6, label=name)
    ax.set_xlabel("code activation")
    ax.set_ylabel("count")
    ax.set_yscale("log")
    ax.legend(fontsize="small")
    return _finish(fig)
