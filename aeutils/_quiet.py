"""Load TensorFlow without the C++ start-up chatter that would otherwise land in notebook outputs."""

import logging
import os
import sys

RETRACING = "triggered tf.function retracing"


def _not_retracing(record: logging.LogRecord) -> bool:
    return RETRACING not in record.getMessage()


def import_tensorflow_quietly() -> None:
    """Import TensorFlow with its C++ logging silenced; a no-op once TensorFlow is loaded.

    ``TF_CPP_MIN_LOG_LEVEL=3`` hides TensorFlow's own info and warning lines, the oneDNN notice among them
    (oneDNN stays on: it makes the convolutions about three times faster on a CPU, and two runs on the same
    machine still give identical results); the last few lines
    (absl's "log messages before InitializeLog" and the CUDA-stub probe) are written straight to the process's
    stderr while TensorFlow loads, so stderr is pointed at the null device for the duration of the import.
    Errors still surface: a failed import raises a Python exception, which does not go through stderr.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    # A chapter that builds one model after another (a sweep) gives each its own tf.function, which TensorFlow
    # reports as "retracing" meant for a function traced again and again inside one model. It is expected
    # here and costs nothing, so only that warning is dropped; every other TensorFlow warning still shows.
    if _not_retracing not in logging.getLogger("tensorflow").filters:
        logging.getLogger("tensorflow").addFilter(_not_retracing)
    if "tensorflow" in sys.modules:
        return
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        import keras  # noqa: F401
        import tensorflow  # noqa: F401
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
