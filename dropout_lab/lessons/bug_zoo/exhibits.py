"""The bug zoo's exhibits (lesson 08): each one a real broken snippet, what it breaks, and where to read more.

Pure data. A lesson cell holds `BUGS[k].buggy_code`, a blank line, then `exercises.check_call(k)`;
the snippets run in the lesson's namespace (np, torch, nn, F, keras, tf). Exhibit 17 is the
finale: no `# BUG?` hint, and more than one bug.
"""
from __future__ import annotations

from dataclasses import dataclass

GROUPS = ("the training flag", "the scale", "the randomness", "placement", "spot the bugs")


@dataclass(frozen=True)
class Bug:
    """One exhibit: what goes wrong, the broken snippet, and the check that judges a fix (lesson 08)."""

    number: int
    title: str
    symptom: str
    buggy_code: str   # what the lesson's editable cell starts with
    defines: str      # the name the snippet defines, which the cell's check is given
    group: str        # one of GROUPS: the lesson section it belongs to
    see: str = ""     # the lesson that teaches the topic in depth, e.g. "09_mc_dropout.ipynb"


_BUGS = (
    # ------------------------------------------------------------------ the training flag
    Bug(1, "Forgetting eval()", "the same input gives different predictions at test time",
        '''def predict(model, x):
    """Class scores of a trained torch model for a batch x."""
    return model(x)   # BUG?''',
        "predict", GROUPS[0]),
    Bug(2, "Forgetting train() after a validation pass", "after the first epoch the model trains with dropout off",
        '''def fit(model, batches, x_val, y_val, epochs=3, lr=0.1):
    """Train a torch classifier by SGD; return its validation accuracy after every epoch."""
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    history = []
    model.train()   # BUG?
    for _ in range(epochs):
        for x, y in batches:
            optimizer.zero_grad()
            F.cross_entropy(model(x), y).backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            history.append((model(x_val).argmax(1) == y_val).float().mean().item())
    return history''',
        "fit", GROUPS[0]),
    Bug(3, "F.dropout without training=self.training", "model.eval() has no effect on the dropout",
        '''class Net(nn.Module):
    def __init__(self, rate=0.5):
        super().__init__()
        self.rate = rate
        self.hidden = nn.Linear(20, 64)
        self.out = nn.Linear(64, 3)

    def forward(self, x):
        h = torch.relu(self.hidden(x))
        h = F.dropout(h, p=self.rate)   # BUG?
        return self.out(h)''',
        "Net", GROUPS[0]),
    Bug(4, "F.alpha_dropout without training=self.training", "the SELU net never drops a unit, even in training",
        '''class SeluNet(nn.Module):
    def __init__(self, rate=0.2):
        super().__init__()
        self.rate = rate
        self.hidden = nn.Linear(20, 64)
        self.out = nn.Linear(64, 3)

    def forward(self, x):
        h = torch.selu(self.hidden(x))
        h = F.alpha_dropout(h, p=self.rate)   # BUG?
        return self.out(h)''',
        "SeluNet", GROUPS[0], "12_dropout_family.ipynb"),
    Bug(5, "scaled_dot_product_attention(dropout_p=...) in eval()", "attention still drops after model.eval()",
        '''class SelfAttention(nn.Module):
    def __init__(self, dim=16, rate=0.1):
        super().__init__()
        self.rate = rate
        self.qkv = nn.Linear(dim, 3 * dim)

    def forward(self, x):
        q, k, v = self.qkv(x).chunk(3, dim=-1)
        return F.scaled_dot_product_attention(q, k, v, dropout_p=self.rate)   # BUG?''',
        "SelfAttention", GROUPS[0], "11_modern_networks.ipynb"),
    Bug(6, "A Keras custom loop calling model(x) without training=True", "dropout is silently off in training",
        '''def train_step(model, optimizer, loss_fn, x, y):
    """One step of a custom Keras training loop (TensorFlow backend); returns the loss."""
    with tf.GradientTape() as tape:
        loss = loss_fn(y, model(x))   # BUG?
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
    return loss''',
        "train_step", GROUPS[0]),
    Bug(7, "MC dropout via model.train()", "BatchNorm switches to batch statistics and rewrites its running averages",
        '''def mc_predict(model, x, passes=30):
    """Monte-Carlo dropout: the average of `passes` stochastic predictions of a torch model."""
    model.train()   # BUG?
    with torch.no_grad():
        return torch.stack([model(x) for _ in range(passes)]).mean(0)''',
        "mc_predict", GROUPS[0], "09_mc_dropout.ipynb"),
    # ------------------------------------------------------------------ the scale
    Bug(8, "Dividing by the rate", "activations blow up (or shrink) at every rate except 0.5",
        '''def my_dropout(x, rate, rng):
    mask = rng.random(x.shape) >= rate
    return x * mask / rate   # BUG?''',
        "my_dropout", GROUPS[1]),
    Bug(9, "A rate fixed at 0.5", "changing the rate changes nothing",
        '''def my_dropout(x, rate, rng):
    mask = rng.integers(0, 2, size=x.shape)   # BUG?
    return x * mask / 0.5''',
        "my_dropout", GROUPS[1]),
    Bug(10, "Keep vs drop: the paper's p passed as torch's p", "a layer meant to keep 80 % drops 80 %",
        '''def torch_dropout_from_paper(p):
    """A torch layer for the 2014 paper's dropout setting p (the paper's p = KEEP probability)."""
    return nn.Dropout(p=p)   # BUG?''',
        "torch_dropout_from_paper", GROUPS[1]),
    Bug(11, "Scaling in training AND at test", "test-time activations are keep × too small",
        '''def my_dropout(x, rate, rng, training):
    keep = 1 - rate
    if training:
        return x * (rng.random(x.shape) >= rate) / keep
    return x * keep   # BUG?''',
        "my_dropout", GROUPS[1]),
    # ------------------------------------------------------------------ the randomness
    Bug(12, "One mask for every step: re-seeding on every call", "every forward pass drops the same units",
        '''class MyDropout:
    def __init__(self, rate, seed):
        self.rate, self.seed = rate, seed

    def __call__(self, x):
        rng = np.random.default_rng(self.seed)   # BUG?
        mask = rng.random(x.shape) >= self.rate
        return x * mask / (1 - self.rate)''',
        "MyDropout", GROUPS[2]),
    Bug(13, "Keras: an integer seed to keras.random.dropout", "every training call drops the same units",
        '''class SeededDropout(keras.layers.Layer):
    def __init__(self, rate, seed=3, **kwargs):
        super().__init__(**kwargs)
        self.rate, self.seed = rate, seed

    def call(self, inputs, training=False):
        if training:
            return keras.random.dropout(inputs, self.rate, seed=self.seed)   # BUG?
        return inputs''',
        "SeededDropout", GROUPS[2], "04_inside_the_frameworks.ipynb"),
    Bug(14, "One mask for the whole batch", "every example in a batch loses the same units",
        '''def my_dropout(x, rate, rng):
    """Inverted dropout of a batch x of shape (examples, features)."""
    mask = rng.random(x.shape[1:]) >= rate   # BUG?
    return x * mask / (1 - rate)''',
        "my_dropout", GROUPS[2]),
    Bug(15, "NumPy randomness inside a Keras layer's call", "fine eagerly; frozen or a TypeError inside fit",
        '''class NumpyDropout(keras.layers.Layer):
    def __init__(self, rate, seed=0, **kwargs):
        super().__init__(**kwargs)
        self.rate = rate
        self.rng = np.random.default_rng(seed)

    def call(self, inputs, training=False):
        if not training:
            return inputs
        mask = self.rng.random(inputs.shape) >= self.rate   # BUG?
        return inputs * mask / (1 - self.rate)''',
        "NumpyDropout", GROUPS[2], "05_keras_custom_dropout.ipynb"),
    # ------------------------------------------------------------------ placement
    Bug(16, "Dropout right before BatchNorm", "BatchNorm's test-time variance is not the one it learned",
        '''def make_block(width=64, rate=0.5):
    """One hidden block of a torch MLP, with dropout and batch norm."""
    return nn.Sequential(nn.Linear(width, width), nn.Dropout(rate), nn.BatchNorm1d(width), nn.ReLU())   # BUG?''',
        "make_block", GROUPS[3], "10_batchnorm.ipynb"),
    # ------------------------------------------------------------------ the finale: no hint
    Bug(17, "Spot the bugs", "(no hint this time)",
        '''class Dropout:
    """Inverted dropout for NumPy batches of shape (examples, features), with train() / eval() like torch."""

    def __init__(self, rate, seed=0):
        self.rate, self.seed, self.training = rate, seed, True

    def train(self):
        self.training = True
        return self

    def eval(self):
        self.training = False
        return self

    def __call__(self, x):
        keep = 1 - self.rate
        if not self.training:
            return x * keep
        rng = np.random.default_rng(self.seed)
        mask = rng.random(x.shape[1:]) < keep
        return x * mask / self.rate''',
        "Dropout", GROUPS[4]),
)

BUGS: dict[int, Bug] = {bug.number: bug for bug in _BUGS}


def in_group(group: str) -> list[Bug]:
    """The exhibits of one lesson section, in order (lesson 08)."""
    if group not in GROUPS:
        raise ValueError(f"group must be one of {GROUPS}, got {group!r}")
    return [bug for bug in _BUGS if bug.group == group]
