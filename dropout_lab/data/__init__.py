"""Real data sets for the lessons, offline first (lessons 05, 07).

Nothing here downloads unless the learner asks for it: scikit-learn ships the digits and
breast-cancer data inside the package, so lessons run offline (and in CI). The IMDB
reviews of the Keras book are used only when they are already in the Keras cache or when
the environment variable DROPOUT_LAB_ONLINE=1 allows a download. Every loader returns a
`DataSplit` whose `description` says exactly which data it holds, and lessons print it.
"""
from __future__ import annotations

import numbers
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ONLINE_ENV = "DROPOUT_LAB_ONLINE"


@dataclass(frozen=True)
class DataSplit:
    """A train/test split of one real data set, with a sentence saying what it is."""

    name: str
    description: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray

    @property
    def n_features(self) -> int:
        """Width of one input row."""
        return int(self.x_train.shape[1])

    def summary(self) -> str:
        """One line for a lesson to print: the data's name, sizes and meaning."""
        return (f"data: {self.name} — {len(self.x_train)} train / {len(self.x_test)} test rows, "
                f"{self.n_features} features. {self.description}")


def _check_fraction(test_fraction: object) -> float:
    if isinstance(test_fraction, bool) or not isinstance(test_fraction, numbers.Real) \
            or not 0.0 < float(test_fraction) < 1.0:
        raise ValueError(f"test_fraction must be a number in (0, 1), got {test_fraction!r}")
    return float(test_fraction)


def _check_seed(seed: object) -> int:
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    return int(seed)


def _split(x: np.ndarray, y: np.ndarray, seed: int, test_fraction: float) -> tuple[np.ndarray, ...]:
    """Stratified shuffle split (every class keeps its share on both sides), seeded."""
    from sklearn.model_selection import train_test_split
    return tuple(train_test_split(x, y, test_size=test_fraction, random_state=seed, stratify=y))


def load_digits_split(seed: int = 0, test_fraction: float = 0.25) -> DataSplit:
    """scikit-learn's bundled 8×8 handwritten digits, pixels scaled to [0, 1], split by seed (lesson 07).

    Returns a DataSplit: x_* float64 of shape (rows, 64), y_* int64 labels 0..9. The split is
    stratified and depends only on `seed`; `test_fraction` in (0, 1) goes to the test side.
    The full set has 1797 images (UCI "Optical Recognition of Handwritten Digits", test part).
    """
    from sklearn.datasets import load_digits
    seed, test_fraction = _check_seed(seed), _check_fraction(test_fraction)
    bunch = load_digits()
    x = bunch.data.astype(np.float64) / 16.0  # pixel intensities are 0..16
    x_train, x_test, y_train, y_test = _split(x, bunch.target.astype(np.int64), seed, test_fraction)
    return DataSplit("digits (scikit-learn, bundled)",
                     "8×8 handwritten digits, 10 classes; pixels scaled to [0, 1].",
                     x_train, y_train, x_test, y_test)


def quantile_multi_hot(x_train: np.ndarray, x_test: np.ndarray, bins: int) -> tuple[np.ndarray, np.ndarray]:
    """Bin each feature at its training-set quantiles and one-hot the bin: a multi-hot vector (lesson 05)."""
    if isinstance(bins, bool) or not isinstance(bins, numbers.Integral) or bins < 2:
        raise ValueError(f"bins must be an int >= 2, got {bins!r}")
    # Cut points come from the training rows only, so the test rows stay unseen.
    cuts = np.quantile(x_train, np.linspace(0, 1, bins + 1)[1:-1], axis=0)  # (bins-1, features)

    def encode(x: np.ndarray) -> np.ndarray:
        index = (x[None, :, :] > cuts[:, None, :]).sum(axis=0)  # bin number 0..bins-1 per feature
        hot = np.zeros((len(x), x.shape[1] * bins), dtype=np.float32)
        columns = np.arange(x.shape[1]) * bins + index
        hot[np.arange(len(x))[:, None], columns] = 1.0
        return hot

    return encode(x_train), encode(x_test)


def load_breast_cancer_multi_hot(seed: int = 0, test_fraction: float = 0.25, bins: int = 10) -> DataSplit:
    """scikit-learn's bundled breast-cancer data as a binary multi-hot task (lesson 05).

    569 real tumour measurements (30 features each, Wisconsin Diagnostic data). Each feature
    is cut into `bins` quantile bins and one-hot encoded, so a row is a 0/1 vector with exactly
    one 1 per feature (30·bins columns), the same kind of input as the IMDB bag of words.
    Label 1 = benign, 0 = malignant.
    """
    from sklearn.datasets import load_breast_cancer
    seed, test_fraction = _check_seed(seed), _check_fraction(test_fraction)
    bunch = load_breast_cancer()
    x_train, x_test, y_train, y_test = _split(bunch.data, bunch.target, seed, test_fraction)
    hot_train, hot_test = quantile_multi_hot(x_train, x_test, bins)
    return DataSplit(
        "breast cancer (scikit-learn, bundled)",
        f"Real tumour measurements, benign (1) vs malignant (0); each of the 30 features cut into "
        f"{bins} quantile bins and one-hot encoded (multi-hot, like a bag of words).",
        hot_train, y_train.astype(np.float32), hot_test, y_test.astype(np.float32))


def keras_cache_dir() -> Path:
    """Where Keras keeps downloaded data sets ($KERAS_HOME/datasets, default ~/.keras/datasets)."""
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return Path(home) / "datasets"


def imdb_available() -> bool:
    """True when IMDB can be loaded without waiting on a network: cached, or downloads allowed."""
    return (keras_cache_dir() / "imdb.npz").exists() or os.environ.get(ONLINE_ENV) == "1"


def multi_hot(sequences: list, dimension: int) -> np.ndarray:
    """Word-index lists -> one 0/1 row each, 1 at every index the list contains (lesson 05).

    Vectorised: all (row, word) pairs are gathered first, then set in one assignment.
    Repeated words simply set the same cell twice.
    """
    if isinstance(dimension, bool) or not isinstance(dimension, numbers.Integral) or dimension < 1:
        raise ValueError(f"dimension must be an int >= 1, got {dimension!r}")
    lists = [np.asarray(words, dtype=np.int64).ravel() for words in sequences]
    lengths = np.array([len(words) for words in lists], dtype=np.int64)
    words = np.concatenate(lists) if lists else np.zeros(0, dtype=np.int64)
    if words.size and (words.min() < 0 or words.max() >= dimension):
        raise ValueError(f"sequences must hold word indices in [0, {dimension - 1}] "
                         f"(dimension={dimension}), found {words.min()}..{words.max()}")
    rows = np.repeat(np.arange(len(lists)), lengths)  # row r repeated once per word it holds
    hot = np.zeros((len(lists), dimension), dtype=np.float32)
    hot[rows, words] = 1.0
    return hot


def load_imdb_multi_hot(num_words: int = 10_000, max_rows: int = 5_000, seed: int = 0) -> DataSplit:
    """The Keras book's IMDB reviews as multi-hot vectors of the `num_words` commonest words (lesson 05).

    Uses keras.datasets.imdb (downloads ~17 MB once into the Keras cache). `max_rows` random
    reviews per side keep the lesson fast (the full set is 25 000 + 25 000).
    """
    from ..frameworks import load
    imdb = load("keras").datasets.imdb
    (train_seq, train_y), (test_seq, test_y) = imdb.load_data(num_words=num_words)
    rng = np.random.default_rng(_check_seed(seed))
    pick_train = rng.permutation(len(train_seq))[:max_rows]
    pick_test = rng.permutation(len(test_seq))[:max_rows]
    return DataSplit(
        "IMDB reviews (Keras)",
        f"Real movie reviews, positive (1) vs negative (0); multi-hot over the {num_words} commonest words.",
        multi_hot(train_seq[pick_train], num_words), train_y[pick_train].astype(np.float32),
        multi_hot(test_seq[pick_test], num_words), test_y[pick_test].astype(np.float32))


def load_sentiment_or_offline(seed: int = 0) -> DataSplit:
    """IMDB when it is cached or DROPOUT_LAB_ONLINE=1, else the bundled breast-cancer task (lesson 05).

    No silent fallback: the returned DataSplit names the data, and lesson 05 prints it.
    """
    if imdb_available():
        return load_imdb_multi_hot(seed=seed)
    return load_breast_cancer_multi_hot(seed=seed)
