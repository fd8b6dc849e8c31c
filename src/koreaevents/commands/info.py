"""``koreaevents info [PATH]``: counts, date span and version of a dataset."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from koreaevents._version import __version__
from koreaevents.issues import printable

NAME = "info"
HELP = "counts, date span and version of a dataset"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``info``."""
    parser.add_argument(
        "path",
        nargs="?",
        type=Path,
        help="dataset folder (JSON or Parquet); default: the bundled dataset",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")


def run(args: argparse.Namespace) -> int:
    """Print what a dataset holds."""
    from koreaevents.io.loading import load
    from koreaevents.io.paths import bundled_dataset_dir

    path = args.path if args.path is not None else bundled_dataset_dir()
    ds = load(path)
    earliest = [e.date.earliest for e in ds.events if e.date.earliest is not None]
    latest = [e.date.latest for e in ds.events if e.date.latest is not None]
    counts = {stem: len(ds.stem(stem)) for stem in ("events", "sources", "analyses", "actors")}
    span = {
        "earliest": min(earliest).isoformat() if earliest else None,
        "latest": max(latest).isoformat() if latest else None,
    }
    info: dict[str, Any] = {
        "path": str(path),
        "name": ds.name,
        "version": ds.version,
        "title": ds.metadata.get("title"),
        "counts": counts,
        "date_span": span,
        "koreaevents": __version__,
    }
    if args.format == "json":
        sys.stdout.write(json.dumps(info, indent=2, ensure_ascii=False) + "\n")
        return 0
    shown = {key: printable(str(info[key] or "")) for key in ("name", "version", "title", "path")}
    lines = [
        f"dataset   {shown['name']} {shown['version'] or '(no version)'}",
        f"title     {shown['title']}".rstrip(),
        f"path      {shown['path']}",
        "records   " + ", ".join(f"{n} {stem}" for stem, n in counts.items()),
        f"dates     {span['earliest']} … {span['latest']}",
        f"library   koreaevents {__version__}",
    ]
    sys.stdout.write("\n".join(lines) + "\n")
    return 0
