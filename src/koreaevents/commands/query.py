"""``koreaevents query``: the events of a date range, as a table, JSON or CSV."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from koreaevents.records import Event

NAME = "query"
HELP = "events in a date range (both ends inclusive)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``query``."""
    parser.add_argument(
        "--from",
        dest="start",
        required=True,
        metavar="DATE",
        help="first day of the range: YYYY-MM-DD (or YYYY-MM, YYYY)",
    )
    parser.add_argument(
        "--to", dest="end", required=True, metavar="DATE", help="last day of the range, inclusive"
    )
    parser.add_argument(
        "--mode",
        choices=("overlaps", "within"),
        default="overlaps",
        help="overlaps: may have happened in the range (default); within: certainly happened in it",
    )
    parser.add_argument(
        "--type",
        dest="event_types",
        action="append",
        metavar="T",
        help="only this event type (repeat or comma-separate for several)",
    )
    parser.add_argument(
        "--actor",
        dest="actors",
        action="append",
        metavar="ID",
        help="only events involving this actor id",
    )
    parser.add_argument(
        "--dataset",
        type=Path,
        metavar="PATH",
        help="dataset folder, JSON or Parquet (default: the bundled dataset)",
    )
    parser.add_argument("--format", choices=("table", "json", "csv"), default="table")
    parser.add_argument("--count", action="store_true", help="print only the number of events")


def _split(values: Sequence[str] | None) -> list[str]:
    return [part.strip() for value in values or () for part in value.split(",") if part.strip()]


def run(args: argparse.Namespace) -> int:
    """Run the query and print the events."""
    from koreaevents.io.loading import load

    ds = load(args.dataset)
    events = ds.events_between(args.start, args.end, mode=args.mode)
    types = set(_split(args.event_types))
    if types:
        from koreaevents.vocab import EventType

        unknown = types - {t.value for t in EventType}
        if unknown:
            raise ValueError(f"unknown event type(s): {', '.join(sorted(unknown))}")
        events = tuple(e for e in events if e.event_type in types)
    actors = set(_split(args.actors))
    if actors:
        events = tuple(e for e in events if actors & {a.actor for a in e.actors})
    if args.count:
        sys.stdout.write(f"{len(events)}\n")
    elif args.format == "json":
        from koreaevents.convert import unstructure

        sys.stdout.write(json.dumps(unstructure(list(events)), indent=2, ensure_ascii=False) + "\n")
    elif args.format == "csv":
        _write_csv(events)
    else:
        sys.stdout.write(format_table(events))
    return 0


CSV_COLUMNS = (
    "id",
    "date_edtf",
    "date_earliest",
    "date_latest",
    "event_type",
    "title",
    "actors",
    "location_name",
    "location_country",
    "verification_status",
)


def _row(event: Event) -> dict[str, Any]:
    return {
        "id": event.id,
        "date_edtf": event.date.edtf,
        "date_earliest": event.date.earliest.isoformat() if event.date.earliest else "",
        "date_latest": event.date.latest.isoformat() if event.date.latest else "",
        "event_type": event.event_type.value,
        "title": event.title,
        "actors": ";".join(f"{a.actor}:{a.role.value}" for a in event.actors),
        "location_name": event.location.name,
        "location_country": event.location.country or "",
        "verification_status": event.verification.status.value,
    }


def _write_csv(events: Sequence[Event]) -> None:
    writer = csv.DictWriter(sys.stdout, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for event in events:
        writer.writerow(_row(event))


def format_table(events: Sequence[Event], title_width: int = 60) -> str:
    """An aligned, readable table of events, one line each, with a closing count."""
    header = ("DATE", "TYPE", "STATUS", "TITLE", "ID")
    rows = []
    for event in events:
        title = (
            event.title
            if len(event.title) <= title_width
            else (event.title[: title_width - 1] + "…")
        )
        rows.append(
            (
                event.date.edtf,
                event.event_type.value,
                event.verification.status.value,
                title,
                event.id,
            )
        )
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in [header, *rows]
    ]
    noun = "event" if len(rows) == 1 else "events"
    lines.append(f"({len(rows)} {noun})")
    return "\n".join(lines) + "\n"
