"""Solutions to lesson 09's exercises, as real code: exercises.solution(k) shows one (lesson 09)."""
from __future__ import annotations

import numpy as np

import dropout_lab as dl

from . import switches


def solution_1():
    """Exercise 1."""
    passes = np.array([[0.9, 0.1], [0.1, 0.9]])

    def h(p):
        return -np.sum(p * np.log(p), axis=-1)      # no zeros here, so p·log p is safe

    mutual_information = h(passes.mean(axis=0)) - h(passes).mean()   # H[mean] − mean H
    return mutual_information


def solution_2():
    """Exercise 2."""
    passes = 25 * 2 ** 2   # error ∝ 1/√k: halving it needs k × 4
    return passes


def solution_3():
    """Exercise 3."""
    scores_in, scores_out = [0.1, 0.4, 0.35], [0.8, 0.4]
    wins = sum((o > i) + 0.5 * (o == i) for o in scores_out for i in scores_in)
    area = wins / (len(scores_in) * len(scores_out))
    return area


def solution_4():
    """Exercise 4."""
    torch = dl.frameworks.load("torch")

    def mc_predict(model, x, k):
        """k softmax outputs of a torch model with dropout on, shape (k, n, classes)."""
        modes = [(module, module.training) for module in model.modules()]   # to hand the model back as it came
        model.eval()                                   # BatchNorm: running statistics, frozen
        for module in model.modules():
            if isinstance(module, torch.nn.modules.dropout._DropoutNd):
                module.train()                         # only the dropout layers drop
        try:
            with torch.no_grad():
                return torch.stack([torch.softmax(model(x), dim=-1) for _ in range(k)])
        finally:
            for module, mode in modes:
                module.training = mode
    return mc_predict


def solution_5():
    """Exercise 5."""
    torch = dl.frameworks.load("torch")

    def mc_predict(model, x, k):
        """k softmax outputs of a torch model with dropout on, shape (k, n, classes)."""
        outs = []
        # only dropout on, modes put back afterwards; seeded ONCE: reproducible, and every pass differs
        with switches.mc_dropout(model), torch.no_grad(), dl.frameworks.seeded_torch(0):
            for _ in range(k):
                outs.append(torch.softmax(model(x), dim=-1))
        return torch.stack(outs)
    return mc_predict


def solution_6():
    """Exercise 6."""
    def predictive_entropy(probs):
        """H[mean over passes] in nats, for probs of shape (k, n, classes)."""
        mean = probs.mean(axis=0)
        safe = np.where(mean > 0, mean, 1.0)           # 0·log 0 = 0: log(1) = 0 where p is 0
        return -(mean * np.log(safe)).sum(axis=-1)
    return predictive_entropy


def solution_7():
    """Exercise 7."""
    keras = dl.frameworks.load("keras")

    class AlwaysDropout(keras.layers.Dropout):
        def call(self, inputs, training=None):
            return super().call(inputs, training=True)   # drops whatever `training` says

    def keras_mc_predict(model, x, k):
        """k softmax outputs of a Keras model with dropout on, shape (k, n, classes)."""
        def swap(layer):
            kind = AlwaysDropout if isinstance(layer, keras.layers.Dropout) else layer.__class__
            return kind.from_config(layer.get_config())
        mc_model = keras.models.clone_model(model, clone_function=swap)
        mc_model.set_weights(model.get_weights())
        passes = [keras.ops.softmax(mc_model(x)) for _ in range(k)]   # training stays False for BatchNorm
        return np.stack([keras.ops.convert_to_numpy(p) for p in passes])
    return keras_mc_predict
