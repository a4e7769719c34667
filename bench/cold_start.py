"""Cold and warm cost of simvec's numba kernels: compile, same process, new process.

    .venv/bin/python bench/cold_start.py              # simvec.cli.warmup.warmup(), per step
    .venv/bin/python bench/cold_start.py --commands   # two user commands, cold then warm

Default: runs `simvec.cli.warmup.warmup()` with an empty numba cache (a temporary
NUMBA_CACHE_DIR), again in the same process, then in a second process that reads the disk
cache. ``--commands``: wall-clock seconds of `simvec info` on a 100-row GloVe file
(tests/data) and of a GloVe text load (`simvec.load_vectors` of the 2,446-row
glove.6B.50d.head2446.txt) in a new process, first with an empty numba cache (cold: the kernels
compile), then twice more with the cache it left (warm); whether the "compiling kernels" notice
was printed. Figures: docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CODE = ("import json; from simvec.cli.warmup import warmup; "
        "print(json.dumps({{'{0}': warmup()}})){1}")
COMMANDS = {
    "simvec info (100-row GloVe file)": [
        "-m", "simvec", "info", str(ROOT / "tests/data/glove/glove.6B.100d.sample.txt.gz")],
    "GloVe text load (2,446 rows, load_vectors)": [
        "-c", "import simvec, sys; simvec.load_vectors(sys.argv[1])",
        str(ROOT / ".." / "shared" / "data" / "glove" / "glove.6B.50d.head2446.txt")],
}


def _warmup_steps() -> None:
    with tempfile.TemporaryDirectory(prefix="simvec-numba-") as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        first = CODE.format("cold", "; print(json.dumps({'same process': warmup()}))")
        for code in (first, CODE.format("new process, disk cache", "")):
            out = subprocess.run([sys.executable, "-c", code], env=env, check=True,
                                 capture_output=True, text=True).stdout
            print(out.strip())


def _commands(warm_runs: int, only: str | None = None) -> None:
    for name, args in COMMANDS.items():
        if only and not name.startswith(only):
            continue
        with tempfile.TemporaryDirectory(prefix="simvec-numba-") as cache:
            env = {**os.environ, "NUMBA_CACHE_DIR": cache}
            runs = []
            for _ in range(1 + warm_runs):
                t = time.perf_counter()
                res = subprocess.run([sys.executable, *args], env=env, check=True,
                                     capture_output=True, text=True)
                runs.append({"seconds": round(time.perf_counter() - t, 2),
                             "notice": "compiling kernels, first run only" in res.stderr})
            print(json.dumps({"command": name, "cold": runs[0], "warm": runs[1:]}), flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--commands", action="store_true", help="time two user commands instead")
    ap.add_argument("--warm-runs", type=int, default=2)
    ap.add_argument("--only", default=None, help="--commands: the one whose name starts so")
    args = ap.parse_args()
    if args.commands:
        _commands(args.warm_runs, args.only)
    else:
        _warmup_steps()
    print(json.dumps({"loadavg": os.getloadavg()}))


if __name__ == "__main__":
    main()
