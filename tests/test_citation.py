"""``CITATION.cff``: valid Citation File Format 1.2.0, and in step with what it cites.

The schema is the official CFF 1.2.0 JSON Schema, kept under ``tests/data/cff`` (see
the README there for where it comes from), so the check runs offline. The versions,
licences, titles and addresses are read from where they are defined (pyproject.toml
and the version file it names, the bundled dataset's ``datapackage.json``,
mkdocs.yml), never written into the test.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any

import jsonschema
import pytest

yaml = pytest.importorskip("yaml", reason="PyYAML reads CITATION.cff")

ROOT = Path(__file__).resolve().parent.parent
CITATION = ROOT / "CITATION.cff"
SCHEMA = Path(__file__).resolve().parent / "data" / "cff" / "schema-1.2.0.json"
BUNDLED = ROOT / "datasets" / "koreaevents" / "datapackage.json"


def _citation() -> dict[str, Any]:
    value = yaml.safe_load(CITATION.read_text(encoding="utf-8"))
    assert isinstance(value, dict)
    return value


def _pyproject() -> dict[str, Any]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _library_version() -> str:
    """The version pyproject.toml gives the package: static, or from the file hatch reads."""
    project = _pyproject()
    if "version" in project["project"]:
        return str(project["project"]["version"])
    path = ROOT / project["tool"]["hatch"]["version"]["path"]
    match = re.search(r"""^__version__\s*=\s*["']([^"']+)["']""", path.read_text(), re.M)
    assert match is not None, f"no __version__ in {path}"
    return match.group(1)


def _dataset_entry(citation: dict[str, Any]) -> dict[str, Any]:
    entries = [
        entry
        for entry in [*citation.get("references", []), citation.get("preferred-citation")]
        if isinstance(entry, dict) and entry.get("type") in ("data", "database")
    ]
    assert len(entries) == 1, "CITATION.cff should cite the dataset exactly once"
    return entries[0]


def _bundled() -> dict[str, Any]:
    value: dict[str, Any] = json.loads(BUNDLED.read_text(encoding="utf-8"))
    return value


def _repo_url() -> str:
    match = re.search(r"^repo_url:\s*(\S+)", (ROOT / "mkdocs.yml").read_text(), re.M)
    assert match is not None
    return match.group(1)


def test_citation_is_valid_cff_1_2_0() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)
    citation = _citation()
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(citation)]
    assert errors == []
    assert citation["cff-version"] == "1.2.0"


def test_the_schema_rejects_what_cff_forbids() -> None:
    """The vendored schema is the real one: it refuses a missing title and unknown keys."""
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)(schema)
    citation = _citation()
    del citation["title"]
    citation["not-a-cff-key"] = 1
    messages = " ".join(e.message for e in validator.iter_errors(citation))
    assert "'title' is a required property" in messages
    assert "not-a-cff-key" in messages


def test_library_version_and_licence_follow_pyproject() -> None:
    citation = _citation()
    assert citation["type"] == "software"
    assert citation["version"] == _library_version()
    assert citation["license"] == _pyproject()["project"]["license"]
    assert citation["repository-code"] == _repo_url()


def test_dataset_version_licence_and_title_follow_its_descriptor() -> None:
    entry = _dataset_entry(_citation())
    descriptor = _bundled()
    assert entry["version"] == descriptor["version"]
    assert entry["title"] == descriptor["title"]
    assert [entry["license"]] == [item["name"] for item in descriptor["licenses"]]
    assert entry["repository-code"] == _repo_url()
    assert entry["url"] == descriptor["homepage"]


# --- the descriptor says who made the data, from what, and since when ----------------

CITABLE = ("created", "contributors", "sources", "homepage")


def test_bundled_descriptor_is_citable() -> None:
    import datetime

    descriptor = _bundled()
    created = datetime.datetime.fromisoformat(descriptor["created"])
    assert created.tzinfo is not None  # an RFC 3339 date-time, as Data Package v2 asks
    assert descriptor["contributors"] and all(c.get("title") for c in descriptor["contributors"])
    assert descriptor["sources"] and all(s.get("title") for s in descriptor["sources"])
    assert descriptor["homepage"].startswith("https://")  # and CITATION.cff's dataset url


def test_every_written_descriptor_carries_the_citation_fields(tmp_path: Path) -> None:
    """``created`` comes from the dataset's own descriptor: JSON, a release and a
    release rebuilt from a release all say the same, and two builds are byte-identical."""
    import koreaevents as ke
    from koreaevents import cli

    expected = {key: _bundled()[key] for key in CITABLE}
    ds = ke.load()
    ke.write_json(ds, tmp_path / "json", layout="jsonl")
    assert cli.main(["build", "--out", str(tmp_path / "a")]) == 0
    assert cli.main(["build", "--out", str(tmp_path / "b"), "--partition-by", "year"]) == 0
    assert cli.main(["build", str(tmp_path / "b"), "--out", str(tmp_path / "c")]) == 0
    for name in ("json", "a", "b", "c"):
        written = json.loads((tmp_path / name / "datapackage.json").read_text(encoding="utf-8"))
        assert {key: written.get(key) for key in CITABLE} == expected, name
    assert (tmp_path / "a" / "datapackage.json").read_bytes() == (
        tmp_path / "c" / "datapackage.json"
    ).read_bytes()


def test_a_dataset_without_created_gets_none_from_the_clock(tmp_path: Path) -> None:
    import koreaevents as ke
    from koreaevents.dataset import Dataset

    bundled = ke.load()
    metadata = {k: v for k, v in bundled.metadata.items() if k != "created"}
    ds = Dataset(
        bundled.events, bundled.sources, bundled.analyses, bundled.actors, bundled.retired,
        metadata=metadata,
    )  # fmt: skip
    for out in (ke.write_parquet(ds, tmp_path / "r"), ke.write_json(ds, tmp_path / "j")):
        written = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
        assert "created" not in written
