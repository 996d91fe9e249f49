"""Helpers shared by every chapter of *Autoencoders, hands-on*.

The plumbing lives here (data, seeding, logging, metrics, baselines, shape checks, plots and model diagrams) so
that each notebook can spend its cells on the lesson: the model, built in plain Keras where the reader sees it.

Importing this package quiets TensorFlow's C++ start-up logging *before* TensorFlow loads, so notebooks
show no log noise.
"""

from aeutils._quiet import import_tensorflow_quietly

import_tensorflow_quietly()

from aeutils.anomaly import (  # noqa: E402
    percentile_threshold,
)
from aeutils.baselines import (  # noqa: E402
    gaussian_blur,
    median_filter,
    pca_mse_by_code_size,
    pca_reconstruct,
    vanilla_autoencoder,
)
from aeutils.compression import (  # noqa: E402
    JpegResult,
    code_bytes,
    decoder_from,
    dequantise,
    fit_code_range,
    image_detail,
    jpeg_round_trip,
    pack_codes,
    photo_crops,
    psnr_at_bytes,
    quantise,
    random_crops,
    render_letters,
    unpack_codes,
)
from aeutils.data import (  # noqa: E402
    DataError,
    as_channels,
    as_flat,
    load_mnist,
    read_idx,
)
from aeutils.diagrams import plot_conv_arithmetic, plot_model  # noqa: E402
from aeutils.family import family_autoencoder  # noqa: E402
from aeutils.generative import decode_grid, kl_divergence, latent_grid, plot_manifold  # noqa: E402
from aeutils.metrics import (  # noqa: E402
    CodeSparsity,
    code_sparsity,
    mse,
    mse_per_image,
    psnr,
    psnr_per_image,
    ssim,
)
from aeutils.noise import add_gaussian_noise, add_salt_and_pepper, mask_pixels  # noqa: E402
from aeutils.plots import (  # noqa: E402
    plot_code_histogram,
    plot_image_grid,
    plot_latent_2d,
    plot_learning_curves,
)
from aeutils.probes import (  # noqa: E402
    balanced_subset,
    fit_probe,
    knn_predictions,
    nearest_neighbours,
    plot_neighbours,
)
from aeutils.shapes import (  # noqa: E402
    ShapeMismatchError,
    check_output_matches_input,
    downsampled_sizes,
    shape_trace,
)
from aeutils.training import TrainingLog, seed_everything, shuffled_batches  # noqa: E402

__all__ = [
    "CodeSparsity",
    "DataError",
    "JpegResult",
    "ShapeMismatchError",
    "TrainingLog",
    "add_gaussian_noise",
    "add_salt_and_pepper",
    "as_channels",
    "as_flat",
    "balanced_subset",
    "check_output_matches_input",
    "code_bytes",
    "code_sparsity",
    "decode_grid",
    "decoder_from",
    "dequantise",
    "downsampled_sizes",
    "family_autoencoder",
    "fit_code_range",
    "fit_probe",
    "gaussian_blur",
    "image_detail",
    "jpeg_round_trip",
    "kl_divergence",
    "knn_predictions",
    "latent_grid",
    "load_mnist",
    "mask_pixels",
    "median_filter",
    "mse",
    "mse_per_image",
    "nearest_neighbours",
    "pack_codes",
    "pca_mse_by_code_size",
    "pca_reconstruct",
    "percentile_threshold",
    "photo_crops",
    "plot_code_histogram",
    "plot_conv_arithmetic",
    "plot_image_grid",
    "plot_latent_2d",
    "plot_learning_curves",
    "plot_manifold",
    "plot_model",
    "plot_neighbours",
    "psnr",
    "psnr_at_bytes",
    "psnr_per_image",
    "quantise",
    "random_crops",
    "read_idx",
    "render_letters",
    "seed_everything",
    "shape_trace",
    "shuffled_batches",
    "ssim",
    "unpack_codes",
    "vanilla_autoencoder",
]
