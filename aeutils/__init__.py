"""Helpers shared by every chapter of *Autoencoders, hands-on*.

The plumbing lives here (data, seeding, logging, metrics, baselines, shape checks and plots) so that each
notebook can spend its cells on the lesson: the model, built in plain Keras where the reader sees it.

Importing this package quiets TensorFlow's C++ start-up logging *before* TensorFlow loads, so notebooks
show no log noise.
"""

from aeutils._quiet import import_tensorflow_quietly

import_tensorflow_quietly()

from aeutils.baselines import pca_mse_by_code_size, pca_reconstruct, vanilla_autoencoder  # noqa: E402
from aeutils.data import (  # noqa: E402
    DataError,
    as_channels,
    as_flat,
    load_mnist,
    read_idx,
)
from aeutils.metrics import mse, mse_per_image, psnr, psnr_per_image, ssim  # noqa: E402
from aeutils.plots import (  # noqa: E402
    plot_code_histogram,
    plot_image_grid,
    plot_latent_2d,
    plot_learning_curves,
)
from aeutils.shapes import ShapeMismatchError, check_output_matches_input, shape_trace  # noqa: E402
from aeutils.training import TrainingLog, seed_everything  # noqa: E402

__all__ = [
    "DataError",
    "ShapeMismatchError",
    "TrainingLog",
    "as_channels",
    "as_flat",
    "check_output_matches_input",
    "load_mnist",
    "mse",
    "mse_per_image",
    "pca_mse_by_code_size",
    "pca_reconstruct",
    "plot_code_histogram",
    "plot_image_grid",
    "plot_latent_2d",
    "plot_learning_curves",
    "psnr",
    "psnr_per_image",
    "read_idx",
    "seed_everything",
    "shape_trace",
    "ssim",
    "vanilla_autoencoder",
]
