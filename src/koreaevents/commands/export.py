"""``koreaevents export``: the events of a query as CSV, GeoJSON, PLOVER or ClaimReview."""

from __future__ import annotations

import argparse
import sys

from koreaevents.commands.query import add_selection_arguments, selection_filters
from koreaevents.exports import EXPORT_FORMATS, EXPORT_RECORDS
from koreaevents.issues import printable

NAME = "export"
HELP = (
    "write the events of a query for other tools: csv (every column), geojson (a map), "
    "plover (event data JSON Lines) or claimreview (schema.org fact checks, JSON-LD)"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``export``: the format, the output and the options of ``query``."""
    parser.add_argument(
        "--format",
        required=True,
        choices=EXPORT_FORMATS,
        help="csv: one row per record, every column; geojson: RFC 7946 points of the events "
        "with coordinates; plover: one PLOVER event per line; claimreview: one schema.org "
        "ClaimReview per recorded discrepancy",
    )
    parser.add_argument(
        "--out",
        required=True,
        metavar="FILE",
        help="the file to write (replaced whole, or not at all); - writes to stdout",
    )
    parser.add_argument(
        "--record",
        choices=EXPORT_RECORDS,
        default="events",
        help="csv only: the record type to export (default events); with a range or a "
        "filter, the records of the selected events",
    )
    add_selection_arguments(parser)


def run(args: argparse.Namespace) -> int:
    """Export and say what was written."""
    from koreaevents.exports import export

    to_stdout = args.out == "-"
    result = export(
        args.dataset,
        format=args.format,
        out=None if to_stdout else args.out,
        record=args.record,
        start=args.start,
        end=args.end,
        mode=args.mode,
        **selection_filters(args),
    )
    noun = result.record if result.count != 1 else result.record.removesuffix("s")
    if result.format == "claimreview":
        noun = "claim reviews" if result.count != 1 else "claim review"
    if result.skipped:
        skipped_noun = "event" if result.skipped == 1 else "events"
        sys.stderr.write(
            f"koreaevents: {result.skipped} of {result.selected} {skipped_noun} left out: "
            f"{printable(result.skipped_reason or '')}\n"
        )
    if to_stdout:
        sys.stdout.flush()
        sys.stdout.buffer.write(result.data)
        sys.stdout.buffer.flush()
    else:
        where = printable(str(args.out))
        sys.stdout.write(f"wrote {result.count} {noun} to {where} ({result.format})\n")
    return 0
