"""Solutions to lesson 05's exercises, as real code: exercises.solution(k) shows one (lesson 05)."""
from __future__ import annotations

from ...frameworks import load

keras = load("keras")  # imported when a solution is first shown or run


def solution_1():
    """Exercise 1."""
    # Inverted dropout divides the survivors by the KEEP probability, 1 - rate = 0.8.
    survivor_scale = 1 / (1 - 0.2)   # 1.25
    return survivor_scale


def solution_2():
    """Exercise 2."""
    # At rate 0.5 the keep probability is also 0.5: a fair coin IS the right mask, and
    # dividing by the rate is the same as dividing by keep. Both bugs hide there.
    hiding_rate = 0.5
    return hiding_rate


def solution_3():
    """Exercise 3."""
    class MyDropout(keras.layers.Layer):
        def __init__(self, rate, seed=None, **kwargs):
            super().__init__(**kwargs)
            self.rate = rate
            self.seed_generator = keras.random.SeedGenerator(seed)

        def call(self, inputs, training=None):
            if not training:
                return inputs                      # predict / evaluate: the input unchanged
            keep = 1.0 - self.rate
            uniform = keras.random.uniform(keras.ops.shape(inputs), seed=self.seed_generator)
            mask = keras.ops.cast(uniform >= self.rate, inputs.dtype)
            return inputs * mask / keep            # inverted scaling keeps the mean
    return MyDropout


def solution_4():
    """Exercise 4."""
    # One mask per training step. 426 rows in batches of 32 make 13 full batches and one of 10 rows,
    # so an epoch has ceil(426 / 32) = 14 steps; -(-a // b) is integer ceiling division.
    steps_per_epoch = -(-426 // 32)          # 14
    masks_drawn = 5 * steps_per_epoch        # 70
    return masks_drawn
