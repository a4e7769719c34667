"""Chinese keyword similarity end to end (issue 13, part 4; docs/chinese.md).

Full-width separators, ``--tokenizer jieba`` on ``similar`` / ``keywords`` /
``evaluate-keywords`` / ``neighbors``, the language-coverage reason against GloVe 6B, and the
recipe of docs/chinese.md (examples/zh_corpus.py, ``simvec train --tokenizer jieba``, the ELMo
trainer, ``simvec similar``, ``simvec evaluate`` on wordsim-240) on a slice of the real corpus
(../shared/data/zh). The whole recipe on the full corpus is the ``slow`` test at the end.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import simvec.cli.app as cli_app
from conftest import data_path, importorskip
from simvec.cli.app import app
from simvec.errors import SimvecValueError
from simvec.keywords.language import coverage_reason, script_of, vocabulary_scripts
from simvec.keywords.parse import jaccard
from simvec.text.tokenize import split_keywords

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[1]

GLOVE_REASON = (
    "GloVe 6B has almost no Chinese words (Han script: 0 of 10,000 words sampled evenly from "
    "its 400,000): 4 of 4 keywords are out of vocabulary (Chinese text); train Chinese vectors "
    "with `simvec train CORPUS -o zh.txt --tokenizer jieba` (docs/chinese.md)")


def _zh_corpus_module():
    spec = importlib.util.spec_from_file_location("zh_corpus", ROOT / "examples" / "zh_corpus.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _one_line_error(res) -> str:
    assert res.exit_code == 2, res.output
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    assert lines[0].startswith("simvec: error: ")
    return lines[0]


# -- 1. full-width separators ---------------------------------------------------------------

def test_full_width_and_ideographic_separators_split_keywords():
    assert split_keywords("机器学习，神经网络、深度学习；人工智能") == [
        "机器学习", "神经网络", "深度学习", "人工智能"]
    # mixed with ASCII separators and spaces, blanks dropped
    assert split_keywords(" 机器学习 , 神经网络；；deep learning、 ") == [
        "机器学习", "神经网络", "deep learning"]
    # ";" alone brings only its full-width form: "，" stays inside a keyword
    assert split_keywords("甲，乙；丙", sep=";") == ["甲，乙", "丙"]
    # a separator without a wide form brings nothing
    assert split_keywords("甲，乙|丙", sep="|") == ["甲，乙", "丙"]
    # the parsers that pass sep=",;" explicitly (keyword lists, Jaccard) split them too
    assert jaccard("机器学习，神经网络", ["神经网络", "机器学习"]) == 1.0
    assert jaccard("机器学习、神经网络", "机器学习") == 0.5


def test_split_keywords_bad_input_still_refused():
    with pytest.raises(SimvecValueError, match="sep must name"):
        split_keywords("甲，乙", sep="")
    with pytest.raises(TypeError):
        split_keywords(["甲"])


def test_full_width_separators_in_a_csv_collection(tmp_path):
    from simvec.keywords.collection import read_collection

    p = tmp_path / "docs.csv"
    p.write_text("id,keywords\nd1,机器学习，神经网络、深度学习\nd2,酒店；房间\n", encoding="utf-8")
    ids, lists, _ = read_collection(p)
    assert ids == ["d1", "d2"]
    assert lists == [["机器学习", "神经网络", "深度学习"], ["酒店", "房间"]]


# -- 3. language coverage ---------------------------------------------------------------------

def test_script_of():
    assert script_of("机器学习") == "Han"
    assert script_of("machine learning") == "Latin"
    assert script_of("Москва") == "Cyrillic"
    assert script_of("ひらがな") == "Hiragana"
    assert script_of("한국어") == "Hangul"
    assert script_of("ＡＢＣ") == "Latin"          # full-width Latin
    assert script_of("GPU加速计算") == "Han"       # 4 Han letters against 3 Latin
    assert script_of("2024，。") is None
    assert script_of("") is None
    with pytest.raises(TypeError):
        script_of(None)


def test_vocabulary_scripts_of_glove(glove50):
    shares = vocabulary_scripts(glove50)
    # measured on the 10,000-word evenly spaced sample of the 400,000 words
    assert shares["Latin"] == pytest.approx(0.9188)
    assert shares[None] == pytest.approx(0.0805)
    assert "Han" not in shares
    assert vocabulary_scripts(glove50) == shares           # cached, same answer
    assert vocabulary_scripts(glove50, sample=3)  # a different sample size: still cached answer
    with pytest.raises(SimvecValueError, match="sample"):
        vocabulary_scripts(glove50, sample=0)
    with pytest.raises(SimvecValueError, match="KeyedVectors"):
        vocabulary_scripts(object())


def test_coverage_reason(glove50):
    zh = ["机器学习", "神经网络", "深度学习", "人工智能"]
    assert coverage_reason(zh, 4, glove50, "glove-6B-50d") == GLOVE_REASON
    assert coverage_reason(zh, 4, glove50).startswith("these vectors have almost no Chinese")
    assert coverage_reason(zh[:2], 5, glove50, "/tmp/en.vec").startswith(
        "en.vec has almost no Chinese words")
    # a Latin typo is not a language problem; digits have no script
    assert coverage_reason(["machin lerning"], 2, glove50, "glove-6B-50d") is None
    assert coverage_reason(["2024"], 1, glove50) is None
    assert coverage_reason([], 3, glove50) is None
    ru = coverage_reason(["Москва"], 2, glove50, "glove-6B-50d")
    assert ru.startswith("GloVe 6B has almost no words in Cyrillic script (0 of 10,000 words")
    assert "1 of 2 keywords are out of vocabulary (Cyrillic-script text)" in ru
    with pytest.raises(SimvecValueError, match="n_keywords"):
        coverage_reason(zh, 3, glove50)


@pytest.fixture
def glove(monkeypatch, glove50):
    monkeypatch.setattr(cli_app, "_load", lambda vectors, input_format=None: glove50)


def test_cli_similar_chinese_against_glove_says_why(glove):
    res = runner.invoke(app, ["similar", "机器学习，神经网络", "深度学习，人工智能", "-f", "json", "-q"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["score"] is None and out["mean_cosine"] is None
    assert out["a"] == ["机器学习", "神经网络"] and out["b"] == ["深度学习", "人工智能"]
    assert out["reason"] == GLOVE_REASON
    assert out["note"] is None
    table = runner.invoke(app, ["similar", "机器学习，神经网络", "深度学习，人工智能", "-q"])
    assert "GloVe 6B has almost no Chinese words" in " ".join(table.stdout.split())


def test_cli_similar_mixed_list_scores_and_notes(glove):
    res = runner.invoke(app, ["similar", "机器学习，neural network", "深度学习，deep learning",
                              "-m", "sif_best_match", "-f", "json", "-q"])
    out = json.loads(res.stdout)
    assert out["score"] == pytest.approx(0.4769, abs=1e-4)   # the English halves
    assert out["oov_a"] == ["机器学习"] and out["oov_b"] == ["深度学习"]
    assert out["reason"] is None
    assert out["note"].startswith("GloVe 6B has almost no Chinese words")
    assert "2 of 4 keywords are out of vocabulary (Chinese text)" in out["note"]


def test_english_lists_get_no_language_note(glove):
    res = runner.invoke(app, ["similar", "machine learning, neural network",
                              "deep learning, zzqxv", "-f", "json", "-q"])
    out = json.loads(res.stdout)
    assert out["oov_b"] == ["zzqxv"] and out["note"] is None and out["reason"] is None


# -- 2. --tokenizer jieba on the verbs, on vectors trained by the recipe on a corpus slice ------

@pytest.fixture(scope="module")
def zh_slice(tmp_path_factory):
    """The recipe's first two steps on a slice: the first 150 lines of each novel and 150 hotel
    reviews, segmented; CBOW vectors trained with ``simvec train --tokenizer jieba``."""
    importorskip("jieba")
    data = data_path("zh", "wordsim-240.txt").parent
    out = tmp_path_factory.mktemp("zh")
    report = _zh_corpus_module().main([str(data), str(out), "--lines", "150"])
    vec = out / "zh.txt"
    res = runner.invoke(app, [
        "train", str(out / "text"), "-o", str(vec), "--tokenizer", "jieba", "--cbow",
        "--vector-size", "50", "--min-count", "2", "--epochs", "5", "--threads", "1",
        "--seed", "1", "--no-progress", "-q", "-f", "json"])
    assert res.exit_code == 0, res.output
    return {"dir": out, "data": data, "vectors": vec, "corpus": report,
            "train": json.loads(res.stdout)}


def test_recipe_slice_corpus_and_vocabulary(zh_slice):
    rep = zh_slice["corpus"]
    assert rep["files"] == ["hongloumeng.txt", "sanguo_yanyi.txt", "shuihu_zhuan.txt",
                            "xiyouji.txt", "reviews.txt"]
    # segmentation of this slice by jieba 0.42 (the tokenizer drops punctuation tokens)
    assert (rep["sentences"], rep["tokens"]) == (2965, 33254)
    lines = (zh_slice["dir"] / "zh-seg.txt").read_text(encoding="utf-8").splitlines()
    assert len(lines) == rep["sentences"]
    assert all("，" not in ln and "。" not in ln for ln in lines)
    assert zh_slice["train"]["words"] == 3678       # seen at least twice (--min-count 2)


def test_evaluate_wordsim_240_coverage_on_the_slice(zh_slice):
    res = runner.invoke(app, ["evaluate", str(zh_slice["data"] / "wordsim-240.txt"),
                              "-v", str(zh_slice["vectors"]), "-f", "json", "-q"])
    assert res.exit_code == 0, res.output
    r = json.loads(res.stdout)["files"][0]
    assert r["kind"] == "word_pairs" and r["pairs_total"] == 240
    # words are looked up whole (upper-casing is a no-op for Han): a pair counts when both words
    # are jieba tokens of the training slice
    assert r["pairs_used"] == PINNED_SLICE_PAIRS
    assert r["low_coverage"] is True


def test_similar_with_jieba_on_chinese_vectors(zh_slice):
    v = str(zh_slice["vectors"])
    res = runner.invoke(app, ["similar", "酒店房间，服务", "宾馆，前台服务", "-v", v,
                              "--tokenizer", "jieba", "-f", "json", "-q"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["score"] is not None and out["oov_a"] == [] and out["oov_b"] == []
    assert out["a"] == ["酒店房间", "服务"]
    # a related pair (two hotel lists) scores above an unrelated one (hotel against the novel)
    other = json.loads(runner.invoke(app, ["similar", "酒店房间，服务", "宝玉，黛玉", "-v", v,
                                           "--tokenizer", "jieba", "-f", "json", "-q"]).stdout)
    assert out["score"] > other["score"], (out["score"], other["score"])
    # without the segmenter a 4-character keyword is one token, out of this vocabulary
    raw = json.loads(runner.invoke(app, ["similar", "酒店房间，服务", "宾馆，前台服务", "-v", v,
                                         "-f", "json", "-q"]).stdout)
    assert "酒店房间" in raw["oov_a"]


def test_neighbors_with_jieba_multiword_query(zh_slice):
    v = str(zh_slice["vectors"])
    res = runner.invoke(app, ["neighbors", "酒店房间", "服务", "喵喵喵喵", "-v", v,
                              "--tokenizer", "jieba", "-k", "3", "-f", "json", "-q"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["tokens"] == {"酒店房间": ["酒店", "房间"], "服务": ["服务"]}
    assert out["oov"] == ["喵喵喵喵"]
    # the query's own tokens are not among its neighbours
    assert not {"酒店", "房间"} & {n["word"] for n in out["neighbors"]["酒店房间"]}
    assert len(out["neighbors"]["服务"]) == 3
    # without --tokenizer the multi-character query is looked up whole: out of vocabulary
    res = runner.invoke(app, ["neighbors", "酒店房间", "服务", "-v", v, "-f", "json", "-q"])
    assert json.loads(res.stdout)["oov"] == ["酒店房间"]


def _collection(tmp_path) -> Path:
    """A CSV collection whose keyword cells use the full-width separators."""
    p = tmp_path / "zh.csv"
    p.write_text("id,label,keywords\n"
                 "h1,hotel,酒店房间，服务、前台\nh2,hotel,宾馆；房间，早餐\nh3,hotel,服务员，酒店\n"
                 "n1,novel,宝玉，黛玉\nn2,novel,黛玉、贾母\nn3,novel,宝玉；贾母\n", encoding="utf-8")
    return p


def test_keywords_and_evaluate_keywords_with_jieba(zh_slice, tmp_path):
    v, p = str(zh_slice["vectors"]), str(_collection(tmp_path))
    res = runner.invoke(app, ["keywords", p, "-v", v, "--tokenizer", "jieba", "-k", "2",
                              "-f", "json", "-q"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["documents"] == 6 and out["no_vector"] == []
    res = runner.invoke(app, ["evaluate-keywords", p, "--label", "label", "-v", v,
                              "--tokenizer", "jieba", "-m", "mean", "-m", "jaccard_phrases",
                              "-f", "json", "-q"])
    assert res.exit_code == 0, res.output
    methods = {m["method"]: m for m in json.loads(res.stdout)["methods"]}
    # each document's nearest neighbour by mean keyword vector is of its own kind (hotel /
    # novel); Jaccard of phrases finds only the documents that share a keyword verbatim
    assert methods["mean"]["precision_at_1"] == 1.0
    assert methods["mean"]["no_vector"] == 0


# -- missing jieba: one line naming the extra, before anything loads --------------------------

@pytest.mark.parametrize("args", [
    ["similar", "机器学习", "深度学习"],
    ["neighbors", "机器学习"],
    ["keywords", "COLL"],
    ["evaluate-keywords", "COLL", "--label", "label"],
    ["similar", "机器学习", "深度学习", "--model", "elmo:o.json,w.hdf5"],
    ["train", "COLL", "-o", "OUTFILE"],
])
def test_missing_jieba_is_one_line_naming_the_extra(args, monkeypatch, tmp_path):
    def no_load(*a, **k):
        raise AssertionError("the vectors were loaded before the tokenizer was checked")

    monkeypatch.setattr(cli_app, "_load", no_load)
    monkeypatch.setitem(sys.modules, "jieba", None)      # import jieba -> ModuleNotFoundError
    args = [str(_collection(tmp_path)) if a == "COLL" else str(tmp_path / "v.txt")
            if a == "OUTFILE" else a for a in args]
    line = _one_line_error(runner.invoke(app, [*args, "--tokenizer", "jieba"]))
    assert "--tokenizer jieba needs the package jieba" in line
    assert line.endswith("pip install 'simvec[zh]'")
    assert not (tmp_path / "v.txt").exists()


def test_unknown_tokenizer_refused_with_the_flag(monkeypatch):
    monkeypatch.setattr(cli_app, "_load", lambda *a, **k: pytest.fail("loaded"))
    line = _one_line_error(runner.invoke(app, ["neighbors", "猫", "--tokenizer", "jeiba"]))
    assert "--tokenizer must be one of regex, whitespace, jieba" in line
    assert "did you mean 'jieba'" in line


PINNED_SLICE_PAIRS = 11


# -- (b, c) the mini ELMo of the recipe, on the slice --------------------------------------------

def test_mini_elmo_on_segmented_slice_compares_chinese_lists(zh_slice, tmp_path):
    importorskip("torch")
    importorskip("h5py")
    from simvec.elmo.train import main as elmo_train

    out = tmp_path / "elmo"
    rep = elmo_train([str(zh_slice["dir"] / "zh-seg.txt"), "--out", str(out),
                      "--options", str(ROOT / "examples" / "zh-elmo-tiny.json"),
                      "--max-tokens", "2000", "--heldout-tokens", "300", "--threads", "1",
                      "--optimizer", "adam", "--max-vocab-size", "10000",
                      "--checkpoint-every", "0", "--seed", "0"])
    assert rep["train_tokens"] == pytest.approx(2000, abs=60)  # whole sentences up to 2,000
    vocab = (out / "vocab.txt").read_text(encoding="utf-8").splitlines()
    assert vocab[:3] == ["<S>", "</S>", "<UNK>"] and vocab[3] == "了" and len(vocab) == 135
    model = f"elmo:{out / 'options.json'},{out / 'weights.hdf5'}"
    res = runner.invoke(app, ["similar", "酒店房间，服务", "宾馆、前台服务", "--model", model,
                              "--tokenizer", "jieba", "-f", "json"])
    assert res.exit_code == 0, res.output
    got = json.loads(res.stdout)
    # keywords reach ELMo segmented as its training text was; the keywords keep their spelling
    assert got["a"] == ["酒店房间", "服务"] and got["b"] == ["宾馆", "前台服务"]
    tokens = [m["token"] for m in got["alignment"]["a"]]
    assert got["alignment_level"] == "token" and tokens == ["酒店", "房间", "服务"]
    assert -1.0 <= got["score"] <= 1.0
    plain = json.loads(runner.invoke(app, ["similar", "酒店房间，服务", "宾馆、前台服务",
                                           "--model", model, "-f", "json"]).stdout)
    assert plain["a"] == ["酒店房间", "服务"]
    assert [m["token"] for m in plain["alignment"]["a"]] == ["酒店房间", "服务"]


# -- the whole recipe script ---------------------------------------------------------------------

@pytest.mark.slow
def test_recipe_script_end_to_end_on_a_slice(tmp_path):
    """examples/chinese.sh as docs/chinese.md runs it, on a slice (about 70 s on 2 loaded
    cores)."""
    import os
    import subprocess

    importorskip("jieba")
    importorskip("torch")
    data = data_path("zh", "wordsim-240.txt").parent
    env = {**os.environ, "PYTHON": sys.executable, "DATA": str(data), "OUT": str(tmp_path),
           "LINES": "150", "ELMO_TOKENS": "3000", "THREADS": "1",
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    run = subprocess.run(["bash", str(ROOT / "examples" / "chinese.sh")], env=env,
                         capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stderr[-3000:]
    assert (tmp_path / "zh-w2v.txt").is_file() and (tmp_path / "elmo" / "weights.hdf5").is_file()
    assert GLOVE_REASON in run.stdout
    # coverage of wordsim-240 by the slice's vocabulary (min-count 3): 8 pairs
    assert "wordsim-240.txt," in run.stdout
    row = next(ln for ln in run.stdout.splitlines() if ln.startswith("wordsim-240.txt,"))
    assert row.split(",")[3:5] == ["8", "240"]
    boot = json.loads((tmp_path / "wordsim-bootstrap.json").read_text())
    assert boot["pairs_used"] == 8
    lo, hi = boot["files"][0]["ci95"]
    assert lo <= boot["files"][0]["spearman"] <= hi
    assert run.stdout.count("  ELMo     best_match,") == 4
