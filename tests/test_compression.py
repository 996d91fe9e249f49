"""aeutils.compression: quantised codes as bytes, JPEG round trips and sizes, crops and rendered letters."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from aeutils import (
    code_bytes,
    decoder_from,
    dequantise,
    family_autoencoder,
    fit_code_range,
    image_detail,
    jpeg_round_trip,
    pack_codes,
    photo_crops,
    psnr_at_bytes,
    quantise,
    random_crops,
    render_letters,
    seed_everything,
    unpack_codes,
)

CODES = np.array([[0.0, -1.0, 5.0], [1.0, 1.0, 5.0], [0.5, 0.0, 5.0]], dtype=np.float32)


def test_code_range_is_per_dimension_and_widens_constant_dimensions():
    low, high = fit_code_range(CODES)
    np.testing.assert_allclose(low[:2], [0.0, -1.0])
    np.testing.assert_allclose(high[:2], [1.0, 1.0])
    assert low[2] < 5.0 < high[2]  # the constant dimension still has a (tiny) range


def test_quantise_by_hand_and_dequantise_round_trip():
    low, high = fit_code_range(CODES)
    levels = quantise(CODES, low, high, 2)  # 4 levels: 0, 1/3, 2/3, 1 of the range
    np.testing.assert_array_equal(levels[:, :2], [[0, 0], [3, 3], [2, 2]])  # 0.5 -> 1.5 -> 2 (round half to even)
    assert levels.dtype == np.uint8
    back = dequantise(levels, low, high, 2)
    assert back.dtype == np.float32 and back.shape == CODES.shape
    np.testing.assert_allclose(back[:, 0], [0.0, 1.0, 2 / 3], rtol=1e-6)
    # the error of a value inside the range is at most half a step
    rng = np.random.default_rng(0)
    codes = rng.normal(size=(50, 4)).astype(np.float32)
    low, high = fit_code_range(codes)
    for bits in (1, 4, 8, 12):
        error = np.abs(dequantise(quantise(codes, low, high, bits), low, high, bits) - codes)
        assert np.all(error <= (high - low) / (2**bits - 1) / 2 + 1e-5)


def test_values_outside_the_range_are_clipped():
    low, high = np.zeros(2), np.ones(2)
    levels = quantise(np.array([[-3.0, 9.0]]), low, high, 4)
    np.testing.assert_array_equal(levels, [[0, 15]])


@pytest.mark.parametrize(
    ("code_size", "bits", "expected"), [(32, 8, 32), (32, 4, 16), (3, 3, 2), (1, 1, 1), (5, 12, 8)]
)
def test_code_bytes_rounds_up(code_size, bits, expected):
    assert code_bytes(code_size, bits) == expected


@pytest.mark.parametrize("bits", [1, 3, 5, 8, 11, 16])
def test_pack_and_unpack_are_exact_and_as_long_as_code_bytes(bits):
    rng = np.random.default_rng(bits)
    levels = rng.integers(0, 2**bits, size=(7, 13)).astype(np.uint16 if bits > 8 else np.uint8)
    packed = pack_codes(levels, bits)
    assert packed.dtype == np.uint8 and packed.shape == (7, code_bytes(13, bits))
    np.testing.assert_array_equal(unpack_codes(packed, 13, bits), levels)


def test_bad_codes_and_ranges_are_refused():
    low, high = fit_code_range(CODES)
    with pytest.raises(TypeError, match="NumPy array"):
        fit_code_range([[0.0, 1.0]])
    with pytest.raises(ValueError, match=r"\(n, code_size\)"):
        fit_code_range(np.zeros((4, 2, 2)))
    with pytest.raises(ValueError, match="finite"):
        fit_code_range(np.array([[np.nan, 1.0]]))
    with pytest.raises(ValueError, match="one value per code dimension"):
        quantise(CODES, low[:2], high, 4)
    with pytest.raises(ValueError, match="high > low"):
        quantise(CODES, high, low, 4)
    with pytest.raises(ValueError, match="at most 16"):
        quantise(CODES, low, high, 17)
    with pytest.raises(ValueError, match="at least 1"):
        quantise(CODES, low, high, 0)
    with pytest.raises(TypeError, match="integer"):
        quantise(CODES, low, high, 4.0)
    with pytest.raises(ValueError, match="integers from 0 to 3"):
        dequantise(np.array([[4, 0, 0]]), low, high, 2)
    with pytest.raises(ValueError, match="integers from 0 to 15"):
        dequantise(CODES, low, high, 4)  # floats are not levels
    with pytest.raises(ValueError, match="integers from 0 to 1"):
        pack_codes(np.array([[2]]), 1)
    with pytest.raises(TypeError, match="uint8"):
        unpack_codes(np.zeros((2, 3), dtype=np.int64), 3, 8)
    with pytest.raises(ValueError, match="need 3"):
        unpack_codes(np.zeros((2, 4), dtype=np.uint8), 3, 8)


@pytest.mark.parametrize(
    ("kind", "code_size", "shape"), [("multilayer", 8, (784,)), ("convolutional", 32, (28, 28, 1))]
)
def test_decoder_from_decodes_as_the_autoencoder_does(kind, code_size, shape):
    seed_everything(0)
    autoencoder, encoder = family_autoencoder(kind, code_size, **({"hidden": 16} if kind == "multilayer" else {}))
    decoder = decoder_from(autoencoder)
    x = np.random.default_rng(0).uniform(size=(3, *shape)).astype(np.float32)
    assert decoder.input_shape == (None, code_size)
    np.testing.assert_allclose(
        decoder.predict(encoder.predict(x, verbose=0), verbose=0), autoencoder.predict(x, verbose=0), atol=1e-5
    )


def test_decoder_from_refuses_bad_models():
    with pytest.raises(TypeError, match="keras.Model"):
        decoder_from("model")
    inputs = keras.Input(shape=(4,))
    model = keras.Model(inputs, keras.layers.Dense(4, name="dense")(inputs))
    with pytest.raises(ValueError, match="no layer named 'code'"):
        decoder_from(model)


def test_jpeg_round_trip_sizes_and_quality():
    images = random_crops(np.linspace(0, 1, 64 * 64, dtype=np.float32).reshape(64, 64), 5, 28, seed=1)
    low, high = jpeg_round_trip(images, 5), jpeg_round_trip(images[..., None], 90)
    assert low.decoded.shape == images.shape and high.decoded.shape == (5, 28, 28, 1)
    assert low.decoded.dtype == np.float32 and 0 <= low.decoded.min() and low.decoded.max() <= 1
    # each smaller size leaves out something the larger one holds
    assert np.all(low.scan_bytes < low.image_bytes) and np.all(low.image_bytes < low.file_bytes)
    # tables optimised for the image code its scan in no more bytes than the standard tables
    assert np.all(low.optimised_scan_bytes <= low.scan_bytes) and np.all(low.optimised_scan_bytes > 0)
    assert np.all(high.scan_bytes > low.scan_bytes)  # a higher quality costs more bytes
    assert np.abs(high.decoded[..., 0] - images).mean() < np.abs(low.decoded - images).mean()
    assert high.quality == 90


def test_jpeg_sizes_match_the_streams_pillow_writes():
    import io

    from PIL import Image

    images = random_crops(np.random.default_rng(2).uniform(size=(40, 40)).astype(np.float32), 3, 28, seed=0)
    result = jpeg_round_trip(images, 20)
    for image, image_bytes, file_bytes in zip(images, result.image_bytes, result.file_bytes, strict=True):
        streams = {}
        for name, options in (("abbreviated", {"streamtype": 2}), ("file", {"optimize": True})):
            buffer = io.BytesIO()
            Image.fromarray(np.rint(image * 255).astype(np.uint8), mode="L").save(
                buffer, format="JPEG", quality=20, **options
            )
            streams[name] = len(buffer.getvalue())
        assert image_bytes == streams["abbreviated"] and file_bytes == streams["file"]


def test_jpeg_round_trip_refuses_bad_inputs():
    with pytest.raises(ValueError, match="greyscale"):
        jpeg_round_trip(np.zeros((2, 784), dtype=np.float32), 50)
    with pytest.raises(ValueError, match="from 1 to 95"):
        jpeg_round_trip(np.zeros((2, 28, 28), dtype=np.float32), 96)
    with pytest.raises(ValueError, match="at least 1"):
        jpeg_round_trip(np.zeros((2, 28, 28), dtype=np.float32), 0)
    with pytest.raises(ValueError, match="outside the pixel range"):
        jpeg_round_trip(np.full((2, 28, 28), 2.0, dtype=np.float32), 50)


def test_psnr_at_bytes_interpolates_and_refuses_to_extrapolate():
    assert psnr_at_bytes([10, 20, 40], [15.0, 20.0, 30.0], 30) == pytest.approx(25.0)
    assert psnr_at_bytes([40, 10, 20], [30.0, 15.0, 20.0], 10) == pytest.approx(15.0)  # any order
    with pytest.raises(ValueError, match="outside"):
        psnr_at_bytes([10, 20], [15.0, 20.0], 5)
    with pytest.raises(ValueError, match="same length"):
        psnr_at_bytes([10, 20], [15.0], 15)


def test_random_crops_are_seeded_and_checked():
    image = np.random.default_rng(0).uniform(size=(40, 50)).astype(np.float32)
    a, b, c = random_crops(image, 4, 28, seed=3), random_crops(image, 4, 28, seed=3), random_crops(image, 4, 28, seed=4)
    assert a.shape == (4, 28, 28)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    with pytest.raises(ValueError, match="does not fit"):
        random_crops(image, 2, 41)
    with pytest.raises(ValueError, match="one greyscale image"):
        random_crops(image[None], 2, 10)
    with pytest.raises(ValueError, match="at least 1"):
        random_crops(image, 0, 10)


def test_photo_crops_come_from_the_bundled_photographs():
    crops = photo_crops(5, seed=0)
    assert crops.shape == (5, 28, 28) and crops.dtype == np.float32
    assert 0 <= crops.min() and crops.max() <= 1 and crops.std() > 0
    np.testing.assert_array_equal(crops, photo_crops(5, seed=0))


def test_detail_measures_edges_not_brightness_or_one_soft_edge():
    flat = np.full((1, 28, 28), 0.7, dtype=np.float32)
    ramp = np.tile(np.linspace(0, 1, 28, dtype=np.float32), (1, 28, 1))  # one smooth gradient
    checker = (np.indices((28, 28)).sum(axis=0) % 2).astype(np.float32)[None]
    np.testing.assert_allclose(image_detail(flat), [0.0])
    np.testing.assert_allclose(image_detail(ramp), [1 / 27 / 2], rtol=1e-5)  # large std, little detail
    np.testing.assert_allclose(image_detail(checker), [1.0])
    with pytest.raises(ValueError, match="batch of greyscale images"):
        image_detail(np.zeros((28, 28), dtype=np.float32))


def test_photo_crops_can_keep_only_detailed_crops():
    plain, detailed = photo_crops(40, seed=0), photo_crops(40, seed=0, min_detail=0.06)
    assert detailed.shape == (40, 28, 28) and detailed.dtype == np.float32
    assert image_detail(plain).min() < 0.06  # some crops drawn at random are nearly flat
    assert np.all(image_detail(detailed) > 0.06)
    np.testing.assert_array_equal(detailed, photo_crops(40, seed=0, min_detail=0.06))
    np.testing.assert_array_equal(plain, photo_crops(40, seed=0, min_detail=0))  # the default keeps every crop
    with pytest.raises(ValueError, match="below 1"):
        photo_crops(4, min_detail=1.0)
    with pytest.raises(ValueError, match="at least 0"):
        photo_crops(4, min_detail=-0.1)
    with pytest.raises(ValueError, match="smaller min_detail"):
        photo_crops(2, min_detail=0.6)


def test_render_letters_like_mnist_digits():
    letters = render_letters("AbZ")
    assert letters.shape == (3, 28, 28) and letters.dtype == np.float32
    assert 0 <= letters.min() and letters.max() <= 1
    assert np.all(letters[:, :3].max(axis=(1, 2)) == 0)  # a black border, as in MNIST
    rows = np.arange(28)[None, :, None]
    centre = (letters * rows).sum(axis=(1, 2)) / letters.sum(axis=(1, 2))
    np.testing.assert_allclose(centre, 14, atol=1.0)  # centre of mass in the middle
    for bad in ("", "A B", 5):
        with pytest.raises(ValueError, match="visible characters"):
            render_letters(bad)
    with pytest.raises(ValueError, match="must not exceed"):
        render_letters("A", size=10, box=20)
