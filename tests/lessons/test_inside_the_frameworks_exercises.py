"""Lesson 04's exercise checks: plausible wrong answers get a useful "not yet", right answers pass two ways."""
import numpy as np
import pytest

from dropout_lab.lessons.inside_the_frameworks import compute, solutions
from dropout_lab.lessons.inside_the_frameworks import exercises as ex
from dropout_lab.ui.checks import NOT_ANSWERED

torch = pytest.importorskip("torch")
nn, F = torch.nn, torch.nn.functional


def _not_yet(result, *words):
    assert not result, result
    for word in words:
        assert word in result.message, (word, result.message)


@pytest.mark.parametrize("check", [ex.check_coins, ex.check_image_noise_shape, ex.check_eval_respected,
                                   ex.check_int_seed])
def test_placeholders_are_not_answered(check):
    assert check(...) == NOT_ANSWERED


# --- exercise 1 -----------------------------------------------------------------------------------

@pytest.mark.parametrize("answer,words", [
    (32 * 50 * 16, ["one coin per entry"]),          # forgot the sharing
    (16, ["batch size"]),                            # None read as 1
    (50 * 16, ["over the batch"]),                   # shared the wrong axis
    (32, ["one coin per sample"]),
    (32 * 50, ["(sample, time step)"]),
    (511, ["count the entries"]),                    # off by one
    (513, ["count the entries"]),
    ("512", ["a number"]), (True, ["a number"]), ([512], ["a number"]),
])
def test_coins_wrong(answer, words):
    _not_yet(ex.check_coins(answer), *words)


@pytest.mark.parametrize("answer", [512, 512.0, np.int64(512), 32 * 1 * 16, solutions.solution_1()])
def test_coins_right(answer):
    assert ex.check_coins(answer)


# --- exercise 2 -----------------------------------------------------------------------------------

@pytest.mark.parametrize("answer,words", [
    ((None, 28, 28, 1), ["pixel"]),
    ((1, 1, 1, 3), ["batch axis is shared"]),
    ((1, 1, 3), ["batch axis is shared"]),           # short: broadcast from the right
    ((None, 1, 1, 1), ["whole images"]),
    ((8, 28, 28, 3), ["one coin per entry"]),
    ((None, 1, 1), ["would not accept", "(8, 1, 1)"]),   # Keras fills None from the left, then fails
    ((None, 1, 1, 3.0), ["would not accept"]),
    ((np.int64(8), 1, 1, 3), ["would not accept"]),
    ((0, 1, 1, 3), ["would not accept"]),
    ((None, 1, 1, None, 1), ["would not accept"]),
    ("(None, 1, 1, None)", ["would not accept"]),
    (3, ["would not accept"]),
    ((None, True, True, None), ["not True or False"]),
])
def test_image_noise_shape_wrong(answer, words):
    _not_yet(ex.check_image_noise_shape(answer), *words)


@pytest.mark.parametrize("answer", [(None, 1, 1, None), [8, 1, 1, 3], (None, 1, 1, 3), (8, 1, 1, None),
                                    solutions.solution_2()])
def test_image_noise_shape_right_and_keras_agrees(answer):
    assert ex.check_image_noise_shape(answer)
    assert compute.keras_noise_shape_outcome(answer, ex.IMAGE_SHAPE) == "shared along axes (1, 2)"


# --- exercise 3 -----------------------------------------------------------------------------------

def _module(forward, init=None):
    """A torch module class with __init__(self, rate) and the given forward."""
    def __init__(self, rate):
        nn.Module.__init__(self)
        self.rate = rate
        if init:
            init(self)
    return type("Attempt", (nn.Module,), {"__init__": __init__, "forward": forward})


def _cached(self, x):
    if not hasattr(self, "mask"):
        self.mask = torch.rand_like(x) >= self.rate
    return x * self.mask / (1 - self.rate) if self.training else x


WRONG_MODULES = {
    "forgets the flag": (_module(lambda self, x: F.dropout(x, self.rate)), ["still drops", "training=self.training"]),
    "never rescales": (_module(lambda self, x: x * (torch.rand_like(x) >= self.rate) if self.training else x),
                       ["not rescaled"]),
    "divides by the rate": (_module(lambda self, x: x * (torch.rand_like(x) >= self.rate) / self.rate
                                    if self.training else x), ["divided by the rate"]),
    "keep for drop": (_module(lambda self, x: F.dropout(x, 1 - self.rate, training=self.training)),
                      ["drop probability"]),
    "flag upside down": (_module(lambda self, x: F.dropout(x, self.rate, training=not self.training)),
                         ["nothing was dropped"]),
    "ignores x": (_module(lambda self, x: (torch.rand_like(x) >= self.rate) / (1 - self.rate)
                          if self.training else x), ["a survivor should be x/(1 − rate)"]),
    "one mask for ever": (_module(_cached), ["same units"]),
    "scales at test time": (_module(lambda self, x: F.dropout(x, self.rate) if self.training
                                    else x * (1 - self.rate)), ["not x", "identity"]),
    "raises": (_module(lambda self, x: F.dropout(x, self.rate, training=self.training, bogus=1)), ["raised"]),
    "returns numpy": (_module(lambda self, x: F.dropout(x, self.rate, training=self.training).numpy()),
                      ["a tensor"]),
    "returns NaN": (_module(lambda self, x: x * float("nan") if self.training else x), ["NaN"]),
}


@pytest.mark.parametrize("name", WRONG_MODULES)
def test_eval_respected_wrong(name):
    module_class, words = WRONG_MODULES[name]
    _not_yet(ex.check_eval_respected(module_class), *words)


def test_eval_respected_wrong_types():
    _not_yet(ex.check_eval_respected(nn.Dropout(0.2)), "class")          # an instance, not the class
    _not_yet(ex.check_eval_respected("MyDropout"), "class")
    no_rate = type("NoRate", (nn.Module,), {"forward": lambda self, x: x})
    no_rate.__init__ = lambda self: nn.Module.__init__(self)
    _not_yet(ex.check_eval_respected(no_rate), "raised TypeError")


class WithSubmodule(nn.Module):
    """The right answer another way: nn.Dropout follows train()/eval() by itself."""

    def __init__(self, rate):
        super().__init__()
        self.drop = nn.Dropout(rate)

    def forward(self, x):
        return self.drop(x)


class ByHand(nn.Module):
    """The right answer by hand: a fresh mask each call, 1/keep scaling, identity in eval."""

    def __init__(self, rate):
        super().__init__()
        self.rate = rate

    def forward(self, x):
        if not self.training:
            return x
        return x * (torch.rand_like(x) >= self.rate) / (1 - self.rate)


@pytest.mark.parametrize("module_class", [solutions.solution_3(), WithSubmodule, ByHand,
                                          _module(lambda self, x: F.dropout(x, self.rate, self.training, True))])
def test_eval_respected_right(module_class):
    result = ex.check_eval_respected(module_class)
    assert result, result


# --- exercise 4 -----------------------------------------------------------------------------------

@pytest.mark.parametrize("answer,words", [
    ("no", ["a bool", "the string 'no'"]), ("False", ["a bool", "the string 'False'"]),
    ("True", ["a bool"]), ("yes", ["a bool"]), (1, ["a bool", "int 1"]), (0, ["a bool"]), (0.5, ["a bool"]),
    (False, ["run it"]), (np.False_, ["run it"]),
])
def test_int_seed_wrong(answer, words):
    _not_yet(ex.check_int_seed(answer), *words)


@pytest.mark.parametrize("answer", [True, np.bool_(True), 1 == 1, solutions.solution_4()])
def test_int_seed_right(answer):
    assert ex.check_int_seed(answer)


def test_every_solution_is_shown_as_code():
    for number in (1, 2, 3, 4):
        shown = ex.solution(number)
        assert shown and not shown.startswith("def solution")
