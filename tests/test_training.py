"""aeutils.training: seeding for repeatable models, and the compact training log."""

from __future__ import annotations

import random
import re

import keras
import numpy as np
import pytest

from aeutils import TrainingLog, seed_everything

# --------------------------------------------------------------------------------------------------------------
# A tiny autoencoder on tiny data, so that every fit takes a fraction of a second
# --------------------------------------------------------------------------------------------------------------


@pytest.fixture
def tiny_data() -> np.ndarray:
    return np.random.default_rng(0).random((32, 8), dtype=np.float32)


def build_tiny_autoencoder() -> keras.Model:
    inputs = keras.Input(shape=(8,))
    code = keras.layers.Dense(3, activation="relu")(inputs)
    outputs = keras.layers.Dense(8, activation="sigmoid")(code)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    return model


def seeded_run(seed: int, data: np.ndarray, epochs: int = 3):
    """Seed, build and fit (with shuffling and dropout-free layers); return initial weights, history, final weights."""
    seed_everything(seed)
    model = build_tiny_autoencoder()
    initial = [w.copy() for w in model.get_weights()]
    history = model.fit(data, data, epochs=epochs, batch_size=8, shuffle=True, verbose=0).history
    return initial, history, model.get_weights()


def assert_same_weights(a, b):
    assert len(a) == len(b)
    for left, right in zip(a, b, strict=True):
        np.testing.assert_array_equal(left, right)


# --------------------------------------------------------------------------------------------------------------
# seed_everything
# --------------------------------------------------------------------------------------------------------------


def test_same_seed_gives_identical_initial_weights_and_fit_results(tiny_data):
    first_initial, first_history, first_final = seeded_run(7, tiny_data)
    second_initial, second_history, second_final = seeded_run(7, tiny_data)
    assert_same_weights(first_initial, second_initial)
    assert first_history == second_history
    assert_same_weights(first_final, second_final)


def test_other_seed_gives_other_initial_weights(tiny_data):
    seed_everything(7)
    first = build_tiny_autoencoder().get_weights()[0]
    seed_everything(8)
    second = build_tiny_autoencoder().get_weights()[0]
    assert not np.array_equal(first, second)


def test_seed_everything_seeds_python_and_numpy():
    seed_everything(123)
    first = (random.random(), np.random.random())
    seed_everything(123)
    assert (random.random(), np.random.random()) == first


@pytest.mark.parametrize("seed", [0, 2**32 - 1, np.int64(5)], ids=["zero", "largest", "numpy-int"])
def test_seed_everything_accepts_every_numpy_seed(seed):
    seed_everything(seed)


@pytest.mark.parametrize(
    "seed, error, phrase",
    [
        (-1, ValueError, r"seed must be at least 0, got -1"),
        (2**32, ValueError, r"seed must be below 2\*\*32 \(NumPy's limit\), got 4294967296"),
        (True, TypeError, r"seed must be an integer, got True of type bool"),
        (1.0, TypeError, r"seed must be an integer, got 1\.0 of type float"),
        ("42", TypeError, r"seed must be an integer, got '42' of type str"),
    ],
    ids=["negative", "2**32", "bool", "float", "string"],
)
def test_seed_everything_rejects_bad_seeds(seed, error, phrase):
    with pytest.raises(error, match=phrase):
        seed_everything(seed)


# --------------------------------------------------------------------------------------------------------------
# TrainingLog
# --------------------------------------------------------------------------------------------------------------

NUMBER = r"\d+\.\d{4}"


def test_training_log_prints_every_few_epochs_in_a_fixed_format(tiny_data, capsys):
    seed_everything(0)
    log = TrainingLog(every=2)
    model = build_tiny_autoencoder()
    fit = model.fit(
        tiny_data, tiny_data, validation_data=(tiny_data, tiny_data), epochs=4, batch_size=8, verbose=0, callbacks=[log]
    )
    history = fit.history
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    for line, epoch in zip(lines, (2, 4), strict=True):
        assert re.fullmatch(rf"epoch {epoch}/4  loss {NUMBER}  val_loss {NUMBER}", line), line
        # The printed values are the history's, rounded to 4 decimals.
        assert line.endswith(f"loss {history['loss'][epoch - 1]:.4f}  val_loss {history['val_loss'][epoch - 1]:.4f}")
    assert log.seconds > 0


def test_training_log_always_prints_the_last_epoch(tiny_data, capsys):
    model = build_tiny_autoencoder()
    model.fit(tiny_data, tiny_data, epochs=3, batch_size=16, verbose=0, callbacks=[TrainingLog(every=5)])
    assert re.fullmatch(rf"epoch 3/3  loss {NUMBER}\n", capsys.readouterr().out)


def drive(log: TrainingLog, epochs: int, logs: dict) -> None:
    """Call the callback the way fit does, without training anything."""
    log.set_params({"epochs": epochs, "verbose": 0, "steps": 1})
    log.on_train_begin()
    for epoch in range(epochs):
        log.on_epoch_end(epoch, logs)
    log.on_train_end()


def test_training_log_pads_epochs_and_sorts_metrics(capsys):
    drive(TrainingLog(every=5, digits=2), epochs=10, logs={"val_loss": 0.0789, "loss": 0.12345, "mae": 1.0})
    assert capsys.readouterr().out.splitlines() == [
        "epoch  5/10  loss 0.12  mae 1.00  val_loss 0.08",
        "epoch 10/10  loss 0.12  mae 1.00  val_loss 0.08",
    ]


def test_training_log_defaults_to_every_five_epochs_and_four_digits(capsys):
    log = TrainingLog()
    assert (log.every, log.digits, log.seconds) == (5, 4, 0.0)
    drive(log, epochs=7, logs={"loss": 0.5})
    assert capsys.readouterr().out.splitlines() == ["epoch 5/7  loss 0.5000", "epoch 7/7  loss 0.5000"]


def test_training_log_is_a_keras_callback():
    assert isinstance(TrainingLog(), keras.callbacks.Callback)


@pytest.mark.parametrize("argument", ["every", "digits"])
def test_training_log_rejects_bad_counts(argument, bad_count):
    with bad_count.raises(argument):
        TrainingLog(**{argument: bad_count.value})
