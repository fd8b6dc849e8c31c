"""The codebook matches the schemas field for field, and the CLI reference every option.

The rendered Markdown is read back like a person would read it — by section and table
row — and compared with the JSON Schemas, the vocabularies, the bundled data and the
argument parser, which it must not drift from.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pyarrow as pa
import pytest

import koreaevents as ke
from koreaevents.cli import build_parser
from koreaevents.cli_reference import EXIT_CODES, render_cli_reference, subcommands
from koreaevents.codebook import PATTERN_NAMES, render_codebook
from koreaevents.io.paths import bundled_dataset_dir
from koreaevents.records import RECORD_TYPES
from koreaevents.schema import json_schema, record_type_names
from koreaevents.vocab import likelihood_band

HEADING = re.compile(r"^#{2,3} (?P<title>.+?)(?: \{ #(?P<anchor>[\w-]+) \})?$", re.M)


@pytest.fixture(scope="module")
def codebook() -> str:
    return render_codebook()


def _sections(markdown: str) -> dict[str, str]:
    """Section text by anchor (explicit ``{ #id }`` headings only)."""
    marks = list(HEADING.finditer(markdown))
    out = {}
    for mark, after in zip(marks, [*marks[1:], None], strict=True):
        if mark["anchor"]:
            out[mark["anchor"]] = markdown[mark.end() : after.start() if after else None]
    return out


def _cells(line: str) -> list[str]:
    """Cells of a Markdown table row; ``\\|`` and pipes inside code spans do not split."""
    cells, current, in_code, i = [], "", False, 0
    body = line.strip()[1:-1]
    while i < len(body):
        char = body[i]
        if char == "\\" and body[i + 1 : i + 2] == "|":
            current += "|"
            i += 2
            continue
        if char == "`":
            in_code = not in_code
        if char == "|" and not in_code:
            cells.append(current.strip())
            current = ""
        else:
            current += char
        i += 1
    cells.append(current.strip())
    return cells


def _tables(section: str) -> list[dict[str, list[str]]]:
    """Each Markdown table of a section: rows by first cell (no backticks), header "head"."""
    tables: list[dict[str, list[str]]] = []
    previous = ""
    for line in section.splitlines():
        if line.startswith("| "):
            if not previous.startswith("|"):
                tables.append({"head": _cells(line)})
            elif not line.startswith("|---"):
                cells = _cells(line)
                tables[-1][cells[0].strip("`")] = cells
        previous = line
    return tables


def _rows(section: str) -> dict[str, list[str]]:
    """The first table of a section."""
    return _tables(section)[0]


def _objects(schema: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The record object and every ``$defs`` object of a schema, by name."""
    name = schema["title"].split()[-1]
    objects = {RECORD_TYPES[name].__name__: schema}
    objects.update({k: v for k, v in schema["$defs"].items() if v.get("type") == "object"})
    return objects


def _type_words(prop: dict[str, Any]) -> set[str]:
    """The words a property's type cell must contain."""
    words: set[str] = set()
    for member in prop.get("anyOf", [prop]):
        if "$ref" in member:
            words.add(member["$ref"].rsplit("/", 1)[-1])
        kind = member.get("type")
        for one in kind if isinstance(kind, list) else [kind] if kind else []:
            words.add(one)
        if "items" in member:
            words |= _type_words(member["items"])
    return words


def _constraint_phrases(prop: dict[str, Any]) -> list[str]:
    """What the constraints cell must say, keyword by keyword."""
    phrases = []
    for schema in [prop, prop.get("items", {}), *prop.get("anyOf", [])]:
        for key in ("minLength", "maxLength", "minimum", "maximum", "minItems", "format"):
            if key in schema:
                value = schema[key]
                shown = f"{value:g}" if isinstance(value, float) else str(value)
                phrases.append(f"{key} {shown}")
        if schema.get("uniqueItems"):
            phrases.append("uniqueItems")
        if "pattern" in schema:
            phrases.append(f"pattern [{PATTERN_NAMES[schema['pattern']]}]")
        if "not" in schema:
            phrases.append(f"must not match [{PATTERN_NAMES[schema['not']['pattern']]}]")
    return phrases


@pytest.mark.parametrize("type_name", record_type_names())
def test_every_field_of_every_object_has_its_row(codebook: str, type_name: str) -> None:
    sections = _sections(codebook)
    schema = json_schema(type_name)
    for name, obj in _objects(schema).items():
        assert name.lower() in sections, f"no section for {name}"
        rows = _rows(sections[name.lower()])
        assert set(rows) - {"head"} == set(obj["properties"]), f"{name}: fields differ"
        for field, prop in obj["properties"].items():
            _, type_cell, required, constraints, description, _example = rows[field]
            where = f"{name}.{field}"
            for word in _type_words(prop):
                assert word in type_cell, f"{where}: type {word!r} missing from {type_cell!r}"
            assert required == ("yes" if field in obj["required"] else "no"), where
            for phrase in _constraint_phrases(prop):
                assert phrase in constraints, f"{where}: {phrase!r} not in {constraints!r}"
            assert description == " ".join(prop["description"].split()), where


def test_every_pattern_is_spelled_out(codebook: str) -> None:
    sections = _sections(codebook)
    used = set(re.findall(r"\(#pattern-([\w-]+)\)", codebook))
    assert used, "no field refers to a pattern"
    by_name = {name: pattern for pattern, name in PATTERN_NAMES.items()}
    for name in used:
        assert f"```text\n{by_name[name]}\n```" in sections[f"pattern-{name}"], name


@pytest.mark.parametrize("type_name", record_type_names())
def test_every_vocabulary_term_has_its_meaning_and_mappings(codebook: str, type_name: str) -> None:
    sections = _sections(codebook)
    for name, definition in json_schema(type_name)["$defs"].items():
        if "enum" not in definition:
            continue
        rows = _rows(sections[name.lower()])
        assert {str(v) for v in definition["enum"]} == set(rows) - {"head"}, name
        for value, term in definition["x-terms"].items():
            row = " | ".join(rows[value])
            assert term["description"] in row, f"{name}.{value}"
            for key, mapped in term.items():
                if key != "description":
                    assert f"`{mapped}`" in row, f"{name}.{value}: {key} {mapped} missing"


def test_event_types_carry_plover_and_cameo(codebook: str) -> None:
    rows = _rows(_sections(codebook)["eventtype"])
    assert rows["head"][2:5] == ["PLOVER event", "PLOVER mode", "CAMEO root"]
    assert rows["missile_launch"][2:5] == ["`MOBILIZE`", "`weapons`", "`15`"]


def test_cross_field_rules_of_analysis_are_listed(codebook: str) -> None:
    section = _sections(codebook)["analysis"]
    assert "`probability` requires `likelihood`." in section
    for term in ("almost_no_chance", "unlikely", "almost_certain"):
        low, _high = likelihood_band(term)
        assert f"when `likelihood` is `{term}`: `probability` minimum {low:g}" in section


def test_examples_are_real_values_from_the_bundled_data(codebook: str) -> None:
    data = "\n".join(
        json.dumps(json.loads(p.read_text(encoding="utf-8")), ensure_ascii=False)
        for p in sorted(bundled_dataset_dir().rglob("*.json"))
        if p.name != "datapackage.json"
    )
    checked = 0
    for anchor, section in _sections(codebook).items():
        rows = [row for table in _tables(section) for row in table.items()]
        for field, cells in rows:
            if field == "head" or len(cells) != 6 or "schema example" in cells[5]:
                continue
            shown = re.match(r"`(?P<v>[^`]+)`", cells[5])
            if not shown:
                continue
            value = shown["v"].removesuffix("…")
            assert value.strip('"') in data, f"{anchor}.{field}: example {value!r} not in data"
            checked += 1
    assert checked > 40, checked


def test_filled_counts_agree_with_the_data(codebook: str) -> None:
    ds = ke.load()
    rows = _rows(_sections(codebook)["location"])
    with_lat = sum(1 for e in ds.events if e.location.lat is not None)
    assert f"(filled in {with_lat} of {len(ds.events)})" in rows["lat"][5]


def _short(arrow_type: pa.DataType) -> str:
    """How the codebook names an Arrow type: lists by their items, structs as ``struct``."""
    if pa.types.is_list(arrow_type):
        return f"list<{_short(arrow_type.value_type)}>"
    return "struct" if pa.types.is_struct(arrow_type) else str(arrow_type)


@pytest.mark.parametrize("stem", ["events", "sources", "analyses", "actors"])
def test_every_parquet_column_is_listed_with_its_field(codebook: str, stem: str) -> None:
    from koreaevents.arrow import columns

    cls = next(c for c in RECORD_TYPES.values() if stem == c.STEM)
    tables = _tables(_sections(codebook)[cls.__name__.lower()])
    (parquet,) = [t for t in tables if t["head"][0] == "column"]
    assert set(parquet) - {"head"} == {c.name for c in columns(stem)}
    for column in columns(stem):
        _, arrow_type, nullable, field = parquet[column.name]
        assert arrow_type.strip("`") == _short(column.field.type), column.name
        assert nullable == ("yes" if column.field.nullable else "no"), column.name
        shown = f"`{'.'.join(column.path)}`"
        if column.derived is not None:
            shown = f"derived from {shown}"
        assert field == shown, column.name


def test_the_codebook_is_deterministic(codebook: str) -> None:
    assert render_codebook() == codebook


def test_cli_reference_lists_every_command_option_and_exit_code() -> None:
    page = render_cli_reference()
    sections = _sections(page)
    commands = subcommands(build_parser())
    assert {"validate", "build", "query", "schema", "info", "timeline"} <= set(commands)
    for name, parser in commands.items():
        section = sections[name]
        for action in parser._actions:
            for option in action.option_strings:
                if option not in ("-h", "--help"):
                    assert f"`{option}`" in section, f"{name}: {option} missing"
            if action.help and action.help != "show this help message and exit":
                assert " ".join(action.help.split()) in section, f"{name}: help of {action.dest}"
            for choice in action.choices or ():
                assert f"`{choice}`" in section, f"{name}: choice {choice} missing"
    for code, _meaning in EXIT_CODES:
        assert f"| {code} |" in page
    assert render_cli_reference() == page
