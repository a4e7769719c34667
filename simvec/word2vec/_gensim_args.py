"""gensim's corpus arguments for :class:`~simvec.word2vec.model.Word2Vec`.

gensim 4 spells the corpus ``sentences`` (positional), ``corpus_iterable`` or ``corpus_file``
(a LineSentence file), and asks ``train`` for ``total_examples`` / ``total_words``. simvec
takes the same spellings: :func:`one_corpus` turns them into the one ``corpus`` simvec uses,
and the totals are accepted and checked for type only (simvec counts the corpus itself while
building the vocabulary, so they are never needed). :class:`GensimAttributes` gives the model
the attributes gensim's recipe passes back to ``train``: ``model.corpus_count``,
``model.corpus_total_words`` and ``model.epochs``, as in::

    model.build_vocab(corpus_iterable=sentences)
    model.train(corpus_iterable=sentences, total_examples=model.corpus_count,
                epochs=model.epochs)
"""

from __future__ import annotations

from simvec.errors import SimvecValueError

__all__ = ["one_corpus", "check_totals", "GensimAttributes"]


def one_corpus(corpus=None, sentences=None, corpus_iterable=None, corpus_file=None):
    """The single corpus given under any of gensim's names (``None`` if none).

    ``corpus_file`` is read as a :class:`simvec.text.corpus.LineSentence` (one sentence per
    line, tokens separated by whitespace), as gensim reads it.

    Raises
    ------
    SimvecValueError
        If more than one is given.
    """
    given = {k: v for k, v in (("corpus", corpus), ("sentences", sentences),
                               ("corpus_iterable", corpus_iterable),
                               ("corpus_file", corpus_file)) if v is not None}
    if len(given) > 1:
        raise SimvecValueError(f"give the corpus once, got {', '.join(given)}")
    if "corpus_file" in given:
        from simvec.text.corpus import LineSentence

        return LineSentence(corpus_file)
    return next(iter(given.values()), None)


def check_totals(total_examples=None, total_words=None) -> None:
    """Accept gensim's ``total_examples`` / ``total_words`` (positive integers or ``None``)."""
    for name, value in (("total_examples", total_examples), ("total_words", total_words)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                  or value < 1):
            raise SimvecValueError(f"{name} must be a positive integer, got {value!r}")


class GensimAttributes:
    """Mixin: gensim 4's ``Word2Vec.corpus_count``, ``corpus_total_words`` and ``epochs``.

    Read from the vocabulary :meth:`build_vocab` counted (0 before it) and the configuration.
    """

    @property
    def corpus_count(self) -> int:
        """Sentences of the corpus the vocabulary was built from (gensim's ``corpus_count``).

        simvec counts non-empty sentences; gensim also counts empty ones.
        """
        return 0 if self.vocab is None else int(self.vocab.sentences)

    @property
    def corpus_total_words(self) -> int:
        """Tokens of that corpus, out-of-vocabulary ones included (gensim's
        ``corpus_total_words``)."""
        return 0 if self.vocab is None else int(self.vocab.raw_words)

    @property
    def epochs(self) -> int:
        """Epochs of the configured schedule (``Word2Vec(epochs=...)``), gensim's ``epochs``."""
        return int(self.config.epochs)
