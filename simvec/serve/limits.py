"""What one request may ask of the server: sizes, counts and time (:class:`Limits`)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from simvec.errors import SimvecValueError

__all__ = ["Limits"]


@dataclass(frozen=True)
class Limits:
    """Bounds on every request, enforced before any work is done.

    The request schemas (and so the OpenAPI document at ``/openapi.json``) are built from these
    values, so a client can read them; a request over a bound gets a JSON 4xx naming the field
    (413 for the body size, 422 for the others, 503 for the time limit).

    Attributes
    ----------
    max_body_bytes : int, default 65536
        Largest request body, in bytes (413 above it).
    max_keywords : int, default 64
        Keywords per keyword list (``/similar`` ``a`` and ``b``; each ``/search`` query).
    max_lists : int, default 32
        Lists per request: ``/search`` queries, ``/neighbors`` words.
    max_top_k : int, default 100
        Largest ``top_k`` / ``topn`` (and ``k``).
    max_string_length : int, default 200
        Characters per keyword or word.
    max_map_words : int, default 200
        Words of one ``/map`` request.
    time_limit_s : float, default 10.0
        Seconds a request may wait and run; above it the client gets a 503 (the computation
        in progress is not interrupted, queued work is dropped).

    Raises
    ------
    SimvecValueError
        If a bound is not positive.
    """

    max_body_bytes: int = 65536
    max_keywords: int = 64
    max_lists: int = 32
    max_top_k: int = 100
    max_string_length: int = 200
    max_map_words: int = 200
    time_limit_s: float = 10.0

    def __post_init__(self):
        for name, value in asdict(self).items():
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
                raise SimvecValueError(f"limit {name} must be a positive number, got {value!r}")
            if name != "time_limit_s" and not isinstance(value, int):
                raise SimvecValueError(f"limit {name} must be a positive integer, got {value!r}")

    def as_dict(self) -> dict:
        """The limits as a JSON-able dict (``GET /info`` reports it)."""
        return asdict(self)
