"""``frictionless validate`` accepts every form koreaevents publishes.

A Frictionless user runs ``frictionless validate datapackage.json`` (frictionless-py 5
with its ``json`` and ``parquet`` extras) on the JSON dataset or on a release, single
file or partitioned by year, and must see VALID. These tests run the same validation
through its Python API on forms built into temporary folders, on generated datasets
(so that every optional value is absent somewhere), and check that Frictionless still
checks what the descriptor promises: a value out of its range is reported.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

import koreaevents as ke
from koreaevents import cli
from koreaevents.dataset import Dataset

from .strategies import datasets

frictionless = pytest.importorskip("frictionless", reason="frictionless-py is a test dependency")
pytest.importorskip("pyarrow.parquet")

BUNDLED = Path(__file__).resolve().parent.parent / "datasets" / "koreaevents"


def _errors(descriptor: Path) -> list[str]:
    """Every error Frictionless finds in a package, as readable lines (none: VALID)."""
    report = frictionless.validate(str(descriptor))
    found = [f"package: {error.type}: {error.message}" for error in report.errors]
    for task in report.tasks:
        found.extend(f"{task.name}: {error.type}: {error.message}" for error in task.errors)
    assert report.valid == (not found)
    return found


def _build(src: Path | None, out: Path, *more: str) -> Path:
    args = ["build", *([] if src is None else [str(src)]), "--out", str(out), *more]
    assert cli.main(args) == 0
    return out / "datapackage.json"


@pytest.fixture(scope="module")
def forms(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The descriptor of each published form of the bundled dataset."""
    root = tmp_path_factory.mktemp("forms")
    ds = ke.load()
    found = {"bundled": BUNDLED / "datapackage.json"}
    for layout in ("files", "jsonl", "json"):
        ke.write_json(ds, root / layout, layout=layout)  # type: ignore[arg-type]
        found[layout] = root / layout / "datapackage.json"
    found["release"] = _build(None, root / "release")
    found["partitioned"] = _build(None, root / "partitioned", "--partition-by", "year")
    return found


@pytest.mark.parametrize("form", ["bundled", "files", "jsonl", "json", "release", "partitioned"])
def test_frictionless_finds_every_published_form_valid(forms: dict[str, Path], form: str) -> None:
    assert _errors(forms[form]) == []


def test_frictionless_reads_every_release_resource_as_a_table(forms: dict[str, Path]) -> None:
    """VALID because the rows were read and checked, not because nothing was read."""
    for form in ("release", "partitioned"):
        report = frictionless.validate(str(forms[form]))
        package = json.loads(forms[form].read_text(encoding="utf-8"))
        assert [task.name for task in report.tasks] == [r["name"] for r in package["resources"]]
        for task in report.tasks:
            assert task.type == "table"
            assert task.stats["rows"] > 0
            assert task.stats["fields"] > 0


def test_release_table_schemas_fit_the_official_table_schema_profile(
    forms: dict[str, Path],
) -> None:
    """``any`` fields and field-level ``missingValues`` are Table Schema v2, as the
    profile in dplib-py (the Frictionless team's) has it."""
    import importlib.resources

    import jsonschema

    dplib = pytest.importorskip("dplib", reason="dplib-py carries the official profiles")
    text = (importlib.resources.files(dplib) / "profiles/2.0/tableschema.json").read_text()
    profile = json.loads(text)
    validator = jsonschema.validators.validator_for(profile)(profile)
    for form in ("release", "partitioned"):
        package = json.loads(forms[form].read_text(encoding="utf-8"))
        for resource in package["resources"]:
            errors = [e.message for e in validator.iter_errors(resource["schema"])]
            assert errors == [], resource["name"]


def _rewrite(release: Path, name: str, change: Any) -> None:
    """Rewrite one Parquet file of a release through ``change`` and fix its hash."""
    import pyarrow.parquet as pq

    path = release / name
    pq.write_table(change(pq.read_table(path)), path)
    descriptor = json.loads((release / "datapackage.json").read_text(encoding="utf-8"))
    for resource in descriptor["resources"]:
        if resource["path"] == name:
            resource["hash"] = "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()
    (release / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")


def test_frictionless_still_checks_ranges_enums_and_patterns(
    forms: dict[str, Path], tmp_path: Path
) -> None:
    """A null latitude is fine; one out of range, a term out of the vocabulary, an id
    that breaks its pattern are not: the descriptor keeps the checks Frictionless can
    make."""
    import pyarrow as pa

    release = tmp_path / "release"
    shutil.copytree(forms["release"].parent, release)

    def damage(table: pa.Table) -> pa.Table:
        assert table.num_rows >= 3
        lat = table["location_lat"].to_pylist()
        lat[0], lat[1] = None, 123.0  # a null is fine, 123° is not
        table = table.set_column(
            table.schema.get_field_index("location_lat"), "location_lat", pa.array(lat)
        )
        status = table["verification_status"].to_pylist()
        status[0] = "rumoured"
        table = table.set_column(
            table.schema.get_field_index("verification_status"),
            "verification_status",
            pa.array(status),
        )
        ids = table["id"].to_pylist()
        ids[-1] = "EVT Not An Id"
        return table.set_column(table.schema.get_field_index("id"), "id", pa.array(ids))

    _rewrite(release, "events.parquet", damage)
    errors = _errors(release / "datapackage.json")
    joined = "\n".join(errors)
    assert len(errors) == 3, joined
    assert all(line.startswith("events: constraint-error") for line in errors), joined
    assert '"location_lat"' in joined and '"maximum" is "90"' in joined
    assert '"verification_status"' in joined and '"enum"' in joined
    assert '"id"' in joined and '"pattern"' in joined


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ds=datasets(max_events=5, with_retired=True))
def test_frictionless_finds_any_valid_dataset_valid_in_every_form(
    ds: Dataset, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Generated datasets leave every optional value out somewhere (a null float, a
    null integer, an open date, an empty list, no analyses): each form stays VALID."""
    root = tmp_path_factory.mktemp("generated")
    src = ke.write_json(ds, root / "json", layout="files")
    assert _errors(src / "datapackage.json") == []
    assert _errors(_build(src, root / "release")) == []
    assert _errors(_build(src, root / "partitioned", "--partition-by", "year")) == []
    # JSON Lines is read as a table with the columns its descriptor names. The one
    # thing frictionless-py 5 cannot read is an empty JSON Lines file (a record type
    # without records): it reports a source-error for it, and only for it.
    lines = ke.write_json(ds, root / "jsonl", layout="jsonl")
    empty = {stem for stem in ("events", "sources", "analyses", "actors") if not ds.stem(stem)}
    errors = _errors(lines / "datapackage.json")
    assert {error.split(": ")[0] for error in errors} <= empty, errors
    assert all(error.split(": ")[1] == "source-error" for error in errors), errors


def test_json_lines_columns_are_the_json_schema_properties() -> None:
    """The Table Schema of a JSON Lines resource is derived from the record type's JSON
    Schema: one field per top-level property, required where the JSON Schema says so,
    and it fits the official Table Schema v2 profile."""
    import importlib.resources

    import jsonschema

    from koreaevents.io.json_io import jsonl_table_schema

    dplib = pytest.importorskip("dplib", reason="dplib-py carries the official profiles")
    text = (importlib.resources.files(dplib) / "profiles/2.0/tableschema.json").read_text()
    profile = json.loads(text)
    validator = jsonschema.validators.validator_for(profile)(profile)
    for type_name in ("event", "source", "analysis", "actor", "retired"):
        json_schema = ke.json_schema(type_name)
        table = jsonl_table_schema(type_name)
        assert [f["name"] for f in table["fields"]] == list(json_schema["properties"])
        required = {f["name"] for f in table["fields"] if f.get("constraints", {}).get("required")}
        assert required == set(json_schema["required"])
        assert [e.message for e in validator.iter_errors(table)] == []
