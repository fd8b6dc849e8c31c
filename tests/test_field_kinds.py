"""An EDTF field is declared by one marker, ``format="edtf"``: the pattern the schema
checks, the EDTF checks of validate and the derived Parquet bounds all follow from it.
(A field given the format but not the pattern once passed validate and failed load.)"""

from __future__ import annotations

import attrs

from koreaevents.records import EDTF_PATTERN, RECORD_TYPES, _field, derived_qualities, spec
from koreaevents.validation.checks import edtf_pointers


def _fields(cls: type) -> list[attrs.Attribute]:  # type: ignore[type-arg]
    found = []
    for field in attrs.fields(cls):
        found.append(field)
        inner = field.type if attrs.has(field.type) else None
        if isinstance(inner, type):
            found.extend(_fields(inner))
    return found


def test_the_format_alone_makes_an_edtf_field() -> None:
    @attrs.frozen
    class Probe:
        when: str = _field("A date.", format="edtf")

    fs = spec(attrs.fields(Probe).when)
    assert fs.pattern == EDTF_PATTERN
    assert derived_qualities(fs) == ("earliest", "latest")


def test_every_edtf_field_is_checked_by_validate_and_has_the_pattern() -> None:
    for type_name, cls in RECORD_TYPES.items():
        attrs.resolve_types(cls)
        pointers = edtf_pointers(type_name)
        marked = [f for f in attrs.fields(cls) if spec(f).format == "edtf"]
        for field in marked:
            assert spec(field).pattern == EDTF_PATTERN, (type_name, field.name)
            assert f"/{field.name}" in pointers, (type_name, field.name)
        for field in attrs.fields(cls):
            if spec(field).pattern == EDTF_PATTERN:
                assert spec(field).format == "edtf", (type_name, field.name)
    assert "/date/edtf" in edtf_pointers("event")
