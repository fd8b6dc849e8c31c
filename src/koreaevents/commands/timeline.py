"""``koreaevents timeline [--from D] [--to D] --out FILE``: draw the events on a time axis."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from koreaevents.issues import printable

NAME = "timeline"
HELP = (
    "draw the events on a time axis by type, uncertain dates as bars, verification "
    "status marked (PNG, SVG or PDF; needs koreaevents[plot])"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``timeline``."""
    parser.add_argument(
        "--from",
        dest="start",
        metavar="DATE",
        help="first day shown: YYYY-MM-DD (or YYYY-MM, YYYY); default: the first event's",
    )
    parser.add_argument(
        "--to",
        dest="end",
        metavar="DATE",
        help="last day shown, inclusive; default: the last event's",
    )
    parser.add_argument(
        "--out",
        required=True,
        type=Path,
        metavar="FILE",
        help="the picture to write; its suffix (.png, .svg or .pdf) picks the format",
    )
    parser.add_argument(
        "--dataset",
        type=Path,
        metavar="PATH",
        help="dataset folder, JSON or Parquet (default: the bundled dataset)",
    )
    parser.add_argument(
        "--title", help="title above the picture (default: the dataset's name, version and range)"
    )


def run(args: argparse.Namespace) -> int:
    """Draw the events that may fall in the range (``overlaps``) into ``--out``."""
    from koreaevents.io.loading import load
    from koreaevents.query import range_bound
    from koreaevents.timeline import FORMATS, MissingExtraError, write_timeline

    fmt = args.out.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        sys.stderr.write(
            f"koreaevents: {printable(str(args.out))}: name the picture .png, .svg or .pdf "
            "(the suffix picks the format)\n"
        )
        return 2
    start = range_bound(args.start, end=False, name="--from") if args.start else None
    end = range_bound(args.end, end=True, name="--to") if args.end else None
    if start is not None and end is not None and start > end:
        raise ValueError(f"--from {start} is after --to {end}")
    ds = load(args.dataset)
    days = [d for e in ds.events for d in (e.date.earliest, e.date.latest) if d is not None]
    if not days:
        raise ValueError("the dataset has no dated events to draw")
    low, high = start or min(days), end or max(days)
    events = ds.events_between(low, high, mode="overlaps") if low <= high else ()
    if not events:
        raise ValueError(
            f"no events between {low} and {high}: the dataset's events run from "
            f"{min(days)} to {max(days)}"
        )
    shown = f"{low} – {high}"
    noun = "event" if len(events) == 1 else "events"
    title = args.title or f"{ds.name} {ds.version or ''}: {len(events)} {noun}, {shown}"
    try:
        write_timeline(events, args.out, start=start, end=end, title=" ".join(title.split()))
    except MissingExtraError as exc:
        sys.stderr.write(f"koreaevents: {printable(str(exc))}\n")
        return 2
    sys.stdout.write(f"{printable(str(args.out))}: {len(events)} {noun}\n")
    return 0
