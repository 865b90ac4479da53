"""Lesson 05 exercise checks: placeholders, right and wrong answers, and solutions that pass."""
import importlib

import pytest

import dropout_lab as dl
from dropout_lab.lessons.keras_custom_dropout import exercises as ex
from dropout_lab.lessons.keras_custom_dropout import solutions

NUMERIC = {1: ex.check_survivor_scale, 2: ex.check_hiding_rate, 4: ex.check_masks_drawn}


@pytest.mark.parametrize("check", [*NUMERIC.values(), ex.check_layer])
def test_placeholder_is_not_answered(check):
    assert check(...) is dl.ui.checks.NOT_ANSWERED


@pytest.mark.parametrize("number", NUMERIC)
def test_numeric_solutions_pass(number):
    assert NUMERIC[number](getattr(solutions, f"solution_{number}")()).passed


@pytest.mark.parametrize("number, wrong", [(1, 5.0), (1, 0.8), (2, 0.2), (4, 5), (4, 426 / 32), (1, True)])
def test_wrong_numbers_fail(number, wrong):
    assert not NUMERIC[number](wrong).passed


def test_rate_instead_of_keep_gets_specific_hint():
    assert "mistake" in ex.check_survivor_scale(5).message


def test_layer_solution_passes_and_matches_package_layer():
    kc = importlib.import_module("dropout_lab.lessons.keras_custom_dropout.compute")
    my_dropout = solutions.solution_3()
    assert ex.check_layer(my_dropout).passed
    # the learner's from-scratch layer draws exactly the package layer's masks for the same seed
    x = kc.keras.ops.ones((4, 1000))
    mine = kc.keras.ops.convert_to_numpy(my_dropout(0.3, seed=5)(x, training=True))
    ours = kc.keras.ops.convert_to_numpy(kc.CustomDropout(0.3, seed=5)(x, training=True))
    assert (mine == ours).all()


def test_buggy_layers_fail_the_layer_check():
    kc = importlib.import_module("dropout_lab.lessons.keras_custom_dropout.compute")
    for cls in (kc.CoinFlipDropout, kc.DivideByRateDropout):
        result = ex.check_layer(cls)
        assert not result.passed and "failed" in result.message


def test_layer_that_crashes_is_reported():
    kc = importlib.import_module("dropout_lab.lessons.keras_custom_dropout.compute")

    class Broken(kc.keras.layers.Layer):
        def __init__(self, rate, seed=None, **kwargs):
            super().__init__(**kwargs)

        def call(self, inputs, training=None):
            return inputs * undefined_name  # noqa: F821

    result = ex.check_layer(Broken)
    assert not result.passed and "NameError" in result.message
