"""Build labelled keyword collections from shared text data with YAKE keyphrases.

The retrieval evaluation of keyword-list similarity (``simvec evaluate-keywords``,
docs/keyword-quality.md) needs collections where every document has a keyword list and a
label. Two come with the shared data (500N-KPCrowd, SemEval-2010, human keyphrases); this
script adds collections whose keyphrases are extracted automatically by YAKE (Campos et al.
2020), so that a method chosen on the human-annotated collections can be checked on other text:

``bench/data/agnews_yake.jsonl``
    AG News test split (Zhang, Zhao & LeCun 2015; ``../shared/data/ag_news/test.csv``): the
    first 500 articles of each of the 4 classes in file order (2,000 of 7,600; the whole split
    makes the alignment methods take minutes per method on 2 cores). Text = title + ". " +
    description; label ``category`` (World, Sports, Business, Sci/Tech).
``bench/data/imdb_yake.jsonl``
    IMDB test split (Maas et al. 2011; ``../shared/data/imdb/aclImdb_labeled.tar.gz``): the 500
    negative and 500 positive reviews with the lowest review ids
    (:func:`simvec.classify.datasets.load_imdb` with ``limit=1000``, ``<br />`` removed); label
    ``sentiment`` (neg, pos). A different kind of text (opinion, not news) and of label
    (sentiment, not topic).

YAKE settings are fixed a priori, not tuned on any retrieval result: the package defaults
(``lan="en"``, n-grams up to ``n=3``, ``dedup_lim=0.9``, ``dedup_func="seqm"``,
``window_size=1``) and the top 10 keyphrases (``top=10``), in YAKE's order (best first).
Text cleaning, also fixed: AG News' CSV writes line breaks as ``\\`` and escapes characters as
``#NN;`` (``#36;`` = ``$``): backslashes become spaces and ``#NN;`` the character NN; runs of
whitespace collapse to one space.

Output: JSONL, one document a line, the shape of the shared keyword collections:
``{"doc_id": str, <label field>: str, "keyphrases": [str, ...], "source_row": int}``
(``source_row``: 1-based line of the AG News CSV, or the review's position in load_imdb's test
split). The files are committed, so results reproduce without yake; rerunning this script
rewrites them byte for byte (YAKE is deterministic).

Run from the repository root (about 1 minute; needs ``pip install yake``, the ``bench`` extra)::

    .venv/bin/python bench/build_collections.py            # both collections
    .venv/bin/python bench/build_collections.py --only agnews

References
----------
Campos, Mangaravite, Pasquali, Jorge, Nunes & Jatowt (2020), "YAKE! Keyword extraction from
single documents using multiple local features", Information Sciences 509.
Zhang, Zhao & LeCun (2015), "Character-level convolutional networks for text
classification", NIPS (AG News).
Maas, Daly, Pham, Huang, Ng & Potts (2011), "Learning word vectors for sentiment analysis",
ACL (IMDB).
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = (ROOT / ".." / "shared" / "data").resolve()
OUT = ROOT / "bench" / "data"

#: YAKE settings, fixed before any evaluation: the package defaults and the top 10 keyphrases.
YAKE_SETTINGS = {"lan": "en", "n": 3, "dedup_lim": 0.9, "dedup_func": "seqm", "window_size": 1,
                 "top": 10}
AGNEWS_CLASSES = {"1": "World", "2": "Sports", "3": "Business", "4": "Sci/Tech"}
AGNEWS_PER_CLASS = 500
IMDB_LIMIT = 1000  # 500 per class

_ESCAPE = re.compile(r"#(\d{1,5});")
_SPACE = re.compile(r"\s+")


def clean_agnews(text: str) -> str:
    """AG News CSV text as plain text: ``\\`` -> space, ``#NN;`` -> chr(NN), spaces collapsed."""
    text = _ESCAPE.sub(lambda m: chr(int(m.group(1))), text.replace("\\", " "))
    return _SPACE.sub(" ", text).strip()


def extractor():
    """A YAKE keyword extractor with :data:`YAKE_SETTINGS`."""
    try:
        import yake
    except ImportError:
        sys.exit("bench/build_collections.py needs yake: pip install yake (the bench extra)")
    return yake.KeywordExtractor(**YAKE_SETTINGS)


def keyphrases(ke, text: str) -> list[str]:
    """YAKE's top keyphrases of ``text``, best first."""
    return [kw for kw, _score in ke.extract_keywords(text)]


def build_agnews(ke, path: Path, per_class: int = AGNEWS_PER_CLASS) -> list[dict]:
    """The first ``per_class`` articles of each AG News class, in file order."""
    out, seen = [], dict.fromkeys(AGNEWS_CLASSES, 0)
    with open(path, newline="", encoding="utf-8") as f:
        for line, row in enumerate(csv.reader(f), start=1):
            if len(row) != 3 or row[0] not in AGNEWS_CLASSES:
                sys.exit(f"{path}:{line}: expected 'class(1-4),title,description', got {row[:1]}")
            if seen[row[0]] >= per_class:
                continue
            seen[row[0]] += 1
            text = clean_agnews(row[1]).rstrip(".") + ". " + clean_agnews(row[2])
            out.append({"doc_id": f"agnews-test-{line}", "category": AGNEWS_CLASSES[row[0]],
                        "keyphrases": keyphrases(ke, text), "source_row": line})
    return out


def build_imdb(ke, path: Path, limit: int = IMDB_LIMIT) -> list[dict]:
    """The ``limit // 2`` lowest-id reviews of each class of the IMDB test split."""
    from simvec.classify.datasets import load_imdb

    test = load_imdb(path, limit=limit).test
    names = {0: "neg", 1: "pos"}
    return [{"doc_id": f"imdb-test-{i}", "sentiment": names[int(y)],
             "keyphrases": keyphrases(ke, text), "source_row": i}
            for i, (text, y) in enumerate(zip(test.texts, test.labels))]


def write_jsonl(rows: list[dict], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", choices=["agnews", "imdb"], help="build one collection only")
    ap.add_argument("--out", type=Path, default=OUT, help="output folder (default bench/data)")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    ke = extractor()
    jobs = [("agnews", "agnews_yake.jsonl", build_agnews, DATA / "ag_news" / "test.csv"),
            ("imdb", "imdb_yake.jsonl", build_imdb, DATA / "imdb" / "aclImdb_labeled.tar.gz")]
    for name, fname, build, src in jobs:
        if args.only not in (None, name):
            continue
        if not src.exists():
            print(f"{name}: {src} absent (see ../shared/data/README.md), skipped")
            continue
        t0 = time.perf_counter()
        rows = build(ke, src)
        write_jsonl(rows, args.out / fname)
        empty = sum(not r["keyphrases"] for r in rows)
        print(f"{name}: {len(rows)} documents, {empty} without keyphrase, "
              f"{sum(len(r['keyphrases']) for r in rows) / len(rows):.1f} keyphrases each -> "
              f"{args.out / fname} ({time.perf_counter() - t0:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
