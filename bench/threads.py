"""Time `elmo embed`'s work with one torch thread against torch's default, alternating.

    .venv/bin/python bench/threads.py [--sentences 150]

Uses the ELMo test fixture (../shared/data/elmo/fixture) and the Lee corpus; prints the
seconds per setting and the load average (the machine is shared). Figures: docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sentences", type=int, default=150)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    import torch

    from simvec.elmo.embedder import ElmoEmbedder

    opts, weights = DATA / "elmo/fixture/options.json", DATA / "elmo/fixture/lm_weights.hdf5"
    lines = (DATA / "corpus/lee_background.cor").read_text().splitlines()
    sents = [line.split()[:60] for line in lines if line.strip()][:args.sentences]
    default = torch.get_num_threads()
    res: dict[str, list[float]] = {}
    for _ in range(args.rounds):
        for threads in (1, default):
            emb = ElmoEmbedder(opts, weights, device="cpu", num_threads=threads)
            t = time.perf_counter()
            emb.embed(sents, "elmo")
            res.setdefault(str(threads), []).append(round(time.perf_counter() - t, 2))
    print(json.dumps({"default_threads": default, "seconds": res, "sentences": len(sents),
                      "tokens": sum(map(len, sents)), "loadavg": os.getloadavg()}))


if __name__ == "__main__":
    main()
