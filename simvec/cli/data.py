"""``simvec data list|fetch|path``: the data home and downloads (:mod:`simvec.data`)."""

from __future__ import annotations

from typing import Annotated, List, Optional

import typer

from simvec.cli.options import FormatOpt, QuietOpt
from simvec.cli.render import Table, write_output

__all__ = ["data_app"]

data_app = typer.Typer(
    name="data", no_args_is_help=True,
    help="Data sets the docs use: where they live ($SIMVEC_DATA, else the user cache "
         "directory) and downloading them (sha256-checked, resumable, atomic).")


@data_app.command("list", epilog="Example: simvec data list -f json")
def list_(fmt: FormatOpt = "table"):
    """The known data sets, their URLs and whether they are in the data home."""
    from simvec.data import DATASETS, data_home, dataset_path

    rows = [{"name": d.name, "present": dataset_path(d.name).is_file(),
             "path": str(dataset_path(d.name)), "url": d.url, "sha256": d.sha256,
             "checksum_note": d.checksum_note, "description": d.description,
             "citation": d.citation} for d in DATASETS.values()]
    write_output({"data_home": str(data_home()), "datasets": rows},
                 [Table(f"data sets (data home: {data_home()})",
                        ["name", "present", "description", "url"],
                        [[r["name"], "yes" if r["present"] else "no", r["description"], r["url"]]
                         for r in rows])], fmt)


@data_app.command("path", epilog="Example: simvec data path imdb")
def path(name: Annotated[Optional[str], typer.Argument(help="A data set; none: the data home.")] = None):
    """Print the data home, or where data set NAME is stored."""
    from simvec.data import data_home, dataset_path

    typer.echo(str(data_home() if name is None else dataset_path(name)))


@data_app.command("fetch", epilog="Example: simvec data fetch wordsim353 simlex999")
def fetch(
    names: Annotated[List[str], typer.Argument(help="Data sets to download (`simvec data list`).")],
    sha256: Annotated[Optional[str], typer.Option(help="Expected SHA-256 (one data set only); overrides the registry's.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Download again even when present.")] = False,
    fmt: FormatOpt = "table",
    quiet: QuietOpt = False,
):
    """Download data sets from their original URLs into the data home: SHA-256 checked, resumed after an interruption, written atomically."""
    from simvec.cli.options import warn
    from simvec.cli.progress import Progress
    from simvec.data import DATASETS, dataset_path, fetch as _fetch, sha256_file
    from simvec.errors import SimvecValueError

    for name in names:
        dataset_path(name)  # unknown names fail before any download
    if sha256 is not None and len(names) != 1:
        raise SimvecValueError("--sha256 applies to one data set at a time")
    rows = []
    for name in names:
        with Progress(f"fetch {name}", total=None, unit="bytes", quiet=quiet, interval=5.0) as bar:
            path = _fetch(name, sha256=sha256, force=force,
                          progress=bar.update_to)
        expected = sha256 or DATASETS[name].sha256
        digest = sha256_file(path)
        if expected is None:
            warn(f"{name}: not verified, no SHA-256 is recorded ({DATASETS[name].checksum_note}); "
                 f"got {digest} (pin it with --sha256)")
        rows.append({"name": name, "path": str(path), "bytes": path.stat().st_size,
                     "sha256": digest, "verified": expected is not None})
    write_output({"fetched": rows}, [Table("fetched", ["name", "path", "bytes", "verified"],
                                           [[r["name"], r["path"], r["bytes"], r["verified"]]
                                            for r in rows])], fmt)
