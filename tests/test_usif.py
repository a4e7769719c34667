"""uSIF (Ethayarajh 2018): its a, weights, common components, the ``usif`` method and its
figures on the STS Benchmark and BiRD (docs/phrase-quality.md)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import data_path
from typer.testing import CliRunner

from simvec.cli.app import app
from simvec.errors import SimvecValueError
from simvec.eval.phrases import evaluate_text_pairs, read_text_pairs, score_text_pairs
from simvec.keywords.frequencies import shipped_word_counts
from simvec.keywords.methods import METHODS, PHRASE_METHODS, similarity_matrix
from simvec.keywords.parse import parse_collection
from simvec.keywords.scorers import (
    pairwise_usif, usif_components, usif_matrix, usif_mean_length, usif_remove_components,
    usif_text_vectors,
)
from simvec.keywords.weighting import (
    usif_parameter, usif_weights, usif_word_weights, zipf_probabilities,
)
from simvec.vectors.keyed import KeyedVectors

runner = CliRunner()
# measured: usif on the first 500 pairs of BiRD.txt (Zipf p(w), n and components of those texts)
USIF_BIRD500 = 0.583298


def test_a_follows_the_papers_formula():
    # |V| = 5, n = 1: threshold 1 - (4/5) = 0.2, alpha = 2/5, Z = 2.5, a = 0.6 / (0.4 * 2.5)
    p = [0.5, 0.3, 0.1, 0.05, 0.05]
    assert usif_parameter(p, 1) == pytest.approx(0.6)
    # n = 2: threshold 1 - 0.64 = 0.36, alpha = 1/5, a = 0.8 / (0.2 * 2.5)
    assert usif_parameter(np.array(p), 2.0) == pytest.approx(1.6)
    # the shipped table (73,354 words) and Zipf's law on GloVe's 400,000 rows, n = 11
    t = shipped_word_counts()
    listed = np.fromiter(t.counts.values(), np.float64) / t.total
    assert usif_parameter(listed, 11) == pytest.approx(3.2354e-3, rel=1e-4)
    assert usif_parameter(zipf_probabilities(400_000), 11) == pytest.approx(7.3629e-4, rel=1e-4)
    np.testing.assert_allclose(usif_weights([0.0, 1e-3, 0.5], 1e-3), [2.0, 2 / 3, 1e-3 / 0.5005])


def test_a_and_weights_refuse_bad_input():
    with pytest.raises(SimvecValueError, match=r"n \(the average sentence length\) must be a "
                                               "positive number, got 0"):
        usif_parameter([0.5, 0.5], 0)
    with pytest.raises(SimvecValueError, match="positive number, got True"):
        usif_parameter([0.5, 0.5], True)
    with pytest.raises(SimvecValueError, match="no word of the 4 has a probability above"):
        usif_parameter([0.25] * 4, 3)  # uniform: nothing above 1 - (3/4)^3
    with pytest.raises(SimvecValueError, match="every word of the 2"):
        usif_parameter([0.5, 0.5], 0.5)
    with pytest.raises(SimvecValueError, match="values in \\[0, 1\\], got shape \\(2, 1\\)"):
        usif_parameter([[0.5], [0.5]], 1)
    with pytest.raises(SimvecValueError, match="1-D array of numbers in \\[0, 1\\], got list"):
        usif_parameter(["x", "y"], 1)
    with pytest.raises(SimvecValueError, match="a must be a positive number, got -1"):
        usif_weights([0.1], -1)


def test_word_weights_by_source(tmp_path):
    w, a = usif_word_weights(["the", "of", "serendipity", "zzqqxx"], 11, "corpus")
    assert a == pytest.approx(3.2354e-3, rel=1e-4)
    t = shipped_word_counts()
    p_min = min(t.counts.values()) / t.total
    # an unlisted word gets the table's smallest probability (kawine/usif word2prob), not 0
    assert w[3] == pytest.approx(a / (a / 2 + p_min)) and w[3] < 2.0
    assert w[0] < w[1] < w[2] <= w[3]
    wz, az = usif_word_weights(KeyedVectors(np.eye(3, dtype=np.float32), ["a", "b", "c"]), 1.5)
    assert az == pytest.approx(usif_parameter(zipf_probabilities(3), 1.5))
    np.testing.assert_allclose(wz, usif_weights(zipf_probabilities(3), az))
    wa, aa = usif_word_weights(["a", "b", "c"], 1, [0.6, 0.4, 0.0])
    assert aa == pytest.approx(usif_parameter([0.6, 0.4, 0.0], 1))
    assert wa[2] == pytest.approx(aa / (aa / 2 + 0.4))  # zero raised to the smallest positive
    f = tmp_path / "c.tsv"
    f.write_text("# total_tokens\t100\nthe\t60\ncat\t1\ndog\t1\n")
    wf, af = usif_word_weights(["the", "cat", "fish"], 1, f)
    assert af == pytest.approx(usif_parameter([0.6, 0.01, 0.01], 1))
    assert wf[2] == wf[1]
    with pytest.raises(SimvecValueError, match="word_probabilities must be one of zipf, corpus"):
        usif_word_weights(["a"], 1, "unigram")
    with pytest.raises(SimvecValueError, match="word_probabilities has 2 values for a "
                                               "vocabulary of 3"):
        usif_word_weights(["a", "b", "c"], 1, [0.5, 0.5])
    with pytest.raises(SimvecValueError, match="word_probabilities has no positive value"):
        usif_word_weights(["a", "b"], 1, [0.0, 0.0])
    with pytest.raises(SimvecValueError, match="^word_probabilities: uSIF's a is undefined"):
        usif_word_weights(["a", "b"], 3, [0.5, 0.5])


def test_components_match_the_reference_code(glove50):
    # kawine/usif uSIF.embed: TruncatedSVD(n_components=5, random_state=0) of the uncentred
    # sentence vectors, v - lambda_i (v . u_i) u_i with lambda_i = s_i^2 / sum s^2
    from sklearn.decomposition import TruncatedSVD

    pairs = read_text_pairs(data_path("phrase", "stsbenchmark", "sts-dev.csv"))
    docs = parse_collection([[t] for t in pairs.text1[:300] + pairs.text2[:300]], glove50)
    w, _ = usif_word_weights(docs.encoder.key_to_index, usif_mean_length(docs))
    vec, ok = usif_text_vectors(docs, w)
    assert ok.all()
    comp, lam = usif_components(vec)
    assert comp.shape == (5, 50) and lam.sum() == pytest.approx(1.0) and lam[0] > lam[4] > 0
    np.testing.assert_allclose(np.linalg.norm(comp, axis=1), 1.0)
    ours = usif_remove_components(vec, comp, lam)
    # exact ("arpack") to rounding; the reference's randomized default to its approximation
    for algorithm, atol in (("arpack", 1e-9), ("randomized", 5e-5)):
        svd = TruncatedSVD(n_components=5, algorithm=algorithm, random_state=0).fit(vec)
        ref = vec.copy()
        for i in range(5):
            lam_i = svd.singular_values_[i] ** 2 / (svd.singular_values_ ** 2).sum()
            pc = svd.components_[i]
            ref = ref - lam_i * np.outer(ref @ pc, pc)
        np.testing.assert_allclose(ours, ref, atol=atol, err_msg=algorithm)
    # the text vector: weighted mean of unit word vectors
    r = np.asarray(docs.tok_rows[0])
    v = glove50.vectors[r].astype(np.float64)
    np.testing.assert_allclose(vec[0], w[r] @ (v / np.linalg.norm(v, axis=1)[:, None]) / len(r))


def test_scorers_agree_and_refuse_bad_input(glove50):
    texts = ["a man is playing a guitar", "a woman plays the violin", "the cat sleeps",
             "stocks fell sharply today", "a dog runs in the park", "the market rallied",
             "someone plays music", "a kitten is sleeping"]
    docs = parse_collection([[t] for t in texts], glove50)
    w, _ = usif_word_weights(docs.encoder.key_to_index, usif_mean_length(docs))
    # pairs (t, 4 + t) of pairwise_usif are the (t, 4 + t) cells of the collection's matrix
    np.testing.assert_allclose(pairwise_usif(docs, 4, w),
                               np.diag(usif_matrix(docs, w)[:4, 4:]), atol=1e-6)
    # the registry's matrix: a from the collection's own average length
    np.testing.assert_allclose(similarity_matrix([[t] for t in texts], glove50, "usif"),
                               usif_matrix(docs, w), atol=1e-7)
    # one pair: no component removed, the cosine of the two weighted means
    two = parse_collection([[texts[0]], [texts[6]]], glove50)
    w2, _ = usif_word_weights(two.encoder.key_to_index, usif_mean_length(two))
    v, _ = usif_text_vectors(two, w2)
    cos = v[0] @ v[1] / np.linalg.norm(v[0]) / np.linalg.norm(v[1])
    assert similarity_matrix([[texts[0]], [texts[6]]], glove50, "usif")[0, 1] == \
        pytest.approx(cos, abs=1e-6)
    assert np.isnan(similarity_matrix([["zzqqxx"], ["cat"]], glove50, "usif")[0, 1])
    with pytest.raises(SimvecValueError, match="m must be a non-negative integer, got -1"):
        pairwise_usif(docs, 4, w, m=-1)
    with pytest.raises(SimvecValueError, match="m must be a positive integer, got 0"):
        usif_components(np.ones((3, 2)), 0)
    with pytest.raises(SimvecValueError, match="at least 2 text vectors, got shape \\(1, 2\\)"):
        usif_components(np.ones((1, 2)))
    with pytest.raises(SimvecValueError, match="every text vector is zero"):
        usif_components(np.zeros((3, 2)))
    with pytest.raises(SimvecValueError, match="needs a text with an in-vocabulary token"):
        usif_mean_length(parse_collection([["zzqqxx"]], glove50))


def test_registry_record():
    m = METHODS["usif"]
    assert tuple(METHODS)[-1] == "usif" and PHRASE_METHODS[-1] == "usif"
    assert "Ethayarajh 2018" in m.description and m.needs_vectors and not m.needs_collection


def test_sts_dev_and_bird_figures(glove50):
    # measured (docs/phrase-quality.md): the paper's uSIF, Zipf p(w), n and the 5 components
    # from the scored file's texts (the setting chosen on STS-B train + dev)
    dev = read_text_pairs(data_path("phrase", "stsbenchmark", "sts-dev.csv"))
    (r,), _ = evaluate_text_pairs(glove50, dev, ["usif"])
    assert r.spearman == pytest.approx(0.708975, abs=1e-4) and r.pairs_used == 1500
    bird = read_text_pairs(data_path("phrase", "BiRD.txt"))
    s, _ = score_text_pairs(glove50, bird, ["usif", "sif"])
    ok = ~np.isnan(s["usif"])
    assert ok.sum() == 3336  # 9 pairs with an out-of-vocabulary text
    from scipy.stats import spearmanr

    # issue 13's BiRD target of 0.60 is not reached: 0.569, below sif's 0.594
    assert spearmanr(s["usif"][ok], bird.scores[ok])[0] == pytest.approx(0.568773, abs=1e-4)
    assert spearmanr(s["sif"][ok], bird.scores[ok])[0] == pytest.approx(0.594242, abs=1e-4)
    # n (11.50 tokens a text) and the components from other texts (sif_reference)
    (r,), _ = evaluate_text_pairs(glove50, bird, ["usif"], sif_reference=dev)
    assert r.spearman == pytest.approx(0.578262, abs=1e-4)
    with pytest.raises(SimvecValueError, match="sif_reference: no text has an in-vocabulary"):
        evaluate_text_pairs(glove50, bird, ["usif"], sif_reference=["zzqqxx", "qqzzxx"])
    with pytest.raises(SimvecValueError, match="word_probabilities has 2 values for 400000"):
        evaluate_text_pairs(glove50, bird, ["usif"], word_probabilities=[0.5, 0.5])


def test_cli_lists_usif_and_names_the_flag(glove50, tmp_path):
    # the first 500 BiRD pairs (the CLI scores every phrase method; the whole file is slow)
    lines = data_path("phrase", "BiRD.txt").read_text(encoding="utf-8").splitlines()
    path = tmp_path / "bird500.txt"
    path.write_text("\n".join(lines[:501]) + "\n", encoding="utf-8")
    res = runner.invoke(app, ["evaluate", str(path), "--bootstrap", "0", "--format", "json",
                              "--quiet"])
    assert res.exit_code == 0, res.output
    m = {x["method"]: x for x in json.loads(res.stdout)["files"][0]["methods"]}
    bird = read_text_pairs(path)
    (r,), _ = evaluate_text_pairs(glove50, bird, ["usif"])
    assert m["usif"]["spearman"] == r.spearman == pytest.approx(USIF_BIRD500, abs=1e-4)
    counts = tmp_path / "flat.tsv"
    counts.write_text("cat\t5\ndog\t5\n")
    bad = runner.invoke(app, ["evaluate", str(path), "--word-frequencies", str(counts)])
    assert bad.exit_code == 2
    assert bad.stderr.startswith("simvec: error: --word-frequencies: uSIF's a is undefined: no "
                                 "word of the 2") and len(bad.stderr.strip().splitlines()) == 1
