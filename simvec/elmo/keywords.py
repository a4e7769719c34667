"""Keyword similarity with ELMo: keywords embedded alone or inside their context sentence.

A keyword (a word or a phrase) gets the mean of its tokens' ELMo vectors, computed either with
the keyword alone as the sentence, or, when a context (the sentence or document the keyword came
from) is given, at the keyword's occurrences in that context (averaged over occurrences); a
keyword absent from its context falls back to being embedded alone and is reported. Two keyword
lists are then compared exactly as :func:`simvec.similarity.keyword_similarity` compares static
vectors (``"mean"``: cosine of the mean keyword vectors; ``"best_match"``: symmetric best-match
alignment), with the Jaccard overlap beside it.

References
----------
.. [1] Peters et al. (2018), "Deep contextualized word representations", arXiv:1802.05365.
"""

from __future__ import annotations

import string
from dataclasses import asdict, dataclass, field

import numpy as np

from simvec.errors import SimvecValueError
from simvec.similarity import KeywordMatch, KeywordSimilarity, cos_sim, jaccard
from simvec.text.tokenize import normalize_keyword, split_keywords

__all__ = [
    "keyword_vectors", "elmo_keyword_similarity", "ElmoKeywordSimilarity", "elmo_similar_payload",
    "parse_model_spec",
]


@dataclass(frozen=True)
class ElmoKeywordSimilarity(KeywordSimilarity):
    """:class:`~simvec.similarity.KeywordSimilarity` plus the keywords missing from their context.

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
    items = split_keywords(x) if isinstance(x, str) else list(x)
    out, seen = [], set()
    for kw in items:
        if not isinstance(kw, str):
            raise SimvecValueError(f"keyword list {name} must hold str, got {kw!r}")
        key = normalize_keyword(kw)
        if key and key not in seen and _tokens(kw):
            seen.add(key)
            out.append(" ".join(kw.split()))
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
    if method == "mean":
        score = float(cos_sim(va.mean(0), vb.mean(0))[0, 0])
        return ElmoKeywordSimilarity(score=score, **common)
    else:
        sims = cos_sim(va, vb)
        best_b, best_a = sims.argmax(1), sims.argmax(0)
        max_a = sims[np.arange(len(ka)), best_b]
        max_b = sims[best_a, np.arange(len(kb))]
        score = float((max_a.mean(dtype=np.float64) + max_b.mean(dtype=np.float64)) / 2)
        alignment = {
            "a": [KeywordMatch(ka[i], kb[j], float(s)) for i, (j, s) in enumerate(zip(best_b, max_a))],
            "b": [KeywordMatch(kb[j], ka[i], float(s)) for j, (i, s) in enumerate(zip(best_a, max_b))],
        }
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


def elmo_similar_payload(a: str, b: str, model: str, *, context_a=None, context_b=None,
                         output: str = "elmo"):
    """``simvec similar --model elmo:...``: payload and tables like the static-vector command."""
    from simvec.cli.render import Table
    from simvec.elmo.embedder import ElmoEmbedder

    options, weights = parse_model_spec(model)
    emb = ElmoEmbedder(options, weights, device="cpu", num_threads=1)
    kw = dict(context_a=context_a, context_b=context_b, output=output)
    mean = elmo_keyword_similarity(a, b, emb, method="mean", **kw)
    best = elmo_keyword_similarity(a, b, emb, method="best_match", **kw)
    note = (f"not found in context, embedded alone: {', '.join(mean.not_in_context)}"
            if mean.not_in_context else None)
    payload = {
        "model": model, "a": mean.used_a, "b": mean.used_b, "jaccard": mean.jaccard,
        "mean_cosine": mean.score, "best_match_cosine": best.score,
        "context": {"a": context_a, "b": context_b}, "note": note,
        "alignment": {side: [asdict(m) for m in ms] for side, ms in best.alignment.items()},
    }
    caption = "; ".join(x for x in (f"model: {model} (ELMo {output})", note) if x)
    scores = Table("keyword similarity (ELMo)", ["measure", "score"],
                   [["jaccard", mean.jaccard], ["mean-vector cosine", mean.score],
                    ["best-match cosine", best.score]], caption=caption)
    align = Table("best-match alignment", ["side", "keyword", "best partner", "cosine"],
                  [[side, m.keyword, m.partner, m.cosine]
                   for side, ms in best.alignment.items() for m in ms])
    return payload, [scores, align]
