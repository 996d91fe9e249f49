"""Shape tracing: what each layer of a Keras model outputs, and whether an autoencoder gives back its input's shape."""

from __future__ import annotations

import math
from dataclasses import dataclass

import keras

from aeutils._checks import positive_int


class ShapeMismatchError(ValueError):
    """An autoencoder's output shape differs from its input shape."""


@dataclass(frozen=True)
class LayerShape:
    """One row of a shape trace: a layer, its kind, the shape of one output sample and its parameter count."""

    name: str
    kind: str
    shape: tuple[int, ...]
    params: int


class ShapeTrace(tuple):
    """The rows of :func:`shape_trace`; printing it gives a table with the total parameter count."""

    @property
    def params(self) -> int:
        return sum(row.params for row in self)

    def __str__(self) -> str:
        width = max(len(row.name) for row in self) + 2
        kind_width = max(len(row.kind) for row in self) + 2
        lines = [f"{'layer':<{width}}{'kind':<{kind_width}}{'output shape':<18}{'params':>9}"]
        for row in self:
            shape = " x ".join(str(d) for d in row.shape)
            lines.append(f"{row.name:<{width}}{row.kind:<{kind_width}}{shape:<18}{row.params:>9,}")
        lines.append(f"{'total':<{width + kind_width + 18}}{self.params:>9,}")
        return "\n".join(lines)


def _sample_shape(tensor) -> tuple[int, ...]:
    return tuple(tensor.shape)[1:]


def _rows(model: keras.Model, prefix: str = ""):
    for layer in model.layers:
        if isinstance(layer, keras.layers.InputLayer):
            continue
        if isinstance(layer, keras.Model):
            yield from _rows(layer, f"{prefix}{layer.name}/")
            continue
        yield LayerShape(
            f"{prefix}{layer.name}", type(layer).__name__, _sample_shape(layer.output), layer.count_params()
        )


def shape_trace(model: keras.Model) -> ShapeTrace:
    """Trace a functional or Sequential Keras model layer by layer, sub-models (encoder, decoder) included.

    The first row is the input; each later row is a layer with the shape of one sample it outputs (the batch
    axis is left out) and its number of parameters.
    """
    if not isinstance(model, keras.Model):
        raise TypeError(f"shape_trace needs a keras.Model, got {type(model).__name__}.")
    try:
        inputs = model.inputs
    except (AttributeError, ValueError):
        inputs = None
    if not inputs or len(inputs) != 1 or len(model.outputs) != 1:
        raise ValueError(
            f"model {model.name!r} is not a built functional or Sequential model with one input and one output; "
            "start it with keras.Input(shape=...) so that every layer's output shape is known."
        )
    return ShapeTrace((LayerShape("input", "Input", _sample_shape(inputs[0]), 0), *_rows(model)))


def _grid(shape: tuple[int, ...]) -> tuple[int, ...]:
    """The resolution a layer works at: the spatial size of image tensors, the whole shape of vectors."""
    return shape[:-1] if len(shape) >= 3 else shape


def _resolution_steps(rows) -> list[LayerShape]:
    """The first row at each new resolution, in order (layers that keep the resolution are skipped)."""
    steps: list[LayerShape] = []
    for row in rows:
        if not steps or _grid(steps[-1].shape) != _grid(row.shape):
            steps.append(row)
    return steps


def check_output_matches_input(model: keras.Model) -> ShapeTrace:
    """Check that an autoencoder's output has its input's shape; return the shape trace if it does.

    If not, raise :class:`ShapeMismatchError` naming the layer where the shapes diverge: the first decoder
    layer whose resolution departs from the encoder's, read in mirror order from the code (the layer with the
    fewest values) back up to the input, for example the upsampling that gives 8 x 8 where the encoder had
    7 x 7. When the resolutions all mirror, the culprit is the output layer itself (wrong channel count).
    """
    trace = shape_trace(model)
    if trace[-1].shape == trace[0].shape:
        return trace
    code_at = min(range(1, len(trace)), key=lambda i: (math.prod(trace[i].shape), i))  # the input is never the code
    down = _resolution_steps(trace[: code_at + 1])[::-1]
    up = _resolution_steps(trace[code_at:])
    culprit, expected = trace[-1], trace[0]
    for step, mirror in zip(up, down, strict=False):
        if _grid(step.shape) != _grid(mirror.shape):
            culprit, expected = step, mirror
            break
    else:
        if len(up) > len(down):
            culprit = up[len(down)]
    raise ShapeMismatchError(
        f"model {model.name!r} outputs shape {trace[-1].shape} but its input has shape {trace[0].shape}. "
        f"The shapes diverge at layer {culprit.name!r} ({culprit.kind}), which outputs {culprit.shape} where the "
        f"encoder, mirrored, has {expected.shape} (at {expected.name!r}). Fix the decoder there: choose paddings, "
        "strides, a Cropping2D or a 'valid' convolution so that its sizes retrace the encoder's; print "
        "aeutils.shape_trace(model) to see every layer."
    )


def downsampled_sizes(side: int, levels: int, *, factor: int = 2, padding: str = "same") -> tuple[int, ...]:
    """The side lengths that ``levels`` downsamplings by ``factor`` produce from an input of side ``side``.

    Returns ``(side, s1, ..., s_levels)``: the sizes an encoder passes through, which its decoder has to retrace
    in reverse. With ``padding="same"`` (``MaxPooling2D(factor, padding="same")`` or ``Conv2D(..., strides=factor,
    padding="same")``, any kernel size) each level rounds *up*, ``ceil(n / factor)``: ``downsampled_sizes(28, 3)``
    is ``(28, 14, 7, 4)``. With ``padding="valid"`` (pooling whose window equals its stride, the Keras default)
    each level rounds *down*, ``floor(n / factor)``, and the odd pixel is dropped.
    """
    side = positive_int(side, "side")
    levels = positive_int(levels, "levels")
    factor = positive_int(factor, "factor", minimum=2)
    if padding not in ("same", "valid"):
        raise ValueError(f"padding must be 'same' or 'valid' (as in Keras layers), got {padding!r}.")
    sizes = [side]
    for _ in range(levels):
        n = sizes[-1]
        sizes.append(-(-n // factor) if padding == "same" else n // factor)
    if sizes[-1] == 0:
        path = " -> ".join(str(n) for n in sizes)
        raise ValueError(
            f"side {side} vanishes after {levels} 'valid' downsamplings by {factor} (sizes {path}); use fewer "
            "levels, a larger input or padding='same'."
        )
    return tuple(sizes)
