"""aeutils.baselines: PCA at a given code size and over code sizes, chapter 1's autoencoder, and classical filters."""

from __future__ import annotations

import numpy as np
import pytest

from aeutils import (
    gaussian_blur,
    median_filter,
    mse,
    pca_mse_by_code_size,
    pca_reconstruct,
    seed_everything,
    vanilla_autoencoder,
)


@pytest.fixture
def small_images(rng) -> tuple[np.ndarray, np.ndarray]:
    """4 x 4 images (16 pixels) with decaying variance along random directions: 50 to fit, 7 to reconstruct."""
    basis = np.linalg.qr(rng.normal(size=(16, 16)))[0]
    scales = 0.3 * 0.7 ** np.arange(16)

    def draw(n):
        return np.clip(0.5 + (rng.normal(size=(n, 16)) * scales) @ basis.T, 0, 1).astype(np.float32).reshape(n, 4, 4)

    return draw(50), draw(7)


@pytest.mark.parametrize("shape", [(4, 4), (16,), (4, 4, 1)], ids=["images", "flat", "channels"])
def test_pca_reconstruct_returns_the_test_images_shape(small_images, shape):
    x_train, x_test = (x.reshape(len(x), *shape) for x in small_images)
    reconstruction = pca_reconstruct(x_train, x_test, code_size=3)
    assert reconstruction.shape == x_test.shape
    assert reconstruction.dtype == np.float32


def test_pca_with_a_full_rank_code_reconstructs_exactly(small_images):
    x_train, x_test = small_images
    np.testing.assert_allclose(pca_reconstruct(x_train, x_test, code_size=16), x_test, atol=1e-5)


def test_pca_error_falls_as_the_code_grows(small_images):
    x_train, x_test = small_images
    errors = [mse(x_test, pca_reconstruct(x_train, x_test, code_size=k)) for k in (1, 2, 4, 8, 12)]
    assert all(later < earlier for earlier, later in zip(errors, errors[1:], strict=False)), errors


def test_pca_code_of_one_gives_the_mean_plus_one_direction(small_images):
    x_train, _ = small_images
    reconstruction = pca_reconstruct(x_train, x_train, code_size=1).reshape(50, 16)
    centred = reconstruction - x_train.reshape(50, 16).mean(axis=0)
    assert np.linalg.matrix_rank(centred, tol=1e-4) == 1


def test_pca_reconstructions_are_not_clipped():
    # The fitted line runs through (0, 0.5) and (1, 0); (0, 1) projects onto it at (-0.2, 0.6), outside [0, 1].
    x_train = np.array([[0.0, 0.5], [1.0, 0.0]], np.float32)
    reconstruction = pca_reconstruct(x_train, np.array([[0.0, 1.0]], np.float32), code_size=1)
    np.testing.assert_allclose(reconstruction, [[-0.2, 0.6]], atol=1e-6)


@pytest.mark.parametrize("n_train", [50, 10], ids=["more-images-than-pixels", "fewer-images-than-pixels"])
def test_pca_matches_a_full_svd_of_the_centred_training_images(rng, n_train):
    # Both solvers (covariance eigenvectors for tall data, a full SVD for wide data) give the same projection.
    x_train = rng.random((n_train, 16), dtype=np.float32)
    x_test = rng.random((5, 16), dtype=np.float32)
    mean = x_train.astype(np.float64).mean(axis=0)
    components = np.linalg.svd(x_train - mean, full_matrices=False)[2][:4]
    expected = (x_test - mean) @ components.T @ components + mean
    np.testing.assert_allclose(pca_reconstruct(x_train, x_test, code_size=4), expected, atol=1e-5)


def test_pca_with_as_many_components_as_images_reconstructs_the_training_images(rng):
    # 10 centred images span at most 9 directions, so 9 components give them back exactly (full-SVD path).
    x_train = rng.random((10, 16), dtype=np.float32)
    np.testing.assert_allclose(pca_reconstruct(x_train, x_train, code_size=9), x_train, atol=1e-5)


@pytest.mark.parametrize("code_size, n_train, limit", [(11, 10, 10), (17, 50, 16)], ids=["images", "pixels"])
def test_pca_rejects_a_code_larger_than_pca_can_fit(rng, code_size, n_train, limit):
    x_train = rng.random((n_train, 16), dtype=np.float32)
    phrase = rf"code_size {code_size} exceeds what PCA can fit on {n_train} images of 16 pixels \(at most {limit} "
    with pytest.raises(ValueError, match=phrase):
        pca_reconstruct(x_train, x_train[:2], code_size=code_size)


@pytest.mark.parametrize("test_shape", [(2, 28, 28), (2, 28, 28, 1), (2, 783)])
def test_pca_rejects_mismatched_layouts(test_shape):
    with pytest.raises(ValueError, match=r"x_train images have shape \(784,\) but x_test images .*same layout"):
        pca_reconstruct(np.zeros((5, 784), np.float32), np.zeros(test_shape, np.float32), code_size=2)


def test_pca_rejects_bad_code_sizes(small_images, bad_count):
    with bad_count.raises("code_size"):
        pca_reconstruct(*small_images, code_size=bad_count.value)


@pytest.mark.parametrize("argument", ["x_train", "x_test"])
def test_pca_rejects_bad_images(argument, bad_pixels):
    arrays = {"x_train": np.full((4, 28, 28), 0.5, np.float32), "x_test": np.full((2, 28, 28), 0.5, np.float32)}
    arrays[argument] = bad_pixels.value
    with bad_pixels.raises(argument):
        pca_reconstruct(**arrays, code_size=2)


# --------------------------------------------------------------------------------------------------------------
# pca_mse_by_code_size
# --------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("n_train", [50, 10], ids=["more-images-than-pixels", "fewer-images-than-pixels"])
def test_pca_mse_by_code_size_matches_one_pca_reconstruct_per_size(rng, n_train):
    x_train = rng.random((n_train, 4, 4), dtype=np.float32)
    x_test = rng.random((7, 4, 4), dtype=np.float32)
    errors = pca_mse_by_code_size(x_train, x_test, [8, 1, 3])
    assert list(errors) == [8, 1, 3]  # the order asked for
    for k, error in errors.items():
        assert isinstance(error, float)
        assert error == pytest.approx(mse(x_test, pca_reconstruct(x_train, x_test, k)), rel=1e-6)  # float32 output


def test_pca_mse_by_code_size_falls_as_the_code_grows(small_images):
    errors = list(pca_mse_by_code_size(*small_images, range(1, 17)).values())
    assert all(later <= earlier for earlier, later in zip(errors, errors[1:], strict=False)), errors
    assert errors[-1] == pytest.approx(0.0, abs=1e-10)  # all 16 components reconstruct exactly


@pytest.mark.parametrize(
    "code_sizes", [[], (), "8", 8, None], ids=["empty-list", "empty-tuple", "string", "int", "none"]
)
def test_pca_mse_by_code_size_needs_a_sequence_of_sizes(small_images, code_sizes):
    with pytest.raises(TypeError, match=r"^code_sizes must be a non-empty sequence of integers such as \(2, 8, 32\)"):
        pca_mse_by_code_size(*small_images, code_sizes)


def test_pca_mse_by_code_size_rejects_bad_sizes(small_images, bad_count):
    with bad_count.raises("code_sizes[1]"):
        pca_mse_by_code_size(*small_images, [2, bad_count.value])


def test_pca_mse_by_code_size_rejects_a_size_larger_than_pca_can_fit(small_images):
    with pytest.raises(ValueError, match=r"code_size 17 exceeds what PCA can fit on 50 images of 16 pixels"):
        pca_mse_by_code_size(*small_images, [2, 17])


def test_pca_mse_by_code_size_rejects_mismatched_layouts():
    with pytest.raises(ValueError, match=r"x_train images have shape \(784,\) but x_test images \(28, 28\)"):
        pca_mse_by_code_size(np.zeros((5, 784), np.float32), np.zeros((2, 28, 28), np.float32), [2])


@pytest.mark.parametrize("argument", ["x_train", "x_test"])
def test_pca_mse_by_code_size_rejects_bad_images(argument, bad_pixels):
    arrays = {"x_train": np.full((4, 28, 28), 0.5, np.float32), "x_test": np.full((2, 28, 28), 0.5, np.float32)}
    arrays[argument] = bad_pixels.value
    with bad_pixels.raises(argument):
        pca_mse_by_code_size(**arrays, code_sizes=[2])


# --------------------------------------------------------------------------------------------------------------
# vanilla_autoencoder: chapter 1's model and recipe, as a baseline
# --------------------------------------------------------------------------------------------------------------


def test_vanilla_autoencoder_is_chapter_ones_model_and_learns(small_images):
    seed_everything(0)
    x_train, x_test = (x.reshape(len(x), 16) for x in small_images)
    model, history = vanilla_autoencoder(x_train, code_size=3, epochs=4, validation_data=x_test)
    assert [layer.name for layer in model.layers[1:]] == ["code", "reconstruction"]
    assert model.get_layer("code").units == 3 and model.get_layer("code").activation.__name__ == "relu"
    assert model.output_shape == (None, 16) and model.count_params() == 16 * 3 + 3 + 3 * 16 + 16
    assert len(history.history["loss"]) == 4 and len(history.history["val_loss"]) == 4
    assert history.history["loss"][-1] < history.history["loss"][0]


def test_vanilla_autoencoder_repeats_under_the_same_seed(small_images):
    x_train = small_images[0].reshape(-1, 16)
    runs = []
    for _ in range(2):
        seed_everything(7)
        runs.append(vanilla_autoencoder(x_train, code_size=2, epochs=2)[1].history["loss"])
    assert runs[0] == runs[1]


def test_vanilla_autoencoder_needs_flat_images(small_images):
    with pytest.raises(ValueError, match=r"x_train has shape \(50, 4, 4\); pass flat images"):
        vanilla_autoencoder(small_images[0], code_size=2)


def test_vanilla_autoencoder_needs_matching_validation_images(small_images):
    with pytest.raises(ValueError, match=r"validation_data has images of shape \(4, 4\), x_train \(16,\)"):
        vanilla_autoencoder(small_images[0].reshape(-1, 16), code_size=2, validation_data=small_images[1])


def test_vanilla_autoencoder_rejects_bad_images(bad_pixels):
    with bad_pixels.raises("x_train"):
        vanilla_autoencoder(bad_pixels.value, code_size=2)


@pytest.mark.parametrize("argument", ["code_size", "epochs"])
def test_vanilla_autoencoder_rejects_bad_counts(small_images, bad_count, argument):
    kwargs = {"code_size": 2, "epochs": 1, argument: bad_count.value}
    with bad_count.raises(argument):
        vanilla_autoencoder(small_images[0].reshape(-1, 16), **kwargs)


# --------------------------------------------------------------------------------------------------------------
# Classical filters: median and Gaussian blur, image by image
# --------------------------------------------------------------------------------------------------------------

FILTERS = {"median": (median_filter, "size", 3), "gaussian blur": (gaussian_blur, "sigma", 1.0)}


@pytest.fixture(params=list(FILTERS.values()), ids=list(FILTERS))
def image_filter(request):
    """(function, name of its width argument, a typical width)."""
    return request.param


def test_filters_keep_shape_and_dtype_in_both_image_layouts(image_filter, digits):
    function, name, width = image_filter
    filtered = function(digits, **{name: width})
    assert filtered.shape == digits.shape and filtered.dtype == digits.dtype
    channels = function(digits[..., None], **{name: width})
    assert channels.shape == (*digits.shape, 1)
    np.testing.assert_array_equal(channels[..., 0], filtered)


def test_filters_leave_constant_images_alone(image_filter):
    function, name, width = image_filter
    images = np.full((3, 28, 28), 0.25, np.float32)
    np.testing.assert_allclose(function(images, **{name: width}), images, atol=1e-6)


def test_filters_act_on_each_image_alone(image_filter):
    function, name, width = image_filter
    images = np.stack([np.ones((28, 28)), np.zeros((28, 28)), np.ones((28, 28))]).astype(np.float32)
    np.testing.assert_allclose(function(images, **{name: width}), images, atol=1e-6)  # nothing bleeds across


def test_filters_of_width_one_or_zero_change_nothing(digits):
    np.testing.assert_array_equal(median_filter(digits, size=1), digits)
    np.testing.assert_allclose(gaussian_blur(digits, sigma=0.0), digits, atol=1e-7)


def test_median_filter_removes_an_isolated_white_pixel_and_keeps_a_thick_stroke():
    images = np.zeros((1, 28, 28), np.float32)
    images[0, 5, 5] = 1.0  # salt
    images[0, 10:20, 12:16] = 1.0  # a stroke four pixels wide
    filtered = median_filter(images, size=3)
    assert filtered[0, 5, 5] == 0.0
    np.testing.assert_array_equal(filtered[0, 11:19, 13:15], 1.0)


def test_gaussian_blur_spreads_an_impulse_and_keeps_its_mass():
    images = np.zeros((1, 28, 28), np.float64)
    images[0, 14, 14] = 1.0
    narrow, wide = gaussian_blur(images, sigma=1.0), gaussian_blur(images, sigma=2.0)
    assert narrow.sum() == pytest.approx(1.0, abs=1e-6) and wide.sum() == pytest.approx(1.0, abs=1e-6)
    assert 0 < wide[0, 14, 14] < narrow[0, 14, 14] < 1
    assert narrow[0, 14, 15] == pytest.approx(narrow[0, 15, 14])  # isotropic


@pytest.mark.parametrize("shape", [(2, 784), (2, 28, 28, 3), (2, 1, 28, 28, 1)], ids=["flat", "rgb", "5-d"])
def test_filters_reject_batches_that_are_not_2d_images(image_filter, shape):
    function, _, _ = image_filter
    phrase = rf"^x has shape \({shape[0]}, .*a filter needs a batch of 2-D images.*x\.reshape\(len\(x\), 28, 28\)"
    with pytest.raises(ValueError, match=phrase):
        function(np.zeros(shape, np.float32))


def test_filters_reject_bad_images(image_filter, bad_pixels):
    function, _, _ = image_filter
    with bad_pixels.raises("x"):
        function(bad_pixels.value)


def test_median_filter_rejects_bad_sizes(digits, bad_count):
    with bad_count.raises("size"):
        median_filter(digits, size=bad_count.value)


@pytest.mark.parametrize(
    "sigma, error, phrase",
    [(-1.0, ValueError, r"at least 0, got -1\.0"), (float("nan"), ValueError, "finite"), (True, TypeError, "bool")],
    ids=["negative", "nan", "bool"],
)
def test_gaussian_blur_rejects_bad_sigmas(digits, sigma, error, phrase):
    with pytest.raises(error, match=rf"^sigma .*{phrase}"):
        gaussian_blur(digits, sigma=sigma)
