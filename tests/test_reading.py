"""Tests for the raw readers (koreaevents.io.reading)."""

from __future__ import annotations

import errno
import functools
import io
import json
import os
import shutil
import sys
import tempfile
import threading
import tracemalloc
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from koreaevents.io import reading
from koreaevents.io.reading import (
    STEMS,
    RawRecord,
    iter_dataset,
    read_file,
    read_folder,
    read_path,
    stem_of,
)
from koreaevents.issues import ISSUE_KINDS, Issue

BAD = Path(__file__).parent / "bad"
EXPECTED: dict[str, list[dict[str, object]]] = json.loads(
    (BAD / "expected.json").read_text(encoding="utf-8")
)


def split(items: Iterable[RawRecord | Issue]) -> tuple[list[RawRecord], list[Issue]]:
    records: list[RawRecord] = []
    issues: list[Issue] = []
    for item in items:
        if isinstance(item, RawRecord):
            records.append(item)
        else:
            assert isinstance(item, Issue), item
            issues.append(item)
    return records, issues


def codes(issues: Iterable[Issue]) -> list[str]:
    return [issue.code for issue in issues]


def assert_sane(items: Iterable[object]) -> list[RawRecord | Issue]:
    """Every item is a record or a located, registered issue; none is an internal error."""
    out: list[RawRecord | Issue] = []
    for item in items:
        assert isinstance(item, RawRecord | Issue), item
        if isinstance(item, Issue):
            assert item.code in ISSUE_KINDS, item
            assert item.path is not None
            assert "unexpected error" not in item.message, item
            assert item.line is None or item.line >= 1
            assert item.column is None or item.column >= 1
        else:
            assert item.line >= 1 and item.column >= 1
        out.append(item)
    return out


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


def run_with_timeout(func: Callable[[], object], seconds: float = 10.0) -> object:
    """Run ``func`` in a thread and fail (rather than hang) if it blocks."""
    result: list[object] = []
    errors: list[BaseException] = []

    def target() -> None:
        try:
            result.append(func())
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), "the reader blocked"
    if errors:
        raise errors[0]
    return result[0]


# ---------------------------------------------------------------------------
# The corpus of bad files
# ---------------------------------------------------------------------------


def test_corpus_is_complete() -> None:
    # Files only: sub-folders hold other suites' corpora (e.g. validate/).
    on_disk = {p.name for p in BAD.iterdir() if p.is_file() and p.name != "expected.json"}
    assert on_disk == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_file_gives_its_expected_issues(name: str) -> None:
    _, issues = split(assert_sane(read_file(BAD / name)))
    got = []
    for issue, want in zip(issues, EXPECTED[name], strict=False):
        item: dict[str, object] = {"code": issue.code, "line": issue.line}
        if "column" in want:
            item["column"] = issue.column
        got.append(item)
    assert len(issues) == len(EXPECTED[name]), [i.to_dict() for i in issues]
    assert got == EXPECTED[name]
    for issue in issues:
        assert issue.path == str(BAD / name)


def test_corpus_messages() -> None:
    def messages(name: str) -> str:
        return " | ".join(issue.message for issue in split(read_file(BAD / name))[1])

    nan = "NaN and Infinity are not JSON: use null or a number"
    assert nan in messages("nan.jsonl")
    assert nan in messages("nan.json")
    assert messages("infinity.jsonl").count(nan) == 2
    assert "-Infinity" in messages("infinity.jsonl")
    assert "UTF-16" in messages("utf16_bom.jsonl")
    assert "save it as UTF-8" in messages("utf16_bom.json")
    assert "UTF-16" in messages("utf16_no_bom.jsonl")
    assert "UTF-32" in messages("utf32_bom.json")
    assert "byte offset 45" in messages("invalid_utf8.jsonl")
    assert "NUL" in messages("nul_byte.jsonl")
    assert "single quotes" in messages("single_quotes.jsonl")
    assert "last line is incomplete" in messages("truncated_line.jsonl")
    assert "pretty-printed JSON" in messages("pretty_in_jsonl.jsonl")
    assert ".jsonl" in messages("trailing_garbage.json")
    assert '"title"' in messages("duplicate_key.jsonl")
    nested = messages("duplicate_key_nested.jsonl")
    assert '"role"' in nested and "/actors/1" in nested


def test_corpus_records_survive_around_bad_lines() -> None:
    records, _ = split(read_file(BAD / "invalid_utf8.jsonl"))
    assert [r.data for r in records] == [{"id": "evt-a"}, {"id": "evt-d"}]
    assert [r.line for r in records] == [1, 4]
    records, _ = split(read_file(BAD / "nul_byte.jsonl"))
    assert [r.line for r in records] == [1, 3]
    records, issues = split(read_file(BAD / "utf8_bom.jsonl"))
    assert [r.data for r in records] == [{"id": "evt-a"}, {"id": "evt-b"}]
    assert [r.column for r in records] == [1, 1]
    assert [i.severity.value for i in issues] == ["warning"]
    records, _ = split(read_file(BAD / "crlf.jsonl"))
    assert [r.line for r in records] == [1, 3]


def test_duplicate_key_issue_details() -> None:
    records, issues = split(read_file(BAD / "duplicate_key_nested.json"))
    (issue,) = issues
    assert issue.pointer == "/actors/0/role"
    assert issue.record_id == "evt-b"
    assert len(records) == 3
    # The record is still passed on, with the last value, as JSON parsers do.
    assert records[1].data["actors"][0]["role"] == "target"  # type: ignore[index]
    _, issues = split(read_file(BAD / "duplicate_key.jsonl"))
    assert issues[0].pointer == "/title"
    assert issues[0].record_id == "evt-a"


# ---------------------------------------------------------------------------
# Record positions and line_of
# ---------------------------------------------------------------------------

PRETTY_RECORDS = [
    {
        "id": "evt-a",
        "title": "A: with a colon",
        "location": {"name": "Pyongyang", "lat": 39.0, "lon": 125.7},
        "actors": [
            {"actor": "prk", "role": "initiator"},
            {"actor": "kor", "role": "target"},
        ],
    },
    {"id": "evt-b", "title": "B", "tags": ["a", "b"], "empty": {}, "none": []},
    {"id": "evt-c", "title": "Ünïcödé ★", "citations": [{"source": "src-x"}]},
]


def line_of_text(path: Path, needle: str, nth: int = 0) -> int:
    lines = path.read_text(encoding="utf-8").split("\n")
    hits = [number for number, line in enumerate(lines, 1) if needle in line]
    return hits[nth]


def test_jsonl_record_lines(tmp_path: Path) -> None:
    lines = [orjson.dumps(record).decode() for record in PRETTY_RECORDS]
    path = write(tmp_path / "events.jsonl", f"{lines[0]}\n\n   {lines[1]}\n\n\n{lines[2]}")
    records, issues = split(read_file(path))
    assert issues == []
    assert [(r.line, r.column) for r in records] == [(1, 1), (3, 4), (6, 1)]
    assert [r.data for r in records] == PRETTY_RECORDS
    assert all(r.stem == "events" and r.text is None for r in records)
    assert records[0].path == str(path)
    assert records[0].line_of("/location/lat") == 1
    assert records[1].line_of("/tags/1") == 3
    assert records[1].line_of("/tags/2") is None
    assert records[1].line_of("/nope") is None
    assert records[1].line_of("") == 3


@pytest.mark.parametrize("indent", [2, 4, "\t"])
def test_pretty_array_record_lines_and_line_of(tmp_path: Path, indent: int | str) -> None:
    text = json.dumps(PRETTY_RECORDS, indent=indent, ensure_ascii=False)
    path = write(tmp_path / "events.json", text)
    records, issues = split(read_file(path))
    assert issues == []
    assert [r.data for r in records] == PRETTY_RECORDS
    starts = [line_of_text(path, '"id": "evt-' + x) - 1 for x in "abc"]
    assert [r.line for r in records] == starts
    width = len(indent) if isinstance(indent, str) else indent
    assert [r.column for r in records] == [width + 1] * 3
    first, second, third = records
    assert first.text is not None and first.text.startswith("{")
    assert orjson.loads(first.text) == first.data
    assert first.line_of("") == starts[0]
    assert first.line_of("/id") == line_of_text(path, '"evt-a"')
    assert first.line_of("/location") == line_of_text(path, '"location"')
    assert first.line_of("/location/lat") == line_of_text(path, '"lat"')
    assert first.line_of("/actors/0") == line_of_text(path, '"actors"') + 1
    assert first.line_of("/actors/1/role") == line_of_text(path, '"role": "target"')
    assert first.line_of("/actors/1/actor") == line_of_text(path, '"actor": "kor"')
    assert first.line_of("/actors/2") is None
    assert first.line_of("/location/nope") is None
    assert first.line_of("location") is None
    assert second.line_of("/tags/1") == line_of_text(path, '"b"')
    assert second.line_of("/empty") == line_of_text(path, '"empty"')
    assert second.line_of("/none") == line_of_text(path, '"none"')
    assert third.line_of("/citations/0/source") == line_of_text(path, '"src-x"')


def test_line_of_escaped_pointer_tokens(tmp_path: Path) -> None:
    record = {"a/b": {"c~d": [0, {"x": 1}]}, "k": 2}
    path = write(tmp_path / "x.json", json.dumps(record, indent=2))
    (rec,) = split(read_file(path))[0]
    assert rec.line == 1 and rec.column == 1
    assert rec.line_of("/a~1b/c~0d/1/x") == line_of_text(path, '"x"')
    assert rec.line_of("/a~1b/c~0d/0") == line_of_text(path, '"c~d"') + 1
    assert rec.line_of("/k") == line_of_text(path, '"k"')


def test_compact_and_odd_arrays(tmp_path: Path) -> None:
    # Layouts that the fast splitter declines go through the general path.
    compact = write(tmp_path / "a.json", orjson.dumps(PRETTY_RECORDS))
    records, issues = split(read_file(compact))
    assert issues == []
    assert [r.data for r in records] == PRETTY_RECORDS
    assert [r.line for r in records] == [1, 1, 1]
    assert records[0].column == 2
    assert all(r.text is not None and orjson.loads(r.text) == r.data for r in records)
    odd = write(
        tmp_path / "b.json",
        '  [ {"a": 1},\n 2, "x",\n [1, {"b": [2]}],\n{}, {\n"c":\n null}\n , true ]  \n',
    )
    records, issues = split(read_file(odd))
    assert issues == []
    assert [r.data for r in records] == [{"a": 1}, 2, "x", [1, {"b": [2]}], {}, {"c": None}, True]
    assert [(r.line, r.column) for r in records] == [
        (1, 5),
        (2, 2),
        (2, 5),
        (3, 2),
        (4, 1),
        (4, 5),
        (7, 4),
    ]
    assert records[5].line_of("/c") == 6


def test_one_record_file(tmp_path: Path) -> None:
    path = write(tmp_path / "evt-a.json", '\n\n  {\n    "id": "evt-a",\n    "x": [1]\n  }\n')
    (rec,) = split(read_file(path, stem="events"))[0]
    assert (rec.line, rec.column, rec.stem) == (3, 3, "events")
    assert rec.data == {"id": "evt-a", "x": [1]}
    assert rec.line_of("/x/0") == 5
    scalar = write(tmp_path / "s.json", "42")
    (rec,) = split(read_file(scalar))[0]
    assert rec.data == 42


def test_fast_and_general_array_paths_agree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = json.dumps(PRETTY_RECORDS, indent=2, ensure_ascii=False)
    text = text[:-2] + ',\n  {\n    "id": "d",\n    "dup": 1,\n    "dup": {"a": 2}\n  }\n]'
    path = write(tmp_path / "events.json", text)
    assert reading._split_pretty_array(path.read_bytes()) is not None
    fast = list(read_file(path))
    monkeypatch.setattr(reading, "_split_pretty_array", lambda raw: None)
    general = list(read_file(path))
    assert fast == general
    records, issues = split(fast)
    dup_line = line_of_text(path, '"dup": {')
    assert [(i.code, i.pointer, i.line) for i in issues] == [("duplicate-key", "/dup", dup_line)]
    assert records[-1].data == {"id": "d", "dup": {"a": 2}}
    assert len(records) == 4


def test_duplicate_key_in_an_array_element(tmp_path: Path) -> None:
    line = '[{"a": 1}, {"b": 2, "b": 3}]'
    path = write(tmp_path / "x.jsonl", line + "\n")
    assert [i.pointer for i in split(read_file(path))[1]] == ["/1/b"]
    path = write(tmp_path / "x.json", line)
    records, issues = split(read_file(path))
    assert len(records) == 2
    assert [(i.pointer, i.column) for i in issues] == [("/b", 21)]


# ---------------------------------------------------------------------------
# Duplicate keys
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "dups"),
    [
        ('{"a": 1, "b": "x:y", "c": "\\":"}', []),
        ('{"a": "http://x", "a": "http://y"}', ["/a"]),
        ('{"a": {"b": 1, "b": 2}, "c": [{"d": 1, "d": 2, "d": 3}]}', ["/a/b", "/c/0/d", "/c/0/d"]),
        # An escaped colon must not hide a duplicate from the fast check.
        ('{"a": 1, "a": 2, "b": "\\u003a"}', ["/a"]),
        ('{"a": 1, "b": "\\u003A\\u003a"}', []),
        ('{"a" : 1 , "a"\t:\t2}', ["/a"]),
        ('{"\\u0061": 1, "a": 2}', ["/a"]),
        ('{"a~/": 1, "a~/": 2}', ["/a~0~1"]),
        ('[{"a": 1}, {"a": 2}]', []),
        ('"a:b"', []),
    ],
)
def test_duplicate_keys(tmp_path: Path, line: str, dups: list[str]) -> None:
    path = write(tmp_path / "x.jsonl", line + "\n")
    records, issues = split(read_file(path))
    assert len(records) == 1
    assert [issue.pointer for issue in issues] == dups
    assert codes(issues) == ["duplicate-key"] * len(dups)
    path = write(tmp_path / "x.json", line)
    records, issues = split(read_file(path))
    value = orjson.loads(line)
    assert len(records) == (len(value) if isinstance(value, list) else 1)
    assert [issue.pointer for issue in issues] == dups


def test_duplicate_key_deeper_than_orjson_dumps(tmp_path: Path) -> None:
    depth = 1000
    text = '{"a":' * depth + '{"x": 1, "x": 2}' + "}" * depth
    path = write(tmp_path / "deep.jsonl", text + "\n")
    records, issues = split(read_file(path))
    assert len(records) == 1
    (issue,) = issues
    assert issue.code == "duplicate-key"
    assert issue.pointer == "/a" * depth + "/x"
    clean = write(tmp_path / "clean.json", '{"a":\n' * depth + "1" + "}" * depth)
    (rec,) = split(read_file(clean))[0]
    assert rec.line_of("/a" * depth) == depth + 1


# ---------------------------------------------------------------------------
# Size and depth limits
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("opener", ["[", '{"a":'])
@pytest.mark.parametrize("suffix", [".json", ".jsonl"])
def test_200000_deep_nesting_is_too_large(tmp_path: Path, opener: str, suffix: str) -> None:
    path = write(tmp_path / f"deep{suffix}", opener * 200_000)
    _, issues = split(assert_sane(read_file(path)))
    assert codes(issues) == ["too-large"]
    assert "nested deeper than 1024 levels" in issues[0].message
    closed = write(tmp_path / f"closed{suffix}", "[" * 200_000 + "]" * 200_000)
    assert codes(split(read_file(closed))[1]) == ["too-large"]


def test_array_element_deeper_than_the_stdlib_parser(tmp_path: Path) -> None:
    deep = "[" * 1020 + "]" * 1020
    path = write(tmp_path / "d.json", f'[{deep},\n {{"a": [1]}}, "s", 3]')
    records, issues = split(read_file(path))
    assert issues == []
    assert [(r.line, r.column) for r in records] == [(1, 2), (2, 2), (2, 14), (2, 19)]
    assert records[0].text == deep
    assert records[1].data == {"a": [1]}


def test_depth_1024_is_fine(tmp_path: Path) -> None:
    path = write(tmp_path / "d.jsonl", "[" * 1024 + "]" * 1024 + "\n")
    records, issues = split(read_file(path))
    assert issues == [] and len(records) == 1


def test_long_jsonl_line_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reading, "MAX_LINE_BYTES", 1000)
    long = '{"id": "evt-b", "pad": "' + "x" * 5_000_000 + '"}'
    path = write(tmp_path / "x.jsonl", f'{{"id": "evt-a"}}\n{long}\n{{"id": "evt-c"}}\n{long}')
    records, issues = split(read_file(path))
    assert [r.data for r in records] == [{"id": "evt-a"}, {"id": "evt-c"}]
    assert [r.line for r in records] == [1, 3]
    assert [(i.code, i.line) for i in issues] == [("too-large", 2), ("too-large", 4)]
    exact = write(tmp_path / "y.jsonl", '{"p": "' + "x" * 991 + '"}\n')
    assert len(exact.read_bytes()) == 1001
    assert split(read_file(exact))[1] == []


def test_large_json_file_is_too_large(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reading, "MAX_JSON_FILE_BYTES", 1000)
    path = write(tmp_path / "x.json", json.dumps([{"id": str(i)} for i in range(200)]))
    _, issues = split(read_file(path))
    assert codes(issues) == ["too-large"]
    assert "JSON Lines" in issues[0].message


def test_large_jsonl_reads_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    count = 300_000
    with path.open("wb") as out:
        for i in range(count):
            out.write(orjson.dumps({"id": f"evt-{i}", "n": i, "tags": ["a", "b"]}) + b"\n")
    size = path.stat().st_size
    tracemalloc.start()
    try:
        seen = 0
        for item in read_file(path):
            assert isinstance(item, RawRecord)
            seen += 1
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert seen == count
    assert peak < size / 20, (peak, size)


# ---------------------------------------------------------------------------
# I/O problems
# ---------------------------------------------------------------------------


def test_missing_path() -> None:
    for reader in (read_path, read_file, read_folder, iter_dataset):
        issues = split(assert_sane(reader(Path("/nonexistent/events.jsonl"))))[1]
        assert codes(issues) == ["io"], reader
        assert "no such file" in issues[0].message


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifo_gives_io_issue_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "events.jsonl"
    os.mkfifo(fifo)
    for reader in (read_file, read_path):
        items = run_with_timeout(functools.partial(lambda r: list(r(fifo)), reader))
        assert isinstance(items, list)
        issues = split(assert_sane(items))[1]
        assert codes(issues) == ["io"]
        assert "FIFO" in issues[0].message
    items = run_with_timeout(lambda: list(iter_dataset(tmp_path)))
    assert isinstance(items, list)
    assert codes(split(items)[1]) == ["io"]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX symlinks")
def test_symlink_loop_gives_io_issue(tmp_path: Path) -> None:
    os.symlink(tmp_path / "events.json", tmp_path / "loop.json")
    os.symlink(tmp_path / "loop.json", tmp_path / "events.json")
    for target in ("events.json", "loop.json"):
        for reader in (read_file, read_path):
            issues = split(assert_sane(reader(tmp_path / target)))[1]
            assert codes(issues) == ["io"]
    issues = split(assert_sane(iter_dataset(tmp_path)))[1]
    assert codes(issues) == ["unknown-file", "io"]
    assert "symbolic links" in issues[1].message
    os.symlink(tmp_path / "actors", tmp_path / "actors")
    issues = split(assert_sane(read_path(tmp_path / "actors")))[1]
    assert codes(issues) == ["io"]


def test_directory_where_a_file_is_expected(tmp_path: Path) -> None:
    (tmp_path / "events.jsonl").mkdir()
    issues = split(assert_sane(read_file(tmp_path / "events.jsonl")))[1]
    assert codes(issues) == ["io"]
    assert "directory" in issues[0].message
    issues = split(assert_sane(iter_dataset(tmp_path)))[1]
    assert codes(issues) == ["io"]


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads everything")
def test_permission_denied(tmp_path: Path) -> None:
    path = write(tmp_path / "events.jsonl", "{}\n")
    path.chmod(0)
    try:
        issues = split(read_file(path))[1]
    finally:
        path.chmod(0o644)
    assert codes(issues) == ["io"]
    assert "permission denied" in issues[0].message


def test_permission_denied_simulated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path / "events.jsonl", "{}\n")

    def deny(*args: object, **kwargs: object) -> int:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(os, "open", deny)
    issues = split(assert_sane(read_path(path)))[1]
    assert codes(issues) == ["io"]
    assert "permission denied" in issues[0].message


def test_read_error_mid_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path / "events.jsonl", '{"id": 1}\n{"id": 2}\n')

    class Failing(io.BufferedReader):
        calls = 0

        def readline(self, size: int | None = -1) -> bytes:
            Failing.calls += 1
            if Failing.calls > 1:
                raise OSError(errno.EIO, "Input/output error")
            return super().readline(size)

    def fdopen(fd: int, mode: str, buffering: int) -> io.BufferedReader:
        return Failing(io.FileIO(fd, "rb"))

    monkeypatch.setattr(os, "fdopen", fdopen)
    records, issues = split(assert_sane(read_file(path)))
    assert [r.data for r in records] == [{"id": 1}]
    assert codes(issues) == ["io"]
    assert "Input/output error" in issues[0].message


def test_unknown_suffix(tmp_path: Path) -> None:
    path = write(tmp_path / "events.csv", "a,b\n")
    assert codes(split(read_path(path))[1]) == ["unknown-file"]


# ---------------------------------------------------------------------------
# Stems, folders and datasets
# ---------------------------------------------------------------------------


def test_stems() -> None:
    assert STEMS == {
        "events": "event",
        "sources": "source",
        "analyses": "analysis",
        "actors": "actor",
        "retired": "retired",
    }
    assert stem_of(Path("data/events.jsonl")) == "events"
    assert stem_of(Path("sources.json")) == "sources"
    assert stem_of(Path("x/actors")) == "actors"
    assert stem_of(Path("x/analyses/ana-1.json")) == "analyses"
    assert stem_of(Path("events.csv")) is None
    assert stem_of(Path("event.jsonl")) is None
    assert stem_of(Path("datapackage.json")) is None
    assert stem_of(Path("x/events/notes.txt")) is None


def make_dataset(root: Path) -> Path:
    write(root / "datapackage.json", '{"name": "x"}')
    write(root / "README.md", "# x\n")
    write(root / "LICENSE", "CC0\n")
    write(root / ".hidden", "x")
    write(root / ".git" / "HEAD", "x")
    write(root / "events.jsonl", '{"id": "evt-a"}\n{"id": "evt-b"}\n')
    write(root / "sources.json", '[\n  {"id": "src-a"}\n]\n')
    write(root / "actors" / "prk.json", '{\n  "id": "prk"\n}\n')
    write(root / "actors" / "kor.json", '{"id": "kor"}')
    write(root / "actors" / ".DS_Store", "x")
    write(root / "actors" / "notes.txt", "x")
    write(root / "notes.csv", "x")
    (root / "extra").mkdir()
    return root


def test_iter_dataset(tmp_path: Path) -> None:
    root = make_dataset(tmp_path / "ds")
    items = assert_sane(iter_dataset(root))
    records, issues = split(items)
    assert [(r.stem, r.data["id"]) for r in records] == [  # type: ignore[index]
        ("events", "evt-a"),
        ("events", "evt-b"),
        ("sources", "src-a"),
        ("actors", "kor"),
        ("actors", "prk"),
    ]
    assert [(i.code, Path(i.path or "").name) for i in issues] == [
        ("unknown-file", "extra"),
        ("unknown-file", "notes.csv"),
        ("unknown-file", "notes.txt"),
    ]
    assert "events.jsonl" in issues[0].message
    prk = records[-1]
    assert prk.path == str(root / "actors" / "prk.json")
    assert (prk.line, prk.column) == (1, 1)
    assert prk.line_of("/id") == 2
    assert list(read_path(root)) == items


def test_dataset_with_a_stem_in_two_forms(tmp_path: Path) -> None:
    write(tmp_path / "events.jsonl", '{"id": "evt-a"}\n')
    write(tmp_path / "events.json", '[{"id": "evt-b"}]')
    records, issues = split(iter_dataset(tmp_path))
    assert [(i.code, i.path) for i in issues] == [("duplicate-stem", str(tmp_path / "events.json"))]
    # Both are still read, so that every record is checked.
    assert [r.data for r in records] == [{"id": "evt-a"}, {"id": "evt-b"}]


def test_read_path_dispatch(tmp_path: Path) -> None:
    root = make_dataset(tmp_path / "ds")
    records, _ = split(read_path(root / "actors"))
    assert [r.stem for r in records] == ["actors", "actors"]
    records, _ = split(read_path(root / "events.jsonl"))
    assert [r.stem for r in records] == ["events", "events"]
    records, _ = split(read_path(root / "actors" / "prk.json"))
    assert [r.stem for r in records] == ["actors"]
    records, _ = split(read_path(root / "events.jsonl", stem="sources"))
    assert [r.stem for r in records] == ["sources", "sources"]
    folder = tmp_path / "mine"
    write(folder / "a.json", '{"id": "evt-a"}')
    records, _ = split(read_path(folder, stem="events"))
    assert [r.stem for r in records] == ["events"]
    empty = tmp_path / "empty"
    empty.mkdir()
    assert codes(split(read_path(empty))[1]) == ["empty-file"]
    assert codes(split(read_folder(empty))[1]) == ["empty-file"]


def test_read_folder_with_array_file(tmp_path: Path) -> None:
    write(tmp_path / "events" / "b.json", '[{"id": "evt-b"}, {"id": "evt-c"}]')
    write(tmp_path / "events" / "a.json", '{"id": "evt-a"}')
    write(tmp_path / "events" / "c.json", '[{"id": "evt-d"}]')
    records, issues = split(read_folder(tmp_path / "events"))
    # every record is read, nothing is lost; a file holding several is flagged
    assert [r.data for r in records] == [
        {"id": "evt-a"},
        {"id": "evt-b"},
        {"id": "evt-c"},
        {"id": "evt-d"},
    ]
    assert [(i.code, Path(i.path or "").name, i.severity.value) for i in issues] == [
        ("many-records", "b.json", "warning")
    ]


def test_stopping_early_closes_the_file(tmp_path: Path) -> None:
    path = write(tmp_path / "events.jsonl", '{"id": 1}\n' * 10)
    items = read_file(path)
    assert isinstance(next(items), RawRecord)
    items.close()  # type: ignore[attr-defined]


# ---------------------------------------------------------------------------
# Fuzzing
# ---------------------------------------------------------------------------

FUZZ = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

VALID_JSONL = b"".join(orjson.dumps(r) + b"\n" for r in PRETTY_RECORDS)
VALID_PRETTY = json.dumps(PRETTY_RECORDS, indent=2, ensure_ascii=False).encode()
VALID_ONE = json.dumps(PRETTY_RECORDS[0], indent=2).encode()


@pytest.fixture(scope="module")
def fuzz_dir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="koreaevents-fuzz-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def reference_duplicates(data: bytes) -> int | None:
    """Number of duplicated keys per the standard library, or None if it can't tell."""
    count = 0

    def hook(pairs: list[tuple[str, object]]) -> dict[str, object]:
        nonlocal count
        count += len(pairs) - len({key for key, _ in pairs})
        return dict(pairs)

    try:
        json.loads(data, object_pairs_hook=hook)
    except (ValueError, RecursionError):
        return None
    return count


def check_file(path: Path, data: bytes) -> None:
    path.write_bytes(data)
    items = assert_sane(read_file(path))
    records, issues = split(items)
    if path.suffix == ".jsonl":
        stopped = ("looks like UTF-", "pretty-printed")
        if any(word in issue.message for issue in issues for word in stopped):
            return  # the reader gave up on the whole file, by design
        valid: list[object] = []
        dups = 0
        for line in data.removeprefix(b"\xef\xbb\xbf").split(b"\n"):
            try:
                valid.append(orjson.loads(line))
            except orjson.JSONDecodeError:
                continue
            dups += reference_duplicates(line) or 0
        assert [r.data for r in records] == valid
        assert codes(issues).count("duplicate-key") == dups
        return
    try:
        value = orjson.loads(data.removeprefix(b"\xef\xbb\xbf"))
    except orjson.JSONDecodeError:
        assert any(i.is_error for i in issues) or (not records and issues)
        return
    # Valid JSON: the records are exactly its elements (or the value itself).
    expected = value if isinstance(value, list) else [value]
    assert [r.data for r in records] == expected
    lines = data.decode("utf-8-sig").split("\n")
    for rec in records:
        assert rec.text is not None
        assert orjson.loads(rec.text) == rec.data
        assert lines[rec.line - 1][rec.column - 1 :].startswith(rec.text.split("\n")[0])
    reference = reference_duplicates(data.removeprefix(b"\xef\xbb\xbf"))
    if reference is not None:
        assert codes(issues).count("duplicate-key") == reference


def mutate(data: bytes, kind: str, index: int, byte: int) -> bytes:
    index %= len(data) + 1
    if kind == "replace" and index < len(data):
        return data[:index] + bytes([byte]) + data[index + 1 :]
    if kind == "insert":
        return data[:index] + bytes([byte]) + data[index:]
    if kind == "delete":
        return data[:index] + data[index + 1 :]
    return data[:index]  # truncate


@FUZZ
@given(st.binary(max_size=300), st.sampled_from([".jsonl", ".json"]))
def test_fuzz_random_bytes(fuzz_dir: Path, data: bytes, suffix: str) -> None:
    check_file(fuzz_dir / f"random{suffix}", data)


MUTATION = st.tuples(
    st.sampled_from(["replace", "insert", "delete", "truncate"]),
    st.integers(min_value=0, max_value=10_000),
    st.sampled_from(
        [*b'{}[],:"\\ \n\r\t0aeE-+.', 0, 0x80, 0xC3, 0xE2, 0xED, 0xEF, 0xFE, 0xFF, 0x27]
    )
    | st.integers(min_value=0, max_value=255),
)


@FUZZ
@given(
    st.sampled_from([("v.jsonl", VALID_JSONL), ("v.json", VALID_PRETTY), ("one.json", VALID_ONE)]),
    st.lists(MUTATION, min_size=1, max_size=3),
)
def test_fuzz_mutations(
    fuzz_dir: Path, base: tuple[str, bytes], mutations: list[tuple[str, int, int]]
) -> None:
    name, data = base
    for kind, index, byte in mutations:
        data = mutate(data, kind, index, byte)
    check_file(fuzz_dir / name, data)


@FUZZ
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=5),
        lambda children: (
            st.lists(children, max_size=3)
            | st.dictionaries(st.sampled_from(["a", "b", ":", 'x":', "/~"]), children, max_size=3)
        ),
        max_leaves=12,
    ),
    st.sampled_from([None, 1, 2, "\t"]),
)
def test_fuzz_valid_documents(fuzz_dir: Path, value: object, indent: int | str | None) -> None:
    doc = json.dumps([value, {"k": value}], indent=indent, ensure_ascii=False).encode()
    check_file(fuzz_dir / "valid.json", doc)
    line = json.dumps(value, ensure_ascii=False).encode() + b"\n"
    path = fuzz_dir / "valid.jsonl"
    path.write_bytes(line)
    records, issues = split(assert_sane(read_file(path)))
    assert issues == []
    assert [r.data for r in records] == [orjson.loads(line)]
