"""The IMDB subset in data/ and dropout_lab.data.imdb, the offline twin of keras.datasets.imdb (lesson 05)."""
from __future__ import annotations

import hashlib
import inspect
import json
import lzma
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from dropout_lab.data import imdb, multi_hot_csr
from dropout_lab.stats import Z_CHECK

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"


# ------------------------------------------------------------------ the shipped files

def test_every_shipped_file_matches_the_manifest_and_data_stays_under_10_mb():
    manifest = json.loads((DATA / "manifest.json").read_text())
    for path, entry in manifest["files"].items():
        content = (DATA / path).read_bytes()
        assert len(content) == entry["bytes"], path
        assert hashlib.sha256(content).hexdigest() == entry["sha256"], path
        if "content_sha256" in entry:
            assert hashlib.sha256(lzma.decompress(content)).hexdigest() == entry["content_sha256"], path
    listed = set(manifest["files"]) | {"manifest.json", "README.md"}
    on_disk = {str(p.relative_to(DATA)) for p in DATA.rglob("*") if p.is_file()}
    assert on_disk == listed, "every file in data/ is documented in the manifest"
    assert sum((DATA / p).stat().st_size for p in on_disk) <= 10 * 2**20


def test_readme_credits_the_dataset_and_documents_every_loader():
    readme = (DATA / "README.md").read_text()
    for needed in ("Maas", "Learning Word Vectors for Sentiment Analysis", "142–150", "ACL", "load_digits_split",
                   "load_data", "Licence", "lessons", "05", "07"):
        assert needed in readme, needed


@pytest.mark.parametrize("split", imdb.SPLITS)
def test_each_split_has_5000_balanced_reviews_with_consistent_ratings(split):
    reviews = imdb.load_texts(split)
    assert len(reviews) == 5000 and reviews.labels.dtype == np.int64
    assert np.bincount(reviews.labels).tolist() == [2500, 2500]
    assert np.all(reviews.ratings[reviews.labels == 1] >= 7) and np.all(reviews.ratings[reviews.labels == 0] <= 4)
    for label in (0, 1):   # ids are unique within a folder and come from 0..12499
        ids = reviews.ids[reviews.labels == label]
        assert len(set(ids.tolist())) == 2500 and ids.min() >= 0 and ids.max() <= 12499
    assert all(text.strip() for text in reviews.texts)


def test_a_review_reads_as_text():
    first = imdb.load_texts("train").texts[0]
    assert isinstance(first, str) and len(first.split()) > 10


def test_load_texts_rejects_an_unknown_split():
    with pytest.raises(ValueError, match="split"):
        imdb.load_texts("validation")


def test_the_shipped_encoding_is_current_and_equals_a_fresh_one():
    with np.load(DATA / "imdb" / "encoded.npz", allow_pickle=False) as shipped:
        assert str(shipped["key"]) == imdb.cache_key()
        fresh = imdb.pack_encoding()
        assert set(shipped.files) == set(fresh)
        for name in fresh:
            assert np.array_equal(shipped[name], fresh[name]), name


def test_a_stale_encoding_is_ignored(monkeypatch):
    # Another tokeniser version gives another key: the loader must re-encode from the text.
    imdb._encoded.cache_clear()
    monkeypatch.setattr(imdb, "TOKENIZER_VERSION", imdb.TOKENIZER_VERSION + 1)
    try:
        calls = []
        real = imdb._encode_flat
        monkeypatch.setattr(imdb, "_encode_flat", lambda texts: calls.append(len(texts)) or real(texts))
        ranks, offsets, labels = imdb._encoded()["test"]
        assert calls == [5000, 5000] and len(offsets) == 5001
    finally:
        imdb._encoded.cache_clear()


def test_data_dir_can_be_moved_and_a_missing_folder_is_explained(monkeypatch, tmp_path):
    monkeypatch.setenv(imdb.DATA_ENV, str(tmp_path))
    with pytest.raises(FileNotFoundError, match=imdb.DATA_ENV):
        imdb.data_dir()
    monkeypatch.setenv(imdb.DATA_ENV, str(DATA))
    assert imdb.data_dir() == DATA


# ------------------------------------------------------------------ tokens and ranks

@pytest.mark.parametrize("text, words", [
    ("Don't miss it!", ["don't", "miss", "it"]),
    ("A well-made film.<br /><br />10/10", ["a", "well", "made", "film", "10", "10"]),
    ("The '70s were GREAT", ["the", "'70s", "were", "great"]),
    ("Ángela (1998):\tsweet", ["Ángela", "1998", "sweet"]),      # only ASCII letters lower-cased, as Keras' index
    ("line<BR>break<br/>here", ["line", "break", "here"]),
])
def test_tokenize_documented_rules(text, words):
    assert imdb.tokenize(text) == words


def _keras_words(text: str) -> list[str]:
    """Keras 2's text_to_word_sequence (default filters, lower=True, split=' '), ASCII lower-casing."""
    for c in imdb.KERAS_FILTERS:
        text = text.replace(c, " ")
    text = "".join(c.lower() if "A" <= c <= "Z" else c for c in text)
    return [w for w in text.split(" ") if w]


def test_tokenize_equals_keras_rules_on_random_text_without_html():
    rng = np.random.default_rng(5)
    alphabet = list("abcXYZ é'0123 -.,!?\"()/:;<>&*\t\n") + ["Ñ", "\x85"]
    for _ in range(300):
        text = "".join(rng.choice(alphabet, size=rng.integers(0, 40)))
        if "<br" in text.lower():
            continue
        assert imdb.tokenize(text) == _keras_words(text), repr(text)


def test_every_training_word_is_in_keras_index_but_br():
    # Keras' index was built from the 25,000 training reviews with these rules (and the "br"
    # of the HTML breaks, which we remove): every word of the training subset must be in it.
    index = imdb.get_word_index()
    words = {w for text in imdb.load_texts("train").texts[:1000] for w in imdb.tokenize(text)}
    assert words <= set(index) and "br" not in words and index["br"] == 7


def test_encode_skips_unknown_words_and_keeps_order():
    index = imdb.get_word_index()
    assert imdb.encode(["the movie zzzqqq was good", ""]) == [[index["the"], index["movie"], index["was"],
                                                                  index["good"]], []]
    with pytest.raises(TypeError, match="sequence"):
        imdb.encode("the movie")


def test_word_index_is_keras_file_and_a_fresh_dict():
    index = imdb.get_word_index()
    assert len(index) == 88584 and index["the"] == 1 and sorted(index.values()) == list(range(1, 88585))
    index["the"] = 99
    assert imdb.get_word_index()["the"] == 1
    with pytest.raises(ValueError, match="path"):
        imdb.get_word_index("other.json")


# ------------------------------------------------------------------ load_data: Keras' conventions

def test_signature_matches_keras_datasets_imdb():
    keras_imdb = pytest.importorskip("keras.src.datasets.imdb")
    for ours, theirs in ((imdb.load_data, keras_imdb.load_data), (imdb.get_word_index, keras_imdb.get_word_index)):
        mine = [(p.name, p.default) for p in inspect.signature(ours).parameters.values()]
        keras_params = [(p.name, p.default) for p in inspect.signature(theirs).parameters.values()
                        if p.kind is not inspect.Parameter.VAR_KEYWORD]
        assert mine == keras_params


def test_return_types_shapes_and_defaults():
    (x_train, y_train), (x_test, y_test) = imdb.load_data(num_words=10000)
    for x, y in ((x_train, y_train), (x_test, y_test)):
        assert x.dtype == object and x.ndim == 1 and len(x) == len(y) == 5000
        assert isinstance(x[0], list) and isinstance(x[0][1], int)
        assert y.dtype == np.int64 and set(np.unique(y)) == {0, 1}
        assert all(row[0] == 1 for row in x)                       # start_char
        assert max(max(row) for row in x) <= 9999                  # every rank >= num_words became oov_char 2
        assert min(min(row[1:]) for row in x if len(row) > 1) >= 2  # 0 is padding, never a word
    # num_words=10000 keeps ranks 1..9996: index_from=3 shifts them to 4..9999
    assert any(2 in row for row in x_train)


def test_seed_shuffles_reproducibly():
    (a, ya), _ = imdb.load_data(seed=113)
    (b, yb), _ = imdb.load_data(seed=113)
    (c, yc), _ = imdb.load_data(seed=7)
    assert list(a[:50]) == list(b[:50]) and np.array_equal(ya, yb)
    assert list(a[:50]) != list(c[:50]) and sorted(map(len, a)) == sorted(map(len, c))


def _keras_reference(monkeypatch, tmp_path, **kwargs):
    """Keras' own load_data run on an imdb.npz holding our unshifted ranks, in the subset's file order."""
    keras_imdb = pytest.importorskip("keras.src.datasets.imdb")
    arrays = {}
    for split in imdb.SPLITS:
        ranks, offsets, labels = imdb._encoded()[split]
        rows = np.empty(len(labels), dtype=object)
        for i in range(len(labels)):
            rows[i] = ranks[offsets[i]:offsets[i + 1]].tolist()
        arrays[f"x_{split}"], arrays[f"y_{split}"] = rows, labels
    path = tmp_path / "imdb.npz"
    np.savez(path, **arrays)
    monkeypatch.setattr(keras_imdb, "get_file", lambda **_: str(path))  # no download: the file is ours
    return keras_imdb.load_data(**kwargs)


@pytest.mark.parametrize("kwargs", [
    {}, {"num_words": 10000}, {"num_words": 5000, "skip_top": 20}, {"maxlen": 120}, {"seed": 7, "num_words": 300},
    {"start_char": None, "num_words": 1000}, {"oov_char": None, "num_words": 1000, "skip_top": 5},
    {"index_from": 0, "start_char": None}, {"index_from": 10, "num_words": 50, "maxlen": 200},
    {"skip_top": 3, "num_words": 100},  # skip_top > start_char: Keras turns the start character into oov too
])
def test_load_data_equals_keras_own_code_on_the_same_ranks(monkeypatch, tmp_path, kwargs):
    (kx_train, ky_train), (kx_test, ky_test) = _keras_reference(monkeypatch, tmp_path, **kwargs)
    (x_train, y_train), (x_test, y_test) = imdb.load_data(**kwargs)
    for ours, theirs in ((x_train, kx_train), (x_test, kx_test)):
        assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
        assert all(a == b for a, b in zip(ours, theirs))
    assert np.array_equal(y_train, ky_train) and np.array_equal(y_test, ky_test)
    assert y_train.dtype == ky_train.dtype


def test_keras_documented_decoding_pattern_runs_against_our_module():
    # keras.datasets.imdb.get_word_index's docstring example, with only the import changed
    start_char, oov_char, index_from = 1, 2, 3
    (x_train, _), _ = imdb.load_data(start_char=start_char, oov_char=oov_char, index_from=index_from)
    word_index = imdb.get_word_index()
    inverted_word_index = dict((i + index_from, word) for (word, i) in word_index.items())
    inverted_word_index[start_char] = "[START]"
    inverted_word_index[oov_char] = "[OOV]"
    decoded_sequence = " ".join(inverted_word_index[i] for i in x_train[0])
    assert decoded_sequence.startswith("[START] ") and decoded_sequence == imdb.decode(x_train[0])
    # the decoded words are the review's own words, in order
    texts = imdb.load_texts("train").texts
    assert any(decoded_sequence.split()[1:] == imdb.tokenize(t) for t in texts)


def test_the_seed_questions_code_runs_with_only_its_import_changed():
    from dropout_lab.data import imdb as seed_imdb  # was: from keras.datasets import imdb
    (train_data, train_labels), (test_data, test_labels) = seed_imdb.load_data(num_words=10000)

    def vectorize_sequences(sequences, dimension=10000):  # the seed's function, on 200 reviews to save memory
        results = np.zeros((len(sequences), dimension))
        for i, sequence in enumerate(sequences):
            results[i, sequence] = 1.
        return results

    x_train = vectorize_sequences(train_data[:200])
    y_train = np.asarray(train_labels).astype("float32")
    assert x_train.shape == (200, 10000) and y_train.shape == (5000,)
    assert np.array_equal(x_train, multi_hot_csr(train_data[:200], 10000).toarray())


@pytest.mark.parametrize("kwargs, name", [
    ({"num_words": 0}, "num_words"), ({"num_words": -5}, "num_words"), ({"num_words": 1.5}, "num_words"),
    ({"num_words": True}, "num_words"), ({"maxlen": 0}, "maxlen"), ({"maxlen": "100"}, "maxlen"),
    ({"skip_top": -1}, "skip_top"), ({"seed": -1}, "seed"), ({"seed": 2**32}, "seed"), ({"seed": None}, "seed"),
    ({"start_char": "x"}, "start_char"), ({"oov_char": -2}, "oov_char"), ({"index_from": -1}, "index_from"),
    ({"path": "/tmp/imdb.npz"}, "path"),
])
def test_bad_arguments_get_errors_naming_them(kwargs, name):
    with pytest.raises(ValueError, match=name):
        imdb.load_data(**kwargs)


def test_a_maxlen_that_keeps_nothing_fails_like_keras():
    with pytest.raises(ValueError, match="maxlen=2"):
        imdb.load_data(maxlen=2)


# ------------------------------------------------------------------ real sentiment, and no leakage

def _bag_of_words_accuracy(shuffle_labels: bool) -> tuple[float, int]:
    from sklearn.linear_model import LogisticRegression
    (x_train, y_train), (x_test, y_test) = imdb.load_data(num_words=10000)
    if shuffle_labels:
        y_train = np.random.default_rng(0).permutation(y_train)
    model = LogisticRegression(C=0.1, max_iter=1000).fit(multi_hot_csr(x_train, 10000), y_train)
    return float(model.score(multi_hot_csr(x_test, 10000), y_test)), len(y_test)


def test_a_bag_of_words_baseline_learns_real_sentiment():
    accuracy, n = _bag_of_words_accuracy(shuffle_labels=False)
    # A classifier that learned nothing scores Binomial(n, 1/2)/n on the balanced test split:
    # 0.5 ± Z_CHECK·sqrt(0.25/n) = 0.5 ± 0.032 at n = 5000. Real sentiment lands far above it.
    assert accuracy > 0.5 + Z_CHECK * math.sqrt(0.25 / n)


def test_with_shuffled_labels_the_baseline_is_at_chance_so_test_reviews_do_not_leak():
    accuracy, n = _bag_of_words_accuracy(shuffle_labels=True)
    assert abs(accuracy - 0.5) <= Z_CHECK * math.sqrt(0.25 / n)


# ------------------------------------------------------------------ Keras' cache: checked by hash, never fetched

@pytest.fixture
def keras_home(monkeypatch, tmp_path):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.delenv(imdb.ONLINE_ENV, raising=False)
    (tmp_path / "datasets").mkdir()
    return tmp_path / "datasets" / "imdb.npz"


def test_missing_empty_and_partial_caches_are_not_valid(keras_home):
    assert imdb.keras_cache().state == "missing" and not imdb.full_data_available()
    keras_home.write_bytes(b"")
    assert imdb.keras_cache().state == "invalid" and imdb.keras_cache().size == 0
    keras_home.write_bytes(os.urandom(4096))  # a download cut short
    assert imdb.keras_cache().state == "invalid" and not imdb.full_data_available()


def test_a_file_with_keras_hash_is_valid_and_online_is_asked_for(keras_home, monkeypatch):
    keras_home.write_bytes(b"pretend this is imdb.npz")
    monkeypatch.setattr(imdb, "KERAS_IMDB_SHA256", hashlib.sha256(b"pretend this is imdb.npz").hexdigest())
    assert imdb.keras_cache().valid and imdb.full_data_available()
    keras_home.unlink()
    monkeypatch.setenv(imdb.ONLINE_ENV, "1")
    assert imdb.full_data_available()
    monkeypatch.setenv(imdb.ONLINE_ENV, "yes")  # only "1" allows a download
    assert not imdb.full_data_available()


@pytest.mark.slow
@pytest.mark.parametrize("env", [{"KERAS_HOME": "{tmp}"}, {"HOME": "{tmp}"}, {"HOME": ""}])
def test_our_cache_path_is_where_keras_would_download_to(tmp_path, env):
    # Keras' own load_data in a fresh process, its download replaced by a recorder: the target
    # it would write must be the path keras_cache() checks.
    script = (
        "import keras.src.utils.file_utils as f\n"
        "def record(url, target, *a): print('TARGET', target); raise SystemExit(0)\n"
        "f.urlretrieve = record\n"
        "from dropout_lab.data import imdb\n"
        "print('OURS', imdb.keras_cache_path())\n"
        "import keras\n"
        "keras.datasets.imdb.load_data()\n")
    environment = {k: v for k, v in os.environ.items() if k not in ("KERAS_HOME",)}
    environment.update({k: v.format(tmp=tmp_path) for k, v in env.items()})
    # Keras finds its cache folder (KERAS_HOME or ~/.keras) whatever the backend; the torch backend
    # imports in a third of TensorFlow's time, and this test runs three fresh processes.
    environment["KERAS_BACKEND"] = "torch"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=environment,
                         cwd=tmp_path, timeout=300).stdout
    lines = dict(line.split(" ", 1) for line in out.splitlines() if line.startswith(("TARGET", "OURS")))
    assert lines["TARGET"] == lines["OURS"], out


@pytest.mark.slow
def test_offline_with_empty_home_and_keras_home_the_subset_loads(tmp_path):
    script = ("from dropout_lab.data import imdb\n"
              "(x, y), (xt, yt) = imdb.load_data(num_words=10000)\n"
              "print(len(x), len(xt), imdb.keras_cache().state)\n")
    environment = {**os.environ, "HOME": "", "KERAS_HOME": ""}
    environment.pop(imdb.ONLINE_ENV, None)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=environment,
                         cwd=tmp_path, timeout=300)
    assert out.stdout.split()[:2] == ["5000", "5000"], out.stderr
