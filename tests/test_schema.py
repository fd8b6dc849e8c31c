"""The JSON Schemas and the record classes agree, and the shipped files are current."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import attrs
import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

from koreaevents.convert import RecordError, structure, unstructure
from koreaevents.records import RECORD_TYPES
from koreaevents.schema import dump_schema, json_schema, schema_id
from tests import strategies

ROOT = Path(__file__).resolve().parent.parent
TYPES = list(RECORD_TYPES)
VALIDATORS = {
    name: jsonschema.Draft202012Validator(
        json_schema(name), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    for name in TYPES
}


@pytest.mark.parametrize("type_name", TYPES)
def test_shipped_schema_files_are_current(type_name: str) -> None:
    path = ROOT / "schemas" / f"{type_name}.schema.json"
    assert path.read_text(encoding="utf-8") == dump_schema(type_name), (
        f"{path} is stale: run `python tools/regenerate.py`"
    )


@pytest.mark.parametrize("type_name", TYPES)
def test_schemas_are_valid_draft_2020_12_and_self_contained(type_name: str) -> None:
    schema = json_schema(type_name)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == schema_id(type_name)
    refs = [v for v in _walk(schema) if isinstance(v, dict) and "$ref" in v]
    assert refs or type_name == "retired"  # the tombstone has no nested parts
    assert all(ref["$ref"].startswith("#/$defs/") for ref in refs)


def _walk(node: Any) -> Any:
    yield node
    if isinstance(node, dict):
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


@pytest.mark.parametrize("type_name", TYPES)
def test_every_object_is_closed_and_every_property_described(type_name: str) -> None:
    schema = json_schema(type_name)
    objects = [schema, *(d for d in schema["$defs"].values() if d.get("type") == "object")]
    for obj in objects:
        assert obj["additionalProperties"] is False
        for name, prop in obj["properties"].items():
            assert prop.get("description"), (type_name, name)


@pytest.mark.parametrize("type_name", TYPES)
def test_schema_properties_and_required_match_the_attrs_fields(type_name: str) -> None:
    cls = RECORD_TYPES[type_name]
    schema = json_schema(type_name)
    fields = attrs.fields(cls)
    assert list(schema["properties"]) == [f.name for f in fields]
    assert schema["required"] == [f.name for f in fields if f.default is attrs.NOTHING]


@given(strategies.records)
def test_records_validate_against_their_schema_and_round_trip(record: Any) -> None:
    data = unstructure(record)
    errors = list(VALIDATORS[record.TYPE].iter_errors(data))
    assert not errors, [e.message for e in errors]
    # Through JSON text, as a file would carry it.
    again = structure(json.loads(json.dumps(data)), type(record))
    assert again == record
    assert unstructure(again) == data


MUTATIONS = ["drop_required", "unknown_key", "wrong_type", "bad_enum", "bad_pattern"]


@given(strategies.records, st.sampled_from(MUTATIONS), st.data())
def test_schema_and_classes_reject_the_same_broken_records(
    record: Any, mutation: str, data: st.DataObject
) -> None:
    """The other direction: what the schema rejects, the classes reject too."""
    instance = unstructure(record)
    broken = copy.deepcopy(instance)
    fields = attrs.fields(type(record))
    if mutation == "drop_required":
        required = [f.name for f in fields if f.default is attrs.NOTHING]
        del broken[data.draw(st.sampled_from(required))]
    elif mutation == "unknown_key":
        broken["not_a_field"] = 1
    elif mutation == "wrong_type":
        broken["id"] = 12
    elif mutation == "bad_enum":
        key = "event_type" if record.TYPE == "event" else "kind"
        broken[key] = "no-such-term"
    else:
        broken["id"] = "Has Spaces"
    assert list(VALIDATORS[record.TYPE].iter_errors(broken))
    with pytest.raises(RecordError):
        structure(broken, type(record))
