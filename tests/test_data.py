"""Tests of the offline data loaders (lessons 05, 07)."""
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


def test_breast_cancer_multi_hot_has_one_hot_per_feature():
    split = data.load_breast_cancer_multi_hot(seed=1, bins=10)
    assert split.n_features == 300 and split.x_train.dtype == np.float32
    assert set(np.unique(split.x_train)) == {0.0, 1.0}
    assert np.all(split.x_train.sum(axis=1) == 30) and np.all(split.x_test.sum(axis=1) == 30)
    # quantile bins from the training rows: every bin holds roughly a tenth of them
    share = split.x_train.mean(axis=0)
    assert share.min() > 0.05 and share.max() < 0.15
    assert set(np.unique(split.y_train)) == {0.0, 1.0}
    assert "breast cancer" in split.summary() and "426 train / 143 test" in split.summary()


def test_quantile_multi_hot_rejects_bad_bins():
    x = np.arange(20.0).reshape(10, 2)
    with pytest.raises(ValueError, match="bins"):
        data.quantile_multi_hot(x, x, bins=1)


def test_multi_hot_marks_present_words():
    hot = data.multi_hot([[0, 3, 3], [2]], dimension=5)
    assert hot.tolist() == [[1, 0, 0, 1, 0], [0, 0, 1, 0, 0]]


def test_multi_hot_matches_a_set_based_reference_on_random_sequences():
    rng = np.random.default_rng(7)
    dimension = 50
    sequences = [list(rng.integers(0, dimension, size=rng.integers(0, 30))) for _ in range(40)]
    # reference: one row at a time, from the set of words each list contains
    reference = np.array([[1.0 if w in set(seq) else 0.0 for w in range(dimension)] for seq in sequences])
    hot = data.multi_hot(sequences, dimension)
    assert hot.dtype == np.float32 and hot.shape == (40, dimension)
    assert np.array_equal(hot, reference)


def test_multi_hot_handles_empty_rows_and_object_arrays():
    seqs = np.empty(3, dtype=object)
    seqs[0], seqs[1], seqs[2] = [], [4, 1], []
    assert data.multi_hot(seqs, 5).tolist() == [[0] * 5, [0, 1, 0, 0, 1], [0] * 5]
    assert data.multi_hot([], 5).shape == (0, 5)


@pytest.mark.parametrize("sequences, dimension, match", [([[5]], 5, "sequences"), ([[-1]], 5, "sequences"),
                                                         ([[0]], 0, "dimension"), ([[0]], 2.0, "dimension")])
def test_multi_hot_rejects_bad_indices_and_dimension(sequences, dimension, match):
    with pytest.raises(ValueError, match=match):
        data.multi_hot(sequences, dimension)


def test_offline_choice_is_breast_cancer_and_never_downloads(monkeypatch, tmp_path):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.delenv(data.ONLINE_ENV, raising=False)
    assert not data.imdb_available()
    assert data.load_sentiment_or_offline(seed=0).name.startswith("breast cancer")


def test_imdb_is_chosen_when_cached(monkeypatch, tmp_path):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    (tmp_path / "datasets").mkdir()
    (tmp_path / "datasets" / "imdb.npz").write_bytes(b"")
    assert data.imdb_available()
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "empty"))
    monkeypatch.setenv(data.ONLINE_ENV, "1")
    assert data.imdb_available()


def test_imdb_loader_runs_the_keras_code_path_on_a_stand_in(monkeypatch):
    # No download here: replace keras.datasets.imdb.load_data by a tiny stand-in with the same
    # return shape (object arrays of word-index lists), so the real vectorising code runs.
    keras = pytest.importorskip("keras")
    seqs = np.empty(6, dtype=object)
    for i in range(6):
        seqs[i] = [1, i + 2, 9]
    labels = np.array([0, 1, 0, 1, 0, 1])
    calls = []

    def fake_load_data(num_words):
        calls.append(num_words)
        return (seqs, labels), (seqs[:4], labels[:4])

    monkeypatch.setattr(keras.datasets.imdb, "load_data", fake_load_data)
    split = data.load_imdb_multi_hot(num_words=10, max_rows=5, seed=0)
    assert calls == [10] and split.name.startswith("IMDB")
    assert split.x_train.shape == (5, 10) and split.x_test.shape == (4, 10)
    assert np.all(split.x_train.sum(axis=1) == 3) and np.all(split.x_train[:, [1, 9]] == 1)
