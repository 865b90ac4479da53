"""Lesson 04: the frameworks' own dropout, reproduced and compared with dl.dropout_forward."""
import importlib

import numpy as np
import pytest
from matplotlib.figure import Figure

import dropout_lab as dl
from dropout_lab.lessons.inside_the_frameworks import exercises as lesson04
from dropout_lab.lessons.inside_the_frameworks import solutions

importlib.import_module("keras")
pytest.importorskip("torch")
fi = dl.lessons.inside_the_frameworks.compute


@pytest.mark.parametrize("call", [0, 2])
def test_keras_dropout_is_tf_stateless_uniform_ge_rate(call):
    x = np.arange(1, 41, dtype=np.float32).reshape(5, 8)
    trace = fi.trace_keras_dropout(x, 0.3, seed=11, call=call)
    assert trace.seed == (11, call)
    assert np.array_equal(trace.keras, trace.stateless)
    assert np.array_equal(trace.keras, trace.rebuilt)          # bit for bit, scaling included
    assert np.array_equal(trace.keras != 0, trace.mask)
    assert trace.uniform.min() >= 0.0 and trace.uniform.max() < 1.0


def test_graph_mode_batch_none_gives_each_sample_its_own_mask():
    graph = fi.graph_mode_dropout(64, 0.5, seed=1, batches=(6, 3))
    assert graph.traced_shape == (None, 64)
    assert graph.uniform_shape_from == "Shape"      # the noise shape is read at run time
    assert "GreaterEqual" in graph.chain and "SelectV2" in graph.chain
    assert {b: out.shape for b, out in graph.outputs.items()} == {6: (6, 64), 3: (3, 64)}
    for out in graph.outputs.values():
        assert fi.rows_all_different(out != 0)


def test_rows_all_different_and_shares_along():
    assert not fi.rows_all_different(np.array([[1, 0], [1, 0]]))
    mask = np.broadcast_to(np.array([[[1, 0, 1]], [[0, 0, 1]]], bool), (2, 4, 3))
    assert fi.shares_along(mask, (1,)) and not fi.shares_along(mask, (2,))


def test_noise_shape_masks_share_over_time_in_every_framework():
    masks = fi.noise_shape_masks((6, 12, 8), 0.5, seed=4)
    assert len(masks) == 4
    for name, mask in masks.items():
        assert mask.shape == (6, 12, 8), name
        assert fi.shares_along(mask, (1,)), name        # one coin per (sample, channel)
        assert not fi.shares_along(mask, (2,)), name    # channels differ
        low, high = dl.binomial_band(0.5, 6 * 8, z=4)
        assert low <= 1 - mask.mean() <= high, name
    keras_masks = [m for k, m in masks.items() if k.startswith("keras")]
    assert np.array_equal(*keras_masks)  # SpatialDropout1D is Dropout with noise_shape (None, 1, C)


def test_channel_masks_2d_share_over_height_and_width():
    for name, mask in fi.channel_masks_2d((4, 5, 5, 6), 0.5, seed=2).items():
        assert fi.shares_along(mask, (1, 2)) and not fi.shares_along(mask, (3,)), name


def test_noise_shape_demo_counts_coins():
    demo = fi.noise_shape_demo("one per sample (B, 1, 1)", 0.5, seed=0, shape=(3, 10, 6))
    assert demo.mask.shape == (3, 1, 1) and demo.draws == 3 and demo.keep.shape == (3, 10, 6)
    assert demo.zero_fraction == pytest.approx(1 - demo.mask.mean())  # each coin covers 60 entries
    assert fi.noise_shape_demo("per entry (None)", 0.5, 0, (3, 10, 6)).draws == 180
    with pytest.raises(ValueError, match="choice"):
        fi.noise_shape_demo("diagonal", 0.5, 0)


def test_seed_generators_repeat_across_instances_but_advance_within_one():
    for draw in (fi.keras_seed_masks, fi.torch_seed_masks):
        first, again = draw((200,), 0.5, seed=5), draw((200,), 0.5, seed=5)
        assert all(np.array_equal(a, b) for a, b in zip(first, again))
        assert not np.array_equal(first[0], first[1])


def test_training_flags():
    torch_flags = fi.torch_training_flags(0.5, 10_000)
    low, high = dl.binomial_band(0.5, 10_000)
    assert torch_flags["nn.Dropout after .eval()"] == 0.0
    assert low <= torch_flags["F.dropout(x, p) after .eval()"] <= high   # the pitfall: still dropping
    assert torch_flags["F.dropout(x, p, training=self.training) after .eval()"] == 0.0
    keras_flags = fi.keras_training_flags(0.5, 10_000)
    assert keras_flags["layer(x)"] == keras_flags["model(x)"] == keras_flags["model.predict(x)"] == 0.0
    assert low <= keras_flags["layer(x, training=True)"] <= high


def test_keras_on_torch_backend_subprocess():
    stats = fi.keras_other_backend("torch", 0.5, (200, 50), seed=0)
    low, high = dl.binomial_band(0.5, 10_000)
    assert stats["backend"] == "torch" and stats["size"] == 10_000
    assert low <= stats["zero_fraction"] <= high


def test_plots_return_figures():
    P = dl.lessons.inside_the_frameworks.plots
    trace = fi.trace_keras_dropout(np.ones((3, 4)), 0.3, seed=0)
    assert isinstance(P.plot_uniform_and_mask(trace), Figure)
    masks = {"a": np.ones((2, 3, 4), bool), "b": np.zeros((2, 3, 2, 4), bool)}
    assert isinstance(P.plot_framework_masks(masks), Figure)
    assert isinstance(P.plot_noise_shape(fi.noise_shape_demo("per entry (None)", 0.5, 0)), Figure)
    table = dl.speed.measure_speed(sizes=(10**4,), rates=(0.5,), repeats=1, implementations=("copy", "dropout_forward"))
    assert isinstance(P.plot_speed(table, 10**4, 0.5), Figure)
    assert P.tile_samples(np.ones((2, 3, 4))).shape == (3, 9)


def _run_solution(number):
    return getattr(solutions, f"solution_{number}")()


def test_exercises_unanswered_wrong_and_solved():
    checks = [lesson04.check_coins, lesson04.check_image_noise_shape, lesson04.check_eval_respected,
              lesson04.check_int_seed]
    for check in checks:
        result = check(...)
        assert not result and "replace the" in result.message
    assert not lesson04.check_coins(32 * 50 * 16)
    assert not lesson04.check_image_noise_shape((None, 28, 28, 1))
    assert not lesson04.check_image_noise_shape((1, 2))
    assert not lesson04.check_int_seed(False)
    import torch
    forgetful = type("Forgetful", (torch.nn.Module,), {
        "__init__": lambda self, rate: (torch.nn.Module.__init__(self), setattr(self, "rate", rate))[0],
        "forward": lambda self, x: torch.nn.functional.dropout(x, self.rate)})
    assert not lesson04.check_eval_respected(forgetful)
    assert "class" in lesson04.check_eval_respected(torch.nn.Dropout(0.5)).message
    assert lesson04.check_coins(_run_solution(1))
    assert lesson04.check_image_noise_shape(_run_solution(2))
    assert lesson04.check_image_noise_shape((8, 1, 1, 3))
    assert lesson04.check_eval_respected(_run_solution(3))
    assert lesson04.check_int_seed(_run_solution(4))


def test_torch_cpu_dropout_draws_bernoulli_keep_coins_not_uniform_comparisons():
    pytest.importorskip("torch")
    coins = fi.torch_dropout_coins((200, 50), 0.3, seed=0)
    assert coins == {"bernoulli_(1 - rate)": True, "rand >= rate": False}


def test_torch_dropout_cost_is_the_sampling_not_the_call():
    pytest.importorskip("torch")
    cost = fi.torch_dropout_cost(size=10**5, repeats=3)
    small, big, coins = cost.values()
    assert small < big and coins > 0  # 10 values cost far less than 10^5: no big fixed overhead
