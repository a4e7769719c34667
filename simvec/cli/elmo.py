"""The work of ``simvec elmo embed`` (the command is in :mod:`simvec.cli.app`): read sentences,
embed, write ``.npy`` / ``.h5``."""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path

from simvec.errors import InputFormatError, SimvecFileNotFoundError, SimvecValueError

__all__ = ["read_sentences", "embed_file"]

log = logging.getLogger(__name__)


def read_sentences(file) -> list[list[str]]:
    """Sentences of a UTF-8 file (or ``"-"``: stdin), one per line, split on whitespace;
    blank lines are skipped. Invalid UTF-8 raises InputFormatError naming file and line."""
    if str(file) == "-":
        data, name = sys.stdin.buffer.read(), "<stdin>"
    else:
        path = Path(file)
        if not path.is_file():
            raise SimvecFileNotFoundError(f"no such sentence file: {path}")
        data, name = path.read_bytes(), str(path)
    try:
        lines = data.decode("utf-8").splitlines()
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1)
        raise InputFormatError(f"invalid UTF-8 at byte {col} of the line ({exc.reason})",
                               path=name, line=line) from None
    sents = [line.split() for line in lines if line.strip()]
    if not sents:
        raise SimvecValueError(f"{file}: no sentence to embed (the file has no non-blank line)")
    return sents


def embed_file(file, options, weights, *, output: str = "elmo", out="elmo.npy",
               batch_size: int = 64, num_threads: int | None = None,
               quiet: bool = False) -> dict:
    """Embed every sentence of ``file`` and save ``output`` to ``out``.

    Returns a JSON-able summary: ``layer``, ``sentences``, ``tokens``, ``seconds``,
    ``tokens_per_second``, ``output`` (the file) and ``message`` (one line for people).

    See :meth:`simvec.elmo.ElmoEmbedder.save` for the file layouts.
    """
    from simvec._util import check_output_path
    from simvec.elmo.embedder import ElmoEmbedder

    check_output_path(out, "-o")
    sents = read_sentences(file)
    from simvec.cli.progress import Progress

    emb = ElmoEmbedder(options, weights, batch_size=batch_size, num_threads=num_threads)
    t0 = time.perf_counter()
    with Progress("elmo embed: sentences", total=len(sents), unit="sentences",
                  quiet=quiet) as bar:  # stderr: a bar on a terminal, log lines when piped
        emb.save(sents, out, output, progress=bar.update_to)
    dt = time.perf_counter() - t0
    n_tok = sum(len(s) for s in sents)
    message = (f"wrote {output} of {len(sents)} sentences ({n_tok} tokens, "
               f"{n_tok / dt:.0f} tokens/s) to {out}")
    return {"layer": output, "sentences": len(sents), "tokens": n_tok, "seconds": dt,
            "tokens_per_second": n_tok / dt if dt > 0 else None, "output": str(out),
            "message": message}
