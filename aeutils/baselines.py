"""Classical baselines every autoencoder has to beat."""

from __future__ import annotations

import numpy as np
from sklearn.decomposition import PCA

from aeutils._checks import as_image_array, positive_int


def pca_reconstruct(x_train: np.ndarray, x_test: np.ndarray, code_size: int) -> np.ndarray:
    """Reconstruct ``x_test`` from its first ``code_size`` principal components, fitted on ``x_train``.

    This is the linear autoencoder's optimum at the same code size: the baseline a non-linear model must beat.
    The result has the shape of ``x_test`` and is not clipped (a linear map can leave [0, 1]).
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
    pca = PCA(n_components=code_size, svd_solver="full").fit(x_train.reshape(len(x_train), -1))
    codes = pca.transform(x_test.reshape(len(x_test), -1))
    return pca.inverse_transform(codes).astype(np.float32).reshape(x_test.shape)
