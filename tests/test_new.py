"""``koreaevents new``: a skeleton with every required field, placeholders that validate
reports where they are, in the dataset's own layout; and the messages that help fill it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import koreaevents as ke
from koreaevents import cli
from koreaevents.issues import ISSUE_KINDS
from koreaevents.records import RECORD_TYPES
from koreaevents.schema import json_schema
from koreaevents.skeleton import is_placeholder, placeholders, skeleton
from tests import strategies

TYPES = {"event": "evt-2024-02-01-new", "source": "src-new", "analysis": "ana-new", "actor": "new"}


def _run(*argv: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _dataset(tmp_path: Path, layout: str = "files") -> Path:
    root = tmp_path / "data"
    ke.write_json(ke.load(), root, layout=layout)  # type: ignore[arg-type]
    return root


def _required(schema: dict[str, Any], node: dict[str, Any], prefix: str = "") -> set[str]:
    """Pointers of every required field, following references and first list items."""
    while "$ref" in node:
        node = schema["$defs"][node["$ref"].rpartition("/")[2]]
    found: set[str] = set()
    if node.get("type") == "array" and node.get("minItems", 0) > 0:
        return _required(schema, node["items"], f"{prefix}/0") | {prefix, f"{prefix}/0"}
    for name in node.get("required", ()):
        pointer = f"{prefix}/{name}"
        found |= {pointer} | _required(schema, node["properties"][name], pointer)
    return found


def _pointers(value: Any, prefix: str = "") -> set[str]:
    found = {prefix} if prefix else set()
    if isinstance(value, dict) and not is_placeholder(value):
        for key, item in value.items():
            found |= _pointers(item, f"{prefix}/{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found |= _pointers(item, f"{prefix}/{index}")
    return found


@pytest.mark.parametrize("type_name", sorted(TYPES))
def test_a_skeleton_holds_every_required_field_and_validate_names_each_placeholder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], type_name: str
) -> None:
    root = _dataset(tmp_path)
    record_id = TYPES[type_name]
    code, out, err = _run(
        "new", type_name, "--id", record_id, "--dataset", str(root), capsys=capsys
    )
    assert code == 0, err
    stem = RECORD_TYPES[type_name].STEM
    path = root / stem / f"{record_id}.json"
    assert out == f"{path}\n"
    data = json.loads(path.read_text("utf-8"))
    schema = json_schema(type_name)
    derived = {"/date/earliest", "/date/latest"}  # fmt fills them from /date/edtf
    assert _pointers(data) == _required(schema, schema) - derived
    report = ke.validate(root)
    assert {issue.code for issue in report.errors} == {"placeholder"}
    assert [i.pointer for i in report.errors] == list(placeholders(data))
    for issue in report.errors:
        assert issue.path == str(path) and issue.record_id == record_id
        assert issue.message.startswith("placeholder to fill in: ")
    assert not any(issue.code == "not-listed" for issue in report.issues)  # listed already
    with pytest.raises(ke.DataError):
        ke.load(root)


def test_the_placeholder_message_says_what_goes_there(tmp_path: Path) -> None:
    root = _dataset(tmp_path)
    assert cli.main(["new", "event", "--id", "evt-x", "--dataset", str(root)]) == 0
    issues = {i.pointer: i.message for i in ke.validate(root).errors}
    assert "reported" in issues["/verification/status"]  # the allowed terms
    assert "EDTF" in issues["/date/edtf"] and "koreaevents fmt" in issues["/date/edtf"]
    assert "Id of the source" in issues["/citations/0/source"]


@pytest.mark.parametrize("layout", ["jsonl", "json"])
def test_in_a_single_file_layout_the_skeleton_is_appended(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], layout: str
) -> None:
    root = _dataset(tmp_path, layout)
    before = (root / f"sources.{layout}").read_bytes()
    code, out, _err = _run(
        "new", "source", "--id", "src-new", "--dataset", str(root), capsys=capsys
    )
    assert code == 0
    assert out == f"{root / f'sources.{layout}'}\n"
    after = (root / f"sources.{layout}").read_bytes()
    if layout == "jsonl":
        assert after.startswith(before)
    ids = [item["id"] for item in _records(root / f"sources.{layout}")]
    assert ids[-1] == "src-new" and len(ids) == len(ke.load().sources) + 1
    assert {i.code for i in ke.validate(root).errors} == {"placeholder"}


def _records(path: Path) -> list[dict[str, Any]]:
    text = path.read_text("utf-8")
    if path.suffix == ".jsonl":
        return [json.loads(line) for line in text.split("\n") if line]
    value: list[dict[str, Any]] = json.loads(text)
    return value


def test_an_id_in_use_or_retired_exits_1_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _dataset(tmp_path)
    taken = ke.load().events[0].id
    before = sorted(p.name for p in root.rglob("*"))
    descriptor = (root / "datapackage.json").read_bytes()
    code, out, err = _run("new", "event", "--id", taken, "--dataset", str(root), capsys=capsys)
    assert code == 1 and out == "" and "already used" in err
    retired = root / "retired.jsonl"
    retired.write_text(
        json.dumps({"id": "evt-gone", "retired_in": "0.1.0", "reason": "merged"}) + "\n",
        encoding="utf-8",
    )
    code, _out, err = _run(
        "new", "event", "--id", "evt-gone", "--dataset", str(root), capsys=capsys
    )
    assert code == 1 and "retired" in err
    retired.unlink()
    (root / "datapackage.json").write_bytes(descriptor)
    assert sorted(p.name for p in root.rglob("*")) == before


@pytest.mark.parametrize(
    ("type_name", "bad", "hint"),
    [
        ("event", "EVT-Big-Day", "'evt-big-day'"),
        ("event", "2024-01-01-no-prefix", "'evt-2024-01-01-no-prefix'"),
        ("actor", "evt-not-an-actor", "actor"),
        ("source", "", "empty"),
    ],
)
def test_a_bad_id_exits_2_with_a_clear_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], type_name: str, bad: str, hint: str
) -> None:
    root = _dataset(tmp_path)
    before = sorted(p.name for p in root.rglob("*"))
    code, _out, err = _run("new", type_name, "--id", bad, "--dataset", str(root), capsys=capsys)
    assert code == 2
    assert "not a valid" in err and hint in err and "Traceback" not in err
    assert sorted(p.name for p in root.rglob("*")) == before


def test_new_outside_a_dataset_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = _run(
        "new", "event", "--id", "evt-x", "--dataset", str(tmp_path), capsys=capsys
    )
    assert code == 2 and "--dataset" in err
    assert list(tmp_path.iterdir()) == []


def test_filled_then_fmt_then_validate_is_valid(tmp_path: Path) -> None:
    """The contributor's path: new, fill the placeholders, fmt, validate."""
    root = _dataset(tmp_path)
    record_id = "evt-2024-02-01-filled"
    assert cli.main(["new", "event", "--id", record_id, "--dataset", str(root)]) == 0
    path = root / "events" / f"{record_id}.json"
    data = json.loads(path.read_text("utf-8"))
    ds = ke.load()
    data["title"] = "A test event"
    data["event_type"] = "missile_launch"
    data["date"]["edtf"] = "2024-02-01~"
    data["actors"][0] = {"actor": ds.actors[0].id, "role": "initiator"}
    data["location"] = {"name": "Somewhere", "precision": "country"}
    data["citations"][0]["source"] = ds.sources[0].id
    data["verification"]["status"] = "reported"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert {i.code for i in ke.validate(root).errors} == {"schema"}  # the bounds, not yet
    assert cli.main(["fmt", str(root)]) == 0
    report = ke.validate(root)
    assert report.ok and not report.issues, report.issues
    event = ke.load(root).get(record_id)
    assert str(event.date.earliest) == str(event.date.latest) == "2024-02-01"


def test_placeholder_is_a_catalogued_issue_code() -> None:
    assert ISSUE_KINDS["placeholder"].severity == "error"
    page = (Path(__file__).resolve().parent.parent / "docs" / "issue-codes.md").read_text("utf-8")
    assert "`placeholder`" in page


@pytest.mark.parametrize("type_name", sorted(TYPES))
def test_every_placeholder_fails_the_schema(type_name: str) -> None:
    """Whatever the field's type, a placeholder is never a valid value."""
    from koreaevents.io.reading import RawRecord
    from koreaevents.validation.checks import RecordChecker

    data = skeleton(type_name, TYPES[type_name])
    raw = RawRecord("x.json", 1, 1, RECORD_TYPES[type_name].STEM, data)
    issues = RecordChecker().check(type_name, raw)
    assert sorted(i.pointer or "" for i in issues) == sorted(placeholders(data))


# --- messages that do the work ------------------------------------------------------------


def test_a_dangling_reference_names_the_nearest_ids(tmp_path: Path) -> None:
    root = _dataset(tmp_path, "jsonl")
    source = ke.load().sources[0].id
    events = _records(root / "events.jsonl")
    events[0]["citations"][0]["source"] = source + "x"
    (root / "events.jsonl").write_text(
        "".join(json.dumps(e) + "\n" for e in events), encoding="utf-8"
    )
    issues = [i for i in ke.validate(root).errors if i.code == "dangling-reference"]
    assert len(issues) == 1
    assert f"did you mean {source!r}" in issues[0].message


def test_query_actor_in_capitals_suggests_the_id(capsys: pytest.CaptureFixture[str]) -> None:
    actor = ke.load().actors[0].id
    code, _out, err = _run("query", "--actor", actor.upper(), capsys=capsys)
    assert code == 2
    assert f"did you mean {actor!r}" in err


def test_an_unknown_tag_is_an_error_naming_the_nearest_tags(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tags = sorted({tag for event in ke.load().events for tag in event.tags})
    assert tags, "the bundled events carry tags"
    code, out, err = _run("query", "--tag", tags[0] + "s", capsys=capsys)
    assert code == 2 and out == ""
    assert "unknown tag" in err and repr(tags[0]) in err
    code, out, _err = _run("query", "--tag", tags[0], "--count", capsys=capsys)
    assert code == 0 and int(out) > 0
    release = tmp_path / "release"
    ke.write_parquet(ke.load(), release)
    with pytest.raises(ValueError, match="unknown tag"):
        ke.events_between(release, tag=tags[0] + "s")
    assert ke.events_between(release, tag=tags[0]).num_rows == int(out)


def test_a_type_without_records_gets_a_folder_in_a_dataset_of_folders(tmp_path: Path) -> None:
    bundled = ke.load()
    root = tmp_path / "data"
    ke.write_json(ke.Dataset(bundled.events, bundled.sources, (), bundled.actors), root, "files")
    assert json.loads((root / "analyses.json").read_text("utf-8")) == []
    assert cli.main(["new", "analysis", "--id", "ana-new", "--dataset", str(root)]) == 0
    assert (root / "analyses" / "ana-new.json").is_file()
    assert not (root / "analyses.json").exists()
    assert {i.code for i in ke.validate(root).issues} == {"placeholder"}


def _leaves(value: Any, prefix: str = "") -> list[str]:
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _leaves(v, f"{prefix}/{k}")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _leaves(v, f"{prefix}/{i}")]
    return [prefix]


def _replace(value: Any, parts: list[str], new: Any) -> Any:
    if not parts:
        return new
    head, rest = parts[0], parts[1:]
    if isinstance(value, list):
        copy = list(value)
        copy[int(head)] = _replace(copy[int(head)], rest, new)
        return copy
    return {**value, head: _replace(value[head], rest, new)}


@settings(max_examples=60, deadline=None)
@given(strategies.records, st.data())
def test_a_placeholder_anywhere_is_reported_there_and_nothing_else_is(
    record: Any, data: st.DataObject
) -> None:
    """Whatever the field (text, term, date, number, id, list item), a placeholder in
    it is reported as a placeholder at its pointer, and is never a valid value."""
    from koreaevents.convert import unstructure
    from koreaevents.io.reading import RawRecord
    from koreaevents.skeleton import placeholder
    from koreaevents.validation.checks import RecordChecker

    plain = unstructure(record)
    pointer = data.draw(st.sampled_from([p for p in _leaves(plain) if p != "/id"]))
    changed = _replace(plain, pointer[1:].split("/"), placeholder("fill me"))
    raw = RawRecord("x.json", 1, 1, record.STEM, changed)
    issues = RecordChecker().check(record.TYPE, raw)
    assert [i.pointer for i in issues if i.code == "placeholder"] == [pointer]
    assert not [i for i in issues if i.pointer == pointer and i.code != "placeholder"]
