"""The codebook: every record type, field and vocabulary term, rendered as Markdown.

Rendered from the JSON Schemas (:func:`koreaevents.schema.json_schema`), the
vocabularies (:data:`koreaevents.vocab.TERMS`, carried in each schema's ``x-terms``)
and the bundled dataset (real example values and how often each field is filled), so
it cannot drift from the data. ``docs/codebook.md`` is this text, committed and kept
current (:mod:`koreaevents.docs_pages`); print it with ``python -m koreaevents.codebook``.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Iterator, Mapping
from typing import Any

import attrs

from koreaevents import records
from koreaevents._version import __version__
from koreaevents.convert import unstructure
from koreaevents.dataset import Dataset
from koreaevents.schema import json_schema, record_type_names, schema_id

__all__ = [
    "MAPPING_TITLES",
    "PATTERN_NAMES",
    "FieldRow",
    "describe_constraints",
    "describe_type",
    "field_rows",
    "main",
    "render_codebook",
]

MAPPING_TITLES: dict[str, str] = {
    "plover_event": "PLOVER event",
    "plover_mode": "PLOVER mode",
    "cameo_root": "CAMEO root",
    "probability_min": "probability from",
    "probability_max": "probability to",
}
"""Column titles of the mappings that vocabulary terms carry (see ``vocab.TERMS``)."""


def _pattern_names() -> dict[str, str]:
    # Every ``*_PATTERN`` constant of the record model, named after the constant, so a
    # long regular expression is shown once in the codebook and referred to by name; of
    # two constants with the same value the shorter (more general) name wins.
    names: dict[str, str] = {}
    for constant, value in sorted(vars(records).items(), key=lambda item: len(item[0])):
        if constant.endswith("_PATTERN") and isinstance(value, str):
            names.setdefault(value, constant.removesuffix("_PATTERN").lower().replace("_", "-"))
    return names


PATTERN_NAMES: dict[str, str] = _pattern_names()
"""Short names of the regular expressions that fields use, by pattern (``edtf``, …)."""

_EXAMPLE_WIDTH = 48


@attrs.frozen
class FieldRow:
    """One property of one schema object, as the codebook shows it."""

    name: str
    type: str
    required: bool
    constraints: str
    description: str
    example: str


def _ref_name(schema: Mapping[str, Any]) -> str | None:
    ref = schema.get("$ref")
    return ref.rsplit("/", 1)[-1] if isinstance(ref, str) else None


def _is_vocabulary(definition: Mapping[str, Any]) -> bool:
    return "enum" in definition


def _link(name: str) -> str:
    return f"[{name}](#{name.lower()})"


def describe_type(prop: Mapping[str, Any], defs: Mapping[str, Any]) -> str:
    """A property's type in words: ``string (date) or null``, ``array of Citation``, …"""
    if "anyOf" in prop:
        return " or ".join(describe_type(member, defs) for member in prop["anyOf"])
    name = _ref_name(prop)
    if name is not None:
        definition = defs[name]
        if _is_vocabulary(definition):
            return f"{definition['type']} from {_link(name)}"
        return f"object {_link(name)}"
    kind = prop.get("type")
    kinds = kind if isinstance(kind, list) else [kind]
    words = []
    for one in kinds:
        if one == "array":
            words.append(f"array of {describe_type(prop['items'], defs)}")
        elif one == "string" and prop.get("format"):
            words.append(f"string ({prop['format']})")
        else:
            words.append(str(one))
    return " or ".join(words)


def _number(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


# Keywords that say what a value is, not what it must satisfy: shown elsewhere or not at all.
_NOT_CONSTRAINTS = frozenset(
    {"description", "type", "$ref", "items", "examples", "anyOf", "enum", "x-terms", "title"}
)
_ARRAY_KEYWORDS = ("minItems", "maxItems", "uniqueItems")


def _pattern_link(pattern: str) -> str:
    name = PATTERN_NAMES.get(pattern)
    return f"[{name}](#pattern-{name})" if name else f"`{_code(pattern)}`"


def _scalar_constraints(schema: Mapping[str, Any]) -> list[str]:
    """Each constraint keyword of a (non-array) schema, in JSON Schema's own words."""
    parts = []
    for key, value in schema.items():
        if key in _NOT_CONSTRAINTS or key in _ARRAY_KEYWORDS:
            continue
        if key == "pattern":
            parts.append(f"pattern {_pattern_link(value)}")
        elif key == "not" and isinstance(value, Mapping) and set(value) == {"pattern"}:
            parts.append(f"must not match {_pattern_link(value['pattern'])}")
        elif isinstance(value, bool | int | float | str):
            parts.append(f"{key} {_number(value)}")
        else:  # a keyword this page has no words for: shown as JSON, never dropped
            parts.append(f"{key} `{_code(json.dumps(value, ensure_ascii=False))}`")
    return parts


def describe_constraints(prop: Mapping[str, Any]) -> str:
    """A property's constraints in the words of JSON Schema: ``minimum -90; maximum 90``."""
    if "anyOf" in prop:
        return "; ".join(part for member in prop["anyOf"] for part in _scalar_constraints(member))
    parts = []
    is_array = prop.get("type") == "array" or (
        isinstance(prop.get("type"), list) and "array" in prop["type"]
    )
    if is_array:
        for key in _ARRAY_KEYWORDS:
            if key == "uniqueItems" and prop.get(key):
                parts.append("uniqueItems")
            elif key != "uniqueItems" and key in prop:
                parts.append(f"{key} {prop[key]}")
        item_parts = _scalar_constraints(prop.get("items", {}))
        if item_parts:
            parts.append("each item: " + ", ".join(item_parts))
    else:
        parts.extend(_scalar_constraints(prop))
    return "; ".join(parts)


def _code(text: str) -> str:
    # A backtick would end the code span; none of our patterns has one.
    return text.replace("`", "'")


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return " ".join(text.split()).replace("|", "\\|")


def _shorten(text: str, width: int = _EXAMPLE_WIDTH) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _show_value(value: Any) -> str:
    if isinstance(value, str):
        return f"`{_code(_shorten(value))}`"
    return f"`{_code(_shorten(json.dumps(value, ensure_ascii=False)))}`"


# --- what the bundled data holds ---------------------------------------------------------


@attrs.define
class _Usage:
    """Per schema object: how many instances there are, and per field a count and a value."""

    instances: Counter[str] = attrs.field(factory=Counter)
    filled: Counter[tuple[str, str]] = attrs.field(factory=Counter)
    first: dict[tuple[str, str], Any] = attrs.field(factory=dict)
    terms: Counter[tuple[str, str]] = attrs.field(factory=Counter)


def _walk(
    value: Any, schema: Mapping[str, Any], defs: Mapping[str, Any], owner: str, usage: _Usage
) -> None:
    """Record which fields of which objects ``value`` fills, following the schema."""
    if "anyOf" in schema:
        for member in schema["anyOf"]:
            if member.get("type") != "null":
                _walk(value, member, defs, owner, usage)
        return
    name = _ref_name(schema)
    if name is not None:
        definition = defs[name]
        if _is_vocabulary(definition):
            usage.terms[(name, str(value))] += 1
            return
        _walk_object(value, definition, defs, name, usage)
        return
    if isinstance(value, list) and "items" in schema:
        for item in value:
            _walk(item, schema["items"], defs, owner, usage)


def _walk_object(
    value: Any, schema: Mapping[str, Any], defs: Mapping[str, Any], name: str, usage: _Usage
) -> None:
    if not isinstance(value, Mapping):
        return
    usage.instances[name] += 1
    for field, prop in schema["properties"].items():
        if field not in value or value[field] is None:
            continue
        usage.filled[(name, field)] += 1
        usage.first.setdefault((name, field), value[field])
        _walk(value[field], prop, defs, name, usage)


def _usage(dataset: Dataset | None) -> _Usage:
    usage = _Usage()
    if dataset is None:
        return usage
    for type_name in record_type_names():
        schema = json_schema(type_name)
        cls_name = records.RECORD_TYPES[type_name].__name__
        stem = records.RECORD_TYPES[type_name].STEM
        for record in dataset.stem(stem):
            _walk_object(unstructure(record), schema, schema["$defs"], cls_name, usage)
    return usage


# --- rows and sections -------------------------------------------------------------------


def _example(
    owner: str, field: str, prop: Mapping[str, Any], defs: Mapping[str, Any], usage: _Usage
) -> str:
    """A real value from the bundled data where one exists, else the schema's example."""
    if (owner, field) in usage.first and not _holds_objects(prop, defs):
        return _show_value(usage.first[(owner, field)])
    if "examples" in prop:
        return _show_value(prop["examples"][0]) + " (schema example)"
    return ""


def _holds_objects(prop: Mapping[str, Any], defs: Mapping[str, Any]) -> bool:
    """Whether a property holds objects (whose fields get examples of their own)."""
    for schema in (prop, prop.get("items", {}), *prop.get("anyOf", ())):
        name = _ref_name(schema)
        if name is not None and not _is_vocabulary(defs[name]):
            return True
    return False


def field_rows(
    owner: str,
    schema: Mapping[str, Any],
    defs: Mapping[str, Any],
    dataset: Dataset | None = None,
) -> list[FieldRow]:
    """The codebook rows of one schema object (a record type or a ``$defs`` object)."""
    usage = _usage(dataset)
    return _rows(owner, schema, defs, usage)


def _rows(
    owner: str, schema: Mapping[str, Any], defs: Mapping[str, Any], usage: _Usage
) -> list[FieldRow]:
    required = set(schema.get("required", ()))
    rows = []
    for field, prop in schema["properties"].items():
        example = _example(owner, field, prop, defs, usage)
        total = usage.instances[owner]
        if total and field not in required:
            example = f"{example} (filled in {usage.filled[(owner, field)]} of {total})".strip()
        rows.append(
            FieldRow(
                name=field,
                type=describe_type(prop, defs),
                required=field in required,
                constraints=describe_constraints(prop),
                description=str(prop.get("description", "")),
                example=example,
            )
        )
    return rows


def _table(rows: list[FieldRow]) -> list[str]:
    lines = [
        "| field | type | required | constraints | description | example |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        cells = [
            f"`{row.name}`",
            row.type,
            "yes" if row.required else "no",
            row.constraints or "—",
            row.description,
            row.example or "—",
        ]
        lines.append("| " + " | ".join(_cell(cell) for cell in cells) + " |")
    return lines


def _cross_field_rules(schema: Mapping[str, Any]) -> list[str]:
    lines = []
    for field, needs in schema.get("dependentRequired", {}).items():
        lines.append(f"- `{field}` requires {', '.join(f'`{n}`' for n in needs)}.")
    for rule in schema.get("allOf", ()):
        condition = rule.get("if", {}).get("properties", {})
        then = rule.get("then", {}).get("properties", {})
        if not condition or not then:
            continue
        (when_field, when), *_ = condition.items()
        (then_field, bounds), *_ = then.items()
        limits = ", ".join(f"{key} {_number(value)}" for key, value in bounds.items())
        lines.append(f"- when `{when_field}` is `{when['const']}`: `{then_field}` {limits}.")
    return lines


def _all_defs() -> dict[str, dict[str, Any]]:
    """Every ``$defs`` entry of every schema, once, by name."""
    defs: dict[str, dict[str, Any]] = {}
    for type_name in record_type_names():
        for name, definition in json_schema(type_name)["$defs"].items():
            # One codebook entry serves every schema, so the copies must agree.
            if name in defs and defs[name] != definition:
                raise ValueError(f"$defs/{name} differs between schemas")
            defs.setdefault(name, definition)
    return dict(sorted(defs.items()))


def _vocabulary_section(name: str, definition: Mapping[str, Any], usage: _Usage) -> list[str]:
    terms: Mapping[str, Mapping[str, Any]] = definition.get("x-terms", {})
    mapping_keys = sorted(
        {key for term in terms.values() for key in term if key != "description"},
        key=lambda key: list(MAPPING_TITLES).index(key) if key in MAPPING_TITLES else 99,
    )
    head = ["term", "description", *(MAPPING_TITLES.get(k, k) for k in mapping_keys)]
    head.append("in bundled data")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for value in definition["enum"]:
        term = terms.get(str(value), {})
        cells = [f"`{value}`", str(term.get("description", ""))]
        cells.extend(f"`{term[k]}`" if k in term else "—" for k in mapping_keys)
        cells.append(str(usage.terms[(name, str(value))]))
        lines.append("| " + " | ".join(_cell(cell) for cell in cells) + " |")
    return lines


def _where_used(name: str, objects: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """``Owner.field`` for every property that refers to ``$defs/name``."""
    places = []
    for owner, schema in objects.items():
        for field, prop in schema.get("properties", {}).items():
            refs = {_ref_name(s) for s in (prop, prop.get("items", {}), *prop.get("anyOf", ()))}
            if name in refs:
                places.append(f"[{owner}](#{owner.lower()}).`{field}`")
    return places


def _arrow_type_name(arrow_type: Any) -> str:
    """An Arrow type in short: ``list<struct>`` rather than every child field."""
    import pyarrow as pa

    if pa.types.is_list(arrow_type) or pa.types.is_large_list(arrow_type):
        return f"list<{_arrow_type_name(arrow_type.value_type)}>"
    if pa.types.is_struct(arrow_type):
        return "struct"
    return str(arrow_type)


def _parquet_columns(stem: str) -> list[str]:
    """The columns of a record type's Parquet table, each with the field it holds."""
    from koreaevents.arrow import columns

    lines = [
        f"In Parquet (`{stem}.parquet`), one column per field, nested objects flattened "
        "one level with `_`:",
        "",
        "| column | Arrow type | nullable | field |",
        "|---|---|---|---|",
    ]
    derived = []
    for column in columns(stem):
        nullable = "yes" if column.field.nullable else "no"
        field = f"`{'.'.join(column.path)}`"
        if column.derived is not None:
            field = f"derived from {field}"
            derived.append(f"`{column.name}`")
        lines.append(
            f"| `{column.name}` | `{_arrow_type_name(column.field.type)}` | {nullable} | {field} |"
        )
    if derived:
        lines += [
            "",
            f"The columns {', '.join(derived)} are derived from the EDTF value when the "
            "Parquet files are written: they are not part of the JSON record (nor of its "
            "schema), and reading a release ignores them after checking that they still "
            "agree with the EDTF value (a disagreement is a `date-bounds` issue).",
        ]
    if stem == "events":
        lines += ["", *DATE_PRECISION_NOTE]
    return lines


DATE_PRECISION_NOTE = (
    "**Date precision.** `date_precision` (in Python `EventDate.precision`) says what the "
    "EDTF value names: `day` (`2024-01-24`), `month` (`2024-01`), `year` (`2024`) or "
    "`interval` (any `A/B`, whatever the precision of its ends, also with an open `..` or "
    "unknown empty end: `2024-01-20/..` and `/2024-01-05` are intervals). Qualifiers do "
    "not change it (`2024-01~` is a month). `date_approximate` is true when the value, or "
    "either end of an interval, carries `~` or `%`; `date_uncertain` when it carries `?` "
    "or `%`. EDTF seasons (`2024-21`) and unspecified digits (`202X`, `2024-XX`) are "
    "outside the accepted subset: `validate` refuses them, so no record has them; write "
    "them as the interval they stand for (`2024-03/2024-05` for spring, `2020/2029` for "
    "the 2020s), which has precision `interval`. Filter on it with "
    "`koreaevents query --precision` or `events_between(..., precision=...)`, which read "
    "the precision from `date_edtf` itself.",
)


def _type_anchor(type_name: str) -> str:
    return records.RECORD_TYPES[type_name].__name__.lower()


def render_codebook(dataset: Dataset | None = None) -> str:
    """The codebook as Markdown; examples and counts from ``dataset`` (default: bundled).

    Pass a dataset to take examples from it instead; the text depends only on the
    schemas, the vocabularies and the data, so it is the same on every run.
    """
    if dataset is None:
        from koreaevents.io.loading import load

        dataset = load()
    usage = _usage(dataset)
    defs = _all_defs()
    top = {records.RECORD_TYPES[name].__name__: json_schema(name) for name in record_type_names()}
    all_objects: dict[str, Mapping[str, Any]] = {
        **top,
        **{name: d for name, d in defs.items() if not _is_vocabulary(d)},
    }
    out: list[str] = [
        "# Codebook",
        "",
        "Every record type, every field and every vocabulary term of koreaevents, generated "
        f"from the JSON Schemas of koreaevents {__version__} and the vocabularies at each "
        "docs build, so it matches the schemas field for field. Examples are real values "
        f"from the bundled dataset ({dataset.name} {dataset.version or ''}) where it "
        "holds one; *schema example* marks an example from the schema instead, and "
        "*filled in n of m* tells how often an optional field is given.".replace(" )", ")"),
        "",
        "Absent optional fields are left out of canonical JSON; in Parquet they are null "
        "(or an empty list). A field of type *X or null* may be given as `null`. Every "
        "object rejects properties it does not list (`additionalProperties: false`).",
        "",
        "## Record types",
        "",
        "| type | class | file stem | records in bundled data | JSON Schema |",
        "|---|---|---|---|---|",
    ]
    for type_name in record_type_names():
        cls = records.RECORD_TYPES[type_name]
        out.append(
            f"| `{type_name}` | [{cls.__name__}](#{_type_anchor(type_name)}) | `{cls.STEM}` "
            f"| {len(dataset.stem(cls.STEM))} | `schemas/{type_name}.schema.json` |"
        )
    for type_name in record_type_names():
        cls = records.RECORD_TYPES[type_name]
        schema = top[cls.__name__]
        out += [
            "",
            f"### {cls.__name__} {{ #{_type_anchor(type_name)} }}",
            "",
            f"{schema['description']} Type `{type_name}`, file stem `{cls.STEM}`, "
            f"schema `{schema_id(type_name)}`.",
            "",
            *_table(_rows(cls.__name__, schema, schema["$defs"], usage)),
        ]
        rules = _cross_field_rules(schema)
        if rules:
            out += ["", "Rules across fields:", "", *rules]
        out += ["", *_parquet_columns(cls.STEM)]
    out += [
        "",
        "## Parts of records",
        "",
        "Objects nested inside records (the `$defs` of the schemas).",
    ]
    for name, definition in defs.items():
        if _is_vocabulary(definition):
            continue
        places = ", ".join(_where_used(name, all_objects))
        out += [
            "",
            f"### {name} {{ #{name.lower()} }}",
            "",
            f"{definition['description']} Used in {places}.",
            "",
            *_table(_rows(name, definition, defs, usage)),
        ]
    out += [
        "",
        "## Vocabularies",
        "",
        "Controlled terms, with their meaning and their mappings to other standards: event "
        "types to a [PLOVER](https://github.com/openeventdata/PLOVER) event and mode and "
        "a CAMEO root code; likelihood terms to their ICD 203 probability band. The last "
        "column counts the term's uses in the bundled data.",
    ]
    for name, definition in defs.items():
        if not _is_vocabulary(definition):
            continue
        places = ", ".join(_where_used(name, all_objects))
        out += [
            "",
            f"### {name} {{ #{name.lower()} }}",
            "",
            f"{definition['description']} A {definition['type']}; used in {places}.",
            "",
            *_vocabulary_section(name, definition, usage),
        ]
    out += [
        "",
        "## Patterns",
        "",
        "The regular expressions that fields must match (JSON Schema `pattern`, searched "
        "anywhere in the value, hence the anchors).",
    ]
    for pattern, name in sorted(PATTERN_NAMES.items(), key=lambda item: item[1]):
        if not _pattern_used(pattern):
            continue
        out += ["", f"### {name} {{ #pattern-{name} }}", "", "```text", pattern, "```"]
    return "\n".join(out) + "\n"


def _pattern_used(pattern: str) -> bool:
    return any(pattern in _strings(json_schema(name)) for name in record_type_names())


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def main() -> None:
    """Print the codebook of the bundled dataset."""
    sys.stdout.write(render_codebook())


if __name__ == "__main__":
    main()
