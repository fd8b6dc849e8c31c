"""``koreaevents build [SRC] --out DIR``: a Parquet release with its datapackage.json."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from koreaevents.issues import printable

NAME = "build"
HELP = "write the Parquet files and datapackage.json of a release"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``build``."""
    parser.add_argument(
        "source",
        nargs="?",
        type=Path,
        metavar="SRC",
        help="dataset folder (JSON, JSON Lines, one-record files, or a Parquet release); "
        "default: the bundled dataset",
    )
    parser.add_argument(
        "--out",
        "-o",
        required=True,
        type=Path,
        metavar="DIR",
        help="release folder to write; replaced whole (it must be new, empty, or a dataset)",
    )
    parser.add_argument(
        "--partition-by",
        choices=("year",),
        default=None,
        help="write events as hive-partitioned folders events/year=YYYY/ "
        "(by the year of date_earliest, or of date_latest for an open start)",
    )
    parser.add_argument(
        "--batch-size",
        type=int,
        default=None,
        metavar="N",
        help="records turned into Arrow at a time (default 50000)",
    )


def run(args: argparse.Namespace) -> int:
    """Build the release and say what was written."""
    from koreaevents.io.parquet import BATCH_SIZE, build

    batch_size = BATCH_SIZE if args.batch_size is None else args.batch_size
    summary = build(args.source, args.out, partition_by=args.partition_by, batch_size=batch_size)
    counts = ", ".join(f"{n} {stem}" for stem, n in summary.counts.items())
    sys.stdout.write(
        f"built {printable(str(summary.out))}: {counts} in {summary.files} Parquet file(s), "
        f"{summary.bytes:,} bytes, with datapackage.json\n"
    )
    return 0
