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


def test_inference_cost_returns_seconds_and_exact_multiply_adds():
    model, threads = switches.reference_model(), torch.get_num_threads()
    cost = switches.inference_cost(model, switches.probe_inputs(32).numpy(), k=3, repeats=2)
    assert cost.k == 3 and cost.rows == 32
    assert min(cost.one_pass, cost.one_row, cost.looped, cost.batched, cost.batched_eval) > 0
    assert cost.multiply_adds == 32 * (64 * 64 + 64 * 10)          # 64 → 64 → 10: rows · Σ in·out
    assert cost.ratio("looped") == cost.looped / cost.one_pass
    assert torch.get_num_threads() == threads                          # one thread for the timing, then put back
    assert not any(m.training for m in model.modules())                # handed back in eval mode
    with pytest.raises(ValueError, match="which must be"):
        cost.ratio("one_pass")
    with pytest.raises(ValueError, match="k must be"):
        switches.inference_cost(model, switches.probe_inputs(4).numpy(), k=0)


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


MC_RIGHT = {
    "restores the model's own mode": '''
def mc_predict(model, x, k):
    was_training = model.training
    model.eval()
    for m in model.modules():
        if isinstance(m, torch.nn.Dropout):
            m.train()
    with torch.no_grad():
        out = [torch.nn.functional.softmax(model(x), dim=1) for _ in range(k)]
    model.train(was_training)
    return torch.stack(out).numpy()
''',
    "one batch of k·n rows": '''
def mc_predict(model, x, k):
    with switches.mc_dropout(model), torch.no_grad():
        return torch.softmax(model(x.repeat(k, 1)), dim=-1).reshape(k, len(x), -1)
''',
}

MC_WRONG = {
    "eval only: dropout off, zero variance": ('''
def mc_predict(model, x, k):
    model.eval()
    with torch.no_grad():
        return torch.stack([torch.softmax(model(x), dim=-1) for _ in range(k)])
''', "dropout never ran"),
    "logits": ('''
def mc_predict(model, x, k):
    with switches.mc_dropout(model), torch.no_grad():
        return torch.stack([model(x) for _ in range(k)])
''', "softmax"),
    "train then restore": ('''
def mc_predict(model, x, k):
    model.train()
    with torch.no_grad():
        out = torch.stack([torch.softmax(model(x), dim=-1) for _ in range(k)])
    model.eval()
    return out
''', "BatchNorm ran in training mode (the model was handed over in eval() mode)"),
    "train, running statistics put back": ('''
def mc_predict(model, x, k):
    state = {name: value.clone() for name, value in model.state_dict().items()}
    model.train()
    with torch.no_grad():
        out = torch.stack([torch.softmax(model(x), dim=-1) for _ in range(k)])
    model.load_state_dict(state)
    model.eval()
    return out
''', "BatchNorm ran in training mode"),
    "dropout on, the rest left as handed over": ('''
def mc_predict(model, x, k):
    for m in model.modules():
        if isinstance(m, torch.nn.Dropout):
            m.train()
    with torch.no_grad():
        out = torch.stack([torch.softmax(model(x), dim=-1) for _ in range(k)])
    for m in model.modules():
        if isinstance(m, torch.nn.Dropout):
            m.eval()
    return out
''', "the model was handed over in train() mode"),
    "one pass repeated": ('''
def mc_predict(model, x, k):
    with switches.mc_dropout(model), torch.no_grad():
        p = torch.softmax(model(x), dim=-1)
    return torch.stack([p] * k)
''', "identical"),
    "two masks, each reused": ('''
def mc_predict(model, x, k):
    outs = []
    with switches.mc_dropout(model), torch.no_grad():
        for t in range(k):
            with dl.frameworks.seeded_torch(t % 2):
                outs.append(torch.softmax(model(x), dim=-1))
    return torch.stack(outs)
''', "passes 0 and 2 are identical bit for bit"),
    "modes not put back": ('''
def mc_predict(model, x, k):
    switches.enable_mc_dropout(model)
    with torch.no_grad():
        return torch.stack([torch.softmax(model(x), dim=-1) for _ in range(k)])
''', "left it in other modes"),
    "raises": ('''
def mc_predict(model, x, k):
    return model(x, k)
''', "raised"),
}


@pytest.mark.parametrize("name", sorted(MC_RIGHT))
def test_mc_predict_check_takes_other_right_answers(name):
    result = exercises.check_mc_predict(defined(MC_RIGHT[name], "mc_predict"))
    assert result.passed, result.message


@pytest.mark.parametrize("name", sorted(MC_WRONG))
def test_mc_predict_check_names_each_wrong_answer(name):
    code, message = MC_WRONG[name]
    result = exercises.check_mc_predict(defined(code, "mc_predict"))
    assert not result.passed and message in result.message, (name, result.message)


def test_mc_predict_check_unanswered_and_bad_start():
    assert exercises.check_mc_predict(...) is dl.ui.checks.NOT_ANSWERED
    with pytest.raises(ValueError, match="start"):
        switches.probe_mc_predict(lambda model, x, k: None, start="training")


@pytest.mark.parametrize("start", [False, True])
def test_mc_dropout_context_switches_only_dropout_and_puts_every_mode_back(start):
    model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.Dropout(0.3), nn.Sequential(nn.Dropout1d(0.1)))
    model.train(start)
    model[1].train(not start)                  # mixed modes must come back mixed, module by module
    before = switches.module_modes(model)
    with switches.mc_dropout(model) as inside:
        assert inside is model
        assert [m.training for m in model.modules() if not isinstance(m, nn.Sequential)] == [False, False, True, True]
    assert switches.module_modes(model) == before
    with pytest.raises(RuntimeError), switches.mc_dropout(model):
        raise RuntimeError("a pass that fails")
    assert switches.module_modes(model) == before


def test_first_repeat_finds_the_first_equal_pair():
    out = np.array([[0.0], [1.0], [2.0], [1.0], [0.0]])
    assert switches.first_repeat(out) == (1, 3)
    assert switches.first_repeat(out[:3]) is None


def test_the_probe_hands_over_the_mode_it_names():
    seen = []
    for start in ("eval", "train"):
        switches.probe_mc_predict(lambda model, x, k: seen.append(switches.module_modes(model)) or
                                  torch.full((k, len(x), 10), 0.1), start=start)
    assert set(seen[0].values()) == {False} and set(seen[1].values()) == {True}


# ---------------------------------------------------------------- the Keras check


def keras_softmax(model, x):
    return keras.ops.convert_to_numpy(keras.ops.softmax(model(x)))


def test_keras_probe_models_logits_are_its_inference_and_training_batchnorm():
    model, x, inference, training = switches.keras_probe_model()
    keep = 1 - switches.PROBE_RATE
    bn, dense = model.get_layer("bn"), model.get_layer("dense")
    assert np.abs(keras.ops.convert_to_numpy(model(x, training=False)) - inference * keep).max() < 1e-4
    moving = [np.array(w) for w in bn.get_weights()]
    batch = keras.ops.convert_to_numpy(bn(dense(x), training=True))
    bn.set_weights(moving)
    assert np.abs(batch - training * keep).max() < 1e-4
    assert np.abs(inference - training).max() > 1.0          # the two modes differ by whole logits


def test_read_masks_reads_back_known_masks_and_rejects_other_logits():
    rng = np.random.default_rng(3)
    kept_logits = rng.normal(0, 2, (6, 10))
    masks = rng.random((5, 6, 10)) >= 0.3
    masks[0, 0] = True                                     # a row with every unit kept
    masks[1, 1] = False                                    # and one with every unit dropped (uniform softmax)
    probs = compute.softmax_passes(masks * kept_logits)
    fits, read = switches.read_masks(probs, kept_logits)
    assert fits.all()
    assert np.array_equal(read[:, 2:], masks[:, 2:]) and read[0, 0].all() and not read[1, 1].any()
    other = compute.softmax_passes(masks * (kept_logits + rng.normal(0, 0.5, kept_logits.shape)))
    assert not switches.read_masks(other, kept_logits)[0][:, 2:].any()


KERAS_RIGHT = {
    "BN frozen, then unfrozen": '''
def keras_mc_predict(model, x, k):
    frozen = [layer for layer in model.layers if isinstance(layer, keras.layers.BatchNormalization)]
    for layer in frozen:
        layer.trainable = False       # Keras: a frozen BatchNorm runs in inference even under training=True
    try:
        return np.stack([keras.ops.convert_to_numpy(keras.ops.softmax(model(x, training=True))) for _ in range(k)])
    finally:
        for layer in frozen:
            layer.trainable = True
''',
    "AlwaysDropout clone through predict": '''
def keras_mc_predict(model, x, k):
    mc = switches.keras_always_dropout(model)
    return np.stack([keras.ops.convert_to_numpy(keras.ops.softmax(mc.predict(x, verbose=0))) for _ in range(k)])
''',
}

KERAS_WRONG = {
    "model(x): dropout off": ('''
def keras_mc_predict(model, x, k):
    return np.stack([keras.ops.convert_to_numpy(keras.ops.softmax(model(x))) for _ in range(k)])
''', "identical"),
    "model(x, training=True)": ('''
def keras_mc_predict(model, x, k):
    return np.stack([keras.ops.convert_to_numpy(keras.ops.softmax(model(x, training=True))) for _ in range(k)])
''', "moving mean moved"),
    "a clone called with training=True": ('''
def keras_mc_predict(model, x, k):
    clone = keras.models.clone_model(model)
    clone.set_weights(model.get_weights())
    return np.stack([keras.ops.convert_to_numpy(keras.ops.softmax(clone(x, training=True))) for _ in range(k)])
''', "BatchNormalization ran in training mode"),
    "training=True, weights put back": ('''
def keras_mc_predict(model, x, k):
    weights = model.get_weights()
    out = np.stack([keras.ops.convert_to_numpy(keras.ops.softmax(model(x, training=True))) for _ in range(k)])
    model.set_weights(weights)
    return out
''', "BatchNormalization ran in training mode"),
    "AlwaysDropout clone called with training=True": ('''
def keras_mc_predict(model, x, k):
    mc = switches.keras_always_dropout(model)
    return np.stack([keras.ops.convert_to_numpy(keras.ops.softmax(mc(x, training=True))) for _ in range(k)])
''', "BatchNormalization ran in training mode"),
    "every layer called with training=True": ('''
def keras_mc_predict(model, x, k):
    inputs = keras.Input(model.inputs[0].shape[1:])
    h = inputs
    for layer in model.layers[1:]:
        h = layer(h, training=True)
    mc = keras.Model(inputs, h)
    return np.stack([keras.ops.convert_to_numpy(keras.ops.softmax(mc(x))) for _ in range(k)])
''', "BatchNormalization ran in training mode"),
    "Dropout(0.5) hard-coded in the clone": ('''
def keras_mc_predict(model, x, k):
    always = switches.always_dropout_class()
    def swap(layer):
        if isinstance(layer, keras.layers.Dropout):
            return always(0.5)
        return layer.__class__.from_config(layer.get_config())
    mc = keras.models.clone_model(model, clone_function=swap)
    mc.set_weights(model.get_weights())
    return np.stack([keras.ops.convert_to_numpy(keras.ops.softmax(mc(x))) for _ in range(k)])
''', "the model's own rate (0.3 here"),
    "clone without the weights": ('''
def keras_mc_predict(model, x, k):
    always = switches.always_dropout_class()
    def swap(layer):
        kind = always if isinstance(layer, keras.layers.Dropout) else layer.__class__
        return kind.from_config(layer.get_config())
    mc = keras.models.clone_model(model, clone_function=swap)
    return np.stack([keras.ops.convert_to_numpy(keras.ops.softmax(mc(x))) for _ in range(k)])
''', "set_weights"),
    "a fresh clone (same seed) per pass": ('''
def keras_mc_predict(model, x, k):
    passes = [keras.ops.softmax(switches.keras_always_dropout(model)(x)) for _ in range(k)]
    return np.stack([keras.ops.convert_to_numpy(p) for p in passes])
''', "used the same dropout mask"),
    "BN frozen and left frozen": ('''
def keras_mc_predict(model, x, k):
    for layer in model.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            layer.trainable = False
    return np.stack([keras.ops.convert_to_numpy(keras.ops.softmax(model(x, training=True))) for _ in range(k)])
''', "bn.trainable"),
    "logits": ('''
def keras_mc_predict(model, x, k):
    mc = switches.keras_always_dropout(model)
    return np.stack([keras.ops.convert_to_numpy(mc(x)) for _ in range(k)])
''', "do not sum to 1"),
    "one pass": ('''
def keras_mc_predict(model, x, k):
    return keras.ops.convert_to_numpy(keras.ops.softmax(switches.keras_always_dropout(model)(x)))
''', "shape (8, 32, 10)"),
    "raises": ('''
def keras_mc_predict(model, x, k):
    return model.nope
''', "raised"),
}


@pytest.mark.parametrize("name", sorted(KERAS_RIGHT))
def test_keras_check_takes_other_right_answers(name):
    result = exercises.check_keras_mc_predict(defined(KERAS_RIGHT[name], "keras_mc_predict"))
    assert result.passed, result.message


@pytest.mark.parametrize("name", sorted(KERAS_WRONG))
def test_keras_check_names_each_wrong_answer(name):
    code, message = KERAS_WRONG[name]
    result = exercises.check_keras_mc_predict(defined(code, "keras_mc_predict"))
    assert not result.passed and message in result.message, (name, result.message)


def test_keras_check_unanswered():
    assert exercises.check_keras_mc_predict(...) is dl.ui.checks.NOT_ANSWERED
