"""aeutils.diagrams: model diagrams read from the built model, and the grids behind a convolution's shape arithmetic."""

from __future__ import annotations

import io
import math

import keras
import matplotlib.pyplot as plt
import numpy as np
import pytest
from keras import layers
from matplotlib.colors import to_hex, to_rgba
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from aeutils import family_autoencoder, plot_conv_arithmetic, plot_model
from aeutils.diagrams import _conv_geometry
from aeutils.family import KINDS
from tests.models import nested_autoencoder

# --------------------------------------------------------------------------------------------------------------
# What a diagram shows, read back through the gids plot_model gives its artists
# --------------------------------------------------------------------------------------------------------------


def gids(fig: Figure, prefix: str) -> list[str]:
    return [p.get_gid()[len(prefix) :] for p in fig.axes[0].patches if (p.get_gid() or "").startswith(prefix)]


def boxes(fig: Figure) -> dict[str, Rectangle]:
    """The layer boxes, by path ('code', 'encoder/dense'), top to bottom."""
    return {p.get_gid()[6:]: p for p in fig.axes[0].patches if (p.get_gid() or "").startswith("layer:")}


def arrows(fig: Figure) -> list[tuple[int, int]]:
    """The arrows as (parent row, child row)."""
    return [tuple(int(i) for i in gid.split(":")) for gid in gids(fig, "arrow:")]


def texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.axes[0].texts]


def rgba(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="rgba")
    return buffer.getvalue()


def code_boxes(fig: Figure) -> list[str]:
    """The boxes drawn in the code's colour."""
    colours = {path: box.get_facecolor() for path, box in boxes(fig).items()}
    code_colour = to_rgba("#f9cb9c")
    return [path for path, colour in colours.items() if colour == code_colour]


# --------------------------------------------------------------------------------------------------------------
# Models of each kind the book builds, with explicit names
# --------------------------------------------------------------------------------------------------------------


def vanilla() -> keras.Model:
    inputs = keras.Input(shape=(784,), name="image")
    code = layers.Dense(64, activation="relu", name="code")(inputs)
    return keras.Model(inputs, layers.Dense(784, activation="sigmoid", name="reconstruction")(code), name="vanilla")


def deep_sequential() -> keras.Model:
    """A deep dense stack with no layer named 'code': the narrowest layer is the code."""
    sizes = [512, 128, 16, 128, 512, 784]
    return keras.Sequential(
        [keras.Input(shape=(784,), name="image")] + [layers.Dense(n, name=f"dense_{i}") for i, n in enumerate(sizes)],
        name="deep",
    )


def conv_with_reshape() -> keras.Model:
    inputs = keras.Input(shape=(28, 28, 1), name="image")
    x = layers.Conv2D(8, 3, strides=2, padding="same", name="enc")(inputs)
    x = layers.Flatten(name="flatten")(x)
    code = layers.Dense(16, name="code")(x)
    x = layers.Dense(14 * 14 * 8, name="expand")(code)
    x = layers.Reshape((14, 14, 8), name="reshape")(x)
    outputs = layers.Conv2DTranspose(1, 3, strides=2, padding="same", name="reconstruction")(x)
    return keras.Model(inputs, outputs, name="conv")


def noisy() -> keras.Model:
    inputs = keras.Input(shape=(784,), name="image")
    x = layers.GaussianNoise(0.5, name="noise")(inputs)
    x = layers.Dropout(0.2, name="drop")(x)
    code = layers.Dense(32, activation="relu", name="code")(x)
    return keras.Model(inputs, layers.Dense(784, name="reconstruction")(code), name="noisy")


def vae_parts() -> tuple[keras.Model, keras.Model]:
    """Chapter 9's encoder (two outputs) and decoder."""
    inputs = keras.Input(shape=(784,), name="image")
    h = layers.Dense(256, activation="relu", name="mapping")(inputs)
    encoder = keras.Model(
        inputs, [layers.Dense(2, name="z_mean")(h), layers.Dense(2, name="z_log_var")(h)], name="encoder"
    )
    z = keras.Input(shape=(2,), name="z")
    h = layers.Dense(256, activation="relu", name="demapping")(z)
    decoder = keras.Model(z, layers.Dense(784, activation="sigmoid", name="reconstruction")(h), name="decoder")
    return encoder, decoder


# --------------------------------------------------------------------------------------------------------------
# plot_model
# --------------------------------------------------------------------------------------------------------------


def test_a_dense_autoencoder_gets_one_box_per_layer_with_its_kind_name_and_shape():
    fig = plot_model(vanilla())
    assert isinstance(fig, Figure) and fig.number not in plt.get_fignums()  # closed: a notebook shows it once
    assert list(boxes(fig)) == ["image", "code", "reconstruction"]
    shown = texts(fig)
    assert shown[0] == "vanilla: 101,200 parameters"
    for row in (["Input", "image", "784"], ["Dense", "code", "64  ← code"], ["Dense", "reconstruction", "784"]):
        assert all(text in shown for text in row)
    assert arrows(fig) == [(0, 1), (1, 2)]
    assert code_boxes(fig) == ["code"]


def test_box_widths_follow_the_square_root_of_the_layer_size_so_the_bottleneck_is_narrow():
    widths = {path: box.get_width() for path, box in boxes(plot_model(vanilla())).items()}
    assert widths["image"] == widths["reconstruction"]
    assert widths["code"] / widths["image"] == pytest.approx(math.sqrt(64 / 784))


def test_without_a_layer_named_code_the_narrowest_layers_are_the_code():
    fig = plot_model(deep_sequential())
    assert list(boxes(fig)) == ["image", *(f"dense_{i}" for i in range(6))]
    assert code_boxes(fig) == ["dense_2"]
    assert "16  ← code" in texts(fig)


def test_the_code_can_be_named():
    assert code_boxes(plot_model(deep_sequential(), code="dense_1")) == ["dense_1"]
    assert code_boxes(plot_model(deep_sequential(), code=["dense_1", "dense_3"])) == ["dense_1", "dense_3"]


def test_a_convolutional_model_with_flatten_and_reshape():
    fig = plot_model(conv_with_reshape())
    assert list(boxes(fig)) == ["image", "enc", "flatten", "code", "expand", "reshape", "reconstruction"]
    shown = texts(fig)
    kinds = ["Input", "Conv2D", "Flatten", "Dense", "Dense", "Reshape", "Conv2DTranspose"]
    assert all(kind in shown for kind in kinds)
    assert {"14 × 14 × 8 = 1,568", "1,568", "16  ← code", "28 × 28 × 1 = 784"} <= set(shown)
    assert arrows(fig) == [(i, i + 1) for i in range(6)]


def test_noise_and_dropout_layers_are_drawn_like_any_layer():
    fig = plot_model(noisy())
    assert list(boxes(fig)) == ["image", "noise", "drop", "code", "reconstruction"]
    assert {"GaussianNoise", "Dropout"} <= set(texts(fig))


@pytest.mark.parametrize("kind", ["functional", "sequential"])
def test_sub_models_are_opened_up_and_framed_as_labelled_groups(kind):
    fig = plot_model(nested_autoencoder(kind))
    paths = list(boxes(fig))
    assert paths == ["image", "encoder/flatten", "encoder/dense", "decoder/dense", "decoder/reshape"]
    assert sorted(gids(fig, "group:")) == ["decoder", "encoder"]
    assert {"encoder", "decoder"} <= set(texts(fig))
    assert arrows(fig) == [(i, i + 1) for i in range(len(paths) - 1)]
    assert code_boxes(fig) == ["encoder/dense"]  # the 16 values, the fewest


def test_a_layer_inside_a_sub_model_is_named_by_its_path():
    fig = plot_model(nested_autoencoder("sequential"), code="decoder/dense")
    assert code_boxes(fig) == ["decoder/dense"]
    assert code_boxes(plot_model(nested_autoencoder("sequential"), code="dense")) == ["encoder/dense", "decoder/dense"]


def test_a_list_of_models_is_drawn_as_a_pipeline_of_groups():
    encoder, decoder = vae_parts()
    fig = plot_model([encoder, decoder])
    assert list(boxes(fig)) == [
        "encoder/image",
        "encoder/mapping",
        "encoder/z_mean",
        "encoder/z_log_var",
        "decoder/z",
        "decoder/demapping",
        "decoder/reconstruction",
    ]
    # mapping feeds both heads; both heads feed z (the sampling), arrows that skip a row run beside the boxes
    assert sorted(arrows(fig)) == [(0, 1), (1, 2), (1, 3), (2, 4), (3, 4), (4, 5), (5, 6)]
    assert sorted(gids(fig, "group:")) == ["decoder", "encoder"]
    assert code_boxes(fig) == ["encoder/z_mean", "encoder/z_log_var", "decoder/z"]
    assert code_boxes(plot_model([encoder, decoder], code="z")) == ["decoder/z"]
    assert texts(fig)[0] == f"encoder + decoder: {encoder.count_params() + decoder.count_params():,} parameters"


def test_an_encoder_with_two_outputs_draws_both_heads():
    encoder, _ = vae_parts()
    fig = plot_model(encoder, title="ch. 9 encoder")
    assert list(boxes(fig)) == ["image", "mapping", "z_mean", "z_log_var"]
    assert sorted(arrows(fig)) == [(0, 1), (1, 2), (1, 3)]
    assert texts(fig)[0] == "ch. 9 encoder"


def test_a_model_reusing_another_models_layers_is_drawn_from_its_own_graph():
    # chapter 9's plain decoder: a Sequential model around two layers of a trained autoencoder
    autoencoder, _ = family_autoencoder("multilayer", 2)
    decoder = keras.Sequential(
        [
            keras.Input(shape=(2,), name="z"),
            autoencoder.get_layer("demapping"),
            autoencoder.get_layer("reconstruction"),
        ],
        name="plain_decoder",
    )
    fig = plot_model(decoder)
    assert list(boxes(fig)) == ["z", "demapping", "reconstruction"]
    assert arrows(fig) == [(0, 1), (1, 2)]
    assert code_boxes(fig) == ["z"]


@pytest.mark.parametrize("kind", KINDS)
def test_every_chapter_model_of_the_family_is_drawn_with_its_code(kind):
    autoencoder, encoder = family_autoencoder(kind, 98 if kind == "denoising" else 32)
    for model in (autoencoder, encoder):
        fig = plot_model(model)
        assert list(boxes(fig)) == [layer.name for layer in model.layers]  # the Input layer included
        assert code_boxes(fig) == ["code"]


def test_a_diagram_is_deterministic():
    def pixels() -> bytes:
        fig = plot_model(conv_with_reshape())
        return rgba(fig)

    assert pixels() == pixels()


def test_the_figure_grows_with_the_number_of_layers():
    short, tall = plot_model(vanilla()), plot_model(conv_with_reshape())
    assert short.get_figwidth() == tall.get_figwidth() == 7.0
    assert tall.get_figheight() > short.get_figheight()


@pytest.mark.parametrize(
    "value, name",
    [(np.zeros((2, 784)), "ndarray"), (None, "NoneType"), (layers.Dense(3), "Dense"), ("model", "str")],
    ids=["array", "none", "layer", "string"],
)
def test_plot_model_needs_a_keras_model(value, name):
    with pytest.raises(TypeError, match=rf"^plot_model needs a keras\.Model or a list of them, got {name}"):
        plot_model(value)
    with pytest.raises(TypeError, match=rf"got {name}"):
        plot_model([vanilla(), value])


def test_plot_model_needs_at_least_one_model():
    with pytest.raises(TypeError, match=r"non-empty list of them, got an empty list"):
        plot_model([])


def test_a_model_that_is_not_built_is_refused():
    model = keras.Sequential([layers.Dense(3)], name="unbuilt")
    with pytest.raises(
        ValueError, match=r"^model 'unbuilt' has no graph of layers to draw.*keras\.Input\(shape=\.\.\.\)"
    ):
        plot_model(model)


def test_a_subclassed_model_is_refused_with_its_parts_named():
    class VAE(keras.Model):
        def __init__(self, encoder, decoder, **kwargs):
            super().__init__(**kwargs)
            self.encoder, self.decoder = encoder, decoder

        def call(self, x):
            return self.decoder(self.encoder(x)[0])

    vae = VAE(*vae_parts(), name="vae")
    vae(np.zeros((1, 784), np.float32))
    phrase = r"^model 'vae' has no graph of layers to draw \(not built, or subclassed\); draw its parts instead: "
    with pytest.raises(ValueError, match=phrase + r"aeutils\.plot_model\(\[vae\.encoder, vae\.decoder\]\)"):
        plot_model(vae)
    assert list(boxes(plot_model([vae.encoder, vae.decoder])))[-1] == "decoder/reconstruction"


def test_open_sizes_are_refused():
    inputs = keras.Input(shape=(None, None, 1), name="image")
    model = keras.Model(inputs, layers.Conv2D(4, 3, name="conv")(inputs))
    with pytest.raises(ValueError, match=r"^layer 'image' outputs shape \(None, None, 1\), with sizes left open"):
        plot_model(model)


def test_an_unknown_code_name_is_refused_with_the_layers_listed():
    phrase = r"^code names layers \['bottleneck'\] that the diagram does not have; its layers are: image, code, rec"
    with pytest.raises(ValueError, match=phrase):
        plot_model(vanilla(), code="bottleneck")


# --------------------------------------------------------------------------------------------------------------
# plot_conv_arithmetic
# --------------------------------------------------------------------------------------------------------------


def cells(fig: Figure, grid: str) -> dict[tuple[int, int], Rectangle]:
    prefix = f"{grid}:"
    return {
        tuple(int(i) for i in p.get_gid()[len(prefix) :].split(":")): p
        for p in fig.axes[0].patches
        if (p.get_gid() or "").startswith(prefix)
    }


def colour_counts(grid: dict) -> dict[str, int]:
    counts: dict[str, int] = {}
    for cell in grid.values():
        key = to_hex(cell.get_facecolor()) + ("/" if cell.get_hatch() else "")
        counts[key] = counts.get(key, 0) + 1
    return counts


def test_conv_arithmetic_draws_chapter_threes_step_from_7_to_4_and_back():
    fig = plot_conv_arithmetic()
    assert isinstance(fig, Figure) and fig.number not in plt.get_fignums()
    assert fig.get_figwidth() == 7.0
    conv_input, conv_output = cells(fig, "conv input"), cells(fig, "conv output")
    assert len(conv_input) == 9 * 9 and len(conv_output) == 4 * 4  # 7 x 7 and its ring of 'same' zeros
    assert colour_counts(conv_input) == {"#ffffff": 49, "#f0f0f0/": 81 - 49}
    canvas = cells(fig, "transposed canvas")
    assert len(cells(fig, "transposed input")) == 16 and len(canvas) == 81
    # kept with output_padding=0: 7 x 7; output_padding=1 also keeps the first row and column (TensorFlow)
    assert colour_counts(canvas) == {"#ffffff": 49, "#f9cb9c": 64 - 49, "#f0f0f0/": 81 - 64}
    assert canvas[0, 0].get_facecolor() == canvas[0, 7].get_facecolor() == canvas[7, 0].get_facecolor()
    assert canvas[8, 4].get_hatch() and canvas[4, 8].get_hatch()
    caption = "\n".join(texts(fig))
    assert "out = ceil(in / stride) = ceil(7 / 2) = 4" in caption
    assert "= (4 − 1)·2 + 3 − 2·1 + output_padding" in caption and "= 7 + output_padding" in caption
    assert "8 × 8 = 4·2, the default (None)" in caption and "1 cell a side" in caption


@pytest.mark.parametrize("side", range(3, 13))
def test_conv_geometry_matches_the_chapters_formulas_and_keras(side):
    geometry = _conv_geometry(side, 3, 2)
    n = geometry["out"]
    assert n == math.ceil(side / 2)
    assert geometry["canvas"] == (n - 1) * 2 + 3
    for output_padding, (_, size) in geometry["kept"].items():
        assert size == (n - 1) * 2 + 3 - 2 * 1 + output_padding
        layer = layers.Conv2DTranspose(1, 3, strides=2, padding="same", output_padding=output_padding)
        assert layer.compute_output_shape((None, n, n, 1))[1] == size
    assert layers.Conv2D(1, 3, strides=2, padding="same").compute_output_shape((None, side, side, 1))[1] == n


def test_an_even_side_pads_only_after_the_input():
    fig = plot_conv_arithmetic(side=6)
    assert len(cells(fig, "conv input")) == 7 * 7 and len(cells(fig, "conv output")) == 9
    assert "0 before, 1 after" in "\n".join(texts(fig))


def test_conv_arithmetic_leaves_kerass_automatic_layer_names_alone():
    def number(name: str) -> int:  # conv1d, conv1d_1, conv1d_2, ...
        return int(name.rpartition("_")[2]) if "_" in name else 0

    before = number(layers.Conv1D(1, 3).name)
    plot_conv_arithmetic()
    assert number(layers.Conv1D(1, 3).name) == before + 1


def test_conv_arithmetic_is_deterministic():
    def pixels() -> bytes:
        fig = plot_conv_arithmetic()
        return rgba(fig)

    assert pixels() == pixels()


def test_conv_arithmetic_rejects_a_bad_kernel(bad_count):
    with bad_count.raises("kernel"):
        plot_conv_arithmetic(kernel=bad_count.value)


@pytest.mark.parametrize(
    "arguments",
    [{"kernel": 4}, {"kernel": 3, "stride": 4}, {"side": 2}, {"side": 17}],
    ids=["even-kernel", "stride-above-kernel", "side-below-kernel", "side-too-large"],
)
def test_conv_arithmetic_rejects_what_it_cannot_draw(arguments):
    with pytest.raises(
        ValueError, match=r"^plot_conv_arithmetic draws an odd kernel, a stride from 2 up to the kernel"
    ):
        plot_conv_arithmetic(**arguments)


@pytest.mark.parametrize("name", ["side", "stride"])
def test_conv_arithmetic_needs_at_least_two_cells_and_a_stride_of_two(name):
    with pytest.raises(ValueError, match=rf"^{name} must be at least 2, got 1"):
        plot_conv_arithmetic(**{name: 1})
