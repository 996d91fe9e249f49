import logging

import aeutils  # noqa: F401  (importing aeutils installs the filter)


def test_only_tensorflows_retracing_warning_is_dropped(caplog):
    logger = logging.getLogger("tensorflow")
    with caplog.at_level(logging.WARNING, logger="tensorflow"):
        logger.warning("5 out of the last 5 calls to <function f> triggered tf.function retracing. Tracing is ...")
        logger.warning("some other TensorFlow warning")
    assert [record.getMessage() for record in caplog.records] == ["some other TensorFlow warning"]
