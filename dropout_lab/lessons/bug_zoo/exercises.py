"""Checks for lesson 08, the bug zoo: each runs the learner's fixed code and explains the verdict.

The measurements come from compute.py, torch_probes.py and keras_probes.py (seeded; every band
is z = dl.stats.Z_CHECK = 4.5 standard deviations wide), so a correct fix passes on every run and
a broken one fails with a message that names the bug. Code that raises is reported, never raised.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ...ui.checks import NOT_ANSWERED, CheckResult, Solutions, is_unanswered
from . import compute as bugzoo
from . import keras_probes, solutions, torch_probes

TOL = 1e-6  # float32 torch outputs: "identical" means equal to rounding

SHARED = {
    "rows": "every example (row) of the batch got the same mask: it was drawn for one row, x.shape[1:], and "
            "broadcast, so the whole batch loses the same units and the batch sees one thinned network, not many. "
            "Draw one uniform per unit of the batch: rng.random(x.shape).",
    "columns": "each example is kept or dropped whole (a mask of shape (batch, 1)): draw one uniform per unit, "
               "rng.random(x.shape).",
}


def _crashed(error: Exception) -> CheckResult:
    return CheckResult(False, f"your code raised {bugzoo.error_line(error)}")


def _attempt(probe: Callable[[], object]) -> object:
    """Run a probe of the learner's code; a CheckResult saying what it raised if it raises."""
    try:
        return probe()
    except Exception as error:  # the learner's code: report, never crash the lesson
        return _crashed(error)


def _band_problem(p: bugzoo.Probe, scale_hint: str = "scale survivors by 1/(1 − rate)") -> CheckResult | None:
    """The first thing wrong with one NumPy probe (shared mask, zero fraction, mean), or None."""
    if p.shared:
        return CheckResult(False, SHARED[p.shared])
    if not p.rate_ok:
        return CheckResult(False, f"at rate {p.rate} a fraction {p.zero_fraction:.3f} of the units is zero, outside "
                                  f"[{p.zero_band[0]:.3f}, {p.zero_band[1]:.3f}]: keep a unit when its uniform draw "
                                  "is >= rate.")
    if not p.mean_ok:
        return CheckResult(False, f"at rate {p.rate} the mean output on ones is {p.mean:.3f}, outside "
                                  f"[{p.mean_band[0]:.3f}, {p.mean_band[1]:.3f}]: {scale_hint}.")
    return None


# ---------------------------------------------------------------- the training flag


def check_predict(predict: Callable) -> CheckResult:
    """Exhibit 1: `predict(model, x)` must give the eval-mode network's output, the same every call."""
    if is_unanswered(predict):
        return NOT_ANSWERED
    probe = _attempt(lambda: torch_probes.probe_predict(predict))
    if isinstance(probe, CheckResult):
        return probe
    if probe.max_repeat_diff > TOL:
        return CheckResult(False, f"two predictions for the same input differ (by up to {probe.max_repeat_diff:.3f}): "
                                  "the model is still in training mode, so its Dropout draws a new mask every call. "
                                  "Call model.eval() (and predict under torch.no_grad()).")
    if probe.max_reference_diff > TOL:
        return CheckResult(False, f"predictions repeat but differ from the eval-mode network by "
                                  f"{probe.max_reference_diff:.3f}: return model(x) after model.eval(), without extra "
                                  "scaling.")
    if probe.rates_after != (0.5,):
        now = ", ".join(f"p = {r:g}" for r in probe.rates_after) or "no nn.Dropout at all"
        return CheckResult(False, f"the predictions are right, but predict changed the model: its Dropout had p = 0.5 "
                                  f"and now it has {now}. That switches dropout off for good — every training step "
                                  "after this predict runs without it. Leave the rate and the layers alone: "
                                  "model.eval() switches dropout off until model.train() switches it back on.")
    if probe.rate_zero_calls:
        return CheckResult(False, f"{probe.rate_zero_calls} of the Dropout's {probe.dropout_calls} passes ran in "
                                  "training mode with p = 0: a rate of 0 is not evaluation mode. The model is still "
                                  "in train() (a BatchNorm in it would normalise with the batch's statistics and "
                                  "rewrite its running averages), and a rate you forget to restore turns dropout off "
                                  "for training. Call model.eval().")
    if probe.dropout_calls == 0:
        return CheckResult(False, "the predictions are right, but the model's Dropout layer never ran: predict "
                                  "rebuilt the network by hand, which works for this one architecture only. "
                                  "Call model.eval(), then model(x).")
    return CheckResult(True, "model.eval() switches every Dropout off (identity for inverted dropout): "
                             "the same input now gives the same prediction.")


def check_fit_modes(fit: Callable) -> CheckResult:
    """Exhibit 2: every training step must run with dropout on, every validation pass with it off."""
    if is_unanswered(fit):
        return NOT_ANSWERED
    probe = _attempt(lambda: torch_probes.probe_fit(fit))
    if isinstance(probe, CheckResult):
        return probe
    if probe.train_steps != probe.expected_steps:
        return CheckResult(False, f"fit ran {probe.train_steps} training steps, expected {probe.expected_steps} "
                                  "(3 epochs × 4 batches): keep the training loop as it was.")
    if probe.container_only:
        return CheckResult(False, f"{probe.container_only} of {probe.train_steps} training steps ran with the Dropout "
                                  "in eval mode although model.training was True: setting model.training = True "
                                  "changes only the container. model.train() sets it on every submodule.")
    if probe.steps_in_eval:
        return CheckResult(False, f"{probe.steps_in_eval} of {probe.train_steps} training steps ran with dropout OFF: "
                                  "model.eval() stays in force until model.train() is called again, so after the first "
                                  "validation pass the network trained without dropout. Call model.train() at the "
                                  "start of every epoch (or right after validating).")
    if probe.steps_rate_zero:
        return CheckResult(False, f"{probe.steps_rate_zero} of {probe.train_steps} training steps ran in train() mode "
                                  "but with the Dropout's p = 0, so nothing was dropped: dropout is off either way. "
                                  "Leave p alone and call model.train() at the start of every epoch.")
    if probe.val_passes == 0:
        return CheckResult(False, "no validation pass ran: keep the per-epoch validation, in eval mode.")
    if probe.val_in_train:
        return CheckResult(False, f"{probe.val_in_train} of {probe.val_passes} validation passes ran with dropout ON: "
                                  "validate after model.eval(), then switch back with model.train().")
    return CheckResult(True, f"all {probe.train_steps} training steps ran in train() mode and all "
                             f"{probe.val_passes} validation passes in eval(): the modes now alternate as intended.")


def check_functional_net(net_class: Callable) -> CheckResult:
    """Exhibit 3: a module using F.dropout must stop dropping after .eval() and still drop after .train()."""
    if is_unanswered(net_class):
        return NOT_ANSWERED
    probe = _attempt(lambda: torch_probes.probe_module(net_class))
    if isinstance(probe, CheckResult):
        return probe
    if probe.eval_diff > TOL:
        return CheckResult(False, f"after net.eval() two calls still differ (by up to {probe.eval_diff:.3f}). "
                                  "F.dropout does not know about eval(): its training argument defaults to True. "
                                  "Pass training=self.training (or use an nn.Dropout layer).")
    if probe.train_diff <= TOL:
        return CheckResult(False, "in training mode two calls give identical outputs: dropout no longer runs at all. "
                                  "Keep F.dropout, but let it follow the module's mode.")
    if probe.eval_vs_no_dropout > TOL:
        return CheckResult(False, f"in eval mode the output differs from the same network without dropout by "
                                  f"{probe.eval_vs_no_dropout:.3f}: at test time inverted dropout is the identity.")
    return CheckResult(True, "F.dropout(h, p, training=self.training) drops in train() and is the identity in eval().")


def check_alpha_net(net_class: Callable) -> CheckResult:
    """Exhibit 4: F.alpha_dropout defaults to training=False, the opposite of F.dropout; it must follow the module."""
    if is_unanswered(net_class):
        return NOT_ANSWERED
    probe = _attempt(lambda: torch_probes.probe_module(net_class, rate=0.2, watch_out=True))
    if isinstance(probe, CheckResult):
        return probe
    if probe.train_diff <= TOL:
        return CheckResult(False, "in training mode two calls give identical outputs: the SELU net never drops. "
                                  "F.alpha_dropout's training argument defaults to False (torch/nn/functional.py, "
                                  "alpha_dropout; F.dropout's defaults to True). Pass training=self.training, or use "
                                  "an nn.AlphaDropout layer.")
    if probe.eval_diff > TOL or probe.eval_vs_no_dropout > TOL:
        return CheckResult(False, "after net.eval() the output is still random or rescaled: training=True drops in "
                                  "eval() too. Pass training=self.training, so eval() is the identity.")
    if probe.hidden_zero_fraction > 0.05:
        return CheckResult(False, f"{probe.hidden_zero_fraction:.0%} of the hidden units are exactly 0 in training: "
                                  "that is standard dropout. A SELU net needs alpha dropout, which sets dropped units "
                                  "to SELU's negative saturation value and rescales so mean 0 and variance 1 survive.")
    return CheckResult(True, "F.alpha_dropout(h, p, training=self.training): it drops in train() (no exact zeros: "
                             "dropped units sit at SELU's saturation value) and is the identity in eval().")


def check_attention(module_class: Callable) -> CheckResult:
    """Exhibit 5: scaled_dot_product_attention drops whenever dropout_p > 0; the module must pass 0.0 in eval()."""
    if is_unanswered(module_class):
        return NOT_ANSWERED
    probe = _attempt(lambda: torch_probes.probe_module(module_class, rate=0.3, shape=(4, 10, 16)))
    if isinstance(probe, CheckResult):
        return probe
    if probe.eval_diff > TOL:
        return CheckResult(False, f"after eval() two calls still differ (by up to {probe.eval_diff:.3f}): "
                                  "F.scaled_dot_product_attention applies dropout_p whatever the module's mode "
                                  "(its docs: 'This function always applies dropout according to the specified "
                                  "dropout_p argument'). Pass dropout_p=self.rate if self.training else 0.0.")
    if probe.train_diff <= TOL:
        return CheckResult(False, "in training mode two calls give identical outputs: the attention no longer drops. "
                                  "Keep dropout_p=self.rate while self.training is True.")
    if probe.eval_vs_no_dropout > TOL:
        return CheckResult(False, f"in eval() the output differs from the same weights without dropout by "
                                  f"{probe.eval_vs_no_dropout:.3f}: at test time the attention must be deterministic.")
    if probe.train_zero_fraction > 0.05:
        return CheckResult(False, f"{probe.train_zero_fraction:.0%} of the outputs are exactly 0 in training: that "
                                  "drops the attention's output, not its probabilities. Pass the rate as dropout_p.")
    return CheckResult(True, "dropout_p=self.rate if self.training else 0.0: attention probabilities are dropped "
                             "in train() and the module is deterministic in eval().")


def check_custom_loop(train_step: Callable) -> CheckResult:
    """Exhibit 6: a custom Keras loop must call model(x, training=True) inside the tape."""
    if is_unanswered(train_step):
        return NOT_ANSWERED
    probe = _attempt(lambda: keras_probes.probe_train_step(train_step))
    if isinstance(probe, CheckResult):
        return probe
    first, second = probe.frozen_losses
    if first == second:
        return CheckResult(False, f"two steps at learning rate 0 returned the same loss ({first:.4f}; the model with "
                                  f"dropout off gives {probe.eval_loss:.4f}): dropout did not run. A plain model(x) "
                                  "passes training=None, and Keras then takes the call signature's default, "
                                  "Dropout.call(inputs, training=False) (keras/src/layers/layer.py, 'Infer training "
                                  "value'). fit passes training=True for you; your own loop must: "
                                  "model(x, training=True) inside the tape.")
    if not probe.weights_moved:
        return CheckResult(False, "the loss now varies, but one step at learning rate 0.1 left every weight where it "
                                  "was: compute the loss inside the tape and apply the tape's gradients.")
    return CheckResult(True, f"model(x, training=True) inside the tape: two steps at learning rate 0 give different "
                             f"losses ({first:.4f}, {second:.4f}), so dropout ran, and the weights learn.")


def check_mc_predict(mc_predict: Callable) -> CheckResult:
    """Exhibit 7: MC dropout must switch on only the Dropout modules, leaving BatchNorm in eval mode."""
    if is_unanswered(mc_predict):
        return NOT_ANSWERED
    probe = _attempt(lambda: torch_probes.probe_mc(mc_predict))
    if isinstance(probe, CheckResult):
        return probe
    if not probe.shape_ok:
        return CheckResult(False, "mc_predict should return one averaged prediction per row: a (32, 3) tensor here.")
    if probe.bn_in_train or probe.running_stats_change > 0:
        return CheckResult(False, f"BatchNorm ran in training mode in {probe.bn_in_train} of {probe.bn_calls} passes, "
                                  f"and its running averages moved by up to {probe.running_stats_change:.3f}: "
                                  "model.train() switches every module, BatchNorm too, which then normalises with this "
                                  "batch's statistics (each prediction depends on the rest of the batch) and rewrites "
                                  "what it learned. Put the model in eval(), then switch only the nn.Dropout modules "
                                  "to train().")
    if probe.dropout_in_train == 0:
        return CheckResult(False, "no Dropout ran in training mode: every pass is the same deterministic prediction, "
                                  "so their average is not Monte-Carlo dropout. Switch the nn.Dropout modules to "
                                  "train().")
    if probe.dropped_units == 0:
        return CheckResult(False, "the Dropout ran in train() mode but dropped no unit in any pass: is its p 0? With "
                                  "rate 0 every pass is the same deterministic prediction. Keep the model's rate; "
                                  "switch the nn.Dropout modules to train().")
    if probe.passes_seen < 20:
        return CheckResult(False, f"only {probe.passes_seen} stochastic passes for passes=20: average `passes` "
                                  "predictions.")
    if probe.distinct_masks < probe.passes_seen:
        seen = (f"all {probe.passes_seen} stochastic passes drew the same dropout mask: they are one thinned "
                "network, their spread (variance across passes) is zero and their average is one prediction, not a "
                "Monte-Carlo estimate" if probe.distinct_masks == 1 else
                f"the {probe.passes_seen} stochastic passes drew only {probe.distinct_masks} distinct dropout masks: a "
                "repeated mask repeats a prediction instead of sampling a new one")
        return CheckResult(False, f"{seen}. Each pass must draw a fresh mask: do not re-seed inside the loop "
                                  "(torch.manual_seed once before it, or not at all).")
    return CheckResult(True, f"{probe.passes_seen} stochastic passes, each with its own mask, with every Dropout in "
                             "train() and BatchNorm in eval(): its running averages are untouched and each row's "
                             "prediction is its own.")


# ---------------------------------------------------------------- the scale


def _numpy_probes(fn: Callable, rates: tuple[float, ...]) -> list[bugzoo.Probe]:
    return [bugzoo.probe_dropout(fn, rate, seed=i) for i, rate in enumerate(rates)]


def check_divide(my_dropout: Callable) -> CheckResult:
    """Exhibit 8: survivors must be scaled by 1 / keep = 1 / (1 - rate), not 1 / rate."""
    if is_unanswered(my_dropout):
        return NOT_ANSWERED
    probes = _attempt(lambda: _numpy_probes(my_dropout, (0.2, 0.7)))
    if isinstance(probes, CheckResult):
        return probes
    for p in probes:
        want = 1 / (1 - p.rate)
        if abs(p.survivor_value - 1 / p.rate) < 1e-9 and abs(want - 1 / p.rate) > 1e-9:
            return CheckResult(False, f"at rate {p.rate} the survivors are {p.survivor_value:.3f} = 1/rate; they "
                                      f"should be 1/(1 − rate) = {want:.3f}, so the mean output is {p.mean:.3f} "
                                      "instead of 1. (At rate 0.5 both give 2, which is how this bug hides.)")
        problem = _band_problem(p)
        if problem is not None:
            return problem
    return CheckResult(True, "survivors are 1/(1 − rate), so the mean output stays 1 at every rate "
                             "(checked at 0.2 and 0.7).")


def check_rate_used(my_dropout: Callable) -> CheckResult:
    """Exhibit 9: the fraction of dropped units must follow `rate`, not a hard-coded 0.5."""
    if is_unanswered(my_dropout):
        return NOT_ANSWERED
    probes = _attempt(lambda: _numpy_probes(my_dropout, (0.1, 0.3, 0.8)))
    if isinstance(probes, CheckResult):
        return probes
    for p in probes:
        if p.shared:
            return CheckResult(False, SHARED[p.shared])
        if not p.rate_ok:
            stuck = " — it looks fixed at 0.5" if abs(p.zero_fraction - 0.5) < 0.01 else ""
            return CheckResult(False, f"asked for rate {p.rate}, the function zeroed {p.zero_fraction:.3f} of the "
                                      f"units{stuck}. Expected within [{p.zero_band[0]:.3f}, {p.zero_band[1]:.3f}]: "
                                      "use the rate argument for the mask AND for the scale 1/(1 − rate).")
        if not p.mean_ok:
            return CheckResult(False, f"at rate {p.rate} the zero fraction is right but the mean output is "
                                      f"{p.mean:.3f}, not 1: scale by 1/(1 − rate), not by a constant.")
    return CheckResult(True, "the zero fraction follows the rate (0.1, 0.3, 0.8 checked within binomial bands) "
                             "and the mean output stays 1.")


def check_paper_to_torch(make_layer: Callable) -> CheckResult:
    """Exhibit 10: the paper's p is the KEEP probability; torch's nn.Dropout(p) takes the DROP probability."""
    if is_unanswered(make_layer):
        return NOT_ANSWERED
    for i, keep in enumerate((0.8, 0.9, 0.3)):
        probe = _attempt(lambda keep=keep, i=i: torch_probes.probe_torch_layer(make_layer(keep), keep, seed=i))
        if isinstance(probe, CheckResult):
            return probe
        if not probe.rate_ok:
            swapped = abs(probe.zero_fraction - keep) < 0.01
            why = (f"it drops {probe.zero_fraction:.0%} — the paper's keep probability was used as torch's drop "
                   "probability. torch's p is the DROP probability: nn.Dropout(p=1 - p_paper)." if swapped else
                   f"it zeroes {probe.zero_fraction:.3f} of the units; expected 1 − p = {1 - keep:.2f}.")
            return CheckResult(False, f"for the paper's p = {keep} (keep {keep:.0%} of the units) {why}")
    return CheckResult(True, "nn.Dropout(p=1 - p_paper): keeping 80 % means dropping 20 % "
                             "(checked at p = 0.8, 0.9, 0.3).")


def check_test_time_scale(my_dropout: Callable) -> CheckResult:
    """Exhibit 11: the test-time output must equal the training-time average (scale once, not twice)."""
    if is_unanswered(my_dropout):
        return NOT_ANSWERED
    probe = _attempt(lambda: bugzoo.probe_scales(my_dropout, 0.25))
    if isinstance(probe, CheckResult):
        return probe
    if probe.shared:
        return CheckResult(False, SHARED[probe.shared])
    if not probe.zero_band[0] <= probe.zero_fraction <= probe.zero_band[1]:
        return CheckResult(False, f"in training {probe.zero_fraction:.3f} of the units are zero; expected the rate "
                                  "0.25.")
    if not probe.test_repeatable:
        return CheckResult(False, "at test time two calls differ: no random mask when training is False.")
    if not probe.consistent:
        return CheckResult(False, f"in training the output averages {probe.train_scale:.3f}·x, at test time it is "
                                  f"{probe.test_scale:.3f}·x. Scale once: inverted (÷ keep in training, x at test) or "
                                  "vanilla (no scaling in training, × keep at test) — not both.")
    scheme = "inverted" if abs(probe.test_scale - 1) < 1e-9 else "vanilla"
    return CheckResult(True, f"test output {probe.test_scale:.3f}·x = the training average ({scheme} dropout): "
                             "the next layer sees the same scale in both phases.")


# ---------------------------------------------------------------- the randomness


def check_fresh_masks(layer_class: Callable) -> CheckResult:
    """Exhibit 12: a seeded layer must draw a NEW mask on every call (seed once, not per call)."""
    if is_unanswered(layer_class):
        return NOT_ANSWERED
    rate = 0.3
    probe = _attempt(lambda: bugzoo.probe_layer_class(layer_class, rate))
    if isinstance(probe, CheckResult):
        return probe
    q = (1 - rate) ** 2 + rate ** 2
    if probe.first.shared:
        return CheckResult(False, SHARED[probe.first.shared])
    if probe.first.zero_fraction == 0:
        return CheckResult(False, f"no unit was dropped at rate {rate}: the layer drops nothing. Drop each unit "
                                  "with probability rate, from a generator seeded once in __init__.")
    low, high = probe.agreement_band
    if probe.agreement > high:
        return CheckResult(False, f"two calls dropped the same units ({probe.agreement:.1%} of the mask agrees; "
                                  f"independent masks agree on keep² + rate² = {q:.0%}): the mask does not change "
                                  "between calls, because the generator is re-created from the same seed on every "
                                  "call. Create it once, in __init__, and keep drawing from it.")
    if probe.agreement < low:
        return CheckResult(False, f"the two masks agree on only {probe.agreement:.1%} of units; expected about "
                                  f"{q:.0%}: drop each unit with probability rate.")
    problem = _band_problem(probe.first)
    if problem is not None:
        return problem
    if not probe.reproducible:
        return CheckResult(False, "masks change now, but two layers built with the same seed start differently: "
                                  "draw from np.random.default_rng(seed), created once.")
    return CheckResult(True, f"a fresh mask every call ({probe.agreement:.1%} agreement, as for independent masks) "
                             "and still reproducible from the seed.")


def _keras_eager_problem(probe: keras_probes.KerasLayerProbe, rate: float) -> CheckResult | None:
    q = (1 - rate) ** 2 + rate ** 2
    if probe.first.shared:
        return CheckResult(False, SHARED[probe.first.shared])
    if probe.first.zero_fraction == 0:
        return CheckResult(False, f"layer(x, training=True) dropped no unit at rate {rate}: in training the layer must "
                                  "drop each unit with probability self.rate (keras.random.dropout(inputs, self.rate, "
                                  "seed=...)), not return its input.")
    if probe.eager_agreement > probe.band[1]:
        return CheckResult(False, f"two training calls dropped the same units ({probe.eager_agreement:.1%} agree; "
                                  f"independent masks agree on keep² + rate² = {q:.0%}): keras.random.dropout with an "
                                  "integer seed is stateless, it returns the same values on every call "
                                  "(keras.random.SeedGenerator's docstring, keras/src/random/seed_generator.py). Make "
                                  "one keras.random.SeedGenerator(seed) in __init__ and pass it as seed=.")
    problem = _band_problem(probe.first, "scale survivors by 1/(1 − rate) (keras.random.dropout does)")
    if problem is not None:
        return problem
    if not probe.inference_identity:
        return CheckResult(False, "layer(x, training=False) is not x: at inference inverted dropout is the identity.")
    if not probe.plain_identity:
        return CheckResult(False, "a plain layer(x), with no training argument, dropped units: Keras passes "
                                  "training=None there, which must mean inference (default training=False).")
    return None


def _compiled_problem(probe: keras_probes.KerasLayerProbe) -> CheckResult | None:
    frozen = probe.compiled_agreement is not None and probe.compiled_agreement > probe.band[1]
    frozen_text = (f"and with a fixed batch size two compiled steps dropped the same units "
                   f"({probe.compiled_agreement:.0%} agree): " if frozen else "")
    if probe.unknown_batch_error:
        return CheckResult(False, f"eager calls look right, but inside a compiled step with an unknown batch size "
                                  f"(what fit traces when its last batch is partial) the layer raised "
                                  f"{probe.unknown_batch_error}; {frozen_text}NumPy runs once, when the step is "
                                  "traced, on a symbolic shape (None, 256). It cannot draw a mask of an unknown "
                                  "shape, and when the shape is known the mask it drew is frozen into the graph: "
                                  "every step reuses it. Draw the mask with keras.random and a SeedGenerator made "
                                  "in __init__.")
    if frozen or (probe.unknown_batch_agreement is not None and probe.unknown_batch_agreement > probe.band[1]):
        agree = probe.compiled_agreement if frozen else probe.unknown_batch_agreement
        return CheckResult(False, f"eager calls differ, but two calls of a compiled step (tf.function, as fit runs) "
                                  f"dropped the same units ({agree:.0%} agree): something in call runs only once, "
                                  "when the step is traced (NumPy, a Python counter, an integer seed), so its mask "
                                  "is frozen into the graph. Use a keras.random.SeedGenerator: its state is a "
                                  "variable the compiled step updates.")
    return None


def check_keras_seed(layer_class: Callable) -> CheckResult:
    """Exhibit 13: a Keras dropout layer must pass a SeedGenerator, not an int, to draw a fresh mask per call."""
    if is_unanswered(layer_class):
        return NOT_ANSWERED
    probe = _attempt(lambda: keras_probes.probe_keras_layer(layer_class))
    if isinstance(probe, CheckResult):
        return probe
    problem = _keras_eager_problem(probe, 0.3)
    if problem is not None:
        return problem
    if not probe.reproducible:
        return CheckResult(False, "masks change now, but they are not reproducible: two layers built with the same "
                                  "seed draw different ones (seed=None, for one, draws from Keras' global "
                                  "SeedGenerator). Pass a SeedGenerator(seed) made once in __init__: fresh masks AND "
                                  "reproducible.")
    problem = _compiled_problem(probe)
    if problem is not None:
        return problem
    return CheckResult(True, f"seed=self.seed_generator: a fresh mask every call ({probe.eager_agreement:.1%} "
                             "agreement, as for independent masks), eagerly and in a compiled step, and "
                             "reproducible from the seed.")


def check_one_mask_per_batch(my_dropout: Callable) -> CheckResult:
    """Exhibit 14: every example of a batch needs its own mask: draw rng.random(x.shape)."""
    if is_unanswered(my_dropout):
        return NOT_ANSWERED
    probes = _attempt(lambda: _numpy_probes(my_dropout, (0.2, 0.7)))
    if isinstance(probes, CheckResult):
        return probes
    for p in probes:
        problem = _band_problem(p)
        if problem is not None:
            return problem
    return CheckResult(True, "each example draws its own mask: pairs of rows agree like independent masks "
                             "(keep² + rate²), and the zero fraction and mean are right at rates 0.2 and 0.7.")


def check_numpy_in_graph(layer_class: Callable) -> CheckResult:
    """Exhibit 15: a Keras layer's mask must come from keras.random, so fit's compiled step draws a new one."""
    if is_unanswered(layer_class):
        return NOT_ANSWERED
    probe = _attempt(lambda: keras_probes.probe_keras_layer(layer_class))
    if isinstance(probe, CheckResult):
        return probe
    problem = _keras_eager_problem(probe, 0.3)
    if problem is None:
        problem = _compiled_problem(probe)
    if problem is not None:
        return problem
    if not keras_probes.graph_mode_available():
        return CheckResult(True, "eager calls look right (the compiled-step checks need the TensorFlow backend).")
    return CheckResult(True, "keras.random with a SeedGenerator: a fresh mask per call eagerly, with an unknown batch "
                             "size and with a fixed one — what fit needs.")


# ---------------------------------------------------------------- placement


def check_block_order(make_block: Callable) -> CheckResult:
    """Exhibit 16: no dropout before a BatchNorm: its test-time input variance must match its running variance."""
    if is_unanswered(make_block):
        return NOT_ANSWERED
    probe = _attempt(lambda: torch_probes.probe_block(make_block))
    if isinstance(probe, CheckResult):
        return probe
    if not (probe.has_dropout and probe.has_batchnorm):
        return CheckResult(False, "keep both layers, nn.Dropout and nn.BatchNorm1d: move the dropout, don't remove it.")
    if probe.train_diff <= TOL:
        return CheckResult(False, "in training two calls give identical outputs: the dropout no longer runs.")
    if probe.shifted:
        ratio = max(probe.ratios, key=lambda r: abs(r - 1))
        return CheckResult(False, f"at test time BatchNorm's input has {ratio:.2f}× the variance its running average "
                                  f"learned in training (a block without the shift stays within "
                                  f"[{probe.band[0]:.2f}, {probe.band[1]:.2f}]). Dropout in front of BatchNorm "
                                  "inflates the variance BatchNorm sees in training by about 1/keep and not at test "
                                  "(the 'variance shift', Li et al. 2019). Put the dropout after the last BatchNorm: "
                                  "Linear → BatchNorm → ReLU → Dropout.")
    return CheckResult(True, f"BatchNorm's test-time input variance is {probe.ratios[0]:.2f}× its running variance "
                             "(1 up to sampling noise): no dropout sits in front of it, so there is no variance shift.")


# ---------------------------------------------------------------- the finale


def _finale_problems(layer_class: Callable) -> list[str]:
    """Everything wrong with a NumPy Dropout(rate, seed) class with train()/eval(), at rates 0.2 and 0.7."""
    problems: dict[str, str] = {}  # one line per kind of problem, the first rate that shows it
    note = problems.setdefault
    x = np.ones((64, 256))
    for i, rate in enumerate((0.2, 0.7)):
        probe = bugzoo.probe_layer_class(layer_class, rate, seed=i)
        first, keep = probe.first, 1 - rate
        # with a batch-shared mask two calls' masks are noisier than the band assumes: only all-equal counts
        same = probe.agreement >= 0.999 if first.shared else probe.agreement > probe.agreement_band[1]
        if first.shared:
            note("shared", "one mask for the whole batch: every example loses the same units (exhibit 14)")
        if same:
            note("same", "the same mask on every call: the generator is re-created from the seed (exhibit 12)")
        elif not probe.reproducible:
            note("seed", "two layers built with the same seed draw different masks: seed one generator, once")
        if abs(first.survivor_value - 1 / rate) < 1e-9 and abs(1 / keep - 1 / rate) > 1e-9:
            note("divide", f"survivors are 1/rate = {1 / rate:.2f} at rate {rate}, not 1/(1 − rate) (exhibit 8)")
        elif not first.shared and not first.rate_ok:
            note("rate", f"at rate {rate} the zero fraction is {first.zero_fraction:.3f}: drop with probability rate")
        elif not first.shared and not first.mean_ok:
            note("mean", f"at rate {rate} the mean output is {first.mean:.3f}, not 1: scale by 1/(1 − rate)")
        layer = layer_class(rate, seed=i)
        layer.eval()
        test = np.asarray(layer(x.copy()), dtype=float)
        if not np.array_equal(test, x):
            note("eval", "eval() returns x·keep: inverted dropout already scaled in training, so that scales twice "
                         "(exhibit 11)" if np.allclose(test, keep * x) else "eval() must return x unchanged")
        layer.train()
        if np.array_equal(np.asarray(layer(x.copy()), dtype=float), x):
            note("train", "after eval(), train() does not switch dropout back on")
    return list(problems.values())


def check_spot_the_bugs(layer_class: Callable) -> CheckResult:
    """Exhibit 17: a NumPy inverted-dropout layer with train()/eval(); find and fix every bug (no hints)."""
    if is_unanswered(layer_class):
        return NOT_ANSWERED
    problems = _attempt(lambda: _finale_problems(layer_class))
    if isinstance(problems, CheckResult):
        return problems
    if problems:
        listed = "; ".join(f"({i}) {p}" for i, p in enumerate(problems, 1))
        return CheckResult(False, f"{len(problems)} problem{'s' if len(problems) > 1 else ''} left: {listed}.")
    return CheckResult(True, "all fixed: a fresh, per-example mask each call, survivors 1/(1 − rate), identity in "
                             "eval(), reproducible from the seed. (mask = u < keep was right all along: "
                             "P(u < keep) = keep.)")


# The check each exhibit's cell ends with, by exhibit number (the cell: BUGS[k].buggy_code, a blank
# line, then check_call(k)).
CHECKS: dict[int, Callable] = {
    1: check_predict, 2: check_fit_modes, 3: check_functional_net, 4: check_alpha_net, 5: check_attention,
    6: check_custom_loop, 7: check_mc_predict, 8: check_divide, 9: check_rate_used, 10: check_paper_to_torch,
    11: check_test_time_scale, 12: check_fresh_masks, 13: check_keras_seed, 14: check_one_mask_per_batch,
    15: check_numpy_in_graph, 16: check_block_order, 17: check_spot_the_bugs,
}


def check_call(number: int) -> str:
    """The last line of exhibit `number`'s cell: its check applied to what the snippet defines (lesson 08)."""
    return f"exercises.{CHECKS[number].__name__}({bugzoo.BUGS[number].defines})"


solution = Solutions(solutions).show  # exercises.solution(k): a fixed version of exhibit k
