"""simvec._util: the one atomic writer (file-object and path variants)."""

import os
import stat

import pytest

from simvec._util import atomic_write, atomic_write_path, umask
from simvec.errors import SimvecFileNotFoundError


def _listing(d):
    return sorted(os.listdir(d))


def test_atomic_write_path_gives_a_path_with_the_suffix(tmp_path):
    seen = []

    def write(tmp):
        seen.append(tmp)
        assert isinstance(tmp, str) and os.path.dirname(tmp) == str(tmp_path)
        with open(tmp, "w") as f:
            f.write("new")

    atomic_write_path(tmp_path / "m.keras", write, suffix=".keras")
    assert seen[0].endswith(".keras") and os.path.basename(seen[0]).startswith(".m.keras.")
    assert (tmp_path / "m.keras").read_text() == "new"
    assert _listing(tmp_path) == ["m.keras"]
    assert stat.S_IMODE((tmp_path / "m.keras").stat().st_mode) == 0o666 & ~umask()


def test_atomic_write_path_keeps_the_mode_of_the_file_it_replaces(tmp_path):
    p = tmp_path / "w.h5"
    p.write_text("old")
    os.chmod(p, 0o640)
    atomic_write_path(p, lambda tmp: open(tmp, "w").write("new"))
    assert p.read_text() == "new" and stat.S_IMODE(p.stat().st_mode) == 0o640


def test_atomic_write_path_failure_leaves_dest_and_no_temp(tmp_path):
    p = tmp_path / "w.h5"
    p.write_text("old")

    def write(tmp):
        open(tmp, "w").write("half")
        raise RuntimeError("disk full (simulated)")

    with pytest.raises(RuntimeError, match="simulated"):
        atomic_write_path(p, write)
    assert p.read_text() == "old" and _listing(tmp_path) == ["w.h5"]


def test_atomic_write_path_writer_may_remove_its_temp_before_failing(tmp_path):
    def write(tmp):
        os.unlink(tmp)
        raise RuntimeError("gone")

    with pytest.raises(RuntimeError, match="gone"):
        atomic_write_path(tmp_path / "x", write)
    assert _listing(tmp_path) == []


def test_atomic_write_all_or_nothing(tmp_path):
    (tmp_path / "a").write_bytes(b"old a")

    def fail(f):
        f.write(b"partial")
        raise RuntimeError("second fails")

    with pytest.raises(RuntimeError, match="second fails"):
        atomic_write([(tmp_path / "a", lambda f: f.write(b"new a")), (tmp_path / "b", fail)])
    assert (tmp_path / "a").read_bytes() == b"old a" and _listing(tmp_path) == ["a"]
    atomic_write([(tmp_path / "a", lambda f: f.write(b"new a")),
                  (tmp_path / "b", lambda f: f.write(b"new b"))])
    assert (tmp_path / "a").read_bytes() == b"new a" and (tmp_path / "b").read_bytes() == b"new b"


@pytest.mark.parametrize("how", ["file", "path"])
def test_missing_folder_is_refused_before_writing(tmp_path, how):
    dest = tmp_path / "missing" / "x"
    with pytest.raises(SimvecFileNotFoundError, match="does not exist"):
        if how == "file":
            atomic_write([(dest, lambda f: f.write(b""))])
        else:
            atomic_write_path(dest, lambda tmp: None)
    assert _listing(tmp_path) == []
