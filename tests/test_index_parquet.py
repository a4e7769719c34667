"""Parquet keyword collections: read in row groups, encoded, indexed, with bad input named by row.

The Parquet files are made from the shared 500N-KPCrowd collection (500 documents), once with a
``list<string>`` keywords column in row groups of 128 rows, once with the keywords joined into a
``"; "``-separated string.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import data_path

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

from simvec.errors import InputFormatError, SimvecValueError  # noqa: E402
from simvec.index.encode import encode_file  # noqa: E402
from simvec.keywords.collection import (  # noqa: E402
    is_parquet,
    iter_parquet_collection,
    read_collection,
    read_parquet_collection,
)

KW = {"id_field": "doc_id", "keywords_field": "keyphrases"}


@pytest.fixture(scope="module")
def kpcrowd():
    path = data_path("keywords", "kpcrowd500n_labeled.jsonl")
    ids, lists, _ = read_collection(path, **KW)
    return path, ids, lists


@pytest.fixture(scope="module")
def parquet_files(kpcrowd, tmp_path_factory):
    _, ids, lists = kpcrowd
    tmp = tmp_path_factory.mktemp("pq")
    lst = tmp / "kp.parquet"
    pq.write_table(pa.table({"doc_id": ids, "keyphrases": lists, "n": list(range(len(ids)))}),
                   lst, row_group_size=128)
    txt = tmp / "kp_string.pq"
    pq.write_table(pa.table({"doc_id": ids, "keyphrases": ["; ".join(x) for x in lists]}), txt)
    return lst, txt


def test_parquet_equals_jsonl(kpcrowd, parquet_files):
    _, ids, lists = kpcrowd
    lst, txt = parquet_files
    assert pq.ParquetFile(lst).metadata.num_row_groups == 4
    got_ids, got_lists, report = read_collection(lst, **KW)
    assert got_ids == ids and got_lists == lists
    assert report.format == "parquet" and report.n_documents == 500 and not report.skipped
    # a comma/semicolon-separated string column, split as a CSV cell is
    got_ids, got_lists, _ = read_collection(txt, **KW)
    assert got_ids == ids and got_lists == lists
    assert is_parquet(lst) and is_parquet(txt) and is_parquet("x.bin", "parquet")
    assert not is_parquet("x.jsonl") and not is_parquet("x.parquet", "jsonl")


def test_iter_parquet_streams_in_batches(kpcrowd, parquet_files):
    _, ids, lists = kpcrowd
    lst, _ = parquet_files
    batches = list(iter_parquet_collection(lst, batch_size=100, **KW))
    assert [(b[0], b[1]) for b in batches] == [(1, 100), (101, 100), (201, 100), (301, 100),
                                              (401, 100)]
    assert batches[1][2] == list(range(101, 201))
    assert batches[1][3] == ids[100:200] and batches[1][4] == lists[100:200]


def test_encode_file_parquet_equals_jsonl(kpcrowd, parquet_files, glove50, tmp_path):
    path, ids, _ = kpcrowd
    lst, _ = parquet_files
    a = encode_file(path, glove50, tmp_path / "a.npy", chunk_size=100, **KW)
    seen = []
    b = encode_file(lst, glove50, tmp_path / "b.npy", chunk_size=100,
                    progress=lambda done, c: seen.append(done), **KW)
    assert b.ids == a.ids == ids and b.no_vector == a.no_vector == []
    assert np.array_equal(np.asarray(a.vectors), np.asarray(b.vectors))
    assert seen[-1] == 500 and len(seen) >= 5


def _write(tmp_path, name, table):
    p = tmp_path / name
    pq.write_table(table, p)
    return p


def test_parquet_bad_input_names_file_and_row(tmp_path, glove50):
    p = _write(tmp_path, "miss.parquet", pa.table({"id": ["a"], "kw": [["x"]]}))
    with pytest.raises(InputFormatError, match=r"miss\.parquet: no column 'keywords' "
                                               r"\(columns: 'id', 'kw'\)"):
        read_collection(p)
    p = _write(tmp_path, "null.parquet", pa.table({
        "id": ["a", None, "c", "d"],
        "keywords": [["x"], ["y"], None, ["z"]]}))
    with pytest.raises(InputFormatError, match=r"null\.parquet: row 2: column 'id' is null"):
        read_collection(p)
    ids, lists, report = read_collection(p, on_error="skip")
    assert ids == ["a", "d"] and lists == [["x"], ["z"]]
    assert report.skipped == [(2, "column 'id' is null"),
                              (3, "column 'keywords' must be a list of strings or a "
                                  "comma-separated string, got null")]
    p = _write(tmp_path, "ints.parquet", pa.table({"id": [1, 2], "keywords": [[1], [2]]}))
    with pytest.raises(InputFormatError, match=r"row 1: column 'keywords' must be a list of "
                                               r"strings .*got a list with non-strings"):
        read_collection(p)
    p = _write(tmp_path, "float.parquet", pa.table({"id": [1.5], "keywords": [["a"]]}))
    with pytest.raises(InputFormatError, match="row 1: field 'id' must be a string or an integer"):
        read_collection(p)
    p = _write(tmp_path, "dup.parquet", pa.table({"id": [7, 8, 7], "keywords": [["a"]] * 3}))
    with pytest.raises(InputFormatError, match=r"row 3: duplicate id '7' \(first on row 1\)"):
        read_collection(p)
    with pytest.raises(InputFormatError, match=r"dup\.parquet: row 3: duplicate id '7'"):
        encode_file(p, glove50, tmp_path / "d.npy", chunk_size=2)
    bad = tmp_path / "fake.parquet"
    bad.write_text('{"id": "a", "keywords": ["x"]}\n')
    with pytest.raises(InputFormatError, match=r"fake\.parquet: not a readable Parquet file"):
        read_collection(bad)
    with pytest.raises(SimvecValueError, match="batch_size"):
        next(iter_parquet_collection(p, batch_size=0))
    with pytest.raises(SimvecValueError, match="on_error"):
        read_parquet_collection(p, on_error="ignore")


def test_cli_index_build_and_search_on_parquet(parquet_files, tmp_path):
    pytest.importorskip("usearch")
    pytest.importorskip("faiss")
    from typer.testing import CliRunner

    from simvec.cli.app import app

    lst, _ = parquet_files
    run = CliRunner().invoke
    res = run(app, ["index", "build", str(lst), "-o", str(tmp_path / "ix"), "--id-field",
                    "doc_id", "--keywords-field", "keyphrases", "-q", "-f", "json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["documents"] == 500
    res = run(app, ["search", str(tmp_path / "ix"), "--queries", str(lst), "--id-field",
                    "doc_id", "--keywords-field", "keyphrases", "-k", "1", "-q", "-f", "json"])
    assert res.exit_code == 0, res.output
    results = json.loads(res.output)["results"]
    assert len(results) == 500
    # a document is its own best match under the default method (score 1) for all but those
    # whose keyword list ties with another's
    assert sum(r["neighbors"][0]["id"] == r["query"] for r in results) == pytest.approx(500, abs=5)
    res = run(app, ["encode", str(lst), "-o", str(tmp_path / "e.npy"), "-q"])
    assert res.exit_code == 2 and "no column 'id'" in res.output
