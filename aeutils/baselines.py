"""Classical baselines every autoencoder has to beat."""

from __future__ import annotations

import keras
import numpy as np
from sklearn.decomposition import PCA

from aeutils._checks import as_image_array, positive_int


def pca_reconstruct(x_train: np.ndarray, x_test: np.ndarray, code_size: int) -> np.ndarray:
    """Reconstruct ``x_test`` from its first ``code_size`` principal components, fitted on ``x_train``.

    This is the linear autoencoder's optimum at the same code size: the baseline a non-linear model must beat.
    The result has the shape of ``x_test`` and is not clipped (a linear map can leave [0, 1]).

    With more images than pixels (the book's case) the components come from the eigenvectors of the pixel
    covariance, computed in float64: the same subspace as a full SVD of the images, several times faster on a
    CPU. With fewer images than pixels a full SVD is used.
    """
    x_train = as_image_array(x_train, "x_train")
    x_test = as_image_array(x_test, "x_test")
    if x_train.shape[1:] != x_test.shape[1:]:
        raise ValueError(
            f"x_train images have shape {x_train.shape[1:]} but x_test images {x_test.shape[1:]}; "
            "pass both in the same layout."
        )
    code_size = positive_int(code_size, "code_size")
    n_features = int(np.prod(x_train.shape[1:]))
    if code_size > min(len(x_train), n_features):
        raise ValueError(
            f"code_size {code_size} exceeds what PCA can fit on {len(x_train)} images of {n_features} pixels "
            f"(at most {min(len(x_train), n_features)} components)."
        )
    solver = "covariance_eigh" if len(x_train) >= n_features else "full"
    pca = PCA(n_components=code_size, svd_solver=solver).fit(x_train.reshape(len(x_train), -1).astype(np.float64))
    codes = pca.transform(x_test.reshape(len(x_test), -1).astype(np.float64))
    return pca.inverse_transform(codes).astype(np.float32).reshape(x_test.shape)


def vanilla_autoencoder(
    x_train: np.ndarray, code_size: int, *, epochs: int = 30, validation_data: np.ndarray | None = None
) -> tuple[keras.Model, keras.callbacks.History]:
    """Chapter 1's one-hidden-layer autoencoder, trained with chapter 1's recipe: the baseline later chapters beat.

    Flat images (n, pixels) -> ReLU code of ``code_size`` units -> sigmoid reconstruction, binary cross-entropy,
    Adam at 0.003, batches of 128, ``epochs`` epochs, no log. ``validation_data`` (held-out flat images) adds a
    held-out loss to the history. Returns the trained model and its history; call ``seed_everything`` first for
    repeatable weights.
    """
    x_train = as_image_array(x_train, "x_train")
    if x_train.ndim != 2:
        raise ValueError(f"x_train has shape {x_train.shape}; pass flat images, e.g. aeutils.as_flat(x_train).")
    code_size = positive_int(code_size, "code_size")
    epochs = positive_int(epochs, "epochs")
    validation = None
    if validation_data is not None:
        validation_data = as_image_array(validation_data, "validation_data")
        if validation_data.shape[1:] != x_train.shape[1:]:
            raise ValueError(
                f"validation_data has images of shape {validation_data.shape[1:]}, x_train {x_train.shape[1:]}; "
                "pass both flat."
            )
        validation = (validation_data, validation_data)
    pixels = x_train.shape[1]
    inputs = keras.Input(shape=(pixels,))
    code = keras.layers.Dense(code_size, activation="relu", name="code")(inputs)
    outputs = keras.layers.Dense(pixels, activation="sigmoid", name="reconstruction")(code)
    model = keras.Model(inputs, outputs, name=f"vanilla_{code_size}")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.003), loss="binary_crossentropy")
    history = model.fit(x_train, x_train, epochs=epochs, batch_size=128, validation_data=validation, verbose=0)
    return model, history
