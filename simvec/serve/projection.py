"""simvec's pictures of embeddings: words on a 2-D map, and keyword-by-keyword heat maps.

Words on a 2-D map: PCA (scikit-learn), t-SNE (scikit-learn) or UMAP (umap-learn), used by
``POST /map`` of the web page and by ``simvec plot words``; :func:`write_projector_files` writes
what the TensorBoard Embedding Projector loads (``simvec convert SRC DIR --to tensorboard``).
Two keyword lists as a heat map of their keyword cosines (:func:`keyword_heatmap`,
:func:`plot_keyword_heatmap`): ``simvec similar A B --plot FILE.png`` and the heat map of
``POST /similar``.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass, field

import numpy as np

from simvec._util import atomic_write_path, import_optional
from simvec.errors import SimvecValueError

__all__ = ["Projection", "project_words", "plot_projection", "PROJECTIONS",
           "available_projections", "write_projector_files", "KeywordHeatmap",
           "keyword_heatmap", "heatmap_figsize", "plot_keyword_heatmap"]

#: Projection names :func:`project_words` knows.
PROJECTIONS = ("pca", "tsne", "umap")


def _pyplot(needed_by: str):
    """matplotlib.pyplot on the file-only Agg backend (no display needed)."""
    import_optional("matplotlib", needed_by=needed_by, package="matplotlib")
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt

def available_projections() -> tuple[str, ...]:
    """The projections whose package is installed (``umap`` needs umap-learn)."""
    return tuple(m for m in PROJECTIONS
                 if m != "umap" or importlib.util.find_spec("umap") is not None)


@dataclass(frozen=True)
class Projection:
    """Result of :func:`project_words`.

    Attributes
    ----------
    words : list of str, length N
        The in-vocabulary words, duplicates dropped, in input order.
    coords : ndarray of float64, shape (N, 2)
        ``coords[i]`` is the position of ``words[i]``; finite.
    oov : list of str
        Words skipped because they are not in the vocabulary.
    method : str
    """

    words: list[str]
    coords: np.ndarray
    method: str
    oov: list[str] = field(default_factory=list)


def project_words(kv, words, method: str = "pca", *, seed: int = 0) -> Projection:
    """Project the unit vectors of ``words`` onto two dimensions.

    ``"pca"``: scikit-learn's ``PCA(n_components=2)`` (the two directions of largest variance;
    deterministic up to sign, which scikit-learn fixes). ``"tsne"``: ``TSNE`` (van der Maaten
    & Hinton 2008) with cosine distance and perplexity ``min(30, N - 1)``. ``"umap"``:
    umap-learn's ``UMAP`` (McInnes et al. 2018) with cosine metric and
    ``n_neighbors = min(15, N - 1)``. Vectors are unit-normalised first, so distances on the map
    reflect cosines, as in the TensorBoard Embedding Projector.

    Parameters
    ----------
    kv : KeyedVectors
    words : sequence of str
    method : {"pca", "tsne", "umap"}
    seed : int, default 0
        Random state of t-SNE and UMAP (PCA is deterministic).

    Returns
    -------
    Projection

    Raises
    ------
    SimvecValueError
        If ``method`` is unknown or fewer than 2 distinct words are in the vocabulary
        (t-SNE and UMAP need 3).
    MissingDependencyError
        If scikit-learn (``pip install 'simvec[serve]'``) or, for ``"umap"``, umap-learn is not
        installed.

    References
    ----------
    Pearson (1901), "On lines and planes of closest fit"; van der Maaten & Hinton (2008),
    "Visualizing data using t-SNE", JMLR 9; McInnes, Healy & Melville (2018), "UMAP", arXiv
    1802.03426.

    Examples
    --------
    >>> import numpy as np
    >>> from simvec.vectors.keyed import KeyedVectors
    >>> kv = KeyedVectors(np.array([[1, 0, 0], [0.9, 0.1, 0], [0, 0, 1]], np.float32),
    ...                   ["cat", "kitten", "car"])
    >>> p = project_words(kv, ["cat", "kitten", "car", "unicorn"])
    >>> p.words, p.coords.shape, p.oov
    (['cat', 'kitten', 'car'], (3, 2), ['unicorn'])
    """
    from simvec.similarity import normalize_rows

    if method not in PROJECTIONS:
        raise SimvecValueError(f"method must be one of {', '.join(PROJECTIONS)}, got {method!r}")
    known, oov, seen = [], [], set()
    for w in words:
        if not isinstance(w, str):
            raise SimvecValueError(f"words must be strings, got {type(w).__name__}")
        if w in seen:
            continue
        seen.add(w)
        (known if w in kv else oov).append(w)
    need = 2 if method == "pca" else 3
    if len(known) < need:
        raise SimvecValueError(
            f"{method} needs at least {need} distinct words in the vocabulary, got {len(known)}"
            + (f" (not in vocabulary: {', '.join(oov)})" if oov else ""))
    x = normalize_rows(np.stack([kv.get_vector(w) for w in known]))
    n = len(known)
    if method == "pca":
        decomposition = import_optional("sklearn.decomposition", needed_by="simvec plot / map",
                                        extra="serve", package="scikit-learn")
        coords = decomposition.PCA(n_components=2).fit_transform(x.astype(np.float64))
    elif method == "tsne":
        manifold = import_optional("sklearn.manifold", needed_by="t-SNE maps", extra="serve",
                                   package="scikit-learn")
        coords = manifold.TSNE(n_components=2, perplexity=float(min(30, n - 1)), metric="cosine",
                               init="random", random_state=seed).fit_transform(x)
    else:
        umap = import_optional("umap", needed_by="UMAP maps", package="umap-learn")
        coords = umap.UMAP(n_components=2, n_neighbors=min(15, n - 1), metric="cosine",
                           random_state=seed).fit_transform(x)
    coords = np.nan_to_num(np.asarray(coords, dtype=np.float64), nan=0.0, posinf=0.0,
                           neginf=0.0)
    return Projection(words=known, coords=coords, method=method, oov=oov)


def plot_projection(proj: Projection, path, *, title: str | None = None, dpi: int = 120) -> None:
    """Draw a :class:`Projection` as a labelled scatter plot into a PNG (written atomically).

    Parameters
    ----------
    proj : Projection
    path : str or os.PathLike
        Output file; its folder must exist.
    title : str, optional
        Default ``"<method> map of N words"``.
    dpi : int, default 120

    Raises
    ------
    MissingDependencyError
        If matplotlib is not installed.
    SimvecFileNotFoundError
        If the folder of ``path`` does not exist (nothing is written).
    """
    plt = _pyplot("simvec plot")

    fig, ax = plt.subplots(figsize=(7, 6))
    try:
        ax.scatter(proj.coords[:, 0], proj.coords[:, 1], s=18, color="#2b6cb0")
        for w, (x, y) in zip(proj.words, proj.coords):
            ax.annotate(w, (x, y), xytext=(3, 3), textcoords="offset points", fontsize=9)
        ax.set_title(title or f"{proj.method.upper()} map of {len(proj.words)} words")
        ax.set_xticks([])
        ax.set_yticks([])
        fig.tight_layout()
        atomic_write_path(path, lambda tmp: fig.savefig(tmp, format="png", dpi=dpi),
                          suffix=".png")
    finally:
        plt.close(fig)


@dataclass(frozen=True)
class KeywordHeatmap:
    """Result of :func:`keyword_heatmap`: the cosines of two lists' keyword vectors.

    Attributes
    ----------
    rows, cols : list of str
        The in-vocabulary keywords of list a (rows) and list b (columns), duplicates merged,
        in input order.
    cosine : ndarray of float64, shape (len(rows), len(cols))
        ``cosine[i, j] = cos(vector(rows[i]), vector(cols[j]))``, in [-1, 1], finite.
    oov_a, oov_b : list of str
        Keywords left out because none of their tokens is in the vocabulary.
    """

    rows: list[str]
    cols: list[str]
    cosine: np.ndarray
    oov_a: list[str] = field(default_factory=list)
    oov_b: list[str] = field(default_factory=list)

    @property
    def best_col(self) -> np.ndarray:
        """int (len(rows),): for each row keyword, the column of its best partner."""
        return self.cosine.argmax(axis=1)

    @property
    def best_row(self) -> np.ndarray:
        """int (len(cols),): for each column keyword, the row of its best partner."""
        return self.cosine.argmax(axis=0)


def keyword_heatmap(a, b, kv, *, tokenizer=None) -> KeywordHeatmap:
    """Cosines of every keyword of list a with every keyword of list b.

    Keywords are parsed as by :func:`simvec.keyword_similarity` (split on ``,``/``;``,
    normalised, duplicates merged) and each keyword vector is the mean of its tokens' raw
    vectors, the vectors ``best_match`` aligns (Mihalcea et al. 2006), so each row's maximum is
    that keyword's ``best_match`` cosine.

    Parameters
    ----------
    a, b : str or list of str
        Keyword lists.
    kv : KeyedVectors
    tokenizer : callable str -> list of str, optional
        Default :func:`simvec.text.tokenize.tokenize` (lowercasing).

    Returns
    -------
    KeywordHeatmap

    Raises
    ------
    SimvecValueError
        If a list is empty or holds non-strings, or no keyword of a list is in the vocabulary
        ("no keyword of list a is in the vocabulary").

    Examples
    --------
    >>> import numpy as np
    >>> from simvec.vectors.keyed import KeyedVectors
    >>> kv = KeyedVectors(np.array([[1, 0], [1, 0.2], [0, 1]], np.float32),
    ...                   ["cat", "dog", "car"])
    >>> hm = keyword_heatmap("cat, car", "dog, unicorn", kv)
    >>> hm.rows, hm.cols, hm.cosine.round(3).tolist(), hm.oov_b
    (['cat', 'car'], ['dog'], [[0.981], [0.196]], ['unicorn'])
    """
    from simvec.keywords.parse import parse_collection
    from simvec.similarity import cos_sim

    docs = parse_collection([a, b], kv, tokenizer, names=["a", "b"])
    for name, items, used in zip("ab", docs.items, docs.used):
        if not items:
            raise SimvecValueError(f"keyword list {name} is empty")
        if not used:
            raise SimvecValueError(f"no keyword of list {name} is in the vocabulary, so there "
                                   "is no heat map to draw")
    va, vb = ([docs.encoder.vector(k) for k in used] for used in docs.used)
    cos = np.clip(np.nan_to_num(np.asarray(cos_sim(np.stack(va), np.stack(vb)), np.float64)),
                  -1.0, 1.0)
    return KeywordHeatmap(rows=list(docs.used[0]), cols=list(docs.used[1]), cosine=cos,
                          oov_a=list(docs.oov[0]), oov_b=list(docs.oov[1]))


def heatmap_figsize(n_rows: int, n_cols: int, row_label: int = 0,
                    col_label: int = 0) -> tuple[float, float]:
    """Figure size of :func:`plot_keyword_heatmap` for a heat map of ``n_rows`` x ``n_cols``.

    Each cell is 1.1 in wide and 0.6 in tall; margins hold the labels (they grow with the
    longest label, up to 40 characters), the colour bar and the title.

    Parameters
    ----------
    n_rows, n_cols : int
        Keywords of list a (rows) and list b (columns).
    row_label, col_label : int, default 0
        Length in characters of the longest row / column label.

    Returns
    -------
    (float, float)
        Width and height in inches (times the dpi: pixels).

    Examples
    --------
    >>> heatmap_figsize(2, 4)
    (6.2, 2.9)
    """
    left = 0.5 + 0.075 * min(row_label, 40)
    bottom = 0.6 + 0.06 * min(col_label, 40)
    return (round(left + 1.1 * n_cols + 1.3, 3), round(bottom + 0.6 * n_rows + 1.1, 3))


def plot_keyword_heatmap(hm: KeywordHeatmap, path, *, title: str | None = None,
                         dpi: int = 120) -> tuple[int, int]:
    """Draw a :class:`KeywordHeatmap` into a PNG (written atomically).

    One cell per (keyword of a, keyword of b), coloured by cosine (matplotlib's ``Blues``,
    from ``min(0, lowest cosine)`` to 1) and annotated with its value to two decimals. Each
    row keyword's best partner in b has a solid black frame, each column keyword's best
    partner in a a dashed orange one: the pairs of the ``best_match`` alignment. The
    figure grows with the lists: :func:`heatmap_figsize`.

    Parameters
    ----------
    hm : KeywordHeatmap
    path : str or os.PathLike
        Output file; its folder must exist.
    title : str, optional
        Default: ``"keyword cosines"`` and what the frames mean.
    dpi : int, default 120

    Returns
    -------
    (int, int)
        Width and height of the PNG in pixels, as written: the figure size of
        :func:`heatmap_figsize` times ``dpi`` (to a pixel).

    Raises
    ------
    MissingDependencyError
        If matplotlib is not installed.
    SimvecFileNotFoundError
        If the folder of ``path`` does not exist (nothing is written).
    """
    plt = _pyplot("simvec similar --plot")
    from matplotlib.patches import Rectangle

    n, m = hm.cosine.shape
    size = heatmap_figsize(n, m, max(map(len, hm.rows)), max(map(len, hm.cols)))
    fig, ax = plt.subplots(figsize=size)
    try:
        lo = min(0.0, float(hm.cosine.min()))
        im = ax.imshow(hm.cosine, cmap="Blues", vmin=lo, vmax=1.0, aspect="auto")
        for i in range(n):
            for j in range(m):
                v = hm.cosine[i, j]
                ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=9,
                        color="white" if (v - lo) / (1.0 - lo + 1e-12) > 0.6 else "black")
        for i, j in enumerate(hm.best_col):
            ax.add_patch(Rectangle((j - 0.46, i - 0.44), 0.92, 0.88, fill=False, lw=2,
                                   edgecolor="black"))
        for j, i in enumerate(hm.best_row):
            ax.add_patch(Rectangle((j - 0.38, i - 0.34), 0.76, 0.68, fill=False, lw=1.6,
                                   edgecolor="#dd6b20", linestyle="--"))
        ax.set_xticks(range(m), hm.cols, rotation=30, ha="right")
        ax.set_yticks(range(n), hm.rows)
        ax.set_xlabel("list b")
        ax.set_ylabel("list a")
        fig.colorbar(im, ax=ax, fraction=0.08, pad=0.03, label="cosine")
        ax.set_title(title or "keyword cosines\nsolid frame: best in b for the row\n"
                     "dashed frame: best in a for the column", fontsize=9)
        fig.tight_layout()
        pixels = []

        def write(tmp):
            fig.savefig(tmp, format="png", dpi=dpi)
            with open(tmp, "rb") as f:  # the IHDR chunk: width and height, big-endian
                head = f.read(24)
            pixels.extend((int.from_bytes(head[16:20], "big"),
                           int.from_bytes(head[20:24], "big")))

        atomic_write_path(path, write, suffix=".png")
    finally:
        plt.close(fig)
    return pixels[0], pixels[1]


def _tsv_cell(key: str) -> str:
    return str(key).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace(
        "\r", "\\r")


def write_projector_files(kv, folder, *, limit: int | None = None) -> list:
    """Write ``vectors.tsv``, ``metadata.tsv`` and ``projector_config.pbtxt`` into ``folder``.

    The TensorBoard Embedding Projector (https://projector.tensorflow.org, or ``tensorboard
    --logdir FOLDER``) loads the pair: ``vectors.tsv`` has one row per word, its components
    separated by tabs (``%.6g``); ``metadata.tsv`` has the words, one per line, in the same
    order (one column, hence no header, as the projector expects). A tab, newline or backslash
    inside a word is written escaped (``\\t``, ``\\n``, ``\\\\``) so rows stay aligned. The
    three files are written atomically together (all or none).

    Parameters
    ----------
    kv : KeyedVectors
    folder : str or os.PathLike
        Created if missing (its parent must exist).
    limit : int, optional
        Only the first ``limit`` words (the most frequent, for frequency-sorted vectors); the
        projector handles some 10^5 points comfortably.

    Returns
    -------
    list of pathlib.Path
        The vectors, metadata and config files written.

    Raises
    ------
    SimvecValueError
        If ``limit`` is not a positive integer or ``kv`` is empty.
    SimvecFileNotFoundError
        If the parent of ``folder`` does not exist.

    Examples
    --------
    >>> import numpy as np, tempfile, pathlib
    >>> from simvec.vectors.keyed import KeyedVectors
    >>> kv = KeyedVectors(np.array([[1, 0.5], [0, 2]], np.float32), ["cat", "dog"])
    >>> d = pathlib.Path(tempfile.mkdtemp()) / "proj"
    >>> [p.name for p in write_projector_files(kv, d)]
    ['vectors.tsv', 'metadata.tsv', 'projector_config.pbtxt']
    >>> (d / "vectors.tsv").read_text()
    '1\\t0.5\\n0\\t2\\n'
    """
    from pathlib import Path

    from simvec._util import atomic_write
    from simvec.errors import SimvecFileNotFoundError

    n = len(kv)
    if limit is not None:
        if isinstance(limit, bool) or not isinstance(limit, (int, np.integer)) or limit < 1:
            raise SimvecValueError(f"limit must be a positive integer, got {limit!r}")
        n = min(n, int(limit))
    if n == 0:
        raise SimvecValueError("no vectors to write")
    folder = Path(folder)
    if not folder.parent.is_dir():
        raise SimvecFileNotFoundError(f"cannot write {folder}: folder {folder.parent} does not exist")
    folder.mkdir(exist_ok=True)
    vectors = np.asarray(kv.vectors[:n], dtype=np.float32)
    keys = kv.index_to_key[:n]

    def write_vectors(f, block=20000):
        for start in range(0, n, block):
            rows = vectors[start:start + block]
            text = "\n".join("\t".join(f"{x:.6g}" for x in row) for row in rows.tolist())
            f.write((text + "\n").encode("utf-8"))

    def write_metadata(f):
        f.write("".join(_tsv_cell(k) + "\n" for k in keys).encode("utf-8"))

    def write_config(f):
        f.write(b'embeddings {\n  tensor_name: "simvec"\n  tensor_path: "vectors.tsv"\n'
                b'  metadata_path: "metadata.tsv"\n}\n')

    paths = [folder / "vectors.tsv", folder / "metadata.tsv", folder / "projector_config.pbtxt"]
    atomic_write(zip(paths, (write_vectors, write_metadata, write_config)))
    return paths
