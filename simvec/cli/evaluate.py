"""Payload of ``simvec evaluate``: word pairs, analogies and phrase / sentence pairs per file.

The computation lives in :mod:`simvec.eval`; this module detects each file's kind and shapes the
results as a JSON payload and tables.
"""

from __future__ import annotations

from pathlib import Path

from simvec.cli.render import Table

__all__ = ["evaluate_payload"]


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
    from simvec.eval.phrases import detect_pair_format, evaluate_text_pairs
    from simvec.eval.words import evaluate_word_analogies, evaluate_word_pairs

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
