"""`simvec evaluate -f json`: every result carries `note` (one schema; issue 12 item 5/7).

Word-pair files, analogy files and each method of a phrase-pair file all say in `note` why
their figures are `null` ("" when they are not), so scripts read one schema.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

import simvec.cli.app as cli_app
from conftest import data_path
from simvec.cli.app import app

runner = CliRunner()


@pytest.fixture
def glove(monkeypatch, glove50):
    monkeypatch.setattr(cli_app, "_load", lambda vectors, input_format=None: glove50)


def _files(*args):
    res = runner.invoke(app, ["evaluate", *map(str, args), "-f", "json", "-q"])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)["files"], res


def test_every_kind_of_result_has_a_note(glove, tmp_path):
    bird = tmp_path / "bird.txt"  # the first 40 BiRD pairs: a real phrase-pair file, kept short
    lines = data_path("phrase", "BiRD.txt").read_text(encoding="utf-8").splitlines()
    bird.write_text("\n".join(lines[:41]) + "\n", encoding="utf-8")
    files, _ = _files(data_path("similarity", "EN-RG-65.txt"),
                      data_path("analogy", "questions-words.txt"), bird, "--bootstrap", "0")
    kinds = {f["kind"]: f for f in files}
    assert set(kinds) == {"word_pairs", "analogy", "text_pairs"}
    assert kinds["word_pairs"]["note"] == "" and kinds["analogy"]["note"] == ""
    assert all(m["note"] == "" for m in kinds["text_pairs"]["methods"])
    assert kinds["word_pairs"]["spearman"] == pytest.approx(0.6020697, abs=1e-6)  # measured


def test_word_pair_note_says_why_the_correlation_is_null(glove, tmp_path):
    # real RG-65 pairs with every gold score set equal: Spearman is undefined
    rows = data_path("similarity", "EN-RG-65.txt").read_text().splitlines()[:10]
    flat = tmp_path / "flat.txt"
    flat.write_text("".join("\t".join(r.split()[:2] + ["2.5"]) + "\n" for r in rows))
    files, _ = _files(flat)
    f = files[0]
    assert f["spearman"] is None and f["pearson"] is None
    assert f["note"] == "all 10 gold scores are equal (2.5): the correlation is undefined"


def test_analogy_note_when_no_question_is_in_vocabulary(glove):
    files, res = _files(data_path("analogy", "questions-words.txt"), "--restrict-vocab", "1")
    f = files[0]
    assert f["total"] == 0 and f["accuracy"] is None
    assert f["note"] == ("none of the 19544 questions has all four words among the first 1 "
                         "vocabulary rows: the accuracy is undefined")
    assert f["low_coverage"] is True
