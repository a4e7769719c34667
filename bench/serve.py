"""Benchmark: ``simvec serve`` under a bounded load on 127.0.0.1 (requests/s, p50/p99, errors, RSS).

Starts ``python -m simvec serve`` (GloVe 6B 50d by default, and a seeded synthetic keyword
collection for ``/search``) as a child process bound to 127.0.0.1 on a free port, waits for
``/health``, and drives it with a small closed-loop load generator in this process: C clients,
each one keep-alive HTTP/1.1 connection sending its next request when the previous answer has
arrived (raw asyncio sockets, so the generator costs little of the machine's CPU). For each
endpoint (``POST /similar``, ``POST /search``) and each concurrency (default 1, 8, 32) it sends
a fixed number of requests, or stops at a time cap, whichever comes first, and prints
requests/s, p50 and p99 latency, the error count (any status but 200, or a broken connection)
and the server's RSS (``/proc/PID/status`` VmRSS) before and after. ``--soak N`` then sends N
more ``/similar`` requests at the highest concurrency and reports the RSS growth. The server is
stopped at the end (SIGINT, then SIGKILL after 10 s). Nothing leaves 127.0.0.1.

Request bodies are drawn (seeded) from the 20,000 most frequent GloVe words: ``/similar`` gets two
lists of 2-5 keywords (one or two words each), ``/search`` one query of 2-5 keywords against
``--docs`` documents of 3-8 keywords.

Run from the repository root::

    .venv/bin/python bench/serve.py                              # 1, 8, 32 clients
    .venv/bin/python bench/serve.py --requests 3000 --soak 100000 --max-seconds 60
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _rss_mb(pid: int) -> float:
    """VmRSS of the process and its children (uvicorn's worker processes), in MB."""
    total = 0.0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            total += int(line.split()[1]) / 1024
    children = Path(f"/proc/{pid}/task/{pid}/children")
    for child in (children.read_text().split() if children.exists() else []):
        try:
            total += _rss_mb(int(child))
        except OSError:
            pass
    return total


def _vocabulary(n: int) -> list[str]:
    import simvec

    kv = simvec.load("glove-6B-50d")
    return [w for w in kv.index_to_key[100:n + 100] if w.isalpha()]


def _keywords(rng: random.Random, words: list[str], lo: int, hi: int) -> list[str]:
    return [" ".join(rng.sample(words, rng.choice((1, 1, 2)))) for _ in range(rng.randint(lo, hi))]


def _request(path: str, body: dict, port: int) -> bytes:
    data = json.dumps(body).encode()
    head = (f"POST {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(data)}\r\n\r\n").encode()
    return head + data


async def _read_response(reader) -> int:
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("connection closed")
    status = int(status_line.split()[1])
    length = 0
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        if name.strip().lower() == "content-length":
            length = int(value)
    await reader.readexactly(length)
    return status


async def _client(port, requests, counter, total, deadline, latencies, errors):
    reader, writer = await asyncio.open_connection(HOST, port)
    try:
        while counter[0] < total and time.perf_counter() < deadline:
            req = requests[counter[0] % len(requests)]
            counter[0] += 1
            t0 = time.perf_counter()
            try:
                writer.write(req)
                await writer.drain()
                status = await _read_response(reader)
            except (ConnectionError, asyncio.IncompleteReadError, ValueError, IndexError):
                errors.append("connection")
                writer.close()
                reader, writer = await asyncio.open_connection(HOST, port)
                continue
            latencies.append(time.perf_counter() - t0)
            if status != 200:
                errors.append(status)
    finally:
        writer.close()


async def _load(port, requests, clients, total, max_seconds):
    latencies, errors, counter = [], [], [0]
    t0 = time.perf_counter()
    await asyncio.gather(*(_client(port, requests, counter, total, t0 + max_seconds, latencies,
                                   errors) for _ in range(clients)))
    wall = time.perf_counter() - t0
    return latencies, errors, wall


def _summary(latencies, errors, wall) -> dict:
    lat = sorted(latencies)
    pick = (lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] * 1000) if lat else (
        lambda q: float("nan"))
    return {"requests": len(lat), "rps": len(lat) / wall if wall else 0.0, "p50_ms": pick(0.50),
            "p99_ms": pick(0.99), "mean_ms": statistics.fmean(lat) * 1000 if lat else float("nan"),
            "errors": len(errors), "error_kinds": sorted({str(e) for e in errors}),
            "seconds": wall}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--vectors", default="glove-6B-50d")
    ap.add_argument("--clients", default="1,8,32", help="concurrency levels (default 1,8,32)")
    ap.add_argument("--requests", type=int, default=2000, help="requests per level (default 2000)")
    ap.add_argument("--search-requests", type=int, default=500,
                    help="requests per level for /search (default 500)")
    ap.add_argument("--max-seconds", type=float, default=30.0,
                    help="time cap per level (default 30 s)")
    ap.add_argument("--docs", type=int, default=1000, help="collection size for /search")
    ap.add_argument("--soak", type=int, default=0,
                    help="then send N more /similar requests at the highest concurrency")
    ap.add_argument("--soak-seconds", type=float, default=900.0, help="time cap of the soak")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1, help="numba threads of the server")
    ap.add_argument("--workers", type=int, default=1,
                    help="server processes (simvec serve --workers); RSS is summed over them")
    ap.add_argument("--baseline", action="store_true",
                    help="also load GET /health (no work: the HTTP stack's own cost)")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args(argv)

    rng = random.Random(args.seed)
    words = _vocabulary(20000)
    port = _free_port()
    similar = [_request("/similar", {"a": _keywords(rng, words, 2, 5),
                                     "b": _keywords(rng, words, 2, 5)}, port) for _ in range(500)]
    health = [f"GET /health HTTP/1.1\r\nHost: {HOST}:{port}\r\n\r\n".encode()]
    search = [_request("/search", {"queries": [_keywords(rng, words, 2, 5)], "k": 10}, port)
              for _ in range(200)]
    levels = [int(c) for c in args.clients.split(",")]
    results = {"vectors": args.vectors, "docs": args.docs, "levels": {}}
    with tempfile.TemporaryDirectory() as tmp:
        coll = Path(tmp) / "collection.jsonl"
        with open(coll, "w", encoding="utf-8") as f:
            for i in range(args.docs):
                f.write(json.dumps({"id": f"doc{i}", "keywords": _keywords(rng, words, 3, 8)}) + "\n")
        cmd = [sys.executable, "-m", "simvec", "serve", "--vectors", args.vectors,
               "--collection", str(coll), "--host", HOST, "--port", str(port),
               "--threads", str(args.threads), "--workers", str(args.workers),
               "--log-level", "warning"]
        env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
        server = subprocess.Popen(cmd, env=env)
        try:
            t0 = time.perf_counter()
            while True:
                try:
                    with socket.create_connection((HOST, port), timeout=1) as s:
                        s.sendall(f"GET /health HTTP/1.1\r\nHost: {HOST}\r\n\r\n".encode())
                        if b"200 OK" in s.recv(1024):
                            break
                except OSError:
                    pass
                if server.poll() is not None or time.perf_counter() - t0 > 120:
                    raise SystemExit("the server did not start (see its output above)")
                time.sleep(0.2)
            print(f"server up in {time.perf_counter() - t0:.1f} s (pid {server.pid}, port {port})")
            # warm-up: numba kernels, first-call caches
            asyncio.run(_load(port, similar, 2, 100, 60))
            asyncio.run(_load(port, search, 2, 20, 60))
            rss0 = _rss_mb(server.pid)
            results["rss_before_mb"] = rss0
            print(f"RSS after warm-up: {rss0:.1f} MB")
            print(f"{'endpoint':9} {'clients':>7} {'requests':>8} {'req/s':>8} {'p50 ms':>8} "
                  f"{'p99 ms':>8} {'errors':>6}")
            plan = [("/health", health, args.requests)] if args.baseline else []
            plan += [("/similar", similar, args.requests), ("/search", search, args.search_requests)]
            for name, reqs, total in plan:
                for c in levels:
                    s = _summary(*asyncio.run(_load(port, reqs, c, total, args.max_seconds)))
                    results["levels"][f"{name} c={c}"] = s
                    print(f"{name:9} {c:7d} {s['requests']:8d} {s['rps']:8.1f} {s['p50_ms']:8.2f} "
                          f"{s['p99_ms']:8.2f} {s['errors']:6d} {' '.join(s['error_kinds'])}",
                          flush=True)
            rss1 = _rss_mb(server.pid)
            results["rss_after_mb"] = rss1
            print(f"RSS after the levels: {rss1:.1f} MB ({rss1 - rss0:+.1f} MB)")
            if args.soak:
                c = max(levels)
                s = _summary(*asyncio.run(_load(port, similar, c, args.soak, args.soak_seconds)))
                rss2 = _rss_mb(server.pid)
                results["soak"] = {**s, "clients": c, "rss_after_mb": rss2}
                print(f"soak /similar x {s['requests']} at {c} clients: {s['rps']:.1f} req/s, "
                      f"p50 {s['p50_ms']:.2f} ms, p99 {s['p99_ms']:.2f} ms, errors {s['errors']}; "
                      f"RSS {rss1:.1f} -> {rss2:.1f} MB ({rss2 - rss1:+.1f} MB)")
        finally:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
