"""Lesson 09: switching only dropout on in PyTorch and Keras; the same summary from three frameworks;
the exhibits' checks fail on their bugs and pass on fixes written two ways; the numeric checks."""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

import dropout_lab as dl
from dropout_lab.lessons.mc_dropout import compute, exercises, solutions, switches

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "09_mc_dropout.ipynb"
keras = dl.frameworks.load("keras")


def namespace() -> dict:
    """What a lesson cell sees."""
    return {"np": np, "torch": torch, "keras": keras, "dl": dl, "switches": switches, "exercises": exercises}


def defined(code: str, name: str):
    scope = namespace()
    exec(code, scope)
    return scope[name]


# ---------------------------------------------------------------- torch


def test_enable_mc_dropout_switches_every_dropout_kind_and_nothing_else():
    model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.Dropout(0.3), nn.AlphaDropout(0.2),
                          nn.Sequential(nn.Dropout1d(0.1), nn.LayerNorm(8)))
    switches.enable_mc_dropout(model.train())
    modes = {type(m).__name__: m.training for m in model.modules() if not isinstance(m, nn.Sequential)}
    assert modes == {"Linear": False, "BatchNorm1d": False, "Dropout": True, "AlphaDropout": True,
                     "Dropout1d": True, "LayerNorm": False}


def test_mode_effects_on_the_reference_model():
    model = switches.reference_model()
    x = switches.probe_inputs(64, 3).numpy()
    y = np.zeros(64, dtype=int)
    effects = switches.mode_effects(model, x, y, x[:16], k=5)
    assert effects.right_bn_change == 0.0 and effects.right_spread > 0.01
    assert effects.wrong_bn_change > 0.0
    assert effects.bn_row_alone_vs_batch > 1e-3 and effects.bn_row_eval < 1e-5
    # the caller's model is untouched
    assert switches.largest_change(switches.bn_state(switches.reference_model()), switches.bn_state(model)) == 0.0


def test_torch_passes_are_seeded_and_follow_the_current_mode():
    model = switches.reference_model()
    x = switches.probe_inputs().numpy()
    assert np.ptp(switches.torch_passes(model.eval(), x, 4), axis=0).max() == 0.0      # eval: no dropout
    on = switches.torch_passes(switches.enable_mc_dropout(model), x, 4, seed=1)
    assert np.ptp(on, axis=0).max() > 0 and np.array_equal(on, switches.torch_passes(model, x, 4, seed=1))


def test_handwritten_adam_matches_the_first_step_of_the_algorithm():
    p = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)
    step = switches.adam([p], lr=0.1)
    (p * torch.tensor([2.0, -0.5, 0.0])).sum().backward()
    step()
    # step 1: m̂ = g, v̂ = g², so the move is lr·g/(|g| + eps): lr·sign(g), 0 where g = 0
    assert torch.allclose(p.detach(), torch.tensor([0.9, -1.9, 3.0]), atol=1e-6)


def test_train_torch_learns_the_digits_and_calls_on_epoch():
    calls = []
    model = switches.train_torch(dl.data.load_digits_split(0), epochs=3, on_epoch=lambda: calls.append(1))
    data = dl.data.load_digits_split(0)
    with torch.no_grad():
        accuracy = (model(torch.tensor(data.x_test, dtype=torch.float32)).argmax(1).numpy() == data.y_test).mean()
    assert len(calls) == 3 and accuracy > 0.8 and not model.training


def test_inference_cost_returns_seconds():
    cost = switches.inference_cost(switches.reference_model(), switches.probe_inputs().numpy(), k=3, repeats=2)
    assert cost.k == 3 and min(cost.one_pass, cost.looped, cost.batched) > 0


# ---------------------------------------------------------------- three frameworks, one summary


def test_torch_and_keras_summaries_equal_numpy():
    logits = np.random.default_rng(0).normal(0, 4, (7, 11, 5))
    logits[0, 0] = [80, -80, -80, -80, -80]       # a pass whose softmax underflows to exact zeros
    ref = compute.summarize_logits(logits)
    for other in (switches.summarize_logits_torch(logits), switches.summarize_logits_keras(logits)):
        for key, value in other.items():
            assert np.all(np.isfinite(value)) and np.abs(getattr(ref, key) - value).max() < 1e-12, key


# ---------------------------------------------------------------- Keras


def test_keras_twin_has_the_torch_models_outputs():
    model = switches.reference_model()
    twin = switches.keras_twin(model)
    x = switches.probe_inputs()
    with torch.no_grad():
        assert np.abs(keras.ops.convert_to_numpy(twin(x.numpy(), training=False)) - model(x).numpy()).max() < 1e-4


def test_keras_recipes_behave_as_the_source_says():
    rows = switches.keras_calls(switches.keras_twin(switches.reference_model()), switches.probe_inputs().numpy())
    table = {(r.recipe, r.call): (r.passes_differ, r.bn_moved) for r in rows}
    assert table[("plain model", "model(x)")] == (False, False)
    assert table[("plain model", "model(x, training=True)")] == (True, True)
    assert table[("plain model", "model.predict(x)")] == (False, False)
    assert table[("Dropout(...)(h, training=True) rebuild", "model(x)")] == (True, False)
    assert table[("Dropout(...)(h, training=True) rebuild", "model.predict(x)")] == (False, False)
    assert table[("AlwaysDropout clone", "model(x)")] == (True, False)
    assert table[("AlwaysDropout clone", "model.predict(x)")] == (True, False)
    assert table[("AlwaysDropout clone", "model(x, training=True)")] == (True, True)
    assert table[("BatchNormalization trainable=False", "model(x, training=True)")] == (True, False)


# ---------------------------------------------------------------- the numeric exercises


def test_mutual_information_check():
    assert exercises.check_mutual_information(solutions.solution_1()).passed
    assert exercises.check_mutual_information(exercises.MI_TRUTH).passed                       # written another way
    assert exercises.check_mutual_information(...) is dl.ui.checks.NOT_ANSWERED
    assert "H[mean]" in exercises.check_mutual_information(math.log(2)).message                # forgot mean H
    assert "expected entropy" in exercises.check_mutual_information(0.3251).message
    assert "bits" in exercises.check_mutual_information(exercises.MI_TRUTH / math.log(2)).message
    assert "disagree" in exercises.check_mutual_information(0).message
    assert not exercises.check_mutual_information("0.368").passed
    assert not exercises.check_mutual_information(0.5).passed


def test_passes_to_halve_check():
    assert exercises.check_passes_to_halve(solutions.solution_2()).passed
    assert exercises.check_passes_to_halve(np.int64(100)).passed
    assert "√2" in exercises.check_passes_to_halve(50).message
    assert "2² = 4" in exercises.check_passes_to_halve(625).message
    assert "noisier" in exercises.check_passes_to_halve(12.5).message
    assert not exercises.check_passes_to_halve(101).passed and not exercises.check_passes_to_halve(True).passed


def test_auroc_check():
    assert exercises.check_auroc(solutions.solution_3()).passed
    assert exercises.check_auroc(11 / 12).passed
    assert "tie" in exercises.check_auroc(5 / 6).message and "tie" in exercises.check_auroc(1.0).message
    assert "IN score" in exercises.check_auroc(1 / 12).message
    assert not exercises.check_auroc([11 / 12]).passed


# ---------------------------------------------------------------- the exhibits


@pytest.mark.parametrize("number", sorted(compute.BUGS))
def test_check_rejects_the_buggy_snippet(number):
    bug = compute.BUGS[number]
    scope = namespace()
    exec(bug.buggy_code, scope)
    result = eval(exercises.check_call(number), scope)
    assert not result.passed and "raised" not in result.message, result.message


@pytest.mark.parametrize("number", sorted(compute.BUGS))
def test_check_accepts_the_solution(number):
    result = exercises.CHECKS[number](getattr(solutions, f"solution_{number}")())
    assert result.passed, result.message


def test_the_lesson_cells_hold_the_buggy_snippets():
    cells = ["".join(c["source"]) for c in json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]]
    for number, bug in compute.BUGS.items():
        assert f"{bug.buggy_code}\n\n{exercises.check_call(number)}" in cells, bug.title


MC_OTHER_WAY = '''
def mc_predict(model, x, k):
    model.eval()
    for m in model.modules():
        if isinstance(m, torch.nn.Dropout):
            m.train()
    with torch.no_grad():
        out = [torch.nn.functional.softmax(model(x), dim=1) for _ in range(k)]
    return torch.stack(out).numpy()
'''

MC_WRONG = {
    "eval only": ('''
def mc_predict(model, x, k):
    model.eval()
    with torch.no_grad():
        return torch.stack([torch.softmax(model(x), dim=-1) for _ in range(k)])
''', "dropout never ran"),
    "logits": ('''
def mc_predict(model, x, k):
    switches.enable_mc_dropout(model)
    with torch.no_grad():
        return torch.stack([model(x) for _ in range(k)])
''', "softmax"),
    "train then restore": ('''
def mc_predict(model, x, k):
    model.train()
    with torch.no_grad():
        out = torch.stack([torch.softmax(model(x), dim=-1) for _ in range(k)])
    model.eval()
    return out
''', "BatchNorm ran in training mode"),
    "one pass repeated": ('''
def mc_predict(model, x, k):
    switches.enable_mc_dropout(model)
    with torch.no_grad():
        p = torch.softmax(model(x), dim=-1)
    return torch.stack([p] * k)
''', "identical"),
    "raises": ('''
def mc_predict(model, x, k):
    return model(x, k)
''', "raised"),
}


def test_mc_predict_check_takes_another_right_answer_and_names_each_wrong_one():
    assert exercises.check_mc_predict(defined(MC_OTHER_WAY, "mc_predict")).passed
    for name, (code, message) in MC_WRONG.items():
        result = exercises.check_mc_predict(defined(code, "mc_predict"))
        assert not result.passed and message in result.message, (name, result.message)
    assert exercises.check_mc_predict(...) is dl.ui.checks.NOT_ANSWERED


def test_entropy_check_other_right_answer_and_wrong_ones():
    from scipy.special import entr
    assert exercises.check_entropy(lambda probs: entr(probs.mean(axis=0)).sum(axis=-1)).passed
    expected = exercises.check_entropy(lambda probs: compute.entropy(probs).mean(axis=0))
    assert not expected.passed and "expected entropy" in expected.message
    bits = exercises.check_entropy(lambda probs: compute.entropy(probs.mean(axis=0)) / np.log(2))
    assert not bits.passed and "natural log" in bits.message
    assert "shape" in exercises.check_entropy(lambda probs: compute.entropy(probs.mean(axis=0)).sum()).message
    assert "raised" in exercises.check_entropy(lambda probs: probs.nope).message


KERAS_OTHER_WAY = '''
def keras_mc_predict(model, x, k):
    for layer in model.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            layer.trainable = False          # Keras: a frozen BatchNorm runs in inference even under training=True
    return np.stack([keras.ops.convert_to_numpy(keras.ops.softmax(model(x, training=True))) for _ in range(k)])
'''


def test_keras_check_other_right_answer_and_wrong_ones():
    assert exercises.check_keras_mc_predict(defined(KERAS_OTHER_WAY, "keras_mc_predict")).passed
    plain = exercises.check_keras_mc_predict(
        lambda model, x, k: np.stack([keras.ops.convert_to_numpy(keras.ops.softmax(model(x))) for _ in range(k)]))
    assert not plain.passed and "identical" in plain.message
    raw = exercises.check_keras_mc_predict(lambda model, x, k: np.stack([np.asarray(model(x)) for _ in range(k)]))
    assert not raw.passed
    assert "raised" in exercises.check_keras_mc_predict(lambda model, x, k: model.nope).message
