"""aeutils.training: seeding for repeatable models, shuffled training batches and the compact training log."""

from __future__ import annotations

import random
import re
import warnings

import keras
import numpy as np
import pytest

from aeutils import TrainingLog, seed_everything, shuffled_batches

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
    history = model.fit(shuffled_batches(data, data, batch_size=8), epochs=epochs, verbose=0).history
    return initial, history, model.get_weights()


def assert_same_weights(a, b):
    assert len(a) == len(b)
    for left, right in zip(a, b, strict=True):
        np.testing.assert_array_equal(left, right)


# --------------------------------------------------------------------------------------------------------------
# shuffled_batches
# --------------------------------------------------------------------------------------------------------------


def epoch_orders(seed: int, data: np.ndarray, epochs: int = 3) -> list[np.ndarray]:
    """The row order shuffled_batches deals in each of ``epochs`` passes, after seeding with ``seed``."""
    seed_everything(seed)
    batches = shuffled_batches(data, data, batch_size=5)
    orders = []
    for _ in range(epochs):  # fit starts a new pass over the dataset every epoch, as this loop does
        rows = np.concatenate([inputs.numpy()[:, 0] for inputs, _ in batches])
        orders.append(np.searchsorted(data[:, 0], rows))
    return orders


@pytest.fixture
def numbered_rows() -> np.ndarray:
    return np.repeat(np.arange(23, dtype=np.float32)[:, None], 4, axis=1)


def test_shuffled_batches_deal_every_row_once_in_a_new_order_each_epoch(numbered_rows):
    orders = epoch_orders(0, numbered_rows)
    for order in orders:
        assert sorted(order) == list(range(23))
    assert len({tuple(order) for order in orders}) == 3


def test_shuffled_batches_repeat_with_the_seed_and_change_with_it(numbered_rows):
    first = epoch_orders(3, numbered_rows)
    again = epoch_orders(3, numbered_rows)
    other = epoch_orders(4, numbered_rows)
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
    assert not all(np.array_equal(a, b) for a, b in zip(first, other, strict=True))


def test_shuffled_batches_keep_each_target_with_its_input(numbered_rows):
    targets = 10 * numbered_rows
    sizes = []
    for inputs, target in shuffled_batches(numbered_rows, targets, batch_size=5):
        np.testing.assert_array_equal(target.numpy(), 10 * inputs.numpy())
        sizes.append(len(inputs))
    assert sizes == [5, 5, 5, 5, 3]


def test_shuffled_batches_without_targets_yield_the_inputs_alone(numbered_rows):
    batch = next(iter(shuffled_batches(numbered_rows, batch_size=4)))
    assert batch.shape == (4, 4)


def test_fit_on_shuffled_batches_does_not_warn_that_it_would_not_shuffle(tiny_data):
    model = build_tiny_autoencoder()
    with warnings.catch_warnings(record=True) as caught:
        model.fit(shuffled_batches(tiny_data, tiny_data, batch_size=8), epochs=1, verbose=0)
    assert not [w for w in caught if "shuffle" in str(w.message)]


@pytest.mark.parametrize(
    ("inputs", "targets", "batch_size", "error", "message"),
    [
        (np.zeros((4, 3), np.float32), np.zeros((5, 3), np.float32), 2, ValueError, "4 examples but targets has 5"),
        (np.zeros((4, 3), np.float32), None, 0, ValueError, "batch_size must be at least 1"),
        (np.full((4, 3), np.nan, np.float32), None, 2, ValueError, "NaN"),
        ([[0.0, 1.0]], None, 2, TypeError, "NumPy array"),
    ],
)
def test_shuffled_batches_say_what_is_wrong(inputs, targets, batch_size, error, message):
    with pytest.raises(error, match=message):
        shuffled_batches(inputs, targets, batch_size=batch_size)


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
