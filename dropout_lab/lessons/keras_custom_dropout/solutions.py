"""Solutions to lesson 05's exercises, as real code: exercises.solution(k) shows one (lesson 05)."""
from __future__ import annotations

from ...frameworks import load

keras = load("keras")  # imported when a solution is first shown or run


def solution_1():
    """Exercise 1."""
    class MyDropout(keras.layers.Layer):
        def __init__(self, rate, seed=None, **kwargs):
            super().__init__(**kwargs)
            self.rate = rate
            self.seed_generator = keras.random.SeedGenerator(seed)

        def call(self, inputs, training=None):
            if not training:
                return inputs
            # keras.random runs inside the graph: a new draw on every step, any batch size.
            uniform = keras.random.uniform(keras.ops.shape(inputs), seed=self.seed_generator)
            mask = keras.ops.cast(uniform >= self.rate, inputs.dtype)
            return inputs * mask / (1 - self.rate)
    return MyDropout


def solution_2():
    """Exercise 2."""
    class MyVanillaDropout(keras.layers.Layer):
        def __init__(self, rate, seed=None, **kwargs):
            super().__init__(**kwargs)
            self.rate = rate
            self.seed_generator = keras.random.SeedGenerator(seed)

        def call(self, inputs, training=None):
            if not training:
                return inputs * (1 - self.rate)    # what the next layer saw on average in training
            uniform = keras.random.uniform(keras.ops.shape(inputs), seed=self.seed_generator)
            return inputs * keras.ops.cast(uniform >= self.rate, inputs.dtype)   # unscaled survivors
    return MyVanillaDropout


def solution_3(model, data):
    """Exercise 3."""
    # evaluate() runs the model with training=False: no dropout. One batch of all 4,000 rows;
    # with a metric compiled in, it returns [loss, accuracy].
    from dropout_lab.lessons.keras_custom_dropout import training
    loss, accuracy = model.evaluate(training.dataset(data.x_train, data.y_train, 4096), verbose=0)
    training_loss_off = loss
    return training_loss_off
