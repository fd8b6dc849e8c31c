"""Tests for ke.validate, its reporters and `koreaevents validate`."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

import koreaevents as ke
from koreaevents.cli import main
from koreaevents.io.paths import bundled_dataset_dir
from koreaevents.issues import ISSUE_KINDS
from koreaevents.validation import ValidationReport
from koreaevents.validation.checks import compile_offline
from koreaevents.validation.codes_page import render
from koreaevents.validation.reporters import format_github, format_json, format_text

HERE = Path(__file__).parent
BAD = HERE / "bad"
CORPUS = BAD / "validate"
CASES: dict[str, dict[str, Any]] = json.loads((CORPUS / "expected.json").read_text("utf-8"))
READER_EXPECTED: dict[str, list[dict[str, Any]]] = json.loads(
    (BAD / "expected.json").read_text("utf-8")
)
BUNDLED = bundled_dataset_dir()


def run_cli(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    err = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["validate", *args])
    assert "Traceback" not in out.getvalue() + err.getvalue()
    return code, out.getvalue() + err.getvalue()


def located(report: ValidationReport, base: Path) -> list[tuple[Any, ...]]:
    return [
        (
            issue.code,
            os.path.relpath(issue.path, base) if issue.path else None,
            issue.line,
            issue.pointer,
            issue.record_id,
        )
        for issue in report.issues
    ]


def assert_sane(report: ValidationReport) -> None:
    for issue in report.issues:
        assert issue.code in ISSUE_KINDS, issue
        assert issue.message.strip(), issue
        assert "unexpected error" not in issue.message, issue
        assert issue.line is None or issue.line >= 1
        assert issue.pointer is None or issue.pointer == "" or issue.pointer.startswith("/")


# --- the corpus of bad files -------------------------------------------------------------


@pytest.mark.parametrize("case", sorted(CASES))
def test_corpus_case_gives_its_code_and_location(case: str) -> None:
    spec = CASES[case]
    base = CORPUS / case
    report = ke.validate([base / p for p in spec["paths"]], record_type=spec.get("type"))
    want = [(i["code"], i["path"], i["line"], i["pointer"], i["record_id"]) for i in spec["issues"]]
    assert located(report, base) == want
    assert report.ok is spec.get("ok", False)
    assert_sane(report)


@pytest.mark.parametrize("case", sorted(CASES))
def test_corpus_case_through_the_cli(case: str) -> None:
    spec = CASES[case]
    base = CORPUS / case
    args = [str(base / p) for p in spec["paths"]] + ["--format", "json"]
    if spec.get("type"):
        args += ["--type", spec["type"]]
    code, out = run_cli(*args)
    assert code == (0 if spec.get("ok") else 1)
    issues = json.loads(out)["issues"]
    got = [(i["code"], os.path.relpath(i["path"], base), i["line"], i["pointer"]) for i in issues]
    assert got == [(i["code"], i["path"], i["line"], i["pointer"]) for i in spec["issues"]]


@pytest.mark.parametrize("name", sorted(READER_EXPECTED))
def test_reader_corpus_through_validate(name: str) -> None:
    """Each raw-reader corpus file gives its expected code and location via validate.

    The corpus records are stubs (``{"id": "evt-a"}``), so read as events they also
    fail the schema; the reader's issues must all be there, in order.
    """
    report = ke.validate(BAD / name, record_type="event")
    got = [(i.code, i.line, i.column) for i in report.issues if i.code != "schema"]
    want = [(e["code"], e["line"], e.get("column")) for e in READER_EXPECTED[name]]
    assert got == want
    assert_sane(report)
    code, out = run_cli(str(BAD / name), "--type", "event", "--format", "json")
    cli = [(i["code"], i["line"], i["column"]) for i in json.loads(out)["issues"]]
    assert [c for c in cli if c[0] != "schema"] == want
    assert code == (0 if report.ok else 1)


# --- valid data --------------------------------------------------------------------------


def test_bundled_dataset_is_valid(bundled: ke.Dataset) -> None:
    report = ke.validate(BUNDLED)
    assert report.ok and report.issues == ()
    assert report.records == len(list(bundled.records()))
    code, out = run_cli(str(BUNDLED))
    assert code == 0 and out.startswith("valid:")


@pytest.mark.parametrize("layout", ["jsonl", "json", "files"])
def test_write_json_output_is_valid(bundled: ke.Dataset, tmp_path: Path, layout: str) -> None:
    out = ke.write_json(bundled, tmp_path / "out", layout=layout)  # type: ignore[arg-type]
    report = ke.validate(out)
    assert report.issues == ()
    assert report.records == len(list(bundled.records()))


def test_single_files_do_not_check_references_to_types_not_given(tmp_path: Path) -> None:
    ds = ke.write_json(ke.load(), tmp_path / "ds", layout="jsonl")
    assert ke.validate(ds / "events.jsonl").issues == ()
    assert ke.validate(ds / "analyses.jsonl").issues == ()
    # Given together, analyses' references to events are checked, and resolve.
    assert ke.validate(ds / "events.jsonl", ds / "analyses.jsonl").issues == ()


# --- a realistic dataset with one of each mistake ----------------------------------------


def test_realistic_dataset_with_one_of_each_mistake(tmp_path: Path) -> None:
    root = tmp_path / "ds"
    shutil.copytree(BUNDLED, root)
    events = root / "events"

    def edit(path: Path, change: Any) -> None:
        data = json.loads(path.read_text("utf-8"))
        change(data)
        path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", "utf-8")

    typo = events / "evt-2024-01-30-hwasal-2-cruise-missile-drill.json"
    edit(typo, lambda d: d.update(event_type="missle_launch"))
    bounds = events / "evt-2024-02-14-padasuri-6-wonsan.json"
    edit(bounds, lambda d: d["date"].update(latest="2024-02-15"))
    dangling = root / "analyses" / "ana-2024-01-24-pressure-plus-readiness.json"
    edit(dangling, lambda d: d["citations"][0].update(source="src-nowhere"))
    twin = events / "evt-2099-01-01-copy.json"
    shutil.copy(events / "evt-2023-12-17-srbm-east-sea.json", twin)
    (root / "notes.md").write_text("stray\n", "utf-8")
    edit(root / "datapackage.json", lambda d: d.update(version="v1"))
    dupkey = events / "evt-2024-01-28-submarine-cruise-missiles-sinpo.json"
    dupkey.write_text(
        dupkey.read_text("utf-8").replace('"title": ', '"title": "x",\n  "title": ', 1), "utf-8"
    )

    report = ke.validate(root)
    got = sorted((i.code, Path(i.path or "").name, i.pointer) for i in report.issues)
    assert got == sorted(
        [
            ("datapackage", "datapackage.json", "/version"),
            ("unknown-file", "notes.md", None),
            ("duplicate-key", dupkey.name, "/title"),
            ("schema", typo.name, "/event_type"),
            ("date-bounds", bounds.name, "/date/latest"),
            ("duplicate-id", twin.name, "/id"),
            ("file-name", twin.name, "/id"),  # the copy holds another file's record
            ("not-listed", "datapackage.json", "/resources"),  # the copy was added by hand
            ("dangling-reference", dangling.name, "/citations/0/source"),
        ]
    )
    by_code = {i.code: i for i in report.issues}
    assert "evt-2023-12-17-srbm-east-sea.json" in by_code["duplicate-id"].message
    assert "src-nowhere" in by_code["dangling-reference"].message
    assert "'2024-02-14'" in by_code["date-bounds"].message
    assert "did you mean 'missile_launch'" in by_code["schema"].message
    typo_line = next(
        n
        for n, line in enumerate(typo.read_text("utf-8").splitlines(), 1)
        if '"event_type"' in line
    )
    assert by_code["schema"].line == typo_line
    assert_sane(report)
    code, out = run_cli(str(root))
    assert code == 1
    assert "INVALID: 7 error(s)" in out


def test_every_schema_error_of_a_record_is_reported(tmp_path: Path) -> None:
    event = json.loads((BUNDLED / "events/evt-2023-12-17-srbm-east-sea.json").read_text())
    del event["title"]
    event["event_type"] = 5
    event["location"]["lat"] = 100
    event["verification"]["status"] = "confirmed"
    event["extra"] = True
    event.pop("related", None)
    path = tmp_path / "events.jsonl"
    path.write_text(json.dumps(event) + "\n")
    pointers = sorted(i.pointer or "" for i in ke.validate(path).issues)
    assert pointers == [
        "/event_type",
        "/extra",
        "/location/lat",
        "/title",
        "/verification/status",
    ]


# --- reporters ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mixed_report(tmp_path_factory: pytest.TempPathFactory) -> ValidationReport:
    raw = (CORPUS / "bom/events.jsonl").read_bytes().replace(b"drill-1", b"drill-bom")
    bom = tmp_path_factory.mktemp("bom") / "events.jsonl"
    bom.write_bytes(raw)
    return ke.validate(CORPUS / "schema_enum/events.jsonl", bom)


def test_json_reporter_has_the_documented_shape(mixed_report: ValidationReport) -> None:
    data = json.loads(format_json(mixed_report))
    assert set(data) == {"version", "ok", "paths", "summary", "issues"}
    assert data["version"] == 1 and data["ok"] is False
    assert set(data["summary"]) == {
        "records",
        "files",
        "errors",
        "warnings",
        "by_code",
        "stopped",
        "max_errors",
    }
    assert data["summary"]["by_code"] == {"bom": 1, "schema": 1}
    for issue in data["issues"]:
        assert list(issue) == [
            "path",
            "line",
            "column",
            "record_id",
            "pointer",
            "code",
            "severity",
            "message",
        ]
    docs = (HERE.parent / "docs" / "issue-codes.md").read_text("utf-8")
    for key in data["summary"]:
        assert f'"{key}"' in docs


def test_text_reporter_lines_and_summary(mixed_report: ValidationReport) -> None:
    text = format_text(mixed_report)
    lines = text.splitlines()
    assert re.fullmatch(
        r".*schema_enum/events\.jsonl:2: evt-2024-01-30-drill-2 /event_type \[schema\] "
        r"'missle_launch' is not an accepted value: .*",
        lines[0],
    )
    assert re.fullmatch(r".*/events\.jsonl:1:1: \[bom warning\] .*", lines[2])
    assert lines[-1].startswith("INVALID: 1 error(s), 1 warning(s) in 3 record(s)")


def test_github_reporter_annotations(mixed_report: ValidationReport) -> None:
    lines = format_github(mixed_report).splitlines()
    assert re.fullmatch(
        r"::error file=[^,]*schema_enum/events\.jsonl,line=2,title=koreaevents \[schema\]::"
        r"evt-2024-01-30-drill-2 /event_type: 'missle_launch' .*",
        lines[0],
    )
    assert lines[1].startswith("::warning file=") and ",line=1,col=1," in lines[1]
    assert lines[-1].startswith("INVALID")


def test_github_reporter_escapes_newlines_and_separators() -> None:
    issue = ke.Issue("schema", "bad\nvalue 100%", path="a,b:c.jsonl", line=3)
    out = format_github(ValidationReport(issues=(issue,)))
    assert out.splitlines()[0] == (
        "::error file=a%2Cb%3Ac.jsonl,line=3,title=koreaevents [schema]::bad%0Avalue 100%25"
    )


# --- exit codes and options --------------------------------------------------------------


def test_exit_codes(tmp_path: Path) -> None:
    assert run_cli(str(BUNDLED))[0] == 0
    assert run_cli(str(CORPUS / "schema_enum/events.jsonl"))[0] == 1
    code, out = run_cli(str(tmp_path / "missing.jsonl"))
    assert code == 2 and "no such file" in out
    assert run_cli()[0] == 2  # no path: usage
    assert run_cli(str(BUNDLED), "--format", "xml")[0] == 2
    assert run_cli(str(BUNDLED), "--max-errors", "-1")[0] == 2
    assert run_cli(str(BUNDLED), "--type", "thing")[0] == 2


def test_max_errors_stops_and_says_so(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_text("{bad\n" * 50)
    report = ke.validate(path, max_errors=5)
    assert len(report.errors) == 5 and report.stopped
    code, out = run_cli(str(path), "--max-errors", "3")
    assert code == 1 and "stopped after 3 error(s)" in out
    assert out.count("[json-syntax]") == 3
    assert len(ke.validate(path).errors) == 50
    with pytest.raises(ValueError):
        ke.validate(path, max_errors=0)
    with pytest.raises(ValueError):
        ke.validate(path, record_type="thing")
    with pytest.raises(ValueError):
        ke.validate()


def test_unknown_type_without_type_option(tmp_path: Path) -> None:
    path = tmp_path / "contribution.jsonl"
    shutil.copy(CORPUS / "typed/contribution.jsonl", path)
    report = ke.validate(path)
    assert [i.code for i in report.issues] == ["unknown-file"]
    assert "--type" in report.issues[0].message
    # --type is for names that say nothing: a file named events.jsonl holds events.
    misplaced = CORPUS / "misplaced_type/events.jsonl"
    assert ke.validate(misplaced, record_type="source") == ke.validate(misplaced)


# --- hostile input -----------------------------------------------------------------------


def test_hostile_inputs_never_crash(tmp_path: Path) -> None:
    (tmp_path / "deep.jsonl").write_bytes(b"[" * 200_000 + b"]" * 200_000 + b"\n")
    (tmp_path / "deep.json").write_bytes(b'{"a":' * 200_000 + b"1" + b"}" * 200_000)
    big = {"id": "evt-big", "title": "x" * 20_000_000}
    (tmp_path / "big.jsonl").write_bytes(orjson.dumps(big) + b"\n")
    (tmp_path / "nul.jsonl").write_bytes(b'{"id": "evt-\x00"}\n')
    (tmp_path / "trunc.jsonl").write_bytes(b'{"id": "evt-a", "title": "A')
    (tmp_path / "empty.jsonl").write_bytes(b"")
    (tmp_path / "latin1.json").write_bytes(b'{"id": "caf\xe9"}')
    loop = tmp_path / "loop.jsonl"
    os.symlink(loop, loop)
    report = ke.validate(sorted(tmp_path.iterdir()), record_type="event")
    assert_sane(report)
    codes = {Path(i.path or "").name: i.code for i in report.issues if i.code != "schema"}
    assert codes["deep.jsonl"] == "too-large"
    assert codes["deep.json"] == "too-large"
    assert codes["nul.jsonl"] == "encoding"
    assert codes["trunc.jsonl"] == "json-syntax"
    assert codes["empty.jsonl"] == "empty-file"
    assert codes["latin1.json"] == "encoding"
    assert codes["loop.jsonl"] == "io"
    big_issue = next(i for i in report.issues if Path(i.path or "").name == "big.jsonl")
    assert len(big_issue.message) < 1000
    assert run_cli(str(loop))[0] == 2


def test_streaming_keeps_memory_well_below_the_file_size(tmp_path: Path) -> None:
    import tracemalloc

    event = json.loads((BUNDLED / "events/evt-2023-12-17-srbm-east-sea.json").read_text())
    event.pop("related", None)
    path = tmp_path / "events.jsonl"
    with path.open("wb") as out:
        for index in range(10_000):
            event["id"] = f"evt-2023-12-17-copy-{index}"
            out.write(orjson.dumps(event) + b"\n")
    size = path.stat().st_size
    tracemalloc.start()
    try:
        report = ke.validate(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert report.ok and report.records == 10_000
    assert peak < size / 4, (peak, size)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads unreadable files")
def test_unreadable_file_is_an_io_error(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_text("{}\n")
    path.chmod(0)
    report = ke.validate(path)
    assert [i.code for i in report.issues] == ["io"]
    assert run_cli(str(path))[0] == 2


def test_symlink_loop_inside_a_dataset(tmp_path: Path) -> None:
    root = tmp_path / "ds"
    shutil.copytree(BUNDLED, root)
    os.symlink(root / "events" / "loop.json", root / "events" / "loop.json")
    report = ke.validate(root)
    assert [(i.code, Path(i.path or "").name) for i in report.issues] == [("io", "loop.json")]
    assert run_cli(str(root))[0] == 2


def test_remote_refs_are_never_fetched() -> None:
    calls: list[str] = []
    schema = {"$ref": "https://example.invalid/schema.json"}
    with pytest.raises(Exception, match=r"offline|remote"):
        validator = compile_offline(schema)
        calls.append("compiled")
        validator.is_valid({})
    assert calls == []


def test_parquet_release_is_recognised_and_its_hashes_checked(
    bundled: ke.Dataset, tmp_path: Path
) -> None:
    root = ke.write_parquet(bundled, tmp_path / "built")
    report = ke.validate(root)
    assert report.issues == () and report.ok
    assert report.records == len(bundled)
    events = Path(root) / "events.parquet"
    data = bytearray(events.read_bytes())
    data[len(data) // 2] ^= 0xFF  # same size, different bytes
    events.write_bytes(bytes(data))
    report = ke.validate(root)
    assert not report.ok
    assert [(i.code, Path(i.path or "").name) for i in report.errors][:1] == [
        ("datapackage", "events.parquet")
    ]
    assert "after the build" in report.errors[0].message


def test_validate_and_load_agree_on_a_release(bundled: ke.Dataset, tmp_path: Path) -> None:
    root = Path(ke.write_parquet(bundled, tmp_path / "built"))
    # a stray copy and a backup: no reader reads them, validate names them
    (root / "events.parquet~").write_bytes((root / "events.parquet").read_bytes())
    (root / "NOTES.md").write_text("mine")
    report = ke.validate(root)
    assert report.ok
    assert sorted((i.code, Path(i.path or "").name) for i in report.issues) == [
        ("not-listed", "NOTES.md"),
        ("not-listed", "events.parquet~"),
    ]
    assert ke.load(root) == bundled
    # a zero-byte file whose descriptor entry is made to match: load refuses, so does validate
    import hashlib
    import json

    empty = root / "actors.parquet"
    empty.write_bytes(b"")
    package = json.loads((root / "datapackage.json").read_text())
    for resource in package["resources"]:
        if resource["path"] == "actors.parquet":
            resource["bytes"] = 0
            resource["hash"] = "sha256:" + hashlib.sha256(b"").hexdigest()
    (root / "datapackage.json").write_text(json.dumps(package))
    report = ke.validate(root)
    with pytest.raises(ke.DataError):
        ke.load(root)
    assert not report.ok
    assert any("actors.parquet" in (i.path or "") for i in report.errors)


# --- fuzzing -----------------------------------------------------------------------------


@given(st.binary(max_size=400), st.sampled_from(["events.jsonl", "events.json", "x.json"]))
def test_random_bytes_give_issues_never_exceptions(data: bytes, name: str) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        report = ke.validate(path)
        assert_sane(report)
        format_text(report)
        format_github(report)
        json.loads(format_json(report))


_EVENT = json.loads((BUNDLED / "events/evt-2024-01-24-cruise-missiles-yellow-sea.json").read_text())
_JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            found += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _paths(child, (*prefix, index))
    return found


_EVENT_PATHS = _paths(_EVENT)[1:]


@given(st.lists(st.tuples(st.sampled_from(_EVENT_PATHS), _JSON_VALUES), min_size=1, max_size=4))
def test_mutated_records_give_located_issues(changes: list[tuple[tuple[Any, ...], Any]]) -> None:
    import copy
    import tempfile

    event = copy.deepcopy(_EVENT)
    for path, value in changes:
        node = event
        try:
            for step in path[:-1]:
                node = node[step]
            node[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue
    with tempfile.TemporaryDirectory() as tmp:
        for name, data in (
            ("events.jsonl", json.dumps(event) + "\n"),
            ("events.json", json.dumps([event], indent=2)),
        ):
            path = Path(tmp) / name
            path.write_text(data, "utf-8")
            report = ke.validate(path)
            assert_sane(report)
            for issue in report.issues:
                assert issue.code in {"schema", "date-bounds", "dangling-reference", "json-syntax"}
                assert issue.line is not None and issue.line >= 1


_LONE_EVENT = {key: value for key, value in _EVENT.items() if key != "related"}
_EVENT_LINE = orjson.dumps(_LONE_EVENT)


@given(
    st.lists(
        st.tuples(st.integers(0, len(_EVENT_LINE)), st.integers(0, 8), st.binary(max_size=6)),
        min_size=1,
        max_size=4,
    ),
    st.sampled_from(["events.jsonl", "events.json"]),
)
def test_byte_edits_of_a_valid_record_give_issues_never_exceptions(
    edits: list[tuple[int, int, bytes]], name: str
) -> None:
    import tempfile

    data = bytearray(_EVENT_LINE)
    for at, cut, insert in edits:
        data[at : at + cut] = insert
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(bytes(data) + b"\n")
        report = ke.validate(path)
        assert_sane(report)
        try:
            parsed = orjson.loads(bytes(data))
        except orjson.JSONDecodeError:
            parsed = None
        if parsed is None and bytes(data).strip():
            assert {i.code for i in report.issues} & {"json-syntax", "encoding", "too-large"}
        # The same record again (a key given twice would add a ":"): still valid.
        if parsed == _LONE_EVENT and data.count(b":") == _EVENT_LINE.count(b":"):
            assert report.ok


# --- the documentation -------------------------------------------------------------------


def test_issue_codes_page_is_current() -> None:
    page = HERE.parent / "docs" / "issue-codes.md"
    text = page.read_text("utf-8")
    assert render(text) == text, "stale: run python -m koreaevents.validation.codes_page"
    for code in ISSUE_KINDS:
        assert f"`{code}`" in text


# --- the reference index -----------------------------------------------------------------


def test_reference_index_gives_the_same_issues_for_dicts_and_records(
    bundled: ke.Dataset,
) -> None:
    from koreaevents.convert import unstructure
    from koreaevents.references import Located, ReferenceIndex

    records = list(bundled.records())
    from_records, from_dicts, selective = (
        ReferenceIndex(),
        ReferenceIndex(),
        ReferenceIndex(targets={"source"}),
    )
    for number, record in enumerate(records):
        data = unstructure(record)
        if number == 3:  # a second record with an id already used
            from_records.add(record.TYPE, record, Located("x.json", 1))
            from_dicts.add(record.TYPE, data, Located("x.json", 1))
        from_records.add(record.TYPE, record, Located("a.json", number + 1))
        from_dicts.add(record.TYPE, data, Located("a.json", number + 1))
        selective.add(record.TYPE, data, Located("a.json", number + 1))
    event = bundled.events[0]
    broken = unstructure(event)
    broken["id"] = "evt-broken"
    broken["citations"][0]["source"] = "src-nowhere"
    broken["actors"][0]["actor"] = "nobody"
    for index in (from_dicts, selective):
        index.add("event", broken, Located("b.jsonl", 7))
    object_issues = from_records.issues()
    dict_issues = from_dicts.issues()
    assert [i.code for i in object_issues] == ["duplicate-id"]
    assert dict_issues[0] == object_issues[0]
    assert [(i.code, i.pointer, i.path, i.line) for i in dict_issues[1:]] == [
        ("dangling-reference", "/actors/0/actor", "b.jsonl", 7),
        ("dangling-reference", "/citations/0/source", "b.jsonl", 7),
    ]
    # An index told to collect only references to sources reports only those.
    assert [(i.code, i.pointer) for i in selective.issues()] == [
        ("dangling-reference", "/citations/0/source")
    ]
    assert from_dicts.type_of("evt-broken") == "event" and len(from_dicts) == len(records) + 2


def test_a_dataset_directory_with_some_types_checks_only_references_to_those(
    tmp_path: Path,
) -> None:
    """CONTRACT: references to the record types not given are not checked."""
    full = tmp_path / "full"
    ke.write_json(ke.load(), full, layout="json")
    part = tmp_path / "part"
    part.mkdir()
    shutil.copy(full / "events.json", part / "events.json")
    shutil.copy(full / "datapackage.json", part / "datapackage.json")
    report = ke.validate(part)
    assert not [i for i in report.issues if i.code == "dangling-reference"], report.issues
    # ... but references among the types given still are.
    events = json.loads((part / "events.json").read_text())
    events[0]["related"] = ["evt-no-such-event"]
    (part / "events.json").write_text(json.dumps(events))
    dangling = [i for i in ke.validate(part).issues if i.code == "dangling-reference"]
    assert [(i.pointer, i.record_id) for i in dangling] == [("/related/0", events[0]["id"])]


def test_a_datapackage_json_stands_for_its_dataset(tmp_path: Path) -> None:
    ke.write_json(ke.load(), tmp_path / "d", layout="jsonl")
    lines = (tmp_path / "d" / "events.jsonl").read_text().splitlines()
    (tmp_path / "d" / "events.jsonl").write_text("\n".join(["{", *lines[1:]]) + "\n")
    by_folder = ke.validate(tmp_path / "d")
    by_descriptor = ke.validate(tmp_path / "d" / "datapackage.json")
    assert not by_descriptor.ok and by_descriptor.records == by_folder.records > 0
    assert [i.code for i in by_descriptor.issues] == [i.code for i in by_folder.issues]


def test_a_folder_with_nothing_to_check_does_not_pass(tmp_path: Path) -> None:
    """A mistyped path in a contributor's CI must fail, not report 'valid'."""
    report = ke.validate(tmp_path)
    assert not report.ok
    assert [i.code for i in report.errors] == ["empty-file"]
    assert main(["validate", str(tmp_path)]) == 1


def test_a_record_type_in_two_files_is_named_as_such(tmp_path: Path) -> None:
    ke.write_json(ke.load(), tmp_path / "d", layout="jsonl")
    ke.write_json(ke.load(), tmp_path / "j", layout="json")
    shutil.copy(tmp_path / "j" / "events.json", tmp_path / "d" / "events.json")
    report = ke.validate(tmp_path / "d")
    twice = [i for i in report.errors if i.code == "duplicate-stem"]
    assert len(twice) == 1
    assert "events.jsonl" in twice[0].message and "events.json" in twice[0].message


def test_a_one_record_file_not_named_after_its_id_is_flagged(tmp_path: Path) -> None:
    ds = ke.load()
    ke.write_json(ds, tmp_path / "d", layout="files")
    first = ds.actors[0].id
    (tmp_path / "d" / "actors" / f"{first}.json").rename(tmp_path / "d" / "actors" / "x.json")
    descriptor = tmp_path / "d" / "datapackage.json"
    descriptor.write_text(descriptor.read_text().replace(f"actors/{first}.json", "actors/x.json"))
    report = ke.validate(tmp_path / "d")
    assert report.ok  # a warning: the data itself is fine
    (issue,) = [i for i in report.warnings if i.code == "file-name"]
    assert issue.record_id == first and f"{first}.json" in issue.message
    assert not [i for i in ke.validate(bundled_dataset_dir()).issues if i.code == "file-name"]
