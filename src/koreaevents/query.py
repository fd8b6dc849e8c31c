"""Date-range semantics shared by the in-memory and the Parquet queries."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from koreaevents.edtf import EdtfError, parse_edtf

__all__ = ["MODES", "date_range", "event_in_range", "range_bound"]

MODES = ("overlaps", "within")

Matcher = Callable[[datetime.date | None, datetime.date | None, datetime.date, datetime.date], bool]


def range_bound(value: datetime.date | str, *, end: bool, name: str) -> datetime.date:
    """One bound of a query range: a date, an ISO day, or an EDTF value's first/last day."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if not isinstance(value, str):
        raise ValueError(f"{name} must be a date or an ISO date string, not {value!r:.60}")
    try:
        bounds = parse_edtf(value.strip())
    except EdtfError:
        raise ValueError(
            f"{name} {value!r:.60} is not a date: use YYYY-MM-DD (or YYYY-MM, YYYY)"
        ) from None
    day = bounds.latest if end else bounds.earliest
    if day is None:
        raise ValueError(f"{name} {value!r:.60} has an open end: give a closed date")
    return day


def date_range(
    start: datetime.date | str, end: datetime.date | str
) -> tuple[datetime.date, datetime.date]:
    """``(first day, last day)`` of a query range; ``ValueError`` if start is after end."""
    low = range_bound(start, end=False, name="start")
    high = range_bound(end, end=True, name="end")
    if low > high:
        raise ValueError(f"start {low} is after end {high}")
    return low, high


def _overlaps(
    earliest: datetime.date | None,
    latest: datetime.date | None,
    low: datetime.date,
    high: datetime.date,
) -> bool:
    return (earliest is None or earliest <= high) and (latest is None or latest >= low)


def _within(
    earliest: datetime.date | None,
    latest: datetime.date | None,
    low: datetime.date,
    high: datetime.date,
) -> bool:
    return earliest is not None and latest is not None and low <= earliest and latest <= high


def event_in_range(mode: str) -> Matcher:
    """The test for a query mode: ``overlaps`` (may have happened in the range) or
    ``within`` (certainly happened in it)."""
    if mode == "overlaps":
        return _overlaps
    if mode == "within":
        return _within
    raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r:.60}")
