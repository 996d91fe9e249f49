"""Seeding, determinism and a compact training log."""

from __future__ import annotations

import random
import time

import keras
import numpy as np
import tensorflow as tf

from aeutils._checks import positive_int


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
