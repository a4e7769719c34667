"""Training text of the Chinese recipe (docs/chinese.md, examples/chinese.sh).

``python examples/zh_corpus.py DATA_ZH OUT`` writes

* ``OUT/text/``: the raw text ``simvec train --tokenizer jieba`` reads: a link to each novel of
  ``DATA_ZH/corpus/`` (UTF-8, CRLF: read as they are) and ``reviews.txt``, the ``review`` column of
  ``DATA_ZH/ChnSentiCorp_htl_all.csv`` one review a line (modern Chinese, which the novels lack);
* ``OUT/zh-seg.txt``: the same text cut into sentences (after 。！？；．…) and segmented by
  jieba through ``simvec.text.tokenize.get_tokenizer("jieba")`` (the tokenizer of
  ``--tokenizer jieba``, so word2vec and ELMo see the same tokens), tokens joined by spaces, one
  sentence a line: the input of ``python -m simvec.elmo.train``.

``--lines N`` keeps the first N lines of each novel and N reviews (the test's slice); ``--no-reviews``
leaves the reviews out. Prints one JSON line: files, sentences, tokens, seconds.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import sys
import time
from pathlib import Path

from simvec.text.tokenize import get_tokenizer

# a sentence ends after a run of full stops, exclamation / question marks, semicolons or an
# ellipsis, with the closing quotes that follow them
_SENTENCE = re.compile(r"[^。！？!?；;．…]+(?:[。！？!?；;．…]+[”’」』\"'）)]*)?")


def _novel_lines(path: Path, limit):
    with open(path, encoding="utf-8", newline="") as f:
        for i, line in enumerate(f):
            if limit is not None and i >= limit:
                break
            line = line.strip()  # CRLF and the full-width indent
            if line:
                yield line


def _reviews(path: Path, limit):
    with open(path, encoding="utf-8", newline="") as f:
        for i, row in enumerate(csv.DictReader(f)):
            if limit is not None and i >= limit:
                break
            text = " ".join((row.get("review") or "").split())
            if text:
                yield text


def sentences(paragraph: str) -> list[str]:
    """``paragraph`` cut after sentence-final punctuation (kept with its sentence)."""
    return [s for s in (m.strip() for m in _SENTENCE.findall(paragraph)) if s]


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(prog="python examples/zh_corpus.py", description=__doc__.split("\n\n")[0])
    ap.add_argument("data", type=Path, help="the zh data folder (../shared/data/zh)")
    ap.add_argument("out", type=Path, help="output folder")
    ap.add_argument("--lines", type=int, help="first N lines of each novel and N reviews only")
    ap.add_argument("--no-reviews", action="store_true", help="novels only")
    a = ap.parse_args(argv)
    t0 = time.perf_counter()
    novels = sorted((a.data / "corpus").glob("*.txt"))
    if not novels:
        sys.exit(f"zh_corpus.py: error: no novel (*.txt) in {a.data / 'corpus'}")
    text = a.out / "text"
    text.mkdir(parents=True, exist_ok=True)
    for old in text.iterdir():
        old.unlink()
    sources = []
    for p in novels:
        if a.lines is None:  # the file itself, read in place
            os.symlink(p.resolve(), text / p.name)
        else:
            (text / p.name).write_text("\n".join(_novel_lines(p, a.lines)) + "\n", encoding="utf-8")
        sources.append((text / p.name, _novel_lines(p, a.lines)))
    if not a.no_reviews:
        csv_path = a.data / "ChnSentiCorp_htl_all.csv"
        (text / "reviews.txt").write_text("\n".join(_reviews(csv_path, a.lines)) + "\n",
                                          encoding="utf-8")
        sources.append((text / "reviews.txt", _reviews(csv_path, a.lines)))
    tok = get_tokenizer("jieba")
    n_sent = n_tok = 0
    seg = a.out / "zh-seg.txt"
    with open(seg.with_suffix(".tmp"), "w", encoding="utf-8") as f:
        for _, paragraphs in sources:
            for para in paragraphs:
                for s in sentences(para):
                    toks = tok(s)
                    if toks:
                        f.write(" ".join(toks) + "\n")
                        n_sent += 1
                        n_tok += len(toks)
    os.replace(seg.with_suffix(".tmp"), seg)
    report = {"text": str(text), "files": [p.name for p, _ in sources], "segmented": str(seg),
              "sentences": n_sent, "tokens": n_tok, "seconds": round(time.perf_counter() - t0, 1)}
    print(json.dumps(report, ensure_ascii=False))
    return report


if __name__ == "__main__":
    main()
