"""aeutils.noise: clipped Gaussian noise, salt-and-pepper and masking, drawn from an explicit NumPy generator."""

from __future__ import annotations

import numpy as np
import pytest

from aeutils import add_gaussian_noise, add_salt_and_pepper, mask_pixels

CORRUPTIONS = {
    "gaussian": (add_gaussian_noise, "sigma", 0.5),
    "salt and pepper": (add_salt_and_pepper, "fraction", 0.3),
    "masking": (mask_pixels, "fraction", 0.3),
}


@pytest.fixture(params=list(CORRUPTIONS.values()), ids=list(CORRUPTIONS))
def corruption(request):
    """(function, name of its level argument, a typical level)."""
    return request.param


def grey(shape=(50, 28, 28), dtype=np.float32) -> np.ndarray:
    return np.full(shape, 0.5, dtype=dtype)


# --------------------------------------------------------------------------------------------------------------
# What every corruption shares: shape, dtype, pixel range, and repeatability through the generator
# --------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(3, 784), (3, 28, 28), (3, 28, 28, 1)], ids=["flat", "images", "channels"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_corruptions_keep_shape_dtype_and_pixel_range(corruption, digits, shape, dtype):
    function, _, level = corruption
    x = digits[:3].reshape(shape).astype(dtype)
    noisy = function(x, level, rng=0)
    assert noisy.shape == shape and noisy.dtype == dtype
    assert noisy.min() >= 0.0 and noisy.max() <= 1.0
    assert not np.array_equal(noisy, x)


def test_corruptions_leave_their_input_untouched(corruption, digits):
    function, _, level = corruption
    before = digits.copy()
    function(digits, level, rng=0)
    np.testing.assert_array_equal(digits, before)


def test_the_same_seed_gives_the_same_corruption(corruption, digits):
    function, _, level = corruption
    np.testing.assert_array_equal(function(digits, level, rng=3), function(digits, level, rng=3))
    np.testing.assert_array_equal(function(digits, level, rng=3), function(digits, level, rng=np.random.default_rng(3)))
    assert not np.array_equal(function(digits, level, rng=3), function(digits, level, rng=4))


def test_a_generator_advances_so_each_call_draws_fresh_noise(corruption, digits):
    function, _, level = corruption
    rng = np.random.default_rng(0)
    assert not np.array_equal(function(digits, level, rng=rng), function(digits, level, rng=rng))


def test_level_zero_changes_nothing(corruption, digits):
    function, _, _ = corruption
    np.testing.assert_array_equal(function(digits, 0.0, rng=0), digits)


# --------------------------------------------------------------------------------------------------------------
# Each corruption's own statistics
# --------------------------------------------------------------------------------------------------------------


def test_gaussian_noise_has_the_requested_spread_away_from_the_clip():
    noisy = add_gaussian_noise(grey(), 0.05, rng=0)  # 0.5 +- 10 sigma never reaches 0 or 1
    assert noisy.mean() == pytest.approx(0.5, abs=2e-3)
    assert noisy.std() == pytest.approx(0.05, rel=0.02)


def test_gaussian_noise_is_clipped_to_the_pixel_range():
    noisy = add_gaussian_noise(np.zeros((50, 28, 28), np.float32), 1.0, rng=0)
    assert noisy.min() == 0.0 and noisy.max() == 1.0
    assert np.mean(noisy == 0.0) == pytest.approx(0.5, abs=0.01)  # every negative draw lands on black
    assert noisy.mean() > 0.3  # clipping brightens a black background: the noise no longer averages to zero


def test_salt_and_pepper_replaces_the_fraction_by_black_and_white():
    noisy = add_salt_and_pepper(grey(), 0.3, rng=0)
    hit = noisy != 0.5
    assert hit.mean() == pytest.approx(0.3, abs=0.01)
    assert set(np.unique(noisy[hit])) == {0.0, 1.0}
    assert np.mean(noisy[hit] == 1.0) == pytest.approx(0.5, abs=0.02)


def test_salt_and_pepper_of_fraction_one_leaves_only_black_and_white(digits):
    assert set(np.unique(add_salt_and_pepper(digits, 1.0, rng=0))) == {0.0, 1.0}


def test_masking_sets_the_fraction_to_black_and_keeps_the_rest():
    noisy = mask_pixels(grey(), 0.25, rng=0)
    assert np.mean(noisy == 0.0) == pytest.approx(0.25, abs=0.01)
    assert set(np.unique(noisy)) == {0.0, 0.5}


def test_masking_of_fraction_one_leaves_a_black_image(digits):
    np.testing.assert_array_equal(mask_pixels(digits, 1.0, rng=0), np.zeros_like(digits))


# --------------------------------------------------------------------------------------------------------------
# Bad inputs
# --------------------------------------------------------------------------------------------------------------


def test_corruptions_reject_bad_images(corruption, bad_pixels):
    function, _, level = corruption
    with bad_pixels.raises("x"):
        function(bad_pixels.value, level, rng=0)


@pytest.mark.parametrize(
    "level, error, phrase",
    [
        (-0.1, ValueError, r"must be at least 0, got -0\.1"),
        (float("nan"), ValueError, r"must be a finite number, got nan"),
        (float("inf"), ValueError, r"must be a finite number, got inf"),
        (True, TypeError, r"must be a number, got True of type bool"),
        ("0.5", TypeError, r"must be a number, got '0\.5' of type str"),
        (None, TypeError, r"must be a number, got None"),
    ],
    ids=["negative", "nan", "inf", "bool", "string", "none"],
)
def test_corruptions_reject_bad_levels(corruption, digits, level, error, phrase):
    function, name, _ = corruption
    with pytest.raises(error, match=rf"^{name} {phrase}"):
        function(digits, level, rng=0)


@pytest.mark.parametrize("function", [add_salt_and_pepper, mask_pixels])
@pytest.mark.parametrize("fraction", [1.5, 1.0001])
def test_fractions_above_one_are_rejected(digits, function, fraction):
    with pytest.raises(ValueError, match=rf"^fraction must be at most 1\.0, got {fraction}"):
        function(digits, fraction, rng=0)


def test_gaussian_noise_accepts_any_non_negative_sigma(digits):
    assert add_gaussian_noise(digits, 2, rng=0).max() <= 1.0  # an int and a sigma above 1 are fine


@pytest.mark.parametrize(
    "bad_rng", [None, 1.5, True, -1, np.random.RandomState(0)], ids=["none", "float", "bool", "negative", "RandomState"]
)
def test_corruptions_need_a_generator_or_a_seed(corruption, digits, bad_rng):
    function, _, level = corruption
    with pytest.raises(TypeError, match=r"^rng must be a numpy\.random\.Generator or a non-negative integer seed"):
        function(digits, level, rng=bad_rng)
