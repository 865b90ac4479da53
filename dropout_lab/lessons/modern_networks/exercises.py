"""Exercise checks for lesson 11: three predictions, then five pitfalls to fix (bug-zoo style)."""
from __future__ import annotations

from collections.abc import Callable

from ...stats import Z_CHECK, binomial_band
from ...ui.checks import NOT_ANSWERED, CheckResult, Solutions, check_number, is_unanswered
from . import compute, nets, solutions

TOL = 1e-6  # float32 torch outputs: "identical" means equal to rounding


def _crashed(error: Exception) -> CheckResult:
    return CheckResult(False, f"your code raised {type(error).__name__}: {error}")


def check_active_blocks(answer: object) -> CheckResult:
    """Exercise 1: expected active residual branches of a 12-block ViT with rates linspace(0, 0.1, 12)."""
    truth = compute.expected_active_blocks(compute.linear_drop_rates(12, 0.1))
    return check_number(answer, truth, f"12 − (0 + … + 0.1) = 12 − 12 · 0.05 = {truth:.2f}: the mean rate is 0.05.",
                        "add up the keep probabilities 1 − rate_l over the 12 blocks.", rel_tol=0.0, abs_tol=1e-6,
                        mistakes={10.8: "that is 12 · 0.9: every block at the maximum rate; the rates rise from 0.",
                                  0.6: "0.6 blocks are DROPPED on average; the question asks how many run.",
                                  12 - 0.65: "that is Huang et al.'s rule (rates l/L · 0.1, l = 1 … 12); timm's "
                                             "linspace starts at 0 for the first block."})


def check_spatial_coins(answer: object) -> CheckResult:
    """Exercise 2: independent coins of SpatialDropout2D on x of shape (32, 28, 28, 64)."""
    return check_number(answer, 32 * 64, "32 · 64 = 2048: one coin per (image, channel), shared over 28 × 28.",
                        "one coin per image and channel; the spatial axes share it.", rel_tol=0.0, abs_tol=1e-9,
                        mistakes={32 * 28 * 28 * 64: "that is element-wise Dropout: one coin per unit.",
                                  64: "64 would be one mask for the whole batch; every image draws its own.",
                                  32: "32 would drop whole images; the coins are per channel too.",
                                  28 * 28: "the coin is shared OVER the 28 × 28 positions, not drawn per position."})


def check_time_average_variance(answer: object) -> CheckResult:
    """Exercise 3: Var of the 20-step time average of x_t = 1 after per-step dropout at rate 0.5."""
    truth = 0.5 / 0.5 / 20
    return check_number(answer, truth, f"rate/keep/T = 1/20 = {truth:.2f}: twenty independent coins average out.",
                        "one step has variance rate/(1 − rate); the mean of T independent steps divides it by T.",
                        rel_tol=1e-6, mistakes={1.0: "1.0 is the LOCKED mask's variance: one coin, whatever T.",
                                                0.0125: "rate·keep/T is the unscaled mask's variance; inverted "
                                                        "dropout scales survivors by 1/keep.",
                                                0.0025: "divide by T, not T²."})


# ---------------------------------------------------------------- the pitfalls


def check_attention_eval(module_class: Callable) -> CheckResult:
    """Pitfall 1: attention dropout through scaled_dot_product_attention must stop after .eval()."""
    if is_unanswered(module_class):
        return NOT_ANSWERED
    try:
        probe = nets.attention_module_probe(module_class)
    except Exception as error:  # the learner's code: report, never crash the lesson
        return _crashed(error)
    if probe["eval_diff"] > TOL:
        return CheckResult(False, f"after .eval() two calls still differ (by up to {probe['eval_diff']:.3f}): "
                                  "scaled_dot_product_attention applies dropout_p whatever the module's mode. "
                                  "Pass dropout_p=self.dropout if self.training else 0.0.")
    if probe["train_diff"] <= TOL:
        return CheckResult(False, "in training two calls are identical: the attention dropout no longer runs.")
    if probe["reference_diff"] > 1e-5:
        return CheckResult(False, f"in eval mode the output differs from attention without dropout by "
                                  f"{probe['reference_diff']:.3f}: change only dropout_p.")
    return CheckResult(True, "dropout_p follows self.training: attention dropout in train(), none in eval().")


def check_encoder_dropout(make_encoder: Callable, rate: float = 0.3) -> CheckResult:
    """Pitfall 2: a one-layer LSTM encoder whose outputs are really dropped in training."""
    if is_unanswered(make_encoder):
        return NOT_ANSWERED
    try:
        probe = nets.encoder_probe(make_encoder, rate)
    except Exception as error:
        return _crashed(error)
    low, high = binomial_band(rate, probe["n"], Z_CHECK)
    if any("num_layers greater than 1" in message for message in probe["warnings"]):
        return CheckResult(False, "torch warns: LSTM's dropout acts only BETWEEN stacked layers, so with one layer "
                                  "it does nothing. Drop the LSTM's outputs with an nn.Dropout after it.")
    if not low <= probe["train_zeros"] <= high:
        return CheckResult(False, f"in training {probe['train_zeros']:.3f} of the outputs are zero; expected "
                                  f"{rate} (band [{low:.3f}, {high:.3f}]).")
    if probe["eval_zeros"] > 0 or not probe["eval_repeat"]:
        return CheckResult(False, "in eval mode the outputs are still dropped: use nn.Dropout, which follows .eval().")
    return CheckResult(True, f"{probe['train_zeros']:.3f} of the outputs dropped in training, none in eval: "
                             "an nn.Dropout after the LSTM does what LSTM(dropout=…) cannot with one layer.")


def check_drop_channels(drop_channels: Callable, rate: float = 0.5) -> CheckResult:
    """Pitfall 3: Dropout2d on one (C, H, W) image must drop whole channels."""
    if is_unanswered(drop_channels):
        return NOT_ANSWERED
    try:
        probe = nets.channel_probe(drop_channels, rate)
    except Exception as error:
        return _crashed(error)
    low, high = binomial_band(rate, probe["n"], Z_CHECK)
    if any("3D input to dropout2d" in message for message in probe["warnings"]) or not probe["whole_channels"]:
        return CheckResult(False, "the mask is not constant over each channel's H × W: a 3-D input is read as "
                                  "(N, C, L), so Dropout2d drops rows. Add the batch axis: "
                                  "nn.Dropout2d(rate)(image.unsqueeze(0)).squeeze(0).")
    if not low <= probe["dropped"] <= high:
        return CheckResult(False, f"{probe['dropped']:.3f} of the channels were dropped; expected {rate} "
                                  f"(band [{low:.3f}, {high:.3f}]).")
    if abs(probe["survivor"] - 1 / (1 - rate)) > 1e-5:
        return CheckResult(False, f"kept channels are {probe['survivor']:.3f}, not 1/keep = {1 / (1 - rate):.3f}.")
    return CheckResult(True, f"whole channels dropped ({probe['dropped']:.3f} of 64), survivors scaled by 1/keep.")


def check_locked_dropout(locked_dropout: Callable, rate: float = 0.3) -> CheckResult:
    """Pitfall 4: one mask per sequence, shared along time, independent across sequences, features and calls."""
    if is_unanswered(locked_dropout):
        return NOT_ANSWERED
    try:
        probe = compute.locked_probe(locked_dropout, rate)
    except Exception as error:
        return _crashed(error)
    if not probe["shared_over_time"]:
        return CheckResult(False, "the mask changes from one time step to the next: draw it with shape "
                                  "(batch, 1, features) and let it broadcast over time.")
    if not probe["independent_features"]:
        return CheckResult(False, "every feature shares one coin: the mask should have shape (batch, 1, features).")
    if not probe["independent_sequences"]:
        return CheckResult(False, "every sequence in the batch gets the same mask: draw one per sequence, shape "
                                  "(batch, 1, features), not (1, 1, features).")
    if not probe["new_each_call"]:
        return CheckResult(False, "two calls gave the same mask: draw it from the rng you are given, so that every "
                                  "batch gets a new one (a seed fixed inside the function freezes it).")
    if not probe["band"][0] <= probe["dropped"] <= probe["band"][1]:
        return CheckResult(False, f"{probe['dropped']:.3f} of the (sequence, feature) coins dropped; expected {rate}.")
    if not probe["mean_band"][0] <= probe["mean"] <= probe["mean_band"][1]:
        return CheckResult(False, f"the mean output is {probe['mean']:.3f}, not 1: scale survivors by 1/(1 − rate).")
    return CheckResult(True, "one coin per (sequence, feature), the same at every step and new for every batch; "
                             "the mean stays 1.")


def check_drop_path(drop_path: Callable, rate: float = 0.3) -> CheckResult:
    """Pitfall 5: DropPath keeps or drops the branch of each sample independently, scaled by 1/keep."""
    if is_unanswered(drop_path):
        return NOT_ANSWERED
    try:
        probe = compute.drop_path_probe(drop_path, rate)
    except Exception as error:
        return _crashed(error)
    if probe["all_alike"]:
        return CheckResult(False, "every sample was kept or dropped together: one coin for the whole batch. "
                                  "Draw one coin per sample, rng.random(branch.shape[0]) >= rate, shaped "
                                  "(batch, 1, 1, …).")
    if not probe["whole_samples"]:
        return CheckResult(False, "single units were dropped inside a sample: DropPath drops a sample's WHOLE branch.")
    if not probe["band"][0] <= probe["dropped"] <= probe["band"][1]:
        return CheckResult(False, f"{probe['dropped']:.3f} of the samples lost their branch; expected {rate}.")
    if not probe["mean_band"][0] <= probe["mean"] <= probe["mean_band"][1]:
        return CheckResult(False, f"the branch averages {probe['mean']:.3f}, not 1: scale kept branches by 1/keep, "
                                  "so E[x + DropPath(f(x))] = x + f(x).")
    return CheckResult(True, "one coin per sample, kept branches scaled by 1/keep: E[output] = x + f(x).")


# The check each pitfall's cell ends with (the cell: BUGS[k].buggy_code, a blank line, then check_call(k)).
CHECKS: dict[int, Callable] = {1: check_attention_eval, 2: check_encoder_dropout, 3: check_drop_channels,
                               4: check_locked_dropout, 5: check_drop_path}
FIRST_PITFALL = 4   # the pitfalls are exercises 4-8; their solutions are solution_4 ... solution_8


def check_call(number: int) -> str:
    """The last line of pitfall `number`'s cell: its check applied to what the snippet defines."""
    return f"exercises.{CHECKS[number].__name__}({compute.BUGS[number].defines})"


solution = Solutions(solutions).show  # exercises.solution(k): exercise k's solution as code
