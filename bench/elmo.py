"""Speed of simvec's ELMo on this machine: inference, the char-CNN cache, a training step.

All figures come from one run on the same real sentences (the Lee background news corpus,
../shared/data/corpus/lee_background.cor, split on ". ", whitespace tokens, at most 50 per
sentence; 2,537 distinct sentences, so the default 512 are all different):

1. Inference tokens/s of the *released small* configuration
   (``elmo_2x1024_128_2048cnn_1xhighway``, 13.6M parameters; its weights are not available here,
   so random weights: speed does not depend on the values) with ``ElmoEmbedder.embed``
   (batches of 64 sorted by length, the CNN once per distinct token of a batch).
2. The same with the character-CNN cache (``vocab_to_cache`` = every word of the input).
3. The peer: a plain PyTorch implementation of the same model in the style of AllenNLP's
   ``_ElmoCharacterEncoder`` + ``LstmCellWithProjection``: the CNN on every position (padding and
   boundaries included) and, per timestep, both the input and the recurrent products. AllenNLP
   itself cannot be installed here (its releases require an old torch 1.x), so it is emulated
   with the same weights; its output is checked against simvec's (max abs difference printed).
4. The arithmetic bound: floating-point operations per token (from the options; 2 per
   multiply-add, element-wise work ignored) divided by the measured float32 matmul rate
   (``torch.mm`` of 1024 x 1024 matrices), with and without the CNN.
5. Training tokens/s of the mini configuration (``simvec.elmo.train.MINI_OPTIONS``, full
   softmax, batch 32) on the same text.

Run from the repository root::

    .venv/bin/python bench/elmo.py                  # 1 torch thread (fastest on a busy machine)
    .venv/bin/python bench/elmo.py --threads 2 --sentences 256 --train-steps 10 --rounds 2
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATA = (ROOT / ".." / "shared" / "data").resolve()
SMALL = DATA / "elmo" / "elmo_2x1024_128_2048cnn_1xhighway_options.json"


def sentences(n: int, max_len: int = 50) -> list[list[str]]:
    text = (DATA / "corpus" / "lee_background.cor").read_bytes().decode("utf-8", "replace")
    out = []
    for doc in text.splitlines():
        for s in doc.split(". "):
            toks = s.split()
            if toks:
                out.append(toks[:max_len])
    reps = (n + len(out) - 1) // len(out)
    return (out * reps)[:n]


def matmul_gflops(torch, size: int = 1024, reps: int = 20, cpu_time: bool = True) -> float:
    """Best-of-5 float32 matmul rate (process CPU time with one thread, else wall time)."""
    clock = time.process_time if cpu_time else time.perf_counter
    a, b = torch.randn(size, size), torch.randn(size, size)
    torch.mm(a, b)
    best = float("inf")
    for _ in range(5):
        t = clock()
        for _ in range(reps // 5):
            torch.mm(a, b)
        best = min(best, clock() - t)
    return 2 * size**3 * (reps // 5) / best / 1e9


def flops_per_token(opts: dict) -> tuple[float, float]:
    """(char CNN + highway + projection, LSTM) float operations per token, 2 per multiply-add."""
    cnn, lstm = opts["char_cnn"], opts["lstm"]
    E, P, C, L = cnn["embedding"]["dim"], lstm["projection_dim"], lstm["dim"], lstm["n_layers"]
    conv = sum(w * E * n * (50 - w + 1) for w, n in cnn["filters"])
    D = sum(n for _, n in cnn["filters"])
    char = conv + cnn["n_highway"] * 2 * D * D + D * P
    per_cell = P * 4 * C + P * 4 * C + C * P  # input, recurrent, projection
    return 2.0 * char, 2.0 * 2 * L * per_cell


def plain_loop(torch, elmo, sents):
    """The peer: AllenNLP-style forward with the same weights (CNN on every position; input and
    recurrent products inside the time loop). Returns the top layer (B, T, 2P) without
    boundaries."""
    from torch.nn import functional as F

    from simvec.elmo.chars import batch_to_ids

    bilm = elmo.bilm
    ids = batch_to_ids(sents)
    B, T, _ = ids.shape
    mask = (ids > 0).any(-1)
    lengths = mask.sum(1)
    full = torch.zeros(B, T + 2, 50, dtype=torch.long)
    full[:, 1 : T + 1] = ids
    full[:, 0] = bilm.bos_char_ids
    full[torch.arange(B), lengths + 1] = bilm.eos_char_ids
    m2 = (full > 0).any(-1)
    x = bilm.char_cnn(full)  # every position, padding included
    outs = []
    for direction, layers in ((1, bilm.lstm.forward_layers), (-1, bilm.lstm.backward_layers)):
        inp = x
        for k, cell in enumerate(layers):
            h = x.new_zeros(B, cell.hidden_size)
            c = x.new_zeros(B, cell.cell_size)
            res = [None] * (T + 2)
            steps = range(T + 2) if direction == 1 else range(T + 1, -1, -1)
            for t in steps:
                g = F.linear(inp[:, t], cell.input_linearity.weight) + cell.state_linearity(h)
                i, f, gg, o = g.split(cell.cell_size, 1)
                cn = (torch.sigmoid(i) * torch.tanh(gg) + torch.sigmoid(f) * c).clamp(-3, 3)
                hn = cell.state_projection(torch.sigmoid(o) * torch.tanh(cn)).clamp(-3, 3)
                mk = m2[:, t : t + 1]
                c, h = torch.where(mk, cn, c), torch.where(mk, hn, h)
                res[t] = hn * mk
            out = torch.stack(res, 1)
            inp = out + inp if k > 0 else out
        outs.append(inp)
    return torch.cat(outs, -1)[:, 1 : T + 1] * mask.unsqueeze(-1)


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=1, help="torch intra-op threads")
    ap.add_argument("--sentences", type=int, default=512, help="sentences for inference")
    ap.add_argument("--train-steps", type=int, default=20, help="mini training steps (0: skip)")
    ap.add_argument("--rounds", type=int, default=3, help="interleaved timing rounds (best kept)")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args(argv)

    import torch

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    from simvec.elmo.bilm import count_parameters, read_options
    from simvec.elmo.embedder import ElmoEmbedder

    opts = read_options(SMALL)
    sents = sentences(args.sentences)
    n_tok = sum(len(s) for s in sents)
    words = sorted({t for s in sents for t in s})
    gflops = matmul_gflops(torch, cpu_time=args.threads == 1)
    f_char, f_lstm = flops_per_token(opts)
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"torch {torch.__version__}, {args.threads} thread(s); matmul {gflops:.1f} GFLOP/s")

    emb = ElmoEmbedder(SMALL, None, device="cpu", batch_size=64)
    n_params = count_parameters(emb.elmo.bilm)
    print(f"model: {SMALL.name}: {n_params:,} parameters; {f_char / 1e6:.1f} MFLOP/token char CNN "
          f"+ {f_lstm / 1e6:.1f} MFLOP/token LSTM")
    print(f"input: {len(sents)} sentences, {n_tok} tokens, {len(words)} distinct")

    order = sorted(range(len(sents)), key=lambda i: len(sents[i]))
    batches = [[sents[i] for i in order[s : s + 64]] for s in range(0, len(order), 64)]

    def peer():
        with torch.inference_mode():
            return [plain_loop(torch, emb.elmo, b) for b in batches]

    # the same weights with a vocabulary cache, built once (its cost is reported apart)
    emb_c = ElmoEmbedder(SMALL, None, device="cpu", batch_size=64)
    emb_c.elmo.load_state_dict(emb.elmo.state_dict())
    c = time.process_time() if args.threads == 1 else time.perf_counter()
    emb_c.elmo.cache_vocabulary(words)
    cache_build = (time.process_time() if args.threads == 1 else time.perf_counter()) - c

    def run_plain():
        return emb.embed(sents, "lstm_outputs2")

    def run_cached():
        return emb_c.embed(sents, "lstm_outputs2")

    # interleaved rounds, best of each: the machine is shared, so load comes and goes. With one
    # thread, process CPU time is what the work costs; wall time is also reported.
    best = {"simvec": float("inf"), "cached": float("inf"), "peer": float("inf")}
    wall = dict(best)
    out = {}
    for _ in range(args.rounds):
        for name, fn in (("simvec", run_plain), ("cached", run_cached), ("peer", peer)):
            t, c = time.perf_counter(), time.process_time()
            out[name] = fn()
            best[name] = min(best[name], time.process_time() - c)
            wall[name] = min(wall[name], time.perf_counter() - t)
    clock = "CPU" if args.threads == 1 else "wall"
    if args.threads != 1:
        best = wall
    dt_simvec, dt_cache, dt_peer = best["simvec"], best["cached"], best["peer"]
    res, res_c, res_p = out["simvec"], out["cached"], out["peer"]
    diff = 0.0
    for b, out in zip([order[s : s + 64] for s in range(0, len(order), 64)], res_p):
        for row, i in enumerate(b):
            diff = max(diff, float(np.abs(out[row, : len(sents[i])].numpy() - res[i]).max()))
    diff_cache = max(float(np.abs(a - b).max()) for a, b in zip(res, res_c))

    # simvec runs the CNN once per distinct token of a (length-sorted) batch of 64
    distinct = sum(len({t for i in order[s : s + 64] for t in sents[i]})
                   for s in range(0, len(order), 64))
    frac = distinct / n_tok
    bound_full = gflops * 1e9 / (f_char + f_lstm)
    bound_dedup = gflops * 1e9 / (f_char * frac + f_lstm)
    bound_lstm = gflops * 1e9 / f_lstm
    fig = {
        "threads": args.threads, "matmul_gflops": gflops, "parameters": n_params,
        "tokens": n_tok, "distinct": len(words),
        "simvec_tokens_per_s": n_tok / dt_simvec,
        "simvec_cached_tokens_per_s": n_tok / dt_cache,
        "plain_loop_tokens_per_s": n_tok / dt_peer,
        "bound_tokens_per_s": bound_full, "bound_dedup_tokens_per_s": bound_dedup,
        "distinct_per_batch_fraction": frac, "bound_cached_tokens_per_s": bound_lstm,
        "max_abs_diff_vs_plain": diff, "max_abs_diff_cache": diff_cache,
        "cache_build_s": cache_build,
    }
    fig["clock"] = clock
    fig["wall_tokens_per_s"] = {k: n_tok / v for k, v in wall.items()}
    print(f"\ninference (released small configuration, random weights; tokens per {clock} second,"
          f" best of {args.rounds} interleaved rounds)")
    print(f"  simvec ElmoEmbedder          {fig['simvec_tokens_per_s']:9.0f} tokens/s")
    print(f"  simvec + char-CNN cache      {fig['simvec_cached_tokens_per_s']:9.0f} tokens/s "
          f"({dt_simvec / dt_cache:.2f}x; max |diff| {diff_cache:.1e}; building the cache of "
          f"{len(words)} words took {cache_build:.2f} s once)")
    print(f"  plain per-timestep loop      {fig['plain_loop_tokens_per_s']:9.0f} tokens/s "
          f"(simvec {dt_peer / dt_simvec:.2f}x faster; max |diff| {diff:.1e})")
    print(f"  arithmetic bound, CNN on every token {bound_full:9.0f} tokens/s "
          f"(plain loop at {fig['plain_loop_tokens_per_s'] / bound_full:.0%})")
    print(f"  arithmetic bound, CNN once per distinct token of a batch ({frac:.0%} of tokens) "
          f"{bound_dedup:9.0f} tokens/s (simvec at {fig['simvec_tokens_per_s'] / bound_dedup:.0%})")
    print(f"  arithmetic bound, LSTM only  {bound_lstm:9.0f} tokens/s "
          f"(cached simvec at {fig['simvec_cached_tokens_per_s'] / bound_lstm:.0%})")

    if args.train_steps:
        import logging
        import tempfile

        from simvec.elmo.train import MINI_OPTIONS, TrainConfig, train_bilm

        logging.getLogger("simvec").setLevel(logging.WARNING)
        train = sentences(max(2000, args.train_steps * 40))
        cfg = TrainConfig(batch_size=32, max_steps=args.train_steps + 2, log_every=10**9,
                          device="cpu", num_threads=args.threads)
        mini_params = count_parameters(__import__("simvec.elmo.bilm", fromlist=["ElmoBiLm"])
                                       .ElmoBiLm(MINI_OPTIONS))
        with tempfile.TemporaryDirectory() as tmp:
            c = time.process_time()
            r = train_bilm(train, tmp, cfg)
            cpu = time.process_time() - c
        if args.threads == 1:  # tokens per CPU second (includes the vocabulary and setup)
            r["tokens_per_s"] = r["tokens"] / cpu
        fig["train_mini_tokens_per_s"] = r["tokens_per_s"]
        fig["train_mini_parameters"] = mini_params
        fig["train_mini_vocab"] = r["vocab_size"]
        f_c, f_l = flops_per_token(MINI_OPTIONS)
        tb = gflops * 1e9 / (3 * (f_c + f_l))  # forward + backward ~ 3x forward
        print(f"\ntraining, mini configuration ({mini_params:,} parameters + softmax "
              f"{r['vocab_size']} x 128, {r['softmax']}, batch 32)")
        print(f"  simvec train_bilm            {r['tokens_per_s']:9.0f} tokens/s "
              f"(bound without softmax ~{tb:.0f}: {r['tokens_per_s'] / tb:.0%})")
    if args.json:
        args.json.write_text(json.dumps(fig, indent=2) + "\n")
    return fig


if __name__ == "__main__":
    main()
