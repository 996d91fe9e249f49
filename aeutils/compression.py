"""Codes as bytes, JPEG as bytes, and images that are not digits: the plumbing of the compression chapter.

An autoencoder's code is a vector of floats; to compare it with a compressor it has to become bits. Here each
code value is quantised to ``bits`` bits on a range fitted once on the training codes (stored once, like the
decoder's weights), packed into ``ceil(code_size * bits / 8)`` bytes, and unpacked and dequantised before
decoding. JPEG (Pillow) is measured three ways, from the standalone file down to the entropy-coded scan alone,
so that a chapter can say which of those sizes it compares and why. Two sets of images that are not digits
(crops of scikit-learn's bundled photographs, letters in matplotlib's bundled DejaVu font) test how far a model
trained on digits carries.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import keras
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from aeutils._checks import as_image_array, nonnegative_float, positive_int

__all__ = [
    "JpegResult",
    "code_bytes",
    "decoder_from",
    "dequantise",
    "fit_code_range",
    "image_detail",
    "jpeg_round_trip",
    "pack_codes",
    "photo_crops",
    "psnr_at_bytes",
    "quantise",
    "random_crops",
    "render_letters",
    "unpack_codes",
]

MAX_BITS = 16


def _bits(bits: object) -> int:
    bits = positive_int(bits, "bits")
    if bits > MAX_BITS:
        raise ValueError(f"bits must be at most {MAX_BITS} (more than float32 codes can use), got {bits}.")
    return bits


def _codes(codes: object, name: str = "codes") -> np.ndarray:
    if hasattr(codes, "numpy") and not isinstance(codes, np.ndarray):
        codes = codes.numpy()
    if not isinstance(codes, np.ndarray):
        raise TypeError(f"{name} must be a NumPy array of shape (n, code_size), got {type(codes).__name__}.")
    if codes.ndim != 2 or codes.shape[0] == 0 or codes.shape[1] == 0:
        raise ValueError(
            f"{name} has shape {codes.shape}; expected a non-empty batch of flat codes (n, code_size). "
            "Flatten convolutional codes with codes.reshape(len(codes), -1)."
        )
    if not np.issubdtype(codes.dtype, np.number) or not np.all(np.isfinite(codes)):
        raise ValueError(f"{name} must hold finite numbers; check the encoder for NaN or infinite outputs.")
    return codes


def _code_range(low: object, high: object, code_size: int) -> tuple[np.ndarray, np.ndarray]:
    low, high = np.asarray(low, dtype=np.float64), np.asarray(high, dtype=np.float64)
    if low.shape != (code_size,) or high.shape != (code_size,):
        raise ValueError(
            f"low and high must each hold one value per code dimension, shape ({code_size},); got {low.shape} and "
            f"{high.shape}. Fit them with aeutils.fit_code_range(training_codes)."
        )
    if not (np.all(np.isfinite(low)) and np.all(np.isfinite(high)) and np.all(high > low)):
        raise ValueError("the code range must be finite with high > low in every dimension; use fit_code_range.")
    return low, high


def fit_code_range(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-dimension (low, high) of the training codes, the range that :func:`quantise` maps onto its levels.

    The range is side information stored once with the decoder, not per image. A dimension that is constant
    on the training codes (a dead unit) gets a tiny range around its value, so that it still quantises.
    """
    codes = _codes(codes).astype(np.float64)
    low, high = codes.min(axis=0), codes.max(axis=0)
    flat = high - low < 1e-12
    return low - flat * 1e-6, high + flat * 1e-6


def quantise(codes: np.ndarray, low: np.ndarray, high: np.ndarray, bits: int) -> np.ndarray:
    """Map each code value to the nearest of ``2**bits`` evenly spaced levels over [low, high]: integer levels.

    Values outside the training range (new images can leave it) are clipped to its ends. Returns an unsigned
    integer array of the codes' shape.
    """
    codes = _codes(codes)
    bits = _bits(bits)
    low, high = _code_range(low, high, codes.shape[1])
    top = 2**bits - 1
    levels = np.rint((codes - low) / (high - low) * top)
    return np.clip(levels, 0, top).astype(np.uint16 if bits > 8 else np.uint8)


def dequantise(levels: np.ndarray, low: np.ndarray, high: np.ndarray, bits: int) -> np.ndarray:
    """The code values that integer ``levels`` from :func:`quantise` stand for: float32, shape (n, code_size)."""
    bits = _bits(bits)
    levels = _codes(levels, "levels")
    if not np.issubdtype(levels.dtype, np.integer) or levels.min() < 0 or levels.max() > 2**bits - 1:
        raise ValueError(f"levels must be integers from 0 to {2**bits - 1} for {bits} bits, as quantise returns.")
    low, high = _code_range(low, high, levels.shape[1])
    return (low + levels / (2**bits - 1) * (high - low)).astype(np.float32)


def code_bytes(code_size: int, bits: int) -> int:
    """Bytes per image of a code of ``code_size`` values at ``bits`` bits each: ceil(code_size * bits / 8)."""
    return -(-positive_int(code_size, "code_size") * _bits(bits) // 8)


def pack_codes(levels: np.ndarray, bits: int) -> np.ndarray:
    """Pack each image's integer levels into bytes, ``bits`` bits per value: uint8 array (n, code_bytes).

    These are the bytes a sender would transmit; :func:`unpack_codes` gets the levels back exactly.
    """
    bits = _bits(bits)
    levels = _codes(levels, "levels")
    if not np.issubdtype(levels.dtype, np.integer) or levels.min() < 0 or levels.max() > 2**bits - 1:
        raise ValueError(f"levels must be integers from 0 to {2**bits - 1} for {bits} bits, as quantise returns.")
    n, code_size = levels.shape
    shifts = np.arange(bits - 1, -1, -1)
    bit_matrix = ((levels.astype(np.uint32)[..., None] >> shifts) & 1).astype(np.uint8).reshape(n, -1)
    packed = np.packbits(bit_matrix, axis=1)
    assert packed.shape[1] == code_bytes(code_size, bits)
    return packed


def unpack_codes(packed: np.ndarray, code_size: int, bits: int) -> np.ndarray:
    """Inverse of :func:`pack_codes`: the integer levels, shape (n, code_size)."""
    bits, code_size = _bits(bits), positive_int(code_size, "code_size")
    if not isinstance(packed, np.ndarray) or packed.dtype != np.uint8 or packed.ndim != 2:
        raise TypeError("packed must be the uint8 array (n, code_bytes) that pack_codes returns.")
    if packed.shape[1] != code_bytes(code_size, bits):
        raise ValueError(
            f"packed has {packed.shape[1]} bytes per image, but {code_size} values of {bits} bits need "
            f"{code_bytes(code_size, bits)}; pass the code_size and bits used to pack."
        )
    bit_matrix = np.unpackbits(packed, axis=1)[:, : code_size * bits].reshape(len(packed), code_size, bits)
    weights = (1 << np.arange(bits - 1, -1, -1)).astype(np.uint32)
    return (bit_matrix.astype(np.uint32) * weights).sum(axis=2).astype(np.uint16 if bits > 8 else np.uint8)


def decoder_from(autoencoder: keras.Model, code_layer: str = "code") -> keras.Model:
    """The decoder half of a chain-shaped autoencoder: a model from flat codes (n, k) to reconstructions.

    It reuses (shares) the layers after ``code_layer``, so it decodes exactly as the trained autoencoder does.
    The input is the flat code that :func:`aeutils.family_autoencoder`'s encoder gives, reshaped to the code
    layer's own shape (a 4 x 4 x C grid for the convolutional kind) before the first decoder layer.
    """
    if not isinstance(autoencoder, keras.Model):
        raise TypeError(f"autoencoder must be a keras.Model, got {type(autoencoder).__name__}.")
    names = [layer.name for layer in autoencoder.layers]
    if code_layer not in names:
        raise ValueError(f"autoencoder has no layer named {code_layer!r}; its layers are {names}.")
    start = names.index(code_layer)
    code_shape = tuple(autoencoder.get_layer(code_layer).output.shape[1:])
    inputs = keras.Input(shape=(int(np.prod(code_shape)),), name="code_in")
    x = keras.layers.Reshape(code_shape)(inputs) if len(code_shape) > 1 else inputs
    for layer in autoencoder.layers[start + 1 :]:
        x = layer(x)
    return keras.Model(inputs, x, name=f"{autoencoder.name}_decoder")


@dataclass(frozen=True)
class JpegResult:
    """JPEG round trip of a batch of images at one quality: the decoded images and three sizes per image.

    - ``file_bytes``: a standalone .jpg file, with Huffman tables optimised for the image (``optimize=True``):
      what saving each image on its own costs.
    - ``image_bytes``: the abbreviated stream (standard tables, left out because a receiver would hold them, as it
      holds a decoder's weights): markers, frame and scan headers and the entropy-coded scan.
    - ``scan_bytes``: the entropy-coded scan alone, Huffman-coded with the standard tables: every header and
      table shared, as a decoder's weights are.
    - ``optimised_scan_bytes``: the scan of the standalone file, Huffman-coded with tables optimised for this
      very image. No table shared by many images codes any of them in fewer bytes, so this is a floor under what
      a table tuned to a whole kind of image (and shared) could reach; the tables it needs are not counted.

    All of them decode to the same pixels: ``optimize`` and the abbreviation change only how the stream is written.
    """

    quality: int
    decoded: np.ndarray
    file_bytes: np.ndarray
    image_bytes: np.ndarray
    scan_bytes: np.ndarray
    optimised_scan_bytes: np.ndarray


def _jpeg(image: np.ndarray, quality: int, **options) -> bytes:
    buffer = io.BytesIO()
    pixels = np.rint(image * 255).astype(np.uint8)
    Image.fromarray(pixels, mode="L").save(buffer, format="JPEG", quality=quality, **options)
    return buffer.getvalue()


def _without_tables(stream: bytes) -> int:
    """Length of a baseline JPEG stream less its quantisation (DQT) and Huffman (DHT) table segments.

    That is the length of the abbreviated stream Pillow writes with ``streamtype=2``, without encoding again.
    """
    length, start = len(stream), 2
    while stream[start : start + 2] != b"\xff\xda":  # the segments before the start of scan
        if stream[start] != 0xFF or start + 4 > len(stream):
            raise ValueError("not a baseline JPEG stream (a segment before the scan has no marker).")
        size = int.from_bytes(stream[start + 2 : start + 4], "big")
        if stream[start + 1] in (0xDB, 0xC4):
            length -= 2 + size
        start += 2 + size
    return length


def _scan_length(stream: bytes) -> int:
    """Bytes of entropy-coded data in a baseline JPEG stream: between the scan header and the end marker."""
    start = stream.find(b"\xff\xda")
    if start < 0 or not stream.endswith(b"\xff\xd9"):
        raise ValueError("not a complete baseline JPEG stream (no start-of-scan or end-of-image marker).")
    header = int.from_bytes(stream[start + 2 : start + 4], "big")
    return len(stream) - (start + 2 + header) - 2


def jpeg_round_trip(images: np.ndarray, quality: int) -> JpegResult:
    """Encode each greyscale image in [0, 1] as a baseline JPEG at ``quality`` (1-95), decode it, count bytes.

    ``images`` is a batch (n, height, width) or (n, height, width, 1); pixels are rounded to 8 bits first, as
    any image file stores them. ``decoded`` has the input's shape, float32 in [0, 1].
    """
    images = as_image_array(images, "images")
    if images.ndim == 4 and images.shape[-1] == 1:
        squeezed = images[..., 0]
    elif images.ndim == 3:
        squeezed = images
    else:
        raise ValueError(
            f"images has shape {images.shape}; JPEG needs greyscale images (n, height, width) or "
            "(n, height, width, 1). Reshape flat MNIST with x.reshape(-1, 28, 28)."
        )
    quality = positive_int(quality, "quality")
    if quality > 95:
        raise ValueError(
            f"quality must be from 1 to 95 (Pillow's advice: above 95 only grows the file), got {quality}."
        )
    decoded, file_bytes, image_bytes, scan_bytes, optimised_scan_bytes = [], [], [], [], []
    for image in squeezed:
        standard, optimised = _jpeg(image, quality), _jpeg(image, quality, optimize=True)
        decoded.append(np.asarray(Image.open(io.BytesIO(standard)).convert("L"), dtype=np.float32) / 255)
        file_bytes.append(len(optimised))
        image_bytes.append(_without_tables(standard))
        scan_bytes.append(_scan_length(standard))
        optimised_scan_bytes.append(_scan_length(optimised))
    return JpegResult(
        quality=quality,
        decoded=np.stack(decoded).reshape(images.shape),
        file_bytes=np.array(file_bytes),
        image_bytes=np.array(image_bytes),
        scan_bytes=np.array(scan_bytes),
        optimised_scan_bytes=np.array(optimised_scan_bytes),
    )


def psnr_at_bytes(sizes: object, psnrs: object, at: float) -> float:
    """A codec's PSNR at ``at`` bytes per image, interpolated linearly on its measured (bytes, PSNR) curve.

    ``sizes`` and ``psnrs`` are the codec's mean bytes per image and mean PSNR at each setting (e.g. each JPEG
    quality), in any order. Only interpolation: a size outside the measured range is an error, since the codec
    was never seen there (JPEG, for one, cannot go below the size of its lowest quality).
    """
    sizes, psnrs = np.asarray(sizes, dtype=np.float64), np.asarray(psnrs, dtype=np.float64)
    if sizes.ndim != 1 or sizes.shape != psnrs.shape or len(sizes) < 2:
        raise ValueError(
            f"sizes and psnrs must be the same length, at least 2 points each; got shapes {sizes.shape} and "
            f"{psnrs.shape}."
        )
    at = float(at)
    if not sizes.min() <= at <= sizes.max():
        raise ValueError(
            f"{at:g} bytes is outside the measured range [{sizes.min():g}, {sizes.max():g}]; measure the codec "
            "at more settings rather than extrapolate."
        )
    order = np.argsort(sizes)
    return float(np.interp(at, sizes[order], psnrs[order]))


def random_crops(image: np.ndarray, n: int, size: int = 28, seed: int = 0) -> np.ndarray:
    """``n`` random ``size`` x ``size`` crops of one greyscale image (height, width) in [0, 1]: (n, size, size).

    Crop corners are drawn uniformly with ``numpy.random.default_rng(seed)``, so the same seed gives the same crops.
    """
    image = as_image_array(image, "image")
    if image.ndim != 2:
        raise ValueError(f"image must be one greyscale image (height, width), got shape {image.shape}.")
    n, size = positive_int(n, "n"), positive_int(size, "size")
    if size > min(image.shape):
        raise ValueError(f"size {size} does not fit in an image of shape {image.shape}; choose a smaller size.")
    rng = np.random.default_rng(seed)
    rows = rng.integers(0, image.shape[0] - size + 1, n)
    cols = rng.integers(0, image.shape[1] - size + 1, n)
    return np.stack([image[r : r + size, c : c + size] for r, c in zip(rows, cols, strict=True)]).astype(np.float32)


def image_detail(images: np.ndarray) -> np.ndarray:
    """How much edge and texture each image has: the mean absolute difference between neighbouring pixels.

    For a batch of greyscale images (n, height, width) in [0, 1], the mean over horizontal and vertical
    neighbours of ``|x[i, j] - x[i, j + 1]|`` and ``|x[i, j] - x[i + 1, j]|``: shape (n,). A flat patch or a
    smooth gradient has almost none (unlike its pixel standard deviation, which one soft edge makes large);
    an MNIST digit has about 0.07.
    """
    images = as_image_array(images, "images")
    if images.ndim != 3:
        raise ValueError(f"images must be a batch of greyscale images (n, height, width), got shape {images.shape}.")
    across = np.abs(np.diff(images, axis=2)).mean(axis=(1, 2))
    down = np.abs(np.diff(images, axis=1)).mean(axis=(1, 2))
    return (across + down) / 2


def _detailed_crops(image: np.ndarray, n: int, size: int, seed: int, min_detail: float) -> np.ndarray:
    """``n`` random crops of ``image`` whose :func:`image_detail` exceeds ``min_detail``, in the order drawn."""
    if min_detail == 0:
        return random_crops(image, n, size, seed)
    rng, kept, found, drawn = np.random.default_rng(seed), [], 0, 0
    while found < n:
        if drawn >= 1000 * n:
            raise ValueError(
                f"fewer than 1 in 1,000 crops of a sample photograph have a detail above {min_detail:g}; choose a "
                "smaller min_detail (an MNIST digit has about 0.07, a smooth patch of sky below 0.01)."
            )
        batch = random_crops(image, max(64, 4 * n), size, seed=int(rng.integers(2**31)))
        drawn += len(batch)
        kept.append(batch[image_detail(batch) > min_detail])
        found += len(kept[-1])
    return np.concatenate(kept)[:n]


def photo_crops(n: int, size: int = 28, seed: int = 0, min_detail: float = 0.0) -> np.ndarray:
    """``n`` random crops of scikit-learn's two bundled sample photographs, in grey, float32 in [0, 1].

    The photographs (``sklearn.datasets.load_sample_images``, a Chinese temple and a flower) ship with
    scikit-learn, so nothing is downloaded. They are converted to grey with Pillow's ITU-R 601 luma (as
    ``Image.convert("L")``); half the crops (rounded up) come from the first photograph, the rest from the second.

    Many crops are nearly flat (sky, a blurred background) or a single soft edge. ``min_detail`` keeps only crops
    whose :func:`image_detail` (mean absolute difference between neighbouring pixels) exceeds it, drawing more until
    there are ``n``: e.g. ``min_detail=0.06`` for crops with texture (foliage, roof tiles, the flower's stamens),
    about as much detail as an MNIST digit has. The default, 0, keeps every crop drawn.
    """
    from sklearn.datasets import load_sample_images

    n = positive_int(n, "n")
    min_detail = nonnegative_float(min_detail, "min_detail")
    if min_detail >= 1:
        raise ValueError(f"min_detail must be below 1, the largest difference of pixels in [0, 1]; got {min_detail}.")
    photos = [np.asarray(Image.fromarray(p).convert("L"), dtype=np.float32) / 255 for p in load_sample_images().images]
    first = (n + 1) // 2
    parts = [_detailed_crops(photos[0], first, size, seed, min_detail)]
    if n > first:
        parts.append(_detailed_crops(photos[1], n - first, size, seed + 1, min_detail))
    return np.concatenate(parts)


def render_letters(letters: str, size: int = 28, box: int = 20, font_size: int = 96) -> np.ndarray:
    """Render each character of ``letters`` as MNIST renders a digit: white on black, float32 (n, size, size).

    Each glyph is drawn in matplotlib's bundled DejaVu Sans, cropped to its ink, scaled (keeping its aspect ratio)
    to fit a ``box`` x ``box`` square and placed with its centre of mass at the image centre, as MNIST's
    digits were prepared.
    """
    from matplotlib import font_manager

    if not isinstance(letters, str) or not letters.strip() or any(ch.isspace() for ch in letters):
        raise ValueError(f"letters must be a non-empty string of visible characters such as 'ABC', got {letters!r}.")
    size, box, font_size = positive_int(size, "size"), positive_int(box, "box"), positive_int(font_size, "font_size")
    if box > size:
        raise ValueError(f"box ({box}) must not exceed size ({size}): the glyph has to fit in the image.")
    path = font_manager.findfont(font_manager.FontProperties(family="DejaVu Sans"), fallback_to_default=False)
    font = ImageFont.truetype(path, font_size)
    out = []
    for ch in letters:
        canvas = Image.new("L", (2 * font_size, 2 * font_size), 0)
        ImageDraw.Draw(canvas).text((font_size // 2, font_size // 4), ch, fill=255, font=font)
        glyph = canvas.crop(canvas.getbbox())
        scale = box / max(glyph.size)
        glyph = glyph.resize((max(1, round(glyph.width * scale)), max(1, round(glyph.height * scale))), Image.LANCZOS)
        ink = np.asarray(glyph, dtype=np.float32) / 255
        rows, cols = np.indices(ink.shape)
        centre_r, centre_c = (rows * ink).sum() / ink.sum(), (cols * ink).sum() / ink.sum()
        top = int(np.clip(round(size / 2 - centre_r), 0, size - ink.shape[0]))
        left = int(np.clip(round(size / 2 - centre_c), 0, size - ink.shape[1]))
        image = np.zeros((size, size), dtype=np.float32)
        image[top : top + ink.shape[0], left : left + ink.shape[1]] = ink
        out.append(image)
    return np.stack(out)
