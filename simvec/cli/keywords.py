"""Payloads of the keyword commands: ``similar``, ``keywords``, ``evaluate-keywords``.

Each ``*_payload`` returns ``(payload, tables)``: a JSON-able dict with stable keys (the ``--format
json`` output, documented in docs/cli.md) and the same result as :class:`~simvec.cli.render.Table`
objects for ``table`` / ``csv`` output. The computation lives in :mod:`simvec.keywords`.
"""

from __future__ import annotations

import os
from pathlib import Path

from simvec.cli.render import Table, write_output
from simvec.keywords.pair import REPORT_KEYS

__all__ = ["SIMILAR_KEYS", "check_model", "load_model", "similar_payload", "alignment_table", "elmo_similar_payload",
           "keywords_run", "keywords_index_run", "evaluate_keywords_payload"]


#: Keys of the ``simvec similar`` JSON payload, the same for static vectors and ELMo.
SIMILAR_KEYS = REPORT_KEYS


def check_model(spec: str) -> str:
    """Validate ``--model`` before any work; return its kind (``"st"`` or ``"elmo"``).

    Raises
    ------
    SimvecValueError
        Naming ``--model``: an unknown spec, or an ELMo / local model file that does not exist.
    """
    from simvec.errors import SimvecValueError
    from simvec.keywords.encoders import MINILM

    if spec.startswith("elmo:"):
        from simvec.elmo.keywords import parse_model_spec

        for path in parse_model_spec(spec):
            if not Path(path).is_file():
                raise SimvecValueError(f"--model: ELMo file {path} does not exist")
        return "elmo"
    for prefix in ("st:", "sentence-transformers:"):
        if spec.startswith(prefix):
            name = spec[len(prefix):]
            looks_local = name.startswith((".", "/", "~")) or os.sep in name.strip("/") \
                and not name.startswith("sentence-transformers/")
            if not name or (looks_local and not Path(name).expanduser().is_dir()):
                raise SimvecValueError(f"--model: sentence-transformer folder {name!r} does not "
                                       "exist")
            return "st"
    if spec == MINILM:
        return "st"
    raise SimvecValueError(
        f"--model must be st:NAME_OR_FOLDER, {MINILM} or elmo:OPTIONS.json,WEIGHTS.hdf5, got "
        f"{spec!r} (word vectors and fastText .bin models go in --vectors)")


def load_model(spec: str, tokenizer=None):
    """The encoder of ``--model`` (:mod:`simvec.keywords.encoders`), checked by
    :func:`check_model`."""
    from simvec.keywords.encoders import ElmoEncoder, get_encoder

    if check_model(spec) == "elmo":
        from simvec.elmo.embedder import ElmoEmbedder
        from simvec.elmo.keywords import parse_model_spec

        options, weights = parse_model_spec(spec)
        return ElmoEncoder(ElmoEmbedder(options, weights), tokenizer=tokenizer, name=None)
    return get_encoder(spec, tokenizer=tokenizer)


def similar_payload(a: str, b: str, kv, vectors_name: str, *, method: str | None = None,
                    tokenizer=None):
    """The method's score (default: the encoder's, :func:`~simvec.keywords.methods.default_method`), Jaccard,
    mean and best-match cosines and the alignment behind the score; keys
    :data:`SIMILAR_KEYS` (:func:`simvec.keywords.pair.similarity_report`)."""
    from simvec.keywords.pair import similarity_report

    payload = similarity_report(a, b, kv, vectors=vectors_name, method=method,
                                tokenizer=tokenizer)
    default = " (default)" if method is None else ""
    source = f"vectors: {vectors_name}" if vectors_name else f"encoder: {payload['encoder']}"
    notes = [source, _oov_caption(payload), payload["reason"], payload["note"]]
    scores = Table(
        "keyword similarity",
        ["measure", "score"],
        [[f"{payload['method']}{default}", payload["score"]], ["jaccard", payload["jaccard"]],
         ["mean-vector cosine", payload["mean_cosine"]],
         ["best-match cosine", payload["best_match_cosine"]]],
        caption="; ".join(n for n in notes if n),
    )
    return payload, [scores, alignment_table(payload)]


def alignment_table(payload: dict) -> Table:
    """The alignment of a ``simvec similar`` payload as a table titled ``alignment`` (one CSV
    table name whatever the method), its caption naming the method and level and saying how
    the score follows from it.

    Token level: one row per token with its keyword, best partner token (and that token's
    keyword), cosine and weight (SIF, normalised over the side). Keyword level: one row per
    keyword with its best partner keyword, cosine and weight ``1/n``.
    """
    how = payload["alignment_method"]
    level = payload["alignment_level"]
    rows_of = payload["alignment"]
    if level == "token":
        columns = ["side", "keyword", "token", "partner token", "partner keyword", "cosine",
                   "weight"]
        rows = [[side, m["keyword"], m["token"], m["partner_token"], m["partner"], m["cosine"],
                 m["weight"]] for side, ms in rows_of.items() for m in ms]
    else:
        columns = ["side", "keyword", "best partner", "cosine", "weight"]
        rows = [[side, m["keyword"], m["partner"], m["cosine"], m["weight"]]
                for side, ms in rows_of.items() for m in ms]
    if how is None:
        return Table("alignment", columns, rows, caption=None)
    total = payload["alignment_score"]
    caption = (f"{how} alignment ({level} level): {how} = mean over the two sides of "
               f"sum(weight x cosine) = {total:.4f}")
    if payload["method"] not in (how, "hybrid"):
        caption += f"; method {payload['method']} has no alignment: {how}'s is shown"
    elif payload["method"] == "hybrid" and payload["score"] is not None:
        from simvec.keywords.methods import MethodParams

        alpha = MethodParams().alpha  # the CLI scores with the default weight
        caption += (f"; hybrid = {alpha:g} x jaccard_tokens + {1 - alpha:g} x {how} "
                    f"= {payload['score']:.4f}")
    return Table("alignment", columns, rows, caption=caption)


def _oov_caption(payload: dict) -> str | None:
    parts = []
    if payload["oov_a"]:
        parts.append(f"not in vocabulary (a): {', '.join(payload['oov_a'])}")
    if payload["oov_b"]:
        parts.append(f"not in vocabulary (b): {', '.join(payload['oov_b'])}")
    return "; ".join(parts) or None


def elmo_similar_payload(a: str, b: str, model: str, *, context_a=None, context_b=None,
                         output: str = "elmo", method: str = "best_match"):
    """``simvec similar --model elmo:...``: the same keys (:data:`SIMILAR_KEYS`) as with static
    vectors; ``vectors`` is null, ``oov_a`` / ``oov_b`` are empty (characters have no
    vocabulary)."""
    from simvec.elmo.embedder import ElmoEmbedder
    from simvec.elmo.keywords import elmo_keyword_similarity, parse_model_spec
    from simvec.keywords.pair import alignment_report

    options, weights = parse_model_spec(model)
    emb = ElmoEmbedder(options, weights, device="cpu", num_threads=1)
    kw = dict(context_a=context_a, context_b=context_b, output=output)
    mean = elmo_keyword_similarity(a, b, emb, method="mean", **kw)
    best = elmo_keyword_similarity(a, b, emb, method="best_match", **kw)
    chosen = mean if method == "mean" else best
    note = (f"not found in context, embedded alone: {', '.join(mean.not_in_context)}"
            if mean.not_in_context else None)
    reason = getattr(chosen, "reason", None) or getattr(mean, "reason", None)
    payload = {
        "vectors": None, "model": model, "encoder": "elmo", "method": method,
        "score": chosen.score,
        "a": list(mean.used_a), "b": list(mean.used_b), "jaccard": mean.jaccard,
        "mean_cosine": mean.score, "best_match_cosine": best.score,
        "oov_a": list(getattr(mean, "oov_a", []) or []),
        "oov_b": list(getattr(mean, "oov_b", []) or []), "reason": reason,
        "context": {"a": context_a, "b": context_b}, "note": note,
        **alignment_report(best.alignment),
    }
    caption = "; ".join(x for x in (f"model: {model} (ELMo {output})", note) if x)
    scores = Table("keyword similarity (ELMo)", ["measure", "score"],
                   [[method, chosen.score], ["jaccard", mean.jaccard],
                    ["mean-vector cosine", mean.score],
                    ["best-match cosine", best.score]], caption=caption)
    return payload, [scores, alignment_table(payload)]


def keywords_run(docs: str, load_kv, *, top_k: int, method: str, id_field: str,
                 keywords_field: str, on_error: str, output, fmt: str, tokenizer=None,
                 quiet: bool = False) -> None:
    """Read a collection, then load the vectors (``load_kv()``, only once the collection has
    been read), compute all-pairs top-k with progress on stderr, write it (CSV by default)."""
    import sys

    from simvec.cli.progress import Progress
    from simvec.errors import SimvecValueError
    from simvec.keywords.collection import read_collection
    from simvec.keywords.topk import all_pairs_topk

    source = sys.stdin if docs == "-" else docs
    ids, lists, report = read_collection(source, id_field=id_field,
                                         keywords_field=keywords_field, on_error=on_error)
    if not ids:
        where = "standard input" if docs == "-" else docs
        why = f" ({len(report.skipped)} line(s) skipped)" if report.skipped else ""
        raise SimvecValueError(f"{where}: no document to compare{why}")
    kv = load_kv() if callable(load_kv) else load_kv
    with Progress("keywords: documents", total=len(ids), unit="docs", quiet=quiet) as bar:
        result = all_pairs_topk(ids, lists, kv, k=top_k, method=method, tokenizer=tokenizer,
                                progress=bar.update_to)
    rows = [list(r) for r in result.rows()]
    payload = {
        "k": top_k, "method": result.method, "documents": len(ids),
        "skipped_lines": [{"line": line, "reason": why} for line, why in report.skipped],
        "no_vector": result.no_vector,
        # "cosine" repeats "score" for one release (deprecated: the scores are not all cosines)
        "rows": [{**dict(zip(["id", "rank", "neighbor", "score", "jaccard"], r)), "cosine": r[3]}
                 for r in rows],
    }
    table = Table(f"top-{top_k} similar documents",
                  ["id", "rank", "neighbor", "score", "jaccard"], rows)
    write_output(payload, [table], fmt, output)


def keywords_index_run(docs: str, index: Path, load_kv, *, top_k: int, method: str | None,
                       candidates: int | None, id_field: str, keywords_field: str, output,
                       restart: bool = False, quiet: bool = False) -> dict:
    """All-pairs top-k through an index, for collections too large for the exact path.

    Builds ``index`` from ``docs`` first when the folder does not exist
    (:func:`simvec.index.ann.build_index_file`), then writes every document's top-k, the
    index's candidates re-ranked with ``method``, to ``output`` as JSON lines, resumably
    (:func:`simvec.index.pairs.all_pairs_to_file`). Returns the writer's summary.
    """
    from simvec.cli.progress import Progress
    from simvec.errors import SimvecValueError
    from simvec.index.pairs import all_pairs_to_file

    if output is None:
        raise SimvecValueError("--output/-o is required with --index (the JSON lines file, "
                               "written resumably)")
    if docs == "-":
        raise SimvecValueError("--index needs a collection file, not standard input")
    kv = load_kv() if callable(load_kv) else load_kv
    index = Path(index)
    if not index.exists():
        from simvec.index.ann import build_index_file

        with Progress(f"index {index}: encode", None, "docs", quiet=quiet) as bar:
            build_index_file(docs, kv, index, id_field=id_field, keywords_field=keywords_field,
                             progress=lambda done, part: bar.update_to(done))
    with Progress(f"keywords: top-{top_k} through {index}", None, "docs", quiet=quiet) as bar:
        return all_pairs_to_file(index, output, top_k, kv=kv, candidates=candidates,
                                 method=method, resume=not restart, progress=bar.update_to)


def evaluate_keywords_payload(docs: str, kv, *, label: str, methods, id_field: str,
                              keywords_field: str, on_error: str, on_missing_label: str,
                              k: int, seed: int, quiet: bool = False, tokenizer=None):
    """Retrieval precision@1 / MAP@k of several keyword methods on a labelled collection.

    ``kv`` may be a callable returning the vectors: it is called only after the collection has
    been read, so a malformed collection fails before the vectors load. ``tokenizer``
    (``--tokenizer``, a callable) splits keywords into vocabulary tokens (default the regex
    tokenizer).
    """
    import sys

    from simvec.cli.progress import Progress
    from simvec.eval.retrieval import evaluate_keyword_retrieval
    from simvec.keywords.collection import read_labeled_collection

    source = sys.stdin if docs == "-" else docs
    ids, lists, labels, report = read_labeled_collection(
        source, label, id_field=id_field, keywords_field=keywords_field, on_error=on_error,
        on_missing_label=on_missing_label)
    kv = kv() if callable(kv) else kv  # the vectors load once the collection is known good
    with Progress("evaluate-keywords: methods", total=len(methods), unit="methods",
                  quiet=quiet) as bar:
        def progress(method, index, total):
            bar.title = f"evaluate-keywords: {method}"
            bar.update_to(index, total)

        res = evaluate_keyword_retrieval(ids, lists, labels, kv, methods, k=k, seed=seed,
                                         progress=progress, tokenizer=tokenizer)
    res.skipped = list(report.skipped)
    payload = {"collection": report.source, "label": label, **res.to_dict(),
               "missing_label_lines": list(report.missing_label)}
    notes = [f"{res.n_queries} queries, {res.n_candidates} candidates, chance precision@1 "
             f"{res.chance_precision_at_1:.3f}"]
    if report.skipped:
        notes.append(f"skipped {len(report.skipped)} record(s): " + "; ".join(
            f"line {line}: {why}" for line, why in report.skipped[:5]))
    if res.empty_keywords:
        notes.append(f"{len(res.empty_keywords)} document(s) with no keyword, not evaluated: "
                     + ", ".join(map(str, res.empty_keywords[:5])))
    if res.singleton_labels:
        notes.append(f"{len(res.singleton_labels)} label(s) on one document only, excluded from "
                     "the averages: " + ", ".join(map(str, list(res.singleton_labels)[:5])))
    boot = res.bootstrap
    notes.append(f"95 % intervals: bootstrap over the {res.n_queries} queries "
                 f"({boot['resamples']} resamples, seed {boot['seed']}; Efron & Tibshirani 1993)")
    diffs = {d.method: d for d in res.differences}
    table = Table(
        f"keyword retrieval: {Path(report.source).name} (label {label!r})",
        ["method", "precision@1", "precision@1 95% CI", f"MAP@{k}", f"MAP@{k} 95% CI",
         f"precision@1 - {res.baseline} [95% CI]", "seconds", "no vector", "source"],
        [[m.method, m.precision_at_1, _interval(m.precision_at_1_ci), m.map_at_k,
          _interval(m.map_at_k_ci),
          _difference(diffs[m.method].precision_at_1) if m.method in diffs else "baseline",
          m.seconds, m.no_vector, m.description]
         for m in res.methods],
        caption="; ".join(notes),
    )
    return payload, [table]


def _interval(ci) -> str:
    """``"0.778-0.874"`` (a bootstrap interval as a table cell)."""
    return "-" if ci is None else f"{ci.low:.3f}-{ci.high:.3f}"


def _difference(ci) -> str:
    """``"+0.045 [+0.012, +0.078]"``, with ``(noise)`` when the interval contains 0."""
    cell = f"{ci.estimate:+.3f} [{ci.low:+.3f}, {ci.high:+.3f}]"
    return cell if ci.excludes_zero else cell + " (noise)"
