"""The book's figures: image grids, learning curves, code histograms and 2-D latent maps, in one consistent style.

Each function returns its figure already closed in pyplot, so a notebook cell that ends with the call shows the
figure exactly once, as the cell's value (pyplot's own display of open figures would show it a second time).
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.lines import Line2D

from aeutils._checks import as_image_array, integer_labels, non_empty_mapping, positive_int


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


def plot_learning_curves(
    histories: Mapping[str, Mapping[str, list[float]]], log_scale: bool = True, metric: str = "loss"
) -> plt.Figure:
    """Plot training (solid) and validation (dashed) values of ``metric`` per epoch for one or more runs.

    Pass ``{"name": model.fit(...).history}``; each history needs a ``metric`` list (the training loss by
    default), and ``"val_" + metric`` is drawn when present. To compare models trained with different losses,
    compile them with the same extra metric, e.g. ``metrics=["mse"]``, and pass ``metric="mse"``: losses of
    different kinds on one axis do not compare.
    """
    non_empty_mapping(histories, "histories", "{'vanilla': history.history}")
    if not isinstance(metric, str) or not metric:
        raise TypeError(f"metric must be the name of a logged metric such as 'loss' or 'mse', got {metric!r}.")
    fig, ax = plt.subplots(figsize=(6, 3.5))
    for i, (name, history) in enumerate(histories.items()):
        if metric not in history or not len(history[metric]):
            raise ValueError(
                f"history {name!r} has no {metric!r} values (it has {sorted(history)}); pass model.fit(...).history"
                + ("" if metric == "loss" else f" of a model compiled with metrics=[{metric!r}]")
                + "."
            )
        values = np.asarray(history[metric], dtype=float)
        if not np.all(np.isfinite(values)):
            raise ValueError(f"history {name!r} contains NaN or infinite {metric} values: training diverged.")
        epochs = np.arange(1, len(values) + 1)
        color = f"C{i}"
        ax.plot(epochs, values, color=color, label=f"{name} (training)")
        if f"val_{metric}" in history:
            validation = np.asarray(history[f"val_{metric}"], dtype=float)
            if validation.shape != values.shape or not np.all(np.isfinite(validation)):
                raise ValueError(
                    f"history {name!r} has {validation.size} 'val_{metric}' values for {values.size} epochs, or "
                    "NaN/infinite ones; pass the history of one fit(..., validation_data=...) call unchanged."
                )
            ax.plot(epochs, validation, color=color, linestyle="--", label=f"{name} (validation)")
    ax.set_xlabel("epoch")
    ax.set_ylabel(metric)
    if log_scale:
        ax.set_yscale("log")
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")
    return _finish(fig)


def plot_code_histogram(codes: Mapping[str, np.ndarray], bins: int = 50) -> plt.Figure:
    """Histogram of code activations (all units pooled) for one or more models, keyed by model name.

    Values that are exactly zero (a ReLU unit that is off) get their own bar, in a narrow panel on the left; the
    other values are binned on the right with the same ``bins`` edges for every model, so that bars of different
    models cover the same range and compare. Heights are shares of each model's values, so codes of different
    widths compare too; the axis is logarithmic, to show the rare large activations.
    """
    non_empty_mapping(codes, "codes", "{'vanilla': encoder.predict(x)}")
    bins = positive_int(bins, "bins")
    pooled = {
        name: as_image_array(values, f"codes[{name!r}]", unit_range=False).ravel() for name, values in codes.items()
    }
    nonzero = np.concatenate([values[values != 0] for values in pooled.values()])
    low, high = (nonzero.min(), nonzero.max()) if nonzero.size else (0.0, 1.0)
    edges = np.linspace(low, high if high > low else low + 1.0, bins + 1)
    fig, (zero_ax, ax) = plt.subplots(1, 2, figsize=(6.5, 3.5), sharey=True, gridspec_kw={"width_ratios": [1, 6]})
    width = 0.8 / len(pooled)
    for i, (name, values) in enumerate(pooled.items()):
        color = f"C{i}"
        zero_ax.bar(i * width, np.mean(values == 0), width=width, color=color, alpha=0.8, label=name)
        rest = values[values != 0]
        ax.hist(rest, bins=edges, weights=np.full(rest.shape, 1 / values.size), alpha=0.6, color=color, label=name)
    zero_ax.set_xticks([(len(pooled) - 1) * width / 2], ["exactly 0"])
    zero_ax.set_xlim(-0.6, 0.8 + 0.2)
    zero_ax.set_ylabel("share of code values")
    zero_ax.set_yscale("log")
    ax.set_xlabel("code activation (not zero)")
    ax.legend(fontsize="small")
    return _finish(fig)


def plot_latent_2d(codes: np.ndarray | Mapping[str, np.ndarray], labels: np.ndarray) -> plt.Figure:
    """Scatter two-dimensional codes, one point per image, coloured by the image's label.

    Pass one ``(n, 2)`` array (e.g. ``encoder.predict(x_test)``), or a dict of them keyed by model name to draw
    the same images side by side, one panel per model. ``labels`` holds the ``n`` integer labels (the digits);
    they only colour the points, at most 10 distinct values, one colour each, in one shared legend. Points are
    drawn in the order given, so no class is systematically painted over the others.
    """
    if isinstance(codes, Mapping) and not codes:
        raise TypeError("codes must be an (n, 2) array or a non-empty dict such as {'linear code': codes}.")
    panels = dict(codes) if isinstance(codes, Mapping) else {"": codes}
    labels = integer_labels(labels, "labels")
    classes = np.unique(labels)
    if len(classes) > 10:
        raise ValueError(f"labels has {len(classes)} distinct values; colouring distinguishes at most 10.")
    for title, values in panels.items():
        name = f"codes[{title!r}]" if title else "codes"
        values = as_image_array(values, name, unit_range=False)
        if values.ndim != 2 or values.shape[1] != 2:
            raise ValueError(
                f"{name} has shape {values.shape}; a 2-D latent map needs codes of shape (n, 2): "
                "train a model with a 2-unit code, or reduce the codes to two dimensions first."
            )
        if len(values) != len(labels):
            raise ValueError(f"{name} holds {len(values)} codes but labels holds {len(labels)}; pass one per image.")
        panels[title] = values
    palette = plt.get_cmap("tab10").colors
    colors = np.asarray(palette)[np.searchsorted(classes, labels)]
    fig, axes = plt.subplots(1, len(panels), figsize=(4.2 * len(panels) + 0.8, 4.0), squeeze=False)
    for ax, (title, values) in zip(axes[0], panels.items(), strict=True):
        ax.scatter(values[:, 0], values[:, 1], c=colors, s=4, alpha=0.6, linewidths=0)
        ax.set_xlabel("code unit 1")
        ax.set_ylabel("code unit 2")
        ax.set_title(title)
        ax.grid(alpha=0.3)
    handles = [
        Line2D([], [], marker="o", linestyle="", color=palette[i], label=str(label)) for i, label in enumerate(classes)
    ]
    fig.legend(handles=handles, loc="center right", title="label", fontsize="small")
    fig.tight_layout(pad=0.3, rect=(0, 0, 1 - 0.8 / fig.get_figwidth(), 1))
    plt.close(fig)
    return fig
