"""Helpers for the query tests: an independent oracle, a Parquet writer, event builders."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
import pyarrow as pa
import pyarrow.parquet as pq

import koreaevents as ke
from koreaevents.dataset import STEMS

TEMPLATE = ke.Event(
    id="evt-template",
    title="A template event",
    event_type="missile_launch",
    date=ke.EventDate.from_edtf("2024-01-24"),
    actors=[{"actor": "prk", "role": "initiator"}],
    location={"name": "Yellow Sea (West Sea)", "country": None, "precision": "sea"},
    citations=[{"source": "src-a"}],
    verification={"status": "reported"},
)


def event(number: int, edtf: str, **changes: Any) -> ke.Event:
    """An event with this EDTF date, built from the template."""
    return attrs.evolve(
        TEMPLATE, id=f"evt-{number:07d}", date=ke.EventDate.from_edtf(edtf), **changes
    )


def oracle(
    events: Iterable[ke.Event],
    low: datetime.date,
    high: datetime.date,
    mode: str,
    parents: Mapping[str, str | None] | None = None,
    **filters: Any,
) -> list[str]:
    """Ids of the matching events in (earliest, id) order, by brute force, written
    from the contract's wording rather than with the library's helpers."""
    found = []
    for e in events:
        first, last = e.date.earliest, e.date.latest
        if mode == "overlaps":
            hit = not (first is not None and first > high) and not (last is not None and last < low)
        else:
            hit = first is not None and last is not None and low <= first and last <= high
        if hit and _passes(e, parents or {}, filters):
            found.append(e)
    found.sort(key=lambda e: (e.date.earliest is not None, e.date.earliest, e.id))
    return [e.id for e in found]


def _as_set(value: str | Sequence[str]) -> set[str]:
    return {value} if isinstance(value, str) else set(value)


def _precision(edtf: str) -> str:
    """The precision of an EDTF value, read by hand: an interval has a "/", a single
    date is as precise as the parts its dashes separate."""
    if "/" in edtf:
        return "interval"
    return ("year", "month", "day")[edtf.rstrip("?~%").count("-")]


def _ancestors(actor: str, parents: Mapping[str, str | None]) -> set[str]:
    seen = {actor}
    while (actor := parents.get(actor) or "") and actor not in seen:
        seen.add(actor)
    return seen


def _passes(e: ke.Event, parents: Mapping[str, str | None], filters: Mapping[str, Any]) -> bool:
    if "event_type" in filters and e.event_type not in _as_set(filters["event_type"]):
        return False
    if "status" in filters and e.verification.status not in _as_set(filters["status"]):
        return False
    if "country" in filters and e.location.country not in {
        c.upper() for c in _as_set(filters["country"])
    }:
        return False
    if "precision" in filters and _precision(e.date.edtf) not in _as_set(filters["precision"]):
        return False
    if "tag" in filters and not _as_set(filters["tag"]) & set(e.tags):
        return False
    if "source" in filters and not _as_set(filters["source"]) & {c.source for c in e.citations}:
        return False
    wanted = _as_set(filters["actor"]) if "actor" in filters else None
    roles = _as_set(filters["role"]) if "role" in filters else None
    if wanted is None and roles is None:
        return True
    return any(
        (wanted is None or bool(_ancestors(part.actor, parents) & wanted))
        and (roles is None or part.role in roles)
        for part in e.actors
    )


def write_release(ds: ke.Dataset, root: Path, *, row_group_size: int | None = None) -> Path:
    """A built release of ``ds`` in the contract's layout (``<stem>.parquet``).

    Uses the library's writer when it is there (with its default row groups), else
    writes the same layout from ``Dataset.to_arrow`` with pyarrow.
    """
    root.mkdir(parents=True, exist_ok=True)
    if row_group_size is None:
        try:
            from koreaevents.io.parquet import write_parquet
        except ImportError:
            pass
        else:
            write_parquet(ds, root)
            return root
    for stem in STEMS:
        pq.write_table(ds.to_arrow(stem), root / f"{stem}.parquet", row_group_size=row_group_size)
    return root


def write_partitioned(ds: ke.Dataset, root: Path) -> Path:
    """The events hive-partitioned by year of their first day (``events/year=YYYY/``),
    the other stems as single files."""
    root.mkdir(parents=True, exist_ok=True)
    table = ds.to_arrow("events")
    years = pa.array(
        [None if e.date.earliest is None else e.date.earliest.year for e in ds.events],
        pa.int32(),
    )
    for year in sorted({y for y in years.to_pylist()}, key=lambda y: (y is not None, y or 0)):
        folder = root / "events" / f"year={'__HIVE_DEFAULT_PARTITION__' if year is None else year}"
        folder.mkdir(parents=True)
        keep = pa.array([y == year for y in years.to_pylist()])
        pq.write_table(table.filter(keep), folder / "part-0.parquet", row_group_size=4)
    for stem in STEMS[1:]:
        pq.write_table(ds.to_arrow(stem), root / f"{stem}.parquet")
    return root


def rehash(root: Path) -> None:
    """Make a release's descriptor match its files again (sizes and sha256 hashes), as
    a careful forger, or a careless script, would after rewriting them."""
    import hashlib
    import json

    package = json.loads((root / "datapackage.json").read_text("utf-8"))
    for resource in package["resources"]:
        path = root / resource["path"]
        if path.is_file():
            data = path.read_bytes()
            resource["bytes"] = len(data)
            resource["hash"] = "sha256:" + hashlib.sha256(data).hexdigest()
    (root / "datapackage.json").write_text(json.dumps(package), "utf-8")
