"""Tests of the offline data helpers: digits (lesson 07) and the multi-hot encoders (lesson 05)."""
import numpy as np
import pytest

from dropout_lab import data


def test_digits_split_shapes_scale_and_stratification():
    split = data.load_digits_split(seed=0, test_fraction=0.25)
    assert split.x_train.shape[1] == 64 and len(split.x_train) + len(split.x_test) == 1797
    assert len(split.x_test) == pytest.approx(0.25 * 1797, abs=1)
    assert split.x_train.min() >= 0.0 and split.x_train.max() == 1.0
    assert set(np.unique(split.y_train)) == set(range(10))
    # stratified: each class's share on the test side is within one row of 25 %
    counts_all = np.bincount(np.concatenate([split.y_train, split.y_test]))
    assert np.all(np.abs(np.bincount(split.y_test) - 0.25 * counts_all) <= 1)
    assert "digits" in split.summary() and split.n_features == 64


def test_digits_split_depends_only_on_seed():
    a, b, c = (data.load_digits_split(seed=s) for s in (3, 3, 4))
    assert np.array_equal(a.x_train, b.x_train) and np.array_equal(a.y_test, b.y_test)
    assert not np.array_equal(a.y_train, c.y_train)


@pytest.mark.parametrize("bad", [0, 1, 1.5, -0.1, "0.2", True])
def test_bad_test_fraction_is_named(bad):
    with pytest.raises(ValueError, match="test_fraction"):
        data.load_digits_split(seed=0, test_fraction=bad)


@pytest.mark.parametrize("bad", [-1, 1.5, "0", None])
def test_bad_seed_is_named(bad):
    with pytest.raises(ValueError, match="seed"):
        data.load_digits_split(seed=bad)


def test_multi_hot_marks_present_words():
    hot = data.multi_hot([[0, 3, 3], [2]], dimension=5)
    assert hot.tolist() == [[1, 0, 0, 1, 0], [0, 0, 1, 0, 0]] and hot.dtype == np.float32


def _random_sequences(seed: int = 7, dimension: int = 50, rows: int = 40) -> list:
    rng = np.random.default_rng(seed)
    return [list(rng.integers(0, dimension, size=rng.integers(0, 30))) for _ in range(rows)]


def test_multi_hot_matches_a_set_based_reference_on_random_sequences():
    sequences, dimension = _random_sequences(), 50
    # reference: one row at a time, from the set of words each list contains
    reference = np.array([[1.0 if w in set(seq) else 0.0 for w in range(dimension)] for seq in sequences])
    hot = data.multi_hot(sequences, dimension)
    assert hot.dtype == np.float32 and hot.shape == (40, dimension)
    assert np.array_equal(hot, reference)


@pytest.mark.parametrize("dtype", [np.uint8, bool, np.float64])
def test_multi_hot_narrow_dtypes_hold_the_same_rows(dtype):
    sequences = _random_sequences(seed=3)
    hot = data.multi_hot(sequences, 50, dtype=dtype)
    assert hot.dtype == dtype and np.array_equal(hot.astype(np.float32), data.multi_hot(sequences, 50))


def test_multi_hot_csr_equals_the_dense_rows_and_holds_ones_only():
    sequences = _random_sequences(seed=11) + [[4, 4, 4]]   # a repeated word is a single 1, not 3
    sparse = data.multi_hot_csr(sequences, 50)
    assert sparse.dtype == np.float32 and sparse.shape == (41, 50)
    assert np.array_equal(sparse.toarray(), data.multi_hot(sequences, 50))
    assert set(np.unique(sparse.data)) == {1.0}


def test_multi_hot_handles_empty_rows_and_object_arrays():
    seqs = np.empty(3, dtype=object)
    seqs[0], seqs[1], seqs[2] = [], [4, 1], []
    assert data.multi_hot(seqs, 5).tolist() == [[0] * 5, [0, 1, 0, 0, 1], [0] * 5]
    assert data.multi_hot([], 5).shape == (0, 5)
    assert data.multi_hot_csr(seqs, 5).toarray().tolist() == [[0] * 5, [0, 1, 0, 0, 1], [0] * 5]


@pytest.mark.parametrize("sequences, dimension, match", [([[5]], 5, "sequences"), ([[-1]], 5, "sequences"),
                                                         ([[0]], 0, "dimension"), ([[0]], 2.0, "dimension"),
                                                         ([[0]], True, "dimension")])
@pytest.mark.parametrize("encoder", [data.multi_hot, data.multi_hot_csr])
def test_multi_hot_rejects_bad_indices_and_dimension(encoder, sequences, dimension, match):
    with pytest.raises(ValueError, match=match):
        encoder(sequences, dimension)


def test_imdb_is_a_lazy_submodule():
    import dropout_lab as dl
    assert dl.data.imdb.load_data.__module__ == "dropout_lab.data.imdb"


def test_the_data_readme_names_every_lesson_that_loads_each_data_set():
    """data/README.md's "lessons" column against the loaders each lesson's package really calls."""
    import re
    from pathlib import Path

    from dropout_lab.lessons import LESSONS
    repo = Path(__file__).resolve().parents[1]
    rows = {r"load_digits": "Handwritten Digits", r"load_iris": "Iris", r"\bimdb\b": "IMDB"}
    table = (repo / "data" / "README.md").read_text()
    for loader, name in rows.items():
        row = next(line for line in table.splitlines() if line.startswith("|") and name in line)
        listed = set(re.findall(r"\b\d\d\b", row.split("|")[4]))
        using = {lesson.number for lesson in LESSONS
                 if any(re.search(loader, f.read_text())
                        for f in (repo / "dropout_lab" / "lessons" / lesson.slug).glob("*.py"))}
        assert listed == using, f"data/README.md lists {name} for lessons {sorted(listed)}; {sorted(using)} load it"
