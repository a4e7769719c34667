"""Tests of simvec.eval.words: word-pair correlation and analogy accuracy.

The reference figures were measured with gensim 4.4 on the same GloVe 6B 50d vectors
(case-insensitive, restrict_vocab 300,000, OOV skipped, 3CosAdd): WordSim-353 0.503, SimLex-999
0.263, RG-65 0.602 (Spearman); Google analogy 46.4 % (semantic 48.8 %, syntactic 44.4 %).
Where gensim is installed (the ``bench`` extra) the protocol is also compared with it directly.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from conftest import data_path, importorskip
from simvec.errors import InputFormatError, SimvecError, SimvecFileNotFoundError, SimvecValueError
from simvec.eval.words import (
    AnalogyResult,
    WordPairResult,
    evaluate_word_analogies,
    evaluate_word_pairs,
)
from simvec.vectors.keyed import KeyedVectors

# gensim 4.4 on GloVe 6B 50d: (Spearman, Pearson, OOV %)
GENSIM_PAIRS = {
    "EN-WS-353-ALL.txt": (0.503319577396603, 0.5066191868476005, 0.0),
    "EN-SIMLEX-999.txt": (0.26306011525070383, 0.2922692283951704, 0.10010010010010009),
    "EN-RG-65.txt": (0.6020696994509713, 0.5628529107649926, 0.0),
    "EN-MC-30.txt": (0.5630355270863465, 0.481946548916726, 0.0),
    "EN-WS-353-SIM.txt": (0.5731504557702286, 0.5445947202380395, 0.0),
    "EN-WS-353-REL.txt": (0.46565897439307147, 0.502467280443317, 0.0),
}
REFERENCE_SPEARMAN = {"EN-WS-353-ALL.txt": 0.503, "EN-SIMLEX-999.txt": 0.263, "EN-RG-65.txt": 0.602}
# simvec's p-values of (Spearman, Pearson) on GloVe 6B 50d, measured (scipy's t-distribution)
P_VALUES = {"EN-WS-353-ALL.txt": (4.545752555909452e-24, 2.0601761841900805e-24),
            "EN-SIMLEX-999.txt": (2.932968774718576e-17, 4.1732824220565836e-21),
            "EN-RG-65.txt": (1.1251711406053659e-07, 1.0591020653613927e-06)}
# gensim 4.4 evaluate_word_analogies on questions-words.txt: correct answers per section
GENSIM_SECTIONS = {
    "capital-common-countries": (401, 506), "capital-world": (3099, 4524), "currency": (73, 808),
    "city-in-state": (378, 2467), "family": (349, 506), "gram1-adjective-to-adverb": (151, 992),
    "gram2-opposite": (77, 812), "gram3-comparative": (690, 1332),
    "gram4-superlative": (321, 1122), "gram5-present-participle": (439, 1056),
    "gram6-nationality-adjective": (1376, 1599), "gram7-past-tense": (585, 1560),
    "gram8-plural": (798, 1332), "gram9-plural-verbs": (299, 870),
}


def _write(path, text, newline="\n"):
    path.write_bytes(text.replace("\n", newline).encode("utf-8"))
    return path


@pytest.fixture(scope="module")
def google():
    return data_path("analogy", "questions-words.txt")


@pytest.fixture(scope="module")
def google_result(glove50, google):
    return evaluate_word_analogies(glove50, google)


@pytest.fixture(scope="module")
def google_subset(tmp_path_factory, google):
    """Every 40th question of 4 sections (2 semantic incl. currency's OOV ones, 2 syntactic):
    86 questions, 1 of them OOV."""
    keep = {"capital-common-countries", "currency", "gram2-opposite", "gram8-plural"}
    out, section, n = [], None, 0
    for line in google.read_text(encoding="utf-8").splitlines():
        if line.startswith(":"):
            section = line[1:].strip()
            if section in keep:
                out.append(line)
        elif section in keep:
            n += 1
            if n % 40 == 0:
                out.append(line)
    path = tmp_path_factory.mktemp("analogy") / "subset.txt"
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def gensim_glove(glove50):
    gensim_models = importorskip("gensim.models")
    gkv = gensim_models.KeyedVectors(glove50.vector_size)
    gkv.add_vectors(glove50.index_to_key, np.asarray(glove50.vectors))
    return gkv


def _toy(keys, dim=6, seed=0):
    rng = np.random.default_rng(seed)
    return KeyedVectors(rng.standard_normal((len(keys), dim)).astype(np.float32), keys)


# ------------------------------------------------------------------ word pairs: real data
@pytest.mark.parametrize("name", sorted(REFERENCE_SPEARMAN))
def test_word_pairs_reproduce_reference_figures(glove50, name):
    res = evaluate_word_pairs(glove50, data_path("similarity", name))
    assert isinstance(res, WordPairResult)
    assert res.spearman[0] == pytest.approx(REFERENCE_SPEARMAN[name], abs=0.005)
    rho, r, oov = GENSIM_PAIRS[name]
    assert res.spearman[0] == pytest.approx(rho, abs=1e-6)
    assert res.pearson[0] == pytest.approx(r, abs=1e-6)
    assert res.oov_ratio == pytest.approx(oov)
    p_rho, p_r = P_VALUES[name]  # p-values
    assert res.spearman[1] == pytest.approx(p_rho, rel=1e-3)
    assert res.pearson[1] == pytest.approx(p_r, rel=1e-3)
    assert res.pairs_used == res.pairs_total - len(res.oov_pairs)


def test_simlex_reports_its_oov_pair(glove50):
    res = evaluate_word_pairs(glove50, data_path("similarity", "EN-SIMLEX-999.txt"))
    assert (res.pairs_total, res.pairs_used, len(res.oov_pairs)) == (999, 998, 1)
    assert res.oov_pairs == [("disorganize", "organize")]  # row 341,457: beyond restrict_vocab
    assert glove50.key_to_index["disorganize"] >= 300000
    dummy = evaluate_word_pairs(glove50, data_path("similarity", "EN-SIMLEX-999.txt"),
                                dummy4unknown=True)
    assert dummy.pairs_used == 999 and dummy.oov_ratio == pytest.approx(100 / 999)
    assert dummy.spearman[0] != res.spearman[0]


@pytest.mark.parametrize("name", sorted(GENSIM_PAIRS))
@pytest.mark.parametrize("dummy", [False, True])
def test_word_pairs_equal_gensim(glove50, gensim_glove, name, dummy):
    path = data_path("similarity", name)
    p, s, oov = gensim_glove.evaluate_word_pairs(str(path), dummy4unknown=dummy,
                                                 restrict_vocab=100000)
    res = evaluate_word_pairs(glove50, path, dummy4unknown=dummy, restrict_vocab=100000)
    assert res.spearman == pytest.approx((s[0], s[1]), rel=1e-5, abs=1e-9)
    assert res.pearson == pytest.approx((p[0], p[1]), rel=1e-5, abs=1e-9)
    assert res.oov_ratio == pytest.approx(oov)


# ------------------------------------------------------------------ word pairs: file handling
def test_pairs_tolerate_crlf_comments_blank_lines_and_header(tmp_path):
    kv = _toy(["a", "b", "c", "d", "e"])
    body = "a\tb\t1.5\nc\td\t7\na\te\t3.25\nb\tc\t0.5\n"
    clean = evaluate_word_pairs(kv, _write(tmp_path / "clean.txt", body))
    messy = "# a comment\n\nword1\tword2\tscore\n  # indented comment\na\tb\t1.5\n\nc\td\t7\n" \
            "a \t e\t 3.25 \nB\tC\t0.5\n\n"
    res = evaluate_word_pairs(kv, _write(tmp_path / "messy.txt", messy, newline="\r\n"))
    assert res.pairs_total == 4 and res.pairs_used == 4
    assert res.spearman == pytest.approx(clean.spearman)
    assert res.pearson == pytest.approx(clean.pearson)
    normed = kv.get_normed_vectors()
    model = [normed[i] @ normed[j] for i, j in [(0, 1), (2, 3), (0, 4), (1, 2)]]
    assert res.pearson[0] == pytest.approx(np.corrcoef([1.5, 7, 3.25, 0.5], model)[0, 1], abs=1e-6)


def test_pairs_case_sensitivity_and_first_variant_wins(tmp_path):
    vecs = np.array([[1, 0], [0, 1], [1, 1], [1, -1], [-1, 0.2]], dtype=np.float32)
    kv = KeyedVectors(vecs, ["x", "y", "X", "z", "w"])  # "x" (row 0) comes before "X" (row 2)
    path = _write(tmp_path / "p.txt", "X\ty\t1\nX\tz\t2\nw\tY\t3\n")
    res = evaluate_word_pairs(kv, path)  # X -> row 0: cos(x, y) = 0, cos(x, z) = 0.707
    assert res.pairs_used == 3  # and w, Y -> y: cos = 0.196; model ranks 1, 3, 2
    assert res.spearman[0] == pytest.approx(0.5)
    res_cs = evaluate_word_pairs(kv, path, case_insensitive=False)  # "Y" unknown
    assert res_cs.oov_pairs == [("w", "Y")] and res_cs.pairs_used == 2
    assert res_cs.oov_ratio == pytest.approx(100 / 3)
    # case-sensitive "X" is row 2: cos(X, y) = 0.707, cos(X, z) = 0 -> anti-correlated with gold
    assert res_cs.pearson[0] == pytest.approx(-1.0)
    res_r = evaluate_word_pairs(kv, _write(tmp_path / "q.txt", "x\ty\t1\nX\ty\t2\nx\tz\t3\n"),
                                restrict_vocab=3, case_insensitive=False)  # z is row 3
    assert res_r.oov_pairs == [("x", "z")] and res_r.pairs_used == 2


def test_pairs_bad_score_after_header_names_file_and_line(tmp_path):
    kv = _toy(["a", "b", "c"])
    path = _write(tmp_path / "bad.txt", "w1\tw2\tscore\na\tb\t1\n# c\nb\tc\thigh\n")
    with pytest.raises(InputFormatError) as err:
        evaluate_word_pairs(kv, path)
    assert err.value.line == 4 and err.value.path == str(path)
    assert "bad.txt, line 4" in str(err.value) and "'high'" in str(err.value)
    assert isinstance(err.value, ValueError) and isinstance(err.value, SimvecError)


@pytest.mark.parametrize("text, line", [
    ("a\tb\t1\na\tb\n", 2),            # 2 fields
    ("a\tb\t1\t2\n", 1),               # 4 fields
    ("a\tb\t1\nb\tc\tnan\n", 2),       # not finite
    ("a\tb\t1\n\tc\t2\n", 2),         # empty word
])
def test_pairs_malformed_lines(tmp_path, text, line):
    with pytest.raises(InputFormatError) as err:
        evaluate_word_pairs(_toy(["a", "b", "c"]), _write(tmp_path / "m.txt", text))
    assert err.value.line == line


def test_pairs_missing_file_empty_file_and_all_oov(tmp_path):
    kv = _toy(["a", "b", "c"])
    with pytest.raises(SimvecFileNotFoundError, match="nope.txt"):
        evaluate_word_pairs(kv, tmp_path / "nope.txt")
    with pytest.raises(FileNotFoundError):
        evaluate_word_pairs(kv, tmp_path / "nope.txt")
    with pytest.raises(InputFormatError, match="no word pairs"):
        evaluate_word_pairs(kv, _write(tmp_path / "empty.txt", "# only a comment\n\n"))
    with pytest.raises(SimvecValueError, match="at least 2"):
        evaluate_word_pairs(kv, _write(tmp_path / "oov.txt", "x\ty\t1\na\tz\t2\na\tb\t3\n"))
    with pytest.raises(SimvecValueError, match="restrict_vocab"):
        evaluate_word_pairs(kv, _write(tmp_path / "ok.txt", "a\tb\t1\nb\tc\t2\n"),
                            restrict_vocab=0)


def test_pairs_other_delimiters(tmp_path):
    kv = _toy(["a", "b", "c", "d"])
    tab = evaluate_word_pairs(kv, _write(tmp_path / "t.txt", "a\tb\t1\nc\td\t2\na\td\t3\n"))
    ws = evaluate_word_pairs(kv, _write(tmp_path / "s.txt", "a  b 1\nc d\t2\na d 3\n"),
                             delimiter=None)
    csv = evaluate_word_pairs(kv, _write(tmp_path / "c.csv", "a,b,1\nc,d,2\na,d,3\n"),
                              delimiter=",")
    assert tab.spearman == ws.spearman == csv.spearman
    assert "Spearman" in str(tab)


# ------------------------------------------------------------------ analogies: real data
def test_google_analogy_reproduces_reference(google_result):
    res = google_result
    assert isinstance(res, AnalogyResult) and res.method == "3cosadd"
    # measured: 9036 of 19486 correct, every section equal to gensim's count; the tolerances
    # leave room for a near-tie or two decided differently by another CPU's float rounding
    assert res.accuracy == pytest.approx(0.463718, abs=1e-4)
    assert res.semantic_accuracy == pytest.approx(0.488026, abs=2e-4)
    assert res.syntactic_accuracy == pytest.approx(0.443653, abs=2e-4)
    assert (res.questions, res.total, res.oov) == (19544, 19486, 58)
    assert res.correct == pytest.approx(9036, abs=2)  # gensim: 9036
    assert res.oov_ratio == pytest.approx(100 * 58 / 19544)
    for s in res.sections:  # per section within a few answers of gensim's
        correct, total = GENSIM_SECTIONS[s.name]
        assert s.total == total and abs(s.correct - correct) <= 3, s


def test_google_sections_add_up(google_result):
    res = google_result
    assert [s.name for s in res.sections] == list(GENSIM_SECTIONS)
    assert sum(s.total for s in res.sections) == res.total
    assert sum(s.correct for s in res.sections) == res.correct
    assert sum(s.oov for s in res.sections) == res.oov
    assert res.total + res.oov == res.questions
    assert [s.name for s in res.sections if not s.syntactic] == list(GENSIM_SECTIONS)[:5]
    sem = [s for s in res.sections if not s.syntactic]
    assert res.semantic_accuracy == pytest.approx(
        sum(s.correct for s in sem) / sum(s.total for s in sem))
    for s in res.sections:
        assert len(s.incorrect) == s.total - s.correct
        assert s.accuracy == pytest.approx(s.correct / s.total)
    assert res.accuracy == pytest.approx(res.correct / res.total)
    assert ("MAN", "KING", "WOMAN", "QUEEN", "QUEEN") not in res.sections[4].incorrect
    table = res.summary()
    assert "gram9-plural-verbs" in table and "46.4%" in table and "46.4%" in str(res)


def test_google_3cosmul(glove50, google):
    res = evaluate_word_analogies(glove50, google, method="3cosmul")
    assert res.method == "3cosmul" and res.total == 19486
    # measured: 7211 of 19486, 37.006 % overall (gensim has no 3CosMul evaluation); below
    # 3CosAdd on GloVe 50d; capital-common-countries 358 of 506, 70.75 %
    assert res.accuracy == pytest.approx(0.370061, abs=1e-4)
    assert res.correct == pytest.approx(7211, abs=2)
    assert res.sections[0].correct == pytest.approx(358, abs=1)


def test_subset_matches_gensim_question_by_question(glove50, gensim_glove, google_subset):
    score, g_sections = gensim_glove.evaluate_word_analogies(str(google_subset))
    res = evaluate_word_analogies(glove50, google_subset)
    by_name = {s["section"]: s for s in g_sections}
    for s in res.sections:
        g = by_name[s.name]
        assert s.correct == len(g["correct"])
        assert {q[:4] for q in s.incorrect} == set(map(tuple, g["incorrect"]))
    assert res.accuracy == pytest.approx(score)
    assert res.sections[1].oov == 1  # currency has an OOV question, skipped like gensim


def test_batched_3cosadd_and_3cosmul_equal_per_question_search(glove50, google_subset):
    """The batched solver gives the same answers as KeyedVectors' one-at-a-time searches."""
    from simvec.kernels.analogy import solve_analogies

    rows = []
    for line in google_subset.read_text().splitlines():
        words = line.lower().split()
        if len(words) == 4 and all(glove50.key_to_index.get(w, 10**9) < 300000 for w in words):
            rows.append([glove50.key_to_index[w] for w in words])
    rows = np.array(rows[::4])
    matrix = glove50.get_normed_vectors()[:300000]
    for method, search in (("3cosadd", glove50.most_similar),
                           ("3cosmul", glove50.most_similar_cosmul)):
        idx, score = solve_analogies(matrix, rows[:, 0], rows[:, 1], rows[:, 2], method=method)
        for (a, b, c, _), i, v in zip(rows, idx, score):
            keys = [glove50.index_to_key[x] for x in (a, b, c)]
            best = search(positive=keys[1:], negative=keys[:1], topn=1, restrict_vocab=300000)
            assert glove50.index_to_key[i] == best[0][0]
            assert v == pytest.approx(best[0][1], abs=1e-4)


def test_results_do_not_depend_on_batch_size_or_threads(glove50, google_subset):
    import numba

    ref = evaluate_word_analogies(glove50, google_subset, restrict_vocab=50000)
    small = evaluate_word_analogies(glove50, google_subset, restrict_vocab=50000, batch_size=7)
    old = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        single = evaluate_word_analogies(glove50, google_subset, restrict_vocab=50000)
    finally:
        numba.set_num_threads(old)
    for other in (small, single):
        assert [(s.correct, s.incorrect) for s in other.sections] == \
               [(s.correct, s.incorrect) for s in ref.sections]


# ------------------------------------------------------------------ analogies: toy vectors
def _royal():
    keys = ["man", "woman", "king", "queen", "apple", "pear"]
    v = np.array([[1, 0, 0, 0], [0, 1, 0, 0], [1, 0, 1, 0], [0, 1, 1, 0], [0, 0, 0, 1],
                  [0, 0, 0.2, 1]], dtype=np.float32)
    return KeyedVectors(v, keys)


def test_toy_analogy_answers_and_exclusion(tmp_path):
    kv = _royal()
    path = _write(tmp_path / "q.txt", ": royal\nman king woman queen\nMAN WOMAN King Queen\n"
                                      ": gram-fruit\nking king man man\n")
    res = evaluate_word_analogies(kv, path)
    royal, fruit = res.sections
    assert (royal.correct, royal.total, royal.syntactic) == (2, 2, False)
    # b - a + c = c = "man" is excluded; the best other word is not "man"
    assert (fruit.correct, fruit.total, fruit.syntactic) == (0, 1, True)
    assert fruit.incorrect[0][:4] == ("KING", "KING", "MAN", "MAN")
    assert fruit.incorrect[0][4] not in ("MAN", "KING")
    assert res.semantic_accuracy == 1.0 and res.syntactic_accuracy == 0.0
    assert res.accuracy == pytest.approx(2 / 3)
    cs = evaluate_word_analogies(kv, path, case_insensitive=False)
    assert cs.sections[0].oov == 1 and cs.sections[0].total == 1 and cs.oov == 1


def test_toy_restrict_vocab_and_dummy4unknown(tmp_path):
    kv = _royal()
    path = _write(tmp_path / "q.txt", ": royal\nman king woman queen\nman woman king apple\n")
    res = evaluate_word_analogies(kv, path, restrict_vocab=3)  # queen, apple are outside
    assert (res.oov, res.total, res.questions) == (2, 0, 2)
    assert math.isnan(res.accuracy) and math.isnan(res.sections[0].accuracy)
    dummy = evaluate_word_analogies(kv, path, restrict_vocab=3, dummy4unknown=True)
    assert (dummy.oov, dummy.total, dummy.correct, dummy.accuracy) == (2, 2, 0, 0.0)
    assert dummy.sections[0].incorrect[0][4] is None
    full = evaluate_word_analogies(kv, path, restrict_vocab=None)
    assert full.restrict_vocab == 6 and full.total == 2


def _case_toy():
    words = ["paris", "france", "rome", "italy", "berlin", "germany", "madrid", "spain",
             "tokyo", "japan"]
    keys = []
    for w in words:  # a second, later case variant for most words
        keys.append(w)
    for w in words[::2]:
        keys.append(w.capitalize())
    keys += [f"w{i}" for i in range(60)]
    return _toy(keys, dim=5, seed=3), words


@pytest.mark.parametrize("case_insensitive", [True, False])
@pytest.mark.parametrize("restrict", [None, 40, 12])
def test_toy_protocol_equals_gensim(tmp_path, case_insensitive, restrict):
    gensim_models = importorskip("gensim.models")
    kv, words = _case_toy()
    rng = np.random.default_rng(1)
    lines = [": capitals"]
    for _ in range(60):
        pairs = [(words[2 * i], words[2 * i + 1]) for i in rng.choice(5, 2, replace=False)]
        q = [pairs[0][0], pairs[0][1], pairs[1][0], pairs[1][1]]
        q = [w.capitalize() if rng.random() < 0.3 else w for w in q]
        lines.append(" ".join(q))
    lines.append(": gram-misc")
    for _ in range(40):
        lines.append(" ".join(rng.choice(kv.index_to_key[:24], 4).tolist()))
    path = _write(tmp_path / "toy.txt", "\n".join(lines) + "\n")
    gkv = gensim_models.KeyedVectors(kv.vector_size)
    gkv.add_vectors(kv.index_to_key, kv.vectors)
    score, sections = gkv.evaluate_word_analogies(
        str(path), restrict_vocab=restrict or len(kv), case_insensitive=case_insensitive)
    res = evaluate_word_analogies(kv, path, restrict_vocab=restrict,
                                  case_insensitive=case_insensitive)
    for s, g in zip(res.sections, sections):
        assert s.name == g["section"]
        assert s.correct == len(g["correct"]) and s.total == len(g["correct"]) + len(g["incorrect"])
        assert sorted(q[:4] for q in s.incorrect) == sorted(map(tuple, g["incorrect"]))
    if res.total:
        assert res.accuracy == pytest.approx(score)
    # and the word pairs, with case variants, on the same toy
    pairs = _write(tmp_path / "pairs.txt",
                   "\n".join(f"{l.split()[0]}\t{l.split()[2]}\t{i % 7}" for i, l in
                             enumerate(lines) if not l.startswith(":")) + "\n")
    try:
        gp, gs, goov = gkv.evaluate_word_pairs(str(pairs), restrict_vocab=restrict or len(kv),
                                               case_insensitive=case_insensitive)
    except ValueError:
        return
    r = evaluate_word_pairs(kv, pairs, restrict_vocab=restrict, case_insensitive=case_insensitive)
    assert r.spearman[0] == pytest.approx(gs[0], abs=1e-6)
    assert r.pearson[0] == pytest.approx(gp[0], abs=1e-6)
    assert r.oov_ratio == pytest.approx(goov)


# ------------------------------------------------------------------ analogies: file handling
def test_analogy_file_tolerates_crlf_comments_and_blank_lines(tmp_path):
    kv = _royal()
    clean = evaluate_word_analogies(kv, _write(tmp_path / "a.txt",
                                               ": royal\nman king woman queen\n"))
    messy = evaluate_word_analogies(kv, _write(
        tmp_path / "b.txt", "# header comment\n\n:  royal \n\n  man  king woman\tqueen  \n\n",
        newline="\r\n"))
    assert messy.sections[0].name == "royal"
    assert (messy.correct, messy.total) == (clean.correct, clean.total) == (1, 1)


@pytest.mark.parametrize("text, line, match", [
    ("man king woman queen\n: royal\n", 1, "before the first"),
    (": royal\nman king woman queen\nman king woman\n", 3, "4 words"),
    (": royal\nman king woman queen extra\n", 2, "4 words"),
    (": royal\n:\nman king woman queen\n", 2, "without a name"),
])
def test_analogy_malformed_lines(tmp_path, text, line, match):
    with pytest.raises(InputFormatError, match=match) as err:
        evaluate_word_analogies(_royal(), _write(tmp_path / "bad.txt", text))
    assert err.value.line == line and "bad.txt" in str(err.value)


def test_analogy_missing_empty_and_undecodable_files(tmp_path):
    kv = _royal()
    with pytest.raises(SimvecFileNotFoundError, match="missing.txt"):
        evaluate_word_analogies(kv, tmp_path / "missing.txt")
    with pytest.raises(InputFormatError, match="no analogy questions"):
        evaluate_word_analogies(kv, _write(tmp_path / "e.txt", ": royal\n\n"))
    (tmp_path / "latin1.txt").write_bytes(b": royal\nman king woman qu\xe9en\n")
    with pytest.raises(InputFormatError, match="utf-8") as err:
        evaluate_word_analogies(kv, tmp_path / "latin1.txt")
    assert err.value.line == 2
    res = evaluate_word_analogies(kv, tmp_path / "latin1.txt", encoding="latin-1")
    assert res.oov == 1  # "quéen" decoded, not in the vocabulary
    (tmp_path / "bom.txt").write_bytes(b"\xef\xbb\xbf: royal\nman king woman queen\n")
    assert evaluate_word_analogies(kv, tmp_path / "bom.txt").correct == 1


def test_analogy_bad_arguments(tmp_path):
    kv = _royal()
    path = _write(tmp_path / "a.txt", ": royal\nman king woman queen\n")
    with pytest.raises(SimvecValueError, match="3cosadd"):
        evaluate_word_analogies(kv, path, method="3cosavg")
    with pytest.raises(SimvecValueError, match="restrict_vocab"):
        evaluate_word_analogies(kv, path, restrict_vocab=-5)
    with pytest.raises(SimvecValueError, match="batch_size"):
        evaluate_word_analogies(kv, path, batch_size=0)
    assert evaluate_word_analogies(kv, path, method="3CosMul").method == "3cosmul"
