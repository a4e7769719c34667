"""The HTTP API and web page of ``simvec serve``: :func:`create_app` (FastAPI).

Endpoints (JSON; field names as the CLI's ``--format json``):

=================  ==========================================================================
``GET /health``    ``{"status": "ok"}``
``GET /info``      vectors, collection, limits, available methods
``POST /similar``  two keyword lists -> default-method score, Jaccard, mean and best-match
                   cosines, the alignment behind the score (``simvec similar``), optional
                   keyword heat map
``GET /neighbors`` ``?word=W&word=V&topn=10`` -> nearest neighbours (``simvec neighbors``)
``POST /analogy``  a : b :: c : ? (``simvec analogy``)
``POST /search``   keyword-list queries ranked against the collection loaded at startup
                   (:func:`simvec.rank_collection`), or against an index in two stages
                   (:func:`simvec.index.rerank.rerank`); 404 when neither is loaded
``POST /map``      2-D PCA (UMAP if installed) coordinates of words, for the page's map
``GET /``          the web page (static files inside the package; no CDN)
``GET /docs``      OpenAPI UI (FastAPI's; it loads its script from a CDN, unlike the page)
=================  ==========================================================================

One computation runs at a time (a lock), so the numba kernels are never entered concurrently:
a small ``/similar`` request (:data:`INLINE_MAX_CHARS`) is scored on the event loop when
nothing else computes; every other request goes to one worker thread, in arrival order, and
waits at most ``Limits.time_limit_s``. Every error is a JSON object ``{"error", "field", "detail"}`` with a
4xx status (503 for the time limit); no traceback reaches a client.
"""

import asyncio
import functools
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from simvec._util import import_optional
from simvec.errors import OutOfVocabularyError, SimvecError, SimvecValueError
from simvec.serve.limits import Limits

__all__ = ["create_app", "app_from_env", "Collection", "load_collection", "ApiError",
           "STATIC_DIR", "CONFIG_ENV", "INLINE_MAX_CHARS"]

#: Environment variable :func:`app_from_env` reads (``simvec serve --workers N`` sets it).
CONFIG_ENV = "SIMVEC_SERVE_CONFIG"

log = logging.getLogger(__name__)

#: The web page's files (installed with the package).
STATIC_DIR = Path(__file__).resolve().parent / "static"

_PAGE_HEADERS = {
    # the page loads nothing from elsewhere: no CDN, works offline
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:",
    "X-Content-Type-Options": "nosniff",
}


@dataclass(frozen=True)
class Collection:
    """A keyword collection held in memory for ``POST /search``.

    Attributes
    ----------
    ids : list of str, length N
    keyword_lists : list of list of str, length N
    name : str
        What to show in ``/info`` (the file's name, never its full path).
    skipped : list of (int, str)
        Lines skipped while reading, with their reasons.
    """

    ids: list
    keyword_lists: list
    name: str = "collection"
    skipped: list = field(default_factory=list)


def load_collection(path, *, id_field: str = "id", keywords_field: str = "keywords",
                    on_error: str = "raise") -> Collection:
    """Read a JSONL / CSV keyword collection with :func:`simvec.read_collection`.

    Parameters
    ----------
    path : str or os.PathLike
        ``{"id": ..., "keywords": [...]}`` per line (JSONL) or a CSV with those columns.
    id_field, keywords_field : str
        Field (JSONL) or column (CSV) names.
    on_error : {"raise", "skip"}
        What a malformed line does (see :func:`simvec.read_collection`).

    Returns
    -------
    Collection

    Raises
    ------
    InputFormatError
        Naming the file and line of a malformed record (``on_error="raise"``).
    SimvecValueError
        If the collection holds no document.
    FileNotFoundError
        If ``path`` does not exist.
    """
    from simvec.keywords.collection import read_collection

    ids, lists, report = read_collection(path, id_field=id_field, keywords_field=keywords_field,
                                         on_error=on_error)
    if not ids:
        raise SimvecValueError(f"collection {path} holds no document")
    return Collection(ids=list(ids), keyword_lists=list(lists), name=Path(path).name,
                      skipped=list(report.skipped))


class ApiError(Exception):
    """An error answered as JSON ``{"error": message, "field": field}`` with ``status``."""

    def __init__(self, status: int, message: str, field: Optional[str] = None):
        super().__init__(message)
        self.status, self.message, self.field = status, message, field


class _BodyLimit:
    """ASGI middleware: a request body over ``max_bytes`` gets a JSON 413, unread beyond that."""

    def __init__(self, app, max_bytes: int):
        self.app, self.max_bytes = app, max_bytes

    async def _reject(self, send, status: int, message: str):
        import json

        body = json.dumps({"error": message, "field": "body", "detail": None}).encode()
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        too_big = f"request body exceeds the limit of {self.max_bytes} bytes"
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    return await self._reject(send, 400, "Content-Length is not an integer")
                if declared > self.max_bytes:
                    return await self._reject(send, 413, too_big)
        body, more = bytearray(), True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > self.max_bytes:
                return await self._reject(send, 413, too_big)
        sent = False

        async def replay():
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": bytes(body), "more_body": False}
            return await receive()

        return await self.app(scope, replay, send)


#: ``POST /similar`` requests whose keywords total at most this many characters (both lists)
#: are scored on the event loop itself; larger ones go to the worker thread, under the time
#: limit. The hop to the thread and back (two GIL hand-offs) cost more than the scoring of a
#: typical pair (about 1 ms): answering inline took one server process from 377 to 678-785
#: requests/s at 32 clients (bench/serve.py, docs/benchmarks.md). At this bound the slowest
#: inline request (1,024 characters of one- and two-letter words, 186 tokens a side) took
#: 9.5 ms in-process; 2,048 characters took 16 ms. While the worker thread computes, small
#: requests queue behind it as the others do (one computation at a time).
INLINE_MAX_CHARS = 1024


def _field_of(loc) -> Optional[str]:
    parts = [str(p) for p in loc if p not in ("body", "query", "path")]
    return ".".join(parts) or (str(loc[0]) if loc else None)


def _init_worker(threads: int) -> None:
    try:
        import numba

        numba.set_num_threads(max(1, min(threads, numba.config.NUMBA_NUM_THREADS)))
    except Exception:  # pragma: no cover - numba is a dependency; a failure only costs speed
        log.warning("could not set numba threads to %d", threads)


def create_app(kv, *, vectors_name: str = "vectors", collection: Optional[Collection] = None,
               limits: Optional[Limits] = None, cors_origins=None, threads: int = 1,
               index=None):
    """The FastAPI app answering keyword similarity, neighbours, analogies and search.

    Parameters
    ----------
    kv : KeyedVectors
        Loaded once (e.g. ``simvec.load("glove-6B-50d")``); shared read-only by all requests.
    vectors_name : str
        Name reported in responses (``"vectors"`` field), e.g. the source name.
    collection : Collection, optional
        Documents ``POST /search`` ranks exactly (:func:`load_collection`); without it or
        ``index``, ``/search`` answers 404 saying so.
    index : AnnIndex, optional
        An approximate index (:func:`simvec.index.load_index`, ``simvec index build``) built
        from ``kv``: ``/search`` then answers in two stages, the index's candidates re-ranked
        with the request's method (:func:`simvec.index.rerank`), when the index holds the
        documents' keyword lists; an index without them answers ``method="mean"`` only.
        Not together with ``collection``.
    limits : Limits, optional
        Request bounds; default :class:`Limits()`.
    cors_origins : sequence of str, optional
        Origins allowed by CORS; default none (no CORS headers: the page is same-origin).
    threads : int, default 1
        numba threads of the worker thread. 1 is fastest for single requests of a busy
        server: the kernels' parallel launch costs more than the small problems gain.

    Returns
    -------
    fastapi.FastAPI

    Raises
    ------
    MissingDependencyError
        If FastAPI is not installed (``pip install 'simvec[serve]'``).
    SimvecValueError
        If both ``collection`` and ``index`` are given, or the index was built with other
        vectors than ``kv``.

    Examples
    --------
    >>> import numpy as np
    >>> from fastapi.testclient import TestClient                       # doctest: +SKIP
    >>> from simvec.vectors.keyed import KeyedVectors
    >>> kv = KeyedVectors(np.array([[1, 0], [0.9, 0.1], [0, 1]], np.float32),
    ...                   ["cat", "kitten", "car"])
    >>> client = TestClient(create_app(kv))                              # doctest: +SKIP
    >>> client.get("/neighbors", params={"word": "cat", "topn": 1}).json()  # doctest: +SKIP
    {'neighbors': {'cat': [{'word': 'kitten', 'cosine': 0.99...}]}, 'oov': []}
    """
    import_optional("fastapi", needed_by="simvec serve", extra="serve")
    from fastapi import FastAPI, Query, Request
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import FileResponse, JSONResponse
    from fastapi.staticfiles import StaticFiles
    from starlette.exceptions import HTTPException as StarletteHTTPException

    import simvec
    from simvec.serve import schemas as S
    from simvec.serve.projection import available_projections, project_words

    limits = limits or Limits()
    if index is not None:
        from simvec.index.encode import encoder_info

        if collection is not None:
            raise SimvecValueError("give a collection or an index for /search, not both")
        index.check_encoder(encoder_info(kv))
        if index.meta.get("has_keywords"):  # its saved token table, if any: fast re-ranking
            from simvec.index.tokens import index_token_table

            index_token_table(index, kv, build=False)
    index_name = None if index is None else (
        index.path.name if getattr(index, "path", None) is not None else "index")
    map_methods = tuple(m for m in available_projections() if m != "tsne")
    R = S.request_models(limits, map_methods)
    Word = R.Word
    workers: list = []  # the one worker thread, (re)made on demand: an app may be run again

    def executor():
        if not workers:
            workers.append(ThreadPoolExecutor(max_workers=1, thread_name_prefix="simvec-serve",
                                              initializer=_init_worker, initargs=(threads,)))
        return workers[0]

    @asynccontextmanager
    async def lifespan(app):
        yield
        while workers:
            workers.pop().shutdown(wait=False, cancel_futures=True)

    app = FastAPI(
        title="simvec",
        version=simvec.__version__,
        description="Keyword similarity, nearest neighbours, analogies and search over word "
        f"vectors ({vectors_name}). Field names as the CLI's `--format json`.",
        lifespan=lifespan,
        responses={400: {"model": S.ErrorResponse, "description": "Unreadable request body"},
                   422: {"model": S.ErrorResponse, "description": "Bad input (names the field)"},
                   413: {"model": S.ErrorResponse, "description": "Request body too large"},
                   503: {"model": S.ErrorResponse, "description": "Time limit exceeded"}},
    )
    app.state.kv, app.state.limits, app.state.collection = kv, limits, collection
    app.add_middleware(_BodyLimit, max_bytes=limits.max_body_bytes)
    if cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(CORSMiddleware, allow_origins=list(cors_origins),
                           allow_methods=["GET", "POST"], allow_headers=["content-type"])

    # held while any request computes, on the worker thread or inline on the event loop: the
    # numba kernels are never entered by two threads at once (numba's workqueue threading
    # layer, its fallback without OpenMP or TBB, aborts the process on concurrent launches)
    computing = threading.Lock()

    def locked(fn, *args, **kwargs):
        with computing:
            return fn(*args, **kwargs)

    async def run(fn, *args, **kwargs):
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(executor(), functools.partial(locked, fn, *args, **kwargs))
        try:
            return await asyncio.wait_for(future, limits.time_limit_s)
        except asyncio.TimeoutError:
            raise ApiError(503, f"the request took longer than the time limit of "
                                f"{limits.time_limit_s:g} s") from None

    # ------------------------------------------------------------------ errors as JSON
    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError):
        return JSONResponse({"error": exc.message, "field": exc.field, "detail": None},
                            status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        detail = [{"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")),
                   "type": str(e.get("type", ""))} for e in exc.errors()]
        first = detail[0] if detail else {"loc": [], "msg": "invalid request"}
        where = _field_of(first["loc"])
        return JSONResponse({"error": f"{where}: {first['msg']}" if where else first["msg"],
                             "field": where, "detail": detail}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        return JSONResponse({"error": str(exc.detail), "field": None, "detail": None},
                            status_code=exc.status_code, headers=getattr(exc, "headers", None))

    @app.exception_handler(OutOfVocabularyError)
    async def _oov(request: Request, exc: OutOfVocabularyError):
        return JSONResponse({"error": str(exc), "field": None, "detail": None}, status_code=404)

    @app.exception_handler(SimvecError)
    async def _simvec(request: Request, exc: SimvecError):
        return JSONResponse({"error": str(exc), "field": None, "detail": None}, status_code=422)

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception):  # pragma: no cover - a bug
        log.exception("internal error on %s %s", request.method, request.url.path)
        return JSONResponse({"error": "internal error (logged on the server)", "field": None,
                             "detail": None}, status_code=500)

    # ------------------------------------------------------------------ endpoints
    @app.get("/health", response_model=S.HealthResponse, tags=["service"])
    async def health():
        """Liveness: answers without touching the worker thread."""
        return {"status": "ok"}

    @app.get("/info", response_model=S.InfoResponse, tags=["service"])
    async def info():
        """The loaded vectors and collection, the limits, the methods offered."""
        coll = None if collection is None else {
            "name": collection.name, "documents": len(collection.ids),
            "skipped_lines": len(collection.skipped), "index": False}
        if index is not None:
            coll = {"name": index_name, "documents": len(index), "skipped_lines": 0,
                    "index": True, "keywords": bool(index.meta.get("has_keywords"))}
        return {"vectors": vectors_name, "count": len(kv), "vector_size": kv.vector_size,
                "collection": coll, "limits": limits.as_dict(), "map_methods": list(map_methods),
                "search_methods": list(S.SEARCH_METHODS), "version": simvec.__version__}

    def similar_work(req):
        from simvec.keywords.pair import similarity_report

        # no word_probabilities: the library's cached, read-only Zipf SIF weights
        # (simvec.keywords.weighting.zipf_sif_weights). Passing precomputed Zipf
        # probabilities gave the same scores but recomputed the 400,000 weights on every
        # request (43% of the server's CPU under load).
        payload = similarity_report(req.a, req.b, kv, vectors=vectors_name)
        used_a = [k for k in payload["a"] if k not in payload["oov_a"]]
        used_b = [k for k in payload["b"] if k not in payload["oov_b"]]
        if req.heatmap and used_a and used_b:
            from simvec.serve.projection import keyword_heatmap

            hm = keyword_heatmap(req.a, req.b, kv)  # the picture of simvec similar --plot
            payload["heatmap"] = {"rows": hm.rows, "cols": hm.cols,
                                  "cosine": hm.cosine.round(4).tolist()}
        return payload

    @app.post("/similar", response_model=S.SimilarResponse, tags=["keywords"])
    async def similar(req: R.SimilarRequest):
        """Compare two keyword lists (``simvec similar``): the default method's score
        (sif_best_match), Jaccard, mean-vector and best-match cosines, and the token alignment
        behind the score (each token's best partner token, cosine and SIF weight)."""
        if sum(map(len, req.a)) + sum(map(len, req.b)) <= INLINE_MAX_CHARS and \
                computing.acquire(blocking=False):
            try:  # small, and the worker is idle: on the event loop, no thread hop
                return similar_work(req)
            finally:
                computing.release()
        return await run(similar_work, req)

    def neighbors_work(words, topn, restrict_vocab):
        known = list(dict.fromkeys(w for w in words if w in kv))
        missing = list(dict.fromkeys(w for w in words if w not in kv))
        if not known:
            raise ApiError(404, f"none of the words is in the vocabulary: {', '.join(missing)}",
                           "word")
        results = kv.most_similar_batch(known, topn=topn, restrict_vocab=restrict_vocab)
        return {"neighbors": {w: [{"word": n, "cosine": s} for n, s in res]
                              for w, res in zip(known, results)}, "oov": missing}

    not_found = {404: {"model": S.ErrorResponse, "description": "No word is in the vocabulary"}}

    @app.get("/neighbors", response_model=S.NeighborsResponse, tags=["vectors"],
             responses=not_found)
    async def neighbors(
        word: list[Word] = Query(..., min_length=1, max_length=limits.max_lists,
                                 description="Query word; repeat for several."),
        topn: int = Query(10, ge=1, le=limits.max_top_k, description="Neighbours per word."),
        restrict_vocab: Optional[int] = Query(
            None, ge=1, le=max(1, len(kv)), description="Search only the N most frequent words."),
    ):
        """Nearest neighbours of each word by cosine (``simvec neighbors``); unknown words are
        listed in ``oov`` (404 when none is known)."""
        return await run(neighbors_work, word, topn, restrict_vocab)

    def analogy_work(req):
        for name in ("a", "b", "c"):
            if getattr(req, name) not in kv:
                raise ApiError(404, f"{name}: {getattr(req, name)!r} is not in the vocabulary",
                               name)
        answers = kv.analogy(req.a, req.b, req.c, topn=req.topn, method=req.method)
        return {"question": [req.a, req.b, req.c], "method": req.method,
                "answers": [{"word": w, "score": s} for w, s in answers]}

    @app.post("/analogy", response_model=S.AnalogyResponse, tags=["vectors"],
              responses=not_found)
    async def analogy(req: R.AnalogyRequest):
        """Solve 'a is to b as c is to ?' (``simvec analogy``), 3CosAdd or 3CosMul."""
        return await run(analogy_work, req)

    def search_work(req):
        from simvec.keywords.topk import rank_collection

        res = rank_collection(req.queries, collection.ids, collection.keyword_lists, kv,
                              k=req.k, method=req.method)
        results = [{"query": q, "neighbors": []} for q in range(len(req.queries))]
        for q, rank, other, score, jac in res.rows():
            results[q]["neighbors"].append({"rank": rank, "id": str(other), "score": score,
                                            "jaccard": jac})
        return {"k": req.k, "method": req.method, "documents": len(collection.ids),
                "no_vector": [int(q) for q in res.no_vector], "results": results}

    def index_search_work(req):
        import numpy as np

        from simvec.index.rerank import DEFAULT_CANDIDATES, rerank
        from simvec.keywords.parse import jaccard

        with_keywords = bool(index.meta.get("has_keywords"))
        if with_keywords:
            res = rerank(index, req.queries, kv, req.k,
                         candidates=max(DEFAULT_CANDIDATES, req.k), method=req.method)
            idx, val = res.index, res.score
        elif req.method == "mean":
            idx, val = index.query(req.queries, kv, req.k)
        else:
            raise ApiError(422, f"method {req.method!r} needs the documents' keyword lists, "
                                "and the loaded index holds none: use method 'mean', or "
                                "rebuild the index from the collection file", "method")
        results = []
        for q, (rows, scores) in enumerate(zip(idx, val)):
            hits = [(int(r), float(s)) for r, s in zip(rows, scores) if r >= 0]
            docs = index.keywords([r for r, _ in hits]) if with_keywords else [None] * len(hits)
            results.append({"query": q, "neighbors": [
                {"rank": rank, "id": str(index.ids[r]), "score": s,
                 "jaccard": None if kws is None else jaccard(req.queries[q], kws)}
                for rank, ((r, s), kws) in enumerate(zip(hits, docs), start=1)]})
        return {"k": req.k, "method": req.method if with_keywords else "mean",
                "documents": len(index),
                "no_vector": [int(q) for q in np.flatnonzero(np.all(idx < 0, axis=1))],
                "results": results}

    @app.post("/search", response_model=S.SearchResponse, tags=["keywords"],
              responses={404: {"model": S.ErrorResponse,
                               "description": "No collection or index is loaded"}})
    async def search(req: R.SearchRequest):
        """The ``k`` documents of the loaded collection most similar to each query keyword
        list: exact over a collection (:func:`simvec.rank_collection`), or in two stages over
        an index (its candidates re-ranked with ``method``, :func:`simvec.index.rerank`)."""
        if index is not None:
            return await run(index_search_work, req)
        if collection is None:
            raise ApiError(404, "no collection is loaded: start the server with "
                                "`simvec serve --collection FILE.jsonl` or "
                                "`--index INDEX`", "collection")
        return await run(search_work, req)

    def map_work(req):
        proj = project_words(kv, req.words, req.method)
        return {"method": proj.method, "words": proj.words, "x": proj.coords[:, 0].tolist(),
                "y": proj.coords[:, 1].tolist(), "oov": proj.oov}

    @app.post("/map", response_model=S.MapResponse, tags=["vectors"])
    async def word_map(req: R.MapRequest):
        """2-D coordinates of the words' unit vectors (PCA; UMAP when umap-learn is
        installed); 422 when fewer than 2 (UMAP: 3) are in the vocabulary."""
        return await run(map_work, req)

    # ------------------------------------------------------------------ the web page
    @app.get("/", include_in_schema=False)
    async def page():
        return FileResponse(STATIC_DIR / "index.html", headers=_PAGE_HEADERS)

    class PageFiles(StaticFiles):  # the page's files, with its headers (no per-request hook)
        def file_response(self, *args, **kwargs):
            response = super().file_response(*args, **kwargs)
            response.headers.update(_PAGE_HEADERS)
            return response

    app.mount("/static", PageFiles(directory=STATIC_DIR), name="static")

    return app


def app_from_env():
    """Build the app from the JSON in ``$SIMVEC_SERVE_CONFIG`` (an ASGI factory).

    ``simvec serve --workers N`` runs ``uvicorn simvec.serve.app:app_from_env --factory`` in N
    processes; each loads the vectors (and collection) itself. The JSON holds ``vectors``
    (source name or file), ``collection`` (path or null), ``index`` (an index folder or
    null), ``id_field``, ``keywords_field``, ``limits`` (the fields of :class:`Limits`),
    ``cors_origins`` and ``threads``.

    Returns
    -------
    fastapi.FastAPI

    Raises
    ------
    SimvecValueError
        If the variable is unset or not a JSON object.
    """
    import json
    import os

    import simvec

    raw = os.environ.get(CONFIG_ENV)
    try:
        cfg = json.loads(raw) if raw else None
    except ValueError as exc:
        raise SimvecValueError(f"${CONFIG_ENV} is not valid JSON: {exc}") from None
    if not isinstance(cfg, dict) or "vectors" not in cfg:
        raise SimvecValueError(f"${CONFIG_ENV} must be a JSON object with a 'vectors' field")
    coll = None
    if cfg.get("collection"):
        coll = load_collection(cfg["collection"], id_field=cfg.get("id_field", "id"),
                               keywords_field=cfg.get("keywords_field", "keywords"))
    index = None
    if cfg.get("index"):
        from simvec.index.ann import load_index

        index = load_index(cfg["index"])
    return create_app(simvec.load(cfg["vectors"]), vectors_name=cfg["vectors"], collection=coll,
                      limits=Limits(**cfg.get("limits", {})),
                      cors_origins=cfg.get("cors_origins"), threads=cfg.get("threads", 1),
                      index=index)
