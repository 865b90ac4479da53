"""The IMDB movie reviews, offline, with `keras.datasets.imdb`'s API (lesson 05).

    from dropout_lab.data import imdb        # instead of: from keras.datasets import imdb
    (x_train, y_train), (x_test, y_test) = imdb.load_data(num_words=10000)
    word_index = imdb.get_word_index()

The data are the course's subset of the Large Movie Review Dataset (Maas et al., ACL 2011,
pp. 142-150), shipped in data/imdb/: 5,000 training and 5,000 test reviews, each split balanced
(2,500 positive, 2,500 negative), drawn at random with a fixed seed from the original train and
test splits (whose movies are disjoint) by tools/build_imdb_subset.py. Keras' own
`imdb.npz` holds all 25,000 + 25,000 reviews, already turned into word ranks.

Here the ranks come from the raw text, tokenised as `tokenize` documents, and looked up in Keras'
own word index (shipped, the file Keras checks by md5). Keras' arrays were made by a script
nobody published. This tokeniser rebuilds Keras' word index exactly from the 25,000 original
training reviews: the same 88,584 words, every rank in order of frequency. But it removes the
HTML line breaks that Keras' arrays kept as the word "br" (rank 7), so the encodings agree
closely, not bit for bit. Everything after the tokenising follows keras/src/datasets/imdb.py
(Keras 3.15) line for line: the shuffle with `numpy.random.RandomState(seed)` (train first, then
test, one generator), `start_char`, the `index_from` shift, `maxlen` filtering (only sequences
*shorter* than maxlen are kept), and `oov_char` for every word outside [skip_top, num_words).
It also returns the same types: object arrays of lists of ints, and int64 labels.

Nothing here downloads, reads ../shared or needs HOME or KERAS_HOME. `load_texts` gives the raw
reviews with their labels. `keras_cache` reports whether Keras' own full file is present and
valid, by its sha256 as Keras checks it.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import lzma
import numbers
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

DATA_ENV = "DROPOUT_LAB_DATA"      # a data/ folder elsewhere (e.g. for a non-editable install)
ONLINE_ENV = "DROPOUT_LAB_ONLINE"  # "1": the learner allows Keras to download the full data set
SPLITS = ("train", "test")

# keras/src/datasets/imdb.py: get_file(fname="imdb.npz", file_hash=...) checks this sha256 (64 hex
# digits -> sha256, keras/src/utils/file_utils.py resolve_hasher) and downloads again on mismatch.
KERAS_IMDB_SHA256 = "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f"
KERAS_WORD_INDEX_MD5 = "bfafd718b763782e994055a2d397834f"

# Keras' text_to_word_sequence filters (keras.preprocessing.text, Keras 2): each becomes a space.
KERAS_FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'
HTML_BREAK = re.compile(rb"<br\s*/?>", re.IGNORECASE)
# One byte table: the filter characters -> space, A-Z -> a-z. Only ASCII letters are lowered, as in
# Keras' index ("Ángela" is in it with its capital). UTF-8 never uses an ASCII byte inside a
# multi-byte character, so translating the encoded bytes is safe and fast.
_TABLE = bytes(32 if chr(b) in KERAS_FILTERS else b + 32 if 65 <= b <= 90 else b for b in range(256))
_SEPARATOR = b"\x00"  # between reviews when a corpus is tokenised in one pass; never a word


# ------------------------------------------------------------------ where the files are

def data_dir() -> Path:
    """The course's data/ folder: $DROPOUT_LAB_DATA if set, else data/ beside the package's source tree."""
    folder = Path(os.environ[DATA_ENV]) if os.environ.get(DATA_ENV) else Path(__file__).resolve().parents[2] / "data"
    if not (folder / "imdb").is_dir():
        raise FileNotFoundError(
            f"the IMDB subset is not in {folder / 'imdb'}: install the course from its repository "
            f"(pip install -e .), or set {DATA_ENV} to the repository's data/ folder")
    return folder


def _file(name: str) -> Path:
    return data_dir() / "imdb" / name


# ------------------------------------------------------------------ raw text

@dataclass(frozen=True)
class Reviews:
    """One split of the shipped subset as raw text: texts[i] has label labels[i] (1 = positive)."""

    split: str
    texts: tuple[str, ...]
    labels: np.ndarray   # int64, 0 = negative, 1 = positive
    ids: np.ndarray      # the review's number in aclImdb/<split>/<pos|neg>/<id>_<rating>.txt
    ratings: np.ndarray  # the reviewer's score out of 10 (1-4 negative, 7-10 positive)

    def __len__(self) -> int:
        return len(self.texts)


def _check_split(split: object) -> str:
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    return split


@lru_cache(maxsize=2)
def load_texts(split: str = "train") -> Reviews:
    """The raw reviews of one split of the subset, with labels, in the file's order (lesson 05)."""
    split = _check_split(split)
    with lzma.open(_file(f"{split}.jsonl.xz"), "rt", encoding="utf-8") as lines:
        records = [json.loads(line) for line in lines]
    column = lambda key: np.array([r[key] for r in records], dtype=np.int64)
    return Reviews(split, tuple(r["text"] for r in records), column("label"), column("id"), column("rating"))


# ------------------------------------------------------------------ tokens and ranks

def tokenize(text: str) -> list[str]:
    """Words of one review, the way Keras' word index was built, minus HTML breaks (lesson 05).

    1. every HTML line break (`<br />`, `<br>`, any case) becomes a space;
    2. ASCII letters are lower-cased (other letters are left as they are, as in Keras' index);
    3. each of Keras' filter characters  !"#$%&()*+,-./:;<=>?@[\\]^_`{|}~ tab newline  becomes a
       space: so "don't" and "'70s" stay one word, "well-made" becomes two;
    4. the text is split on whitespace.
    """
    return [word.decode("utf-8") for word in _words(text.encode("utf-8"))]


def _words(raw: bytes) -> list[bytes]:
    return HTML_BREAK.sub(b" ", raw).translate(_TABLE).split()


@lru_cache(maxsize=1)
def _word_index() -> dict[str, int]:
    raw = gzip.decompress(_file("imdb_word_index.json.gz").read_bytes())
    if hashlib.md5(raw).hexdigest() != KERAS_WORD_INDEX_MD5:
        raise OSError(f"{_file('imdb_word_index.json.gz')} is not Keras' word index (md5 mismatch)")
    return json.loads(raw)


def get_word_index(path: str = "imdb_word_index.json") -> dict[str, int]:
    """Keras' IMDB word index: word -> frequency rank (`the` = 1), 88,584 words; a fresh dict (lesson 05).

    Same signature as keras.datasets.imdb.get_word_index; `path` must be its default, since
    the course ships one word index.
    """
    _check_path(path, "imdb_word_index.json")
    return dict(_word_index())


@lru_cache(maxsize=1)
def _byte_index() -> dict[bytes, int]:
    ranks = {word.encode("utf-8"): rank for word, rank in _word_index().items()}
    ranks[_SEPARATOR] = -1
    return ranks


def encode(texts) -> list[list[int]]:
    """Word ranks (unshifted: `the` = 1) of each text, words not in the index skipped (lesson 05).

    Keras skipped test words its training-set index does not hold; this does the same. One pass
    over the whole corpus keeps 10,000 reviews well under a second.
    """
    if isinstance(texts, str):
        raise TypeError("texts must be a sequence of strings, not one string")
    flat, offsets = _encode_flat(tuple(texts))
    return [row.tolist() for row in np.split(flat, offsets[1:-1])]


def _encode_flat(texts: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """All ranks in one int32 array and the row boundaries (len(texts) + 1 offsets)."""
    if not texts:
        return np.zeros(0, np.int32), np.zeros(1, np.int64)
    corpus = b" \x00 ".join(text.encode("utf-8") for text in texts)
    get = _byte_index().get
    ranks = np.fromiter((get(word, 0) for word in _words(corpus)), dtype=np.int32)
    ranks = ranks[ranks != 0]                                  # unknown words are skipped
    ends = np.flatnonzero(ranks == -1)                         # one separator between two texts
    offsets = np.concatenate([[0], ends - np.arange(len(ends)), [len(ranks) - len(ends)]])
    return ranks[ranks != -1], offsets.astype(np.int64)


# The encoded subset ships as data/imdb/encoded.npz (tools/build_imdb_subset.py writes it with
# `_encode_flat`), because looking up ~2.3 million words takes seconds on a loaded 2-core machine.
# It is used only when its key matches the text files on disk and this tokeniser; otherwise the
# ranks are recomputed from the text (slower, never stale). tests/test_data_imdb.py checks that
# the shipped file equals a fresh encoding.
TOKENIZER_VERSION = 1  # bump when _words changes in a way the fingerprint below cannot see
ESCAPE = 65535         # ranks >= 65535 are stored apart, so the common ones fit in 16 bits


def tokenizer_fingerprint() -> str:
    """sha256 of everything the encoding depends on besides the texts: rules, table, word index."""
    parts = [str(TOKENIZER_VERSION).encode(), HTML_BREAK.pattern, str(HTML_BREAK.flags).encode(), _TABLE,
             _SEPARATOR, KERAS_WORD_INDEX_MD5.encode()]
    return hashlib.sha256(b"|".join(parts)).hexdigest()


def cache_key() -> str:
    """The key the shipped encoding must carry: the text files' sha256 and the tokeniser's fingerprint."""
    digest = hashlib.sha256(tokenizer_fingerprint().encode())
    for split in SPLITS:
        digest.update(hashlib.sha256(_file(f"{split}.jsonl.xz").read_bytes()).digest())
    return digest.hexdigest()


def pack_encoding() -> dict[str, np.ndarray]:
    """The arrays of encoded.npz, from a fresh encoding of the shipped texts (used by the build script)."""
    arrays = {"key": np.array(cache_key())}
    for split in SPLITS:
        flat, offsets = _encode_flat(load_texts(split).texts)
        lengths = np.diff(offsets)
        if lengths.max(initial=0) >= 2**16:
            raise ValueError("a review has 65536 words or more: lengths no longer fit in uint16")
        arrays[f"{split}_ranks"] = np.minimum(flat, ESCAPE).astype("<u2")
        arrays[f"{split}_large_ranks"] = flat[flat >= ESCAPE].astype("<i4")
        arrays[f"{split}_lengths"] = lengths.astype("<u2")
        arrays[f"{split}_labels"] = load_texts(split).labels.astype("<u1")
    return arrays


def _unpack(arrays, split: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    ranks = arrays[f"{split}_ranks"].astype(np.int32)
    ranks[ranks == ESCAPE] = arrays[f"{split}_large_ranks"]
    offsets = np.concatenate([[0], np.cumsum(arrays[f"{split}_lengths"], dtype=np.int64)])
    return ranks, offsets, arrays[f"{split}_labels"].astype(np.int64)


@lru_cache(maxsize=1)
def _encoded() -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """(ranks, offsets, labels) of each split: from encoded.npz when its key is current, else from the text."""
    path = _file("encoded.npz")
    if path.is_file():
        with np.load(path, allow_pickle=False) as arrays:
            if arrays["key"].shape == () and str(arrays["key"]) == cache_key():
                return {split: _unpack(arrays, split) for split in SPLITS}
    fresh = {}
    for split in SPLITS:
        flat, offsets = _encode_flat(load_texts(split).texts)
        fresh[split] = (flat, offsets, load_texts(split).labels)
    return fresh


# ------------------------------------------------------------------ keras.datasets.imdb.load_data

def load_data(path: str = "imdb.npz", num_words: int | None = None, skip_top: int = 0, maxlen: int | None = None,
              seed: int = 113, start_char: int | None = 1, oov_char: int | None = 2, index_from: int = 3):
    """The shipped subset as keras.datasets.imdb.load_data returns IMDB: same arguments, same conventions (lesson 05).

    Returns `(x_train, y_train), (x_test, y_test)`: x_* object arrays of lists of ints (word
    rank + index_from, after `start_char`), y_* int64 arrays of 0/1. Train then test are
    shuffled by one `numpy.random.RandomState(seed)`; with `maxlen`, only sequences shorter
    than maxlen (start char included) are kept; every word outside [skip_top, num_words) becomes
    `oov_char` (or is dropped when oov_char is None). As in Keras, the start character is
    subject to that rule too, and num_words=None means "the largest index present", which
    Keras' `w < num_words` then turns into oov. `path` must be Keras' default ("imdb.npz").
    The ranks come from the raw text (see the module docstring): close to Keras' arrays,
    not bit for bit.
    """
    _check_path(path, "imdb.npz")
    num_words, skip_top, maxlen, seed, start_char, oov_char, index_from = _check_arguments(
        num_words, skip_top, maxlen, seed, start_char, oov_char, index_from)
    rng = np.random.RandomState(seed)
    parts = []
    for split in SPLITS:
        ranks, offsets, labels = _encoded()[split]
        order = np.arange(len(labels))
        rng.shuffle(order)  # as Keras: one generator, train shuffled first, then test
        values, lengths = _rows_in_order(ranks, offsets, order)
        values = values + index_from
        if start_char is not None:
            values, lengths = _prepend(values, lengths, start_char)
        parts.append(Rows(values, lengths, labels[order]))
    if maxlen:
        parts = [part.shorter_than(maxlen) for part in parts]
        if not all(len(part.lengths) for part in parts):
            raise ValueError(f"After filtering for sequences shorter than maxlen={maxlen}, no sequence was kept. "
                             "Increase maxlen.")
    if num_words is None:
        num_words = max(int(part.values.max()) for part in parts)
    (x_train, y_train), (x_test, y_test) = (part.out_of_vocabulary(skip_top, num_words, oov_char).as_keras()
                                            for part in parts)
    return (x_train, y_train), (x_test, y_test)


@dataclass(frozen=True)
class Rows:
    """Ragged rows kept flat: row i is values[sum(lengths[:i]) : sum(lengths[:i+1])]."""

    values: np.ndarray   # int64
    lengths: np.ndarray  # int64
    labels: np.ndarray   # int64

    def row_ids(self) -> np.ndarray:
        return np.repeat(np.arange(len(self.lengths)), self.lengths)

    def shorter_than(self, maxlen: int) -> Rows:
        """Keras' remove_long_seq: keep the rows with len(row) < maxlen."""
        keep = self.lengths < maxlen
        return Rows(self.values[np.repeat(keep, self.lengths)], self.lengths[keep], self.labels[keep])

    def out_of_vocabulary(self, skip_top: int, num_words: int, oov_char: int | None) -> Rows:
        """Keras' rule: w if skip_top <= w < num_words, else oov_char (dropped when oov_char is None)."""
        inside = (self.values >= skip_top) & (self.values < num_words)
        if oov_char is not None:
            return Rows(np.where(inside, self.values, oov_char), self.lengths, self.labels)
        kept = np.bincount(self.row_ids()[inside], minlength=len(self.lengths))
        return Rows(self.values[inside], kept, self.labels)

    def as_keras(self) -> tuple[np.ndarray, np.ndarray]:
        """(1-d object array of lists of Python ints, int64 labels): what Keras returns."""
        flat = self.values.tolist()
        ends = np.cumsum(self.lengths).tolist()
        rows = np.empty(len(ends), dtype=object)  # filled one by one: never a 2-d array, even if lengths agree
        start = 0
        for i, end in enumerate(ends):
            rows[i] = flat[start:end]
            start = end
        return rows, self.labels.astype(np.int64)


def _rows_in_order(ranks: np.ndarray, offsets: np.ndarray, order: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The flat values and lengths of the rows taken in `order`."""
    starts, lengths = offsets[:-1][order], np.diff(offsets)[order]
    first = np.cumsum(lengths) - lengths                      # where each row starts in the output
    gather = np.arange(int(lengths.sum())) + np.repeat(starts - first, lengths)
    return ranks[gather].astype(np.int64), lengths.astype(np.int64)


def _prepend(values: np.ndarray, lengths: np.ndarray, start_char: int) -> tuple[np.ndarray, np.ndarray]:
    """`start_char` in front of every row."""
    longer = lengths + 1
    out = np.full(int(longer.sum()), start_char, dtype=np.int64)
    heads = np.cumsum(longer) - longer
    body = np.ones(len(out), dtype=bool)
    body[heads] = False
    out[body] = values
    return out, longer


def _check_path(path: object, default: str) -> None:
    if path != default:
        raise ValueError(f"path must be {default!r} (Keras' default): the course ships one copy of the data, "
                         f"got {path!r}")


def _int(value: object, name: str, low: int, allowed: str, none_ok: bool = False) -> int | None:
    if value is None and none_ok:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
        raise ValueError(f"{name} must be {allowed}, got {value!r}")
    return int(value)


def _check_seed(seed: object) -> int:
    """numpy.random.RandomState takes seeds in [0, 2**32 - 1]."""
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or not 0 <= seed < 2**32:
        raise ValueError(f"seed must be an int in [0, 2**32 - 1], got {seed!r}")
    return int(seed)


def _check_arguments(num_words, skip_top, maxlen, seed, start_char, oov_char, index_from) -> tuple:
    """Every argument of load_data checked, with an error naming it and the allowed values."""
    return (_int(num_words, "num_words", 1, "an int >= 1 or None (keep every word)", none_ok=True),
            _int(skip_top, "skip_top", 0, "an int >= 0"),
            _int(maxlen, "maxlen", 1, "an int >= 1 or None (no length limit)", none_ok=True),
            _check_seed(seed),
            _int(start_char, "start_char", 0, "an int >= 0 or None", none_ok=True),
            _int(oov_char, "oov_char", 0, "an int >= 0 or None", none_ok=True),
            _int(index_from, "index_from", 0, "an int >= 0"))


# ------------------------------------------------------------------ decoding, for reading a review

def decode(sequence, index_from: int = 3, start_char: int | None = 1, oov_char: int | None = 2) -> str:
    """An encoded review back as words, as in get_word_index's docstring: [START] and [OOV] marked (lesson 05)."""
    words = _inverted_index()
    names = {start_char: "[START]", oov_char: "[OOV]"}
    return " ".join(names.get(i) or words.get(i - index_from, "[?]") for i in sequence)


@lru_cache(maxsize=1)
def _inverted_index() -> dict[int, str]:
    return {rank: word for word, rank in _word_index().items()}


# ------------------------------------------------------------------ Keras' own full file

@dataclass(frozen=True)
class KerasCache:
    """What is at the path where Keras would cache imdb.npz, and whether Keras would accept it."""

    path: Path
    state: str          # "missing", "invalid" (wrong size or hash: partial, empty, other) or "valid"
    size: int | None

    @property
    def valid(self) -> bool:
        return self.state == "valid"


def keras_cache_path() -> Path:
    """Where keras.datasets.imdb.load_data looks for imdb.npz, resolved as Keras 3 resolves it.

    keras/src/backend/config.py: $KERAS_HOME if the variable is set (even empty), else ~/.keras
    (/tmp/.keras when ~ is not writable); keras/src/utils/file_utils.py get_file: /tmp/.keras when
    that folder is not writable; then datasets/imdb.npz.
    """
    if "KERAS_HOME" in os.environ:
        base = os.environ["KERAS_HOME"]
    else:
        home = os.path.expanduser("~")
        base = os.path.join(home if os.access(home, os.W_OK) else "/tmp", ".keras")
    base = os.path.expanduser(base)
    if not os.access(base, os.W_OK):
        base = os.path.join("/tmp", ".keras")
    return Path(base) / "datasets" / "imdb.npz"


def keras_cache() -> KerasCache:
    """Check Keras' cached imdb.npz by its sha256, exactly as get_file would before deciding to download."""
    path = keras_cache_path()
    if not path.is_file():
        return KerasCache(path, "missing", None)
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return KerasCache(path, "valid" if digest.hexdigest() == KERAS_IMDB_SHA256 else "invalid", path.stat().st_size)


def online_allowed() -> bool:
    """True only when the learner set DROPOUT_LAB_ONLINE=1: then Keras may download the full data set."""
    return os.environ.get(ONLINE_ENV) == "1"


def full_data_available() -> bool:
    """Keras' full 25k/25k IMDB can be loaded without an unasked download: a valid cache, or DROPOUT_LAB_ONLINE=1."""
    return online_allowed() or keras_cache().valid
