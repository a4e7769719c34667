"""``simvec serve`` (the HTTP API and web page) and ``simvec plot words`` (a 2-D map as PNG).

The app itself is :func:`simvec.serve.create_app`; this module parses flags, loads the vectors
(and the collection) once, and runs uvicorn.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, List, Optional

import typer

__all__ = ["serve", "plot_app", "plot_words"]

DEFAULT_VECTORS = "glove-6B-50d"


def serve(
    vectors: Annotated[str, typer.Option(
        "--vectors", "-v", help="Named source (see `simvec info --sources`) or a vector file.")
    ] = DEFAULT_VECTORS,
    collection: Annotated[Optional[Path], typer.Option(
        "--collection", help="Keyword collection for POST /search: JSONL ({\"id\":..., "
        "\"keywords\": [...]}) or CSV. Without it /search answers 404.")] = None,
    index: Annotated[Optional[Path], typer.Option(
        "--index", help="Index folder from `simvec index build` (built with --vectors) for "
        "POST /search: the index's candidates re-ranked with the request's method. Not "
        "with --collection.")] = None,
    id_field: Annotated[str, typer.Option(help="Collection field holding the id.")] = "id",
    keywords_field: Annotated[str, typer.Option(help="Collection field holding the keywords.")]
    = "keywords",
    host: Annotated[str, typer.Option(
        help="Address to bind; the default answers this machine only.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    cors_origin: Annotated[Optional[List[str]], typer.Option(
        "--cors-origin", help="Allow this origin by CORS (repeat for several); default: none.")
    ] = None,
    max_body_bytes: Annotated[int, typer.Option(help="Largest request body (bytes).")] = 65536,
    max_keywords: Annotated[int, typer.Option(help="Keywords per keyword list.")] = 64,
    max_lists: Annotated[int, typer.Option(
        help="Lists per request (/search queries, /neighbors words).")] = 32,
    max_top_k: Annotated[int, typer.Option(help="Largest top_k / topn / k.")] = 100,
    max_string_length: Annotated[int, typer.Option(help="Characters per keyword.")] = 200,
    time_limit: Annotated[float, typer.Option(
        help="Seconds a request may take (then 503).")] = 10.0,
    threads: Annotated[int, typer.Option(
        help="numba threads of the worker (1 is fastest for many small requests).")] = 1,
    workers: Annotated[int, typer.Option(
        help="Server processes; each loads the vectors (about 350 MB each for GloVe 6B 50d).")
    ] = 1,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "info",
):
    """Serve the HTTP API (/similar, /neighbors, /analogy, /search, /map; OpenAPI at /docs)
    and the web page (/) on HOST:PORT."""
    import simvec
    from simvec._util import import_optional
    from simvec.serve.app import create_app, load_collection
    from simvec.serve.limits import Limits

    import_optional("fastapi", needed_by="simvec serve", extra="serve")
    uvicorn = import_optional("uvicorn", needed_by="simvec serve", extra="serve")
    try:
        limits = Limits(max_body_bytes=max_body_bytes, max_keywords=max_keywords,
                        max_lists=max_lists, max_top_k=max_top_k,
                        max_string_length=max_string_length, time_limit_s=time_limit)
    except ValueError as exc:  # names the limit; map it to its flag
        raise typer.BadParameter(str(exc).replace("limit ", "--").replace("_", "-")) from None
    coll = ix = None
    if index is not None:  # before the vectors: a bad index fails fast
        from simvec.errors import SimvecError
        from simvec.index.ann import load_index

        if collection is not None:
            raise typer.BadParameter("give --collection or --index, not both",
                                     param_hint="--index")
        try:
            ix = load_index(index)
        except SimvecError as exc:
            raise typer.BadParameter(str(exc), param_hint="--index") from None
        typer.echo(f"index {index.name}: {len(ix)} documents", err=True)
    if collection is not None:  # before the vectors: a bad file fails fast
        if not collection.is_file():
            raise typer.BadParameter(f"--collection: no such file: {collection}")
        coll = load_collection(collection, id_field=id_field, keywords_field=keywords_field)
        typer.echo(f"collection {collection.name}: {len(coll.ids)} documents", err=True)
    if workers < 1:
        raise typer.BadParameter(f"--workers must be a positive integer, got {workers}")
    if workers > 1:  # uvicorn's process manager: each process builds its app from the config
        import json
        import os
        from dataclasses import asdict

        from simvec.serve.app import CONFIG_ENV

        os.environ[CONFIG_ENV] = json.dumps({
            "vectors": vectors, "collection": None if collection is None else str(collection),
            "index": None if index is None else str(index),
            "id_field": id_field, "keywords_field": keywords_field, "limits": asdict(limits),
            "cors_origins": cors_origin, "threads": threads})
        typer.echo(f"simvec serve: {vectors}, {workers} processes on http://{host}:{port}/",
                   err=True)
        _run_workers(uvicorn, workers=workers, host=host, port=port, log_level=log_level)
        return
    kv = simvec.load(vectors)
    if ix is not None:
        from simvec.errors import SimvecError
        from simvec.index.encode import encoder_info

        try:
            ix.check_encoder(encoder_info(kv))
        except SimvecError as exc:
            raise typer.BadParameter(str(exc), param_hint="--index") from None
    app = create_app(kv, vectors_name=vectors, collection=coll, limits=limits,
                     cors_origins=cors_origin, threads=threads, index=ix)
    typer.echo(f"simvec serve: {vectors} ({len(kv)} words) on http://{host}:{port}/", err=True)
    uvicorn.run(app, host=host, port=port, log_level=log_level, access_log=False)


def _run_workers(uvicorn, *, workers: int, host: str, port: int, log_level: str) -> None:
    """``uvicorn.run(..., workers=N)`` with TCP_NODELAY on the shared listening socket.

    uvicorn's process manager binds a socket whose ``proto`` is 0, so asyncio does not set
    TCP_NODELAY on the connections it accepts; a response written in two pieces then waits
    for the client's delayed ACK (measured: p50 44 ms for ``/health``). Linux passes the
    listener's TCP_NODELAY on to accepted sockets.
    """
    import socket

    from uvicorn.supervisors import Multiprocess

    config = uvicorn.Config("simvec.serve.app:app_from_env", factory=True, workers=workers,
                            host=host, port=port, log_level=log_level, access_log=False)
    sock = config.bind_socket()
    if sock.family in (socket.AF_INET, socket.AF_INET6):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        Multiprocess(config, sockets=[sock]).run()
    except KeyboardInterrupt:
        pass


plot_app = typer.Typer(name="plot", no_args_is_help=True,
                       help="Pictures of embeddings (PNG): a 2-D map of words.")
# ``words`` is registered on plot_app by simvec.cli.app, with its --help example


def plot_words(
    words: Annotated[List[str], typer.Argument(help="Words to place ('-': one per line from stdin).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="PNG file to write.")]
    = Path("map.png"),
    method: Annotated[str, typer.Option(help="pca, tsne or umap (umap needs umap-learn).")]
    = "pca",
    seed: Annotated[int, typer.Option(help="Random state of t-SNE / UMAP.")] = 0,
    title: Annotated[Optional[str], typer.Option(help="Title of the plot.")] = None,
    vectors: Annotated[str, typer.Option(
        "--vectors", "-v", help="Named source or a vector file.")] = DEFAULT_VECTORS,
):
    """Draw WORDS on a 2-D map (PCA, t-SNE or UMAP of their unit vectors) into a PNG."""
    import sys

    import simvec
    from simvec.serve.projection import PROJECTIONS, plot_projection, project_words

    if method not in PROJECTIONS:
        raise typer.BadParameter(f"--method must be one of {', '.join(PROJECTIONS)}, got {method!r}")
    if words == ["-"]:
        words = [line.strip() for line in sys.stdin if line.strip()]
    if output.suffix.lower() != ".png":
        raise typer.BadParameter(f"--output must end in .png, got {output}")
    from simvec.errors import SimvecError

    try:  # the same one-line error and exit status 2 as the other commands
        proj = project_words(simvec.load(vectors), words, method, seed=seed)
        plot_projection(proj, output, title=title)
    except (SimvecError, FileNotFoundError) as exc:
        typer.echo(f"simvec: error: {exc}", err=True)
        raise typer.Exit(2) from None
    note = f" (not in vocabulary: {', '.join(proj.oov)})" if proj.oov else ""
    typer.echo(f"wrote a {method} map of {len(proj.words)} words to {output}{note}", err=True)
