"""Real data sets for the lessons, offline (lessons 05, 07). data/README.md documents each one.

* `imdb`: the course's IMDB subset in data/imdb/, with keras.datasets.imdb's API (lesson 05).
* `load_digits_split`: scikit-learn's bundled 8×8 digits, split by seed (lesson 07).
* `multi_hot` / `multi_hot_csr`: word-index lists as 0/1 rows, dense or sparse (lesson 05).

Nothing here downloads. Every loader says which data it holds, and lessons print it.
"""
from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

from .._lazy import lazy_submodules

__getattr__ = lazy_submodules(__name__, globals())  # dl.data.imdb imports data/imdb.py on first use


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


def multi_hot(sequences: list, dimension: int, dtype: object = np.float32) -> np.ndarray:
    """Word-index lists -> one 0/1 row each, 1 at every index the list contains (lesson 05).

    Vectorised: all (row, word) pairs are gathered first, then set in one assignment.
    Repeated words simply set the same cell twice. `dtype` float32 by default; uint8 or bool
    take a quarter or less of the memory (10,000 reviews × 10,000 words: 100 MB vs 400 MB).
    """
    rows, words = _pairs(sequences, dimension)
    hot = np.zeros((len(rows.lengths), dimension), dtype=dtype)
    hot[rows.ids, words] = 1
    return hot


def multi_hot_csr(sequences: list, dimension: int):
    """The same 0/1 rows as `multi_hot`, as a float32 scipy.sparse CSR matrix (lesson 05).

    An IMDB review holds ~130 of the 10,000 commonest words, so the sparse form is ~1 % of
    the dense one, and Keras' Dense layer multiplies it without ever making it dense.
    """
    from scipy import sparse
    rows, words = _pairs(sequences, dimension)
    matrix = sparse.csr_matrix((np.ones(len(words), np.float32), (rows.ids, words)),
                               shape=(len(rows.lengths), dimension))
    matrix.sum_duplicates()          # a repeated word is one 1, as in the dense form
    matrix.data[:] = 1.0
    return matrix


@dataclass(frozen=True)
class _Rows:
    ids: np.ndarray      # the row of each (row, word) pair
    lengths: np.ndarray  # words per row


def _pairs(sequences: list, dimension: int) -> tuple[_Rows, np.ndarray]:
    """All (row, word) pairs of the word lists, checked: word indices must lie in [0, dimension)."""
    if isinstance(dimension, bool) or not isinstance(dimension, numbers.Integral) or dimension < 1:
        raise ValueError(f"dimension must be an int >= 1, got {dimension!r}")
    lists = [np.asarray(words, dtype=np.int64).ravel() for words in sequences]
    lengths = np.array([len(words) for words in lists], dtype=np.int64)
    words = np.concatenate(lists) if lists else np.zeros(0, dtype=np.int64)
    if words.size and (words.min() < 0 or words.max() >= dimension):
        raise ValueError(f"sequences must hold word indices in [0, {dimension - 1}] "
                         f"(dimension={dimension}), found {words.min()}..{words.max()}")
    return _Rows(np.repeat(np.arange(len(lists)), lengths), lengths), words  # row r once per word it holds
