"""Vector maths: cosine similarity of rows, pairwise cosines, unit rows.

* :func:`cos_sim` / :func:`pairwise_cos_sim` mirror sentence-transformers' ``util.cos_sim`` and
  ``util.pairwise_cos_sim`` (numpy in, float32 numpy out; zero vectors give 0, not NaN).
* :func:`normalize_rows` scales rows to unit length (zero rows stay zero).

Keyword-list similarity lives in :mod:`simvec.keywords` (``keyword_similarity``, ``jaccard``,
``all_pairs_topk``, ``read_collection``). Their old names here still work for one release and
warn with a ``DeprecationWarning``.
"""

from __future__ import annotations

import importlib
import warnings

import numpy as np

from simvec._util import normalize_rows
from simvec.errors import SimvecValueError

__all__ = ["cos_sim", "pairwise_cos_sim", "normalize_rows"]

# --------------------------------------------------------------------------- vector cosine


def _as_matrix(x, name: str) -> np.ndarray:
    """``x`` as a float32 (N, d) array: lists, ndarrays and torch-like tensors; 1-D is one row."""
    if hasattr(x, "detach") and hasattr(x, "cpu"):  # a torch tensor, without importing torch
        x = x.detach().cpu()
        if hasattr(x, "float"):  # bfloat16 / half have no numpy dtype
            x = x.float()
        x = x.numpy()
    try:
        arr = np.asarray(x, dtype=np.float32)
    except (TypeError, ValueError) as exc:
        raise SimvecValueError(
            f"{name} must be a numeric array of shape (N, d) or (d,), "
            f"got {type(x).__name__} ({exc})"
        ) from None
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.ndim != 2:
        raise SimvecValueError(f"{name} must be 1-D (d,) or 2-D (N, d), got shape {arr.shape}")
    return arr


def cos_sim(a, b) -> np.ndarray:
    """Cosine similarity of every row of ``a`` with every row of ``b``.

    Mirrors sentence-transformers' ``util.cos_sim``: rows are scaled to unit length and
    multiplied, ``res[i, j] = cos(a[i], b[j]) = a[i] . b[j] / (|a[i]| |b[j]|)``. A zero row has
    cosine 0 with everything (not NaN). Results are clipped to [-1, 1] against rounding.

    Parameters
    ----------
    a : array_like, shape (N, d) or (d,)
        A list, numpy array or tensor (any object with ``.detach().cpu().numpy()``, e.g. a torch
        tensor; torch is never imported). A 1-D input is one row.
    b : array_like, shape (M, d) or (d,)

    Returns
    -------
    ndarray, float32, shape (N, M)
        ``res[i, j] = cos(a[i], b[j])``.

    Raises
    ------
    SimvecValueError
        (a ``ValueError``) if an input is not numeric, not 1-D/2-D, or the vector sizes differ;
        the message names both shapes.

    References
    ----------
    sentence-transformers ``util.cos_sim``, https://sbert.net/docs/package_reference/util.html

    Examples
    --------
    >>> cos_sim([[1, 0], [0, 2]], [[3, 0], [1, 1], [0, 0]]).round(3)
    array([[1.   , 0.707, 0.   ],
           [0.   , 0.707, 0.   ]], dtype=float32)
    """
    a = _as_matrix(a, "a")
    b = _as_matrix(b, "b")
    if a.shape[1] != b.shape[1]:
        raise SimvecValueError(
            f"cos_sim: a has shape {a.shape} and b has shape {b.shape}; "
            "the vector sizes (last dimensions) must match"
        )
    res = normalize_rows(a) @ normalize_rows(b).T
    return np.clip(res, -1.0, 1.0, out=res)


def pairwise_cos_sim(a, b) -> np.ndarray:
    """Cosine similarity of row i of ``a`` with row i of ``b``, for every i.

    Mirrors sentence-transformers' ``util.pairwise_cos_sim``: the diagonal of :func:`cos_sim`
    without computing the rest. Zero rows give 0.

    Parameters
    ----------
    a : array_like, shape (N, d) or (d,)
        List, ndarray or tensor; a 1-D input is one row.
    b : array_like, same shape as ``a``

    Returns
    -------
    ndarray, float32, shape (N,)
        ``res[i] = cos(a[i], b[i])``, clipped to [-1, 1].

    Raises
    ------
    SimvecValueError
        If the shapes differ (both are named) or an input is not numeric 1-D/2-D.

    Examples
    --------
    >>> pairwise_cos_sim([[1, 0], [1, 1], [0, 0]], [[2, 0], [-1, -1], [1, 0]]).round(4)
    array([ 1., -1.,  0.], dtype=float32)
    """
    a = _as_matrix(a, "a")
    b = _as_matrix(b, "b")
    if a.shape != b.shape:
        raise SimvecValueError(
            f"pairwise_cos_sim: a has shape {a.shape} and b has shape {b.shape}; "
            "they must be equal"
        )
    res = np.einsum("ij,ij->i", normalize_rows(a), normalize_rows(b))
    res = res.astype(np.float32, copy=False)
    return np.clip(res, -1.0, 1.0, out=res)


# ----------------------------------------------------- old names, deprecated for one release

_MOVED = {
    "jaccard": "simvec.keywords.parse",
    "keyword_similarity": "simvec.keywords.pair",
    "KeywordSimilarity": "simvec.keywords.pair",
    "KeywordMatch": "simvec.keywords.pair",
    "all_pairs_topk": "simvec.keywords.topk",
    "read_collection": "simvec.keywords.collection",
    "METHODS": "simvec.keywords.methods",
    "DEFAULT_METHOD": "simvec.keywords.methods",
}


def __getattr__(name: str):
    if name in _MOVED:
        warnings.warn(f"simvec.similarity.{name} is deprecated; import it from {_MOVED[name]}"
                      " (this alias is removed in the next release)", DeprecationWarning,
                      stacklevel=2)
        module = importlib.import_module(_MOVED[name])
        # the old METHODS tuple listed the methods that score one pair
        return getattr(module, "PAIR_METHODS" if name == "METHODS" else name)
    raise AttributeError(f"module 'simvec.similarity' has no attribute {name!r}")
