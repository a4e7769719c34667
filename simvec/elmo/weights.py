"""Read and write ELMo weights in the original bilm-tf / AllenNLP HDF5 layout.

The published files (``*_weights.hdf5``) hold TensorFlow variables as bilm-tf's
``dump_weights`` wrote them::

    char_embed                                   (261, E)        characters 0..260
    CNN/W_cnn_{i}, CNN/b_cnn_{i}                 (1, w, E, n), (n,)
    CNN_high_{k}/W_transform, b_transform        (D, D), (D,)     D = sum of filter numbers
    CNN_high_{k}/W_carry, b_carry                (D, D), (D,)
    CNN_proj/W_proj, b_proj                      (D, P), (P,)
    RNN_{d}/RNN/MultiRNNCell/Cell{l}/LSTMCell/W_0    (in + P, 4C)   d = 0 forward, 1 backward
    RNN_{d}/RNN/MultiRNNCell/Cell{l}/LSTMCell/B      (4C,)
    RNN_{d}/RNN/MultiRNNCell/Cell{l}/LSTMCell/W_P_0  (C, P)
    softmax/W, softmax/b                         (V, P), (V,)    only in training output

:func:`load_weights` converts each to PyTorch's layout (the comments at each step say why), checks
every shape against the model built from the options and copies nothing until all tensors are read
and checked, so a failed load leaves the model untouched. :func:`save_weights` is the exact inverse,
written to a temporary file and moved into place.

References
----------
.. [1] AllenNLP, ``allennlp/modules/elmo.py`` (``_ElmoCharacterEncoder._load_*``) and
   ``allennlp/modules/elmo_lstm.py`` (``ElmoLstm.load_weights``).
.. [2] bilm-tf, ``bilm/model.py`` (``dump_weights``, ``_pretrained_initializer``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from simvec._util import atomic_write, atomic_write_path, import_optional
from simvec.errors import SimvecFileNotFoundError, VectorFormatError

__all__ = ["load_weights", "save_weights", "tf_layout", "save_options"]

_RNN = "RNN_{d}/RNN/MultiRNNCell/Cell{l}/LSTMCell/{name}"


def _swap_gate_blocks(a: np.ndarray, cell: int, axis: int = 0) -> np.ndarray:
    """Swap gate blocks 1 and 2 along ``axis``.

    TensorFlow's ``LSTMCell`` splits its 4C pre-activations as (input i, new cell j, forget f,
    output o); simvec (like PyTorch and AllenNLP) uses (input, forget, cell, output). Swapping
    blocks 1 and 2 maps one order to the other, and is its own inverse.
    """
    idx = np.r_[0:cell, 2 * cell : 3 * cell, cell : 2 * cell, 3 * cell : 4 * cell]
    return np.take(a, idx, axis=axis)


def tf_layout(bilm, softmax=None) -> dict[str, np.ndarray]:
    """The model's parameters as the original HDF5 datasets (name -> float32 array).

    Parameters
    ----------
    bilm : simvec.elmo.bilm.ElmoBiLm
    softmax : tuple of (torch.Tensor, torch.Tensor), optional
        ``(W (V, P), b (V,))`` of a language-model softmax, written as ``softmax/W``, ``softmax/b``.
    """
    def np_(t):
        return t.detach().cpu().numpy().astype(np.float32)

    cnn, lstm = bilm.char_cnn, bilm.lstm
    out = {"char_embed": np_(cnn.char_embedding.weight)[1:]}  # row 0 is simvec's padding row
    for i, conv in enumerate(cnn.convolutions):
        # torch Conv1d (n, E, w) -> TF conv2d kernel (1, w, E, n)
        out[f"CNN/W_cnn_{i}"] = np_(conv.weight).transpose(2, 1, 0)[None]
        out[f"CNN/b_cnn_{i}"] = np_(conv.bias)
    for k, (tr, ca) in enumerate(zip(cnn.highway.transform, cnn.highway.carry)):
        # torch Linear stores (out, in); TF multiplies x @ W with W (in, out)
        out[f"CNN_high_{k}/W_transform"] = np_(tr.weight).T
        out[f"CNN_high_{k}/b_transform"] = np_(tr.bias)
        out[f"CNN_high_{k}/W_carry"] = np_(ca.weight).T
        out[f"CNN_high_{k}/b_carry"] = np_(ca.bias)
    out["CNN_proj/W_proj"] = np_(cnn.projection.weight).T
    out["CNN_proj/b_proj"] = np_(cnn.projection.bias)
    for d, layers in enumerate((lstm.forward_layers, lstm.backward_layers)):
        for l, cell in enumerate(layers):
            C = cell.cell_size
            w = np.concatenate([np_(cell.input_linearity.weight), np_(cell.state_linearity.weight)], 1)
            out[_RNN.format(d=d, l=l, name="W_0")] = _swap_gate_blocks(w, C, 0).T
            b = np_(cell.state_linearity.bias).copy()
            b[C : 2 * C] -= 1.0  # simvec's forget bias includes TF's constant forget_bias=1.0
            out[_RNN.format(d=d, l=l, name="B")] = _swap_gate_blocks(b, C, 0)
            out[_RNN.format(d=d, l=l, name="W_P_0")] = np_(cell.state_projection.weight).T
    if softmax is not None:
        out["softmax/W"] = np_(softmax[0])
        out["softmax/b"] = np_(softmax[1])
    return out


def _expected_shapes(bilm) -> dict[str, tuple]:
    """Dataset shapes the options imply (from the freshly built model)."""
    return {name: a.shape for name, a in tf_layout(bilm).items()}


def load_weights(bilm, weight_file, *, softmax=None) -> None:
    """Copy the weights of an original ELMo HDF5 file into ``bilm``.

    Parameters
    ----------
    bilm : simvec.elmo.bilm.ElmoBiLm
        Built from the options that go with the file.
    weight_file : str or Path
        bilm-tf / AllenNLP HDF5 weights.
    softmax : tuple of (torch.Tensor, torch.Tensor), optional
        If given, also load ``softmax/W`` and ``softmax/b`` into these tensors (training resume).

    Raises
    ------
    SimvecFileNotFoundError
        ``weight_file`` does not exist.
    VectorFormatError
        Not an HDF5 file, a dataset is missing, is a group or not numeric, holds NaN or
        infinite values, or its shape disagrees with the options (the message names the file,
        the dataset, its shape and the expected one).
    """
    h5py = import_optional("h5py", extra="elmo", needed_by="ELMo weight files")
    path = Path(weight_file)
    if not path.is_file():
        raise SimvecFileNotFoundError(f"no such ELMo weight file: {path}")
    expected = _expected_shapes(bilm)
    if softmax is not None:
        expected["softmax/W"] = tuple(softmax[0].shape)
        expected["softmax/b"] = tuple(softmax[1].shape)
    arrays = {}
    try:
        fin = h5py.File(path, "r")
    except (OSError, ValueError) as exc:
        raise VectorFormatError(f"not an HDF5 weight file ({exc})", path=str(path)) from None
    try:
        with fin:
            _read_checked(h5py, fin, expected, arrays, path)
    except VectorFormatError:
        raise
    except (OSError, RuntimeError, KeyError, ValueError, TypeError) as exc:
        # HDF5 reports damaged internals (B-trees, heaps, caches) with many exception types
        raise VectorFormatError(f"damaged HDF5 file ({type(exc).__name__}: {str(exc)[:200]})",
                                path=str(path)) from None
    _copy_into(bilm, arrays, softmax)


def _read_checked(h5py, fin, expected: dict, arrays: dict, path: Path) -> None:
    """Read every expected dataset into ``arrays``, checking kind, dtype, shape, finiteness."""
    for name, shape in expected.items():
        if name not in fin:
            raise VectorFormatError(
                f"missing dataset {name!r} (expected shape {shape}); is this the weight file "
                "that goes with the options?", path=str(path),
            )
        ds = fin[name]
        if not isinstance(ds, h5py.Dataset):
            raise VectorFormatError(
                f"{name!r} is a {type(ds).__name__}, not a dataset", path=str(path))
        if ds.dtype.kind not in "fiu" or ds.shape != shape:
            raise VectorFormatError(
                f"dataset {name!r} is {ds.dtype} of shape {ds.shape} but the options imply "
                f"numbers of shape {shape}; the options and weights do not belong together",
                path=str(path),
            )
        try:
            a = np.asarray(ds[...], dtype=np.float32)
        except (OSError, ValueError, TypeError) as exc:
            raise VectorFormatError(f"cannot read dataset {name!r} ({exc})",
                                    path=str(path)) from None
        bad = ~np.isfinite(a)
        if bad.any():
            where = tuple(int(i) for i in np.argwhere(bad)[0])
            raise VectorFormatError(
                f"dataset {name!r} holds {int(bad.sum())} NaN or infinite value(s) (first "
                f"at index {where}); the weights are damaged", path=str(path))
        arrays[name] = a


def _copy_into(bilm, arrays: dict, softmax) -> None:
    """Convert the checked TF-layout arrays and copy them into ``bilm`` (and ``softmax``)."""
    from simvec.elmo._torch import torch

    cnn, lstm = bilm.char_cnn, bilm.lstm
    new = {}  # parameter -> value; copied only after every dataset passed the checks
    emb = np.zeros(tuple(cnn.char_embedding.weight.shape), dtype=np.float32)
    # AllenNLP shifts every character id by +1 so that 0 is sentence padding; row 0 stays zero.
    emb[1:] = arrays["char_embed"]
    new[cnn.char_embedding.weight] = emb
    for i, conv in enumerate(cnn.convolutions):
        # TF conv2d kernel (height 1, width w, in E, out n): drop the height axis and reverse the
        # axes to torch Conv1d's (out n, in E, width w). Both are cross-correlations, no flip.
        new[conv.weight] = arrays[f"CNN/W_cnn_{i}"][0].transpose(2, 1, 0)
        new[conv.bias] = arrays[f"CNN/b_cnn_{i}"]
    for k, (tr, ca) in enumerate(zip(cnn.highway.transform, cnn.highway.carry)):
        # TF computes x @ W with W (in, out); torch Linear computes x @ weight.T with weight
        # (out, in): transpose. simvec keeps bilm-tf's gate meaning, so no sign flip is needed
        # (AllenNLP negates W_carry/b_carry because its gate multiplies the untransformed input).
        new[tr.weight] = arrays[f"CNN_high_{k}/W_transform"].T
        new[tr.bias] = arrays[f"CNN_high_{k}/b_transform"]
        new[ca.weight] = arrays[f"CNN_high_{k}/W_carry"].T
        new[ca.bias] = arrays[f"CNN_high_{k}/b_carry"]
    new[cnn.projection.weight] = arrays["CNN_proj/W_proj"].T  # (in, out) -> (out, in)
    new[cnn.projection.bias] = arrays["CNN_proj/b_proj"]
    for d, layers in enumerate((lstm.forward_layers, lstm.backward_layers)):
        for l, cell in enumerate(layers):
            C, n_in = cell.cell_size, cell.input_size
            # W_0 is TF's kernel (in + P, 4C) applied to concat([x_t, h_{t-1}]): transpose to
            # (4C, in + P), reorder the gate rows from TF's (i, j, f, o) to (i, f, j, o), then
            # split the columns into the input part (first `in`) and the recurrent part.
            w = _swap_gate_blocks(arrays[_RNN.format(d=d, l=l, name="W_0")].T, C, 0)
            new[cell.input_linearity.weight] = w[:, :n_in]
            new[cell.state_linearity.weight] = w[:, n_in:]
            b = _swap_gate_blocks(arrays[_RNN.format(d=d, l=l, name="B")], C, 0).copy()
            # TF's LSTMCell adds a constant forget_bias=1.0 inside the cell instead of storing it;
            # simvec has no such constant, so fold it into the (reordered) forget block.
            b[C : 2 * C] += 1.0
            new[cell.state_linearity.bias] = b
            # W_P_0 (C, P) is x @ W; torch Linear wants (P, C).
            new[cell.state_projection.weight] = arrays[_RNN.format(d=d, l=l, name="W_P_0")].T
    if softmax is not None:
        new[softmax[0]] = arrays["softmax/W"]
        new[softmax[1]] = arrays["softmax/b"]
    with torch.no_grad():
        for param, value in new.items():
            param.copy_(torch.from_numpy(np.ascontiguousarray(value)))


def save_weights(bilm, weight_file, *, softmax=None, extra: dict | None = None) -> None:
    """Write ``bilm``'s weights as an original-layout HDF5 file (atomically).

    Parameters
    ----------
    bilm : simvec.elmo.bilm.ElmoBiLm
    weight_file : str or Path
    softmax : tuple of (torch.Tensor, torch.Tensor), optional
        ``(W (V, P), b (V,))`` written as ``softmax/W``, ``softmax/b`` as bilm-tf does.
    extra : dict of str -> numpy.ndarray, optional
        More datasets (e.g. optimizer state of a training checkpoint).
    """
    h5py = import_optional("h5py", extra="elmo", needed_by="ELMo weight files")
    data = tf_layout(bilm, softmax)
    data.update(extra or {})

    def write(tmp):
        with h5py.File(tmp, "w") as fout:
            for name, a in data.items():
                fout.create_dataset(name, data=a)

    Path(weight_file).parent.mkdir(parents=True, exist_ok=True)
    atomic_write_path(weight_file, write)


def save_options(options: dict, options_file) -> None:
    """Write an options dict as ``options.json`` (atomically)."""
    import json

    text = json.dumps(options, indent=2, sort_keys=True) + "\n"
    Path(options_file).parent.mkdir(parents=True, exist_ok=True)
    atomic_write([(options_file, lambda f: f.write(text.encode("utf-8")))])
