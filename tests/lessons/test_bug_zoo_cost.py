"""Lesson 08, what the bugs cost: the buggy training loops and evaluations do what their exhibits say."""
from __future__ import annotations

import numpy as np
import pytest

import dropout_lab as dl
from dropout_lab.lessons.bug_zoo import cost
from dropout_lab.mlp import softmax

TINY = cost.CostConfig(hidden=16, epochs=2)


def test_divide_by_rate_layer_scales_survivors_by_one_over_rate():
    for rate in (0.2, 0.7):
        layer = cost.DivideByRate(rate, seed=0)
        out = layer(np.ones((100, 100)))
        assert np.allclose(out[out != 0], 1 / rate)
        assert np.allclose(layer.backward(np.ones((100, 100))), out)   # d(out)/dx is the same mask / rate
        layer.eval()
        assert np.array_equal(layer(np.ones(5)), np.ones(5))


def test_forgetting_train_leaves_dropout_off_after_the_first_epoch(monkeypatch):
    built, seen = [], []
    init = cost.MLP.init
    monkeypatch.setattr(cost.MLP, "init", lambda *args, **kwargs: built.append(init(*args, **kwargs)) or built[-1])

    def spy():  # on_epoch runs after the epoch's validation pass: record the dropout layers' modes
        seen.append([d.training for d in built[-1].dropouts])

    cost.train_digits("forgot train()", 0, TINY, on_epoch=spy)
    forgot = list(seen)
    seen.clear()
    cost.train_digits("correct", 0, TINY, on_epoch=spy)
    assert forgot == [[False, False]] * 2 and seen == [[True, True]] * 2


def test_the_variants_share_their_seeds_first_epoch():
    a = cost.train_digits("correct", 1, cost.CostConfig(hidden=16, epochs=1))
    b = cost.train_digits("forgot train()", 1, cost.CostConfig(hidden=16, epochs=1))
    assert all(np.array_equal(wa, wb) for wa, wb in zip(a.weights, b.weights))   # they differ only after validating


def test_evaluate_scores_each_bug_as_its_exhibit_says():
    data = dl.data.load_digits_split(seed=0)
    models = {v: cost.train_digits(v, 0, TINY) for v in cost.TRAINED}
    scores = cost.evaluate(models, data.x_test, data.y_test, seed=0)
    assert set(scores) == set(cost.VARIANTS)
    correct = models["correct"]
    keeps = correct.keeps
    # scaled twice = the inverted network's layers fed keep × their test-time input
    twice = correct.copy(weight_scales=keeps).eval().logits(data.x_test[:5])
    h = data.x_test[:5] * keeps[0]
    h = np.maximum(h @ correct.weights[0] + correct.biases[0], 0) * keeps[1]
    assert np.allclose(twice, h @ correct.weights[1] + correct.biases[1])
    assert scores["correct"][0] == dl.mlp.error_rate(correct.predict_proba(data.x_test), data.y_test)
    stochastic = correct.copy(seed=0).train()
    assert not np.array_equal(softmax(stochastic.logits(data.x_test)), softmax(stochastic.logits(data.x_test)))


def test_costs_pair_each_seed_with_its_correct_run():
    costs = cost.bug_costs((0, 1), TINY)
    assert costs.errors.shape == costs.losses.shape == (len(cost.VARIANTS), 2) and costs.n_test == 450
    diff = costs.errors[cost.VARIANTS.index("divide by rate")] - costs.errors[0]
    assert costs.paired("divide by rate") == pytest.approx((diff.mean(), diff.std(ddof=1) / np.sqrt(2)))
    table = costs.table()
    assert all(name in table for name in cost.VARIANTS) and "±" in table


def test_bad_arguments_name_themselves():
    with pytest.raises(ValueError, match="variant"):
        cost.train_digits("nope", 0)
    with pytest.raises(ValueError, match="seeds"):
        cost.bug_costs((0,))
    assert cost.epochs_total((0, 1), TINY) == 2 * len(cost.TRAINED) * 2
