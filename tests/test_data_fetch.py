"""simvec.data and `simvec data`: data home, sha256-checked, resumable, atomic downloads.

The downloads run against a local HTTP server on 127.0.0.1 (nothing else is reachable) that
serves small files, honours ``Range`` and can cut a response short to simulate a failure.
"""

from __future__ import annotations

import dataclasses
import hashlib
import http.server
import json
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

import simvec.data as data
from simvec.cli.app import app
from simvec.data import DownloadError, data_home, fetch

runner = CliRunner()
PAYLOAD = bytes(range(256)) * 400  # 102,400 bytes


class _Handler(http.server.BaseHTTPRequestHandler):
    files: dict = {}
    cut_after: int | None = None  # send only this many bytes of the next response
    honour_range = True
    requests: list = []

    def log_message(self, *args):  # keep test output clean
        pass

    def do_GET(self):
        body = self.files.get(self.path)
        rng = self.headers.get("Range")
        type(self).requests.append((self.path, rng))
        if body is None:
            self.send_error(404)
            return
        start = 0
        if rng and self.honour_range:
            start = int(rng.split("=")[1].split("-")[0])
            if start >= len(body):
                self.send_response(416)
                self.end_headers()
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
        else:
            self.send_response(200)
        part = body[start:]
        self.send_header("Content-Length", str(len(part)))
        self.end_headers()
        cut = type(self).cut_after
        if cut is not None:
            type(self).cut_after = None
            self.wfile.write(part[:cut])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(part)


@pytest.fixture
def server():
    _Handler.files = {"/f.bin": PAYLOAD, "/small.txt": b"cat\tdog\t7.5\n"}
    _Handler.cut_after, _Handler.honour_range, _Handler.requests = None, True, []
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    t = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    t.join(timeout=5)


def _sha(b):
    return hashlib.sha256(b).hexdigest()


def test_data_home_env_and_default(monkeypatch, tmp_path):
    monkeypatch.setenv("SIMVEC_DATA", str(tmp_path / "home"))
    assert data_home() == tmp_path / "home"
    assert data.dataset_path("imdb") == tmp_path / "home" / "imdb" / "aclImdb_v1.tar.gz"
    monkeypatch.delenv("SIMVEC_DATA")
    import platformdirs

    assert data_home() == Path(platformdirs.user_cache_dir("simvec", appauthor=False))
    assert "shared" not in str(data_home())
    with pytest.raises(data.SimvecValueError, match="did you mean 'imdb'"):
        data.dataset_path("imbd")


def test_fetch_verifies_and_reports_progress(server, tmp_path):
    seen = []
    dest = tmp_path / "f.bin"
    out = fetch(server + "/f.bin", dest=dest, sha256=_sha(PAYLOAD), chunk=8192,
                progress=lambda d, t: seen.append((d, t)))
    assert out == dest and dest.read_bytes() == PAYLOAD
    assert seen[-1] == (len(PAYLOAD), len(PAYLOAD)) and len(seen) >= 10
    assert not (tmp_path / "f.bin.part").exists()
    n = len(_Handler.requests)
    fetch(server + "/f.bin", dest=dest, sha256=_sha(PAYLOAD))  # present and verified: no request
    assert len(_Handler.requests) == n


def test_fetch_resumes_after_a_cut(server, tmp_path):
    dest = tmp_path / "f.bin"
    _Handler.cut_after = 30_000
    with pytest.raises(DownloadError, match="run again to resume"):
        fetch(server + "/f.bin", dest=dest, sha256=_sha(PAYLOAD))
    assert not dest.exists()  # atomic: nothing under the real name
    assert (tmp_path / "f.bin.part").stat().st_size == 30_000
    fetch(server + "/f.bin", dest=dest, sha256=_sha(PAYLOAD))
    assert dest.read_bytes() == PAYLOAD
    assert _Handler.requests[-1] == ("/f.bin", "bytes=30000-")  # only the rest was asked for


def test_fetch_restarts_when_range_is_ignored(server, tmp_path):
    dest = tmp_path / "f.bin"
    (tmp_path / "f.bin.part").write_bytes(b"garbage" * 10)
    _Handler.honour_range = False
    fetch(server + "/f.bin", dest=dest, sha256=_sha(PAYLOAD))
    assert dest.read_bytes() == PAYLOAD


def test_fetch_checksum_mismatch_deletes(server, tmp_path):
    dest = tmp_path / "f.bin"
    with pytest.raises(DownloadError, match="SHA-256 mismatch: expected 0+, got " + _sha(PAYLOAD)):
        fetch(server + "/f.bin", dest=dest, sha256="0" * 64)
    assert not dest.exists() and not (tmp_path / "f.bin.part").exists()


def test_fetch_http_error_names_the_url(server, tmp_path):
    with pytest.raises(DownloadError, match=r"/nope: HTTP 404"):
        fetch(server + "/nope", dest=tmp_path / "x")


def test_cli_data_fetch_registry_entry(server, tmp_path, monkeypatch):
    body = _Handler.files["/small.txt"]
    monkeypatch.setenv("SIMVEC_DATA", str(tmp_path))
    monkeypatch.setitem(data.DATASETS, "tiny", data.DataSet(
        "tiny", server + "/small.txt", "small.txt", _sha(body), "a tiny pair file", "none"))
    res = runner.invoke(app, ["data", "fetch", "tiny", "-f", "json", "-q"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)["fetched"][0]
    assert out["verified"] is True and out["sha256"] == _sha(body) and out["bytes"] == len(body)
    assert (tmp_path / "tiny" / "small.txt").read_bytes() == body
    listed = json.loads(runner.invoke(app, ["data", "list", "-f", "json"]).stdout)
    assert listed["data_home"] == str(tmp_path)
    assert {d["name"]: d["present"] for d in listed["datasets"]}["tiny"] is True
    assert {"imdb", "sst2", "agnews", "wordsim353", "simlex999", "google-analogies", "bird",
            "stsb"} <= {d["name"] for d in listed["datasets"]}
    bad = runner.invoke(app, ["data", "fetch", "imbd"])
    assert bad.exit_code == 2 and bad.stderr.startswith("simvec: error: unknown data set 'imbd'")
    monkeypatch.setitem(data.DATASETS, "tiny", data.DataSet(
        "tiny", server + "/small.txt", "other.txt", "1" * 64, "wrong digest", "none"))
    bad = runner.invoke(app, ["data", "fetch", "tiny"])
    assert bad.exit_code == 2 and "SHA-256 mismatch" in bad.stderr


def test_registered_digests_match_the_shared_copies():
    from conftest import data_path
    from simvec.data import sha256_file

    copies = {"wordsim353": ("similarity", "EN-WS-353-ALL.txt"),
              "simlex999": ("similarity", "EN-SIMLEX-999.txt"),
              "google-analogies": ("analogy", "questions-words.txt"),
              "bird": ("phrase", "BiRD.txt"),
              "agnews": ("ag_news", "test.csv")}
    for name, parts in copies.items():
        assert sha256_file(data_path(*parts)) == data.DATASETS[name].sha256, name
    # the AG News copy is the file torchtext downloads from the same URL: its published MD5
    md5 = hashlib.md5(data_path("ag_news", "test.csv").read_bytes()).hexdigest()
    assert md5 == "d52ea96a97a2d943681189a97654912d"
    assert data.DATASETS["agnews"].url.endswith("mhjabreel/CharCnn_Keras/master/data/ag_news_csv/"
                                                "test.csv")


def test_every_data_set_says_where_its_digest_comes_from_or_why_none():
    for d in data.DATASETS.values():
        assert d.checksum_note, d.name
        if d.sha256 is None:
            assert d.checksum_note.startswith("none recorded: "), d.name
    assert {d.name for d in data.DATASETS.values() if d.sha256 is None} == {"sst2", "stsb"}


def test_fetch_agnews_verified_then_read_from_the_data_home(server, tmp_path, monkeypatch):
    """The registry's AG News entry, served locally with the real file's bytes."""
    from conftest import data_path
    from simvec.classify import load_agnews

    body = data_path("ag_news", "test.csv").read_bytes()
    _Handler.files["/ag_news_csv/test.csv"] = body
    monkeypatch.setenv("SIMVEC_DATA", str(tmp_path / "home"))
    real = data.DATASETS["agnews"]
    monkeypatch.setitem(data.DATASETS, "agnews", dataclasses.replace(
        real, url=server + "/ag_news_csv/test.csv"))
    res = runner.invoke(app, ["data", "fetch", "agnews", "-f", "json", "-q"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)["fetched"][0]
    assert out["verified"] is True and out["sha256"] == real.sha256 and "warning" not in res.stderr
    a = load_agnews()  # no path: the data home
    assert (len(a.train), len(a.test)) == (6080, 1520)
    assert a.train.source.startswith(str(tmp_path / "home" / "agnews" / "test.csv"))


def test_fetch_without_a_digest_says_why_it_is_not_verified(server, tmp_path, monkeypatch):
    _Handler.files["/SST-2.zip"] = PAYLOAD
    monkeypatch.setenv("SIMVEC_DATA", str(tmp_path))
    monkeypatch.setitem(data.DATASETS, "sst2", dataclasses.replace(
        data.DATASETS["sst2"], url=server + "/SST-2.zip"))
    res = runner.invoke(app, ["data", "fetch", "sst2", "-f", "json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["fetched"][0]["verified"] is False
    assert ("sst2: not verified, no SHA-256 is recorded (none recorded: no copy of GLUE's "
            "SST-2.zip is available to this project") in res.stderr
    assert _sha(PAYLOAD) in res.stderr and "pin it with --sha256" in res.stderr


def _imdb_archive(path):
    import io
    import tarfile

    with tarfile.open(path, "w:gz") as tar:
        for i, (split, label, rating) in enumerate(
                [(s, lab, r) for s in ("train", "test") for lab, r in (("pos", 9), ("neg", 2))
                 for _ in range(2)]):
            body = f"review {i} was {'great' if label == 'pos' else 'awful'}".encode()
            info = tarfile.TarInfo(f"aclImdb/{split}/{label}/{i}_{rating}.txt")
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))


def test_classify_data_accepts_the_imdb_archive_and_the_data_home(tmp_path, monkeypatch):
    from simvec.cli.classify import load_data

    archive = tmp_path / "aclImdb_v1.tar.gz"
    _imdb_archive(archive)
    splits = load_data(str(archive))
    assert splits.sizes == {"train": 4, "test": 4}
    monkeypatch.setenv("SIMVEC_DATA", str(tmp_path / "home"))
    (tmp_path / "home" / "imdb").mkdir(parents=True)
    archive.rename(tmp_path / "home" / "imdb" / "aclImdb_v1.tar.gz")
    monkeypatch.chdir(tmp_path)
    assert load_data("imdb").sizes == {"train": 4, "test": 4}  # fetched copy found by name


def test_dataset_repr_is_a_summary(tmp_path):
    from simvec.cli.classify import load_data

    archive = tmp_path / "aclImdb_v1.tar.gz"
    _imdb_archive(archive)
    splits = load_data(str(archive))
    text = repr(splits)
    assert len(text) < 200 and "review" not in text
    assert "sizes={'train': 4, 'test': 4}" in text and "positive" in text
    assert repr(splits.train).startswith("TextDataset(4 texts, classes {")
    assert "'negative': 2, 'positive': 2" in repr(splits.train)


def test_validation_size_holds_out_other_training_texts(tmp_path):
    from simvec.cli.classify import hold_out_validation, load_data

    archive = tmp_path / "aclImdb_v1.tar.gz"
    _imdb_archive(archive)
    splits = load_data(str(archive))
    train, validation = hold_out_validation(splits, 2, 2, seed=0)
    assert len(validation) == 2 and len(train.train) == 2 and len(train.test) == 4
    assert not set(validation.texts) & set(train.train.texts)
    assert sorted(validation.labels.tolist()) == [0, 1]  # stratified
    assert "validation: 2 other training texts" in train.notes
    with pytest.raises(data.SimvecValueError, match="--validation-size 4 leaves no training"):
        hold_out_validation(splits, 4, None, seed=0)


def test_fetched_sst2_archive_is_unpacked_and_agnews_found(tmp_path, monkeypatch):
    import zipfile

    from simvec.cli.classify import load_data

    home = tmp_path / "home"
    monkeypatch.setenv("SIMVEC_DATA", str(home))
    monkeypatch.chdir(tmp_path)
    (home / "sst2").mkdir(parents=True)
    rows = "".join(f"{w} film\t{lab}\n" for w, lab in
                   [("great", 1), ("awful", 0), ("fine", 1), ("dull", 0), ("superb", 1),
                    ("bad", 0)])
    with zipfile.ZipFile(home / "sst2" / "SST-2.zip", "w") as z:
        z.writestr("SST-2/train.tsv", "sentence\tlabel\n" + rows)
        z.writestr("SST-2/dev.tsv", "sentence\tlabel\n" + "".join(rows.splitlines(True)[:4]))
    s = load_data("sst2")
    assert len(s.train) == 6 and s.test_name == "dev" and (home / "sst2" / "SST-2.d").is_dir()
    assert not [p for p in (home / "sst2").iterdir() if p.name.startswith(".")]  # no temp left
    (home / "agnews").mkdir()  # AG News is fetched as its test.csv (what the loader reads)
    (home / "agnews" / "test.csv").write_text("".join(f'"{c}","title {i}","text {i}"\n'
                                                      for i in range(40) for c in (1, 2, 3, 4)))
    a = load_data("agnews")
    assert len(a.train) + len(a.test) == 160 and len(a.label_names) == 4


def test_unpack_refuses_escaping_members(tmp_path):
    import zipfile

    bad = tmp_path / "x.zip"
    with zipfile.ZipFile(bad, "w") as z:
        z.writestr("../evil.txt", "x")
    with pytest.raises(data.SimvecValueError, match="escapes"):
        data.unpack(bad)
    assert not (tmp_path / "x.d").exists() and not (tmp_path.parent / "evil.txt").exists()
