"""Our datapackage.json files against the official Data Package v2 profile.

The official profile ships in ``dplib-py`` (the Frictionless Data team's package), a
test dependency: nothing is fetched. ``koreaevents validate`` checks descriptors
offline with its own rendering of the v2 rules; these tests hold it to the official
profile.
"""

from __future__ import annotations

import copy
import importlib.resources
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import koreaevents as ke

dplib = pytest.importorskip("dplib", reason="dplib-py carries the official profile")


def official_validator() -> jsonschema.Validator:
    text = (importlib.resources.files("dplib") / "profiles/2.0/datapackage.json").read_text()
    profile = json.loads(text)
    validator_class = jsonschema.validators.validator_for(profile)
    return validator_class(profile)


OFFICIAL = official_validator()


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    ds = ke.load()
    root = tmp_path_factory.mktemp("descriptors")
    folders = {}
    for layout in ("jsonl", "json", "files"):
        folders[layout] = ke.write_json(ds, root / layout, layout=layout)  # type: ignore[arg-type]
    ke.write_parquet(ds, root / "release")
    ke.write_parquet(ds, root / "partitioned", partition_by="year")
    folders["release"] = root / "release"
    folders["partitioned"] = root / "partitioned"
    folders["bundled"] = Path(__file__).resolve().parent.parent / "datasets" / "koreaevents"
    return folders


@pytest.mark.parametrize("name", ["bundled", "jsonl", "json", "files", "release", "partitioned"])
def test_every_descriptor_we_write_is_valid_under_the_official_profile(
    written: dict[str, Path], name: str
) -> None:
    descriptor = json.loads((written[name] / "datapackage.json").read_text(encoding="utf-8"))
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in OFFICIAL.iter_errors(descriptor)]
    assert errors == []


def _set(path: list[Any], value: Any) -> Callable[[dict[str, Any]], None]:
    def change(descriptor: dict[str, Any]) -> None:
        node: Any = descriptor
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    return change


def _delete(path: list[Any]) -> Callable[[dict[str, Any]], None]:
    def change(descriptor: dict[str, Any]) -> None:
        node: Any = descriptor
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]

    return change


BREAKAGES = {
    "no resources": _delete(["resources"]),
    "resources empty": _set(["resources"], []),
    "resources not a list": _set(["resources"], {"name": "events"}),
    "resource without path or data": _delete(["resources", 0, "path"]),
    "resource path leaves the package": _set(["resources", 0, "path"], "../events.jsonl"),
    "resource path absolute": _set(["resources", 0, "path"], "/etc/passwd"),
    "licenses not a list": _set(["licenses"], "CC-BY-4.0"),
    "license with neither name nor path": _set(["licenses", 0], {"title": "CC BY"}),
    "bytes not an integer": _set(["resources", 0, "bytes"], "many"),
    "hash of the wrong form": _set(["resources", 0, "hash"], "sha256:xyz"),
}


@pytest.mark.parametrize("breakage", list(BREAKAGES))
def test_what_the_official_profile_rejects_validate_rejects(
    written: dict[str, Path], tmp_path: Path, breakage: str
) -> None:
    import shutil

    target = tmp_path / "ds"
    shutil.copytree(written["jsonl"], target)
    descriptor = json.loads((target / "datapackage.json").read_text(encoding="utf-8"))
    broken = copy.deepcopy(descriptor)
    BREAKAGES[breakage](broken)
    assert list(OFFICIAL.iter_errors(broken)), f"the official profile accepts: {breakage}"
    (target / "datapackage.json").write_text(json.dumps(broken), encoding="utf-8")
    report = ke.validate(target)
    assert not report.ok
    assert "datapackage" in {issue.code for issue in report.errors}, report.issues
