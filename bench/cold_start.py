"""Cold and warm cost of simvec's numba kernels: compile, same process, new process.

    .venv/bin/python bench/cold_start.py

Runs `simvec.cli.warmup.warmup()` with an empty numba cache (a temporary NUMBA_CACHE_DIR),
again in the same process, then in a second process that reads the disk cache. Figures:
docs/benchmarks.md.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile

CODE = ("import json; from simvec.cli.warmup import warmup; "
        "print(json.dumps({{'{0}': warmup()}})){1}")


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="simvec-numba-") as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        first = CODE.format("cold", "; print(json.dumps({'same process': warmup()}))")
        for code in (first, CODE.format("new process, disk cache", "")):
            out = subprocess.run([sys.executable, "-c", code], env=env, check=True,
                                 capture_output=True, text=True).stdout
            print(out.strip())
    print(json.dumps({"loadavg": os.getloadavg()}))


if __name__ == "__main__":
    main()
