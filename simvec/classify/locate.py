"""Where the classification loaders find a data set when no path is given: the data home.

The data home is :func:`simvec.data.data_home` (``$SIMVEC_DATA``, else the user cache
directory), the folder ``simvec data fetch`` downloads into, so a data set fetched once is found
by every loader and by ``simvec classify --data NAME``. Inside ``DATA_HOME/<folder>/`` a loader
takes, in this order:

=============  ==========================================  =======================================
data set       fetched original (zip unpacked once)         unpacked copy
=============  ==========================================  =======================================
imdb           ``imdb/aclImdb_v1.tar.gz`` (read as it is)   ``imdb/aclImdb_labeled.tar.gz`` or
                                                            ``imdb/aclImdb/``
sst2           ``sst2/SST-2.zip`` -> ``SST-2/``              ``sst2/train.tsv`` + ``dev.tsv``
agnews         ``agnews/test.csv``                          ``ag_news/test.csv``
chnsenticorp   (no download: not redistributable here)      ``zh/ChnSentiCorp_htl_all.csv``
=============  ==========================================  =======================================

The unpacked layouts are those of this project's shared data folder, so ``SIMVEC_DATA`` may
point at such a folder.
"""

from __future__ import annotations

from pathlib import Path

from simvec.errors import SimvecFileNotFoundError

__all__ = ["default_data_path", "LOCATED"]

#: Data set -> (name in :data:`simvec.data.DATASETS` or None, member of the unpacked archive
#: to return, unpacked copies relative to the data home, in order).
LOCATED: dict[str, tuple[str | None, str | None, tuple[str, ...]]] = {
    "imdb": ("imdb", None, ("imdb/aclImdb_labeled.tar.gz", "imdb/aclImdb")),
    "sst2": ("sst2", "SST-2", ("sst2",)),
    "agnews": ("agnews", None, ("ag_news/test.csv",)),
    "chnsenticorp": (None, None, ("zh/ChnSentiCorp_htl_all.csv",)),
}


def default_data_path(name: str) -> Path:
    """The file or folder a loader reads for data set ``name`` when it is given no path.

    Looks in the data home (:func:`simvec.data.data_home`): first the original file
    ``simvec data fetch NAME`` downloads (SST-2's zip is unpacked once, atomically, beside it
    by :func:`simvec.data.unpack`), then the unpacked copies of the table
    in the module docstring.

    Parameters
    ----------
    name : {"imdb", "sst2", "agnews", "chnsenticorp"}

    Returns
    -------
    Path
        What the loader's ``path`` parameter takes: the IMDB archive or folder, the SST-2 folder
        holding ``train.tsv`` / ``dev.tsv``, the AG News ``test.csv``, the ChnSentiCorp CSV.

    Raises
    ------
    SimvecFileNotFoundError
        When none is there: the message names the data home, the places looked at, and the
        command that downloads the data set (``simvec data fetch NAME``).
    KeyError
        For a name not in :data:`LOCATED`.

    Examples
    --------
    >>> default_data_path("sst2")  # doctest: +SKIP
    PosixPath('/home/me/.cache/simvec/sst2/SST-2.d/SST-2')
    """
    from simvec.data import data_home, dataset_path, unpack

    fetched, member, copies = LOCATED[name]
    home = data_home()
    looked = []
    if fetched is not None:
        original = dataset_path(fetched)
        looked.append(original)
        if original.is_file():
            if member is None:
                return original
            return unpack(original) / member
    for rel in copies:
        p = home / rel
        looked.append(p)
        if p.exists():
            return p
    how = (f"run `simvec data fetch {fetched}` (Python: simvec.data.fetch({fetched!r}))"
           if fetched is not None else "put the file there")
    raise SimvecFileNotFoundError(
        f"data set {name!r} is not in the data home {str(home)!r} (looked for "
        f"{', '.join(str(p) for p in looked)}); {how}, set SIMVEC_DATA to the folder that "
        "holds it, or pass its path")
