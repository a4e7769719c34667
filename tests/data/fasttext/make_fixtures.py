"""Make the fastText fixtures of tests/test_fasttext_bin.py with the real fastText tool.

Run once, from the repository root, with a Python that has the ``fasttext`` package
(``pip install fasttext-numpy2-wheel`` in a throwaway venv; simvec never needs it):

    python tests/data/fasttext/make_fixtures.py ../shared/data

Writes into tests/data/fasttext/:

- ``lee_zh_sg.bin``: skipgram, dim 8, minCount 10, minn 2, maxn 4, bucket 500, 5 epochs, one
  thread, trained on ``corpus/lee_background.cor`` followed by the first 300 reviews of
  ``zh/ChnSentiCorp_htl_all.csv`` with a space between characters (so the vocabulary holds
  3-byte UTF-8 words), as fastText reads text (whitespace tokens, each line ends in ``</s>``).
- ``lee_zh_sg.expected.npz``: ``words`` / ``vectors`` = fastText's ``get_word_vector`` for the
  first 100 vocabulary words, ``</s>``, the first 40 non-ASCII ones and out-of-vocabulary
  words; ``oov_ids`` / ``oov_offsets`` = ``get_subwords`` ids of the out-of-vocabulary words;
  ``nn_json`` = ``get_nearest_neighbors(word, k=5)`` for a few words, as JSON.
- ``agnews_sup.bin``: supervised, dim 4, minCount 5, maxn 0 (so fastText sets bucket 0), 5 epochs,
  one thread, on the titles of ``ag_news/test.csv`` with ``__label__1..4`` (fastText 0.9.2 stops
  with "Encountered NaN" for some other settings, e.g. minCount 8 or 20);
  ``agnews_sup.ftz``: it quantized (dsub 2, no retraining).

The wheel used (fasttext-numpy2-wheel 0.9.2) trains erratically: many nearby settings, and the
same settings in another process state, stop with "Encountered NaN", and the skipgram model
made here (second in the process) diverged to values near 1e7, so its neighbours are poor. The
fixtures test reading, not training: every expected value is what that same tool's
``get_word_vector`` / ``get_subwords`` / ``get_nearest_neighbors`` computes from the saved
model, which is deterministic.
"""

from __future__ import annotations

import csv
import json
import sys
import tempfile
from pathlib import Path

import fasttext
import numpy as np

HERE = Path(__file__).resolve().parent
OOV = ["naïve", "数据", "über-long-word", "internationalisation", "governmentally",
       "bushfires", "酒店房间", "x", "ab", "Hill-Top", "\U0001F600ok"]
NN = ["government", "fire", "房", "bushfires", "酒店房间"]


def main(data: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        # supervised first: trained after the skipgram model in one process it hit NaN
        sup = Path(tmp) / "sup.txt"
        with open(data / "ag_news" / "test.csv", encoding="utf-8") as f:
            sup.write_text("".join(f"__label__{r[0]} {r[1]}\n" for r in csv.reader(f)),
                           encoding="utf-8")
        s = fasttext.train_supervised(str(sup), dim=4, minCount=5, epoch=5,
                                      thread=1, verbose=0)
        s.save_model(str(HERE / "agnews_sup.bin"))
        s.quantize(input=str(sup), retrain=False, dsub=2, thread=1, verbose=0)
        s.save_model(str(HERE / "agnews_sup.ftz"))

        corpus = Path(tmp) / "corpus.txt"
        lines = (data / "corpus" / "lee_background.cor").read_text(encoding="utf-8").splitlines()
        with open(data / "zh" / "ChnSentiCorp_htl_all.csv", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))[:300]
        lines += [" ".join(ch for ch in r["review"] if not ch.isspace()) for r in rows]
        corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
        m = fasttext.train_unsupervised(str(corpus), model="skipgram", dim=8, minCount=10,
                                        minn=2, maxn=4, bucket=500, epoch=5, thread=1,
                                        verbose=0)
        m.save_model(str(HERE / "lee_zh_sg.bin"))
        vocab = m.words
        words = vocab[:100] + [w for w in vocab[100:] if not w.isascii()][:40]
        words = list(dict.fromkeys(words + ["</s>"] + OOV))
        ids, offsets = [], [0]
        for w in OOV:
            got = m.get_subwords(w)[1].tolist()
            ids += got
            offsets.append(len(ids))
        nn = {w: [[float(s), n] for s, n in m.get_nearest_neighbors(w, k=5)] for w in NN}
        np.savez(HERE / "lee_zh_sg.expected.npz", words=np.array(words),
                 vectors=np.stack([m.get_word_vector(w) for w in words]).astype(np.float32),
                 oov_words=np.array(OOV), oov_ids=np.array(ids, dtype=np.int64),
                 oov_offsets=np.array(offsets, dtype=np.int64),
                 nn_json=np.array(json.dumps(nn, ensure_ascii=False)))


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data"))
