"""Payload builders behind the CLI commands: call the library, shape the result for output.

Each ``*_payload`` returns ``(payload, tables)``: a JSON-able dict with stable keys (the ``--format
json`` output, documented in docs/cli.md) and the same result as :class:`~simvec.cli.render.Table`
objects for ``table`` / ``csv`` output. No computation lives here.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from simvec.cli.render import Table, emit

__all__ = [
    "similar_payload",
    "neighbors_payload",
    "evaluate_payload",
    "keywords_run",
    "evaluate_keywords_payload",
    "info_payload",
]


def similar_payload(a: str, b: str, kv, vectors_name: str):
    """Default-method score, Jaccard, mean and best-match cosines, alignment of two lists."""
    from simvec.similarity import keyword_similarity

    default = keyword_similarity(a, b, kv)  # simvec's default method (sif_best_match)
    mean = keyword_similarity(a, b, kv, method="mean")
    best = keyword_similarity(a, b, kv, method="best_match")
    payload = {
        "vectors": vectors_name,
        "method": default.method,
        "score": default.score,
        "a": mean.used_a + mean.oov_a,
        "b": mean.used_b + mean.oov_b,
        "jaccard": mean.jaccard,
        "mean_cosine": mean.score,
        "best_match_cosine": best.score,
        "oov_a": mean.oov_a,
        "oov_b": mean.oov_b,
        "reason": mean.reason or best.reason,
        "alignment": {
            side: [asdict(m) for m in matches]
            for side, matches in (best.alignment or {}).items()
        },
    }
    notes = [f"vectors: {vectors_name}", _oov_caption(mean), mean.reason or best.reason]
    scores = Table(
        "keyword similarity",
        ["measure", "score"],
        [[f"{default.method} (default)", default.score], ["jaccard", mean.jaccard],
         ["mean-vector cosine", mean.score], ["best-match cosine", best.score]],
        caption="; ".join(n for n in notes if n),
    )
    align = Table(
        "best-match alignment", ["side", "keyword", "best partner", "cosine"],
        [[side, m.keyword, m.partner, m.cosine]
         for side, matches in (best.alignment or {}).items() for m in matches],
    )
    return payload, [scores, align]


def _oov_caption(res) -> str | None:
    parts = []
    if res.oov_a:
        parts.append(f"not in vocabulary (a): {', '.join(res.oov_a)}")
    if res.oov_b:
        parts.append(f"not in vocabulary (b): {', '.join(res.oov_b)}")
    return "; ".join(parts) or None


def neighbors_payload(words, kv, topn: int, restrict_vocab):
    """``most_similar_batch`` for the in-vocabulary words; OOV words reported, not fatal."""
    from simvec.errors import SimvecValueError

    known = [w for w in words if w in kv]
    missing = [w for w in words if w not in kv]
    if not known:
        raise SimvecValueError(f"none of the words is in the vocabulary: {', '.join(missing)}")
    results = kv.most_similar_batch(known, topn=topn, restrict_vocab=restrict_vocab)
    payload = {
        "neighbors": {
            w: [{"word": n, "cosine": s} for n, s in res] for w, res in zip(known, results)
        },
        "oov": missing,
    }
    table = Table(
        "nearest neighbours (cosine)", ["query", "rank", "neighbour", "cosine"],
        [[w, r + 1, n, s] for w, res in zip(known, results) for r, (n, s) in enumerate(res)],
        caption=f"not in vocabulary: {', '.join(missing)}" if missing else None,
    )
    return payload, [table]


def _is_analogy_file(path: Path) -> bool:
    """Analogy files (Google format) have ``: section`` lines; word-pair files do not."""
    with open(path, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            if line.strip():
                if line.lstrip().startswith(":"):
                    return True
                if len(line.split("\t")) >= 3:
                    return False
    return False


def evaluate_payload(files, kv, *, restrict_vocab: int, method: str, case_insensitive: bool):
    """Word-pair correlations and analogy accuracies for each file, kind detected per file."""
    from simvec.evaluation import evaluate_word_analogies, evaluate_word_pairs

    from simvec.phrase_eval import detect_pair_format, evaluate_text_pairs

    pairs_rows, analogy_rows, section_rows, payload = [], [], [], {"files": []}
    phrase_rows = []
    for path in files:
        path = Path(path)
        if detect_pair_format(path) is not None:  # BiRD / STS Benchmark phrase or sentence pairs
            results, pairs = evaluate_text_pairs(kv, path)
            payload["files"].append({
                "file": str(path), "kind": "text_pairs", "format": pairs.format,
                "pairs": len(pairs.scores), "methods": [r.to_dict() for r in results],
            })
            phrase_rows += [[path.name, r.method, r.spearman, r.pearson, r.pairs_used,
                             r.pairs_total, r.seconds] for r in results]
            continue
        if _is_analogy_file(path):
            res = evaluate_word_analogies(
                kv, path, restrict_vocab=restrict_vocab, method=method,
                case_insensitive=case_insensitive,
            )
            payload["files"].append({
                "file": str(path), "kind": "analogy", "method": res.method,
                "restrict_vocab": res.restrict_vocab, "accuracy": res.accuracy,
                "semantic_accuracy": res.semantic_accuracy,
                "syntactic_accuracy": res.syntactic_accuracy, "correct": res.correct,
                "total": res.total, "oov": res.oov, "questions": res.questions,
                "oov_ratio": res.oov_ratio,
                "sections": [{"name": s.name, "accuracy": s.accuracy, "correct": s.correct,
                              "total": s.total, "oov": s.oov, "syntactic": s.syntactic}
                             for s in res.sections],
            })
            analogy_rows.append([path.name, method, res.accuracy, res.semantic_accuracy,
                                 res.syntactic_accuracy, res.correct, res.total, res.oov])
            section_rows += [[path.name, s.name, s.accuracy, s.correct, s.total]
                             for s in res.sections]
        else:
            res = evaluate_word_pairs(
                kv, path, restrict_vocab=restrict_vocab, case_insensitive=case_insensitive,
            )
            payload["files"].append({
                "file": str(path), "kind": "word_pairs",
                "pearson": res.pearson[0], "pearson_p": res.pearson[1],
                "spearman": res.spearman[0], "spearman_p": res.spearman[1],
                "oov_ratio": res.oov_ratio, "pairs_total": res.pairs_total,
                "pairs_used": res.pairs_used, "oov_pairs": [list(p) for p in res.oov_pairs],
            })
            pairs_rows.append([path.name, res.spearman[0], res.pearson[0], res.pairs_used,
                               res.pairs_total, res.oov_ratio])
    tables = []
    if phrase_rows:
        tables.append(Table("phrase / sentence pairs",
                            ["file", "method", "spearman", "pearson", "pairs used", "pairs",
                             "seconds"], phrase_rows))
    if pairs_rows:
        tables.append(Table("word-pair similarity",
                            ["file", "spearman", "pearson", "pairs used", "pairs", "oov %"],
                            pairs_rows))
    if analogy_rows:
        tables.append(Table("analogies", ["file", "method", "accuracy", "semantic", "syntactic",
                                          "correct", "evaluated", "oov"], analogy_rows))
        tables.append(Table("analogy sections", ["file", "section", "accuracy", "correct",
                                                 "questions"], section_rows))
    return payload, tables


def keywords_run(docs: str, kv, *, top_k: int, method: str, id_field: str,
                 keywords_field: str, on_error: str, output, fmt: str) -> None:
    """Read a collection, compute all-pairs top-k, write it (CSV by default)."""
    import sys

    from simvec.collection import all_pairs_topk, read_collection

    source = sys.stdin if docs == "-" else docs
    ids, lists, report = read_collection(source, id_field=id_field,
                                         keywords_field=keywords_field, on_error=on_error)
    result = all_pairs_topk(ids, lists, kv, k=top_k, method=method)
    rows = [list(r) for r in result.rows()]
    payload = {
        "k": top_k, "method": method, "documents": len(ids),
        "skipped_lines": [{"line": line, "reason": why} for line, why in report.skipped],
        "no_vector": result.no_vector,
        "rows": [dict(zip(["id", "rank", "neighbor", "cosine", "jaccard"], r)) for r in rows],
    }
    table = Table(f"top-{top_k} similar documents",
                  ["id", "rank", "neighbor", "cosine", "jaccard"], rows)
    if output is None:
        emit(payload, [table], fmt)
        return
    import io

    from simvec._util import atomic_write

    def writer(f):
        text = io.TextIOWrapper(f, encoding="utf-8", newline="")
        emit(payload, [table], fmt, out=text)
        text.flush()
        text.detach()

    atomic_write([(output, writer)])


def evaluate_keywords_payload(docs: str, kv, *, label: str, methods, id_field: str,
                              keywords_field: str, on_error: str, on_missing_label: str,
                              k: int, seed: int):
    """Retrieval precision@1 / MAP@k of several keyword methods on a labelled collection."""
    import sys

    from simvec.retrieval import evaluate_keyword_retrieval, read_labeled_collection

    source = sys.stdin if docs == "-" else docs
    ids, lists, labels, report = read_labeled_collection(
        source, label, id_field=id_field, keywords_field=keywords_field, on_error=on_error,
        on_missing_label=on_missing_label)
    res = evaluate_keyword_retrieval(ids, lists, labels, kv, methods, k=k, seed=seed)
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
    table = Table(
        f"keyword retrieval: {Path(report.source).name} (label {label!r})",
        ["method", "precision@1", f"MAP@{k}", "seconds", "no vector", "source"],
        [[m.method, m.precision_at_1, m.map_at_k, m.seconds, m.no_vector, m.description]
         for m in res.methods],
        caption="; ".join(notes),
    )
    return payload, [table]


def info_payload(src, list_sources_only: bool):
    """Guessed format, size and dimension of a vector file, or the list of named sources."""
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

    if Path(src).exists():
        fmt, reason = detect_format(src)
    else:
        fmt, reason = "source", "named source"
    kv = simvec.load(src)
    norms = kv.norms
    payload = {
        "source": src, "format": fmt, "reason": reason, "count": len(kv),
        "vector_size": kv.vector_size, "dtype": str(kv.vectors.dtype),
        "first_keys": kv.index_to_key[:10],
        "norm_mean": float(np.mean(norms)), "zero_vectors": int(np.sum(norms == 0)),
    }
    rows = [[k, ", ".join(v) if isinstance(v, list) else v] for k, v in payload.items()]
    return payload, [Table(f"vectors: {src}", ["property", "value"], rows)]
