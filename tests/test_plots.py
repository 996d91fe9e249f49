"""aeutils.plots: the book's figures, drawn with matplotlib's Agg backend (set in conftest.py)."""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from aeutils import plot_code_histogram, plot_image_grid, plot_latent_2d, plot_learning_curves


def test_tests_draw_without_a_display():
    assert matplotlib.get_backend().lower() == "agg"


# --------------------------------------------------------------------------------------------------------------
# plot_image_grid
# --------------------------------------------------------------------------------------------------------------


def test_image_grid_has_one_row_of_n_images_per_entry(digits):
    fig = plot_image_grid({"original": digits, "reconstruction": digits[::-1]}, n=5)
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 2 * 5
    assert [ax.get_ylabel() for ax in fig.axes[::5]] == ["original", "reconstruction"]
    np.testing.assert_array_equal(fig.axes[6].images[0].get_array(), digits[::-1][1])


def test_image_grid_shares_the_pixel_scale_by_default(digits):
    fig = plot_image_grid({"original": digits * 0.1}, n=3)
    assert fig.axes[0].images[0].get_clim() == (0.0, 1.0)  # a washed-out image looks washed out


def test_image_grid_shows_the_first_n_images(digits):
    fig = plot_image_grid({"original": digits}, n=2)
    assert len(fig.axes) == 2
    np.testing.assert_array_equal(fig.axes[1].images[0].get_array(), digits[1])


@pytest.mark.parametrize("shape", [(6, 784), (6, 28, 28, 1)], ids=["flat", "channels"])
def test_image_grid_accepts_flat_and_channel_layouts(digits, shape):
    fig = plot_image_grid({"original": digits.reshape(shape)}, n=6)
    assert len(fig.axes) == 6
    assert fig.axes[0].images[0].get_array().shape == (28, 28)


def test_image_grid_with_no_value_range_scales_any_real_values(rng):
    codes = rng.normal(size=(4, 16)).astype(np.float32) * 5  # 4 x 4 "images" far outside [0, 1]
    fig = plot_image_grid({"codes": codes}, n=4, value_range=None)
    assert len(fig.axes) == 4
    low, high = fig.axes[0].images[0].get_clim()
    assert (low, high) == (codes[0].min(), codes[0].max())


def test_image_grid_has_the_default_of_ten_images(rng):
    assert len(plot_image_grid({"original": rng.random((12, 4, 4))}).axes) == 10


def test_image_grid_rejects_bad_n(digits, bad_count):
    with bad_count.raises("n"):
        plot_image_grid({"original": digits}, n=bad_count.value)


def test_image_grid_rejects_bad_images(digits, bad_values):
    with bad_values.raises("rows['reconstruction']"):
        plot_image_grid({"original": digits, "reconstruction": bad_values.value}, n=2)


def test_image_grid_saturates_values_outside_the_pixel_range(out_of_range):
    # PCA reconstructions leave [0, 1]; on the shared pixel scale they saturate instead of being refused.
    fig = plot_image_grid({"pca": out_of_range.value}, n=2)
    assert fig.axes[1].images[0].get_clim() == (0.0, 1.0)


def test_image_grid_with_no_value_range_rejects_bad_values(bad_values):
    with bad_values.raises("rows['codes']"):
        plot_image_grid({"codes": bad_values.value}, n=2, value_range=None)


def test_image_grid_rejects_flat_images_that_are_not_square():
    with pytest.raises(ValueError, match=r"rows\['original'\] has 30 values per image, which is not a square image"):
        plot_image_grid({"original": np.zeros((3, 30), np.float32)}, n=3)


@pytest.mark.parametrize("shape", [(2, 28, 28, 3), (2, 1, 28, 28, 1)], ids=["three-channels", "5d"])
def test_image_grid_rejects_images_that_are_not_grey(shape):
    phrase = r"rows\['original'\] has shape .*expected \(n, h, w\), \(n, h, w, 1\) or flat square images"
    with pytest.raises(ValueError, match=phrase):
        plot_image_grid({"original": np.zeros(shape, np.float32)}, n=2)


def test_image_grid_rejects_rows_shorter_than_n(digits):
    phrase = r"n=10 images requested, but some rows hold fewer: \{'reconstruction': 6\}; lower n"
    with pytest.raises(ValueError, match=phrase):
        plot_image_grid({"original": np.zeros((10, 28, 28), np.float32), "reconstruction": digits}, n=10)


# --------------------------------------------------------------------------------------------------------------
# plot_learning_curves
# --------------------------------------------------------------------------------------------------------------

HISTORIES = {
    "vanilla": {"loss": [0.3, 0.2, 0.1], "val_loss": [0.35, 0.25, 0.15]},
    "sparse": {"loss": [0.4, 0.3, 0.25]},
}


def test_learning_curves_draw_training_and_validation_loss_per_run():
    fig = plot_learning_curves(HISTORIES)
    assert isinstance(fig, Figure) and len(fig.axes) == 1
    ax = fig.axes[0]
    assert [line.get_label() for line in ax.get_lines()] == [
        "vanilla (training)",
        "vanilla (validation)",
        "sparse (training)",
    ]
    assert [line.get_linestyle() for line in ax.get_lines()] == ["-", "--", "-"]
    np.testing.assert_array_equal(ax.get_lines()[0].get_xdata(), [1, 2, 3])  # epochs count from 1
    assert ax.get_yscale() == "log" and ax.get_xlabel() == "epoch" and ax.get_ylabel() == "loss"


def test_learning_curves_can_use_a_linear_scale():
    assert plot_learning_curves(HISTORIES, log_scale=False).axes[0].get_yscale() == "linear"


@pytest.mark.parametrize("history", [{"val_loss": [0.1]}, {"loss": []}], ids=["no-loss", "empty-loss"])
def test_learning_curves_need_loss_values(history):
    with pytest.raises(
        ValueError, match=r"history 'broken' has no 'loss' values \(it has .*\); pass model\.fit\(\.\.\.\)\.history\."
    ):
        plot_learning_curves({"vanilla": HISTORIES["vanilla"], "broken": history})


@pytest.mark.parametrize("bad", [np.nan, np.inf], ids=["nan", "inf"])
def test_learning_curves_reject_diverged_training(bad):
    with pytest.raises(ValueError, match=r"history 'diverged' contains NaN or infinite loss values: training diverged"):
        plot_learning_curves({"diverged": {"loss": [0.3, bad]}})


def test_learning_curves_can_compare_runs_on_another_metric():
    histories = {
        "cross-entropy": {"loss": [0.3, 0.2], "mse": [0.05, 0.04], "val_mse": [0.06, 0.05]},
        "squared error": {"loss": [0.07, 0.06], "mse": [0.07, 0.06]},
    }
    ax = plot_learning_curves(histories, metric="mse").axes[0]
    np.testing.assert_array_equal(ax.get_lines()[1].get_ydata(), [0.06, 0.05])
    assert [line.get_label() for line in ax.get_lines()][1] == "cross-entropy (validation)"
    assert ax.get_ylabel() == "mse"


def test_learning_curves_say_how_to_log_a_missing_metric():
    with pytest.raises(ValueError, match=r"has no 'mse' values \(it has \['loss'\]\).*compiled with metrics=\['mse'\]"):
        plot_learning_curves({"vanilla": {"loss": [0.3, 0.2]}}, metric="mse")


@pytest.mark.parametrize("val_loss", [[0.3, 0.2], [0.3, 0.2, np.nan]], ids=["too-short", "nan"])
def test_learning_curves_reject_mismatched_or_diverged_validation_loss(val_loss):
    phrase = r"history 'vanilla' has \d+ 'val_loss' values for 3 epochs, or NaN/infinite ones"
    with pytest.raises(ValueError, match=phrase):
        plot_learning_curves({"vanilla": {"loss": [0.3, 0.2, 0.1], "val_loss": val_loss}})


# --------------------------------------------------------------------------------------------------------------
# plot_code_histogram
# --------------------------------------------------------------------------------------------------------------


def test_code_histogram_pools_every_unit_of_each_model_on_shared_bins(rng):
    sparse = np.abs(rng.normal(size=(20, 3, 4)))
    sparse[:, :, 0] = 0.0  # a quarter of the values exactly zero
    codes = {"vanilla": rng.normal(size=(20, 8)), "sparse": sparse}
    fig = plot_code_histogram(codes, bins=10)
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    zero_ax, ax = fig.axes
    assert [text.get_text() for text in ax.get_legend().get_texts()] == ["vanilla", "sparse"]
    assert [patch.get_height() for patch in zero_ax.patches] == [0.0, 0.25]  # exact zeros, as shares
    assert len(ax.patches) == 2 * 10
    vanilla, sparse_bars = ax.patches[:10], ax.patches[10:]
    assert [p.get_x() for p in vanilla] == [p.get_x() for p in sparse_bars]  # the same edges for both models
    assert sum(p.get_height() for p in vanilla) == pytest.approx(1.0)  # every activation counted once
    assert sum(p.get_height() for p in sparse_bars) == pytest.approx(0.75)  # the zeros are on the left
    assert zero_ax.get_yscale() == ax.get_yscale() == "log"


def test_code_histogram_has_fifty_bins_by_default(rng):
    assert len(plot_code_histogram({"vanilla": rng.normal(size=(5, 4))}).axes[1].patches) == 50


def test_code_histogram_of_an_all_zero_code_still_draws(rng):
    fig = plot_code_histogram({"dead": np.zeros((5, 4))})
    assert [patch.get_height() for patch in fig.axes[0].patches] == [1.0]


def test_code_histogram_rejects_bad_bins(rng, bad_count):
    with bad_count.raises("bins"):
        plot_code_histogram({"vanilla": rng.normal(size=(5, 4))}, bins=bad_count.value)


def test_code_histogram_rejects_bad_codes(rng, bad_values):
    with bad_values.raises("codes['sparse']"):
        plot_code_histogram({"vanilla": rng.normal(size=(5, 4)), "sparse": bad_values.value})


def test_figures_come_back_closed_so_a_notebook_shows_them_once(rng, digits):
    figures = [
        plot_image_grid({"original": digits}, n=3),
        plot_learning_curves(HISTORIES),
        plot_code_histogram({"vanilla": rng.normal(size=(5, 4))}),
        plot_latent_2d(rng.normal(size=(5, 2)), np.arange(5)),
    ]
    open_figures = set(plt.get_fignums())
    assert all(fig.number not in open_figures for fig in figures)


# --------------------------------------------------------------------------------------------------------------
# plot_latent_2d
# --------------------------------------------------------------------------------------------------------------


@pytest.fixture
def codes_2d(rng) -> np.ndarray:
    return rng.normal(size=(30, 2)).astype(np.float32)


@pytest.fixture
def labels_30() -> np.ndarray:
    return np.arange(30, dtype=np.int64) % 10


def test_latent_2d_draws_every_code_in_the_colour_of_its_label(codes_2d, labels_30):
    fig = plot_latent_2d(codes_2d, labels_30)
    assert isinstance(fig, Figure) and len(fig.axes) == 1
    ax = fig.axes[0]
    (points,) = ax.collections
    np.testing.assert_array_equal(points.get_offsets(), codes_2d)  # in the order given, none left out
    palette = plt.get_cmap("tab10").colors
    np.testing.assert_allclose(points.get_facecolors()[:, :3], np.asarray(palette)[labels_30])
    assert ax.get_xlabel() == "code unit 1" and ax.get_ylabel() == "code unit 2"
    legend = fig.legends[0]
    assert [text.get_text() for text in legend.get_texts()] == [str(d) for d in range(10)]


def test_latent_2d_colours_the_labels_present_in_order(codes_2d):
    labels = np.array([7, 3] * 15)
    fig = plot_latent_2d(codes_2d, labels)
    assert [text.get_text() for text in fig.legends[0].get_texts()] == ["3", "7"]
    colors = fig.axes[0].collections[0].get_facecolors()[:, :3]
    palette = np.asarray(plt.get_cmap("tab10").colors)
    np.testing.assert_allclose(colors[0], palette[1])  # a 7: the second label present
    np.testing.assert_allclose(colors[1], palette[0])


def test_latent_2d_draws_one_titled_panel_per_model(codes_2d, labels_30):
    fig = plot_latent_2d({"linear code": codes_2d, "ReLU code": np.abs(codes_2d)}, labels_30)
    assert [ax.get_title() for ax in fig.axes] == ["linear code", "ReLU code"]
    np.testing.assert_array_equal(fig.axes[1].collections[0].get_offsets(), np.abs(codes_2d))
    assert len(fig.legends) == 1  # one legend shared by the panels


@pytest.mark.parametrize("codes", [{}, []], ids=["empty-dict", "empty-list"])
def test_latent_2d_needs_codes(codes, labels_30):
    with pytest.raises((TypeError, ValueError), match=r"^codes "):
        plot_latent_2d(codes, labels_30)


def test_latent_2d_rejects_bad_codes(bad_values):
    with bad_values.raises("codes"):
        plot_latent_2d(bad_values.value, np.zeros(2, np.int64))


def test_latent_2d_rejects_bad_codes_in_a_dict(codes_2d, labels_30, bad_values):
    with bad_values.raises("codes['ReLU code']"):
        plot_latent_2d({"linear code": codes_2d, "ReLU code": bad_values.value}, labels_30)


@pytest.mark.parametrize("shape", [(30, 3), (30, 1), (30, 2, 1)], ids=["three-units", "one-unit", "3d"])
def test_latent_2d_needs_two_code_units(rng, labels_30, shape):
    phrase = r"^codes has shape .*; a 2-D latent map needs codes of shape \(n, 2\)"
    with pytest.raises(ValueError, match=phrase):
        plot_latent_2d(rng.normal(size=shape).astype(np.float32), labels_30)


def test_latent_2d_needs_one_label_per_code(codes_2d, labels_30):
    with pytest.raises(ValueError, match=r"^codes\['linear'\] holds 30 codes but labels holds 29; pass one per image"):
        plot_latent_2d({"linear": codes_2d}, labels_30[:29])


@pytest.mark.parametrize(
    "labels, error, phrase",
    [
        ([0, 1] * 15, TypeError, r"labels must be a NumPy array of integer labels, got list"),
        (np.zeros(30, np.float32), ValueError, r"labels has shape \(30,\) and dtype float32; expected one integer"),
        (np.zeros((30, 1), np.int64), ValueError, r"labels has shape \(30, 1\) and dtype int64"),
        (np.arange(30), ValueError, r"labels has 30 distinct values; colouring distinguishes at most 10"),
    ],
    ids=["list", "floats", "2d", "too-many-classes"],
)
def test_latent_2d_rejects_bad_labels(codes_2d, labels, error, phrase):
    with pytest.raises(error, match=phrase):
        plot_latent_2d(codes_2d, labels)


# --------------------------------------------------------------------------------------------------------------
# Every plot that takes a dict of runs refuses anything else, with an example of what to pass
# --------------------------------------------------------------------------------------------------------------

DICT_ARGUMENTS = [
    (plot_image_grid, r"rows must be a non-empty dict such as \{'original': x, 'reconstruction': r\}"),
    (plot_learning_curves, r"histories must be a non-empty dict such as \{'vanilla': history\.history\}"),
    (plot_code_histogram, r"codes must be a non-empty dict such as \{'vanilla': encoder\.predict\(x\)\}"),
]


@pytest.mark.parametrize("plot, phrase", DICT_ARGUMENTS, ids=[plot.__name__ for plot, _ in DICT_ARGUMENTS])
@pytest.mark.parametrize(
    "value", [[np.zeros((2, 28, 28))], {}, None, np.zeros((2, 2))], ids=["list", "empty", "none", "array"]
)
def test_plots_need_a_non_empty_dict(plot, phrase, value):
    with pytest.raises(TypeError, match=phrase):
        plot(value)
