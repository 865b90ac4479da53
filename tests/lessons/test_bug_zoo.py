"""Lesson 08: every check fails on its bug (the lesson's own snippet) and passes on the fix, written two ways;
plausible wrong fixes fail with the right diagnosis. NumPy and PyTorch exhibits (Keras: test_bug_zoo_keras.py)."""
from __future__ import annotations

import copy
import json
import math
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

import dropout_lab as dl
from dropout_lab.lessons.bug_zoo import compute as bugzoo
from dropout_lab.lessons.bug_zoo import exercises as lesson08
from dropout_lab.lessons.bug_zoo import solutions, torch_probes
from dropout_lab.lessons.bug_zoo.exhibits import GROUPS, in_group

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "08_bug_zoo.ipynb"
KERAS_EXHIBITS = (6, 13, 15)
NOT_KERAS = [k for k in sorted(bugzoo.BUGS) if k not in KERAS_EXHIBITS]


def namespace() -> dict:
    """What a lesson cell sees (the Keras tests add keras and tf)."""
    return {"np": np, "torch": torch, "nn": nn, "F": F, "dl": dl, "exercises": lesson08, "copy": copy}


def defined(code: str, name: str, extra: dict | None = None):
    scope = {**namespace(), **(extra or {})}
    exec(code, scope)
    return scope[name]


def verdict(number: int, code: str, extra: dict | None = None):
    """Run `code` as exhibit `number`'s cell would, with its check."""
    return lesson08.CHECKS[number](defined(code, bugzoo.BUGS[number].defines, extra))


# ---------------------------------------------------------------- the lesson's own snippets


@pytest.mark.parametrize("number", NOT_KERAS)
def test_check_rejects_the_buggy_snippet(number):
    bug = bugzoo.BUGS[number]
    scope = namespace()
    exec(bug.buggy_code, scope)
    result = eval(lesson08.check_call(number), scope)
    assert not result.passed
    assert "raised" not in result.message  # it fails for the bug, not because the snippet crashed


@pytest.mark.parametrize("number", NOT_KERAS)
def test_check_accepts_the_solution(number):
    fixed = getattr(solutions, f"solution_{number}")()
    result = lesson08.CHECKS[number](fixed)
    assert result.passed, result.message


def test_every_exhibit_has_a_check_a_solution_and_a_group():
    assert len(bugzoo.BUGS) >= 10 and sorted(bugzoo.BUGS) == list(range(1, len(bugzoo.BUGS) + 1))
    assert set(lesson08.CHECKS) == set(bugzoo.BUGS) == set(lesson08.Solutions(solutions).numbers())
    assert [b.number for g in GROUPS for b in in_group(g)] == sorted(bugzoo.BUGS)  # groups run in order
    assert all("# BUG?" in b.buggy_code for b in bugzoo.BUGS.values() if b.group != "spot the bugs")
    assert "BUG" not in bugzoo.BUGS[17].buggy_code  # the finale has no hint
    with pytest.raises(ValueError, match="group"):
        in_group("nope")


def test_the_lesson_cells_hold_the_buggy_snippets():
    cells = ["".join(c["source"]) for c in json.loads(NOTEBOOK.read_text())["cells"] if c["cell_type"] == "code"]
    for number, bug in bugzoo.BUGS.items():
        assert f"{bug.buggy_code}\n\n{lesson08.check_call(number)}" in cells, bug.title


def test_the_notebook_links_the_lessons_the_exhibits_point_to():
    text = NOTEBOOK.read_text()
    for bug in bugzoo.BUGS.values():
        if bug.see:
            assert f"]({bug.see})" in text and (NOTEBOOK.parent / bug.see).is_file(), bug.title


@pytest.mark.parametrize("check", list(lesson08.CHECKS.values()), ids=lambda c: c.__name__)
def test_placeholder_is_not_answered_and_junk_is_reported(check):
    assert check(...) is dl.ui.checks.NOT_ANSWERED
    result = check(3)  # not a function or class: the check reports it, never raises
    assert not result.passed and "raised" in result.message


# ---------------------------------------------------------------- the review's ten attempted fixes (lesson 08 table)


REVIEW_TABLE = [  # (exhibit, attempted fix, should pass?, words the verdict must contain)
    (1, '''def predict(model, x):
    with torch.no_grad():
        return model(x)''', False, "training mode"),
    (1, '''def predict(model, x):
    model.eval()
    return model(x)''', True, "eval"),
    (3, '''class Net(nn.Module):
    def __init__(self, rate=0.5):
        super().__init__()
        self.rate, self.hidden, self.out = rate, nn.Linear(20, 64), nn.Linear(64, 3)

    def forward(self, x):
        return self.out(F.dropout(torch.relu(self.hidden(x)), p=self.rate, training=False))''',
     False, "no longer runs"),
    (8, '''def my_dropout(x, rate, rng):
    return x * (rng.random(x.shape) >= rate)''', False, "mean output"),
    (8, '''def my_dropout(x, rate, rng):
    return x * (rng.random(x.shape) < rate) / (1 - rate)''', False, "zero"),
    (12, '''class MyDropout:
    def __init__(self, rate, seed):
        self.rate = rate

    def __call__(self, x):
        return x * (np.random.default_rng().random(x.shape) >= self.rate) / (1 - self.rate)''', False, "same seed"),
    (11, '''def my_dropout(x, rate, rng, training):
    return x * (rng.random(x.shape) >= rate) if training else x * (1 - rate)''', True, "vanilla"),
    (11, '''def my_dropout(x, rate, rng, training):
    return x * (rng.random(x.shape) >= rate) if training else x''', False, "Scale once"),
    # the review's diagnosis finding: a mask shared by the batch's rows, in exercise 6 and exercise 4
    (12, '''class MyDropout:
    def __init__(self, rate, seed):
        self.rate, self.rng = rate, np.random.default_rng(seed)

    def __call__(self, x):
        return x * (self.rng.random(x.shape[1:]) >= self.rate) / (1 - self.rate)''', False, "every example"),
    (9, '''def my_dropout(x, rate, rng):
    return x * (rng.random(x.shape[1:]) >= rate) / (1 - rate)''', False, "every example"),
]


@pytest.mark.parametrize("number, code, passes, words", REVIEW_TABLE)
def test_the_reviews_attempted_fixes_are_judged_as_the_review_found(number, code, passes, words):
    result = verdict(number, code)
    assert result.passed is passes and words in result.message, result.message


def test_a_batch_shared_mask_is_never_blamed_on_the_seed():
    code = REVIEW_TABLE[8][1]
    assert "re-created" not in verdict(12, code).message and "same seed" not in verdict(12, code).message


# ---------------------------------------------------------------- wrong fixes and right ones, exhibit by exhibit


WRONG = [  # (exhibit, a plausible wrong fix, words its verdict must contain)
    (1, '''def predict(model, x):
    model.eval()
    return model(x) * 0.5''', "differ from the eval-mode"),
    (1, '''def predict(model, x):
    raise RuntimeError("oops")''', "raised RuntimeError: oops"),
    # dropout switched off by its rate (or by removing it) instead of by eval(): right numbers, broken model
    (1, '''def predict(model, x):
    for module in model.modules():
        if isinstance(module, nn.Dropout):
            module.p = 0.0
    return model(x)''', "had p = 0.5 and now it has p = 0"),
    (1, '''def predict(model, x):
    model[2] = nn.Identity()
    return model(x)''', "no nn.Dropout at all"),
    (1, '''def predict(model, x):
    model[2].p = 0.0
    scores = model(x)
    model[2].p = 0.5
    return scores''', "a rate of 0 is not evaluation mode"),
    (1, '''def predict(model, x):
    with torch.no_grad():
        return model[3](torch.relu(model[0](x)))''', "Dropout layer never ran"),
    (2, '''def fit(model, batches, x_val, y_val, epochs=3, lr=0.1):
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    for _ in range(epochs):
        model.train()
        for x, y in batches:
            optimizer.zero_grad()
            F.cross_entropy(model(x), y).backward()
            optimizer.step()
        with torch.no_grad():
            model(x_val)''', "validation passes ran with dropout ON"),
    (2, '''def fit(model, batches, x_val, y_val, epochs=3, lr=0.1):
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    model.train()
    for _ in range(epochs):
        for x, y in batches:
            optimizer.zero_grad()
            F.cross_entropy(model(x), y).backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            model(x_val)
        model.training = True''', "changes only the container"),
    (2, '''def fit(model, batches, x_val, y_val, epochs=3, lr=0.1):
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    for _ in range(epochs):
        model.eval()
        for x, y in batches:
            optimizer.zero_grad()
            F.cross_entropy(model(x), y).backward()
            optimizer.step()
        model.train()
        with torch.no_grad():
            model(x_val)''', "dropout OFF"),
    (2, '''def fit(model, batches, x_val, y_val, epochs=3, lr=0.1):
    model.train()
    for _ in range(epochs):
        model.eval()
        with torch.no_grad():
            model(x_val)''', "training steps"),
    (2, '''def fit(model, batches, x_val, y_val, epochs=3, lr=0.1):
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    model[2].p = 0.0
    for _ in range(epochs):
        model.train()
        for x, y in batches:
            optimizer.zero_grad()
            F.cross_entropy(model(x), y).backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            model(x_val)''', "with the Dropout's p = 0"),
    (3, '''class Net(nn.Module):
    def __init__(self, rate=0.5):
        super().__init__()
        self.rate, self.hidden, self.out = rate, nn.Linear(20, 64), nn.Linear(64, 3)

    def forward(self, x):
        return self.out(F.dropout(torch.relu(self.hidden(x)), p=self.rate, training=not self.training))''',
     "defaults to True"),
    (3, '''class Net(nn.Module):
    def __init__(self, rate=0.5):
        super().__init__()
        self.rate, self.hidden, self.out = rate, nn.Linear(20, 64), nn.Linear(64, 3)

    def forward(self, x):
        h = F.dropout(torch.relu(self.hidden(x)), p=self.rate, training=self.training)
        return self.out(h if self.training else h * (1 - self.rate))''', "identity"),
    (4, '''class SeluNet(nn.Module):
    def __init__(self, rate=0.2):
        super().__init__()
        self.rate, self.hidden, self.out = rate, nn.Linear(20, 64), nn.Linear(64, 3)

    def forward(self, x):
        return self.out(F.alpha_dropout(torch.selu(self.hidden(x)), p=self.rate, training=True))''', "eval()"),
    (4, '''class SeluNet(nn.Module):
    def __init__(self, rate=0.2):
        super().__init__()
        self.rate, self.hidden, self.out = rate, nn.Linear(20, 64), nn.Linear(64, 3)

    def forward(self, x):
        return self.out(F.dropout(torch.selu(self.hidden(x)), p=self.rate, training=self.training))''',
     "standard dropout"),
    (5, '''class SelfAttention(nn.Module):
    def __init__(self, dim=16, rate=0.1):
        super().__init__()
        self.rate, self.qkv = rate, nn.Linear(dim, 3 * dim)

    def forward(self, x):
        q, k, v = self.qkv(x).chunk(3, dim=-1)
        return F.scaled_dot_product_attention(q, k, v, dropout_p=0.0)''', "no longer drops"),
    (5, '''class SelfAttention(nn.Module):
    def __init__(self, dim=16, rate=0.1):
        super().__init__()
        self.rate, self.qkv = rate, nn.Linear(dim, 3 * dim)
        self.drop = nn.Dropout(rate)

    def forward(self, x):
        q, k, v = self.qkv(x).chunk(3, dim=-1)
        return self.drop(F.scaled_dot_product_attention(q, k, v))''', "not its probabilities"),
    (7, '''def mc_predict(model, x, passes=30):
    model.eval()
    with torch.no_grad():
        return torch.stack([model(x) for _ in range(passes)]).mean(0)''', "no Dropout ran in training mode"),
    (7, '''def mc_predict(model, x, passes=30):
    model.eval()
    for module in model.modules():
        module.train()
    with torch.no_grad():
        return torch.stack([model(x) for _ in range(passes)]).mean(0)''', "BatchNorm ran in training mode"),
    (7, '''def mc_predict(model, x, passes=30):
    model.eval()
    model[3].train()
    with torch.no_grad():
        return model(x)''', "only 1 stochastic passes"),
    # one mask for every MC pass: re-seeded inside the loop, so the passes are identical (variance 0)
    (7, '''def mc_predict(model, x, passes=30):
    model.eval()
    model[3].train()
    predictions = []
    with torch.no_grad():
        for _ in range(passes):
            torch.manual_seed(0)
            predictions.append(model(x))
    return torch.stack(predictions).mean(0)''', "all 20 stochastic passes drew the same dropout mask"),
    (7, '''def mc_predict(model, x, passes=30):
    model.eval()
    model[3].train()
    predictions = []
    with torch.no_grad():
        for i in range(passes):
            torch.manual_seed(i % 2)
            predictions.append(model(x))
    return torch.stack(predictions).mean(0)''', "only 2 distinct dropout masks"),
    (7, '''def mc_predict(model, x, passes=30):
    model.eval()
    model[3].train()
    model[3].p = 0.0
    with torch.no_grad():
        return torch.stack([model(x) for _ in range(passes)]).mean(0)''', "dropped no unit"),
    (8, '''def my_dropout(x, rate, rng):
    return x * (rng.random(x.shape) >= rate) / 0.5''', "mean output"),
    (9, '''def my_dropout(x, rate, rng):
    return x * rng.integers(0, 2, size=x.shape) / (1 - rate)''', "fixed at 0.5"),
    (9, '''def my_dropout(x, rate, rng):
    return x * (rng.random(x.shape) >= 1 - rate) / (1 - rate)''', "zeroed"),
    (10, '''def torch_dropout_from_paper(p):
    return nn.Dropout(p=p / 2)''', "expected 1 − p"),
    (11, '''def my_dropout(x, rate, rng, training):
    return x * (rng.random(x.shape) >= rate) / (1 - rate)''', "two calls differ"),
    (11, '''def my_dropout(x, rate, rng, training):
    return x * (rng.random(x.shape) >= 1 - rate) / (1 - rate) if training else x''', "units are zero"),
    (12, '''class MyDropout:
    def __init__(self, rate, seed):
        self.rate, self.rng, self.mask = rate, np.random.default_rng(seed), None

    def __call__(self, x):
        if self.mask is None:
            self.mask = self.rng.random(x.shape) >= self.rate
        return x * self.mask / (1 - self.rate)''', "does not change between calls"),
    (12, '''class MyDropout:
    def __init__(self, rate, seed):
        self.rate = rate

    def __call__(self, x):
        return x''', "no unit was dropped"),
    (12, '''class MyDropout:
    def __init__(self, rate, seed):
        self.rate, self.rng = rate, np.random.default_rng(seed)

    def __call__(self, x):
        return x * (self.rng.random(x.shape) >= self.rate) / self.rate''', "mean output"),
    (14, '''def my_dropout(x, rate, rng):
    return x * (rng.random((x.shape[0], 1)) >= rate) / (1 - rate)''', "kept or dropped whole"),
    (14, '''def my_dropout(x, rate, rng):
    return x * (rng.random(x.shape) >= rate) / rate''', "mean output"),
    (16, '''def make_block(width=64, rate=0.5):
    return nn.Sequential(nn.Linear(width, width), nn.Dropout(rate), nn.ReLU(), nn.BatchNorm1d(width))''',
     "variance shift"),
    (16, '''def make_block(width=64, rate=0.5):
    return nn.Sequential(nn.Linear(width, width), nn.BatchNorm1d(width), nn.ReLU())''', "keep both layers"),
    (16, '''def make_block(width=64, rate=0.5):
    return nn.Sequential(nn.Linear(width, width), nn.BatchNorm1d(width), nn.ReLU(), nn.Dropout(0.0))''',
     "no longer runs"),
]


@pytest.mark.parametrize("number, code, words", WRONG, ids=[f"{w[0]}-{i}" for i, w in enumerate(WRONG)])
def test_a_plausible_wrong_fix_fails_with_its_diagnosis(number, code, words):
    result = verdict(number, code)
    assert not result.passed and words in result.message, result.message


RIGHT = [  # (exhibit, a second correct fix, different from solutions.py's)
    (1, '''def predict(model, x):
    model.eval()
    with torch.inference_mode():
        return model(x)'''),
    (1, '''def predict(model, x):
    with torch.no_grad():
        return copy.deepcopy(model).eval()(x)'''),
    (2, '''def fit(model, batches, x_val, y_val, epochs=3, lr=0.1):
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    history = []
    for _ in range(epochs):
        for x, y in batches:
            model.train()
            optimizer.zero_grad()
            F.cross_entropy(model(x), y).backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            history.append((model(x_val).argmax(1) == y_val).float().mean().item())
        model.train()
    return history'''),
    (3, '''class Net(nn.Module):
    def __init__(self, rate=0.5):
        super().__init__()
        self.hidden, self.drop, self.out = nn.Linear(20, 64), nn.Dropout(rate), nn.Linear(64, 3)

    def forward(self, x):
        return self.out(self.drop(torch.relu(self.hidden(x))))'''),
    (4, '''class SeluNet(nn.Module):
    def __init__(self, rate=0.2):
        super().__init__()
        self.hidden, self.drop, self.out = nn.Linear(20, 64), nn.AlphaDropout(rate), nn.Linear(64, 3)

    def forward(self, x):
        return self.out(self.drop(torch.selu(self.hidden(x))))'''),
    (5, '''class SelfAttention(nn.Module):
    def __init__(self, dim=16, rate=0.1):
        super().__init__()
        self.rate, self.qkv = rate, nn.Linear(dim, 3 * dim)

    def forward(self, x):
        q, k, v = self.qkv(x).chunk(3, dim=-1)
        return F.scaled_dot_product_attention(q, k, v, dropout_p=self.rate * self.training)'''),
    (7, '''def mc_predict(model, x, passes=30):
    model.eval()
    model.apply(lambda m: m.train() if isinstance(m, nn.Dropout) else None)
    with torch.no_grad():
        return sum(model(x) for _ in range(passes)) / passes'''),
    (7, '''def mc_predict(model, x, passes=30):
    model.eval()
    model[3].train()
    with torch.no_grad():                      # all passes in one batched call
        return model(x.repeat(passes, 1)).view(passes, len(x), -1).mean(0)'''),
    (8, '''def my_dropout(x, rate, rng):
    return dl.dropout_forward(x, rate, rng)[0]'''),
    (9, '''def my_dropout(x, rate, rng):
    return x * rng.binomial(1, 1 - rate, size=x.shape) / (1 - rate)'''),
    (10, '''def torch_dropout_from_paper(p):
    return nn.Dropout(1 - p)'''),
    (11, '''def my_dropout(x, rate, rng, training):
    return dl.dropout_forward(x, rate, rng, training=training)[0]'''),
    (12, '''class MyDropout:
    def __init__(self, rate, seed):
        self.layer = dl.Dropout(rate, seed=seed)

    def __call__(self, x):
        return self.layer(x)'''),
    (14, '''def my_dropout(x, rate, rng):
    return x * (rng.random(x.shape) < 1 - rate) / (1 - rate)'''),
    (16, '''def make_block(width=64, rate=0.5):
    return nn.Sequential(nn.Linear(width, width), nn.BatchNorm1d(width), nn.Dropout(rate), nn.ReLU())'''),
    (17, '''class Dropout:
    def __init__(self, rate, seed=0):
        self.layer = dl.Dropout(rate, seed=seed)

    def train(self):
        self.layer.train()
        return self

    def eval(self):
        self.layer.eval()
        return self

    def __call__(self, x):
        return self.layer(x)'''),
]


@pytest.mark.parametrize("number, code", RIGHT, ids=[str(r[0]) for r in RIGHT])
def test_a_second_right_fix_passes_too(number, code):
    result = verdict(number, code)
    assert result.passed, result.message


# ---------------------------------------------------------------- the finale: every bug listed


FINALE = bugzoo.BUGS[17].buggy_code


@pytest.mark.parametrize("edits, left", [
    ((), 4),
    ((("rng.random(x.shape[1:])", "rng.random(x.shape)"),), 3),
    ((("return x * mask / self.rate", "return x * mask / keep"), ("return x * keep", "return x")), 2),
    ((("rng.random(x.shape[1:])", "rng.random(x.shape)"), ("return x * mask / self.rate", "return x * mask / keep"),
      ("return x * keep", "return x")), 1),
])
def test_the_finale_lists_what_is_left(edits, left):
    code = FINALE
    for old, new in edits:
        assert old in code
        code = code.replace(old, new)
    result = verdict(17, code)
    assert not result.passed and result.message.count(") ") >= left and f"{left} problem" in result.message


def test_the_finale_names_each_bug():
    message = verdict(17, FINALE).message
    for words in ("whole batch", "same mask on every call", "1/rate", "scales twice"):
        assert words in message


# ---------------------------------------------------------------- the measurements themselves


def test_probe_dropout_measures_the_package_dropout_inside_its_bands():
    for rate in (0.1, 0.5, 0.9):
        probe = bugzoo.probe_dropout(lambda x, r, rng: dl.dropout_forward(x, r, rng)[0], rate, seed=3)
        assert probe.rate_ok and probe.mean_ok and probe.shared is None
        assert probe.survivor_value == pytest.approx(1 / (1 - rate))


def test_agreement_band_holds_independent_masks_and_excludes_repeats():
    rate, n = 0.3, 50_000
    rng = np.random.default_rng(0)
    a, b = (rng.random(n) >= rate for _ in range(2))
    low, high = bugzoo.agreement_band(rate, n)
    assert low <= bugzoo.mask_agreement(a, b) <= high < bugzoo.mask_agreement(a, a) == 1.0


@pytest.mark.parametrize("seed", range(5))
def test_shared_axis_finds_rows_and_columns_and_passes_independent_masks(seed):
    rng, rate = np.random.default_rng(seed), 0.25
    assert bugzoo.shared_axis(rng.random((100, 300)) >= rate, rate) is None
    assert bugzoo.shared_axis(np.broadcast_to(rng.random(300) >= rate, (100, 300)), rate) == "rows"
    assert bugzoo.shared_axis(np.broadcast_to(rng.random((100, 1)) >= rate, (100, 300)), rate) == "columns"
    assert bugzoo.shared_axis(np.ones((100, 300)), rate) is None       # nothing dropped: not a sharing question
    assert bugzoo.shared_axis(np.ones(300), rate) is None               # one row: nothing to compare


def test_error_line_unwraps_keras_and_tensorflow_messages():
    wrapped = TypeError("in user code:\n  File x\n    TypeError: Exception encountered when calling L.call().\n"
                        "    \x1b[1m'NoneType' object cannot be interpreted as an integer\x1b[0m\n"
                        "    Arguments:\n  • x")
    assert bugzoo.error_line(wrapped) == "TypeError: 'NoneType' object cannot be interpreted as an integer"
    assert bugzoo.error_line(ValueError("in user code:\n  File a\n    ValueError: bad\n")) == "ValueError: bad"
    assert bugzoo.error_line(RuntimeError("oops")) == "RuntimeError: oops"


def test_torch_seeding_and_threads_are_local():
    before, threads = torch.random.get_rng_state(), torch.get_num_threads()
    with dl.frameworks.seeded_torch(0):
        torch.rand(3)
    torch_probes.probe_predict(solutions.solution_1())
    assert torch.equal(before, torch.random.get_rng_state()) and torch.get_num_threads() == threads


@pytest.mark.parametrize("rate", [0.1, 0.2, 0.5])
def test_alpha_dropped_value_is_torchs(rate):
    out = F.alpha_dropout(torch.zeros(20_000, dtype=torch.float64), p=rate, training=True)
    values = torch.unique(out)
    assert len(values) == 2  # zeros map to one value when kept, another when dropped
    assert torch_probes.alpha_dropped_value(rate) == pytest.approx(values.min().item(), abs=1e-12)


def test_the_functional_training_defaults_are_as_the_lesson_says():
    import inspect
    assert inspect.signature(F.dropout).parameters["training"].default is True
    assert inspect.signature(F.alpha_dropout).parameters["training"].default is False


@pytest.mark.parametrize("relu", [False, True])
def test_the_variance_shift_formula_matches_a_simulation(relu):
    rng, rate, n = np.random.default_rng(0), 0.5, 400_000
    h = rng.normal(0.3, 1.0, n)
    h = np.maximum(h, 0) if relu else h
    train = dl.dropout_forward(h, rate, rng)[0]
    measured = h.var() / train.var()
    # the two sample variances have relative sd below √(2·kurtosis/n) < 0.01 each at n = 400 000
    assert measured == pytest.approx(torch_probes.dropout_before_bn_ratio(rate, 0.3, 1.0, relu=relu), rel=0.03)


def test_the_variance_shift_of_the_broken_block_is_the_predicted_one():
    def broken(width=64, rate=0.5):
        return nn.Sequential(nn.Linear(width, width), nn.Dropout(rate), nn.BatchNorm1d(width), nn.ReLU())
    probe = torch_probes.probe_block(broken)
    with dl.frameworks.seeded_torch(0):   # the probe builds the block first thing under this seed
        linear = broken()[0]
    var, mean = (linear.weight ** 2).sum(1).detach().numpy(), linear.bias.detach().numpy()  # h ~ N(b, |w|²)
    predicted = np.mean(var / ((var + mean ** 2) / 0.5 - mean ** 2))
    half = (probe.band[1] - probe.band[0]) / 2   # one channel's band: the 64-channel mean is tighter
    assert abs(probe.ratios[0] - predicted) <= half and probe.shifted


@pytest.mark.parametrize("seed", range(3))
def test_a_right_block_stays_in_the_variance_band(seed):
    probe = torch_probes.probe_block(solutions.solution_16(), seed=seed)
    assert not probe.shifted and probe.band[0] < probe.ratios[0] < probe.band[1]


def test_variance_ratio_band_follows_its_formula():
    low, high = torch_probes.variance_ratio_band(128, 4096, momentum=0.1, z=1.0)
    rel = math.sqrt(2 / 127 * 0.1 / 1.9 + 2 / 4095)
    assert (low, high) == pytest.approx((1 - rel, 1 + rel))


def test_probe_fit_tells_training_steps_from_validation_passes():
    probe = torch_probes.probe_fit(defined(bugzoo.BUGS[2].buggy_code, "fit"))
    assert (probe.train_steps, probe.expected_steps, probe.val_passes) == (12, 12, 3)
    assert probe.steps_in_eval == 8 and probe.val_in_train == 0   # epochs 2 and 3 ran in eval mode


def test_independent_mc_passes_repeat_a_mask_with_negligible_probability():
    # m units of the Dropout's input are non-zero; two independent passes agree on all of them with
    # probability q**m, q = keep² + rate²; some two of 20 passes with at most C(20, 2)·q**m
    m, rate = torch_probes.mc_active_units(), 0.3
    assert torch_probes.mc_model()[3].p == rate
    q = (1 - rate) ** 2 + rate ** 2
    assert m > 500 and math.comb(20, 2) * q ** m < 1e-100
    probe = torch_probes.probe_mc(solutions.solution_7())
    assert probe.passes_seen == 20 and probe.distinct_masks == 20 and probe.dropped_units > 0


def test_mc_model_has_running_stats_unlike_the_test_batch():
    model = torch_probes.mc_model(0)
    assert not model.training and model[1].running_mean.mean() != pytest.approx(0, abs=0.05)


# ---------------------------------------------------------------- the symptoms behind the dashboard


def test_symptoms_hide_at_half_and_show_elsewhere():
    assert list(bugzoo.bug_symptoms(0.5).looks_right()) == [True] * 4 + [False] * 5
    assert list(bugzoo.bug_symptoms(0.3).looks_right()) == [True] + [False] * 8
    with pytest.raises(ValueError, match="rate"):
        bugzoo.bug_symptoms(1.0)
    with pytest.raises(ValueError, match="n must"):
        bugzoo.bug_symptoms(0.3, n=1234)


@pytest.mark.parametrize("rate", [0.1, 0.3, 0.5, 0.7, 0.9])
def test_each_randomness_and_flag_bug_shows_in_its_own_measurement(rate):
    s = bugzoo.bug_symptoms(rate)
    inside = dict(zip(s.names, s.in_band()))
    assert inside["correct (inverted)"].all()
    assert not inside["scaled twice"][2] and not inside["drops at test too"][3]
    assert not inside["same mask every call"][4] and not inside["one mask per batch"][5]
    assert not inside["never drops"][0]
    for name in ("scaled twice", "drops at test too", "same mask every call"):   # every draw is a correct one
        assert inside[name][:2].all(), name


def test_solution_lookup_names_the_range():
    with pytest.raises(ValueError, match="number"):
        lesson08.solution(99)
    assert "SeedGenerator" in lesson08.solution(13) and "x.shape)" in lesson08.solution(14)
