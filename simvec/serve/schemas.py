"""Request and response schemas of the HTTP API (pydantic models, hence the OpenAPI document).

Responses carry the field names of the CLI's ``--format json`` payloads (``simvec similar``,
``simvec neighbors``, ``simvec analogy``, ``simvec keywords``; see docs/cli.md). Request models
are built by :func:`request_models` from a :class:`~simvec.serve.limits.Limits`, so the bounds a
server enforces are the ones its ``/openapi.json`` advertises.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Annotated, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from simvec.serve.limits import Limits

__all__ = [
    "request_models", "SEARCH_METHODS", "Match", "SimilarResponse", "Neighbor",
    "NeighborsResponse", "Answer", "AnalogyResponse", "SearchHit", "SearchResult",
    "SearchResponse", "MapResponse", "Heatmap", "InfoResponse", "HealthResponse", "ErrorResponse",
]

#: Methods ``POST /search`` accepts (those of :mod:`simvec.keywords.methods` that need no
#: optional package and stay fast on a collection loaded in memory).
SEARCH_METHODS = ("hybrid", "sif_best_match", "mean", "best_match", "jaccard_phrases",
                  "jaccard_tokens")


def request_models(limits: Limits, map_methods: tuple[str, ...] = ("pca",)) -> SimpleNamespace:
    """The request models of one app, with ``limits`` as schema constraints.

    Parameters
    ----------
    limits : Limits
    map_methods : tuple of str
        Projections ``POST /map`` offers (``"umap"`` only where umap-learn is installed).

    Returns
    -------
    types.SimpleNamespace
        ``SimilarRequest``, ``AnalogyRequest``, ``SearchRequest``, ``MapRequest`` (pydantic
        models; unknown fields are rejected) and ``Word`` (the annotated str type of one word).
    """
    word = Annotated[str, StringConstraints(min_length=1, max_length=limits.max_string_length)]
    keyword_list = Annotated[list[word], Field(min_length=1, max_length=limits.max_keywords)]
    top_k = Annotated[int, Field(ge=1, le=limits.max_top_k)]
    strict = ConfigDict(extra="forbid")

    class SimilarRequest(BaseModel):
        """Two keyword lists (each keyword a word or a phrase)."""

        model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
            {"a": ["machine learning", "neural network"],
             "b": ["deep learning", "artificial intelligence"]}]})
        a: keyword_list
        b: keyword_list
        heatmap: bool = Field(False, description="Also return the keyword x keyword cosines.")

    class AnalogyRequest(BaseModel):
        """'a is to b as c is to ?'."""

        model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
            {"a": "man", "b": "king", "c": "woman", "topn": 5}]})
        a: word
        b: word
        c: word
        topn: top_k = 5
        method: Literal["3cosadd", "3cosmul"] = "3cosadd"

    class SearchRequest(BaseModel):
        """Keyword lists to rank the loaded collection against."""

        model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
            {"queries": [["machine learning", "statistics"]], "k": 5}]})
        queries: Annotated[list[keyword_list], Field(min_length=1, max_length=limits.max_lists)]
        k: top_k = 10
        method: Literal[SEARCH_METHODS] = "hybrid"  # type: ignore[valid-type] (DEFAULT_METHOD)

    class MapRequest(BaseModel):
        """Words to place on a 2-D map."""

        model_config = strict
        words: Annotated[list[word], Field(min_length=2, max_length=limits.max_map_words)]
        method: Literal[map_methods] = "pca"  # type: ignore[valid-type]

    return SimpleNamespace(SimilarRequest=SimilarRequest, AnalogyRequest=AnalogyRequest,
                           SearchRequest=SearchRequest, MapRequest=MapRequest, Word=word)


class Match(BaseModel):
    """One unit of the alignment (a keyword, or a token of a keyword) and its best partner
    (:class:`simvec.keywords.pair.KeywordMatch`)."""

    keyword: str = Field(description="The keyword (token level: the keyword of the token).")
    partner: str = Field(description="The best partner keyword on the other side (token "
                                     "level: the keyword of the best partner token).")
    cosine: float
    weight: Optional[float] = Field(None, description="Weight in the side's average (the "
                                    "weights of a side sum to 1): 1/n at the keyword level, "
                                    "the normalised SIF weight at the token level.")
    token: Optional[str] = Field(None, description="Token level: the token; else null.")
    partner_token: Optional[str] = Field(None, description="Token level: the best partner "
                                         "token; else null.")


class Heatmap(BaseModel):
    """Cosines of the in-vocabulary keywords: ``cosine[i][j] = cos(rows[i], cols[j])``."""

    rows: list[str]
    cols: list[str]
    cosine: list[list[float]]


class SimilarResponse(BaseModel):
    """``simvec similar --format json``, plus the optional heat map."""

    vectors: str
    model: Optional[str] = None
    encoder: Optional[str] = None
    method: str
    score: Optional[float]
    a: list[str]
    b: list[str]
    jaccard: float
    mean_cosine: Optional[float]
    best_match_cosine: Optional[float]
    oov_a: list[str]
    oov_b: list[str]
    reason: Optional[str]
    context: Optional[dict[str, Optional[str]]] = None
    note: Optional[str] = None
    alignment: dict[str, list[Match]]
    alignment_method: Optional[str] = Field(None, description="Whose alignment: the scored "
                                            "method's (hybrid: its sif_best_match part), "
                                            "else best_match's.")
    alignment_level: Optional[Literal["token", "keyword"]] = None
    alignment_score: Optional[float] = Field(None, description="Mean over the two sides of "
                                             "sum(weight x cosine).")
    heatmap: Optional[Heatmap] = None


class Neighbor(BaseModel):
    word: str
    cosine: float


class NeighborsResponse(BaseModel):
    """``simvec neighbors --format json``."""

    neighbors: dict[str, list[Neighbor]]
    oov: list[str]


class Answer(BaseModel):
    word: str
    score: float


class AnalogyResponse(BaseModel):
    """``simvec analogy --format json``."""

    question: list[str]
    method: str
    answers: list[Answer]


class SearchHit(BaseModel):
    """One neighbour, with the row fields of ``simvec keywords --format json``."""

    rank: int
    id: str
    score: float
    jaccard: Optional[float]


class SearchResult(BaseModel):
    query: int
    neighbors: list[SearchHit]


class SearchResponse(BaseModel):
    """Top-k documents of the loaded collection for each query."""

    k: int
    method: str
    documents: int
    no_vector: list[int]
    results: list[SearchResult]


class MapResponse(BaseModel):
    """2-D coordinates of the in-vocabulary words."""

    method: str
    words: list[str]
    x: list[float]
    y: list[float]
    oov: list[str]


class InfoResponse(BaseModel):
    vectors: str
    count: int
    vector_size: int
    collection: Optional[dict]
    limits: dict
    map_methods: list[str]
    search_methods: list[str]
    version: str


class HealthResponse(BaseModel):
    status: Literal["ok"]


class ErrorResponse(BaseModel):
    """Every error: what was wrong (``error``) and, where one is to blame, the ``field``."""

    error: str
    field: Optional[str] = None
    detail: Optional[list] = None
