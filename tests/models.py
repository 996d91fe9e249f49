"""Small Keras models that the tests of aeutils' model helpers (shape traces, diagrams) share."""

from __future__ import annotations

import keras
from keras import layers


def encoder_decoder(kind: str) -> tuple[keras.Model, keras.Model]:
    """An encoder (28 x 28 x 1 -> 16) and a decoder (16 -> 28 x 28 x 1), Sequential or functional."""
    if kind == "sequential":
        encoder = keras.Sequential(
            [keras.Input(shape=(28, 28, 1)), layers.Flatten(name="flatten"), layers.Dense(16, name="dense")],
            name="encoder",
        )
        decoder = keras.Sequential(
            [keras.Input(shape=(16,)), layers.Dense(784, name="dense"), layers.Reshape((28, 28, 1), name="reshape")],
            name="decoder",
        )
        return encoder, decoder
    image = keras.Input(shape=(28, 28, 1))
    encoder = keras.Model(image, layers.Dense(16, name="dense")(layers.Flatten(name="flatten")(image)), name="encoder")
    code = keras.Input(shape=(16,))
    image = layers.Reshape((28, 28, 1), name="reshape")(layers.Dense(784, name="dense")(code))
    return encoder, keras.Model(code, image, name="decoder")


def nested_autoencoder(kind: str) -> keras.Model:
    """An autoencoder made of an encoder and a decoder sub-model, each functional or Sequential."""
    encoder, decoder = encoder_decoder(kind)
    inputs = keras.Input(shape=(28, 28, 1), name="image")
    return keras.Model(inputs, decoder(encoder(inputs)), name="nested")
