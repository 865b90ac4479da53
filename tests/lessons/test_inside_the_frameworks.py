"""Lesson 04: the frameworks' own dropout, rebuilt bit for bit and compared with dl.dropout_forward."""
import importlib
import importlib.util
import io
import math
from pathlib import Path

import numpy as np
import pytest
from matplotlib.figure import Figure

import dropout_lab as dl
from dropout_lab.stats import Z_CHECK

importlib.import_module("keras")
torch = pytest.importorskip("torch")
fi = dl.lessons.inside_the_frameworks.compute


# --- 1. training flags -------------------------------------------------------------------------

def test_training_flags():
    torch_flags = fi.torch_training_flags(0.5, 10_000)
    low, high = dl.binomial_band(0.5, 10_000, z=Z_CHECK)
    assert torch_flags["nn.Dropout after .eval()"] == 0.0
    assert low <= torch_flags["nn.Dropout after .train()"] <= high
    assert low <= torch_flags["F.dropout(x, p) after .eval()"] <= high   # the pitfall: still dropping
    assert torch_flags["F.dropout(x, p, training=self.training) after .eval()"] == 0.0
    keras_flags = fi.keras_training_flags(0.5, 10_000)
    assert keras_flags["layer(x)"] == keras_flags["model(x)"] == keras_flags["model.predict(x)"] == 0.0
    assert low <= keras_flags["layer(x, training=True)"] <= high


# --- 2. reading the source; Keras/TF and torch rebuilt bit for bit -----------------------------

def test_source_tour_cites_real_lines():
    tour = fi.dropout_source_tour()
    assert [line.path.split("/")[0] for line in tour[:6]] == ["keras"] * 6
    assert tour[-1].path == "tensorflow/python/ops/nn_ops.py" and "where_v2(keep_mask" in tour[-1].text
    for line in tour:   # each cited line is really that line of that file
        source = importlib.util.find_spec(line.path.split("/")[0]).submodule_search_locations[0]
        text = Path(source, *line.path.split("/")[1:]).read_text(encoding="utf-8").splitlines()
        assert text[line.number - 1] == line.text
    with pytest.raises(LookupError, match="not in the source"):
        fi.source_lines(fi.source_lines, ["this needle is nowhere"])


def test_torch_backend_source_lines_are_in_call_order():
    lines = fi.torch_backend_source()
    assert [line.number for line in lines] == sorted(line.number for line in lines)
    assert any("torch.bernoulli" in line.text for line in lines)
    assert any("torch.nn.functional.dropout(" in line.text for line in lines)


@pytest.mark.parametrize("call", [0, 2])
def test_keras_dropout_is_tf_stateless_uniform_ge_rate(call):
    x = np.arange(1, 41, dtype=np.float32).reshape(5, 8)
    trace = fi.trace_keras_dropout(x, 0.3, seed=11, call=call)
    assert trace.seed == (11, call)
    assert np.array_equal(trace.keras, trace.stateless)
    assert np.array_equal(trace.keras, trace.rebuilt)          # bit for bit, scaling included
    assert np.array_equal(trace.keras != 0, trace.mask)
    assert trace.uniform.min() >= 0.0 and trace.uniform.max() < 1.0


@pytest.mark.parametrize("rate", [0.3, 0.1])
def test_tf_multiplies_by_the_rounded_reciprocal_and_division_differs(rate):
    x = np.arange(1, 25, dtype=np.float32).reshape(4, 6)
    scaled = fi.reciprocal_or_division(x, rate, seed=0)
    assert np.array_equal(scaled.tf_out, scaled.times_reciprocal)
    differ = scaled.entries_that_differ()
    assert differ.size > 0   # 1..24 has values where x/0.7f and x·(1/0.7)f round apart
    assert np.all(x.ravel()[differ] * np.float32(1 / (1 - rate)) != x.ravel()[differ] / np.float32(1 - rate))
    kept_and_differ = (scaled.tf_out.ravel() != 0)[differ]
    assert np.array_equal(scaled.tf_out, scaled.divided) == (not kept_and_differ.any())


@pytest.mark.parametrize("dtype", fi.TORCH_DTYPES)
@pytest.mark.parametrize("rate", [0.1, 0.3, 0.5])
def test_torch_cpu_mask_is_float64_uniform_below_keep(dtype, rate):
    x = np.random.default_rng(1).uniform(0.5, 2.0, (100, 40)).astype(np.float32)
    rebuilt = fi.torch_cpu_rebuild(x, rate, seed=3, dtype=dtype)
    assert rebuilt.mask_matches and rebuilt.output_matches


def test_torch_cpu_mask_rule_is_specific():
    """The rebuild can fail: float32 uniforms, or TF's rand >= rate, do not give F.dropout's mask."""
    shape, rate = (200, 50), 0.3
    with dl.frameworks.seeded_torch(0):
        kept = torch.nn.functional.dropout(torch.ones(shape), rate) != 0
    candidates = {"float64, u < keep": (torch.float64, lambda u: u < 1 - rate, True),
                  "float32, u < keep": (torch.float32, lambda u: u < 1 - rate, False),
                  "float64, u >= rate": (torch.float64, lambda u: u >= rate, False)}
    for name, (dtype, rule, expected) in candidates.items():
        with dl.frameworks.seeded_torch(0):
            candidate = rule(torch.rand(shape, dtype=dtype))
        assert torch.equal(kept, candidate) == expected, name
    with pytest.raises(ValueError, match="dtype"):
        fi.torch_cpu_rebuild(np.ones(3), 0.5, 0, dtype="int8")


# --- 2b. half precision --------------------------------------------------------------------------

def test_tf_bf16_and_fp16_uniforms_take_only_the_grid_values():
    tf = importlib.import_module("tensorflow")
    for dtype in ("bfloat16", "float16"):
        grid = fi.tf_uniform_grid(dtype)
        u = tf.random.stateless_uniform((2**16,), seed=(5, 0), dtype=dtype).numpy().astype(np.float64)
        assert set(np.unique(u)) == set(grid)   # all 2**bits values appear in 65 536 draws, nothing else
    with pytest.raises(ValueError, match="dtype"):
        fi.tf_uniform_grid("float32")


def test_exact_predictions():
    assert fi.predicted_tf_rate(0.1, "bfloat16") == 13 / 128      # u < bf16(0.1) = 0.10009765625
    assert fi.predicted_tf_rate(0.1, "float16") == 103 / 1024     # u < fp16(0.1) = 0.0999755859375
    for rate in (0.5, 0.25, 0.125):                                # multiples of 1/128: exact
        assert fi.predicted_tf_rate(rate, "bfloat16") == rate
    assert fi.share_below(0.5, 1) == 0.5 and fi.share_below(0.1, 3) == 1 / 8 and fi.share_below(1.0, 4) == 1.0
    assert abs(1 - fi.share_below(0.9, 53) - 0.1) < 1e-15


def test_torch_rand_half_is_rounded_float32_and_its_enumeration_agrees_with_ml_dtypes():
    ml_dtypes = pytest.importorskip("ml_dtypes")
    with dl.frameworks.seeded_torch(0):
        half = torch.rand(100_000, dtype=torch.bfloat16)
    with dl.frameworks.seeded_torch(0):
        rounded = torch.rand(100_000, dtype=torch.float32).to(torch.bfloat16)
    rounded[rounded == 1] = 0
    assert torch.equal(half, rounded)   # the basis of predicted_torch_rand_rate
    u = (np.arange(2**24, dtype=np.float64) / 2**24).astype(np.float32).astype(ml_dtypes.bfloat16).astype(np.float64)
    u[u == 1] = 0
    assert fi.predicted_torch_rand_rate(0.1, "bfloat16") == pytest.approx(np.mean(u < 0.10009765625), abs=1e-15)
    assert fi.predicted_torch_rand_rate(0.1, "bfloat16") > 0.1 + 2**-10   # the 2^-9 wrapped to 0, minus rounding


def test_half_precision_rates_match_their_exact_predictions():
    n = 2**22   # TF's bias 13/128 - 0.1 is 10.7 sigma here; 4.5 sigma bands leave 6 sigma to spare
    rows = fi.half_precision_rates(0.1, n, seed=0)
    assert all(row.inside() for row in rows), [(row.name, row.measured, row.band()) for row in rows]
    low, high = dl.binomial_band(0.1, n, z=Z_CHECK)
    outside = [row.name for row in rows if not low <= row.measured <= high]
    assert outside == [rows[0].name, rows[2].name]   # TF bf16 and the rand(dtype=bf16) mask


def test_xla_and_graph_uniforms():
    xla = fi.xla_check(0.1, 2**16, seed=0)
    assert xla.same_bits_graph and xla.same_bits_philox and xla.n == 2**16


# --- 3. graph mode ---------------------------------------------------------------------------------

def test_static_shape_at_trace_dynamic_shape_at_run_time():
    demo = fi.static_vs_dynamic(features=64, rate=0.5, seed=2, batches=(6, 3, 9))
    assert demo.static_shapes == [(None, 64)] and demo.traces == 1
    assert demo.dynamic_shapes == {6: (6, 64), 3: (3, 64), 9: (9, 64)}
    for batch, out in demo.outputs.items():
        assert out.shape == (batch, 64) and fi.rows_all_different(out != 0)
        assert set(np.unique(out)) <= {0.0, 2.0}
    layer = fi.per_sample_dropout_layer(0.5, seed=0)
    x = np.ones((4, 8), np.float32)
    assert np.array_equal(np.asarray(layer(x)), x)   # training=False by default: the identity


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


def test_tf_keras_is_keras_3_here():
    assert fi.tf_keras_is_keras()


# --- 4. noise_shape --------------------------------------------------------------------------------

SHAPES = {(32, 50, 16): [None, (None, 1, 16), (None, 1, None), (32, 1, 16), (None, 16), (1, 16), (None, 1),
                         (None, 1, 1), (16,), (None, 50, 1)],
          (8, 28, 28, 3): [(None, 1, 1, None), (None, 28, 28, 1), (None, 1, 1), (1, 1, 3), (None, 1, 1, 1)]}


@pytest.mark.parametrize("shape,noise_shape", [(s, n) for s, ns in SHAPES.items() for n in ns])
def test_keras_noise_shape_rule_agrees_with_keras(shape, noise_shape):
    outcome = fi.keras_noise_shape_outcome(noise_shape, shape)
    try:
        resolved = fi.keras_noise_shape(noise_shape, shape)
    except ValueError:
        assert outcome == "InvalidArgumentError"
        return
    effective = (1,) * (len(shape) - len(resolved)) + resolved
    shared = tuple(a for a, (d, s) in enumerate(zip(effective, shape)) if d == 1 and s > 1)
    assert outcome == f"shared along axes {shared}"


def test_keras_noise_shape_rejects_what_keras_rejects():
    shape = (8, 28, 28, 3)
    for bad in ("abc", 5, (None, 1, 1, 3.0), (0, 1, 1, 3), (np.int64(8), 1, 1, 3), (None, 1, 1, None, 1)):
        with pytest.raises(ValueError, match="noise_shape"):
            fi.keras_noise_shape(bad, shape)
    assert fi.keras_noise_shape(None, shape) == shape
    assert fi.keras_noise_shape([None, 1, 1, None], shape) == (8, 1, 1, 3)


def test_noise_shape_masks_share_over_time_in_every_framework():
    masks = fi.noise_shape_masks((6, 12, 8), 0.5, seed=4)
    assert len(masks) == 4
    for name, mask in masks.items():
        assert mask.shape == (6, 12, 8), name
        assert fi.shares_along(mask, (1,)), name        # one coin per (sample, channel)
        assert not fi.shares_along(mask, (2,)), name    # channels differ
        low, high = dl.binomial_band(0.5, 6 * 8, z=Z_CHECK)
        assert low <= 1 - mask.mean() <= high, name
    keras_masks = [m for k, m in masks.items() if k.startswith("keras")]
    assert np.array_equal(*keras_masks)  # SpatialDropout1D is Dropout with noise_shape (None, 1, C)


def test_channel_masks_2d_share_over_height_and_width():
    for name, mask in fi.channel_masks_2d((4, 5, 5, 6), 0.5, seed=2).items():
        assert fi.shares_along(mask, (1, 2)) and not fi.shares_along(mask, (3,)), name


def test_dropout2d_on_3d_input_warns_and_does_1d_dropout():
    trap = fi.dropout2d_on_3d((3, 8, 8), 0.5, seed=0)
    assert len(trap.warnings) == 1 and trap.warnings[0].startswith("dropout2d: Received a 3D input to dropout2d")
    assert trap.shared_axes() == (2,) and trap.mask.shape == (3, 8, 8)


def test_noise_shape_demo_counts_coins_and_averages_to_the_rate():
    demo = fi.noise_shape_demo("one per sample (B, 1, 1)", 0.5, seed=0, shape=(3, 10, 6))
    assert demo.mask.shape == (3, 1, 1) and demo.draws == 3 and demo.keep.shape == (3, 10, 6)
    assert demo.zero_fraction == pytest.approx(1 - demo.mask.mean())  # each coin covers 60 entries
    assert fi.noise_shape_demo("per entry (None)", 0.5, 0, (3, 10, 6)).draws == 180
    for choice in fi.NOISE_SHAPES:
        for rate in (0.0, 0.3, 0.9):
            demo = fi.noise_shape_demo(choice, rate, seed=1, shape=(3, 10, 6), masks=2000)
            sd = math.sqrt(rate * (1 - rate) / (demo.draws * demo.masks))
            assert abs(demo.mean_zero_fraction - rate) <= Z_CHECK * sd + 1e-12, (choice, rate)
    with pytest.raises(ValueError, match="choice"):
        fi.noise_shape_demo("diagonal", 0.5, 0)


def test_noise_shape_demo_is_cached_per_seeded_setting_and_recomputed_for_a_new_one():
    first = fi.noise_shape_demo("shared over time (B, 1, C)", 0.4, 3)
    assert fi.noise_shape_demo("shared over time (B, 1, C)", 0.4, 3, (3, 10, 6), 2000) is first  # revisited
    again = fi._noise_shape_demo("shared over time (B, 1, C)", 0.4, 3, (3, 10, 6), 2000)        # uncached
    assert np.array_equal(again.mask, first.mask) and again.mean_zero_fraction == first.mean_zero_fraction
    other = fi.noise_shape_demo("shared over time (B, 1, C)", 0.4, 4)                           # a new seed
    assert other is not first and not np.array_equal(other.mask, first.mask)
    assert not first.mask.flags.writeable and not first.keep.flags.writeable  # shared: nobody can change it
    generator = np.random.default_rng(0)   # not a fixed seed: never cached, a new draw every call
    assert fi.noise_shape_demo("per entry (None)", 0.5, generator) is not fi.noise_shape_demo(
        "per entry (None)", 0.5, generator)


# --- 5. seeds and the torch backend ----------------------------------------------------------------

def test_seed_generators_repeat_across_runs_but_advance_within_one():
    for draw in (fi.keras_seed_masks, fi.torch_dropout_seed_masks):
        first, again = draw((200,), 0.5, seed=5), draw((200,), 0.5, seed=5)
        assert all(np.array_equal(a, b) for a, b in zip(first, again))
        assert not np.array_equal(first[0], first[1])


def test_torch_seed_masks_are_dropout_masks():
    masks = fi.torch_dropout_seed_masks((500,), 0.3, seed=7)
    with dl.frameworks.seeded_torch(7):
        uniform = torch.rand(500, dtype=torch.float64)
    assert np.array_equal(masks[0], (uniform < 0.7).numpy())   # F.dropout's rule, from the same state


def test_int_seed_repeats():
    assert fi.int_seed_repeats() is True


def test_keras_on_torch_backend_both_paths_rebuilt():
    stats = fi.keras_other_backend("torch", 0.5, (200, 50), seed=0)
    assert stats["backend"] == "torch" and stats["size"] == 10_000
    assert stats["run_dropout_is_first_seeded_call"] and all(stats["seeded_calls_rebuilt"])
    assert stats["seed_plus_one_repeats_second_call"] and stats["unseeded_is_F_dropout_on_global_rng"]
    low, high = dl.binomial_band(0.5, 10_000, z=Z_CHECK)
    bands = dl.stats.moment_bands(1.0, 0.5, 10_000, z=Z_CHECK)
    assert low <= stats["zero_fraction"] <= high
    assert bands.mean[0] <= stats["mean"] <= bands.mean[1] and bands.std[0] <= stats["std"] <= bands.std[1]


# --- 6. devices --------------------------------------------------------------------------------------

def test_device_dropout_on_the_cpu():
    run = fi.device_dropout("cpu", (200, 100), 0.5, seed=0)
    assert run.device == "cpu" and run.n == 20_000
    assert run.statistics_in_bands and run.same_seed_same_mask and run.eval_is_identity and run.matches_cpu_rule


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device visible to torch")
def test_device_dropout_on_a_gpu_differs_from_the_cpu_rule_with_the_same_statistics():
    run = fi.device_dropout("cuda", (1000, 100), 0.5, seed=0)
    assert run.statistics_in_bands and run.same_seed_same_mask and run.eval_is_identity
    assert not run.matches_cpu_rule   # Philox on the GPU, mt19937 on the CPU


# --- appendix, plots -----------------------------------------------------------------------------

def test_fast_dropout_rate_gap_is_within_the_documented_quantisation():
    gap = fi.fast_dropout_rate_gap(np.linspace(0.01, 0.99, 99))
    assert 0 < gap <= 2**-17
    assert fi.fast_dropout_rate_gap([0.5, 0.25]) == 0.0


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


def test_noise_shape_dashboard_figure_is_the_static_plot_pixel_for_pixel():
    P = dl.lessons.inside_the_frameworks.plots
    draw = P.noise_shape_updater((3, 10, 6))
    pngs = []
    for choice, rate, seed in [("per entry (None)", 0.5, 0), ("one per sample (B, 1, 1)", 0.3, 2),
                               ("per entry (None)", 0.5, 0)]:  # and back to the start
        demo = fi.noise_shape_demo(choice, rate, seed)
        pngs.append(dl.ui.figures.to_png(draw(demo)))
        assert pngs[-1] == dl.ui.figures.to_png(P.plot_noise_shape(demo))  # frozen frame + moving mask == fresh
    assert pngs[0] != pngs[1] and pngs[0] == pngs[2]


def test_mask_picture_colours_every_entry_and_leaves_the_gaps_blank():
    from matplotlib.colors import to_rgb
    from matplotlib.image import imread
    P = dl.lessons.inside_the_frameworks.plots
    keep = np.zeros((2, 3, 4), bool)
    keep[1] = True                                  # sample 0 all dropped (red), sample 1 all kept (pale blue)
    fig = P.plot_framework_masks({"one": keep})
    pixels = imread(io.BytesIO(dl.ui.figures.to_png(fig)))[..., :3]

    def colour(x, y):  # the picture's colour at data point (x, y): columns are channels, rows time
        col, row = fig.axes[0].transData.transform((x, y))
        return pixels[int(pixels.shape[0] - row), int(col)]
    assert np.allclose(colour(1.5, 1.5), to_rgb("#de2d26"), atol=0.02)   # inside sample 0
    assert np.allclose(colour(6.5, 1.5), to_rgb("#deebf7"), atol=0.02)   # inside sample 1
    assert np.allclose(colour(4.5, 1.5), 0.35, atol=0.02)                # the gap column between them
