"""Keyword similarity with ELMo: keywords embedded alone or inside their context sentence.

A keyword (a word or a phrase) gets the mean of its tokens' ELMo vectors, computed either with
the keyword alone as the sentence, or, when a context (the sentence or document the keyword came
from) is given, at the keyword's occurrences in that context (averaged over occurrences); a
keyword absent from its context falls back to being embedded alone and is reported. Two keyword
lists are then compared by the same scorers of the method registry as
:func:`simvec.keywords.pair.keyword_similarity` uses for static vectors (``"mean"``: cosine of the
mean keyword vectors; ``"best_match"``: symmetric best-match alignment), with the Jaccard overlap
beside it.

References
----------
.. [1] Peters et al. (2018), "Deep contextualized word representations", arXiv:1802.05365.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field

import numpy as np

from simvec.errors import SimvecValueError
from simvec.keywords.pair import KeywordSimilarity, score_keyword_vectors
from simvec.keywords.parse import jaccard, keyword_list

__all__ = [
    "keyword_vectors", "elmo_keyword_similarity", "ElmoKeywordSimilarity", "parse_model_spec",
]


@dataclass(frozen=True)
class ElmoKeywordSimilarity(KeywordSimilarity):
    """:class:`~simvec.keywords.pair.KeywordSimilarity` plus the keywords missing from their context.

    Attributes
    ----------
    not_in_context : list of str
        Keywords a context was given for but that do not occur in it (embedded alone instead).
    """

    not_in_context: list[str] = field(default_factory=list)


_PUNCT = string.punctuation + "，。！？；：、“”‘’（）《》"


def _tokens(text) -> list[str]:
    """Whitespace tokens (ELMo's input convention: text is tokenised beforehand, case kept)."""
    if isinstance(text, str):
        return text.split()
    return [t for t in text if isinstance(t, str) and t]


def _match_key(token: str) -> str:
    """Case-folded token without surrounding punctuation, for finding keywords in context."""
    return token.strip(_PUNCT).lower() or token.lower()


def _keywords(x, name: str) -> list[str]:
    out = [kw for kw, _ in keyword_list(x, name) if _tokens(kw)]
    if not out:
        raise SimvecValueError(f"keyword list {name} is empty")
    return out


def keyword_vectors(keywords, embedder, *, context=None, output: str = "elmo"):
    """ELMo vector of each keyword: mean over its tokens, alone or in ``context``.

    Parameters
    ----------
    keywords : list of str
        Words or phrases, split on whitespace (case kept: ELMo is cased).
    embedder : simvec.elmo.ElmoEmbedder
    context : str or list of str, optional
        Tokenised text the keywords occur in (a str is split on whitespace). A keyword's tokens
        are matched ignoring case and surrounding punctuation (``"Bank,"`` matches ``bank``);
        its vector is the mean of the matched tokens' vectors over all occurrences.
    output : str
        Token-level output to use: ``"elmo"`` (default), ``"lstm_outputs1"``, ...

    Returns
    -------
    vectors : numpy.ndarray, float32, shape (len(keywords), D)
    in_context : list of bool
        Whether each keyword was found in ``context`` (all False without context).

    Raises
    ------
    SimvecValueError
        A keyword has no token, or ``output`` is ``"default"``.
    """
    if output == "default":
        raise SimvecValueError("keyword vectors need a token-level output, not 'default'")
    toks = [_tokens(k) for k in keywords]
    for k, t in zip(keywords, toks):
        if not t:
            raise SimvecValueError(f"keyword {k!r} has no token")
    vecs: list = [None] * len(keywords)
    found = [False] * len(keywords)
    if context is not None:
        ctx = _tokens(context)
        if ctx:
            ctx_vecs = embedder.embed([ctx], output=output)[0]
            low = [_match_key(t) for t in ctx]
            for i, t in enumerate(toks):
                want = [_match_key(x) for x in t]
                n = len(want)
                hits = [s for s in range(len(low) - n + 1) if low[s : s + n] == want]
                if hits:
                    vecs[i] = np.concatenate([ctx_vecs[s : s + n] for s in hits]).mean(0)
                    found[i] = True
    alone = [i for i, v in enumerate(vecs) if v is None]
    if alone:
        for i, v in zip(alone, embedder.embed([toks[i] for i in alone], output=output)):
            vecs[i] = v.mean(0)
    return np.stack(vecs).astype(np.float32), found


def elmo_keyword_similarity(a, b, embedder, *, context_a=None, context_b=None,
                            method: str = "mean", output: str = "elmo") -> KeywordSimilarity:
    """Similarity of two keyword lists with ELMo vectors, Jaccard beside it.

    Parameters
    ----------
    a, b : str or list of str
        Keyword lists (a str is split on ``,`` and ``;``).
    embedder : simvec.elmo.ElmoEmbedder
    context_a, context_b : str or list of str, optional
        Text each list's keywords come from (see :func:`keyword_vectors`).
    method : {"mean", "best_match"}
    output : str
        Token-level ELMo output (default ``"elmo"``).

    Returns
    -------
    ElmoKeywordSimilarity
        ``oov_a`` / ``oov_b`` are always empty (characters have no vocabulary); keywords not
        found in their context are listed in ``not_in_context``.

    Raises
    ------
    SimvecValueError
        Empty keyword list, unknown method.

    Examples
    --------
    >>> emb = ElmoEmbedder("options.json", "weights.hdf5")         # doctest: +SKIP
    >>> elmo_keyword_similarity("bank, river", "shore", emb).score   # doctest: +SKIP
    """
    if method not in ("mean", "best_match"):
        raise SimvecValueError(f"method must be 'mean' or 'best_match', got {method!r}")
    ka, kb = _keywords(a, "a"), _keywords(b, "b")
    va, fa = keyword_vectors(ka, embedder, context=context_a, output=output)
    vb, fb = keyword_vectors(kb, embedder, context=context_b, output=output)
    missing = [k for k, f in zip(ka, fa) if not f and context_a is not None]
    missing += [k for k, f in zip(kb, fb) if not f and context_b is not None]
    common = dict(method=method, jaccard=jaccard(ka, kb), used_a=ka, used_b=kb,
                  oov_a=[], oov_b=[], reason=None, not_in_context=missing)
    score, alignment = score_keyword_vectors(ka, kb, va, vb, method)
    return ElmoKeywordSimilarity(score=score, alignment=alignment, **common)


def parse_model_spec(spec: str) -> tuple[str, str | None]:
    """``"elmo:OPTIONS,WEIGHTS"`` -> ``(OPTIONS, WEIGHTS)``; anything else raises SimvecValueError."""
    if not spec.startswith("elmo:"):
        raise SimvecValueError(f"--model must look like elmo:OPTIONS.json,WEIGHTS.hdf5, got {spec!r}")
    parts = spec[len("elmo:"):].split(",")
    if len(parts) != 2 or not all(parts):
        raise SimvecValueError(
            f"--model must look like elmo:OPTIONS.json,WEIGHTS.hdf5 (two paths), got {spec!r}")
    return parts[0], parts[1]
