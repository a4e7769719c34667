"""The command line's one vocabulary, its one-line errors, its early checks (issues 12 and 16).

Commands that need GloVe get the session's ``glove50`` through a patched ``_load``; commands
whose inputs are wrong must fail before ``_load`` is ever called (a patched ``_load`` that
raises proves it).
"""

from __future__ import annotations

import csv
import io
import json
import shlex

import numpy as np
import pytest
from typer.testing import CliRunner

import simvec.cli.app as cli_app
from conftest import data_path
from simvec.cli.app import EXAMPLES, app

runner = CliRunner()


@pytest.fixture
def glove(monkeypatch, glove50):
    calls = []

    def load(vectors, input_format=None):
        calls.append(vectors)
        return glove50

    monkeypatch.setattr(cli_app, "_load", load)
    return calls


@pytest.fixture
def no_load(monkeypatch):
    def load(*a, **k):
        raise AssertionError("the vectors were loaded before the inputs were checked")

    monkeypatch.setattr(cli_app, "_load", load)


def _one_line_error(res):
    assert res.exit_code == 2, res.output
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    assert lines[0].startswith("simvec: error: ")
    assert "╭" not in res.stderr and "Traceback" not in res.stderr
    return lines[0]


# -- defect 16 (issue 16) and item 3: usage errors are one line, exit 2 ---------------------

@pytest.mark.parametrize("args, needle", [
    (["neighbors", "frog", "--no-such-option"], "--no-such-option"),
    (["neighbors", "frog", "-k", "x"], "--top-k"),
    (["similar", "a"], "Missing argument"),
    (["simlar", "a", "b"], "similar"),           # did you mean
    (["info", "--sources", "-f", "yaml"], "table, json or csv"),
    (["elmo", "embd"], "embed"),
    (["classify", "train", "--data", "x.csv", "--bogus"], "--bogus"),
])
def test_usage_errors_are_one_line(args, needle, no_load):
    line = _one_line_error(runner.invoke(app, args))
    assert needle in line


@pytest.mark.parametrize("args, needle", [
    (["neighbors", "frog", "-k", "0"], "--top-k"),
    (["neighbors", "frog", "-k", "-3"], "--top-k"),
    (["neighbors", "frog", "--restrict-vocab", "0"], "--restrict-vocab"),
    (["neighbors", "frog", "--restrict-vocab", "-5"], "--restrict-vocab"),
    (["analogy", "man", "king", "woman", "-k", "0"], "--top-k"),
    (["analogy", "man", "king", "woman", "--restrict-vocab", "-1"], "--restrict-vocab"),
    (["keywords", "x.jsonl", "-k", "-3"], "--top-k"),
    (["evaluate", "x.txt", "--restrict-vocab", "0"], "--restrict-vocab"),
])
def test_bad_numbers_refused_before_loading(args, needle, no_load):
    assert needle in _one_line_error(runner.invoke(app, args))


def test_empty_vectors_is_an_error_not_a_crash(no_load):
    line = _one_line_error(runner.invoke(app, ["neighbors", "frog", "--vectors", ""]))
    assert "--vectors is empty" in line


def test_missing_path_and_misspelt_source(no_load, tmp_path):
    line = _one_line_error(runner.invoke(
        app, ["neighbors", "frog", "--vectors", str(tmp_path / "vecs.txt")]))
    assert "no such vector file" in line and "unknown vector source" not in line
    line = _one_line_error(runner.invoke(app, ["neighbors", "frog", "-v", "glove-6b-50d"]))
    assert "did you mean 'glove-6B-50d'" in line and "simvec info --sources" in line
    assert "list_sources()" not in line


@pytest.mark.parametrize("args, needle", [
    (["keywords", "nosuch.jsonl"], "nosuch.jsonl"),
    (["keywords", "DOCS", "--on-error", "ignore"], "--on-error must be one of raise, skip"),
    (["keywords", "DOCS", "-m", "meen"], "did you mean 'mean'"),
    (["evaluate-keywords", "DOCS", "-l", "x", "--on-missing-label", "no"], "--on-missing-label"),
    (["evaluate-keywords", "DOCS", "-l", "x", "-m", "nope"], "--method"),
    (["similar", "a", "b", "-m", "cosine"], "--method"),
    (["analogy", "a", "b", "c", "-m", "3cosdiv"], "3cosadd"),
    (["evaluate", "nosuch.txt"], "nosuch.txt"),
    (["similar", "a", "b", "--tokenizer", "spacy"], "--tokenizer must be one of regex"),
])
def test_inputs_checked_before_vectors_load(args, needle, no_load, tmp_path):
    docs = tmp_path / "docs.jsonl"
    docs.write_text('{"id": "a", "keywords": ["x"], "x": "1"}\n')
    args = [str(docs) if a == "DOCS" else a for a in args]
    assert needle in _one_line_error(runner.invoke(app, args))


def test_library_terms_become_options(tmp_path):
    from simvec.cli.options import cli_terms

    assert "--on-error skip" in cli_terms("bad line 3; pass on_error='skip' to go on")
    assert "--input-format" in cli_terms("cannot tell the format of x; pass format='glove'")
    assert "`simvec info --sources`" in cli_terms("see simvec.list_sources()")
    # through the command line: an unreadable vector file names the option to use
    bad = tmp_path / "v.dat"
    bad.write_bytes(b"\x00\x01 not vectors at all\n" * 3)
    res = runner.invoke(app, ["info", str(bad)])
    line = _one_line_error(res)
    assert "format=" not in line and "on_error" not in line


def test_version():
    from simvec import __version__

    res = runner.invoke(app, ["--version"])
    assert res.exit_code == 0 and res.stdout.strip() == f"simvec {__version__}"


# -- item 1: one vocabulary, examples, deprecated spellings --------------------------------

def _commands():
    for name in ("similar", "neighbors", "analogy", "evaluate", "keywords", "evaluate-keywords",
                 "convert", "info", "train"):
        yield [name]
    yield ["elmo", "embed"]
    for name in ("train", "evaluate", "predict"):
        yield ["classify", name]


@pytest.mark.parametrize("cmd", list(_commands()), ids=" ".join)
def test_every_help_shows_an_example_and_the_shared_options(cmd):
    res = runner.invoke(app, [*cmd, "--help"], env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    assert "Example: simvec " + " ".join(cmd) in res.stdout
    if cmd[0] in ("similar", "neighbors", "analogy", "evaluate", "keywords", "info"):
        for opt in ("--vectors", "--format", "--output", "--quiet", "--input-format"):
            assert opt in res.stdout, (cmd, opt)
    if cmd[0] in ("neighbors", "analogy", "keywords", "evaluate-keywords"):
        assert "--top-k" in res.stdout and "--topn" not in res.stdout


@pytest.mark.parametrize("name", ["similar", "neighbors", "analogy"])
def test_help_examples_run(name, glove):
    args = shlex.split(EXAMPLES[name])[1:]
    res = runner.invoke(app, args + ["-q"])
    assert res.exit_code == 0, res.output
    assert glove  # the vectors were used


def test_topn_still_works_with_a_warning(glove):
    new = runner.invoke(app, ["neighbors", "frog", "-k", "3", "-f", "json", "-q"])
    old = runner.invoke(app, ["neighbors", "frog", "--topn", "3", "-f", "json", "-q"])
    assert old.exit_code == 0 and json.loads(old.stdout) == json.loads(new.stdout)
    assert "--topn is deprecated" in old.stderr and "--top-k" in old.stderr
    assert len(json.loads(new.stdout)["neighbors"]["frog"]) == 3


def test_similar_method_option(glove, glove50):
    out = json.loads(runner.invoke(app, ["similar", "cat, dog", "car, truck", "-m", "mean",
                                         "-f", "json", "-q"]).stdout)
    assert out["method"] == "mean" and out["score"] == pytest.approx(out["mean_cosine"])
    from simvec.keywords.methods import DEFAULT_METHOD

    out = json.loads(runner.invoke(app, ["similar", "cat, dog", "car, truck", "-f", "json",
                                         "-q"]).stdout)
    assert out["method"] == DEFAULT_METHOD


def test_output_option_writes_the_file(glove, tmp_path):
    dest = tmp_path / "n.json"
    res = runner.invoke(app, ["neighbors", "frog", "-k", "2", "-f", "json", "-o", str(dest), "-q"])
    assert res.exit_code == 0 and res.stdout == ""
    assert len(json.loads(dest.read_text())["neighbors"]["frog"]) == 2


# -- item 6 / 7: one CSV table, snake_case, one JSON schema --------------------------------

def _csv(text):
    rows = list(csv.reader(io.StringIO(text)))
    assert rows and not any(r and r[0].startswith("#") for r in rows)
    assert len({len(r) for r in rows}) == 1, rows  # rectangular
    for h in rows[0]:
        assert h == h.lower() and " " not in h and "%" not in h and "@" not in h, h
    return rows


def test_similar_csv_is_one_table(glove):
    res = runner.invoke(app, ["similar", "machine learning, neural network",
                              "deep learning", "-f", "csv", "-q"])
    rows = _csv(res.stdout)
    assert rows[0][:3] == ["table", "measure", "score"] and "partner_token" in rows[0]
    assert {r[0] for r in rows[1:]} == {"keyword_similarity", "alignment"}


def test_neighbors_spelling(glove):
    res = runner.invoke(app, ["neighbors", "frog", "-k", "2", "-f", "csv", "-q"])
    assert _csv(res.stdout)[0] == ["query", "rank", "neighbor", "cosine"]
    table = runner.invoke(app, ["neighbors", "frog", "-k", "2", "-q"], env={"COLUMNS": "200"})
    assert "neighbour" not in table.stdout and "neighbor" in table.stdout


def test_evaluate_csv_one_table_and_coverage(glove, tmp_path):
    rg = data_path("similarity", "EN-RG-65.txt")
    ana = tmp_path / "a.txt"
    ana.write_text(": capital\nathens greece berlin germany\nparis france rome italy\n")
    res = runner.invoke(app, ["evaluate", str(rg), str(ana), "-f", "csv", "-q"])
    assert res.exit_code == 0, res.output
    rows = _csv(res.stdout)
    head = rows[0]
    assert head[0] == "table" and "coverage" in head and "pairs_used" in head
    body = [dict(zip(head, r)) for r in rows[1:]]
    pairs = [r for r in body if r["table"] == "word_pair_similarity"][0]
    assert float(pairs["spearman"]) == pytest.approx(0.602, abs=0.005)
    assert float(pairs["coverage"]) == pytest.approx(1.0)
    assert {r["table"] for r in body} == {"word_pair_similarity", "analogies", "analogy_sections"}


def test_low_coverage_warned_and_flagged(glove, tmp_path):
    pairs = tmp_path / "p.txt"
    pairs.write_text("cat\tdog\t8\nqqzx1\tzzq2\t3\nqqzx3\tzzq4\t5\nqqzx5\tzzq6\t1\n"
                     "car\ttruck\t7\nqqzx7\tzzq8\t2\nqqzx9\tzzq0\t6\n")
    res = runner.invoke(app, ["evaluate", str(pairs), "-f", "json", "-q"])
    assert res.exit_code == 0, res.output
    f = json.loads(res.stdout)["files"][0]
    assert f["low_coverage"] is True and f["coverage"] == pytest.approx(2 / 7)
    assert f["oov_fraction"] == pytest.approx(5 / 7) and "oov_ratio" not in f
    assert "only 2 of 7 pairs" in res.stderr and "unreliable" in res.stderr
    ok = runner.invoke(app, ["evaluate", str(data_path("similarity", "EN-RG-65.txt")),
                             "-f", "json", "-q"])
    assert json.loads(ok.stdout)["files"][0]["low_coverage"] is False
    assert "warning" not in ok.stderr


# -- defect 16: '-' is stdin everywhere ----------------------------------------------------

def _head_text(n=20):
    src = data_path("glove", "glove.6B.50d.head2446.txt")
    with open(src, "rb") as f:
        return b"".join(f.readline() for _ in range(n))


def test_stdin_for_info_and_convert(tmp_path):
    res = runner.invoke(app, ["info", "-", "-f", "json", "-q"], input=_head_text())
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["count"] == 20 and out["vector_size"] == 50 and out["source"] == "-"
    dst = tmp_path / "o.txt"
    res = runner.invoke(app, ["convert", "-", str(dst), "-q"], input=_head_text())
    assert res.exit_code == 0, res.output
    assert dst.read_text().splitlines()[0] == "20 50"  # word2vec header: the extension chose


def test_stdin_for_evaluate(glove):
    text = data_path("similarity", "EN-RG-65.txt").read_bytes()
    res = runner.invoke(app, ["evaluate", "-", "-f", "json", "-q"], input=text)
    assert res.exit_code == 0, res.output
    f = json.loads(res.stdout)["files"][0]
    assert f["file"] == "-" and f["spearman"] == pytest.approx(0.602, abs=0.005)


def test_stdin_for_train(tmp_path):
    corpus = b"the cat sat on the mat\nthe dog sat on the log\n" * 30
    dst = tmp_path / "v.txt"
    res = runner.invoke(app, ["train", "-", "-o", str(dst), "--min-count", "1", "--epochs", "1",
                              "--vector-size", "8", "--threads", "1", "--no-progress", "-q",
                              "-f", "json"], input=corpus)
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["words"] == 7 and out["format"] == "word2vec" and out["files"] == [str(dst)]
    assert dst.read_text().splitlines()[0] == "7 8"


# -- item 2: a written vector file follows its extension -----------------------------------

@pytest.mark.parametrize("name, fmt, files", [
    ("out.txt", "word2vec", ["out.txt"]), ("out.bin", "word2vec-binary", ["out.bin"]),
    ("out.vec", "fasttext", ["out.vec"]), ("out.npy", "native", ["out.npy", "out.json"]),
    ("out", "native", ["out.npy", "out.json"]), ("out.txt.gz", "word2vec", ["out.txt.gz"]),
])
def test_convert_follows_the_extension(tmp_path, name, fmt, files):
    from simvec.vectors.formats import detect_format, load_vectors

    src = data_path("glove", "glove.6B.50d.head2446.txt")
    res = runner.invoke(app, ["convert", str(src), str(tmp_path / name), "--limit", "30"])
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(files)
    for f in files:
        assert str(tmp_path / f) in res.stderr  # the real names are printed
    assert f"as {fmt}" in res.stderr
    if fmt != "native":
        assert detect_format(tmp_path / name)[0] == fmt
    kv = load_vectors(tmp_path / name)
    assert len(kv) == 30 and kv.index_to_key[0] == "the"


def test_to_overrides_and_kv_save_follows_extension(tmp_path, glove_head):
    from simvec.vectors.formats import detect_format, load_vectors

    res = runner.invoke(app, ["convert", "-v", str(data_path("glove", "glove.6B.50d.head2446.txt")),
                              "-o", str(tmp_path / "g.txt"), "--to", "glove", "--limit", "5"])
    assert res.exit_code == 0, res.output
    assert detect_format(tmp_path / "g.txt")[0] == "glove"
    glove_head.save(tmp_path / "x.bin")
    assert detect_format(tmp_path / "x.bin")[0] == "word2vec-binary"
    assert not (tmp_path / "x.bin.npy").exists()
    back = load_vectors(tmp_path / "x.bin")
    assert np.array_equal(back.vectors, glove_head.vectors)


def test_input_format_forces_the_reader(tmp_path):
    # word2vec text whose header is followed by a blank line: guessed wrong without the option
    head = _head_text(5).decode()
    p = tmp_path / "v.txt"
    p.write_text("5 50\n\n" + head)
    res = runner.invoke(app, ["info", str(p), "--input-format", "word2vec", "-f", "json", "-q"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["format"] == "word2vec" and out["count"] == 5
    bad = runner.invoke(app, ["info", str(p), "--input-format", "xml"])
    assert "--input-format" in _one_line_error(bad)


def test_similar_json_schema_is_the_same_for_elmo(glove):
    pytest.importorskip("torch")
    pytest.importorskip("h5py")
    from simvec.cli.keywords import SIMILAR_KEYS

    options = data_path("elmo", "fixture", "options.json")
    weights = data_path("elmo", "fixture", "lm_weights.hdf5")
    static = json.loads(runner.invoke(app, ["similar", "river, bank", "bank, money", "-f", "json",
                                            "-q"]).stdout)
    res = runner.invoke(app, ["similar", "river, bank", "bank, money", "--model",
                              f"elmo:{options},{weights}", "-m", "mean", "-f", "json", "-q"])
    assert res.exit_code == 0, res.output
    elmo = json.loads(res.stdout)
    assert list(elmo) == list(static) == list(SIMILAR_KEYS)
    assert elmo["vectors"] is None and elmo["model"].startswith("elmo:")
    assert elmo["method"] == "mean" and elmo["score"] == pytest.approx(elmo["mean_cosine"])
    assert elmo["oov_a"] == [] and elmo["reason"] is None
    # every method works with ELMo (keywords in the context of their list) ...
    wmd = runner.invoke(app, ["similar", "a", "b", "--model", f"elmo:{options},{weights}",
                              "-m", "sif_best_match", "-f", "json"])
    assert wmd.exit_code == 0 and json.loads(wmd.stdout)["encoder"] == "elmo"
    # ... but keywords embedded inside given texts are compared by mean or best_match only
    bad = runner.invoke(app, ["similar", "a", "b", "--model", f"elmo:{options},{weights}",
                              "--context-a", "a b c", "-m", "wmd"])
    assert "best_match" in _one_line_error(bad)


def test_classify_run_title_names_a_head_only_where_it_applies():
    from simvec.cli.classify import run_name

    assert run_name("pretrained", "cnn") == "pretrained (cnn)"
    assert run_name("elmo", "average") == "elmo"
    assert run_name("elmo-default", "average") == "elmo-default"


def test_classify_out_is_a_deprecated_spelling(tmp_path):
    res = runner.invoke(app, ["classify", "train", "--data", str(tmp_path / "none.csv"),
                              "--out", str(tmp_path / "run")])
    assert "--out is deprecated" in res.stderr and "--output" in res.stderr
    res = runner.invoke(app, ["classify", "train", "--data", str(tmp_path / "none.csv")])
    assert "--output/-o FOLDER is required" in _one_line_error(res)


@pytest.mark.parametrize("cmd", ["keywords", "evaluate-keywords"])
def test_malformed_collection_fails_before_vectors_load(cmd, no_load, tmp_path):
    docs = tmp_path / "d.jsonl"
    docs.write_text('{"id": "a", "keywords": ["x"], "t": "1"}\nnot json\n')
    args = [cmd, str(docs)] + (["-l", "t"] if cmd == "evaluate-keywords" else [])
    assert "line 2" in _one_line_error(runner.invoke(app, args))


@pytest.mark.parametrize("cmd", [["warmup"], ["data", "list"], ["data", "fetch"], ["data", "path"]],
                         ids=" ".join)
def test_new_commands_help_has_an_example(cmd):
    res = runner.invoke(app, [*cmd, "--help"], env={"COLUMNS": "200"})
    assert res.exit_code == 0 and "Example: simvec " + " ".join(cmd) in res.stdout


def test_train_old_spellings_warn_and_still_work(tmp_path):
    corpus = b"the cat sat on the mat\nthe dog sat on the log\n" * 30
    dst = tmp_path / "v.vectors"
    res = runner.invoke(app, ["train", "-", "--out", str(dst), "-f", "word2vec", "--workers", "1",
                              "--min-count", "1", "--epochs", "1", "--vector-size", "8",
                              "--no-progress", "-q"], input=corpus)
    assert res.exit_code == 0, res.output
    for old, new in (("--out", "--output"), ("--format word2vec", "--to word2vec"),
                     ("--workers", "--threads")):
        assert old in res.stderr and new in res.stderr, (old, res.stderr)
    assert dst.read_text().splitlines()[0] == "7 8"  # word2vec text despite the extension
    assert f"wrote {dst} (word2vec)" in res.stderr


def test_elmo_embed_old_output_layer_spelling(tmp_path):
    pytest.importorskip("torch")
    pytest.importorskip("h5py")
    options = data_path("elmo", "fixture", "options.json")
    weights = data_path("elmo", "fixture", "lm_weights.hdf5")
    src = tmp_path / "s.txt"
    src.write_text("the cat sat\nit is fun today\n")
    common = ["elmo", "embed", str(src), "--options", str(options), "--weights", str(weights)]
    res = runner.invoke(app, common + ["--output", "default", "-o", str(tmp_path / "d.npy"),
                                       "-f", "json", "-q"])
    assert res.exit_code == 0, res.output
    assert "--output default names a layer" in res.stderr and "--layer" in res.stderr
    out = json.loads(res.stdout)
    assert out["layer"] == "default" and out["sentences"] == 2 and out["tokens"] == 7
    assert np.load(tmp_path / "d.npy").shape == (2, 32)
    res = runner.invoke(app, common + ["--layer", "word_emb", "-o", str(tmp_path / "w.npy"), "-q"])
    assert res.exit_code == 0 and "deprecated" not in res.stderr
    assert np.load(tmp_path / "w.npy").shape[:2] == (2, 4)


def test_threads_default_is_one_and_says_why():
    for cmd in (["classify", "train"], ["elmo", "embed"]):
        res = runner.invoke(app, [*cmd, "--help"], env={"COLUMNS": "300"})
        text = " ".join(res.stdout.split())
        assert "Default 1" in text and "[default: 1]" in text, cmd


def test_input_format_with_a_named_source_is_refused_in_cli_terms(no_load):
    line = _one_line_error(runner.invoke(app, ["neighbors", "frog", "--input-format", "glove"]))
    assert "--input-format applies to vector files" in line and "limit=" not in line


def test_train_resume_rate_counts_this_run_only(tmp_path):
    from simvec.text.corpus import LineSentence
    from simvec.word2vec.model import Word2Vec

    corpus = tmp_path / "c.txt"
    corpus.write_text("the cat sat on the mat\nthe dog sat on the log\n" * 300)
    ck = tmp_path / "ck"

    class Stop:
        def on_epoch_end(self, model):
            if model.epoch == 1:
                raise KeyboardInterrupt

    m = Word2Vec(vector_size=8, min_count=1, epochs=3, workers=1, seed=1)
    m.build_vocab(LineSentence(corpus))
    with pytest.raises(KeyboardInterrupt):
        m.train(LineSentence(corpus), callbacks=[Stop()], checkpoint=ck, progress=False)
    args = ["train", str(corpus), "-o", str(tmp_path / "v.txt"), "--checkpoint", str(ck),
            "--resume", "--no-progress", "-q", "-f", "json"]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["epochs"] == 3 and out["epochs_this_run"] == 2
    assert out["words_per_second"] == pytest.approx(3600 * 2 / out["train_seconds"])
    again = runner.invoke(app, args)  # the schedule is finished: no rate to report
    assert json.loads(again.stdout)["words_per_second"] is None
    assert "nothing left to train" in again.stderr and "M words/s" not in again.stderr


def test_threads_option_sets_numba_threads(glove, tmp_path):
    import numba

    before = numba.get_num_threads()
    try:
        res = runner.invoke(app, ["neighbors", "frog", "-k", "2", "--threads", "1", "-q"])
        assert res.exit_code == 0, res.output
        assert numba.get_num_threads() == 1
    finally:
        numba.set_num_threads(before)
    assert "--threads" in _one_line_error(runner.invoke(app, ["keywords", "x", "--threads", "0"]))
