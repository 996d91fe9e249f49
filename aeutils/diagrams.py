"""Diagrams drawn from the code itself: a Keras model's layers, and the grids behind a convolution's shape arithmetic.

``plot_model`` reads the layers, their connections and their output shapes from the built model, so the picture
next to a chapter's Keras code cannot drift from that code. ``plot_conv_arithmetic`` asks Keras's own layers
where each window reads and each transposed kernel writes, so its grids show what the backend really does.
Both return their figure closed, like the other plots.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import keras
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Rectangle
from matplotlib.path import Path

from aeutils._checks import positive_int

# Colours: ordinary layers, inputs, the code, padding/cropped cells and arrows.
_LAYER, _LAYER_EDGE = "#cfe2f3", "#3d6b99"
_INPUT, _INPUT_EDGE = "#eeeeee", "#777777"
_CODE, _CODE_EDGE = "#f9cb9c", "#b45f06"
_MUTED, _ARROW = "#888888", "#555555"
_PADDING, _PICKED, _EXTRA = "#f0f0f0", "#9fc5e8", _CODE

# Layout of plot_model, in inches: a kind column, the names, the boxes' band, the shapes; one row per layer.
_WIDTH, _PITCH, _BOX_HEIGHT, _TOP = 7.0, 0.4, 0.24, 0.45
_KIND_X, _BAND_LEFT, _BAND_RIGHT = 0.33, 2.9, 4.7
_CENTER = (_BAND_LEFT + _BAND_RIGHT) / 2
_MIN_BOX = 0.03  # narrowest box, as a fraction of the band, so that a 2-number code still shows


@dataclass(frozen=True)
class _Box:
    """One drawn layer: its name, kind, per-sample output shapes, group (sub-model path) and parent boxes."""

    name: str
    kind: str
    shapes: tuple[tuple[int, ...], ...]
    group: str
    parents: tuple[int, ...]

    @property
    def path(self) -> str:
        return f"{self.group}/{self.name}" if self.group else self.name

    @property
    def size(self) -> int:
        return sum(math.prod(shape) for shape in self.shapes)

    @property
    def shape_label(self) -> str:
        labels = [
            " × ".join(f"{d:,}" for d in shape) + (f" = {math.prod(shape):,}" if len(shape) > 1 else "")
            for shape in self.shapes
        ]
        return " | ".join(labels)


def _graph_ends(model: keras.Model) -> tuple[list, list]:
    """The model's input and output tensors, or a clear error for what cannot be drawn."""
    try:
        return list(model.inputs), list(model.outputs)
    except AttributeError:  # a Sequential model without an Input, or a subclassed model
        parts = [name for name, value in vars(model).items() if isinstance(value, keras.Model) and name[0] != "_"]
        if parts:
            listed = ", ".join(f"{model.name}.{name}" for name in parts)
            hint = f"draw its parts instead: aeutils.plot_model([{listed}])"
        else:
            hint = "start it with keras.Input(shape=...) so that Keras knows every layer's output shape"
        raise ValueError(
            f"model {model.name!r} has no graph of layers to draw (not built, or subclassed); {hint}."
        ) from None


def _sample_shape(tensor, layer_name: str) -> tuple[int, ...]:
    shape = tuple(tensor.shape)[1:]
    if any(d is None for d in shape):
        raise ValueError(
            f"layer {layer_name!r} outputs shape {shape}, with sizes left open (None); give keras.Input a full "
            "shape, such as keras.Input(shape=(28, 28, 1)), so that every box can be sized."
        )
    return shape


def _add_model(model: keras.Model, group: str, boxes: list[_Box], feeds: list[int], nested: bool) -> list[int]:
    """Append the model's layers to ``boxes``, parents before children; return the boxes of its outputs.

    A ``nested`` sub-model's inputs are the boxes in ``feeds`` (its own Input layers are not drawn); otherwise each
    input gets a box, fed by ``feeds`` (the previous model of a pipeline). Sub-models are opened up, their layers
    grouped under their name. The graph is read through each tensor's Keras history (the layer, the call of it and
    the output that produced the tensor), so a layer shared with another model is drawn as this model uses it.
    """
    inputs, outputs = _graph_ends(model)
    made: dict[int, int] = {}  # id(tensor) -> the box that produced it
    for i, tensor in enumerate(inputs):
        if nested:
            made[id(tensor)] = feeds[min(i, len(feeds) - 1)]
        else:
            name = tensor._keras_history[0].name
            boxes.append(_Box(name, "Input", (_sample_shape(tensor, name),), group, tuple(feeds)))
            made[id(tensor)] = len(boxes) - 1
    node_boxes: dict[int, list[int]] = {}  # id(node) -> one box per output tensor of that call

    def visit(tensor) -> int:
        if id(tensor) not in made:
            layer, node_index, tensor_index = tensor._keras_history
            node = layer._inbound_nodes[node_index]
            if id(node) not in node_boxes:
                parents = [visit(t) for t in node.input_tensors]
                if isinstance(layer, keras.Model):
                    inner = f"{group}/{layer.name}" if group else layer.name
                    node_boxes[id(node)] = _add_model(layer, inner, boxes, parents, nested=True)
                else:
                    shapes = tuple(_sample_shape(t, layer.name) for t in node.output_tensors)
                    boxes.append(_Box(layer.name, type(layer).__name__, shapes, group, tuple(dict.fromkeys(parents))))
                    node_boxes[id(node)] = [len(boxes) - 1] * len(shapes)
            made[id(tensor)] = node_boxes[id(node)][tensor_index]
        return made[id(tensor)]

    return [visit(tensor) for tensor in outputs]


def _code_boxes(boxes: list[_Box], code: str | Sequence[str] | None) -> set[int]:
    """The rows to highlight: the layers named in ``code``, else those named "code", else the narrowest."""
    if code is None:
        named = {i for i, box in enumerate(boxes) if box.name == "code"}
        smallest = min(box.size for box in boxes)
        return named or {i for i, box in enumerate(boxes) if box.size == smallest}
    names = [code] if isinstance(code, str) else list(code)
    found = {i for i, box in enumerate(boxes) if box.name in names or box.path in names}
    missing = [name for name in names if not any(name in (boxes[i].name, boxes[i].path) for i in found)]
    if missing:
        known = ", ".join(box.path for box in boxes)
        raise ValueError(f"code names layers {missing} that the diagram does not have; its layers are: {known}.")
    return found


def plot_model(
    model: keras.Model | Sequence[keras.Model],
    *,
    code: str | Sequence[str] | None = None,
    title: str | None = None,
) -> plt.Figure:
    """Draw a functional or Sequential Keras model top to bottom: one box per layer, arrows along the data flow.

    Each row shows the layer's kind (Dense, Conv2D, ...), its name, a box and the shape of one output sample.
    Box widths grow with the square root of the number of values a layer outputs, so an autoencoder reads as an
    hourglass with the bottleneck visibly narrow. The code is highlighted: the layers named in ``code``
    (plain names, or ``"encoder/code"`` inside a sub-model), by default the layer named ``"code"`` or, if none
    is, the layers with the fewest values. Sub-models (an encoder and a decoder inside an autoencoder) are
    opened up and framed as labelled groups. A list of models, such as ``[vae.encoder, vae.decoder]``, is drawn
    as one pipeline in which each model's outputs feed the next model's inputs, each model a group.

    The title defaults to the model names and their parameter count. The model must be built from
    ``keras.Input(shape=...)``; a subclassed model has no layer graph to read, so pass its parts instead. The
    figure is 7 inches wide and 0.4 inches a layer tall, and comes back closed, like the other plots.
    """
    models = list(model) if isinstance(model, (list, tuple)) else [model]
    if not models:
        raise TypeError("plot_model needs a keras.Model or a non-empty list of them, got an empty list.")
    for part in models:
        if not isinstance(part, keras.Model):
            raise TypeError(f"plot_model needs a keras.Model or a list of them, got {type(part).__name__}.")
    boxes: list[_Box] = []
    outputs: list[int] = []
    for part in models:
        outputs = _add_model(part, part.name if len(models) > 1 else "", boxes, outputs, nested=False)
    highlighted = _code_boxes(boxes, code)
    if title is None:
        title = " + ".join(part.name for part in models)
        title += f": {sum(part.count_params() for part in models):,} parameters"

    height = _TOP + len(boxes) * _PITCH + 0.1
    fig = plt.figure(figsize=(_WIDTH, height))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, _WIDTH)
    ax.set_ylim(height, 0)
    ax.axis("off")
    ax.text(_WIDTH / 2, 0.22, title, ha="center", va="center", fontsize=11)
    _draw_groups(ax, boxes)
    largest = max(box.size for box in boxes)
    widths = [(_BAND_RIGHT - _BAND_LEFT) * max(math.sqrt(box.size / largest), _MIN_BOX) for box in boxes]
    for row, (box, width) in enumerate(zip(boxes, widths, strict=True)):
        y = _row_y(row)
        face, edge = (_INPUT, _INPUT_EDGE) if box.kind == "Input" else (_LAYER, _LAYER_EDGE)
        label, style = box.shape_label, {}
        if row in highlighted:
            face, edge = _CODE, _CODE_EDGE
            label, style = f"{label}  ← code", {"fontweight": "bold", "color": _CODE_EDGE}
        box_xy = (_CENTER - width / 2, y - _BOX_HEIGHT / 2)
        ax.add_patch(Rectangle(box_xy, width, _BOX_HEIGHT, fc=face, ec=edge, gid=f"layer:{box.path}"))
        ax.text(_KIND_X, y, box.kind, ha="left", va="center", fontsize=8.5, color=_MUTED)
        ax.text(_BAND_LEFT - 0.12, y, box.name, ha="right", va="center", fontsize=9, fontweight="bold")
        ax.text(_BAND_RIGHT + 0.12, y, label, ha="left", va="center", fontsize=9, **style)
        for parent in box.parents:
            ax.add_patch(_link(parent, row, widths))
    plt.close(fig)
    return fig


def _row_y(row: int) -> float:
    return _TOP + (row + 0.5) * _PITCH


def _link(parent: int, row: int, widths: list[float]) -> FancyArrowPatch:
    """An arrow from a box to the next row straight down; one that skips rows runs down the right of the boxes."""
    style = {"arrowstyle": "-|>", "mutation_scale": 8, "color": _ARROW, "lw": 1, "shrinkA": 0, "shrinkB": 0}
    style["gid"] = f"arrow:{parent}:{row}"
    if parent == row - 1:
        return FancyArrowPatch(
            (_CENTER, _row_y(parent) + _BOX_HEIGHT / 2), (_CENTER, _row_y(row) - _BOX_HEIGHT / 2), **style
        )
    route = min(_CENTER + max(widths[parent : row + 1]) / 2 + 0.12, _BAND_RIGHT + 0.06)
    start, end = (_CENTER + widths[parent] / 2, _row_y(parent)), (_CENTER + widths[row] / 2, _row_y(row))
    path = Path([start, (route, start[1]), (route, end[1]), end])
    return FancyArrowPatch(path=path, **style)


def _draw_groups(ax: plt.Axes, boxes: list[_Box]) -> None:
    """Frame the rows of each sub-model, nested frames inset, with the group's name written up the left edge."""
    groups = dict.fromkeys(part for box in boxes if box.group for part in _prefixes(box.group))
    for group in groups:
        rows = [row for row, box in enumerate(boxes) if box.group == group or box.group.startswith(group + "/")]
        depth = group.count("/")
        top, bottom = _TOP + rows[0] * _PITCH + 0.03, _TOP + (rows[-1] + 1) * _PITCH - 0.03
        left = 0.05 + 0.06 * depth
        frame = FancyBboxPatch(
            (left, top),
            _WIDTH - 2 * left,
            bottom - top,
            boxstyle="round,pad=0,rounding_size=0.06",
            fc=("#f6f6f6", "#ececec")[depth % 2],
            ec="#aaaaaa",
            lw=0.8,
            gid=f"group:{group}",
        )
        ax.add_patch(frame)
        label = group.rsplit("/", 1)[-1]
        ax.text(left + 0.1, (top + bottom) / 2, label, rotation=90, ha="center", va="center", fontsize=9, color=_MUTED)


def _prefixes(group: str) -> list[str]:
    parts = group.split("/")
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


# --------------------------------------------------------------------------------------------------------------
# The grids behind a strided convolution and a transposed convolution
# --------------------------------------------------------------------------------------------------------------


def plot_conv_arithmetic(side: int = 7, kernel: int = 3, stride: int = 2) -> plt.Figure:
    """Picture a ``"same"`` strided convolution, and the transposed convolution that undoes its downsampling.

    Top: ``Conv2D(..., kernel, strides=stride, padding="same")`` on a ``side`` x ``side`` input. Each output cell
    reads a ``kernel`` x ``kernel`` window, the windows ``stride`` cells apart (dots mark their centres), so
    ``out = ceil(side / stride)``; "same" pads zeros (hatched) where a window hangs over the edge. Bottom:
    ``Conv2DTranspose`` from those ``n = out`` cells back up. Each input cell writes a ``kernel`` x ``kernel`` stamp,
    the stamps ``stride`` cells apart, covering ``(n - 1) * stride + kernel`` cells a side; "same" crops
    ``pad = kernel // 2`` of them (hatched), so ``out = (n - 1) * stride + kernel - 2 * pad + output_padding``, and
    ``output_padding`` keeps cropped cells (orange). Where windows read and stamps land is measured on Keras's own
    layers, so the picture shows what the backend computes (with TensorFlow the kept cells are the first ones).
    """
    side = positive_int(side, "side", minimum=2)
    kernel = positive_int(kernel, "kernel")
    stride = positive_int(stride, "stride", minimum=2)
    if kernel % 2 == 0 or stride > kernel or not kernel <= side <= 16:
        raise ValueError(
            f"plot_conv_arithmetic draws an odd kernel, a stride from 2 up to the kernel and a side from the kernel "
            f"up to 16; got side={side}, kernel={kernel}, stride={stride} (chapter 3 uses 7, 3 and 2)."
        )
    geometry = _conv_geometry(side, kernel, stride)
    n, canvas, pad = geometry["out"], geometry["canvas"], kernel // 2
    first, kept = geometry["pad_before"], geometry["kept"]
    u = min(0.23, 3.3 / (canvas + n + 1.5))  # the side of a cell, in inches
    row_height = max(canvas * u + 0.45, 2.7)  # room for the captions on the right
    height = 2 * row_height + 0.1
    fig = plt.figure(figsize=(_WIDTH, height))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, _WIDTH)
    ax.set_ylim(height, 0)
    ax.axis("off")
    x_in, x_text = 0.15, 0.15 + (canvas + n + 1.5) * u + 0.35

    # Strided convolution: the padded input, then the output grid.
    y = 0.15
    inside = range(first, first + side)

    def input_cell(r: int, c: int) -> tuple[str, str | None]:
        return ("white", None) if r in inside and c in inside else (_PADDING, "////")

    _grid(ax, "conv input", x_in, y, u, canvas, input_cell)
    last = (n - 1) * stride
    _outline(ax, x_in + last * u, y + last * u, kernel * u)
    _dots(ax, x_in, y, u, n, stride, kernel)
    x_out, y_out = x_in + (canvas + 1.5) * u, y + (canvas - n) * u / 2
    _grid(ax, "conv output", x_out, y_out, u, n, lambda r, c: (_PICKED if r == c == n - 1 else _LAYER, None))
    _arrow(ax, (x_in + (last + kernel) * u, y + (last + kernel / 2) * u), (x_out + (n - 1) * u, y_out + (n - 0.5) * u))
    ax.text(x_in + canvas * u / 2, y + canvas * u + 0.08, f"input {side} × {side}", ha="center", va="top", fontsize=9)
    ax.text(x_out + n * u / 2, y_out + n * u + 0.08, f"output {n} × {n}", ha="center", va="top", fontsize=9)
    after = canvas - side - first
    padding = f"{first} cell a side" if first == after else f"{first} before, {after} after"
    _caption(
        ax,
        x_text,
        y,
        f"Conv2D: {kernel} × {kernel} kernel, stride {stride}, 'same'",
        [
            f"Each output cell reads a {kernel} × {kernel} window;",
            f"windows start {stride} cells apart (dots: centres).",
            "'same' pads zeros (hatched) where windows",
            f"hang over the edge: {padding}.",
            "",
            f"out = ceil(in / stride) = ceil({side} / {stride}) = {n}",
        ],
    )

    # Transposed convolution: the input grid, then the canvas its stamps cover, cropped by 'same'.
    y = row_height + 0.15
    first_kept, size0 = kept[0]
    rows0 = range(first_kept, first_kept + size0)
    rows_any = set().union(*(range(f, f + s) for f, s in kept.values()))

    def canvas_cell(r: int, c: int) -> tuple[str, str | None]:
        if r in rows0 and c in rows0:
            return "white", None
        return (_EXTRA, None) if r in rows_any and c in rows_any else (_PADDING, "////")

    y_small = y + (canvas - n) * u / 2
    _grid(ax, "transposed input", x_in, y_small, u, n, lambda r, c: (_PICKED if r == c == 0 else _LAYER, None))
    x_canvas = x_in + (n + 1.5) * u
    _grid(ax, "transposed canvas", x_canvas, y, u, canvas, canvas_cell)
    _outline(ax, x_canvas, y, kernel * u)
    _dots(ax, x_canvas, y, u, n, stride, kernel)
    _arrow(ax, (x_in + u, y_small + u / 2), (x_canvas, y + kernel * u / 2))
    ax.text(x_in + n * u / 2, y_small + n * u + 0.08, f"input {n} × {n}", ha="center", va="top", fontsize=9)
    ax.text(
        x_canvas + canvas * u / 2,
        y + canvas * u + 0.08,
        f"stamps cover {canvas} × {canvas}",
        ha="center",
        va="top",
        fontsize=9,
    )
    extra_size = kept[stride - 1][1]
    _caption(
        ax,
        x_text,
        y,
        f"Conv2DTranspose: {kernel} × {kernel}, stride {stride}, 'same'",
        [
            f"Each input cell writes a {kernel} × {kernel} stamp;",
            f"stamps land {stride} cells apart (dots: centres).",
            f"'same' crops pad = {pad} cell a side (hatched).",
            "",
            "out = (in − 1)·stride + kernel − 2·pad",
            "          + output_padding",
            f"     = ({n} − 1)·{stride} + {kernel} − 2·{pad} + output_padding",
            f"     = {size0} + output_padding",
            "",
            f"output_padding = 0: the white {size0} × {size0}",
            f"output_padding = {stride - 1}: the orange cells too,",
            f"{extra_size} × {extra_size} = {n}·{stride}, the default (None)",
        ],
    )
    plt.close(fig)
    return fig


def _conv_geometry(side: int, kernel: int, stride: int) -> dict:
    """Measure a 'same' Conv1D and Conv1DTranspose with one-hot inputs: sizes, padding and the cells kept.

    Returns ``out`` (the strided output's length), ``pad_before`` (zeros padded before the input), ``canvas``
    (the cells that the transposed convolution's stamps cover) and ``kept``: for each ``output_padding`` below the
    stride, the first canvas cell kept and the number kept (the transposed output's length).
    """
    reads = _touches(_ones_kernel(keras.layers.Conv1D, kernel, stride), side)  # reads[i, o]: output o reads i
    n = reads.shape[1]
    kept = {}
    for extra in range(stride):
        writes = _touches(_ones_kernel(keras.layers.Conv1DTranspose, kernel, stride, output_padding=extra), n)
        kept[extra] = (kernel - int(writes[0].sum()), writes.shape[1])  # input 0's stamp, less what was cropped
    return {"out": n, "pad_before": kernel - int(reads[:, 0].sum()), "canvas": (n - 1) * stride + kernel, "kept": kept}


def _ones_kernel(layer_class, kernel: int, stride: int, **options):
    # Named, so that the probes leave Keras's automatic layer names (conv1d, conv1d_1, ...) untouched.
    options.update(padding="same", use_bias=False, kernel_initializer="ones", name="conv_arithmetic_probe")
    return layer_class(1, kernel, strides=stride, **options)


def _touches(layer, length: int) -> np.ndarray:
    """``touches[i, o]``: input position ``i`` reaches output position ``o``, found by feeding one-hot rows."""
    return np.asarray(layer(np.eye(length, dtype="float32")[:, :, None]))[:, :, 0] > 0


def _grid(ax: plt.Axes, name: str, x: float, y: float, u: float, cells: int, style) -> None:
    """A ``cells`` x ``cells`` grid of squares of side ``u`` from (x, y); ``style(r, c)`` gives colour and hatch."""
    for r in range(cells):
        for c in range(cells):
            color, hatch = style(r, c)
            cell = Rectangle((x + c * u, y + r * u), u, u, fc=color, ec="#999999", lw=0.6, hatch=hatch)
            cell.set_gid(f"{name}:{r}:{c}")
            ax.add_patch(cell)


def _outline(ax: plt.Axes, x: float, y: float, size: float) -> None:
    ax.add_patch(Rectangle((x, y), size, size, fc="none", ec=_LAYER_EDGE, lw=2.2))


def _dots(ax: plt.Axes, x: float, y: float, u: float, n: int, stride: int, kernel: int) -> None:
    """Mark the centres of the n x n windows (or stamps), ``stride`` cells apart."""
    centres = (np.arange(n) * stride + kernel // 2 + 0.5) * u
    xs, ys = np.meshgrid(x + centres, y + centres)
    ax.plot(xs.ravel(), ys.ravel(), "o", ms=3, color=_LAYER_EDGE)


def _arrow(ax: plt.Axes, start: tuple[float, float], end: tuple[float, float]) -> None:
    ax.add_patch(
        FancyArrowPatch(
            start,
            end,
            arrowstyle="-|>",
            mutation_scale=10,
            color=_LAYER_EDGE,
            lw=1.2,
            connectionstyle="arc3,rad=-0.3",
            shrinkA=2,
            shrinkB=2,
        )
    )


def _caption(ax: plt.Axes, x: float, y: float, title: str, lines: list[str]) -> None:
    ax.text(x, y, title, ha="left", va="top", fontsize=9.5, fontweight="bold")
    ax.text(x, y + 0.25, "\n".join(lines), ha="left", va="top", fontsize=9, linespacing=1.35)
