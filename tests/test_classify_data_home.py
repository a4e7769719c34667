"""The classification loaders read the data home by default, as the CLI does (issue 12 item 11).

No default points into this repository's ``../shared/data`` any more: without a path a loader
looks in :func:`simvec.data.data_home` (``$SIMVEC_DATA``, else the user cache directory) for
the file ``simvec data fetch`` downloads, then for an unpacked copy.
"""

from __future__ import annotations

import zipfile

import pytest

from conftest import DATA, data_path
from simvec.classify import default_data_path, load_agnews, load_imdb, load_sst2
from simvec.errors import SimvecFileNotFoundError


@pytest.fixture
def empty_home(tmp_path, monkeypatch):
    """No $SIMVEC_DATA; the user cache directory (XDG_CACHE_HOME on Linux) is empty."""
    monkeypatch.delenv("SIMVEC_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    return tmp_path / "cache" / "simvec"


def test_no_default_reaches_the_shared_folder(empty_home):
    for load, name in ((load_sst2, "sst2"), (load_agnews, "agnews"), (load_imdb, "imdb")):
        with pytest.raises(SimvecFileNotFoundError) as e:
            load()
        msg = str(e.value)
        assert f"run `simvec data fetch {name}`" in msg and str(empty_home) in msg
        assert "shared" not in msg


def test_fetched_sst2_in_the_user_cache_is_found(empty_home):
    dev = data_path("sst2", "dev.tsv").read_text(encoding="utf-8")
    train = data_path("sst2", "train.tsv").read_text(encoding="utf-8").splitlines(True)[:301]
    (empty_home / "sst2").mkdir(parents=True)
    with zipfile.ZipFile(empty_home / "sst2" / "SST-2.zip", "w") as z:  # GLUE's layout
        z.writestr("SST-2/train.tsv", "".join(train))
        z.writestr("SST-2/dev.tsv", dev)
    assert default_data_path("sst2") == empty_home / "sst2" / "SST-2.d" / "SST-2"
    s = load_sst2()
    assert len(s.train) == 300 and len(s.test) == 872 and s.test_name == "dev"


def test_data_home_may_be_an_unpacked_copy(monkeypatch):
    """SIMVEC_DATA pointing at a folder laid out as ../shared/data (sst2/, ag_news/test.csv)."""
    data_path("sst2", "train.tsv")
    data_path("ag_news", "test.csv")
    monkeypatch.setenv("SIMVEC_DATA", str(DATA))
    assert default_data_path("sst2") == DATA / "sst2"
    s = load_sst2()
    assert (len(s.train), len(s.test)) == (67349, 872)
    a = load_agnews()
    assert (len(a.train), len(a.test)) == (6080, 1520)
