"""Lesson 00's numbers: the thinned networks it draws and the exact range of dropped units."""
import math

import numpy as np
import pytest
from scipy.stats import binom

import dropout_lab as dl
from dropout_lab.lessons.start_here import compute, plots
from dropout_lab.stats import Z_CHECK


def test_full_network_keeps_everything_and_thinned_ones_never_drop_outputs():
    full = compute.thinned_network(seed=None)
    assert full.dropped == 0 and [m.size for m in full.kept] == [4, 6, 6, 2]
    for seed in range(20):
        net = compute.thinned_network(seed=seed)
        assert net.kept[-1].all()
        assert net.dropped == sum(int((~m).sum()) for m in net.kept[:-1])
    assert compute.thinned_network(seed=1).dropped != compute.thinned_network(seed=2).dropped or \
        not all(np.array_equal(a, b) for a, b in zip(compute.thinned_network(seed=1).kept,
                                                     compute.thinned_network(seed=2).kept))


def test_thinned_network_uses_each_layers_rate():
    nets = [compute.thinned_network((1000, 2000, 2), rate=0.5, input_rate=0.2, seed=s) for s in range(3)]
    inputs = np.concatenate([~n.kept[0] for n in nets])
    hidden = np.concatenate([~n.kept[1] for n in nets])
    for dropped, rate in ((inputs, 0.2), (hidden, 0.5)):
        low, high = dl.binomial_band(rate, dropped.size, Z_CHECK)
        assert low <= dropped.mean() <= high


def test_thinned_network_rejects_bad_layers():
    for bad in ((4, 2), (4, 0, 2), (4, 2.5, 2)):
        with pytest.raises(ValueError, match="layers"):
            compute.thinned_network(bad)


@pytest.mark.parametrize("rate", [0.05, 0.3, 0.5, 0.9])
@pytest.mark.parametrize("tail", [0.025, 3.4e-6])
def test_count_range_has_at_most_tail_beyond_each_end_and_is_the_tightest(rate, tail):
    n = 20
    r = compute.dropped_count_range(rate, n, tail)
    assert binom.cdf(r.low - 1, n, rate) < tail and binom.sf(r.high, n, rate) <= tail
    # one unit tighter on either side would leave more than `tail` outside
    assert r.low == 0 or binom.cdf(r.low, n, rate) >= tail
    assert binom.sf(r.high - 1, n, rate) > tail
    assert r.probability == pytest.approx(sum(binom.pmf(k, n, rate) for k in range(r.low, r.high + 1)))


def test_count_range_at_rate_point_three_is_two_to_ten_and_the_check_range_zero_to_sixteen():
    shown = compute.dropped_count_range(0.3, 20, 0.025)
    assert (shown.low, shown.high) == (2, 10) and shown.probability == pytest.approx(0.975, abs=5e-4)
    checked = compute.dropped_count_range(0.3, 20, compute.check_tail())
    assert (checked.low, checked.high) == (0, 16) and 7 in checked and 17 not in checked


def test_the_clipped_normal_band_is_wrong_at_twenty_units():
    low, high = dl.binomial_band(0.3, 20, 3.0)
    assert low == 0.0 and binom.cdf(-1, 20, 0.3) == 0.0   # clipped: its lower half can never fail (nominal 0.135%)
    assert high * 20 != round(high * 20)                  # and its upper end falls between whole units (12.15)


def test_edge_rates_and_bad_tails():
    none, every = compute.dropped_count_range(0.0, 20, 0.025), compute.dropped_count_range(1.0, 20, 0.025)
    assert (none.low, none.high, every.low, every.high) == (0, 0, 20, 20)
    with pytest.raises(ValueError, match="tail"):
        compute.dropped_count_range(0.3, 20, 0.5)


def test_check_tail_is_the_one_sided_tail_of_z_check():
    assert compute.check_tail() == pytest.approx(0.5 * math.erfc(Z_CHECK / math.sqrt(2)))
    assert compute.expected_dropped(0.3, 20) == pytest.approx((6.0, math.sqrt(20 * 0.21)))


def test_network_plots_return_figures():
    nets = [compute.thinned_network(seed=None), compute.thinned_network(seed=1)]
    fig = plots.plot_thinned_networks(nets, ["full", "thinned"])
    assert len(fig.axes) == 2 and fig.axes[1].get_title() == "thinned"
    assert dl.ui.figures.to_png(fig).startswith(b"\x89PNG")
    with pytest.raises(ValueError, match="titles"):
        plots.plot_thinned_networks(nets, ["one"])
