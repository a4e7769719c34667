"""Where simvec keeps data sets, and how it downloads them.

The data home is ``$SIMVEC_DATA`` when set, else the platform's user cache directory
(``platformdirs.user_cache_dir("simvec")``: ``~/.cache/simvec`` on Linux,
``~/Library/Caches/simvec`` on macOS, ``%LOCALAPPDATA%\\simvec\\Cache`` on Windows). Each data
set of :data:`DATASETS` lives in ``DATA_HOME/NAME/FILE``.

:func:`fetch` downloads from the data set's original URL with

- a SHA-256 check (a mismatch deletes the download and raises, naming both digests),
- resume: an interrupted download stays as ``FILE.part`` and the next call asks the server for
  the remaining bytes (HTTP ``Range``); a server that ignores ``Range`` sends everything again,
- atomicity: the file appears under its name only once complete and verified (``os.replace``),
- progress through a ``progress(done, total)`` callback.

Only the standard library's :mod:`urllib` is used: no new network dependency.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from simvec.errors import SimvecError, SimvecValueError

__all__ = ["DATA_ENV", "DataSet", "DATASETS", "data_home", "dataset_path", "fetch",
           "unpack", "DownloadError", "sha256_file"]

#: Environment variable naming the data home.
DATA_ENV = "SIMVEC_DATA"


class DownloadError(SimvecError, OSError):
    """A download failed (network, HTTP status, checksum); the message names the URL."""


@dataclass(frozen=True)
class DataSet:
    """A public data set simvec's docs use, at its original URL.

    Attributes
    ----------
    name : str
        Registry key (``simvec data fetch NAME``).
    url : str
        Original location.
    filename : str
        Name of the downloaded file inside ``DATA_HOME/NAME/``.
    sha256 : str or None
        Expected SHA-256 of the file; ``None`` where no digest could be recorded (the digest
        of the download is then reported, and can be pinned with ``sha256=``).
    description, citation : str
    checksum_note : str
        Where the digest comes from, or why there is none.
    """

    name: str
    url: str
    filename: str
    sha256: str | None
    description: str
    citation: str
    checksum_note: str = ""


_WORDSIM = "https://raw.githubusercontent.com/mfaruqui/eval-word-vectors/master/data/word-sim/"

_SAME_FILE = ("computed from this project's copy, the same file as this URL serves")

#: The data sets of the docs. Every digest was computed here from a copy that is the same file
#: as the URL serves (IMDB's is also the one several independent loaders publish; the AG News
#: copy's MD5 is the one torchtext publishes for this URL). SST-2 and STS-B have none: no copy of
#: their original archives is available to this project (see ``checksum_note``).
DATASETS: dict[str, DataSet] = {d.name: d for d in (
    DataSet("imdb", "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz",
            "aclImdb_v1.tar.gz",
            "c40f74a18d3b61f90feba1e17730e0d38e8b97c05fde7008942e91923d1658fe",
            "Large Movie Review Dataset: 25k train + 25k test reviews, pos/neg (84 MB)",
            "Maas et al. (2011), ACL",
            "the digest published with the archive by several independent loaders"),
    DataSet("sst2", "https://dl.fbaipublicfiles.com/glue/data/SST-2.zip", "SST-2.zip", None,
            "SST-2 (GLUE): 67,349 train / 872 dev sentences, binary sentiment",
            "Socher et al. (2013), EMNLP; Wang et al. (2019), ICLR",
            "none recorded: no copy of GLUE's SST-2.zip is available to this project (its SST-2 "
            "files are a repackaging with other columns and a labelled test split, so no digest "
            "of the zip can be computed from them); TensorFlow Datasets records SHA-256 "
            "d67e16fb55739c1b32cdce9877596db1c127dc322d93c082281f64057c16deaa (7,439,277 bytes) "
            "for SST-2.zip at GLUE's former Firebase URL, not checked against this mirror"),
    DataSet("agnews",
            "https://raw.githubusercontent.com/mhjabreel/CharCnn_Keras/master/data/ag_news_csv/"
            "test.csv", "test.csv",
            "521465c2428ed7f02f8d6db6ffdd4b5447c1c701962353eb2c40d548c3c85699",
            "AG News test split: 7,600 news, 4 classes (the split simvec's loader reads)",
            "Zhang, Zhao & LeCun (2015), NeurIPS",
            _SAME_FILE + " (its MD5 d52ea96a97a2d943681189a97654912d is the one torchtext "
            "publishes for this URL)"),
    DataSet("wordsim353", _WORDSIM + "EN-WS-353-ALL.txt", "EN-WS-353-ALL.txt",
            "ce12919b240af45bdf46d243601eaca2b6212b159b5e7e9b435ee7ee40c5619c",
            "WordSim-353, 353 word pairs", "Finkelstein et al. (2002), ACM TOIS", _SAME_FILE),
    DataSet("simlex999", _WORDSIM + "EN-SIMLEX-999.txt", "EN-SIMLEX-999.txt",
            "405394ffb7d25f6d0e3c041f87c9f27d29dc6b047506769953e85c4523b11685",
            "SimLex-999, 999 word pairs", "Hill, Reichart & Korhonen (2015), CL", _SAME_FILE),
    DataSet("google-analogies",
            "https://raw.githubusercontent.com/piskvorky/gensim/develop/gensim/test/test_data/"
            "questions-words.txt", "questions-words.txt",
            "8c29b3332afc46f3fb8be04cb5297bf96f39aa7131272dff57869b4485b22a36",
            "Google analogy questions, 19,544 in 14 sections", "Mikolov et al. (2013), ICLR",
            _SAME_FILE),
    DataSet("bird", "https://raw.githubusercontent.com/sasaadi/BiRD/master/BiRD.txt", "BiRD.txt",
            "3ff0481c6c9b0060a53e441b2b4726f155b114184c4f7b8bc604c599e8a5d23c",
            "BiRD bigram relatedness, 3,345 phrase pairs", "Asaadi et al. (2019), NAACL",
            _SAME_FILE),
    DataSet("stsb", "http://ixa2.si.ehu.es/stswiki/images/4/48/Stsbenchmark.tar.gz",
            "Stsbenchmark.tar.gz", None, "STS Benchmark, 8,628 sentence pairs",
            "Cer et al. (2017), SemEval",
            "none recorded: this project holds only the files unpacked from a copy of "
            "Stsbenchmark.tar.gz, not the archive, and a .tar.gz cannot be rebuilt byte for "
            "byte from its members; no published digest was found"),
)}


def data_home() -> Path:
    """``$SIMVEC_DATA`` if set (and not empty), else the user cache directory for ``simvec``.

    Returns
    -------
    Path
        Not created here; :func:`fetch` creates what it writes into.
    """
    env = os.environ.get(DATA_ENV, "").strip()
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("simvec", appauthor=False))


def dataset_path(name: str) -> Path:
    """Where data set ``name`` is (or will be) stored: ``data_home() / name / filename``.

    Raises
    ------
    SimvecValueError
        For an unknown name, listing the known ones.
    """
    if name not in DATASETS:
        import difflib

        close = difflib.get_close_matches(name, list(DATASETS), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise SimvecValueError(f"unknown data set {name!r}{hint} (known: "
                               f"{', '.join(DATASETS)})")
    return data_home() / name / DATASETS[name].filename


def sha256_file(path, chunk: int = 1 << 20) -> str:
    """Hex SHA-256 of a file, read in ``chunk``-byte pieces."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def fetch(name_or_url: str, *, dest=None, sha256: str | None = None,
          progress: Callable[[int, int | None], None] | None = None, force: bool = False,
          timeout: float = 60.0, chunk: int = 1 << 16) -> Path:
    """Download a data set (by registry name) or a URL into the data home, verified, resumable.

    Parameters
    ----------
    name_or_url : str
        A key of :data:`DATASETS`, or an ``http(s)://`` URL (then ``dest`` is required).
    dest : str or os.PathLike, optional
        Destination file; default :func:`dataset_path`.
    sha256 : str, optional
        Expected digest; default the registry's. Without one, nothing is verified.
    progress : callable (done_bytes, total_bytes or None), optional
        Called after each chunk.
    force : bool
        Download again even if a verified file is present.
    timeout : float
        Seconds a connection may stay silent.
    chunk : int
        Bytes per read.

    Returns
    -------
    Path
        The complete, verified file.

    Raises
    ------
    DownloadError
        Network failure or HTTP error (the partial ``.part`` file is kept for a resume), or a
        SHA-256 mismatch (the download is deleted).
    SimvecValueError
        Unknown data set name, or a URL without ``dest``.

    Examples
    --------
    >>> fetch("wordsim353")                     # doctest: +SKIP
    PosixPath('/home/me/.cache/simvec/wordsim353/EN-WS-353-ALL.txt')
    """
    if re.match(r"^https?://", name_or_url):
        if dest is None:
            raise SimvecValueError("fetching a URL needs dest= (where to write it)")
        url = name_or_url
    else:
        target = dataset_path(name_or_url)
        url = DATASETS[name_or_url].url
        sha256 = sha256 or DATASETS[name_or_url].sha256
        dest = dest if dest is not None else target
    dest = Path(dest)
    expected = sha256.lower() if sha256 else None
    if dest.is_file() and not force and (expected is None or sha256_file(dest) == expected):
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    if force and part.exists():
        part.unlink()
    have = part.stat().st_size if part.is_file() else 0
    digest = hashlib.sha256()
    if have:
        with open(part, "rb") as f:
            while block := f.read(1 << 20):
                digest.update(block)
    total, done = None, have
    request = urllib.request.Request(url, headers={"User-Agent": "simvec"})
    if have:
        request.add_header("Range", f"bytes={have}-")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as resp:
            status = getattr(resp, "status", 200)
            if have and status != 206:  # the server ignored Range: start again
                have, digest = 0, hashlib.sha256()
            length = resp.headers.get("Content-Length")
            total = have + int(length) if length and length.isdigit() else None
            done = have
            with open(part, "ab" if have else "wb") as out:
                while block := resp.read(chunk):
                    out.write(block)
                    digest.update(block)
                    done += len(block)
                    if progress is not None:
                        progress(done, total)
                out.flush()
                os.fsync(out.fileno())
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and have:  # nothing left to send: the .part is complete
            pass
        else:
            raise DownloadError(f"{url}: HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
        reason = getattr(exc, "reason", None) or type(exc).__name__
        kept = part.stat().st_size if part.exists() else 0
        raise DownloadError(f"{url}: download failed ({reason}); {kept} bytes kept in {part}, "
                            "run again to resume") from None
    if total is not None and done < total:
        raise DownloadError(f"{url}: connection closed after {done} of {total} bytes; kept in "
                            f"{part}, run again to resume")
    got = digest.hexdigest()
    if expected is not None and got != expected:
        part.unlink()
        raise DownloadError(f"{url}: SHA-256 mismatch: expected {expected}, got {got}; the "
                            "download was deleted")
    os.replace(part, dest)
    return dest


def unpack(archive, dest=None) -> Path:
    """Extract a ``.zip`` / ``.tar.gz`` / ``.tgz`` archive once, atomically; returns the folder.

    The members go to a temporary folder beside ``dest`` (default: the archive's folder, in
    ``<archive name without extension>.d``), which is renamed into place when complete, so an
    interrupted extraction never leaves a half-filled folder. An existing ``dest`` is returned
    as it is. Members that would land outside the folder (absolute paths, ``..``, links) are
    refused.

    Raises
    ------
    SimvecValueError
        Unknown archive type, or a member escaping the folder.
    """
    import shutil
    import tarfile
    import tempfile
    import zipfile

    archive = Path(archive)
    name = archive.name
    for ext in (".tar.gz", ".tgz", ".zip"):
        if name.endswith(ext):
            stem = name[: -len(ext)]
            break
    else:
        raise SimvecValueError(f"{archive}: not a .zip, .tar.gz or .tgz archive")
    dest = Path(dest) if dest is not None else archive.with_name(stem + ".d")
    if dest.is_dir():
        return dest
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
    try:
        if name.endswith(".zip"):
            with zipfile.ZipFile(archive) as z:
                for m in z.namelist():
                    if m.startswith(("/", "\\")) or ".." in Path(m).parts:
                        raise SimvecValueError(f"{archive}: member {m!r} escapes the folder")
                z.extractall(tmp)
        else:
            with tarfile.open(archive, "r:*") as t:
                for m in t.getmembers():
                    if m.name.startswith("/") or ".." in Path(m.name).parts or not (
                            m.isfile() or m.isdir()):
                        raise SimvecValueError(f"{archive}: member {m.name!r} is not a plain "
                                               "file inside the folder")
                t.extractall(tmp)
        os.replace(tmp, dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return dest
