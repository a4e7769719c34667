"""Payload of ``simvec evaluate``: word pairs, analogies and phrase / sentence pairs per file.

The computation lives in :mod:`simvec.eval`; this module detects each file's kind and shapes the
results as a JSON payload and tables.
"""

from __future__ import annotations

from pathlib import Path

from simvec.cli.render import Table

__all__ = ["evaluate_payload", "LOW_COVERAGE", "check_word_frequencies"]

#: Below this fraction of usable items (pairs or questions in the vocabulary) a result is
#: flagged ``low_coverage`` in JSON and warned about on stderr: the figure is not comparable.
LOW_COVERAGE = 0.5


def _coverage(name: str, used: int, total: int, what: str) -> tuple[float | None, bool]:
    """Fraction of ``total`` items usable and whether it is low (a warning is printed then)."""
    from simvec.cli.options import warn

    if total <= 0:
        return None, True
    cov = used / total
    low = cov < LOW_COVERAGE
    if low:
        warn(f"{name}: only {used} of {total} {what} ({100 * cov:.1f} %) are in the vocabulary; "
             "the figure is unreliable")
    return cov, low


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


def check_word_frequencies(value: str) -> None:
    """Refuse a ``--word-frequencies`` that is neither a source name nor a file (before loading).

    Raises
    ------
    SimvecFileNotFoundError
        Naming the flag, the value and the choices.
    """
    from simvec.errors import SimvecFileNotFoundError
    from simvec.keywords.weighting import PROBABILITY_SOURCES

    if value not in PROBABILITY_SOURCES and not Path(value).is_file():
        raise SimvecFileNotFoundError(
            f"--word-frequencies must be {' or '.join(PROBABILITY_SOURCES)} or a word<TAB>count "
            f"file; no such file: {value}")


def evaluate_payload(files, kv, *, restrict_vocab: int, method: str, case_insensitive: bool,
                     names=None, word_frequencies: str = "zipf", sif_reference=None,
                     bootstrap: int = 1000, all_but_the_top: bool = False):
    """Word-pair correlations and analogy accuracies for each file, kind detected per file.

    ``names`` are what the user called the files (``"-"`` for stdin), reported instead of the
    paths. Every result (a word-pair or analogy file, each method of a phrase / sentence-pair
    file) carries ``coverage`` (fraction of items usable, 0-1), ``low_coverage`` (below
    :data:`LOW_COVERAGE`), ``note`` (why its figures are ``null``, else ``""``) and
    ``oov_fraction`` (0-1) where the library reports a percentage. Phrase / sentence-pair files are scored with SIF probabilities from
    ``word_frequencies``, SIF's common component from ``sif_reference`` (a pair file) when
    given, and ``bootstrap`` resamples for each Spearman's 95 % interval (JSON keys
    ``spearman_low``, ``spearman_high``, ``bootstrap_resamples``); ``all_but_the_top`` only
    records that ``kv`` was post-processed.
    """
    from simvec.eval.phrases import detect_pair_format, evaluate_text_pairs
    from simvec.eval.words import evaluate_word_analogies, evaluate_word_pairs

    pairs_rows, analogy_rows, section_rows, payload = [], [], [], {"files": []}
    phrase_rows = []
    names = list(names) if names is not None else [str(f) for f in files]
    reference = None
    if sif_reference is not None and any(detect_pair_format(Path(f)) is not None for f in files):
        from simvec.eval.phrases import read_text_pairs

        reference = read_text_pairs(sif_reference)
    for path, shown in zip(files, names):
        path = Path(path)
        label = "stdin" if shown == "-" else Path(shown).name
        if detect_pair_format(path) is not None:  # BiRD / STS Benchmark phrase or sentence pairs
            results, pairs = evaluate_text_pairs(
                kv, path, word_probabilities=word_frequencies, sif_reference=reference,
                bootstrap=bootstrap)
            methods = []
            for r in results:
                cov, low = _coverage(f"{label} ({r.method})", r.pairs_used, r.pairs_total,
                                     "pairs")
                methods.append({**r.to_dict(), "coverage": cov, "low_coverage": low})
            payload["files"].append({
                "file": shown, "kind": "text_pairs", "format": pairs.format,
                "pairs": len(pairs.scores), "methods": methods,
                "low_coverage": any(m["low_coverage"] for m in methods),
                "word_frequencies": word_frequencies, "sif_reference": sif_reference and
                str(sif_reference), "all_but_the_top": all_but_the_top,
            })
            phrase_rows += [[label, r.method, r.spearman, _ci(r), r.pearson, r.pairs_used,
                             r.pairs_total, m["coverage"], r.seconds]
                            for r, m in zip(results, methods)]
            continue
        if _is_analogy_file(path):
            res = evaluate_word_analogies(
                kv, path, restrict_vocab=restrict_vocab, method=method,
                case_insensitive=case_insensitive,
            )
            cov, low = _coverage(label, res.questions - res.oov, res.questions, "questions")
            payload["files"].append({
                "file": shown, "kind": "analogy", "method": res.method,
                "restrict_vocab": res.restrict_vocab, "accuracy": res.accuracy,
                "semantic_accuracy": res.semantic_accuracy,
                "syntactic_accuracy": res.syntactic_accuracy, "correct": res.correct,
                "total": res.total, "oov": res.oov, "questions": res.questions,
                "oov_fraction": res.oov_ratio / 100.0, "coverage": cov, "low_coverage": low,
                "sections": [{"name": s.name, "accuracy": s.accuracy, "correct": s.correct,
                              "total": s.total, "oov": s.oov, "syntactic": s.syntactic}
                             for s in res.sections],
                "note": _analogy_note(res),
            })
            analogy_rows.append([label, method, res.accuracy, res.semantic_accuracy,
                                 res.syntactic_accuracy, res.correct, res.total, res.oov])
            section_rows += [[label, s.name, s.accuracy, s.correct, s.total]
                             for s in res.sections]
        else:
            res = evaluate_word_pairs(
                kv, path, restrict_vocab=restrict_vocab, case_insensitive=case_insensitive,
            )
            cov, low = _coverage(label, res.pairs_used, res.pairs_total, "pairs")
            payload["files"].append({
                "file": shown, "kind": "word_pairs",
                "pearson": res.pearson[0], "pearson_p": res.pearson[1],
                "spearman": res.spearman[0], "spearman_p": res.spearman[1],
                "oov_fraction": res.oov_ratio / 100.0, "coverage": cov, "low_coverage": low,
                "pairs_total": res.pairs_total,
                "pairs_used": res.pairs_used, "oov_pairs": [list(p) for p in res.oov_pairs],
                "note": res.note,
            })
            pairs_rows.append([label, res.spearman[0], res.pearson[0], res.pairs_used,
                               res.pairs_total, cov])
    tables = []
    if phrase_rows:
        tables.append(Table("phrase / sentence pairs",
                            ["file", "method", "spearman", "95% CI", "pearson", "pairs used",
                             "pairs", "coverage", "seconds"], phrase_rows))
    if pairs_rows:
        tables.append(Table("word-pair similarity",
                            ["file", "spearman", "pearson", "pairs used", "pairs", "coverage"],
                            pairs_rows))
    if analogy_rows:
        tables.append(Table("analogies", ["file", "method", "accuracy", "semantic", "syntactic",
                                          "correct", "evaluated", "oov"], analogy_rows))
        tables.append(Table("analogy sections", ["file", "section", "accuracy", "correct",
                                                 "questions"], section_rows))
    return payload, tables


def _analogy_note(res) -> str:
    """Why an analogy accuracy is undefined (``null``), or ``""``: the ``note`` of every result."""
    if res.total:
        return ""
    return (f"none of the {res.questions} questions has all four words among the first "
            f"{res.restrict_vocab} vocabulary rows: the accuracy is undefined")


def _ci(r) -> str:
    """``"0.571-0.615"`` or ``"-"`` when no interval was computed."""
    if not r.bootstrap_resamples:
        return "-"
    return f"{r.spearman_low:.3f}-{r.spearman_high:.3f}"
