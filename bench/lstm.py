"""TorchLSTM against Keras' own (Bidirectional) LSTM on the torch backend, same batch, same weights.

One training step (forward + backward) of ``Embedding(mask_zero) -> BiLSTM -> Dense`` on a batch
of masked sequences, timed for both layers back to back; prints the median seconds per batch
of each and the ratio. The weights are copied across first, and the script checks that both
give the same outputs.

    .venv/bin/python bench/lstm.py --batch 32 --length 400 --rounds 5 --threads 1
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--length", type=int, default=400)
    ap.add_argument("--features", type=int, default=50)
    ap.add_argument("--units", type=int, default=64)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args(argv)

    import torch

    from simvec.keras.rnn import TorchLSTM, keras

    torch.set_num_threads(args.threads)
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    lengths = rng.integers(args.length // 4, args.length + 1, size=args.batch)
    ids = np.zeros((args.batch, args.length), dtype="int32")
    for i, n in enumerate(lengths):  # "pre" padding, as the classification recipes
        ids[i, args.length - n:] = rng.integers(1, 20000, size=n)
    y = rng.integers(0, 2, size=args.batch)

    def model(rnn):
        inp = keras.Input((None,), dtype="int32")
        x = keras.layers.Embedding(20000, args.features, mask_zero=True, trainable=False)(inp)
        m = keras.Model(inp, keras.layers.Dense(2, activation="softmax")(rnn(x)))
        m.compile("adam", "sparse_categorical_crossentropy")
        return m

    ours = TorchLSTM(args.units, bidirectional=True)
    ref = keras.layers.Bidirectional(keras.layers.LSTM(args.units))
    m_ours, m_ref = model(ours), model(ref)
    m_ref.layers[1].set_weights(m_ours.layers[1].get_weights())
    m_ref.layers[-1].set_weights(m_ours.layers[-1].get_weights())
    for layer, mod in ((ref.forward_layer, ours.lstm.module.fwd),
                       (ref.backward_layer, ours.lstm.module.bwd)):
        b = (mod.bias_ih_l0 + mod.bias_hh_l0).detach().numpy()
        layer.set_weights([mod.weight_ih_l0.detach().numpy().T,
                           mod.weight_hh_l0.detach().numpy().T, b])
    def states(m):  # the BiLSTM's output, before the classifier
        sub = keras.Model(m.inputs, m.layers[2].output)
        return np.asarray(sub.predict(ids, verbose=0))

    a, b = states(m_ours), states(m_ref)
    assert np.abs(a).max() > 1e-3, "degenerate outputs"
    diff = float(np.abs(a - b).max())
    print(f"batch {args.batch} x {args.length} tokens ({int(lengths.sum())} valid), "
          f"{args.units} units per direction, {args.threads} thread(s); max |BiLSTM output diff| {diff:.2e}")

    times = {"keras LSTM": [], "simvec TorchLSTM": []}
    for _ in range(args.rounds):  # interleaved rounds: both see the same machine load
        for name, m in (("keras LSTM", m_ref), ("simvec TorchLSTM", m_ours)):
            t = time.perf_counter()
            m.train_on_batch(ids, y)
            times[name].append(time.perf_counter() - t)
    med = {k: statistics.median(v[1:] if len(v) > 1 else v) for k, v in times.items()}
    for k, v in med.items():
        print(f"{k:18} {v:8.3f} s per training step (median of {max(1, args.rounds - 1)})")
    print(f"ratio: TorchLSTM is {med['keras LSTM'] / med['simvec TorchLSTM']:.1f}x faster")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
