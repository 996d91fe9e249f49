"""aeutils.shapes: layer-by-layer shape traces and the "does my decoder give back the input's shape?" check."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from keras import layers

from aeutils import ShapeMismatchError, check_output_matches_input, downsampled_sizes, shape_trace
from tests.models import nested_autoencoder

# --------------------------------------------------------------------------------------------------------------
# Models, with explicit layer names so that the expected names do not depend on what was built before
# --------------------------------------------------------------------------------------------------------------


def dense_autoencoder(code: int = 32, output: int = 784) -> keras.Model:
    inputs = keras.Input(shape=(784,))
    encoded = layers.Dense(code, activation="relu", name="code")(inputs)
    return keras.Model(inputs, layers.Dense(output, activation="sigmoid", name="output")(encoded), name="dense_ae")


def conv_encoder(inputs, levels: int, channels: int = 4):
    """'same'-padded convolutions, each followed by a halving max-pool (28 -> 14 -> 7 -> 4)."""
    x = inputs
    for i in range(levels):
        x = layers.Conv2D(channels, 3, padding="same", activation="relu", name=f"conv2d_{i}")(x)
        x = layers.MaxPooling2D(2, padding="same", name=f"max_pooling2d_{i}")(x)
    return x


def conv_decoder(x, levels: int, channels: int = 4, output_channels: int = 1):
    """Convolutions, each followed by a doubling upsampling, then a 'same' convolution to the output channels."""
    for i in range(levels):
        x = layers.Conv2D(channels, 3, padding="same", activation="relu", name=f"conv2d_up_{i}")(x)
        x = layers.UpSampling2D(2, name="up_sampling2d" + (f"_{i}" if i else ""))(x)
    return layers.Conv2D(output_channels, 3, padding="same", activation="sigmoid", name="output")(x)


def conv_autoencoder(down: int, up: int, output_channels: int = 1, channels: int = 4) -> keras.Model:
    inputs = keras.Input(shape=(28, 28, 1))
    outputs = conv_decoder(conv_encoder(inputs, down, channels), up, channels, output_channels=output_channels)
    return keras.Model(inputs, outputs, name="conv_ae")


def rows(trace):
    return [(row.name, row.kind, row.shape, row.params) for row in trace]


# --------------------------------------------------------------------------------------------------------------
# shape_trace
# --------------------------------------------------------------------------------------------------------------


def test_shape_trace_of_a_functional_model():
    model = dense_autoencoder()
    trace = shape_trace(model)
    assert rows(trace) == [
        ("input", "Input", (784,), 0),
        ("code", "Dense", (32,), 784 * 32 + 32),
        ("output", "Dense", (784,), 32 * 784 + 784),
    ]
    assert trace.params == model.count_params()


def test_shape_trace_of_a_sequential_model():
    model = keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            layers.Conv2D(2, 3, strides=2, padding="same", name="down"),
            layers.Conv2DTranspose(1, 3, strides=2, padding="same", name="up"),
        ]
    )
    trace = shape_trace(model)
    assert rows(trace) == [
        ("input", "Input", (28, 28, 1), 0),
        ("down", "Conv2D", (14, 14, 2), 3 * 3 * 2 + 2),
        ("up", "Conv2DTranspose", (28, 28, 1), 3 * 3 * 2 + 1),
    ]
    assert trace.params == model.count_params()


@pytest.mark.parametrize("kind", ["functional", "sequential"])
def test_shape_trace_enters_encoder_and_decoder_sub_models(kind):
    model = nested_autoencoder(kind)
    trace = shape_trace(model)
    assert rows(trace) == [
        ("input", "Input", (28, 28, 1), 0),
        ("encoder/flatten", "Flatten", (784,), 0),
        ("encoder/dense", "Dense", (16,), 784 * 16 + 16),
        ("decoder/dense", "Dense", (784,), 16 * 784 + 784),
        ("decoder/reshape", "Reshape", (28, 28, 1), 0),
    ]
    assert trace.params == model.count_params()


def test_shape_trace_params_equal_keras_count_for_a_conv_model():
    model = conv_autoencoder(down=2, up=2)
    assert shape_trace(model).params == model.count_params()


def test_shape_trace_prints_a_table_with_the_total():
    table = str(shape_trace(dense_autoencoder()))
    lines = table.splitlines()
    assert lines[0].split() == ["layer", "kind", "output", "shape", "params"]
    assert lines[1].split() == ["input", "Input", "784", "0"]
    assert lines[2].split() == ["code", "Dense", "32", "25,120"]
    assert lines[-1].split() == ["total", "50,992"]
    assert len({len(line) for line in lines}) == 1  # the columns line up


def test_shape_trace_table_writes_image_shapes_with_x():
    assert "28 x 28 x 1" in str(shape_trace(nested_autoencoder("functional")))


def test_shape_trace_is_a_tuple_of_rows():
    trace = shape_trace(dense_autoencoder())
    assert isinstance(trace, tuple) and len(trace) == 3
    assert trace[1].name == "code" and trace[-1].shape == (784,)


@pytest.mark.parametrize("function", [shape_trace, check_output_matches_input])
@pytest.mark.parametrize("thing", [layers.Dense(3), "model", np.zeros((2, 2))], ids=["layer", "string", "array"])
def test_shape_functions_need_a_keras_model(function, thing):
    with pytest.raises(TypeError, match=rf"shape_trace needs a keras\.Model, got {type(thing).__name__}"):
        function(thing)


class _Subclassed(keras.Model):
    def __init__(self):
        super().__init__(name="subclassed")
        self.dense = layers.Dense(2)

    def call(self, x):
        return self.dense(x)


def _unbuilt_sequential():
    return keras.Sequential([layers.Dense(3)], name="no_input")


def _subclassed():
    model = _Subclassed()
    model(np.zeros((1, 3), np.float32))
    return model


def _two_inputs():
    a, b = keras.Input(shape=(3,)), keras.Input(shape=(3,))
    return keras.Model([a, b], layers.Add()([a, b]), name="two_inputs")


@pytest.mark.parametrize("build", [_unbuilt_sequential, _subclassed, _two_inputs])
@pytest.mark.parametrize("function", [shape_trace, check_output_matches_input])
def test_shape_functions_need_a_built_model_with_one_input_and_output(function, build):
    model = build()
    phrase = (
        rf"model '{model.name}' is not a built functional or Sequential model with one input and one output; "
        r"start it with keras\.Input\(shape=\.\.\.\)"
    )
    with pytest.raises(ValueError, match=phrase):
        function(model)


# --------------------------------------------------------------------------------------------------------------
# check_output_matches_input
# --------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "build",
    [dense_autoencoder, lambda: conv_autoencoder(down=2, up=2), lambda: nested_autoencoder("sequential")],
    ids=["dense", "conv", "nested"],
)
def test_check_returns_the_trace_of_a_correct_autoencoder(build):
    model = build()
    trace = check_output_matches_input(model)
    assert rows(trace) == rows(shape_trace(model))
    assert trace[0].shape == trace[-1].shape


def test_check_names_the_first_upsampling_past_the_encoders_sizes():
    model = conv_autoencoder(down=3, up=3)  # 28 -> 14 -> 7 -> 4, then 4 -> 8 -> 16 -> 32
    assert shape_trace(model)[-1].shape == (32, 32, 1)
    with pytest.raises(ShapeMismatchError) as caught:
        check_output_matches_input(model)
    message = str(caught.value)
    assert message.startswith("model 'conv_ae' outputs shape (32, 32, 1) but its input has shape (28, 28, 1).")
    assert (
        "diverge at layer 'up_sampling2d' (UpSampling2D), which outputs (8, 8, 4) where the encoder, mirrored, "
        "has (7, 7, 4) (at 'max_pooling2d_1')"
    ) in message
    assert "Cropping2D" in message and "aeutils.shape_trace(model)" in message


def test_check_names_the_output_dense_of_a_dense_autoencoder():
    phrase = (
        r"outputs shape \(700,\) but its input has shape \(784,\)\. The shapes diverge at layer 'output' \(Dense\), "
        r"which outputs \(700,\) where the encoder, mirrored, has \(784,\) \(at 'input'\)"
    )
    with pytest.raises(ShapeMismatchError, match=phrase):
        check_output_matches_input(dense_autoencoder(code=64, output=700))


def test_check_names_the_last_layer_for_a_wrong_channel_count():
    phrase = (
        r"outputs shape \(28, 28, 3\) but its input has shape \(28, 28, 1\)\. "
        r"The shapes diverge at layer 'output' \(Conv2D\)"
    )
    with pytest.raises(ShapeMismatchError, match=phrase):
        check_output_matches_input(conv_autoencoder(down=2, up=2, output_channels=3))


@pytest.mark.parametrize("channels", [4, 32], ids=["code-smaller-than-input", "code-larger-than-input"])
def test_check_names_the_upsampling_that_goes_past_the_input_size(channels):
    # 28 -> 14 -> 7, then 7 -> 14 -> 28 -> 56. With 32 channels the code (7 x 7 x 32) holds more values than the
    # input (28 x 28 x 1), so the input must not be mistaken for the code.
    model = conv_autoencoder(down=2, up=3, channels=channels)
    phrase = rf"diverge at layer 'up_sampling2d_2' \(UpSampling2D\), which outputs \(56, 56, {channels}\)"
    with pytest.raises(ShapeMismatchError, match=phrase):
        check_output_matches_input(model)


def test_check_names_layers_inside_sub_models():
    encoder_in = keras.Input(shape=(28, 28, 1))
    encoder = keras.Model(encoder_in, conv_encoder(encoder_in, levels=3), name="encoder")
    decoder_in = keras.Input(shape=(4, 4, 4))
    decoder = keras.Model(decoder_in, conv_decoder(decoder_in, levels=3), name="decoder")
    inputs = keras.Input(shape=(28, 28, 1))
    with pytest.raises(ShapeMismatchError, match=r"diverge at layer 'decoder/up_sampling2d' \(UpSampling2D\)"):
        check_output_matches_input(keras.Model(inputs, decoder(encoder(inputs)), name="nested_conv_ae"))


def test_shape_mismatch_error_is_a_value_error():
    assert issubclass(ShapeMismatchError, ValueError)


# --------------------------------------------------------------------------------------------------------------
# downsampled_sizes
# --------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("side", "levels", "padding", "expected"),
    [
        (28, 3, "same", (28, 14, 7, 4)),
        (28, 3, "valid", (28, 14, 7, 3)),
        (32, 3, "same", (32, 16, 8, 4)),
        (27, 2, "same", (27, 14, 7)),
        (27, 2, "valid", (27, 13, 6)),
        (1, 2, "same", (1, 1, 1)),
    ],
)
def test_downsampled_sizes_round_up_for_same_and_down_for_valid(side, levels, padding, expected):
    assert downsampled_sizes(side, levels, padding=padding) == expected


def test_downsampled_sizes_with_another_factor():
    assert downsampled_sizes(28, 2, factor=3) == (28, 10, 4)
    assert downsampled_sizes(28, 2, factor=3, padding="valid") == (28, 9, 3)


def _downsampling_stack(side: int, levels: int, padding: str, kind: str) -> keras.Model:
    inputs = keras.Input(shape=(side, side, 1))
    x = inputs
    for i in range(levels):
        if kind == "pool":
            x = layers.MaxPooling2D(2, padding=padding, name=f"pool_{i}")(x)
        else:
            x = layers.Conv2D(2, 5, strides=2, padding=padding, name=f"conv_{i}")(x)
    return keras.Model(inputs, x)


@pytest.mark.parametrize("side", [28, 27, 32, 36, 50])
@pytest.mark.parametrize(
    ("padding", "kind"), [("same", "pool"), ("same", "conv"), ("valid", "pool")], ids=["pool", "strided-conv", "valid"]
)
def test_downsampled_sizes_agree_with_keras_layers(side, padding, kind):
    trace = shape_trace(_downsampling_stack(side, 3, padding, kind))
    assert tuple(row.shape[0] for row in trace) == downsampled_sizes(side, 3, padding=padding)


@pytest.mark.parametrize("argument", ["side", "levels"])
def test_downsampled_sizes_rejects_bad_counts(argument, bad_count):
    arguments = {"side": 28, "levels": 3, argument: bad_count.value}
    with bad_count.raises(argument):
        downsampled_sizes(**arguments)


def test_downsampled_sizes_needs_a_factor_of_at_least_two():
    with pytest.raises(ValueError, match=r"^factor must be at least 2, got 1\."):
        downsampled_sizes(28, 3, factor=1)


@pytest.mark.parametrize("padding", ["SAME", "full", None])
def test_downsampled_sizes_rejects_unknown_padding(padding):
    phrase = rf"^padding must be 'same' or 'valid' \(as in Keras layers\), got {padding!r}\."
    with pytest.raises(ValueError, match=phrase):
        downsampled_sizes(28, 3, padding=padding)


def test_downsampled_sizes_says_when_valid_padding_makes_the_image_vanish():
    phrase = (
        r"^side 5 vanishes after 3 'valid' downsamplings by 2 \(sizes 5 -> 2 -> 1 -> 0\); use fewer levels, "
        r"a larger input or padding='same'\."
    )
    with pytest.raises(ValueError, match=phrase):
        downsampled_sizes(5, 3, padding="valid")
