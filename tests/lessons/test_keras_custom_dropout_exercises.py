"""Lesson 05 exercise checks: placeholders, plausible wrong answers with their messages, right answers two ways."""
import importlib

import numpy as np
import pytest

from dropout_lab.lessons.keras_custom_dropout import exercises as ex
from dropout_lab.lessons.keras_custom_dropout import solutions
from dropout_lab.ui.checks import NOT_A_NUMBER, NOT_ANSWERED

kc = importlib.import_module("dropout_lab.lessons.keras_custom_dropout.compute")
keras, ops = kc.keras, kc.keras.ops


def layer_class(call):
    """A learner's layer: the exercise cell's __init__ with the given call method."""
    class Learner(keras.layers.Layer):
        def __init__(self, rate, seed=None, **kwargs):
            super().__init__(**kwargs)
            self.rate = rate
            self.seed_generator = keras.random.SeedGenerator(seed)
            self.rng = np.random.default_rng(seed)

        def uniform(self, inputs):
            return keras.random.uniform(ops.shape(inputs), seed=self.seed_generator)

    Learner.call = call
    return Learner


def placeholder(self, inputs, training=None):
    ...


def book_numpy_line(self, inputs, training=None):   # the exercise's starting point
    if not training:
        return inputs
    mask = np.random.rand(*inputs.shape) >= self.rate  # noqa: NPY002 (the book's line, on purpose)
    return inputs * mask / (1 - self.rate)


def with_where(self, inputs, training=None):        # a right answer written another way
    if training:
        return ops.where(self.uniform(inputs) < self.rate, ops.zeros_like(inputs), inputs / (1 - self.rate))
    return inputs


def seed_int(self, inputs, training=None):          # the stateless int-seed trap: the same mask every step
    if not training:
        return inputs
    mask = keras.random.uniform(ops.shape(inputs), seed=0) >= self.rate
    return ops.where(mask, inputs / (1 - self.rate), ops.zeros_like(inputs))


def none_is_training(self, inputs, training=None):
    if training is False:
        return inputs
    return inputs * ops.cast(self.uniform(inputs) >= self.rate, inputs.dtype) / (1 - self.rate)


def keep_drop_swapped(self, inputs, training=None):
    if not training:
        return inputs
    return inputs * ops.cast(self.uniform(inputs) < self.rate, inputs.dtype) / (1 - self.rate)


def raises(self, inputs, training=None):
    return inputs * undefined_name  # noqa: F821


def scaled(self, inputs, mask):
    return inputs * ops.cast(mask, inputs.dtype) / (1 - self.rate)


def batch_noise_shape(self, inputs, training=None):   # noise_shape=(1, features): one mask for the whole batch
    if not training:
        return inputs
    return scaled(self, inputs, keras.random.uniform((1, ops.shape(inputs)[1]), seed=self.seed_generator) >= self.rate)


def batch_feature_mask(self, inputs, training=None):  # the mask drawn with shape (features,)
    if not training:
        return inputs
    return scaled(self, inputs, keras.random.uniform(ops.shape(inputs)[1:], seed=self.seed_generator) >= self.rate)


def whole_example(self, inputs, training=None):       # noise_shape=(batch, 1): each example kept or dropped whole
    if not training:
        return inputs
    coins = keras.random.uniform((ops.shape(inputs)[0], 1), seed=self.seed_generator) >= self.rate
    return scaled(self, inputs, coins)


def ignores_input(self, inputs, training=None):       # right shape, right zeros, right mean on ones; no inputs in it
    if not training:
        return inputs
    return ops.cast(self.uniform(inputs) >= self.rate, inputs.dtype) / (1 - self.rate)


def constant_in_training(self, inputs, training=None):
    if not training:
        return inputs
    return ops.ones_like(inputs)


def no_scaling(self, inputs, training=None):
    if not training:
        return inputs
    return inputs * ops.cast(self.uniform(inputs) >= self.rate, inputs.dtype)


def scales_at_inference(self, inputs, training=None):  # inverted in training, and × keep at inference as well
    if not training:
        return inputs * (1 - self.rate)
    return scaled(self, inputs, self.uniform(inputs) >= self.rate)


def drops_at_inference(self, inputs, training=None):   # no training test at all
    return scaled(self, inputs, self.uniform(inputs) >= self.rate)


def rate_as_keep(self, inputs, training=None):         # keeps with probability rate, ÷ rate
    if not training:
        return inputs
    return inputs * ops.cast(self.uniform(inputs) < self.rate, inputs.dtype) / self.rate


def generator_in_call(self, inputs, training=None):    # a fresh SeedGenerator(0) each call: the same mask every call
    if not training:
        return inputs
    mask = keras.random.uniform(ops.shape(inputs), seed=keras.random.SeedGenerator(0)) >= self.rate
    return scaled(self, inputs, mask)


# ------------------------------------------------------------------ exercise 1

def test_exercise_1_placeholder_and_non_classes_are_not_answered():
    assert ex.check_layer_in_fit(...) is NOT_ANSWERED and ex.check_layer_in_fit(None) is NOT_ANSWERED
    assert ex.check_layer_in_fit(layer_class(placeholder)) is NOT_ANSWERED


def test_exercise_1_the_starting_point_fails_with_the_reason():
    result = ex.check_layer_in_fit(layer_class(book_numpy_line))
    assert not result.passed and "batch None" in result.message and "TypeError" in result.message
    assert "trace time" in result.message


@pytest.mark.parametrize("call, words", [
    (seed_int, "draw the same mask: a fixed seed"), (generator_in_call, "draw the same mask: a fixed seed"),
    (none_is_training, "training=None means inference"), (raises, "NameError"),
    (keep_drop_swapped, "zero fraction"), (rate_as_keep, "treats rate as the keep probability"),
    (batch_noise_shape, "every example in the batch gets the same mask"),
    (batch_feature_mask, "every example in the batch gets the same mask"),
    (whole_example, "each example keeps or drops all its units together"),
    (ignores_input, "not a tensor that ignores its input"), (constant_in_training, "ignores its input"),
    (no_scaling, "training averages keep × the inference output"),
    (scales_at_inference, "inference scales by keep although training already divides by keep"),
    (drops_at_inference, "layer(x, training=False) drops units"),
])
def test_exercise_1_plausible_mistakes_fail_with_a_message(call, words):
    result = ex.check_layer_in_fit(layer_class(call))
    assert not result.passed and words in result.message


def test_exercise_1_the_new_wrong_answers_pass_a_probe_on_ones():
    # why the audit feeds a batch of distinct values: on one row of ones these look right
    for call in (batch_noise_shape, batch_feature_mask, ignores_input):
        train, infer, problem = ex._probe(layer_class(call)(0.2, seed=0))
        assert problem is None and np.all(infer == 1) and set(np.unique(train)) == {0.0, 1.25}


def test_exercise_1_fit_runs_without_xla_even_where_a_gpu_is_visible(monkeypatch):
    import tensorflow as tf
    devices = tf.config.list_physical_devices()
    fake_gpu = tf.config.PhysicalDevice(name="/physical_device:GPU:0", device_type="GPU")
    monkeypatch.setattr(tf.config, "list_physical_devices", lambda kind=None: devices + [fake_gpu])
    seen, fit = [], keras.Model.fit

    def spy(self, *args, **kwargs):
        seen.append(self.jit_compile)
        return fit(self, *args, **kwargs)

    monkeypatch.setattr(keras.Model, "fit", spy)
    assert ex._fit_two_steps(solutions.solution_1()) is None and seen == [False]


def test_exercise_1_right_answers_pass_written_two_ways():
    assert ex.check_layer_in_fit(solutions.solution_1()).passed
    assert ex.check_layer_in_fit(layer_class(with_where)).passed


def test_exercise_1_a_layer_that_breaks_only_inside_fit_is_caught(monkeypatch):
    # a layer that passes every audit check but whose fit fails must still fail the exercise
    monkeypatch.setattr(ex, "_fit_two_steps", lambda cls: "ValueError: boom")
    result = ex.check_layer_in_fit(solutions.solution_1())
    assert not result.passed and "model.fit raised ValueError: boom" in result.message


def test_exercise_1_the_solution_draws_the_package_layers_masks():
    mine = ops.convert_to_numpy(solutions.solution_1()(0.3, seed=5)(ops.ones((4, 1000)), training=True))
    ours = ops.convert_to_numpy(kc.CustomDropout(0.3, seed=5)(ops.ones((4, 1000)), training=True))
    assert np.array_equal(mine, ours)


# ------------------------------------------------------------------ exercise 2

def inverted(self, inputs, training=None):
    if not training:
        return inputs
    return inputs * ops.cast(self.uniform(inputs) >= self.rate, inputs.dtype) / (1 - self.rate)


def removed_at_test(self, inputs, training=None):
    if not training:
        return inputs
    return inputs * ops.cast(self.uniform(inputs) >= self.rate, inputs.dtype)


def times_rate(self, inputs, training=None):
    if not training:
        return inputs * self.rate
    return inputs * ops.cast(self.uniform(inputs) >= self.rate, inputs.dtype)


def vanilla_numpy(self, inputs, training=None):
    if not training:
        return inputs * (1 - self.rate)
    return inputs * (self.rng.random(inputs.shape) >= self.rate).astype("float32")


def vanilla_where(self, inputs, training=None):
    keep = 1 - self.rate
    if training:
        return ops.where(self.uniform(inputs) >= self.rate, inputs, ops.zeros_like(inputs))
    return keep * inputs


def vanilla_batch_mask(self, inputs, training=None):
    if not training:
        return inputs * (1 - self.rate)
    return inputs * ops.cast(keras.random.uniform(ops.shape(inputs)[1:], seed=self.seed_generator) >= self.rate,
                             inputs.dtype)


def vanilla_ignores_input(self, inputs, training=None):
    if not training:
        return inputs * (1 - self.rate)
    return ops.cast(self.uniform(inputs) >= self.rate, inputs.dtype)


@pytest.mark.parametrize("call, words", [(inverted, "inverted"), (removed_at_test, "Multiply by keep"),
                                         (times_rate, "rate (0.2)"), (vanilla_numpy, "batch None"),
                                         (raises, "NameError"),
                                         (vanilla_batch_mask, "every example in the batch gets the same mask"),
                                         (vanilla_ignores_input, "ignores its input")])
def test_exercise_2_plausible_mistakes_fail_with_a_message(call, words):
    result = ex.check_vanilla_layer(layer_class(call))
    assert not result.passed and words in result.message


def test_exercise_2_placeholder_and_right_answers():
    assert ex.check_vanilla_layer(...) is NOT_ANSWERED
    assert ex.check_vanilla_layer(layer_class(placeholder)) is NOT_ANSWERED
    assert ex.check_vanilla_layer(solutions.solution_2()).passed
    assert ex.check_vanilla_layer(layer_class(vanilla_where)).passed


# ------------------------------------------------------------------ exercise 3

@pytest.fixture(scope="module")
def trained():
    tr = importlib.import_module("dropout_lab.lessons.keras_custom_dropout.training")
    data = tr.load_reviews(source="subset")
    small = tr.Reviews("subset", "small", data.x_train[:1024], data.y_train[:1024], data.x_val[:256],
                       data.y_val[:256], data.x_test[:256], data.y_test[:256])
    model = tr.build_model("custom", seed=0)
    curves = tr.train(model, small, epochs=3, batch_size=256)
    return model, small, curves


def test_exercise_3_right_answer_two_ways_and_the_mistakes(trained):
    model, data, curves = trained
    tr = importlib.import_module("dropout_lab.lessons.keras_custom_dropout.training")
    check = lambda answer: ex.check_dropout_off_loss(answer, model, data, curves)
    assert check(solutions.solution_3(model, data)).passed
    x, y = tr._sparse_tensor(data.x_train), data.y_train[:, None]
    by_hand = float(keras.losses.BinaryCrossentropy()(y, model(x, training=False))) + float(sum(model.losses))
    assert check(by_hand).passed
    assert "what fit reported" in check(curves.loss[-1]).message
    assert "validation loss" in check(curves.val_loss[-1]).message
    assert "[loss, accuracy]" in check(model.evaluate(tr.dataset(data.x_train, data.y_train, 4096),
                                                      verbose=0)).message
    dropout_on = float(keras.losses.BinaryCrossentropy()(y, model(x, training=True))) + float(sum(model.losses))
    assert not check(dropout_on).passed
    assert check(...) is NOT_ANSWERED and check("0.2") is NOT_A_NUMBER


def test_solutions_are_shown_as_code():
    for k in (1, 2, 3):
        assert ex.solution(k)
    assert "keras.random.uniform" in ex.solution(1) and "model.evaluate" in ex.solution(3)
