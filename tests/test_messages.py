"""What the commands print about bad data: issues instead of tracebacks, escaped
paths and ids, record errors in words, row numbers that agree, counts that are true."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import re
import shutil
from pathlib import Path
from typing import Any

import attrs
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given
from hypothesis import strategies as st

import koreaevents as ke
from koreaevents.cli import main
from koreaevents.convert import RecordError, structure, unstructure
from koreaevents.io.paths import bundled_dataset_dir
from koreaevents.issues import DataError, Issue
from tests.query_support import event

BUNDLED = bundled_dataset_dir()
HOSTILE_ID = "evt-a\n::error file=README.md::pwned\u202eevil\x1b[2J"
HOSTILE_NAME = "we\nird\u202e::error file=a::b"


def run(*args: str | Path) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in args])
    text = out.getvalue() + err.getvalue()
    assert "Traceback" not in text
    return code, text


def assert_no_forged_line(text: str) -> None:
    """No line of the output starts a CI workflow command, and no bidi override or
    terminal escape gets through raw."""
    for line in text.splitlines():
        assert not line.startswith("::"), line
    assert "\u202e" not in text
    assert "\x1b" not in text


def small_dataset(n: int = 5) -> ke.Dataset:
    source = ke.Source(
        id="src-a",
        kind="wire_report",
        title="A",
        publisher="Wire",
        published="2024",
        reliability="B",
    )
    actor = ke.Actor(id="prk", name="North Korea", kind="state")
    events = [event(i, f"2020-01-{i + 1:02d}", title=f"Event {i}") for i in range(n)]
    return ke.Dataset(events, [source], (), [actor])


def rehash(root: Path) -> None:
    """Make the descriptor's sizes and hashes fit the files again (a rewritten release)."""
    descriptor = json.loads((root / "datapackage.json").read_text("utf-8"))
    for resource in descriptor["resources"]:
        paths = resource["path"] if isinstance(resource["path"], list) else [resource["path"]]
        if len(paths) == 1:
            data = (root / paths[0]).read_bytes()
            resource["bytes"] = len(data)
            resource["hash"] = "sha256:" + hashlib.sha256(data).hexdigest()
    (root / "datapackage.json").write_text(json.dumps(descriptor, indent=1), "utf-8")


@pytest.fixture
def release(tmp_path: Path) -> Path:
    root = tmp_path / "rel"
    ke.write_parquet(small_dataset(), root)
    return root


@pytest.fixture
def crafted(release: Path) -> tuple[Path, int]:
    """A release rewritten so that one row's id breaks the pattern: (root, its row)."""
    table = pq.read_table(release / "events.parquet")
    ids = table["id"].to_pylist()
    row = len(ids) // 2
    ids[row] = HOSTILE_ID
    index = table.schema.get_field_index("id")
    table = table.set_column(index, table.schema.field("id"), pa.array(ids, pa.string()))
    pq.write_table(table, release / "events.parquet")
    rehash(release)
    return release, row + 1


# --- F9: a resource path that is not a string --------------------------------------------


@pytest.mark.parametrize("bad", [12, None, {"a": 1}, True, [3], ["x.json", None, {}], [[]]])
def test_a_resource_path_that_is_not_a_string_is_an_issue(tmp_path: Path, bad: Any) -> None:
    root = tmp_path / "ds"
    shutil.copytree(BUNDLED, root)
    descriptor = json.loads((root / "datapackage.json").read_text("utf-8"))
    descriptor["resources"][-1]["path"] = bad
    (root / "datapackage.json").write_text(json.dumps(descriptor, indent=2), "utf-8")
    index = len(descriptor["resources"]) - 1
    code, _ = run("validate", root)
    assert code == 1
    report = ke.validate([root])
    assert not report.ok
    pointers = {i.pointer for i in report.issues if i.code == "datapackage"}
    assert any(p is not None and p.startswith(f"/resources/{index}/path") for p in pointers)


# --- F13: paths and ids from data are escaped -----------------------------------------


def test_info_escapes_the_dataset_path(tmp_path: Path) -> None:
    root = tmp_path / HOSTILE_NAME
    ke.write_parquet(small_dataset(), root)
    code, text = run("info", root)
    assert code == 0
    assert_no_forged_line(text)
    assert "we\\nird\\u202e::error" in text


def test_build_escapes_the_out_path(tmp_path: Path) -> None:
    source = tmp_path / "src"
    ke.write_json(small_dataset(), source)
    code, text = run("build", source, "--out", tmp_path / HOSTILE_NAME)
    assert code == 0
    assert_no_forged_line(text)
    assert "we\\nird\\u202e" in text


def test_query_error_escapes_a_crafted_id(crafted: tuple[Path, int]) -> None:
    root, _ = crafted
    for fmt in ("table", "csv", "json"):
        code, text = run("query", "--dataset", root, "--format", fmt)
        assert code == 1
        assert_no_forged_line(text)
        assert "evt-a\\n::error" in text


def test_data_error_keeps_each_issue_on_one_line() -> None:
    issue = Issue("schema", "bad\nvalue", path="a\nb", record_id=HOSTILE_ID, pointer="/x\n")
    text = str(DataError([issue, issue], "cannot read x\ny"))
    assert len(text.splitlines()) == 3
    assert_no_forged_line(text)


def test_query_table_escapes_titles(tmp_path: Path) -> None:
    ds = small_dataset(1)
    retitled = attrs.evolve(ds.events[0], title="A\u202e title \x1b[2J")
    root = tmp_path / "ds"
    ke.write_json(ke.Dataset([retitled], ds.sources, (), ds.actors), root)
    code, text = run("query", "--dataset", root)
    assert code == 0
    assert_no_forged_line(text)
    assert "A\\u202e title \\x1b[2J" in text


# --- F14: record errors in words, rows that agree ---------------------------------------


def test_validate_and_query_name_the_field_and_pattern(crafted: tuple[Path, int]) -> None:
    root, row = crafted
    _, validated = run("validate", root)
    _, queried = run("query", "--dataset", root, "--from", "2020-01-02")
    for text in (validated, queried):
        assert "Attribute(" not in text
        assert "_AndValidator" not in text
        assert "does not match the pattern ^evt-" in text
        assert " /id " in text
        # the row in the file, wherever the query's result starts
        assert re.findall(r"row (\d+)", text) == [str(row)]


def test_structure_names_nested_fields_in_words() -> None:
    data = unstructure(event(1, "2020-01-01"))
    data["actors"] = [{"actor": "Not An Id!", "role": "initiator"}]
    with pytest.raises(RecordError) as info:
        structure(data, ke.Event)
    ((pointer, code, message),) = info.value.problems
    assert pointer == "/actors/0/actor"
    assert code == "schema"
    assert "Attribute(" not in message and "'Not An Id!' does not match the pattern" in message


def test_structure_names_a_top_level_field() -> None:
    data = unstructure(event(1, "2020-01-01"))
    data["id"] = "EVT BAD"
    with pytest.raises(RecordError) as info:
        structure(data, ke.Event)
    ((pointer, code, message),) = info.value.problems
    assert (pointer, code) == ("/id", "schema")
    assert message.startswith("'EVT BAD' does not match the pattern ^evt-")


@given(st.text(max_size=30))
def test_a_bad_id_never_shows_a_repr_of_the_validator(bad: str) -> None:
    data = unstructure(event(1, "2020-01-01"))
    data["id"] = bad
    try:
        structure(data, ke.Event)
    except RecordError as exc:
        for pointer, _code, message in exc.problems:
            assert pointer.startswith("/id") or pointer == ""
            assert "Attribute(" not in message and "validator" not in message


# --- F17: bytes that is not an integer, the count of files ---------------------------


@pytest.mark.parametrize("size", [1e30, 12.5, "12", True])
def test_bytes_that_is_not_an_integer_is_an_issue(release: Path, size: Any) -> None:
    descriptor = json.loads((release / "datapackage.json").read_text("utf-8"))
    descriptor["resources"][0]["bytes"] = size
    (release / "datapackage.json").write_text(json.dumps(descriptor), "utf-8")
    report = ke.validate([release])
    assert not report.ok
    assert any(i.pointer == "/resources/0/bytes" for i in report.issues)


def test_validate_counts_the_files_of_a_parquet_release(release: Path) -> None:
    descriptor = json.loads((release / "datapackage.json").read_text("utf-8"))
    listed = [
        p
        for r in descriptor["resources"]
        for p in (r["path"] if isinstance(r["path"], list) else [r["path"]])
    ]
    report = ke.validate([release])
    assert report.ok
    assert report.files == len(listed) + 1  # and datapackage.json
    code, text = run("validate", release)
    assert code == 0
    assert f"from {len(listed) + 1} file(s)" in text
