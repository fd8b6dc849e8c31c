"""``koreaevents query``: the events of a date range, as a table, JSON or CSV."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from koreaevents.issues import DataError, printable
from koreaevents.records import Event

NAME = "query"
HELP = "events in a date range (both ends inclusive)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``query``."""
    add_selection_arguments(parser)
    parser.add_argument("--format", choices=("table", "json", "csv"), default="table")
    parser.add_argument("--count", action="store_true", help="print only the number of events")


def add_selection_arguments(parser: argparse.ArgumentParser) -> None:
    """The options that select events (``--from``, ``--to``, ``--mode``, the filters
    and ``--dataset``), shared by every command that works on a query's events."""
    parser.add_argument(
        "--from",
        dest="start",
        metavar="DATE",
        help="first day of the range: YYYY-MM-DD (or YYYY-MM, YYYY); omitted or .., open",
    )
    parser.add_argument(
        "--to",
        dest="end",
        metavar="DATE",
        help="last day of the range, inclusive; omitted or .., open",
    )
    parser.add_argument(
        "--mode",
        choices=("overlaps", "within"),
        default="overlaps",
        help="overlaps: may have happened in the range (default); within: certainly happened in it",
    )
    for flag, dest, metavar, text in _FILTER_OPTIONS:
        parser.add_argument(
            flag,
            dest=dest,
            action="append",
            metavar=metavar,
            help=f"{text} (repeat or comma-separate for several: any matches)",
        )
    parser.add_argument(
        "--dataset",
        type=Path,
        metavar="PATH",
        help="dataset folder, JSON or a built Parquet release (default: the bundled dataset)",
    )


# (flag, keyword of events_between, metavar, help)
_FILTER_OPTIONS = (
    ("--type", "event_type", "T", "only this event type"),
    (
        "--actor",
        "actor",
        "ID",
        "only events of this actor or an actor below it (prk also finds prk-kim-jong-un)",
    ),
    ("--role", "role", "ROLE", "only events where the actor (or any actor) has this role"),
    ("--country", "country", "ISO3", "only events located in this country (ISO alpha-3)"),
    ("--status", "status", "STATUS", "only events with this verification status"),
    ("--tag", "tag", "TAG", "only events with this tag"),
    ("--source", "source", "ID", "only events that cite this source"),
    (
        "--precision",
        "precision",
        "P",
        "only events whose date has this precision: day, month, year or interval",
    ),
)


def _split(values: Sequence[str] | None) -> list[str] | None:
    if values is None:
        return None
    parts = [part.strip() for value in values for part in value.split(",") if part.strip()]
    if not parts:
        raise ValueError("a filter option needs a value")
    return parts


def selection_filters(args: argparse.Namespace) -> dict[str, Any]:
    """The filters given by :func:`add_selection_arguments` options, by keyword of
    ``events_between`` (None where not given)."""
    return {dest: _split(getattr(args, dest)) for _, dest, _, _ in _FILTER_OPTIONS}


def run(args: argparse.Namespace) -> int:
    """Run the query and print the events."""
    filters = selection_filters(args)
    events = find_events(args.dataset, args.start, args.end, mode=args.mode, **filters)
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


def find_events(
    dataset: Path | None, start: str | None, end: str | None, *, mode: str, **filters: Any
) -> tuple[Event, ...]:
    """The events of a query on a dataset folder (JSON or Parquet) or the bundled one.

    A Parquet release is queried in place, reading only the row groups that may
    match, and only the events found are turned into records.
    """
    from koreaevents.io.paths import is_parquet_events

    if dataset is not None and is_parquet_events(dataset):
        from koreaevents.arrow import table_to_records
        from koreaevents.query import events_between

        table = events_between(dataset, start, end, mode=mode, **filters)
        try:
            records = table_to_records("events", table, path=str(dataset))
        except DataError as exc:
            raise _in_file_rows(dataset, exc) from None
        return tuple(record for record in records if isinstance(record, Event))
    from koreaevents.io.loading import load

    return load(dataset).events_between(start, end, mode=mode, **filters)


def _in_file_rows(dataset: Path, error: DataError) -> DataError:
    """``error`` (rows of a query's result that are not valid records) told as
    ``validate`` tells it: each bad row by its file and its row in that file, not its
    position among the events found. The release is read again for that, which only
    happens when it is damaged."""
    from koreaevents.io.loading import load

    try:
        load(dataset)
    except DataError as full:
        hit = {issue.record_id for issue in error.issues}
        issues = [issue for issue in full.issues if issue.record_id in hit] or full.issues
        return DataError(issues, f"cannot read {dataset}: {len(issues)} problem(s)")
    return error


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
                printable(event.date.edtf),
                event.event_type.value,
                event.verification.status.value,
                printable(title),
                printable(event.id),
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
