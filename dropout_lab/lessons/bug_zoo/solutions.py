"""Fixed versions of the bug zoo's exhibits, as real code: exercises.solution(k) shows one (lesson 08)."""
from __future__ import annotations

import importlib

import numpy as np

from ...frameworks import load

torch = load("torch")  # the exhibits are PyTorch, Keras 3 (TensorFlow backend) and NumPy code
nn, F = torch.nn, torch.nn.functional
keras = load("keras")
tf = importlib.import_module("tensorflow")


def solution_1():
    """Exhibit 1, fixed."""
    def predict(model, x):
        """Class scores of a trained torch model for a batch x."""
        model.eval()                 # Dropout -> identity
        with torch.no_grad():        # no graph needed for predictions
            return model(x)
    return predict


def solution_2():
    """Exhibit 2, fixed."""
    def fit(model, batches, x_val, y_val, epochs=3, lr=0.1):
        """Train a torch classifier by SGD; return its validation accuracy after every epoch."""
        optimizer = torch.optim.SGD(model.parameters(), lr=lr)
        history = []
        for _ in range(epochs):
            model.train()            # every epoch: validation left the model in eval mode
            for x, y in batches:
                optimizer.zero_grad()
                F.cross_entropy(model(x), y).backward()
                optimizer.step()
            model.eval()
            with torch.no_grad():
                history.append((model(x_val).argmax(1) == y_val).float().mean().item())
        return history
    return fit


def solution_3():
    """Exhibit 3, fixed."""
    class Net(nn.Module):
        def __init__(self, rate=0.5):
            super().__init__()
            self.rate = rate
            self.hidden = nn.Linear(20, 64)
            self.out = nn.Linear(64, 3)

        def forward(self, x):
            h = torch.relu(self.hidden(x))
            h = F.dropout(h, p=self.rate, training=self.training)   # follows train()/eval()
            return self.out(h)
    return Net


def solution_4():
    """Exhibit 4, fixed."""
    class SeluNet(nn.Module):
        def __init__(self, rate=0.2):
            super().__init__()
            self.rate = rate
            self.hidden = nn.Linear(20, 64)
            self.out = nn.Linear(64, 3)

        def forward(self, x):
            h = torch.selu(self.hidden(x))
            h = F.alpha_dropout(h, p=self.rate, training=self.training)   # its default is training=False
            return self.out(h)
    return SeluNet


def solution_5():
    """Exhibit 5, fixed."""
    class SelfAttention(nn.Module):
        def __init__(self, dim=16, rate=0.1):
            super().__init__()
            self.rate = rate
            self.qkv = nn.Linear(dim, 3 * dim)

        def forward(self, x):
            q, k, v = self.qkv(x).chunk(3, dim=-1)
            rate = self.rate if self.training else 0.0   # the function never looks at eval()
            return F.scaled_dot_product_attention(q, k, v, dropout_p=rate)
    return SelfAttention


def solution_6():
    """Exhibit 6, fixed."""
    def train_step(model, optimizer, loss_fn, x, y):
        """One step of a custom Keras training loop (TensorFlow backend); returns the loss."""
        with tf.GradientTape() as tape:
            loss = loss_fn(y, model(x, training=True))   # what fit passes for you
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        return loss
    return train_step


def solution_7():
    """Exhibit 7, fixed."""
    def mc_predict(model, x, passes=30):
        """Monte-Carlo dropout: the average of `passes` stochastic predictions of a torch model."""
        model.eval()                          # BatchNorm (and everything else) in inference mode
        for module in model.modules():
            if isinstance(module, nn.Dropout):
                module.train()                # ... except the dropout layers
        with torch.no_grad():
            return torch.stack([model(x) for _ in range(passes)]).mean(0)
    return mc_predict


def solution_8():
    """Exhibit 8, fixed."""
    def my_dropout(x, rate, rng):
        mask = rng.random(x.shape) >= rate
        return x * mask / (1 - rate)   # divide by KEEP
    return my_dropout


def solution_9():
    """Exhibit 9, fixed."""
    def my_dropout(x, rate, rng):
        mask = rng.random(x.shape) >= rate   # the rate you were given
        return x * mask / (1 - rate)
    return my_dropout


def solution_10():
    """Exhibit 10, fixed."""
    def torch_dropout_from_paper(p):
        """A torch layer for the 2014 paper's dropout setting p (the paper's p = KEEP probability)."""
        return nn.Dropout(p=1 - p)   # torch's p = DROP probability
    return torch_dropout_from_paper


def solution_11():
    """Exhibit 11, fixed."""
    def my_dropout(x, rate, rng, training):
        keep = 1 - rate
        if training:
            return x * (rng.random(x.shape) >= rate) / keep
        return x   # inverted dropout: the scaling already happened in training
    return my_dropout


def solution_12():
    """Exhibit 12, fixed."""
    class MyDropout:
        def __init__(self, rate, seed):
            self.rate = rate
            self.rng = np.random.default_rng(seed)   # seeded ONCE

        def __call__(self, x):
            mask = self.rng.random(x.shape) >= self.rate   # a new draw every call
            return x * mask / (1 - self.rate)
    return MyDropout


def solution_13():
    """Exhibit 13, fixed."""
    class SeededDropout(keras.layers.Layer):
        def __init__(self, rate, seed=3, **kwargs):
            super().__init__(**kwargs)
            self.rate = rate
            self.seed_generator = keras.random.SeedGenerator(seed)   # a state that moves on every draw

        def call(self, inputs, training=False):
            if training:
                return keras.random.dropout(inputs, self.rate, seed=self.seed_generator)
            return inputs
    return SeededDropout


def solution_14():
    """Exhibit 14, fixed."""
    def my_dropout(x, rate, rng):
        """Inverted dropout of a batch x of shape (examples, features)."""
        mask = rng.random(x.shape) >= rate   # one draw per unit of every example
        return x * mask / (1 - rate)
    return my_dropout


def solution_15():
    """Exhibit 15, fixed."""
    class NumpyDropout(keras.layers.Layer):
        def __init__(self, rate, seed=0, **kwargs):
            super().__init__(**kwargs)
            self.rate = rate
            self.seed_generator = keras.random.SeedGenerator(seed)   # Keras randomness: part of the graph

        def call(self, inputs, training=False):
            if not training:
                return inputs
            return keras.random.dropout(inputs, self.rate, seed=self.seed_generator)
    return NumpyDropout


def solution_16():
    """Exhibit 16, fixed."""
    def make_block(width=64, rate=0.5):
        """One hidden block of a torch MLP, with dropout and batch norm."""
        return nn.Sequential(nn.Linear(width, width), nn.BatchNorm1d(width), nn.ReLU(), nn.Dropout(rate))   # after BN
    return make_block


def solution_17():
    """Exhibit 17, fixed: four bugs."""
    class Dropout:
        """Inverted dropout for NumPy batches of shape (examples, features), with train() / eval() like torch."""

        def __init__(self, rate, seed=0):
            self.rate, self.training = rate, True
            self.rng = np.random.default_rng(seed)       # 1. seed once, not on every call

        def train(self):
            self.training = True
            return self

        def eval(self):
            self.training = False
            return self

        def __call__(self, x):
            keep = 1 - self.rate
            if not self.training:
                return x                                 # 2. inverted dropout is the identity at test
            mask = self.rng.random(x.shape) < keep      # 3. one draw per unit of every example
            return x * mask / keep                       # 4. divide by keep, not by the rate
    return Dropout
