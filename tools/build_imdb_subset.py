"""Rebuild, or check, the IMDB subset the course ships in data/imdb/ (lesson 05, dropout_lab.data.imdb).

    python tools/build_imdb_subset.py            # rebuild data/imdb/ and data/manifest.json from the source
    python tools/build_imdb_subset.py --check    # rebuild in memory and compare with the shipped files

The source is the course's copy of the Large Movie Review Dataset (Maas et al., ACL 2011) in
../shared/data/imdb/: the labelled reviews `aclImdb/{train,test}/{pos,neg}/<id>_<rating>.txt` and
Keras' `imdb_word_index.json`. Its checksums are verified before anything is read. From each of the
four folders SUBSET_PER_FOLDER review ids are drawn without replacement by one seeded NumPy
generator, in the fixed order train/neg, train/pos, test/neg, test/pos; train reviews come only from
train/ and test reviews only from test/ (the dataset's two splits have disjoint movies). Reviews are
stored as JSON lines {"id", "rating", "label", "text"} sorted by (label, id), xz-compressed; the word
index is copied byte for byte. data/manifest.json records every file's size and sha256 (and the
sha256 of its uncompressed content, which does not depend on the xz library's version).

CI does not run this script (the source is not in the repository); tests/test_data_imdb.py checks
the shipped files against the manifest. Nothing at run time reads the source folder.
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import lzma
import os
import re
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT.parent / "shared" / "data" / "imdb"
OUT = ROOT / "data"

SEED = 20110619            # the first day of ACL 2011 (Portland), where the dataset was published
SUBSET_PER_FOLDER = 2_500  # 2,500 pos + 2,500 neg per split: 5,000 train and 5,000 test reviews
FOLDER_SIZE = 12_500       # ids 0..12499 in each of train/pos, train/neg, test/pos, test/neg
SPLITS, LABELS = ("train", "test"), ("neg", "pos")

ARCHIVE, WORD_INDEX = "aclImdb_reviews.tar.xz", "imdb_word_index.json.gz"
SOURCE_SHA256 = {  # from ../shared/data/imdb/README.md
    ARCHIVE: "dcecce1168dc581a79d851b67ab6194f3f73d09833a072664dc01284fa2f73eb",
    WORD_INDEX: "7b84ed1bffc8117f2ab9ba4bb8273421b8be7f06e1e896744e83fb07b054829d",
}
KERAS_WORD_INDEX_MD5 = "bfafd718b763782e994055a2d397834f"  # keras/src/datasets/imdb.py, get_word_index
XZ_PRESET = 9 | lzma.PRESET_EXTREME
MAX_DATA_BYTES = 10 * 2**20  # all of data/ stays within 10 MB
NAME = re.compile(r"aclImdb/(train|test)/(pos|neg)/(\d+)_(\d+)\.txt")


def sha256(data: bytes) -> str:
    """Hex sha256 of some bytes."""
    return hashlib.sha256(data).hexdigest()


def verify_source(source: Path) -> None:
    """Stop unless both source files are there with the checksums their README gives."""
    for name, expected in SOURCE_SHA256.items():
        path = source / name
        if not path.is_file():
            sys.exit(f"missing source file {path}")
        if sha256(path.read_bytes()) != expected:
            sys.exit(f"{path} does not have the sha256 its README gives ({expected})")
    index = gzip.decompress((source / WORD_INDEX).read_bytes())
    if hashlib.md5(index).hexdigest() != KERAS_WORD_INDEX_MD5:
        sys.exit("the word index is not the file Keras checks (md5 mismatch)")


def draw_ids(seed: int = SEED) -> dict[tuple[str, str], list[int]]:
    """The review ids kept from each folder: one generator, folders in a fixed order, sorted ids."""
    rng = np.random.default_rng(seed)
    return {(split, label): sorted(int(i) for i in rng.choice(FOLDER_SIZE, SUBSET_PER_FOLDER, replace=False))
            for split in SPLITS for label in LABELS}


def read_reviews(archive: Path, wanted: dict[tuple[str, str], list[int]]) -> dict[str, list[dict]]:
    """The chosen reviews of each split as records, read from the archive in one pass."""
    keep = {(split, label, i) for (split, label), ids in wanted.items() for i in ids}
    found: dict[str, list[dict]] = {split: [] for split in SPLITS}
    with tarfile.open(archive, "r:xz") as tar:
        for member in tar:
            match = NAME.fullmatch(member.name)
            if not match or (match[1], match[2], int(match[3])) not in keep:
                continue
            text = tar.extractfile(member).read().decode("utf-8")  # strict: every file must be UTF-8
            found[match[1]].append({"id": int(match[3]), "rating": int(match[4]),
                                    "label": int(match[2] == "pos"), "text": text})
    for records in found.values():
        records.sort(key=lambda r: (r["label"], r["id"]))
    return found


def check_reviews(reviews: dict[str, list[dict]], wanted: dict[tuple[str, str], list[int]]) -> list[str]:
    """Counts, balance, ids, ratings that agree with the labels, non-empty texts; returns the problems."""
    problems = []
    for split, records in reviews.items():
        for label, name in enumerate(LABELS):
            ids = [r["id"] for r in records if r["label"] == label]
            if ids != wanted[split, name]:
                problems.append(f"{split}/{name}: {len(ids)} reviews, expected the {SUBSET_PER_FOLDER} drawn ids")
        for r in records:
            if not (r["rating"] >= 7 if r["label"] else r["rating"] <= 4):
                problems.append(f"{split} id {r['id']}: rating {r['rating']} disagrees with label {r['label']}")
            if not r["text"].strip():
                problems.append(f"{split} id {r['id']}: empty text")
    return problems


def check_word_index_rebuilt(archive: Path, index_bytes: bytes) -> list[str]:
    """The tokeniser, with the HTML breaks kept as Keras' arrays keep them, rebuilds Keras' word index.

    Counting every word of the 25,000 original training reviews must give exactly the index's
    88,584 words, and the index's ranks must be in order of those counts (ties in any order).
    This is the evidence behind "agree closely" in dropout_lab.data.imdb's docstring.
    """
    sys.path.insert(0, str(ROOT))
    from collections import Counter

    from dropout_lab.data import imdb
    counts: Counter = Counter()
    with tarfile.open(archive, "r:xz") as tar:
        for member in tar:
            if NAME.fullmatch(member.name) and member.name.startswith("aclImdb/train/"):
                counts.update(tar.extractfile(member).read().translate(imdb._TABLE).split())  # "<br />" -> "br"
    index = {word.encode("utf-8"): rank for word, rank in json.loads(gzip.decompress(index_bytes)).items()}
    problems = []
    if set(counts) != set(index):
        problems.append(f"the training reviews hold {len(counts)} words, the index {len(index)}")
    ranked = [counts[word] for word in sorted(index, key=index.get)]
    if any(a < b for a, b in zip(ranked, ranked[1:])):
        problems.append("the index's ranks are not in order of the words' counts")
    return problems


def jsonl_xz(records: list[dict]) -> tuple[bytes, bytes]:
    """(uncompressed JSON lines, their xz compression): readable with `xz -dc file | head -1`."""
    lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode("utf-8")
    return lines, lzma.compress(lines, format=lzma.FORMAT_XZ, check=lzma.CHECK_CRC64, preset=XZ_PRESET)


def build(source: Path = SOURCE) -> tuple[dict[str, bytes], dict]:
    """Every file of the subset (path under data/ -> bytes) and the manifest describing them."""
    verify_source(source)
    wanted = draw_ids()
    reviews = read_reviews(source / ARCHIVE, wanted)
    problems = check_reviews(reviews, wanted)
    if problems:
        sys.exit("the subset failed its checks:\n  " + "\n  ".join(problems))
    problems = check_word_index_rebuilt(source / ARCHIVE, (source / WORD_INDEX).read_bytes())
    if problems:
        sys.exit("the tokeniser no longer rebuilds Keras' word index:\n  " + "\n  ".join(problems))
    files, entries = {}, {}
    for split, records in reviews.items():
        content, packed = jsonl_xz(records)
        path = f"imdb/{split}.jsonl.xz"
        files[path] = packed
        entries[path] = {"bytes": len(packed), "sha256": sha256(packed), "content_sha256": sha256(content),
                         "reviews": len(records), "pos": sum(r["label"] for r in records),
                         "neg": sum(1 - r["label"] for r in records)}
    index = (source / WORD_INDEX).read_bytes()
    files["imdb/imdb_word_index.json.gz"] = index
    entries["imdb/imdb_word_index.json.gz"] = {"bytes": len(index), "sha256": sha256(index),
                                               "content_md5": KERAS_WORD_INDEX_MD5}
    files["imdb/encoded.npz"], key = encoded_npz(files)
    entries["imdb/encoded.npz"] = {"bytes": len(files["imdb/encoded.npz"]), "sha256": sha256(files["imdb/encoded.npz"]),
                                   "key": key}
    shared_texts = {r["text"] for r in reviews["train"]} & {r["text"] for r in reviews["test"]}
    manifest = {
        "imdb": {
            "source": "Large Movie Review Dataset v1.0 (Maas et al., ACL 2011), labelled train/test reviews",
            "source_sha256": SOURCE_SHA256, "seed": SEED, "per_folder": SUBSET_PER_FOLDER,
            "draw": "numpy.random.default_rng(seed).choice(12500, per_folder, replace=False) for train/neg, "
                    "train/pos, test/neg, test/pos in that order; ids sorted",
            "identical_texts_in_train_and_test": len(shared_texts),
            "word_index_rebuilt_from_the_25000_training_reviews": True,
        },
        "files": entries,
    }
    return files, manifest


def encoded_npz(files: dict[str, bytes]) -> tuple[bytes, str]:
    """encoded.npz for these text files (the loader's fast path) and its key, written byte-reproducibly.

    The package's own encoder runs on the files in a temporary data/ folder, so the shipped
    encoding is exactly what `dropout_lab.data.imdb` computes from the shipped text.
    """
    with tempfile.TemporaryDirectory() as folder:
        for path, data in files.items():
            (Path(folder) / path).parent.mkdir(parents=True, exist_ok=True)
            (Path(folder) / path).write_bytes(data)
        os.environ["DROPOUT_LAB_DATA"] = folder
        sys.path.insert(0, str(ROOT))
        from dropout_lab.data import imdb
        arrays = imdb.pack_encoding()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, array in arrays.items():  # fixed member dates: the same arrays give the same bytes
            member = io.BytesIO()
            np.lib.format.write_array(member, np.array(array, order="C"), allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, member.getvalue(), compresslevel=9)
    return buffer.getvalue(), str(arrays["key"])


def manifest_bytes(manifest: dict) -> bytes:
    """The manifest as written: sorted keys, two-space indent, final newline."""
    return (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode("utf-8")


def check_shipped(files: dict[str, bytes], manifest: dict, out: Path = OUT) -> list[str]:
    """Differences between a fresh build and the files in `out` (uncompressed content must match exactly)."""
    problems = []
    shipped = json.loads((out / "manifest.json").read_text())
    for path, entry in manifest["files"].items():
        on_disk = out / path
        if not on_disk.is_file():
            problems.append(f"{path}: missing")
            continue
        got = shipped["files"].get(path, {})
        if path.endswith(".xz"):
            content = lzma.decompress(on_disk.read_bytes())
            if sha256(content) != entry["content_sha256"]:
                problems.append(f"{path}: content differs from a fresh build")
            elif on_disk.read_bytes() != files[path]:
                print(f"note: {path} has the same content but other xz bytes (another liblzma version)")
        elif on_disk.read_bytes() != files[path]:
            problems.append(f"{path}: bytes differ from a fresh build")
        if got.get("sha256") != sha256(on_disk.read_bytes()):
            problems.append(f"{path}: sha256 does not match data/manifest.json")
    total = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    if total > MAX_DATA_BYTES:
        problems.append(f"data/ holds {total} bytes, more than {MAX_DATA_BYTES}")
    return problems


def write(files: dict[str, bytes], manifest: dict, out: Path = OUT) -> None:
    """Write every file of the subset and the manifest under `out`."""
    for path, data in files.items():
        (out / path).parent.mkdir(parents=True, exist_ok=True)
        (out / path).write_bytes(data)
    (out / "manifest.json").write_bytes(manifest_bytes(manifest))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=SOURCE, help="folder holding the source archive")
    parser.add_argument("--out", type=Path, default=OUT, help="the data/ folder to write or check")
    parser.add_argument("--check", action="store_true", help="compare a fresh build with the shipped files")
    args = parser.parse_args(argv)
    files, manifest = build(args.source)
    if args.check:
        problems = check_shipped(files, manifest, args.out)
        print("\n".join(problems) if problems else "data/ matches a fresh build of the subset")
        return 1 if problems else 0
    write(files, manifest, args.out)
    for path, entry in manifest["files"].items():
        print(f"{path}: {entry['bytes']:,} B" + (f", {entry['reviews']} reviews ({entry['pos']} pos / "
                                                  f"{entry['neg']} neg)" if "reviews" in entry else ""))
    print(f"identical review texts in both splits: {manifest['imdb']['identical_texts_in_train_and_test']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
