"""The seed question's IMDB model, its data and its training runs (lesson 05).

* `load_reviews` loads the course's IMDB subset (or Keras' full copy, only when a valid cache
  exists or DROPOUT_LAB_ONLINE=1), holds 1,000 training reviews out for validation and encodes
  every review as a sparse multi-hot row of the 10,000 commonest words.
* `build_model` is the seed's network, 10000 -> Dense 16 -> Dense 16 -> 1 with L2 0.001, with a
  dropout layer after each hidden layer (as in the book's dropout example) or none.
* `train` fits it silently and records four curves per epoch: fit's training loss (dropout on,
  averaged over the epoch's batches), the training loss re-evaluated with dropout off at the
  end of the epoch, the validation loss and accuracy. The test split is evaluated once, after
  the last epoch.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ...data import imdb, multi_hot_csr
from ...frameworks import load
from .compute import CustomDropout, EpochHook
from .results import RUNS_FILE, Curves, StoredRuns, load_runs, paired, rate_view, run_numbers

keras = load("keras")

NUM_WORDS = 10_000
VAL_ROWS = 1_000
SPLIT_SEED = 0          # which training reviews are held out: fixed, the same for every run
BATCH_SIZE = 512        # the book's settings: RMSprop, learning rate 1e-3, batches of 512, 20 epochs
EPOCHS = 20
RATE = 0.5
L2 = 1e-3


@dataclass(frozen=True)
class Reviews:
    """The reviews as multi-hot rows (scipy CSR, float32) and 0/1 labels (float32), with their story."""

    source: str                  # "subset" (data/imdb) or "keras" (Keras' full imdb.npz)
    description: str
    x_train: object
    y_train: np.ndarray
    x_val: object
    y_val: np.ndarray
    x_test: object
    y_test: np.ndarray
    sequences: dict = field(default_factory=dict, repr=False)   # the word-index lists, by split

    def summary(self) -> str:
        """Which data ran, in one line a lesson prints."""
        return (f"data: {self.description} — {self.x_train.shape[0]} train / {self.x_val.shape[0]} validation / "
                f"{self.x_test.shape[0]} test reviews, multi-hot over the {self.x_train.shape[1]} commonest words")


def data_source() -> tuple[str, str]:
    """("subset" | "keras", why): Keras' full copy only when its cache is valid or the learner allowed a download."""
    cache = imdb.keras_cache()
    if cache.valid:
        return "keras", f"Keras' full IMDB (a valid cache at {cache.path})"
    if imdb.online_allowed():
        return "keras", f"Keras' full IMDB ({imdb.ONLINE_ENV}=1: Keras may download it)"
    reason = {"missing": "no Keras cache", "invalid": f"Keras' cache file is not valid ({cache.size} bytes, "
                                                       "wrong sha256): ignored, nothing downloaded"}[cache.state]
    return "subset", f"the course's IMDB subset in data/imdb ({reason})"


def load_reviews(num_words: int = NUM_WORDS, val_rows: int = VAL_ROWS, source: str | None = None) -> Reviews:
    """The seed's data: IMDB reviews as multi-hot rows, validation held out of the training split (lesson 05)."""
    chosen, why = data_source() if source is None else (source, source)
    loader = keras.datasets.imdb if chosen == "keras" else imdb
    (train_seq, train_y), (test_seq, test_y) = loader.load_data(num_words=num_words)
    held_out = np.random.default_rng(SPLIT_SEED).permutation(len(train_seq))
    val, fit_rows = held_out[:val_rows], held_out[val_rows:]
    hot = lambda seqs: multi_hot_csr(seqs, num_words)
    return Reviews(chosen, why, hot(train_seq[fit_rows]), train_y[fit_rows].astype(np.float32),
                   hot(train_seq[val]), train_y[val].astype(np.float32), hot(test_seq), test_y.astype(np.float32),
                   {"train": train_seq[fit_rows], "val": train_seq[val], "test": test_seq})


def _sparse_tensor(x):
    """A scipy sparse matrix as a tf.SparseTensor (float32, canonical order)."""
    import tensorflow as tf
    coo = x.tocoo()
    return tf.sparse.reorder(tf.SparseTensor(np.stack([coo.row, coo.col], axis=1).astype(np.int64),
                                             coo.data.astype(np.float32), coo.shape))


def dataset(x, y: np.ndarray, batch_size: int):
    """A tf.data pipeline of sparse batches: Keras' Dense multiplies them without densifying 10,000 columns."""
    import tensorflow as tf
    return tf.data.Dataset.from_tensor_slices((_sparse_tensor(x), y)).batch(batch_size)


def build_model(dropout: str | None = "custom", rate: float = RATE, seed: int = 0, num_words: int = NUM_WORDS,
                l2: float = L2) -> keras.Model:
    """The seed's 10000 -> 16 -> 16 -> 1 network; dropout "custom", "keras" or None after each hidden layer (lesson 05).

    Initial weights depend only on `seed`, so the three variants of one seed start equal.
    The dropout layers are seeded from `seed` too: CustomDropout and keras.layers.Dropout
    with the same seed draw the same masks on the TensorFlow backend.
    """
    if dropout not in ("custom", "keras", None):
        raise ValueError(f"dropout must be 'custom', 'keras' or None, got {dropout!r}")
    layer = {"custom": CustomDropout, "keras": keras.layers.Dropout}.get(dropout)
    stack = [keras.Input((num_words,), sparse=True)]
    for i in (1, 2):
        stack.append(keras.layers.Dense(16, activation="relu", kernel_regularizer=keras.regularizers.L2(l2),
                                        kernel_initializer=keras.initializers.GlorotUniform(seed * 10 + i),
                                        name=f"hidden_{i}"))
        if layer is not None:
            stack.append(layer(rate, seed=seed * 10 + 5 + i, name=f"dropout_{i}"))
    stack.append(keras.layers.Dense(1, activation="sigmoid", name="output",
                                    kernel_initializer=keras.initializers.GlorotUniform(seed * 10 + 3)))
    model = keras.Sequential(stack, name=f"{dropout or 'no'}_dropout")
    # Not "auto": it turns XLA on where a GPU is visible, and XLA cannot compile the sparse Dense (SparseFillEmptyRows).
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=1e-3), loss="binary_crossentropy",
                  metrics=[keras.metrics.BinaryAccuracy(name="accuracy")], jit_compile=False)
    return model


class DropoutOffLoss(keras.callbacks.Callback):
    """After each epoch, the training loss with dropout off: what evaluate() reports, in one compiled pass (lesson 05).

    Loss = mean binary cross-entropy of model(x, training=False) over the training rows + the
    L2 penalties, as Keras' evaluate computes it on one batch; a tf.function traced once keeps
    it at a few milliseconds an epoch.
    """

    def __init__(self, x, y: np.ndarray) -> None:
        super().__init__()
        self.x, self.y, self.losses, self._loss = _sparse_tensor(x), y[:, None], [], None

    def on_epoch_end(self, epoch, logs=None):
        if self._loss is None:
            import tensorflow as tf
            bce = keras.losses.BinaryCrossentropy()
            model = self.model
            self._loss = tf.function(lambda: bce(self.y, model(self.x, training=False)) + sum(model.losses),
                                     autograph=False)
        self.losses.append(float(self._loss()))


def masks_drawn(model: keras.Model) -> int:
    """How many masks the first dropout layer's SeedGenerator has handed out.

    state[1] is the counter of Keras 3.15's SeedGenerator state [seed, counter] (seed_generator.py,
    next()): an implementation detail, read here only to count draws.
    """
    for layer in model.layers:
        generator = getattr(layer, "seed_generator", None)
        if generator is not None:
            return int(keras.ops.convert_to_numpy(generator.state)[1])
    return 0


def train(model: keras.Model, data: Reviews, epochs: int = EPOCHS, batch_size: int = BATCH_SIZE,
          on_epoch: Callable[[], None] | None = None) -> Curves:
    """fit() silently for `epochs`, then evaluate the test split once; return the curves (lesson 05)."""
    start = masks_drawn(model)
    off = DropoutOffLoss(data.x_train, data.y_train)
    callbacks = [off] + ([EpochHook(on_epoch)] if on_epoch else [])
    history = model.fit(dataset(data.x_train, data.y_train, batch_size), epochs=epochs, verbose=0, shuffle=False,
                        validation_data=dataset(data.x_val, data.y_val, 4_096), callbacks=callbacks)
    test = model.evaluate(dataset(data.x_test, data.y_test, 4_096), verbose=0, return_dict=True)
    h = {k: np.asarray(v, dtype=np.float64) for k, v in history.history.items()}
    return Curves(model.name, h["loss"], np.asarray(off.losses), h["val_loss"], h["accuracy"], h["val_accuracy"],
                  float(test["loss"]), float(test["accuracy"]), masks_drawn(model) - start)


def train_variants(data: Reviews, seed: int = 0, variants: tuple = ("custom", "keras", None), rate: float = RATE,
                   epochs: int = EPOCHS, on_epoch: Callable[[], None] | None = None) -> dict[str, Curves]:
    """The same initial network trained with each dropout variant (lesson 05). Keys: "custom", "keras", "none"."""
    return {str(v).lower(): train(build_model(v, rate, seed), data, epochs, on_epoch=on_epoch) for v in variants}


def without_dropout(model: keras.Model, seed: int = 0) -> keras.Model:
    """The same network with its dropout layers removed and the trained weights copied over (lesson 05)."""
    plain = build_model(None, seed=seed, num_words=model.input_shape[-1])
    plain.set_weights(model.get_weights())
    return plain


__all__ = ["RUNS_FILE", "Curves", "StoredRuns", "load_runs", "paired", "rate_view", "run_numbers"]
