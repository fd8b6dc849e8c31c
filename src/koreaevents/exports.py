"""Exports for the tools analysts use beside Python: CSV, GeoJSON, PLOVER and ClaimReview.

Every format is derived from what the library already defines, never from a column
list of its own:

* ``csv``: one row per record, every column of :meth:`Dataset.to_arrow` in its order
  (a column added to the Parquet layout appears in the CSV by itself). Lists of
  strings are joined with ``"; "``, lists of objects are JSON text, dates are ISO days,
  booleans ``true``/``false``, null an empty cell. UTF-8, a header row, CRLF line
  ends, quoted where needed: pandas, R ``read.csv`` and spreadsheets read it.
* ``geojson``: an RFC 7946 ``FeatureCollection`` of the events that have coordinates,
  each a ``Point`` at ``[lon, lat]`` with the event id as the feature id and the
  columns as properties (flat: the same cell values as the CSV, typed where JSON has
  a type).
* ``plover``: JSON Lines, one PLOVER event per line (``id``, ``date``, ``enddate``,
  ``event`` and ``mode`` from the event type's codebook mapping, ``quad_code``,
  ``source``/``actor`` and ``recipient`` from the actors' roles, ``event_loc``,
  ``cite_info``).
* ``claimreview``: a JSON-LD array of schema.org ``ClaimReview`` objects, one per
  recorded discrepancy.

The output is the same bytes for the same records and options, and it is written
through a temporary file and a rename, so a file is whole or not there.
"""

from __future__ import annotations

import csv
import datetime
import enum
import inspect
import io
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
import pyarrow as pa

from koreaevents import vocab
from koreaevents.dataset import Dataset
from koreaevents.edtf import edtf_bounds_or_none
from koreaevents.records import Actor, Discrepancy, Event, Record, Source

__all__ = [
    "EXPORT_FORMATS",
    "EXPORT_RECORDS",
    "LIST_SEPARATOR",
    "Export",
    "claim_review",
    "export",
    "plover_event",
    "table_to_csv",
]

EXPORT_FORMATS: tuple[str, ...] = ("csv", "geojson", "plover", "claimreview")
"""The formats :func:`export` writes."""

EXPORT_RECORDS: tuple[str, ...] = ("events", "sources", "analyses", "actors")
"""The record types a CSV export may hold (the other formats hold events)."""

LIST_SEPARATOR = "; "
"""What joins the items of a list of strings in a CSV cell."""

# PLOVER's quad categories (PLOVER manual, "PLOVER quad categories").
PLOVER_QUADS: dict[str, int] = {
    **dict.fromkeys(("AGREE", "CONSULT", "SUPPORT", "CONCEDE"), 1),
    **dict.fromkeys(("COOPERATE", "AID", "RETREAT", "INVESTIGATE"), 2),
    **dict.fromkeys(("DEMAND", "REQUEST", "ACCUSE", "REJECT", "SANCTION", "THREATEN"), 3),
    **dict.fromkeys(("PROTEST", "MOBILIZE", "COERCE", "ASSAULT"), 4),
}

# PLOVER sector codes for the kinds of actors that have one.
_PLOVER_SECTORS: dict[vocab.ActorKind, str] = {
    vocab.ActorKind.GOVERNMENT_BODY: "GOV",
    vocab.ActorKind.MILITARY: "MIL",
    vocab.ActorKind.MEDIA: "JRN",
}

# PLOVER event_loc resolution: 1 country, 2 first-order division, 3 second-order
# division, 4 city or place, 5 within a city. A sea area has no resolution on that
# scale (its point is given without one).
_PLOVER_RESOLUTION: dict[vocab.LocationPrecision, int] = {
    vocab.LocationPrecision.EXACT: 5,
    vocab.LocationPrecision.NEAR: 4,
    vocab.LocationPrecision.DISTRICT: 3,
    vocab.LocationPrecision.PROVINCE: 2,
    vocab.LocationPrecision.REGION: 1,
    vocab.LocationPrecision.COUNTRY: 1,
}

# PLOVER's roles: who acts (``source``, POLECAT's ``actor``) and at whom (``recipient``).
_ACTING_ROLES = (vocab.Role.INITIATOR, vocab.Role.PARTICIPANT)
_RECEIVING_ROLES = (vocab.Role.TARGET, vocab.Role.HOST)

# The ClaimReview rating scale: a recorded discrepancy is a claim the record corrects.
_WORST_RATING, _BEST_RATING = 1, 5
_VERDICTS: dict[vocab.VerificationStatus, tuple[int, str]] = {
    vocab.VerificationStatus.DISPUTED: (2, "Disputed"),
}
_DEFAULT_VERDICT = (1, "Incorrect")


@attrs.frozen
class Export:
    """What an export produced: the bytes, what they hold, and where they went.

    ``format`` and ``record`` (``events``, ``sources``, ``analyses`` or ``actors``)
    say what was exported; ``data`` is the file's bytes; ``count`` the number of items
    written (rows, features, lines or reviews); ``selected`` the number of records the
    query selected; ``skipped`` how many of those the format could not hold, and
    ``skipped_reason`` why; ``path`` the file written, None when nothing was.
    """

    format: str
    record: str
    data: bytes
    count: int
    selected: int
    skipped: int = 0
    skipped_reason: str | None = None
    path: Path | None = None


def export(
    data: Dataset | str | os.PathLike[str] | None = None,
    *,
    format: str,
    out: str | os.PathLike[str] | None = None,
    record: str = "events",
    start: datetime.date | str | None = None,
    end: datetime.date | str | None = None,
    mode: str = "overlaps",
    **filters: Any,
) -> Export:
    """Write the events of a query (or, as CSV, other records) in a format for other tools.

    ``format`` is one of :data:`EXPORT_FORMATS`:

    * ``"csv"``: one row per record with every column of :meth:`Dataset.to_arrow`, in
      order; lists of strings joined with ``"; "``, lists of objects as JSON text,
      UTF-8 with a header (see :func:`table_to_csv`).
    * ``"geojson"``: an RFC 7946 ``FeatureCollection`` of the events that have
      coordinates, ``Point`` at ``[lon, lat]``, the columns as flat properties; the
      others are counted in ``Export.skipped``.
    * ``"plover"``: JSON Lines, one PLOVER event a line (see :func:`plover_event`).
    * ``"claimreview"``: a JSON-LD array of schema.org ``ClaimReview``, one per
      recorded discrepancy (see :func:`claim_review`).

    ``data`` is a :class:`Dataset`, a dataset folder (JSON or a built Parquet release)
    or None for the bundled dataset. ``format`` is one of :data:`EXPORT_FORMATS`.
    ``start``, ``end``, ``mode`` and the filters (``event_type``, ``actor``, ``role``,
    ``country``, ``status``, ``tag``, ``source``, …) select events exactly as
    :meth:`Dataset.events_between` does; omitted, every event is exported.

    ``record`` (CSV only) picks the record type: ``events`` (default), ``sources``,
    ``analyses`` or ``actors``. With a date range or a filter the other types are
    those of the selected events (the sources they cite or that their discrepancies
    name, the analyses about them, their actors); without one, all of them.

    ``out``: the file to write (replaced whole, through a temporary file and a
    rename; never a folder, nor a file the dataset is read from); None writes nothing
    and the bytes are in ``Export.data``. The same records and options give the same
    bytes. Raises ``ValueError`` for a bad format, record type, date, mode or filter,
    ``OSError`` when ``out`` cannot be written.

    >>> import koreaevents as ke
    >>> result = ke.export(format="geojson", start="2024-01-24", end="2024-01-24")
    >>> result.count + result.skipped == result.selected
    True
    """
    if format not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {format!r}: expected {', '.join(EXPORT_FORMATS)}")
    if record not in EXPORT_RECORDS:
        raise ValueError(f"unknown record type {record!r}: expected {', '.join(EXPORT_RECORDS)}")
    if record != "events" and format != "csv":
        raise ValueError(f"{format} holds events: {record} can be exported as csv only")
    _check_filters(filters)
    target = _check_out(out, data)
    selection = _Selection(data, start, end, mode, filters)
    if format == "csv":
        table = selection.table(record)
        result = Export(format, record, table_to_csv(table), table.num_rows, table.num_rows)
    elif format == "geojson":
        result = _geojson(selection.table("events"))
    elif format == "plover":
        result = _plover(selection.dataset, selection.events())
    else:
        result = _claimreview(selection.dataset, selection.events())
    if target is not None:
        from koreaevents.io.atomic import atomic_write_bytes

        atomic_write_bytes(target, result.data)
        result = attrs.evolve(result, path=target)
    return result


# Characters that JSON leaves raw but that str.splitlines() and some editors take for a
# line break: escaped, so that a JSON Lines record is one line for every reader.
_LINE_BREAKS = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def _json(value: Any, *, indent: int | None = None) -> str:
    """Deterministic JSON text: UTF-8 characters kept, no NaN, no raw line breaks."""
    text = json.dumps(value, ensure_ascii=False, allow_nan=False, indent=indent)
    return text.translate(_LINE_BREAKS)


# --- what to export -------------------------------------------------------------------


def _filter_names() -> tuple[str, ...]:
    """The filters :meth:`Dataset.events_between` takes (derived, so new ones pass)."""
    parameters = inspect.signature(Dataset.events_between).parameters.values()
    return tuple(
        p.name for p in parameters if p.kind is inspect.Parameter.KEYWORD_ONLY and p.name != "mode"
    )


def _check_filters(filters: Mapping[str, Any]) -> None:
    known = _filter_names()
    unknown = sorted(name for name in filters if name not in known)
    if unknown:
        raise ValueError(f"unknown filter {', '.join(unknown)}: expected one of {', '.join(known)}")


def _check_out(
    out: str | os.PathLike[str] | None, data: Dataset | str | os.PathLike[str] | None
) -> Path | None:
    """The output path, refused when it is a folder or a file the dataset reads."""
    if out is None:
        return None
    target = Path(out)
    if str(out) == "" or target.is_dir():
        raise IsADirectoryError(f"{out}: --out must name a file, not a folder")
    if isinstance(data, Dataset):
        return target
    from koreaevents.dataset import STEMS
    from koreaevents.io.paths import bundled_dataset_dir

    root = Path(data) if data is not None else bundled_dataset_dir()
    if root.is_file():
        root = root.parent
    try:
        inside = Path(os.path.realpath(target)).relative_to(os.path.realpath(root))
    except ValueError:
        return target
    first = inside.parts[0] if inside.parts else ""
    if first == "datapackage.json" or first.split(".")[0] in STEMS:
        raise FileExistsError(
            f"{out} is part of the dataset being exported: choose a file outside it"
        )
    return target


class _Selection:
    """The events a query selects, read the cheapest way, and the records linked to them."""

    def __init__(
        self,
        data: Dataset | str | os.PathLike[str] | None,
        start: datetime.date | str | None,
        end: datetime.date | str | None,
        mode: str,
        filters: Mapping[str, Any],
    ) -> None:
        self._data = data
        self._query: dict[str, Any] = {
            "mode": mode,
            **{k: v for k, v in filters.items() if v is not None},
        }
        self._range = (start, end)
        self.narrowed = (
            any(bound not in (None, "..") for bound in self._range)
            or mode != "overlaps"
            or len(self._query) > 1
        )
        self._dataset: Dataset | None = data if isinstance(data, Dataset) else None
        self._events: tuple[Event, ...] | None = None

    @property
    def release(self) -> Path | None:
        """The Parquet release to query in place, if ``data`` is one."""
        if self._data is None or isinstance(self._data, Dataset):
            return None
        from koreaevents.io.paths import is_parquet_dataset

        path = Path(self._data)
        if is_parquet_dataset(path) or (path.is_file() and path.suffix == ".parquet"):
            return path
        if self._events_folder(path):
            return path
        return None

    @staticmethod
    def _events_folder(path: Path) -> bool:
        """Whether ``path`` is the ``events/`` folder of a partitioned release."""
        from koreaevents.io.parquet import parquet_files_under
        from koreaevents.io.paths import holds_json_records, is_parquet_dataset

        return (
            path.is_dir()
            and not is_parquet_dataset(path)
            and not holds_json_records(path)
            and bool(parquet_files_under(path))
        )

    @property
    def dataset(self) -> Dataset:
        """The whole dataset, loaded on first use."""
        if self._dataset is None:
            from koreaevents.io.loading import load

            assert not isinstance(self._data, Dataset)
            path = None if self._data is None else Path(self._data)
            if path is not None and self._events_folder(path):
                from koreaevents.io.paths import is_parquet_dataset

                parent = path.parent
                if not (is_parquet_dataset(parent) and (parent / "datapackage.json").is_file()):
                    raise ValueError(
                        f"{path} holds events only: give the release folder for the "
                        "records this export needs"
                    )
                path = path.parent  # the release the events folder belongs to
            self._dataset = load(path)
        return self._dataset

    def events(self) -> tuple[Event, ...]:
        """The selected events, ordered by (earliest, id)."""
        if self._events is None:
            self._events = self.dataset.events_between(*self._range, **self._query)
        return self._events

    def table(self, stem: str) -> pa.Table:
        """The selected records of a stem in the Parquet layout (``Dataset.to_arrow``)."""
        release = self.release
        if stem == "events" and release is not None and self._dataset is None:
            from koreaevents.query import events_between

            table: pa.Table = events_between(release, *self._range, **self._query)
            return table
        whole = self.dataset.to_arrow(stem)
        if stem != "events" and not self.narrowed:
            return whole
        # rows of to_arrow are the records in the dataset's order, as are the events
        # a query returns: take the selected rows, so every to_arrow column follows
        position = {record.id: index for index, record in enumerate(self.dataset.stem(stem))}
        if stem == "events":
            rows = [position[event.id] for event in self.events()]
        else:
            linked = self._linked(stem)
            rows = sorted(position[record_id] for record_id in linked if record_id in position)
        return whole.take(pa.array(rows, pa.int64()))

    def _linked(self, stem: str) -> set[str]:
        found: set[str] = set()
        for event in self.events():
            if stem == "sources":
                found.update(citation.source for citation in event.citations)
                for discrepancy in event.verification.discrepancies:
                    found.update(discrepancy.citations)
                    if discrepancy.claimed_in is not None:
                        found.add(discrepancy.claimed_in)
            elif stem == "analyses":
                found.update(analysis.id for analysis in self.dataset.analyses_about(event))
            elif stem == "actors":
                found.update(role.actor for role in event.actors)
        return found


# --- CSV ------------------------------------------------------------------------------


def _json_ready(value: Any) -> Any:
    """A value read from Arrow as JSON: dates as ISO days, absent members left out."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {
            key: _json_ready(item) for key, item in value.items() if item is not None and item != []
        }
    if isinstance(value, list):
        return [_json_ready(item) for item in value]
    if isinstance(value, enum.Enum):
        return value.value
    return value


def _scalar_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _is_flat_list(data_type: pa.DataType) -> bool:
    return pa.types.is_list(data_type) and not (
        pa.types.is_struct(data_type.value_type)
        or pa.types.is_list(data_type.value_type)
        or pa.types.is_map(data_type.value_type)
    )


def _cell_encoder(data_type: pa.DataType) -> Any:
    """How a column's values become CSV cells (and flat GeoJSON properties)."""
    if _is_flat_list(data_type):
        return lambda value: (
            "" if value is None else LIST_SEPARATOR.join(_scalar_text(v) for v in value)
        )
    if pa.types.is_nested(data_type):
        return lambda value: (
            ""
            if value is None or value == []
            else json.dumps(_json_ready(value), ensure_ascii=False, separators=(",", ":"))
        )
    return _scalar_text


def table_to_csv(table: pa.Table) -> bytes:
    """A table in the Parquet layout as CSV bytes: every column in order, with a header.

    Lists of strings are joined with ``"; "``, lists of objects are JSON text (members
    that are absent left out), dates ISO days, booleans ``true``/``false``, floats in
    their shortest exact form and null an empty cell. UTF-8 without a byte-order mark,
    CRLF line ends (RFC 4180), fields quoted only where needed (and wherever a line
    break is inside).
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(table.column_names)
    encoders = [_cell_encoder(field.type) for field in table.schema]
    for batch in table.to_batches(max_chunksize=10_000):
        columns = [column.to_pylist() for column in batch.columns]
        for row in zip(*columns, strict=True):
            writer.writerow([encode(value) for encode, value in zip(encoders, row, strict=True)])
    return buffer.getvalue().encode("utf-8")


# --- GeoJSON --------------------------------------------------------------------------


def _property_encoder(data_type: pa.DataType) -> Any:
    """A GeoJSON property: JSON scalars stay typed, lists are the CSV cell text."""
    if pa.types.is_nested(data_type):
        cell = _cell_encoder(data_type)
        return lambda value: None if value is None or value == [] else cell(value)
    if pa.types.is_date(data_type) or pa.types.is_timestamp(data_type):
        return lambda value: None if value is None else value.isoformat()
    return lambda value: value


def _geojson(table: pa.Table) -> Export:
    encoders = [(field.name, _property_encoder(field.type)) for field in table.schema]
    features: list[str] = []
    skipped = 0
    for row in table.to_pylist():
        lat, lon = row.get("location_lat"), row.get("location_lon")
        if lat is None or lon is None:
            skipped += 1
            continue
        feature = {
            "type": "Feature",
            "id": row["id"],
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {name: encode(row[name]) for name, encode in encoders},
        }
        features.append(_json(feature))
    body = ",\n".join(features)
    text = '{"type": "FeatureCollection", "features": [\n' + body + ("\n" if body else "")
    text += "]}\n"
    return Export(
        "geojson",
        "events",
        text.encode("utf-8"),
        len(features),
        table.num_rows,
        skipped,
        "no coordinates (location_lat, location_lon)" if skipped else None,
    )


def _record(dataset: Dataset, record_id: str | None) -> Record | None:
    """The record with this id, or None (no id, or none in the dataset)."""
    if record_id is None or record_id not in dataset:
        return None
    return dataset.get(record_id)


# --- PLOVER ---------------------------------------------------------------------------


def _actor_country(actor: Actor, dataset: Dataset) -> str | None:
    """The actor's country, or the nearest ancestor's (through ``parent``)."""
    seen: set[str] = set()
    current: Actor | None = actor
    while current is not None and current.id not in seen:
        if current.country is not None:
            return current.country
        seen.add(current.id)
        parent = _record(dataset, current.parent)
        current = parent if isinstance(parent, Actor) else None
    return None


def _plover_actor(actor_id: str, dataset: Dataset) -> dict[str, Any]:
    """A PLOVER actor object: ``code`` (ISO alpha-3 or IGO), ``sector``, Wikidata id."""
    found = _record(dataset, actor_id)
    if not isinstance(found, Actor):
        return {"actor_text": actor_id, "koreaevents_id": actor_id}
    out: dict[str, Any] = {}
    country = _actor_country(found, dataset)
    if country is not None:
        out["code"] = country
    elif found.kind is vocab.ActorKind.INTERNATIONAL_ORG:
        out["code"] = "IGO"
    sector = _PLOVER_SECTORS.get(found.kind)
    if sector is not None:
        out["sector"] = sector
    out["actor_text"] = found.name
    if found.wikidata is not None:
        out["identifier_id"] = found.wikidata
        out["identifier_text"] = found.name
    out["koreaevents_id"] = found.id
    return out


def _language(tag: str | None) -> str | None:
    """The ISO 639-1 code of a BCP 47 tag (``ko-KP`` -> ``ko``), if it has one."""
    if tag is None:
        return None
    primary = tag.split("-")[0].lower()
    return primary if len(primary) == 2 else None


def _cite_info(source: Source, dataset: Dataset) -> dict[str, Any]:
    info: dict[str, Any] = {"citation": source.id}
    if source.url is not None:
        info["url"] = source.url
    info["title"] = source.title
    info["publication"] = source.publisher
    language = _language(source.language)
    if language is not None:
        info["language"] = language
    info["corpus"] = dataset.name
    if dataset.version is not None:
        info["version"] = dataset.version
    info["coder"] = "koreaevents"
    return info


def plover_event(event: Event, dataset: Dataset) -> dict[str, Any] | None:
    """One event as a PLOVER event record; None when it has no first day (open start).

    ``date``/``enddate`` are the event's earliest and latest day (``enddate`` only when
    they differ and the end is known); ``event``, ``mode`` and ``quad_code`` come from
    the event type's mapping in the codebook; ``source`` (also given as POLECAT's
    ``actor``) lists the initiators and participants, ``recipient`` the targets and
    hosts (observers are left out); ``event_loc`` has the place and, where known, its
    point and resolution; ``cite_info`` describes the first source cited.
    """
    if event.date.earliest is None:
        return None
    mapping = vocab.TERMS[vocab.EventType][event.event_type].mappings
    plover_type = str(mapping["plover_event"])
    record: dict[str, Any] = {"id": event.id, "date": event.date.earliest.isoformat()}
    if event.date.latest is not None and event.date.latest != event.date.earliest:
        record["enddate"] = event.date.latest.isoformat()
    acting = [
        _plover_actor(role.actor, dataset) for role in event.actors if role.role in _ACTING_ROLES
    ]
    receiving = [
        _plover_actor(role.actor, dataset) for role in event.actors if role.role in _RECEIVING_ROLES
    ]
    record["source"] = acting
    record["actor"] = acting
    if receiving:
        record["recipient"] = receiving
    record["event"] = plover_type
    record["mode"] = str(mapping["plover_mode"])
    if plover_type in PLOVER_QUADS:
        record["quad_code"] = PLOVER_QUADS[plover_type]
    location: dict[str, Any] = {"name": event.location.name}
    if event.location.country is not None:
        location["cc3"] = event.location.country
    if event.location.lat is not None and event.location.lon is not None:
        location["lat"] = event.location.lat
        location["lon"] = event.location.lon
    resolution = _PLOVER_RESOLUTION.get(event.location.precision)
    if resolution is not None:
        location["resolution"] = resolution
    record["event_loc"] = location
    first = _record(dataset, event.citations[0].source)
    if isinstance(first, Source):
        record["cite_info"] = _cite_info(first, dataset)
    record["comment"] = event.title
    return record


def _plover(dataset: Dataset, events: Sequence[Event]) -> Export:
    lines: list[str] = []
    for event in events:
        record = plover_event(event, dataset)
        if record is not None:
            lines.append(_json(record) + "\n")
    skipped = len(events) - len(lines)
    return Export(
        "plover",
        "events",
        "".join(lines).encode("utf-8"),
        len(lines),
        len(events),
        skipped,
        "an open start (PLOVER needs a first day)" if skipped else None,
    )


# --- ClaimReview ----------------------------------------------------------------------


def _day(edtf: str) -> str | None:
    """An EDTF value as an ISO day when it names one day, else None."""
    bounds = edtf_bounds_or_none(edtf)
    if bounds is None or bounds.earliest is None or bounds.earliest != bounds.latest:
        return None
    return bounds.earliest.isoformat()


def _last_day(edtf: str) -> datetime.date | None:
    bounds = edtf_bounds_or_none(edtf)
    return None if bounds is None else bounds.latest


def _agent(actor: Actor) -> dict[str, Any]:
    kind = "Person" if actor.kind is vocab.ActorKind.PERSON else "Organization"
    out: dict[str, Any] = {"@type": kind, "name": actor.name}
    if actor.wikidata is not None:
        out["sameAs"] = f"https://www.wikidata.org/wiki/{actor.wikidata}"
    return out


def _creative_work(source: Source) -> dict[str, Any]:
    work: dict[str, Any] = {"@type": "CreativeWork", "identifier": source.id}
    if source.url is not None:
        work["url"] = source.url
    work["headline"] = source.title
    work["publisher"] = {"@type": "Organization", "name": source.publisher}
    published = _day(source.published)
    if published is not None:
        work["datePublished"] = published
    if source.language is not None:
        work["inLanguage"] = source.language
    return work


def claim_review(
    event: Event, index: int, discrepancy: Discrepancy, dataset: Dataset
) -> dict[str, Any]:
    """One discrepancy of an event as a schema.org ``ClaimReview``.

    ``claimReviewed`` is the claim; ``itemReviewed`` a ``Claim`` whose ``appearance``
    is the source that made it (``claimed_in``) and whose ``author`` is that source's
    originator, or its publisher; ``reviewRating`` gives the verdict on a 1–5 scale (1
    ``Incorrect``: the record corrects the claim; 2 ``Disputed`` when the event's
    account is itself disputed) with the correction as ``ratingExplanation``;
    ``author`` is the dataset; ``datePublished`` the last day the correcting sources
    were published (when the correction could first be made); ``url`` is the claim's
    source's address where known.
    """
    claim: dict[str, Any] = {"@type": "Claim"}
    made_in = _record(dataset, discrepancy.claimed_in)
    if isinstance(made_in, Source):
        originator = _record(dataset, made_in.originator)
        claim["author"] = (
            _agent(originator)
            if isinstance(originator, Actor)
            else {"@type": "Organization", "name": made_in.publisher}
        )
        published = _day(made_in.published)
        if published is not None:
            claim["datePublished"] = published
        claim["appearance"] = _creative_work(made_in)
    rating_value, verdict = _VERDICTS.get(event.verification.status, _DEFAULT_VERDICT)
    review: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "identifier": f"{event.id}#/verification/discrepancies/{index}",
        "claimReviewed": discrepancy.claimed,
        "itemReviewed": claim,
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": rating_value,
            "bestRating": _BEST_RATING,
            "worstRating": _WORST_RATING,
            "alternateName": verdict,
            "ratingExplanation": discrepancy.corrected,
        },
        "reviewBody": discrepancy.corrected,
        "author": _dataset_agent(dataset),
    }
    correcting = [_record(dataset, i) for i in discrepancy.citations]
    days = [
        day
        for day in (_last_day(s.published) for s in correcting if isinstance(s, Source))
        if day is not None
    ]
    if days:
        review["datePublished"] = max(days).isoformat()
    if isinstance(made_in, Source) and made_in.url is not None:
        review["url"] = made_in.url
    review["about"] = {
        "@type": "Event",
        "identifier": event.id,
        "name": event.title,
        "location": event.location.name,
        **({"startDate": event.date.earliest.isoformat()} if event.date.earliest else {}),
        **({"endDate": event.date.latest.isoformat()} if event.date.latest else {}),
    }
    review["isBasedOn"] = [_creative_work(s) for s in correcting if isinstance(s, Source)]
    return review


def _dataset_agent(dataset: Dataset) -> dict[str, Any]:
    agent: dict[str, Any] = {"@type": "Organization", "name": dataset.name}
    homepage = dataset.metadata.get("homepage")
    if isinstance(homepage, str) and homepage:
        agent["url"] = homepage
    return agent


def _claimreview(dataset: Dataset, events: Sequence[Event]) -> Export:
    reviews = [
        claim_review(event, index, discrepancy, dataset)
        for event in events
        for index, discrepancy in enumerate(event.verification.discrepancies)
    ]
    text = _json(reviews, indent=2) + "\n"
    return Export("claimreview", "events", text.encode("utf-8"), len(reviews), len(events))
