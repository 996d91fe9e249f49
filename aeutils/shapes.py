"""Shape tracing: what each layer of a Keras model outputs, and whether an autoencoder gives back its input's shape."""

from __future__ import annotations

import math
from dataclasses import dataclass

import keras


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
