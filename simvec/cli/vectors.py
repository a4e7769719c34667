"""Payloads of the vector commands: ``neighbors`` and ``info``.

The computation lives in :mod:`simvec.vectors`; this module shapes it as a JSON payload and tables.
"""

from __future__ import annotations

from pathlib import Path

from simvec.cli.render import Table

__all__ = ["neighbors_payload", "info_payload"]


def neighbors_payload(words, kv, topn: int, restrict_vocab, tokenizer=None):
    """``most_similar_batch`` for the in-vocabulary words; OOV words reported, not fatal.

    With ``tokenizer`` (``--tokenizer``) each query is tokenised first: a query of one
    in-vocabulary token is looked up as that token, a query of several (``机器学习`` ->
    ``机器 学习`` with jieba, ``New York`` -> ``new york``) is searched by the mean of its tokens'
    unit vectors (``KeyedVectors.most_similar(positive=tokens)``, the tokens themselves
    excluded); tokens out of vocabulary are dropped, and a query with none is OOV. The payload
    then also has ``tokens``: the in-vocabulary tokens of each query.
    """
    from simvec.errors import SimvecValueError

    if tokenizer is None:
        tokens = {w: [w] for w in words}
    else:
        tokens = {w: [t for t in dict.fromkeys(tokenizer(w)) if t in kv] for w in words}
    known = [w for w in words if tokens[w] and (tokenizer is not None or w in kv)]
    missing = [w for w in words if w not in known]
    if not known:
        raise SimvecValueError(f"none of the words is in the vocabulary: {', '.join(missing)}")
    single = [w for w in known if len(tokens[w]) == 1]
    found = dict(zip(single, kv.most_similar_batch(
        [tokens[w][0] for w in single], topn=topn, restrict_vocab=restrict_vocab))) if single else {}
    for w in known:
        if w not in found:
            found[w] = kv.most_similar(positive=tokens[w], topn=topn,
                                       restrict_vocab=restrict_vocab)
    results = [found[w] for w in known]
    payload = {
        "neighbors": {
            w: [{"word": n, "cosine": s} for n, s in res] for w, res in zip(known, results)
        },
        "oov": missing,
    }
    if tokenizer is not None:
        payload["tokens"] = {w: tokens[w] for w in known}
    table = Table(
        "nearest neighbors (cosine)", ["query", "rank", "neighbor", "cosine"],
        [[w, r + 1, n, s] for w, res in zip(known, results) for r, (n, s) in enumerate(res)],
        caption=f"not in vocabulary: {', '.join(missing)}" if missing else None,
    )
    return payload, [table]


def info_payload(src, list_sources_only: bool, *, input_format: str | None = None,
                 name: str | None = None):
    """Guessed (or ``input_format``) format, size and dimension of a vector file, or the list
    of named sources; ``name`` is what the user called ``src`` (``"-"`` for stdin)."""
    from simvec.vectors.sources import list_sources

    if list_sources_only or src is None:
        sources = list_sources()
        payload = {"sources": {
            name: {"description": s.description, "count": s.count, "vector_size": s.vector_size,
                   "package": s.package, "licence": s.licence, "citation": s.citation}
            for name, s in sources.items()
        }}
        rows = [[name, s.count, s.vector_size, s.description, s.package]
                for name, s in sources.items()]
        return payload, [Table("named sources",
                               ["name", "vectors", "dim", "description", "package"], rows)]
    import numpy as np

    import simvec
    from simvec.vectors.formats import detect_format

    if input_format is not None:
        fmt, reason = input_format, "given by --input-format"
    elif Path(src).exists():
        fmt, reason = detect_format(src)
    else:
        fmt, reason = "source", "named source"
    if fmt != "source":  # a file goes through the parser kernels (compiled on first use)
        import logging

        from simvec.cli.warmup import compile_notice

        compile_notice(("read",), quiet=logging.getLogger().level > logging.INFO)
    kv = simvec.load(src, **({} if input_format is None else {"format": input_format}))
    norms = kv.norms
    src = name if name is not None else src
    payload = {
        "source": src, "format": fmt, "reason": reason, "count": len(kv),
        "vector_size": kv.vector_size, "dtype": str(kv.vectors.dtype),
        "first_keys": kv.index_to_key[:10],
        "norm_mean": float(np.mean(norms)), "zero_vectors": int(np.sum(norms == 0)),
    }
    rows = [[k, ", ".join(v) if isinstance(v, list) else v] for k, v in payload.items()]
    return payload, [Table(f"vectors: {src}", ["property", "value"], rows)]
