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


def test_gensim_recipe_runs_as_written_on_real_text(tmp_path):
    """gensim 4.4's documented recipe, line for line, on the Lee corpus (300 news documents).

    ``corpus_count``, ``corpus_total_words`` and the vocabulary (words and counts) equal
    gensim's for the same corpus and min_count.
    """
    from conftest import data_path, importorskip

    gensim_models = importorskip("gensim.models")
    path = data_path("corpus", "lee_background.cor")
    sentences = [line.split() for line in path.read_text(encoding="utf-8").splitlines()
                 if line.split()]
    g = gensim_models.Word2Vec(vector_size=16, min_count=5, workers=1, epochs=1, seed=1)
    g.build_vocab(corpus_iterable=sentences)
    m = Word2Vec(vector_size=16, min_count=5, workers=1, epochs=1, seed=1, progress=False)
    m.build_vocab(corpus_iterable=sentences)
    assert (m.corpus_count, m.corpus_total_words, m.epochs) == \
        (g.corpus_count, g.corpus_total_words, g.epochs) == (300, 59890, 1)
    assert {w: int(m.vocab.counts[i]) for i, w in enumerate(m.wv.index_to_key)} == \
        {w: g.wv.get_vecattr(w, "count") for w in g.wv.index_to_key}
    m.train(corpus_iterable=sentences, total_examples=m.corpus_count, epochs=m.epochs)
    assert m.epochs_total == 1 and np.isfinite(m.wv.vectors).all()
    # corpus_file with total_words, as gensim asks for it
    f = Word2Vec(vector_size=16, min_count=5, workers=1, epochs=1, seed=1, progress=False)
    f.build_vocab(corpus_file=str(path))
    f.train(corpus_file=str(path), total_words=f.corpus_total_words, epochs=f.epochs)
    np.testing.assert_array_equal(f.wv.vectors, m.wv.vectors)


def test_gensim_attributes_before_build_vocab():
    m = Word2Vec(epochs=3)
    assert (m.corpus_count, m.corpus_total_words, m.epochs) == (0, 0, 3)
