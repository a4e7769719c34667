"""Word2Vec takes gensim 4's corpus spellings and train(total_examples=...) (issue 12 item 13)."""

from __future__ import annotations

import numpy as np
import pytest

from simvec.errors import SimvecValueError
from simvec.word2vec.model import Word2Vec

SENTS = [["the", "cat", "sat", "on", "the", "mat"], ["the", "dog", "sat", "on", "the", "log"]] * 20
KW = dict(vector_size=8, min_count=1, epochs=1, workers=1, seed=3, progress=False)


def test_gensim_spellings_give_the_same_model(tmp_path):
    ref = Word2Vec(SENTS, **KW)
    path = tmp_path / "c.txt"
    path.write_text("\n".join(" ".join(s) for s in SENTS) + "\n")
    for kw in ({"sentences": SENTS}, {"corpus_iterable": SENTS}, {"corpus_file": str(path)}):
        m = Word2Vec(**kw, **KW)
        np.testing.assert_array_equal(m.wv.vectors, ref.wv.vectors)
    m = Word2Vec(**{k: v for k, v in KW.items() if k != "progress"})
    m.build_vocab(corpus_iterable=SENTS)
    m.train(corpus_iterable=SENTS, total_examples=len(SENTS), epochs=1, progress=False)
    np.testing.assert_array_equal(m.wv.vectors, ref.wv.vectors)


def test_gensim_spellings_refused_when_ambiguous_or_wrong():
    with pytest.raises(SimvecValueError, match="give the corpus once, got corpus, sentences"):
        Word2Vec(SENTS, sentences=SENTS, **KW)
    m = Word2Vec(**KW)
    m.build_vocab(SENTS)
    with pytest.raises(SimvecValueError, match="total_examples must be a positive integer"):
        m.train(SENTS, total_examples=0)
    with pytest.raises(SimvecValueError, match="train needs the corpus"):
        m.train()
