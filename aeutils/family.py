"""The autoencoders of chapters 1-5, built as their chapters build them, for the chapters that compare them.

Each chapter builds its own model in plain Keras, where the reader sees every layer. The chapters after the
five types (capacity, representations, compression, anomaly detection, ...) need those models again, at other
code sizes: ``family_autoencoder`` builds them here once instead of copying the layers between notebooks.
"""

from __future__ import annotations

import keras

from aeutils._checks import nonnegative_float, positive_int

KINDS = ("vanilla", "multilayer", "convolutional", "sparse", "denoising")

# Number of code values per channel of the convolutional kinds: a 4 x 4 grid (ch. 3), a 7 x 7 grid (ch. 5).
_CHANNEL_SIZE = {"convolutional": 16, "denoising": 49}


def family_autoencoder(
    kind: str,
    code_size: int,
    *,
    pixels: int = 784,
    hidden: int = 512,
    l1: float = 1.75e-4,
    sigma: float = 0.5,
) -> tuple[keras.Model, keras.Model]:
    """Build chapter ``kind``'s autoencoder with a code of ``code_size`` numbers; return (autoencoder, encoder).

    The autoencoder comes compiled with its chapter's optimizer and binary cross-entropy, untrained: call
    ``fit`` with the epochs you can afford (call ``seed_everything`` first for repeatable weights). The encoder
    shares its layers and maps the same input to the code, flattened to (n, code_size).

    - ``"vanilla"`` (ch. 1): flat images (n, ``pixels``) -> ReLU code -> sigmoid; Adam 0.003.
    - ``"multilayer"`` (ch. 2): flat -> ``hidden`` ReLU -> linear code -> ``hidden`` ReLU -> sigmoid; Adam 0.003.
    - ``"convolutional"`` (ch. 3): (n, 28, 28, 1) -> strided convolutions -> linear 4 x 4 x C code ->
      transposed convolutions; C = code_size / 16, so code_size is a multiple of 16; Adam 0.005.
    - ``"sparse"`` (ch. 4): ``"vanilla"`` with an L1 activity penalty of ``l1`` on the code.
    - ``"denoising"`` (ch. 5): (n, 28, 28, 1) -> Gaussian noise of ``sigma`` (training only), clipped to [0, 1]
      -> convolutions -> linear 7 x 7 x C code -> back up; C = code_size / 49, a multiple of 49; Adam 0.005.
      Chapter 5's model has a linear code of 8 channels (7 x 7 x 8 = 392 numbers); this one has the same layers
      with code_size / 49 channels. The code stays linear, as in chapters 2, 3 and 5: a ReLU code of one channel
      (code_size 49) died in most seeds, leaving a constant code.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(map(repr, KINDS))}, got {kind!r}.")
    code_size = positive_int(code_size, "code_size")
    pixels, hidden = positive_int(pixels, "pixels"), positive_int(hidden, "hidden")
    l1, sigma = nonnegative_float(l1, "l1"), nonnegative_float(sigma, "sigma")
    if kind in _CHANNEL_SIZE:
        per_channel = _CHANNEL_SIZE[kind]
        if code_size % per_channel:
            raise ValueError(
                f"a {kind} code is a grid of {per_channel} values per channel, so code_size must be a multiple of "
                f"{per_channel}; got {code_size} (try {max(1, round(code_size / per_channel)) * per_channel})."
            )
        build = _convolutional if kind == "convolutional" else _denoising
        autoencoder, code = build(code_size // per_channel, sigma)
        learning_rate = 0.005
    else:
        autoencoder, code = _dense(kind, code_size, pixels, hidden, l1)
        learning_rate = 0.003
    autoencoder.compile(
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate), loss="binary_crossentropy", steps_per_execution=64
    )
    encoder = keras.Model(autoencoder.inputs, keras.layers.Flatten(name="code_values")(code), name=f"{kind}_encoder")
    return autoencoder, encoder


def _dense(kind: str, code_size: int, pixels: int, hidden: int, l1: float):
    layers = keras.layers
    inputs = keras.Input(shape=(pixels,), name="image")
    x = layers.Dense(hidden, activation="relu", name="mapping")(inputs) if kind == "multilayer" else inputs
    code = layers.Dense(
        code_size,
        activation=None if kind == "multilayer" else "relu",
        activity_regularizer=keras.regularizers.L1(l1) if kind == "sparse" else None,
        name="code",
    )(x)
    x = layers.Dense(hidden, activation="relu", name="demapping")(code) if kind == "multilayer" else code
    outputs = layers.Dense(pixels, activation="sigmoid", name="reconstruction")(x)
    return keras.Model(inputs, outputs, name=f"{kind}_{code_size}"), code


def _convolutional(channels: int, sigma: float):
    layers = keras.layers
    inputs = keras.Input(shape=(28, 28, 1), name="image")
    x = layers.Conv2D(32, 5, strides=2, padding="same", activation="relu", name="enc_1")(inputs)  # 28 -> 14
    x = layers.Conv2D(32, 3, strides=2, padding="same", activation="relu", name="enc_2")(x)  # 14 -> 7
    code = layers.Conv2D(channels, 3, strides=2, padding="same", name="code")(x)  # 7 -> 4
    # 4 -> 7, not 8
    x = layers.Conv2DTranspose(32, 3, strides=2, padding="same", output_padding=0, activation="relu", name="dec_1")(
        code
    )
    # 7 -> 14
    x = layers.Conv2DTranspose(32, 3, strides=2, padding="same", output_padding=1, activation="relu", name="dec_2")(x)
    outputs = layers.Conv2DTranspose(
        1, 5, strides=2, padding="same", output_padding=1, activation="sigmoid", name="reconstruction"
    )(x)
    return keras.Model(inputs, outputs, name=f"convolutional_{16 * channels}"), code


def _denoising(channels: int, sigma: float):
    layers = keras.layers
    inputs = keras.Input(shape=(28, 28, 1), name="image")
    x = layers.GaussianNoise(sigma, name="noise")(inputs)  # active only in training
    x = layers.Lambda(lambda t: keras.ops.clip(t, 0.0, 1.0), name="clip")(x)
    x = layers.Conv2D(32, 5, strides=2, padding="same", activation="relu", name="encode_14")(x)
    x = layers.Conv2D(64, 3, strides=2, padding="same", activation="relu", name="encode_7")(x)
    code = layers.Conv2D(channels, 1, name="code")(x)  # linear: a single ReLU channel can die for good
    x = layers.Conv2D(64, 3, padding="same", activation="relu", name="decode_7")(code)
    x = layers.Conv2DTranspose(32, 3, strides=2, padding="same", activation="relu", name="decode_14")(x)
    outputs = layers.Conv2DTranspose(1, 5, strides=2, padding="same", activation="sigmoid", name="denoised")(x)
    return keras.Model(inputs, outputs, name=f"denoising_{49 * channels}"), code
