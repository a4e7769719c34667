"""Rebuild simvec's shipped word-count table from the unlabelled English text of ../shared/data.

Counts every token (:func:`simvec.text.tokenize.tokenize`, lowercased) of

* ``corpus/gutenberg_en.txt.gz`` (318 Project Gutenberg books, public domain), line by line;
* ``imdb/aclImdb_unsup.tar.gz`` (the 50,000 unlabelled IMDB reviews of Maas et al. 2011;
  ``<br />`` tags replaced by spaces; the labelled reviews are not read);
* ``corpus/lee_background.cor`` and ``corpus/lee.cor`` (Lee news corpus; Latin-1),

and writes the words seen at least 5 times, with the full corpus size, to
``simvec/keywords/data/word_counts_en.tsv.gz`` (:mod:`simvec.keywords.frequencies`). Takes about
a minute on one core. The output is byte-for-byte reproducible (gzip ``mtime=0``, sorted rows)::

    PYTHONPATH=. .venv/bin/python bench/word_frequencies.py            # rewrites the table
    PYTHONPATH=. .venv/bin/python bench/word_frequencies.py --out /tmp/counts.tsv.gz
"""

from __future__ import annotations

import argparse
import gzip
import sys
import tarfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = (ROOT / ".." / "shared" / "data").resolve()
MIN_COUNT = 5


def gutenberg_lines():
    with gzip.open(DATA / "corpus" / "gutenberg_en.txt.gz", "rt", encoding="utf-8") as fh:
        yield from fh


def imdb_unsup_reviews():
    with tarfile.open(DATA / "imdb" / "aclImdb_unsup.tar.gz") as tf:
        for m in tf:
            if m.isfile() and m.name.endswith(".txt"):
                yield tf.extractfile(m).read().decode("utf-8").replace("<br />", " ")


def lee_lines():
    for name in ("lee_background.cor", "lee.cor"):
        with open(DATA / "corpus" / name, encoding="latin-1") as fh:
            yield from fh


def main(argv=None) -> int:
    from simvec.keywords.frequencies import SHIPPED_COUNTS, count_words, write_word_counts

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=str(SHIPPED_COUNTS))
    args = ap.parse_args(argv)
    if not DATA.is_dir():
        print(f"bench/word_frequencies.py: error: {DATA} is absent", file=sys.stderr)
        return 2
    total: Counter = Counter()
    sizes = {}
    for label, texts in [("gutenberg_en", gutenberg_lines()), ("aclImdb_unsup", imdb_unsup_reviews()),
                         ("lee", lee_lines())]:
        t0 = time.perf_counter()
        c = count_words(texts)
        sizes[label] = sum(c.values())
        total.update(c)
        print(f"{label}: {sizes[label]:,} tokens, {len(c):,} distinct "
              f"({time.perf_counter() - t0:.0f} s)", file=sys.stderr)
    n = write_word_counts(args.out, total, min_count=MIN_COUNT, comments=[
        "simvec word counts: simvec.text.tokenize.tokenize (lowercased), built by "
        "bench/word_frequencies.py",
        "sources (tokens): " + ", ".join(f"{k} {v}" for k, v in sizes.items()),
        f"words counted at least {MIN_COUNT} times; total_tokens counts every token",
    ])
    print(f"{args.out}: {n:,} words, {sum(total.values()):,} tokens", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
