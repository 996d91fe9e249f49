"""aeutils.generative: the latent grid, the KL term, grid decoding and the manifold figure."""

from __future__ import annotations

from statistics import NormalDist

import keras
import numpy as np
import pytest
from matplotlib.figure import Figure

from aeutils import decode_grid, kl_divergence, latent_grid, plot_manifold, seed_everything


@pytest.fixture(scope="module")
def tiny_decoder() -> keras.Model:
    """An untrained 2 -> 8 -> 784 sigmoid decoder: enough to check shapes and the pixel range."""
    seed_everything(0)
    codes = keras.Input(shape=(2,))
    x = keras.layers.Dense(8, activation="relu")(codes)
    return keras.Model(codes, keras.layers.Dense(784, activation="sigmoid")(x))


# --------------------------------------------------------------------------------------------------------------
# latent_grid
# --------------------------------------------------------------------------------------------------------------


def test_latent_grid_has_n_squared_points_at_normal_quantiles():
    grid = latent_grid(3, extent=0.9)
    assert grid.shape == (9, 2) and grid.dtype == np.float32
    q = NormalDist().inv_cdf(0.95)  # the grid covers the central 90 %: quantiles 0.05, 0.5, 0.95
    np.testing.assert_allclose(grid[:3], [[-q, q], [0, q], [q, q]], atol=1e-6)  # top row, left to right
    np.testing.assert_allclose(grid[-3:], [[-q, -q], [0, -q], [q, -q]], atol=1e-6)  # bottom row


def test_latent_grid_is_symmetric_and_widens_with_extent():
    narrow, wide = latent_grid(4, 0.5), latent_grid(4, 0.99)
    np.testing.assert_allclose(narrow.sum(axis=0), 0.0, atol=1e-6)
    assert np.abs(wide).max() > np.abs(narrow).max()


def test_latent_grid_moves_and_stretches_per_axis():
    base = latent_grid(3)
    moved = latent_grid(3, center=(1.0, -2.0), scale=(2.0, 0.5))
    np.testing.assert_allclose(moved, base * [2.0, 0.5] + [1.0, -2.0], rtol=1e-6)
    np.testing.assert_allclose(latent_grid(3, center=1.0, scale=3.0), base * 3 + 1, rtol=1e-6)


@pytest.mark.parametrize(
    ("kwargs", "error", "phrase"),
    [
        ({"n": 1}, ValueError, r"^n must be at least 2"),
        ({"n": 2.0}, TypeError, r"^n must be an integer"),
        ({"n": True}, TypeError, r"^n must be an integer"),
        ({"n": 3, "extent": 1.0}, ValueError, r"^extent must lie strictly between 0 and 1.*infinity"),
        ({"n": 3, "extent": 0}, ValueError, r"^extent must lie strictly between 0 and 1"),
        ({"n": 3, "extent": "0.9"}, TypeError, r"^extent must be a number"),
        ({"n": 3, "extent": True}, TypeError, r"^extent must be a number"),
        ({"n": 3, "scale": 0.0}, ValueError, r"^scale must hold positive finite numbers"),
        ({"n": 3, "scale": (1.0, -1.0)}, ValueError, r"^scale must hold positive finite numbers"),
        ({"n": 3, "center": np.nan}, ValueError, r"^center must hold finite numbers"),
        ({"n": 3, "center": (1.0, 2.0, 3.0)}, ValueError, r"^center must be a number or a pair"),
        ({"n": 3, "center": "origin"}, ValueError, r"^center must be a number or a pair"),
        ({"n": 3, "center": None}, TypeError, r"^center must be a number or a pair"),
        ({"n": 3, "scale": True}, TypeError, r"^scale must be a number or a pair"),
    ],
)
def test_latent_grid_rejects_bad_arguments(kwargs, error, phrase):
    with pytest.raises(error, match=phrase):
        latent_grid(**kwargs)


# --------------------------------------------------------------------------------------------------------------
# kl_divergence
# --------------------------------------------------------------------------------------------------------------


def test_kl_is_exactly_zero_at_the_prior():
    kl = kl_divergence(np.zeros((4, 2), np.float32), np.zeros((4, 2), np.float32))
    assert kl.shape == (4,)
    assert np.all(kl == 0.0)


def test_kl_is_positive_and_finite_on_random_encodings(rng):
    mean = rng.normal(size=(500, 2)).astype(np.float32)
    log_var = rng.normal(scale=2.0, size=(500, 2)).astype(np.float32)
    kl = kl_divergence(mean, log_var)
    assert kl.shape == (500,) and kl.dtype == np.float64
    assert np.all(np.isfinite(kl)) and np.all(kl > 0)


def test_kl_by_hand():
    # One dimension: mean 1, variance e (log_var 1): (e + 1 - 1 - 1) / 2 = (e - 1) / 2. Two of them: e - 1.
    kl = kl_divergence(np.array([[1.0, 1.0], [0.0, 3.0]]), np.array([[1.0, 1.0], [0.0, 0.0]]))
    np.testing.assert_allclose(kl, [np.e - 1, 4.5], rtol=1e-12)


def test_kl_stays_non_negative_for_tiny_log_variances():
    kl = kl_divergence(np.zeros((3, 1)), np.array([[1e-12], [-1e-12], [1e-300]]))
    assert np.all(kl >= 0) and np.all(kl < 1e-20)


def test_kl_accepts_tensors():
    kl = kl_divergence(keras.ops.convert_to_tensor(np.ones((2, 2), np.float32)), np.zeros((2, 2), np.float32))
    np.testing.assert_allclose(kl, [1.0, 1.0])


@pytest.mark.parametrize(
    ("mean", "log_var", "error", "phrase"),
    [
        ([[0.0, 0.0]], np.zeros((1, 2)), TypeError, r"^mean must be a NumPy array, got list"),
        (np.zeros((1, 2)), np.zeros((1, 2), np.int64), TypeError, r"^log_var has dtype int64"),
        (np.zeros(2), np.zeros(2), ValueError, r"^mean has shape \(2,\); expected one row per image"),
        (np.zeros((0, 2)), np.zeros((0, 2)), ValueError, r"^mean has shape \(0, 2\)"),
        (np.zeros((1, 2)), np.full((1, 2), np.nan), ValueError, r"^log_var contains NaN or infinite values"),
        (np.full((1, 2), np.inf), np.zeros((1, 2)), ValueError, r"^mean contains NaN or infinite values"),
        (np.zeros((3, 2)), np.zeros((3, 4)), ValueError, r"^mean has shape \(3, 2\) but log_var has shape \(3, 4\)"),
        (np.zeros((1, 2)), np.full((1, 2), 800.0), ValueError, r"^log_var reaches 800.*overflows"),
    ],
)
def test_kl_rejects_bad_inputs(mean, log_var, error, phrase):
    with pytest.raises(error, match=phrase):
        kl_divergence(mean, log_var)


# --------------------------------------------------------------------------------------------------------------
# decode_grid
# --------------------------------------------------------------------------------------------------------------


def test_decode_grid_gives_n_squared_images_in_the_pixel_range(tiny_decoder):
    images = decode_grid(tiny_decoder, 5)
    assert images.shape == (25, 28, 28) and images.dtype == np.float32
    assert np.all(np.isfinite(images)) and images.min() >= 0 and images.max() <= 1


def test_decode_grid_decodes_the_grid_in_order(tiny_decoder):
    images = decode_grid(tiny_decoder, 3, 0.8, center=(0.5, 0.5), scale=2.0)
    expected = tiny_decoder.predict(latent_grid(3, 0.8, center=(0.5, 0.5), scale=2.0), verbose=0)
    np.testing.assert_allclose(images, expected.reshape(9, 28, 28), rtol=1e-6)


def test_decode_grid_accepts_a_callable_and_channel_images():
    images = decode_grid(lambda points: np.full((len(points), 28, 28, 1), 0.25, np.float32), 2)
    assert images.shape == (4, 28, 28)
    assert np.all(images == 0.25)


@pytest.mark.parametrize(
    ("decoder", "error", "phrase"),
    [
        ("decoder.keras", TypeError, r"^decoder must be a Keras model or a callable.*got str"),
        (lambda p: np.zeros((len(p), 10)), ValueError, r"^decoder gave shape \(4, 10\) for 4 latent points"),
        (lambda p: np.zeros((1, 784)), ValueError, r"^decoder gave shape \(1, 784\) for 4 latent points"),
        (lambda p: np.full((len(p), 784), np.nan), ValueError, r"^decoder gave NaN or infinite pixels"),
        (lambda p: np.full((len(p), 784), 1.5), ValueError, r"^decoder gave pixels in \[1\.5, 1\.5\].*sigmoid"),
        (lambda p: np.full((len(p), 784), -0.5), ValueError, r"^decoder gave pixels in \[-0\.5, -0\.5\]"),
    ],
)
def test_decode_grid_rejects_bad_decoders(decoder, error, phrase):
    with pytest.raises(error, match=phrase):
        decode_grid(decoder, 2)


def test_decode_grid_checks_the_grid_arguments(tiny_decoder, bad_count):
    if bad_count.value in (0, -3):
        with pytest.raises(ValueError, match=r"^n must be at least 2"):
            decode_grid(tiny_decoder, bad_count.value)
    else:
        with bad_count.raises("n"):
            decode_grid(tiny_decoder, bad_count.value)


# --------------------------------------------------------------------------------------------------------------
# plot_manifold
# --------------------------------------------------------------------------------------------------------------


def test_manifold_tiles_the_grid_row_by_row(rng):
    images = rng.random((9, 28, 28), dtype=np.float32)
    fig = plot_manifold(images)
    assert isinstance(fig, Figure) and len(fig.axes) == 1
    canvas = fig.axes[0].images[0].get_array()
    assert canvas.shape == (84, 84)
    np.testing.assert_array_equal(canvas[:28, 28:56], images[1])  # top row, second column
    np.testing.assert_array_equal(canvas[56:, :28], images[6])  # bottom row, first column
    assert fig.axes[0].images[0].get_clim() == (0.0, 1.0)


def test_manifold_draws_one_titled_panel_per_entry(rng):
    images = rng.random((4, 28, 28), dtype=np.float32)
    fig = plot_manifold({"plain": images, "VAE": images})
    assert [ax.get_title() for ax in fig.axes] == ["plain", "VAE"]


@pytest.mark.parametrize(
    ("grids", "error", "phrase"),
    [
        ({}, TypeError, r"^grids must be an \(n \* n, 28, 28\) array or a non-empty dict"),
        (np.zeros((9, 784)), ValueError, r"^grids must be the \(n \* n, 28, 28\) array of decode_grid, got \(9, 784\)"),
        ([[0.0]], ValueError, r"^grids must be the .* got list"),
        (np.zeros((8, 28, 28)), ValueError, r"^grids holds 8 images, which is not a square grid"),
        (np.zeros((1, 28, 28)), ValueError, r"^grids holds 1 images"),
        ({"VAE": np.zeros((5, 28, 28))}, ValueError, r"^grids\['VAE'\] holds 5 images"),
    ],
)
def test_manifold_rejects_bad_grids(grids, error, phrase):
    with pytest.raises(error, match=phrase):
        plot_manifold(grids)


@pytest.mark.parametrize("size", [0, -1.0, 25, True, "4"])
def test_manifold_rejects_bad_sizes(size):
    with pytest.raises(ValueError, match=r"^size must be a figure size in inches"):
        plot_manifold(np.zeros((4, 28, 28), np.float32), size=size)
