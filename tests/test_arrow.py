"""Arrow schemas and tables: derived from the record classes, lossless both ways."""

from __future__ import annotations

import datetime
import enum
import json
from typing import Any

import attrs
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import koreaevents as ke
from koreaevents import vocab
from koreaevents.arrow import (
    RowBuffer,
    arrow_schema,
    columns,
    flatten_record,
    records_to_table,
    table_schema,
    table_to_records,
    unflatten_row,
)
from koreaevents.convert import unstructure
from koreaevents.records import RECORD_TYPES, spec
from koreaevents.schema import json_schema, schema_id
from tests import strategies

STEMS = {"events": "event", "sources": "source", "analyses": "analysis", "actors": "actor"}
BY_STEM = {
    "events": strategies.events,
    "sources": strategies.sources,
    "analyses": strategies.analyses,
    "actors": strategies.actors,
}


def test_event_columns_follow_the_contract_layout() -> None:
    schema = arrow_schema("events")
    assert schema.field("date_earliest").type == pa.date32()
    assert schema.field("date_latest").type == pa.date32()
    assert schema.field("date_edtf").type == pa.string()
    assert schema.field("location_lat").type == pa.float64()
    assert schema.field("location_lon").type == pa.float64()
    assert schema.field("tags").type.value_type == pa.string()
    actors = schema.field("actors").type
    assert pa.types.is_list(actors)
    assert [f.name for f in actors.value_type] == ["actor", "role"]
    citations = schema.field("citations").type.value_type
    assert [f.name for f in citations] == ["source", "locator", "claim"]
    discrepancies = schema.field("verification_discrepancies").type.value_type
    assert discrepancies.field("citations").type.value_type == pa.string()
    assert "date" not in schema.names and "location" not in schema.names


def test_every_json_schema_property_has_its_columns() -> None:
    """No hand-kept list: every field of the JSON Schema shows up, flattened one level."""
    for stem, type_name in STEMS.items():
        names = set(arrow_schema(stem).names)
        schema = json_schema(type_name)
        expected: set[str] = set()
        for prop, sub in schema["properties"].items():
            ref = sub.get("$ref") or next(
                (alt["$ref"] for alt in sub.get("anyOf", []) if "$ref" in alt), None
            )
            target = schema["$defs"][ref.rsplit("/", 1)[1]] if ref else {}
            if target.get("type") == "object":
                expected |= {f"{prop}_{inner}" for inner in target["properties"]}
            else:
                expected.add(prop)
            if sub.get("format") == "edtf":  # an EDTF field gets its day bounds
                expected |= {f"{prop}_earliest", f"{prop}_latest"}
        if stem == "events":  # the event date gets its precision and qualifiers
            expected |= {"date_precision", "date_approximate", "date_uncertain"}
        assert names == expected, stem


def test_vocabularies_are_plain_strings_with_their_terms_in_metadata() -> None:
    schema = arrow_schema("events")
    field = schema.field("event_type")
    assert field.type == pa.string()  # not dictionary: every reader keeps it a string
    assert json.loads(field.metadata[b"enum"]) == [t.value for t in vocab.EventType]
    assert schema.field("verification_credibility").type == pa.int8()
    for stem in STEMS:
        for f in arrow_schema(stem):
            assert not pa.types.is_dictionary(f.type)


def test_descriptions_and_ids_are_in_the_metadata() -> None:
    for stem, type_name in STEMS.items():
        schema = arrow_schema(stem, dataset_name="koreaevents", dataset_version="1.2.3")
        assert schema.metadata[b"koreaevents:schema_id"] == schema_id(type_name).encode()
        assert schema.metadata[b"koreaevents:dataset_version"] == b"1.2.3"
        assert schema.metadata[b"koreaevents:dataset_name"] == b"koreaevents"
        cls = RECORD_TYPES[type_name]
        for column in columns(stem):
            if column.derived is not None:
                assert column.field.metadata[b"description"].decode() == column.spec.description
                continue
            owner: Any = cls
            for part in column.path[:-1]:
                owner = _attrs_type(attrs.fields_dict(owner)[part].type)
            expected = spec(attrs.fields_dict(owner)[column.path[-1]]).description
            assert column.field.metadata[b"description"] == expected.encode()


def _attrs_type(tp: Any) -> Any:
    return next(arg for arg in (tp, *getattr(tp, "__args__", ())) if attrs.has(arg))


def test_required_fields_are_not_nullable_and_lists_are_never_null() -> None:
    events = arrow_schema("events")
    assert not events.field("id").nullable
    assert not events.field("date_edtf").nullable
    assert events.field("date_earliest").nullable  # an open start
    assert events.field("summary").nullable
    assert events.field("weapon_category").nullable  # weapon is optional
    assert not events.field("tags").nullable  # absent: an empty list


def test_metadata_is_the_same_every_time() -> None:
    """Nothing time- or host-dependent: two derivations are equal, metadata included."""
    assert arrow_schema("events").equals(arrow_schema("events"), check_metadata=True)
    text = repr(arrow_schema("events").metadata)
    assert str(datetime.date.today().year) not in text


@pytest.mark.parametrize("stem", list(STEMS))
@settings(max_examples=25)
@given(data=st.data())
def test_records_round_trip_through_arrow(stem: str, data: st.DataObject) -> None:
    records = data.draw(st.lists(BY_STEM[stem], max_size=5))
    table = records_to_table(stem, records)
    assert table.schema.equals(arrow_schema(stem))
    table.validate(full=True)
    assert table_to_records(stem, table) == tuple(records)


@pytest.mark.parametrize("stem", list(STEMS))
@settings(max_examples=25)
@given(data=st.data())
def test_rows_unflatten_to_the_canonical_json(stem: str, data: st.DataObject) -> None:
    record = data.draw(BY_STEM[stem])
    canonical = unstructure(record)
    row = records_to_table(stem, [record]).to_pylist()[0]
    assert unflatten_row(stem, row) == canonical
    # Absent optionals are null and absent lists empty in the table, never missing.
    flat = flatten_record(stem, canonical)
    assert set(flat) == set(arrow_schema(stem).names)
    for column in columns(stem):
        if column.is_list and not column.parent_optional:
            assert row[column.name] is not None


@settings(max_examples=25)
@given(st.lists(strategies.events, max_size=4))
def test_the_compiled_appender_equals_flatten_record(records: list[ke.Event]) -> None:
    """The batch road (compiled appender, dates cast in Arrow) and the generic one agree."""
    buffer = RowBuffer("events")
    for record in records:
        buffer.append(unstructure(record))
    assert len(buffer) == len(records)
    rows = buffer.to_table().to_pylist()
    flat = [flatten_record("events", unstructure(r)) for r in records]
    assert rows == pa.Table.from_pylist(flat, schema=arrow_schema("events")).to_pylist()
    assert len(buffer) == 0  # emptied by to_table


def test_absent_weapon_and_open_start_are_nulls(bundled: ke.Dataset) -> None:
    table = bundled.to_arrow("events")
    without = [e for e in bundled.events if e.weapon is None]
    assert without, "the bundled data has events without a weapon"
    rows = {row["id"]: row for row in table.to_pylist()}
    row = rows[without[0].id]
    assert row["weapon_category"] is None and row["weapon_name"] is None
    event = attrs.evolve(without[0], date=ke.EventDate.from_edtf("../2024-01-02"))
    (open_row,) = records_to_table("events", [event]).to_pylist()
    assert open_row["date_earliest"] is None
    assert open_row["date_latest"] == datetime.date(2024, 1, 2)


def test_bad_rows_are_reported_with_row_and_pointer(bundled: ke.Dataset) -> None:
    table = bundled.to_arrow("events")
    index = table.schema.get_field_index("location_lat")
    bad = table.set_column(index, "location_lat", pa.array([500.0] * len(table), pa.float64()))
    with pytest.raises(ke.DataError) as caught:
        table_to_records("events", bad, path="events.parquet")
    issue = caught.value.issues[0]
    assert issue.pointer is not None and issue.pointer.startswith("/location")
    assert "lat" in issue.message
    assert issue.path == "events.parquet"
    assert issue.record_id == bundled.events[0].id
    assert "row 1" in issue.message


def test_records_of_the_wrong_type_are_refused(bundled: ke.Dataset) -> None:
    with pytest.raises(TypeError):
        records_to_table("events", bundled.sources)
    with pytest.raises(KeyError):
        arrow_schema("event")


def test_table_schema_keys_and_constraints() -> None:
    actors = table_schema("actors")
    assert actors["primaryKey"] == ["id"]
    # parent refers to the same resource: Table Schema v2 omits "resource".
    assert actors["foreignKeys"] == [{"fields": ["parent"], "reference": {"fields": ["id"]}}]
    sources = table_schema("sources")
    assert sources["foreignKeys"] == [
        {"fields": ["originator"], "reference": {"resource": "actors", "fields": ["id"]}}
    ]
    events = table_schema("events")
    assert "foreignKeys" not in events  # every event reference sits in a list
    fields = {f["name"]: f for f in events["fields"]}
    assert fields["date_earliest"]["type"] == "date"
    assert fields["location_lat"]["type"] == "number"
    # A list is typed "any" (Frictionless reads a Parquet list as a NumPy array, which
    # its "array" type refuses); its description says what it holds.
    assert fields["actors"]["type"] == "any"
    assert fields["actors"]["constraints"] == {"required": True}
    described = fields["actors"]["description"]
    assert "actors" in described  # the list reference is described
    assert "list<struct<actor: string, role: string>>" in described
    assert "at least 1 item" in described
    # A nullable number reads as NaN through pandas: NaN is missing, the range is kept.
    assert fields["location_lat"]["missingValues"] == ["", "nan"]
    assert fields["location_lat"]["constraints"] == {"minimum": -90, "maximum": 90}
    assert "missingValues" not in fields["date_earliest"]
    assert fields["event_type"]["constraints"]["enum"] == [t.value for t in vocab.EventType]
    assert fields["id"]["constraints"] == {
        "required": True,
        "unique": True,
        "pattern": "evt-[a-z0-9]+(?:-[a-z0-9]+)*",
    }
    assert [f["name"] for f in events["fields"]] == arrow_schema("events").names


def test_table_schema_enums_cover_every_vocabulary_column() -> None:
    for stem in STEMS:
        fields = {f["name"]: f for f in table_schema(stem)["fields"]}
        for column in columns(stem):
            inner = column.type.__args__[0] if hasattr(column.type, "__args__") else column.type
            if isinstance(inner, type) and issubclass(inner, enum.Enum):
                assert fields[column.name]["constraints"]["enum"] == [m.value for m in inner]
