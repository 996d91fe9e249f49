"""Shared fixtures for the unit tests of aeutils, the book built once for the tests of the book and the site, and
the headless Chromium that tests/test_site.py and tests/test_jupyterlab.py drive.

Matplotlib is switched to its non-interactive Agg backend here, before anything imports pyplot (aeutils.plots
does, when aeutils is imported). Every test runs without network access and with the book's environment
switches cleared, so results never depend on the machine.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import re
import shutil
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import aeutils  # noqa: E402
import aeutils.data  # noqa: E402

IMAGE_SIDE = 28


# --------------------------------------------------------------------------------------------------------------
# Isolation: no network, no environment switches, no figures left open
# --------------------------------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Fail loudly if a test tries to reach the network (keras' MNIST download or any socket)."""

    def refuse_download(*args, **kwargs):
        raise AssertionError("a unit test tried to download MNIST through keras.datasets.mnist.load_data")

    connect = socket.socket.connect

    def local_connect_only(self, address, *args, **kwargs):
        host = address if isinstance(address, (str, bytes)) else address[0]  # a str or bytes path is a Unix socket
        if isinstance(address, (str, bytes)) or host in {"localhost", "127.0.0.1", "::1"}:
            return connect(self, address, *args, **kwargs)
        raise AssertionError(f"a unit test tried to open a network connection to {address!r}")

    monkeypatch.setattr("keras.datasets.mnist.load_data", refuse_download)
    monkeypatch.setattr(socket.socket, "connect", local_connect_only)


@pytest.fixture(autouse=True)
def no_full_mnist_switch(monkeypatch):
    """The book's AEUTILS_FULL_MNIST switch would change what load_mnist returns; tests set it explicitly."""
    monkeypatch.delenv(aeutils.data.FULL_VARIABLE, raising=False)


@pytest.fixture(autouse=True)
def close_figures():
    """Close every figure a test opened, so that none leaks into the next test."""
    yield
    plt.close("all")


# --------------------------------------------------------------------------------------------------------------
# IDX files and fake MNIST mirrors
# --------------------------------------------------------------------------------------------------------------


def _idx_bytes(array: np.ndarray) -> bytes:
    array = np.ascontiguousarray(array, dtype=np.uint8)
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    return header + array.tobytes()


@pytest.fixture
def idx_bytes():
    """Return ``encode(array) -> bytes``: 00 00 08 ndim, the big-endian dimensions, then the uint8 data."""
    return _idx_bytes


@pytest.fixture
def write_idx():
    """Return ``write(path, array_or_bytes, compress=True) -> Path`` writing an (optionally gzipped) IDX file."""

    def write(path: Path, content: np.ndarray | bytes, compress: bool = True) -> Path:
        raw = content if isinstance(content, bytes) else _idx_bytes(content)
        path = Path(path)
        path.write_bytes(gzip.compress(raw, mtime=0) if compress else raw)
        return path

    return write


def _sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


# Deliberately unequal class sizes, in shuffled order, so that stratification has something to get right.
FAKE_TEST_COUNTS = (5, 15, 10, 10, 10, 10, 10, 10, 12, 8)  # 100 images
FAKE_TRAIN_COUNTS = (6,) * 10  # 60 images
FAKE_SAMPLE_TRAIN_SIZE = 80


def fake_split(counts: tuple[int, ...], seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Random uint8 digits whose pixel (0, 0) holds the image's index in the file, so images can be told apart."""
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.repeat(np.arange(10), counts)).astype(np.uint8)
    images = rng.integers(0, 256, size=(len(labels), IMAGE_SIDE, IMAGE_SIDE), dtype=np.uint8)
    images[:, 0, 0] = np.arange(len(labels))
    images[0, -1, -1], images[1, -1, -1] = 0, 255  # both ends of the pixel scale occur
    return images, labels


@dataclass
class FakeMirror:
    """A folder laid out like the official MNIST distribution, with the arrays written into it."""

    folder: Path
    train_images: np.ndarray
    train_labels: np.ndarray
    test_images: np.ndarray
    test_labels: np.ndarray
    test_counts: tuple[int, ...] = FAKE_TEST_COUNTS
    sample_train_size: int = FAKE_SAMPLE_TRAIN_SIZE

    def keras_arrays(self):
        """What keras.datasets.mnist.load_data() returns for the same data."""
        return (self.train_images.copy(), self.train_labels.copy()), (self.test_images.copy(), self.test_labels.copy())


@pytest.fixture
def make_mirror(tmp_path, monkeypatch, write_idx):
    """Return ``make(name="mirror", with_train=True, **arrays) -> FakeMirror``.

    The files get the official names; aeutils.data.OFFICIAL_SHA256 is patched with their sums and the sample's
    training size with FAKE_SAMPLE_TRAIN_SIZE (80 of the 100 fake test digits).
    """
    monkeypatch.setattr(aeutils.data, "SAMPLE_TRAIN_SIZE", FAKE_SAMPLE_TRAIN_SIZE)
    sums = dict(aeutils.data.OFFICIAL_SHA256)
    monkeypatch.setattr(aeutils.data, "OFFICIAL_SHA256", sums)

    def make(name: str = "mirror", with_train: bool = True, **arrays: np.ndarray) -> FakeMirror:
        folder = tmp_path / name
        folder.mkdir()
        train_images, train_labels = fake_split(FAKE_TRAIN_COUNTS, seed=1)
        test_images, test_labels = fake_split(FAKE_TEST_COUNTS, seed=2)
        mirror = FakeMirror(folder, train_images, train_labels, test_images, test_labels)
        for field, value in arrays.items():
            setattr(mirror, field, value)
        prefixes = ("t10k", "train") if with_train else ("t10k",)
        for prefix in prefixes:
            split = "test" if prefix == "t10k" else "train"
            for kind, idx_kind in (("images", "idx3"), ("labels", "idx1")):
                filename = f"{prefix}-{kind}-{idx_kind}-ubyte.gz"
                path = write_idx(folder / filename, getattr(mirror, f"{split}_{kind}"))
                sums[filename] = _sha256(path)
        return mirror

    return make


@pytest.fixture
def mirror(make_mirror) -> FakeMirror:
    """A complete fake mirror: 100 test digits (unequal classes) and 60 training digits."""
    return make_mirror()


# --------------------------------------------------------------------------------------------------------------
# Bad inputs shared by every function that takes images or counts
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BadInput:
    """A bad argument, the error it must raise and a regular expression for the message's key phrase."""

    value: object
    error: type[Exception]
    phrase: str

    def raises(self, name: str):
        """``pytest.raises`` for this error, also requiring the message to start with the argument's name."""
        return pytest.raises(self.error, match=rf"^{re.escape(name)} .*{self.phrase}")


def _images(fill: float = 0.5, shape=(2, IMAGE_SIDE, IMAGE_SIDE)) -> np.ndarray:
    return np.full(shape, fill, dtype=np.float32)


def _with(value: float) -> np.ndarray:
    images = _images()
    images[1, 3, 4] = value
    return images


_BAD_ANY_VALUES = {
    "nested list": BadInput(_images().tolist(), TypeError, r"must be a NumPy array, got list.*np\.asarray"),
    "uint8 pixels": BadInput(
        np.zeros((2, IMAGE_SIDE, IMAGE_SIDE), np.uint8), TypeError, r"dtype uint8.*astype\('float32'\) / 255"
    ),
    "int64 pixels": BadInput(np.zeros((2, IMAGE_SIDE, IMAGE_SIDE), np.int64), TypeError, r"dtype int64.*floats"),
    "no batch axis": BadInput(_images(shape=(IMAGE_SIDE * IMAGE_SIDE,)), ValueError, r"shape \(784,\).*x\[None\]"),
    "empty batch": BadInput(_images(shape=(0, IMAGE_SIDE, IMAGE_SIDE)), ValueError, r"non-empty batch"),
    "NaN": BadInput(_with(np.nan), ValueError, r"contains 1 NaN or infinite values.*learning rate"),
    "inf": BadInput(_with(np.inf), ValueError, r"contains 1 NaN or infinite values"),
}
_BAD_PIXEL_RANGE = {
    "above 1": BadInput(_with(1.5), ValueError, r"values in \[0\.5, 1\.5\], outside the pixel range \[0, 1\].*/ 255"),
    "below 0": BadInput(_with(-0.25), ValueError, r"values in \[-0\.25, 0\.5\].*np\.clip\(x, 0, 1\)"),
}
_BAD_PIXELS = {**_BAD_ANY_VALUES, **_BAD_PIXEL_RANGE}


@pytest.fixture(params=list(_BAD_PIXELS.values()), ids=list(_BAD_PIXELS))
def bad_pixels(request) -> BadInput:
    """Each way a batch of images with pixels in [0, 1] can be wrong."""
    return request.param


@pytest.fixture(params=list(_BAD_ANY_VALUES.values()), ids=list(_BAD_ANY_VALUES))
def bad_values(request) -> BadInput:
    """Each way a batch of real values (reconstructions, codes) can be wrong; any finite value is allowed."""
    return request.param


@pytest.fixture(params=list(_BAD_PIXEL_RANGE.values()), ids=list(_BAD_PIXEL_RANGE))
def out_of_range(request) -> BadInput:
    """Finite values outside [0, 1]: wrong for pixels, fine for reconstructions and codes."""
    return request.param


_BAD_COUNTS = {
    "zero": BadInput(0, ValueError, r"must be at least 1, got 0"),
    "negative": BadInput(-3, ValueError, r"must be at least 1, got -3"),
    "bool": BadInput(True, TypeError, r"must be an integer, got True of type bool"),
    "float": BadInput(2.0, TypeError, r"must be an integer, got 2\.0 of type float"),
    "string": BadInput("5", TypeError, r"must be an integer, got '5' of type str"),
}


@pytest.fixture(params=list(_BAD_COUNTS.values()), ids=list(_BAD_COUNTS))
def bad_count(request) -> BadInput:
    """Each way a positive integer argument (n, bins, code_size, every, ...) can be wrong."""
    return request.param


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(0)


@pytest.fixture
def digits(rng) -> np.ndarray:
    """Six random 28 x 28 'digits' with pixels in [0, 1], float32."""
    return rng.random((6, IMAGE_SIDE, IMAGE_SIDE), dtype=np.float32)


# --------------------------------------------------------------------------------------------------------------
# The book, built once per test session (tests/test_book.py checks the build, tests/test_site.py the site)
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BookBuild:
    """The outcome of `jupyter-book build . -W -n --keep-going` into a temporary folder."""

    returncode: int
    log: str
    html: Path

    def require_success(self) -> Path:
        """The HTML folder, or fail the calling test if the build failed or warned."""
        if self.returncode != 0:
            pytest.fail(f"the book build failed or warned (see test_book.py):\n{self.log[-6000:]}")
        return self.html


def build_book(output: Path, *options: str) -> BookBuild:
    """Build the book from the committed notebook outputs into `output`/_build, warnings as errors."""
    root = Path(__file__).resolve().parents[1]
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    command = [str(jupyter_book), "build", str(root), "--path-output", str(output), "-W", "-n", "--keep-going"]
    result = subprocess.run([*command, *options], capture_output=True, text=True)
    builder = options[options.index("--builder") + 1] if "--builder" in options else "html"
    return BookBuild(result.returncode, result.stdout + result.stderr, output / "_build" / builder)


@pytest.fixture(scope="session")
def built_book(tmp_path_factory) -> BookBuild:
    """The HTML book, built once per session (building is the slow part of the book's tests)."""
    return build_book(tmp_path_factory.mktemp("book"))


@pytest.fixture(scope="session")
def built_single_page(tmp_path_factory) -> BookBuild:
    """The book on one print-friendly page (`make book-singlehtml`), built once per session: html/index.html."""
    return build_book(tmp_path_factory.mktemp("single-page"), "--builder", "singlehtml")


# --------------------------------------------------------------------------------------------------------------
# Headless Chromium, driven through Selenium and the system's chromedriver (no browser is ever downloaded)
# --------------------------------------------------------------------------------------------------------------

CHROMIUM_INSTALL = "apt-get install chromium chromium-driver"


def _unavailable(reason: str, fix: str):
    """Skip the calling test, saying how to make it run; in CI (CI=true) fail it instead."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}: CI must run the browser checks ({fix})")
    pytest.skip(f"{reason}; to run the browser checks: {fix}")


@pytest.fixture(scope="session")
def unavailable():
    """Return ``unavailable(reason, fix)``: skip the test with the fix for what it lacks, or fail it in CI."""
    return _unavailable


def _find(variable: str, *names: str) -> str | None:
    """The program named by the environment variable, else the first of `names` on the PATH."""
    candidates = [os.environ[variable]] if os.environ.get(variable) else names
    return next((path for name in candidates if (path := shutil.which(name))), None)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """A headless Chromium with a 1280 x 900 window and its console and network logs, one per test module."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _unavailable("Selenium is not installed", "`make test` installs it from requirements.txt")
    chromium = _find("CHROMIUM", "chromium", "chromium-browser", "google-chrome")
    chromedriver = _find("CHROMEDRIVER", "chromedriver")
    if not chromium or not chromedriver:
        _unavailable(
            "Chromium or its chromedriver is not installed (or $CHROMIUM / $CHROMEDRIVER name no program)",
            f"`{CHROMIUM_INSTALL}` (Debian/Ubuntu, as root; .ci/run does it when CI=true)",
        )
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-extensions", "--window-size=1280,900", f"--user-data-dir={tmp_path_factory.mktemp('chromium')}",
    ):  # fmt: skip
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=chromedriver))  # no Selenium Manager
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(60)
    yield driver
    driver.quit()
