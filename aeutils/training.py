"""Seeding, determinism, shuffled training batches and a compact training log."""

from __future__ import annotations

import random
import time
import warnings

import keras
import numpy as np
import tensorflow as tf

from aeutils._checks import as_image_array, positive_int


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy, Keras and TensorFlow, and make TensorFlow's ops deterministic.

    Call it once at the top of a notebook and again before building each model you want to compare fairly:
    the same seed then gives the same initial weights, the same shuffling and the same results, run after run.
    """
    seed = positive_int(seed, "seed", minimum=0)
    if seed >= 2**32:
        raise ValueError(f"seed must be below 2**32 (NumPy's limit), got {seed}.")
    random.seed(seed)
    np.random.seed(seed)
    keras.utils.set_random_seed(seed)  # seeds Python, NumPy and the backend again, for Keras' own generators
    tf.config.experimental.enable_op_determinism()


def shuffled_batches(inputs, targets=None, *, batch_size: int) -> tf.data.Dataset:
    """Training batches for ``Model.fit``, dealt in a new random order every epoch.

    Each batch pairs ``batch_size`` inputs with their targets (an autoencoder's targets are its inputs, so pass
    the same array twice); without ``targets`` a batch is the inputs alone, for a model that computes its own
    loss. Use it in place of ``fit(inputs, targets, batch_size=...)``: once ``seed_everything`` has fixed
    TensorFlow's seed, Keras deals arrays in one shuffled order and repeats that order in every epoch
    (tensorflow/tensorflow#29558). The order here still follows the seed, so a run repeats exactly.

    ``fit`` warns that its ``shuffle=True`` is ignored for any ``tf.data.Dataset``; these batches reshuffle
    themselves, so that one warning is silenced from the first call on. A dataset of your own must call
    ``.shuffle(...)`` itself.
    """
    batch_size = positive_int(batch_size, "batch_size")
    x = as_image_array(inputs, "inputs", unit_range=False)
    warnings.filterwarnings("ignore", message=r"`shuffle=True` was passed, but will be ignored since the data `x`")
    data = (tf.constant(x, dtype=tf.float32),)
    if targets is not None:
        y = x if targets is inputs else as_image_array(targets, "targets", unit_range=False)
        if len(y) != len(x):
            raise ValueError(
                f"inputs has {len(x)} examples but targets has {len(y)}; each input needs exactly one target."
            )
        data += (data[0] if y is x else tf.constant(y, dtype=tf.float32),)
    # Shuffling the indices, not the images, keeps one copy of the data in memory; reshuffle_each_iteration
    # draws a new order each time fit starts an epoch.
    order = tf.data.Dataset.range(len(x)).shuffle(len(x), reshuffle_each_iteration=True).batch(batch_size)
    batches = tf.data.Dataset.zip(order, tf.data.Dataset.from_tensors(data).repeat())
    return batches.map(
        lambda i, data: tuple(tf.gather(a, i) for a in data) if len(data) > 1 else tf.gather(data[0], i),
        num_parallel_calls=tf.data.AUTOTUNE,
    ).prefetch(tf.data.AUTOTUNE)


class TrainingLog(keras.callbacks.Callback):
    """A one-line-per-few-epochs training log, used with ``fit(..., verbose=0)`` instead of progress bars.

    Every ``every`` epochs (and at the last one) it prints the epoch and each logged metric rounded to
    ``digits`` decimals, so that the log reads the same on every run. The wall-clock time of the whole fit is
    kept in ``seconds`` and not printed, because it differs from run to run.
    """

    def __init__(self, every: int = 5, digits: int = 4):
        super().__init__()
        self.every = positive_int(every, "every")
        self.digits = positive_int(digits, "digits")
        self.seconds = 0.0
        self._start = 0.0
        self._epochs = 0

    def on_train_begin(self, logs=None):
        self._start = time.perf_counter()
        self._epochs = self.params.get("epochs", 0) if self.params else 0

    def on_epoch_end(self, epoch, logs=None):
        done = epoch + 1
        if done % self.every and done != self._epochs:
            return
        width = len(str(self._epochs))
        values = "  ".join(f"{name} {value:.{self.digits}f}" for name, value in sorted((logs or {}).items()))
        print(f"epoch {done:>{width}}/{self._epochs}  {values}", flush=True)

    def on_train_end(self, logs=None):
        self.seconds = time.perf_counter() - self._start
