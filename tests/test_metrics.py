"""aeutils.metrics: MSE, PSNR, SSIM and code sparsity against values worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from aeutils import CodeSparsity, code_sparsity, mse, mse_per_image, psnr, psnr_per_image, ssim

# Two 4-pixel images. Image 0 misses one pixel by 0.5: MSE 0.25 / 4 = 0.0625, PSNR 10 log10(16) = 12.0412 dB.
# Image 1 is off by 0.1 everywhere, once outside [0, 1] (allowed for reconstructions): MSE 0.01, PSNR 20 dB.
X = np.array([[0.0, 0.0, 1.0, 1.0], [0.5, 0.5, 0.9, 0.1]], dtype=np.float32)
R = np.array([[0.0, 0.0, 1.0, 0.5], [0.6, 0.4, 1.0, 0.0]], dtype=np.float32)
MSE_PER_IMAGE = [0.0625, 0.01]
PSNR_PER_IMAGE = [10 * np.log10(16), 20.0]

ALL_METRICS = [mse, mse_per_image, psnr, psnr_per_image, ssim]


def test_mse_per_image_by_hand():
    np.testing.assert_allclose(mse_per_image(X, R), MSE_PER_IMAGE, rtol=1e-6)
    assert mse_per_image(X, R).shape == (2,)


def test_mse_is_the_per_pixel_mean_over_the_batch():
    assert mse(X, R) == pytest.approx(0.03625, rel=1e-6)
    assert mse(X, R) == pytest.approx(float(np.mean((X.astype(np.float64) - R) ** 2)), rel=1e-12)
    assert isinstance(mse(X, R), float)


def test_psnr_per_image_by_hand():
    np.testing.assert_allclose(psnr_per_image(X, R), PSNR_PER_IMAGE, rtol=1e-6)
    assert psnr_per_image(X, R)[0] == pytest.approx(12.0412, abs=1e-4)


def test_psnr_is_the_mean_of_the_per_image_values():
    assert psnr(X, R) == pytest.approx(np.mean(PSNR_PER_IMAGE), rel=1e-6)
    assert isinstance(psnr(X, R), float)


def test_psnr_of_a_perfect_reconstruction_is_capped_at_100_db():
    np.testing.assert_array_equal(psnr_per_image(X, X), [100.0, 100.0])
    assert psnr(X, X) == 100.0
    assert psnr(X, X + np.float32(1e-7)) == 100.0  # an error below the cap's 1e-10 MSE


@pytest.mark.parametrize("shape", [(6, 784), (6, 28, 28), (6, 28, 28, 1)], ids=["flat", "images", "channels"])
def test_metrics_do_not_depend_on_the_layout(digits, shape):
    noisy = np.clip(digits + 0.1, 0, 1)
    assert mse(digits.reshape(shape), noisy.reshape(shape)) == pytest.approx(mse(digits, noisy), rel=1e-12)
    assert ssim(digits.reshape(shape), noisy.reshape(shape)) == pytest.approx(ssim(digits, noisy), rel=1e-6)


def test_metrics_accept_tensors(digits):
    assert mse(tf.constant(digits), tf.constant(digits * 0.5)) == pytest.approx(mse(digits, digits * 0.5))


def test_metrics_accept_float64():
    assert mse(X.astype(np.float64), R.astype(np.float64)) == pytest.approx(0.03625)


def test_ssim_of_identical_images_is_one(digits):
    assert ssim(digits, digits) == pytest.approx(1.0, abs=1e-6)


def test_ssim_of_different_images_is_below_one(digits):
    value = ssim(digits, np.clip(digits + np.float32(0.2), 0, 1))
    assert 0 < value < 0.99
    assert ssim(digits, digits[::-1]) < value  # unrelated images are further apart than a brightened copy


def test_ssim_clips_reconstructions_to_the_pixel_range(digits):
    overshoot = np.where(digits > 0.5, np.float32(1.5), digits)  # clipped back to 1, not to the digits' values
    clipped = np.where(digits > 0.5, np.float32(1.0), digits)
    assert ssim(digits, overshoot) == pytest.approx(ssim(digits, clipped), rel=1e-6)


def test_ssim_of_flat_images_is_one_only_when_identical():
    flat = np.full((3, 784), 0.5, dtype=np.float32)
    assert ssim(flat, flat) == pytest.approx(1.0, abs=1e-6)
    assert ssim(flat, np.zeros_like(flat)) < 0.01


def test_ssim_takes_other_sides(rng):
    images = rng.random((2, 16 * 16), dtype=np.float32)
    assert ssim(images, images, side=16) == pytest.approx(1.0, abs=1e-6)


@pytest.mark.parametrize("shape, side", [((2, 27, 27), 28), ((2, 28, 28, 3), 28), ((2, 784), 16)])
def test_ssim_rejects_images_of_the_wrong_side(shape, side):
    images = np.zeros(shape, np.float32)
    phrase = rf"ssim needs square one-channel images of side {side}; got shape .* Pass side="
    with pytest.raises(ValueError, match=phrase):
        ssim(images, images, side=side)


@pytest.mark.parametrize("metric", ALL_METRICS)
def test_metrics_reject_bad_originals(metric, bad_pixels):
    with bad_pixels.raises("x"):
        metric(bad_pixels.value, np.zeros((2, 28, 28), np.float32))


@pytest.mark.parametrize("metric", ALL_METRICS)
def test_metrics_reject_bad_reconstructions(metric, bad_values):
    with bad_values.raises("reconstruction"):
        metric(np.zeros((2, 28, 28), np.float32), bad_values.value)


@pytest.mark.parametrize("metric", ALL_METRICS)
def test_metrics_accept_reconstructions_outside_the_pixel_range(metric, out_of_range):
    assert np.all(np.isfinite(metric(np.full((2, 28, 28), 0.5, np.float32), out_of_range.value)))


@pytest.mark.parametrize("metric", ALL_METRICS)
def test_metrics_reject_mismatched_shapes(metric):
    with pytest.raises(ValueError, match=r"x has shape \(2, 784\) but reconstruction has shape \(2, 28, 28\).*as_flat"):
        metric(np.zeros((2, 784), np.float32), np.zeros((2, 28, 28), np.float32))


@pytest.mark.parametrize("metric", ALL_METRICS)
def test_metrics_reject_a_different_number_of_images(metric):
    with pytest.raises(ValueError, match=r"must match image for image"):
        metric(np.zeros((3, 784), np.float32), np.zeros((2, 784), np.float32))


def test_ssim_rejects_bad_sides(bad_count):
    images = np.zeros((2, 784), np.float32)
    with bad_count.raises("side"):
        ssim(images, images, side=bad_count.value)


# --------------------------------------------------------------------------------------------------------------
# code_sparsity
# --------------------------------------------------------------------------------------------------------------

# Four inputs, three units. Unit 0 peaks at 4.0, so its values up to 0.2 (5 %) are near zero: 0.0 and 0.1.
# Unit 1 peaks at 1.0: only its exact zero is near zero (0.5 and 0.06 are above 0.05). Unit 2 is dead.
CODES = np.array(
    [
        [4.0, 0.0, 0.0],
        [0.1, 1.0, 0.0],
        [0.0, 0.5, 0.0],
        [2.0, 0.06, 0.0],
    ],
    dtype=np.float32,
)


def test_code_sparsity_by_hand():
    sparsity = code_sparsity(CODES)
    assert isinstance(sparsity, CodeSparsity)
    assert sparsity.fraction_zero == pytest.approx(6 / 12)  # one in unit 0, one in unit 1, four in unit 2
    assert sparsity.fraction_near_zero == pytest.approx(7 / 12)  # the zeros and unit 0's 0.1
    assert sparsity.mean_activation == pytest.approx((4.0 + 0.1 + 2.0 + 1.0 + 0.5 + 0.06) / 12)
    assert sparsity.dead_units == 1
    assert sparsity.units == 3
    assert isinstance(sparsity.fraction_zero, float) and isinstance(sparsity.dead_units, int)


def test_code_sparsity_threshold_is_relative_to_each_unit():
    # Shrinking one unit (as an activity penalty can, with the decoder scaling up) changes no sparsity count.
    scaled = CODES * np.array([0.01, 100.0, 1.0], dtype=np.float32)
    before, after = code_sparsity(CODES), code_sparsity(scaled)
    assert after.fraction_near_zero == pytest.approx(before.fraction_near_zero)
    assert after.fraction_zero == before.fraction_zero and after.dead_units == before.dead_units
    assert after.mean_activation != pytest.approx(before.mean_activation)  # the mean, by contrast, moves


def test_code_sparsity_near_zero_threshold_can_be_chosen():
    assert code_sparsity(CODES, near_zero=0.0).fraction_near_zero == pytest.approx(6 / 12)  # exact zeros only
    assert code_sparsity(CODES, near_zero=0.1).fraction_near_zero == pytest.approx(8 / 12)  # adds unit 1's 0.06
    assert code_sparsity(CODES, near_zero=0.6).fraction_near_zero == pytest.approx(10 / 12)  # and 2.0 and 0.5


def test_code_sparsity_of_an_all_zero_code():
    sparsity = code_sparsity(np.zeros((5, 8), np.float32))
    assert (sparsity.fraction_zero, sparsity.fraction_near_zero, sparsity.mean_activation) == (1.0, 1.0, 0.0)
    assert sparsity.dead_units == sparsity.units == 8


def test_code_sparsity_of_a_dense_code():
    sparsity = code_sparsity(np.full((5, 8), 0.3, np.float32))
    assert (sparsity.fraction_zero, sparsity.fraction_near_zero, sparsity.dead_units) == (0.0, 0.0, 0)
    assert sparsity.mean_activation == pytest.approx(0.3)


def test_code_sparsity_uses_magnitudes_for_signed_codes():
    sparsity = code_sparsity(-CODES)
    assert sparsity == code_sparsity(CODES)


def test_code_sparsity_flattens_convolutional_codes(rng):
    codes = np.maximum(rng.normal(size=(6, 4, 4, 2)), 0).astype(np.float32)
    assert code_sparsity(codes) == code_sparsity(codes.reshape(6, -1))
    assert code_sparsity(codes).units == 32


def test_code_sparsity_accepts_tensors_and_float64():
    assert code_sparsity(tf.constant(CODES)) == code_sparsity(CODES)
    assert code_sparsity(CODES.astype(np.float64)) == code_sparsity(CODES)


def test_code_sparsity_rejects_bad_codes(bad_values):
    with bad_values.raises("codes"):
        code_sparsity(bad_values.value)


def test_code_sparsity_accepts_codes_outside_the_pixel_range(out_of_range):
    assert code_sparsity(out_of_range.value).units == 28 * 28


@pytest.mark.parametrize("near_zero", [-0.1, 1.0, 2.5, float("nan")], ids=["negative", "one", "above-one", "nan"])
def test_code_sparsity_rejects_thresholds_outside_zero_to_one(near_zero):
    with pytest.raises(ValueError, match=r"^near_zero must be in \[0, 1\), a fraction of each unit's largest value"):
        code_sparsity(CODES, near_zero=near_zero)


@pytest.mark.parametrize("near_zero", ["0.05", None, True], ids=["string", "none", "bool"])
def test_code_sparsity_rejects_thresholds_that_are_not_numbers(near_zero):
    with pytest.raises(TypeError, match=r"^near_zero must be a number, got"):
        code_sparsity(CODES, near_zero=near_zero)
