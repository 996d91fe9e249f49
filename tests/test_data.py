"""aeutils.data: IDX parsing, the verified mirror, the keras fallback, the MNIST sample and the array views."""

from __future__ import annotations

import gzip
import hashlib
import os
from pathlib import Path

import keras
import numpy as np
import pytest

import aeutils
import aeutils.data
from aeutils import DataError, as_channels, as_flat, load_mnist, read_idx

REAL_SAMPLE_HELD_OUT_COUNTS = [196, 227, 206, 202, 196, 178, 192, 206, 195, 202]


def assert_same_mnist(a, b):
    """Two load_mnist results hold identical arrays, dtypes included."""
    for left, right in zip((*a[0], *a[1]), (*b[0], *b[1]), strict=True):
        assert left.dtype == right.dtype
        np.testing.assert_array_equal(left, right)


def image_ids(images: np.ndarray) -> np.ndarray:
    """The index in the fake file that each image carries in its pixel (0, 0)."""
    return np.rint(images[:, 0, 0] * 255).astype(int)


def keras_returns(monkeypatch, arrays):
    monkeypatch.setattr(keras.datasets.mnist, "load_data", lambda *args, **kwargs: arrays)


# --------------------------------------------------------------------------------------------------------------
# read_idx
# --------------------------------------------------------------------------------------------------------------

SMALL = np.arange(60, dtype=np.uint8).reshape(3, 4, 5)


@pytest.mark.parametrize("compress", [True, False], ids=["gzip", "uncompressed"])
def test_read_idx_reads_gzip_and_uncompressed_files(tmp_path, write_idx, compress):
    path = write_idx(tmp_path / "small-idx3-ubyte.gz", SMALL, compress=compress)
    array = read_idx(path)
    assert array.dtype == np.uint8
    np.testing.assert_array_equal(array, SMALL)


def test_read_idx_reads_one_dimensional_label_files(tmp_path, write_idx):
    labels = np.array([7, 2, 1, 0, 4], dtype=np.uint8)
    np.testing.assert_array_equal(read_idx(write_idx(tmp_path / "labels-idx1-ubyte.gz", labels)), labels)


def test_read_idx_accepts_a_string_path_and_the_right_checksum(tmp_path, write_idx):
    path = write_idx(tmp_path / "small.gz", SMALL)
    sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
    np.testing.assert_array_equal(read_idx(str(path), sha256=sha256), SMALL)


def test_read_idx_rejects_a_checksum_mismatch_naming_the_file(tmp_path, write_idx):
    path = write_idx(tmp_path / "t10k-labels-idx1-ubyte.gz", np.zeros(5, np.uint8))
    phrase = r"t10k-labels-idx1-ubyte\.gz fails its checksum: SHA-256 [0-9a-f]{64}, expected 0{64}.*delete it"
    with pytest.raises(DataError, match=phrase):
        read_idx(path, sha256="0" * 64)


def test_read_idx_rejects_a_missing_file_and_says_how_to_get_it(tmp_path):
    phrase = r"missing-idx3-ubyte\.gz does not exist\..*AEUTILS_DATA_DIR=/path/to/that/folder"
    with pytest.raises(DataError, match=phrase):
        read_idx(tmp_path / "missing-idx3-ubyte.gz")


def test_read_idx_rejects_a_folder(tmp_path):
    with pytest.raises(DataError, match="does not exist"):
        read_idx(tmp_path)


@pytest.mark.parametrize(
    "data_bytes, header",
    [(b"hello, world\n", "68656c6c"), (b"", "empty"), (b"\x00\x00\x0d\x01" + bytes(8), "00000d01")],
    ids=["text", "empty", "float-IDX"],
)
@pytest.mark.parametrize("compress", [True, False], ids=["gzip", "uncompressed"])
def test_read_idx_rejects_a_file_that_is_not_an_idx_of_bytes(tmp_path, write_idx, data_bytes, header, compress):
    path = write_idx(tmp_path / "notes.gz", data_bytes, compress=compress)
    with pytest.raises(DataError, match=rf"notes\.gz is not an IDX file of unsigned bytes \(its header is {header}"):
        read_idx(path)


def test_read_idx_rejects_a_file_truncated_inside_its_header(tmp_path, write_idx, idx_bytes):
    path = write_idx(tmp_path / "short.gz", idx_bytes(SMALL)[:10])  # 3 dimensions announced, 1.5 given
    with pytest.raises(DataError, match=r"short\.gz is truncated inside its IDX header"):
        read_idx(path)


def test_read_idx_rejects_a_header_with_no_dimensions(tmp_path, write_idx):
    with pytest.raises(DataError, match="truncated inside its IDX header"):
        read_idx(write_idx(tmp_path / "zero.gz", b"\x00\x00\x08\x00"))


@pytest.mark.parametrize("cut, held", [(-7, 53), (+4, 64)], ids=["truncated", "padded"])
def test_read_idx_rejects_data_that_disagrees_with_the_header(tmp_path, write_idx, idx_bytes, cut, held):
    raw = idx_bytes(SMALL)
    raw = raw[:cut] if cut < 0 else raw + bytes(cut)
    path = write_idx(tmp_path / "cut.gz", raw)
    phrase = rf"cut\.gz holds {held} data bytes but its header announces shape \(3, 4, 5\) \(60 bytes\)"
    with pytest.raises(DataError, match=phrase):
        read_idx(path)


def _cut_short(data: bytes) -> bytes:
    return data[:-12]


def _bad_crc(data: bytes) -> bytes:
    return data[:-8] + bytes(x ^ 0xFF for x in data[-8:-4]) + data[-4:]


def _scrambled_stream(data: bytes) -> bytes:
    return data[:10] + b"\xff" * 20 + data[30:]


@pytest.mark.parametrize("damage", [_cut_short, _bad_crc, _scrambled_stream], ids=["cut-short", "bad-crc", "scrambled"])
def test_read_idx_rejects_a_damaged_gzip_file(tmp_path, idx_bytes, damage):
    path = tmp_path / "damaged-idx3-ubyte.gz"
    path.write_bytes(damage(gzip.compress(idx_bytes(SMALL), mtime=0)))
    with pytest.raises(DataError, match=r"damaged-idx3-ubyte\.gz is a damaged gzip file .*download it again"):
        read_idx(path)


# --------------------------------------------------------------------------------------------------------------
# load_mnist from a mirror folder: the MNIST sample
# --------------------------------------------------------------------------------------------------------------


def test_sample_has_the_sample_sizes_dtypes_and_pixel_range(mirror):
    (x_train, y_train), (x_test, y_test) = load_mnist(data_dir=mirror.folder)
    assert mirror.sample_train_size == 80 and len(mirror.test_labels) == 100
    assert x_train.shape == (80, 28, 28) and x_test.shape == (20, 28, 28)
    assert y_train.shape == (80,) and y_test.shape == (20,)
    assert x_train.dtype == x_test.dtype == np.float32
    assert y_train.dtype == y_test.dtype == np.int64
    both = np.concatenate([x_train, x_test])
    assert both.min() == 0.0 and both.max() == 1.0


def test_sample_pixels_are_the_file_bytes_divided_by_255(mirror):
    (x_train, _), _ = load_mnist(data_dir=mirror.folder)
    expected = mirror.test_images[image_ids(x_train)].astype(np.float32) / np.float32(255)
    np.testing.assert_array_equal(x_train, expected)


def test_sample_is_stratified_by_digit(mirror):
    (_, y_train), (_, y_test) = load_mnist(data_dir=mirror.folder)
    counts = np.array(mirror.test_counts)
    train_counts, test_counts = np.bincount(y_train, minlength=10), np.bincount(y_test, minlength=10)
    np.testing.assert_array_equal(train_counts + test_counts, counts)
    quotas = counts * mirror.sample_train_size / counts.sum()  # each digit's share of the 80 training images
    assert np.all(np.abs(train_counts - quotas) < 1)
    assert mirror.test_counts == (5, 15, 10, 10, 10, 10, 10, 10, 12, 8)
    # Largest remainder: 0.8 * 12 = 9.6 rounds up, 0.8 * 8 = 6.4 rounds down, the rest are whole.
    np.testing.assert_array_equal(train_counts, [4, 12, 8, 8, 8, 8, 8, 8, 10, 6])


def test_sample_train_and_held_out_images_do_not_overlap_and_keep_their_labels(mirror):
    (x_train, y_train), (x_test, y_test) = load_mnist(data_dir=mirror.folder)
    train_ids, test_ids = image_ids(x_train), image_ids(x_test)
    assert not set(train_ids) & set(test_ids)
    assert sorted([*train_ids, *test_ids]) == list(range(100))
    np.testing.assert_array_equal(y_train, mirror.test_labels[train_ids])
    np.testing.assert_array_equal(y_test, mirror.test_labels[test_ids])


def test_sample_is_the_same_on_every_call(mirror):
    assert_same_mnist(load_mnist(data_dir=mirror.folder), load_mnist(data_dir=mirror.folder))


def test_sample_split_depends_on_the_books_fixed_seed(mirror, monkeypatch):
    (x_train, _), _ = load_mnist(data_dir=mirror.folder)
    monkeypatch.setattr(aeutils.data, "SAMPLE_SEED", aeutils.data.SAMPLE_SEED + 1)
    (x_other, _), _ = load_mnist(data_dir=mirror.folder)
    assert set(image_ids(x_train)) != set(image_ids(x_other))


def test_sample_reads_no_training_files(make_mirror):
    mirror = make_mirror(with_train=False)
    (x_train, _), _ = load_mnist(data_dir=mirror.folder)
    assert len(x_train) == 80


def test_validation_split_is_carved_from_the_training_images_stratified(mirror):
    (x_train, y_train), (x_test, y_test) = load_mnist(data_dir=mirror.folder)
    (x_fit, y_fit), (x_val, y_val), (x_held, y_held) = load_mnist(data_dir=mirror.folder, validation=20)
    assert len(x_fit) == 60 and len(x_val) == 20
    np.testing.assert_array_equal(x_held, x_test)  # the held-out images do not move
    np.testing.assert_array_equal(y_held, y_test)
    fit_ids, val_ids = image_ids(x_fit), image_ids(x_val)
    assert not set(fit_ids) & set(val_ids)
    assert sorted([*fit_ids, *val_ids]) == sorted(image_ids(x_train))
    np.testing.assert_array_equal(y_val, mirror.test_labels[val_ids])
    train_counts, val_counts = np.bincount(y_train, minlength=10), np.bincount(y_val, minlength=10)
    assert np.all(np.abs(val_counts - train_counts * 20 / 80) < 1)  # each digit keeps its share
    assert x_val.dtype == np.float32 and y_val.dtype == np.int64


def test_validation_split_is_the_same_on_every_call(mirror):
    first = load_mnist(data_dir=mirror.folder, validation=20)
    second = load_mnist(data_dir=mirror.folder, validation=20)
    for (x_a, y_a), (x_b, y_b) in zip(first, second, strict=True):
        np.testing.assert_array_equal(x_a, x_b)
        np.testing.assert_array_equal(y_a, y_b)


@pytest.mark.parametrize(
    ("validation", "error", "message"),
    [
        (-1, ValueError, "at least 0"),
        (80, ValueError, "no training images"),
        (1.5, TypeError, "integer"),
        (True, TypeError, "integer"),
    ],
)
def test_validation_split_must_leave_training_images(mirror, validation, error, message):
    with pytest.raises(error, match=message):
        load_mnist(data_dir=mirror.folder, validation=validation)


# --------------------------------------------------------------------------------------------------------------
# load_mnist: the full split, the environment switches and the mirror's errors
# --------------------------------------------------------------------------------------------------------------


def test_full_reads_the_official_train_and_test_files(mirror):
    (x_train, y_train), (x_test, y_test) = load_mnist(full=True, data_dir=mirror.folder)
    np.testing.assert_array_equal(x_train, mirror.train_images / np.float32(255))
    np.testing.assert_array_equal(x_test, mirror.test_images / np.float32(255))
    np.testing.assert_array_equal(y_train, mirror.train_labels)
    np.testing.assert_array_equal(y_test, mirror.test_labels)
    assert x_train.dtype == x_test.dtype == np.float32 and y_train.dtype == y_test.dtype == np.int64


def test_full_without_train_files_names_the_missing_file(make_mirror):
    mirror = make_mirror(with_train=False)
    with pytest.raises(DataError, match=r"train-images-idx3-ubyte\.gz does not exist"):
        load_mnist(full=True, data_dir=mirror.folder)


@pytest.mark.parametrize("value", ["1", "true", "YES", " 1 "])
def test_full_mnist_environment_switch_is_honoured(mirror, monkeypatch, value):
    monkeypatch.setenv(aeutils.data.FULL_VARIABLE, value)
    (x_train, _), (x_test, _) = load_mnist(data_dir=mirror.folder)
    assert (len(x_train), len(x_test)) == (60, 100)


@pytest.mark.parametrize("value", ["0", "", "no"])
def test_full_mnist_environment_switch_off_gives_the_sample(mirror, monkeypatch, value):
    monkeypatch.setenv(aeutils.data.FULL_VARIABLE, value)
    (x_train, _), _ = load_mnist(data_dir=mirror.folder)
    assert len(x_train) == 80


def test_full_argument_overrides_the_environment_switch(mirror, monkeypatch):
    monkeypatch.setenv(aeutils.data.FULL_VARIABLE, "1")
    (x_train, _), _ = load_mnist(full=False, data_dir=mirror.folder)
    assert len(x_train) == 80


@pytest.mark.parametrize("full", ["yes", 1, 0.0])
def test_full_must_be_a_bool(mirror, full):
    with pytest.raises(TypeError, match=r"full must be True or False, got"):
        load_mnist(full=full, data_dir=mirror.folder)


def test_data_dir_environment_variable_names_the_mirror(mirror, monkeypatch):
    monkeypatch.setenv(aeutils.data.DATA_DIR_VARIABLE, str(mirror.folder))
    assert_same_mnist(load_mnist(), load_mnist(data_dir=mirror.folder))


def test_data_dir_argument_overrides_the_environment_variable(mirror, monkeypatch, tmp_path):
    monkeypatch.setenv(aeutils.data.DATA_DIR_VARIABLE, str(tmp_path / "nowhere"))
    (x_train, _), _ = load_mnist(data_dir=mirror.folder)
    assert len(x_train) == 80


def test_data_dir_expands_the_home_folder(mirror, monkeypatch):
    monkeypatch.setenv("HOME", str(mirror.folder.parent))
    assert_same_mnist(load_mnist(data_dir=f"~/{mirror.folder.name}"), load_mnist(data_dir=mirror.folder))


@pytest.mark.parametrize("where", ["a file", "nothing"])
def test_data_dir_that_is_not_a_folder_is_an_error(tmp_path, monkeypatch, where):
    target = tmp_path / "mnist"
    if where == "a file":
        target.write_text("not a folder")
    monkeypatch.setenv(aeutils.data.DATA_DIR_VARIABLE, str(target))
    with pytest.raises(DataError, match=r"AEUTILS_DATA_DIR points at .*mnist, which is not a folder\..*Download"):
        load_mnist()


def test_mirror_missing_the_test_files_names_them(tmp_path):
    with pytest.raises(DataError, match=r"t10k-images-idx3-ubyte\.gz does not exist"):
        load_mnist(data_dir=tmp_path)


def test_mirror_file_that_fails_its_official_checksum_is_never_used(mirror, write_idx):
    write_idx(mirror.folder / "t10k-labels-idx1-ubyte.gz", np.zeros(100, np.uint8))  # same size, other bytes
    with pytest.raises(DataError, match=r"t10k-labels-idx1-ubyte\.gz fails its checksum"):
        load_mnist(data_dir=mirror.folder)


def test_mirror_files_are_checked_against_the_official_sums(tmp_path, write_idx):
    """Without patched sums, files that are not the official ones fail (the real sums are in force)."""
    write_idx(tmp_path / "t10k-images-idx3-ubyte.gz", np.zeros((3, 28, 28), np.uint8))
    with pytest.raises(DataError, match=r"expected 8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"):
        load_mnist(data_dir=tmp_path)


@pytest.mark.parametrize(
    "arrays",
    [
        {"test_labels": np.zeros(99, np.uint8)},
        {"test_images": np.zeros((100, 784), np.uint8)},
        {"test_labels": np.zeros((100, 1), np.uint8)},
    ],
    ids=["count-mismatch", "flat-images", "2d-labels"],
)
def test_mirror_with_inconsistent_images_and_labels_is_an_error(make_mirror, arrays):
    mirror = make_mirror(**arrays)
    with pytest.raises(DataError, match=r"holds t10k images of shape .* expected \(n, 28, 28\) images with n labels"):
        load_mnist(data_dir=mirror.folder)


# --------------------------------------------------------------------------------------------------------------
# load_mnist: the keras.datasets fallback
# --------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("full", [False, True], ids=["sample", "full"])
def test_keras_fallback_gives_identical_arrays_to_the_mirror(mirror, monkeypatch, full):
    monkeypatch.delenv(aeutils.data.DATA_DIR_VARIABLE, raising=False)
    keras_returns(monkeypatch, mirror.keras_arrays())
    assert_same_mnist(load_mnist(full=full), load_mnist(full=full, data_dir=mirror.folder))


def test_empty_data_dir_variable_falls_back_to_keras(mirror, monkeypatch):
    monkeypatch.setenv(aeutils.data.DATA_DIR_VARIABLE, "")
    keras_returns(monkeypatch, mirror.keras_arrays())
    assert_same_mnist(load_mnist(), load_mnist(data_dir=mirror.folder))


def test_keras_fallback_failure_says_what_to_set_or_connect(monkeypatch):
    monkeypatch.delenv(aeutils.data.DATA_DIR_VARIABLE, raising=False)

    def offline(*args, **kwargs):
        raise Exception("URL fetch failure on https://storage.googleapis.com/.../mnist.npz: None -- [Errno -3]")

    monkeypatch.setattr(keras.datasets.mnist, "load_data", offline)
    phrase = r"AEUTILS_DATA_DIR is not set and keras\.datasets\.mnist could not download it \(Exception: URL fetch"
    with pytest.raises(DataError, match=phrase) as caught:
        load_mnist()
    assert "set AEUTILS_DATA_DIR=/path/to/that/folder, or connect to the internet" in str(caught.value)
    assert isinstance(caught.value.__cause__, Exception)


def test_data_error_is_a_runtime_error():
    assert issubclass(DataError, RuntimeError)


# --------------------------------------------------------------------------------------------------------------
# The real MNIST mirror (AEUTILS_DATA_DIR)
# --------------------------------------------------------------------------------------------------------------


def real_mirror_folder(environ) -> Path:
    """The real mirror named by AEUTILS_DATA_DIR; in CI its absence fails the run instead of skipping."""
    folder = environ.get(aeutils.data.DATA_DIR_VARIABLE)
    if folder:
        return Path(folder)
    if environ.get("CI") == "true":
        pytest.fail(
            "CI must set AEUTILS_DATA_DIR to the folder with the official MNIST files "
            "(t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz), so that the real MNIST sample is tested."
        )
    pytest.skip("AEUTILS_DATA_DIR is not set: the real MNIST mirror is not tested on this machine.")


def test_real_mirror_folder_fails_in_ci_without_the_data_dir():
    with pytest.raises(pytest.fail.Exception, match="CI must set AEUTILS_DATA_DIR"):
        real_mirror_folder({"CI": "true"})


def test_real_mirror_folder_skips_outside_ci_without_the_data_dir():
    with pytest.raises(pytest.skip.Exception, match="AEUTILS_DATA_DIR is not set"):
        real_mirror_folder({"CI": "false"})


def test_real_mirror_folder_is_the_data_dir():
    assert real_mirror_folder({"CI": "true", "AEUTILS_DATA_DIR": "/data/mnist"}) == Path("/data/mnist")


def test_real_mirror_gives_the_books_mnist_sample(monkeypatch):
    folder = real_mirror_folder(os.environ)
    sample = load_mnist(full=False)
    (x_train, y_train), (x_test, y_test) = sample
    assert x_train.shape == (8_000, 28, 28) and x_test.shape == (2_000, 28, 28)
    assert y_train.shape == (8_000,) and y_test.shape == (2_000,)
    assert x_train.dtype == x_test.dtype == np.float32 and y_train.dtype == y_test.dtype == np.int64
    assert x_train.min() == x_test.min() == 0.0 and x_train.max() == x_test.max() == 1.0
    assert np.bincount(y_test, minlength=10).tolist() == REAL_SAMPLE_HELD_OUT_COUNTS
    official_labels = read_idx(folder / "t10k-labels-idx1-ubyte.gz")
    np.testing.assert_array_equal(np.bincount(y_train) + np.bincount(y_test), np.bincount(official_labels))
    # keras.datasets.mnist cannot download here; fed the same official arrays, the keras path gives the same sample.
    official_test = (read_idx(folder / "t10k-images-idx3-ubyte.gz"), official_labels)
    keras_returns(monkeypatch, ((None, None), official_test))
    monkeypatch.delenv(aeutils.data.DATA_DIR_VARIABLE)
    assert_same_mnist(load_mnist(full=False), sample)


# --------------------------------------------------------------------------------------------------------------
# as_flat and as_channels
# --------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(6, 28, 28), (6, 28, 28, 1), (6, 784)])
def test_as_flat_gives_one_row_per_image(digits, shape):
    flat = as_flat(digits.reshape(shape))
    assert flat.shape == (6, 784) and flat.dtype == np.float32
    np.testing.assert_array_equal(flat, digits.reshape(6, -1))


@pytest.mark.parametrize("shape", [(6, 28, 28), (6, 28, 28, 1), (6, 784)])
def test_as_channels_gives_one_channel_images(digits, shape):
    channels = as_channels(digits.reshape(shape))
    assert channels.shape == (6, 28, 28, 1) and channels.dtype == np.float32
    np.testing.assert_array_equal(channels[..., 0], digits)


def test_as_channels_takes_other_sides():
    images = np.zeros((3, 16), np.float32)
    assert as_channels(images, side=4).shape == (3, 4, 4, 1)


def test_as_flat_and_as_channels_invert_each_other(digits):
    np.testing.assert_array_equal(as_channels(as_flat(digits))[..., 0], digits)


@pytest.mark.parametrize("view", [as_flat, as_channels])
def test_views_reject_bad_images(view, bad_pixels):
    with bad_pixels.raises("x"):
        view(bad_pixels.value)


@pytest.mark.parametrize("shape, side", [((2, 28, 28, 3), 28), ((2, 27, 27), 28), ((2, 784), 27)])
def test_as_channels_rejects_images_of_the_wrong_size(shape, side):
    phrase = rf"x has shape .*values per image cannot form a {side} x {side} x 1 image; pass side="
    with pytest.raises(ValueError, match=phrase):
        as_channels(np.zeros(shape, np.float32), side=side)


def test_as_channels_rejects_bad_sides(digits, bad_count):
    with bad_count.raises("side"):
        as_channels(digits, side=bad_count.value)
