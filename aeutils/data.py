"""The MNIST sample every chapter trains on, loaded from a verified IDX mirror or from keras.datasets.

The book trains on *the MNIST sample*: the 10,000 digits of MNIST's official test split, divided once,
stratified by label with a fixed seed, into 8,000 training and 2,000 held-out images. ``full=True`` switches
to the official 60,000/10,000 split.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import zlib
from pathlib import Path

import numpy as np

from aeutils._checks import as_image_array, positive_int

DATA_DIR_VARIABLE = "AEUTILS_DATA_DIR"
"""The environment variable naming a local folder with the official MNIST IDX files."""

FULL_VARIABLE = "AEUTILS_FULL_MNIST"
"""Set this environment variable to 1 to make every chapter use the official 60,000/10,000 split."""

OFFICIAL_SHA256 = {
    "train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
    "train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
    "t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    "t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
}
"""SHA-256 sums of the four files of the official MNIST distribution."""

SAMPLE_TRAIN_SIZE = 8_000
SAMPLE_SEED = 20_061_998  # fixed once for the whole book: every chapter sees the same 8,000 / 2,000 images
VALIDATION_SEED = 19_980_611  # fixed too: load_mnist(validation=n) gives every chapter the same validation images

_IDX_DTYPES = {0x08: np.uint8}
_FIX_DOWNLOAD = (
    "Download the official MNIST files (train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, "
    "t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz) into a folder and set "
    f"{DATA_DIR_VARIABLE}=/path/to/that/folder, or connect to the internet and unset {DATA_DIR_VARIABLE} so "
    "that keras.datasets.mnist can download them."
)


class DataError(RuntimeError):
    """The MNIST data could not be found, downloaded, verified or parsed."""


def read_idx(path: str | os.PathLike, sha256: str | None = None) -> np.ndarray:
    """Read an IDX file (gzip-compressed or not) into a NumPy array, verifying its SHA-256 sum if given.

    Raises :class:`DataError` naming the file when it is missing, fails its checksum, is not an IDX file,
    or is truncated.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path} does not exist. {_FIX_DOWNLOAD}")
    raw = path.read_bytes()
    if sha256 is not None:
        actual = hashlib.sha256(raw).hexdigest()
        if actual != sha256:
            raise DataError(
                f"{path} fails its checksum: SHA-256 {actual}, expected {sha256}. The file is corrupted or not "
                f"the official one; delete it and download it again. {_FIX_DOWNLOAD}"
            )
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as error:
            raise DataError(f"{path} is a damaged gzip file ({error}); download it again.") from error
    if len(raw) < 4 or raw[:2] != b"\x00\x00" or raw[2] not in _IDX_DTYPES:
        raise DataError(
            f"{path} is not an IDX file of unsigned bytes (its header is {raw[:4].hex() or 'empty'}, expected "
            "00 00 08 followed by the number of dimensions). Point the loader at the official MNIST files."
        )
    ndim = raw[3]
    header = 4 + 4 * ndim
    if ndim == 0 or len(raw) < header:
        raise DataError(f"{path} is truncated inside its IDX header; download it again.")
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    expected = int(np.prod(shape))
    if len(raw) - header != expected:
        raise DataError(
            f"{path} holds {len(raw) - header} data bytes but its header announces shape {shape} "
            f"({expected} bytes): the file is truncated or padded; download it again."
        )
    return np.frombuffer(raw, dtype=_IDX_DTYPES[raw[2]], offset=header).reshape(shape)


def _read_split(folder: Path, prefix: str) -> tuple[np.ndarray, np.ndarray]:
    images = read_idx(folder / f"{prefix}-images-idx3-ubyte.gz", OFFICIAL_SHA256[f"{prefix}-images-idx3-ubyte.gz"])
    labels = read_idx(folder / f"{prefix}-labels-idx1-ubyte.gz", OFFICIAL_SHA256[f"{prefix}-labels-idx1-ubyte.gz"])
    if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
        raise DataError(
            f"{folder} holds {prefix} images of shape {images.shape} and labels of shape {labels.shape}; "
            "expected (n, 28, 28) images with n labels."
        )
    return images, labels


def _from_mirror(folder: Path, full: bool) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    if not folder.is_dir():
        raise DataError(f"{DATA_DIR_VARIABLE} points at {folder}, which is not a folder. {_FIX_DOWNLOAD}")
    test = _read_split(folder, "t10k")
    train = _read_split(folder, "train") if full else None
    return train, test


def _from_keras(full: bool) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    import keras

    try:
        train, test = keras.datasets.mnist.load_data()
    except Exception as error:  # keras raises bare Exceptions for network failures
        raise DataError(
            f"MNIST is not available: {DATA_DIR_VARIABLE} is not set and keras.datasets.mnist could not "
            f"download it ({type(error).__name__}: {error}). {_FIX_DOWNLOAD}"
        ) from error
    return (train if full else None), test


def _stratified_split(labels: np.ndarray, size: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices of ``size`` images stratified by digit and chosen with ``seed``, and of the others.

    Each digit gets its share of the ``size`` images (largest remainders round the shares so that they add up
    exactly); the rest of that digit goes to the second part.
    """
    digits, counts = np.unique(labels, return_counts=True)
    quotas = counts * (size / len(labels))
    sizes = np.floor(quotas).astype(int)
    sizes[np.argsort(sizes - quotas, kind="stable")[: size - sizes.sum()]] += 1
    rng = np.random.default_rng(seed)
    chosen, others = [], []
    for digit, share in zip(digits, sizes, strict=True):
        members = rng.permutation(np.flatnonzero(labels == digit))
        chosen.append(members[:share])
        others.append(members[share:])
    return np.sort(np.concatenate(chosen)), np.sort(np.concatenate(others))


def load_mnist(
    full: bool | None = None, data_dir: str | os.PathLike | None = None, validation: int = 0
) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    """Load MNIST as ``(x_train, y_train), (x_test, y_test)`` with float32 pixels in [0, 1], shaped (n, 28, 28).

    By default this is the MNIST sample: the official test digits split, stratified by label, into 8,000
    training and 2,000 held-out images. ``full=True`` (or the environment variable ``AEUTILS_FULL_MNIST=1``)
    gives the official 60,000/10,000 split instead.

    ``validation=n`` carves a validation split of ``n`` images out of the training images, stratified by digit
    with a fixed seed, and returns three pairs, ``(x_train, y_train), (x_val, y_val), (x_test, y_test)``: make
    every choice (epochs, learning rate, penalty, threshold) on the validation images, and let the held-out
    images only report. The held-out images are the same with or without it.

    The files come from ``data_dir``, else from the folder named by ``AEUTILS_DATA_DIR`` (checked against the
    SHA-256 sums of the official files, recorded below), else from ``keras.datasets.mnist`` (which downloads and
    caches). Both sources give identical arrays. Raises :class:`DataError` saying what to set or connect when
    neither works.
    """
    if full is None:
        full = os.environ.get(FULL_VARIABLE, "0").strip().lower() in {"1", "true", "yes"}
    if not isinstance(full, bool):
        raise TypeError(f"full must be True or False, got {full!r}.")
    validation = positive_int(validation, "validation", minimum=0)
    folder = data_dir if data_dir is not None else os.environ.get(DATA_DIR_VARIABLE) or None
    if folder is not None:
        train, test = _from_mirror(Path(folder).expanduser(), full)
    else:
        train, test = _from_keras(full)
    if full:
        (x_train, y_train), (x_test, y_test) = train, test
    else:
        images, labels = test
        train_idx, test_idx = _stratified_split(labels, SAMPLE_TRAIN_SIZE, SAMPLE_SEED)
        x_train, y_train, x_test, y_test = images[train_idx], labels[train_idx], images[test_idx], labels[test_idx]
    pairs = [(x_train, y_train), (x_test, y_test)]
    if validation:
        if validation >= len(y_train):
            raise ValueError(
                f"validation={validation} would leave no training images (there are {len(y_train)}); "
                "ask for a fraction of them, e.g. validation=1000 of the sample's 8,000."
            )
        val_idx, fit_idx = _stratified_split(y_train, validation, VALIDATION_SEED)
        pairs = [(x_train[fit_idx], y_train[fit_idx]), (x_train[val_idx], y_train[val_idx]), (x_test, y_test)]
    return tuple((_to_unit_floats(x), y.astype(np.int64)) for x, y in pairs)


def _to_unit_floats(images: np.ndarray) -> np.ndarray:
    return images.astype(np.float32) / np.float32(255)


def as_flat(x: np.ndarray) -> np.ndarray:
    """View a batch of images as flat vectors, shape (n, height * width * channels), for dense models."""
    x = as_image_array(x, "x")
    return x.reshape(len(x), -1)


def as_channels(x: np.ndarray, side: int = 28) -> np.ndarray:
    """View a batch of square one-channel images as (n, side, side, 1), the layout convolutional models use."""
    x = as_image_array(x, "x")
    side = positive_int(side, "side")
    if x[0].size != side * side:
        raise ValueError(
            f"x has shape {x.shape}: {x[0].size} values per image cannot form a {side} x {side} x 1 image; "
            "pass side= for other sizes."
        )
    return x.reshape(len(x), side, side, 1)
