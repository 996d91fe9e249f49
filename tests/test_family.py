"""aeutils.family: the autoencoders of chapters 1-5, rebuilt for the chapters that compare them."""

from __future__ import annotations

import numpy as np
import pytest

from aeutils import family_autoencoder, seed_everything
from aeutils.family import KINDS


@pytest.mark.parametrize(
    ("kind", "code_size", "input_shape"),
    [
        ("vanilla", 32, (784,)),
        ("multilayer", 2, (784,)),
        ("convolutional", 128, (28, 28, 1)),
        ("sparse", 32, (784,)),
        ("denoising", 392, (28, 28, 1)),
    ],
)
def test_each_kind_maps_images_to_images_and_a_flat_code(kind, code_size, input_shape):
    seed_everything(0)
    autoencoder, encoder = family_autoencoder(kind, code_size)
    x = np.random.default_rng(0).uniform(size=(3, *input_shape)).astype(np.float32)
    assert autoencoder.input_shape == (None, *input_shape)
    assert autoencoder.output_shape == (None, *input_shape)
    assert encoder.output_shape == (None, code_size)
    assert encoder.predict(x, verbose=0).shape == (3, code_size)
    reconstruction = autoencoder.predict(x, verbose=0)
    assert reconstruction.min() >= 0 and reconstruction.max() <= 1  # sigmoid outputs
    assert autoencoder.loss == "binary_crossentropy" and autoencoder.optimizer is not None


def test_the_chapters_architectures_and_learning_rates():
    vanilla, _ = family_autoencoder("vanilla", 64)
    assert vanilla.count_params() == 784 * 64 + 64 + 64 * 784 + 784  # chapter 1's model
    multilayer, _ = family_autoencoder("multilayer", 32)
    assert [layer.name for layer in multilayer.layers[1:]] == ["mapping", "code", "demapping", "reconstruction"]
    assert multilayer.get_layer("code").activation.__name__ == "linear"
    assert multilayer.count_params() == 2 * (784 * 512 + 512) + (512 * 32 + 32) + (32 * 512 + 512) - 512 + 784
    conv, _ = family_autoencoder("convolutional", 128)
    assert conv.count_params() == 24_777  # chapter 3's model
    denoising, _ = family_autoencoder("denoising", 392)
    assert denoising.count_params() == 43_785  # chapter 5's model
    assert float(vanilla.optimizer.learning_rate) == pytest.approx(0.003)
    assert float(conv.optimizer.learning_rate) == pytest.approx(0.005)


def test_sparse_kind_penalises_its_code_and_the_others_do_not():
    sparse, _ = family_autoencoder("sparse", 16, l1=1e-3)
    vanilla, _ = family_autoencoder("vanilla", 16)
    assert float(sparse.get_layer("code").activity_regularizer.l1) == pytest.approx(1e-3)
    assert vanilla.get_layer("code").activity_regularizer is None


def test_denoising_kind_adds_noise_only_in_training():
    seed_everything(0)
    denoiser, _ = family_autoencoder("denoising", 49, sigma=0.3)
    noise = denoiser.get_layer("noise")
    assert noise.stddev == pytest.approx(0.3)
    x = np.full((1, 28, 28, 1), 0.5, dtype=np.float32)
    np.testing.assert_array_equal(noise(x, training=False), x)
    assert np.std(np.asarray(noise(x, training=True))) > 0.1


def test_same_seed_same_weights():
    weights = []
    for _ in range(2):
        seed_everything(3)
        weights.append(family_autoencoder("multilayer", 8, hidden=16)[0].get_weights())
    for a, b in zip(*weights, strict=True):
        np.testing.assert_array_equal(a, b)


def test_a_small_multilayer_model_learns():
    seed_everything(0)
    autoencoder, _ = family_autoencoder("multilayer", 4, pixels=16, hidden=8)
    x = np.random.default_rng(1).uniform(size=(64, 16)).astype(np.float32)
    history = autoencoder.fit(x, x, epochs=5, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]


def test_unknown_kind_names_the_kinds():
    with pytest.raises(ValueError, match="kind must be one of 'vanilla', 'multilayer'.*got 'variational'"):
        family_autoencoder("variational", 2)
    assert KINDS == ("vanilla", "multilayer", "convolutional", "sparse", "denoising")


@pytest.mark.parametrize(
    ("kind", "code_size", "suggestion"), [("convolutional", 100, 96), ("denoising", 50, 49), ("denoising", 10, 49)]
)
def test_grid_codes_need_whole_channels(kind, code_size, suggestion):
    with pytest.raises(ValueError, match=rf"code_size must be a multiple of .*got {code_size} \(try {suggestion}\)"):
        family_autoencoder(kind, code_size)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"code_size": 0}, "code_size"),
        ({"code_size": 2.5}, "code_size"),
        ({"code_size": 8, "hidden": 0}, "hidden"),
        ({"code_size": 8, "pixels": -1}, "pixels"),
        ({"code_size": 8, "l1": -1e-4}, "l1"),
        ({"code_size": 8, "sigma": float("nan")}, "sigma"),
    ],
)
def test_bad_sizes_and_strengths_are_refused(kwargs, message):
    with pytest.raises((ValueError, TypeError), match=message):
        family_autoencoder("multilayer", **kwargs)
