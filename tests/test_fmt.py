"""``koreaevents fmt``: canonical record files, filled date bounds, a descriptor that
lists every record file; idempotent, load-equal, never touching what is not its own."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import koreaevents as ke
from koreaevents import cli
from koreaevents.io.formatting import format_paths
from tests import strategies

LAYOUTS = ["jsonl", "json", "files"]


def _tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def _messy(value: Any, drop_bounds: bool) -> Any:
    """The same JSON with keys reversed at every level and date bounds dropped."""
    if isinstance(value, dict):
        if drop_bounds and "edtf" in value:
            value = {k: v for k, v in value.items() if k not in ("earliest", "latest")}
        return {k: _messy(value[k], drop_bounds) for k in reversed(list(value))}
    if isinstance(value, list):
        return [_messy(item, drop_bounds) for item in value]
    return value


def _mess_up(root: Path, drop_bounds: bool) -> None:
    """Rewrite every record file of a dataset by hand: other key order, other indents,
    records reversed, date bounds left out."""
    for path in sorted(root.rglob("*.json*")):
        if path.name == "datapackage.json":
            continue
        if path.suffix == ".jsonl":
            lines = [json.loads(line) for line in path.read_text("utf-8").split("\n") if line]
            text = "".join(
                json.dumps(_messy(item, drop_bounds), ensure_ascii=True) + "\r\n"
                for item in reversed(lines)
            )
        else:
            value = json.loads(path.read_text("utf-8"))
            if isinstance(value, list):
                value = list(reversed(value))
            text = json.dumps(_messy(value, drop_bounds), indent=4)  # no final newline
        path.write_text(text, encoding="utf-8", newline="")


@settings(max_examples=30, deadline=None)
@given(strategies.datasets(with_retired=True), st.sampled_from(LAYOUTS), st.booleans())
def test_fmt_gives_what_write_json_writes_and_is_idempotent(
    tmp_path_factory: pytest.TempPathFactory, ds: ke.Dataset, layout: str, drop_bounds: bool
) -> None:
    out = tmp_path_factory.mktemp("fmt") / "ds"
    ke.write_json(ds, out, layout=layout)  # type: ignore[arg-type]
    canonical = _tree(out)
    assert format_paths(out, check=True).ok  # what write_json writes is canonical
    _mess_up(out, drop_bounds)
    (out / "datapackage.json").unlink()
    messy = _tree(out)
    checked = format_paths(out, check=True)
    assert not checked.ok
    assert _tree(out) == messy  # --check writes nothing
    report = format_paths(out)
    assert report.ok and not report.problems
    assert _tree(out) == canonical
    assert ke.load(out) == ds
    again = format_paths(out)
    assert again.changed == ()  # idempotent
    assert _tree(out) == canonical


def _dataset(tmp_path: Path, layout: str = "files") -> Path:
    root = tmp_path / "data"
    ke.write_json(ke.load(), root, layout=layout)  # type: ignore[arg-type]
    return root


def _run(*argv: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_check_names_each_file_that_would_change_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _dataset(tmp_path)
    one = sorted((root / "events").glob("*.json"))[0]
    data = json.loads(one.read_text("utf-8"))
    one.write_text(json.dumps(data), encoding="utf-8")
    before = _tree(root)
    code, out, _err = _run("fmt", str(root), "--check", capsys=capsys)
    assert code == 1
    assert out == f"would reformat {one}\n"
    assert _tree(root) == before
    code, out, _err = _run("fmt", str(root), capsys=capsys)
    assert code == 0 and out == f"reformatted {one}\n"
    code, out, _err = _run("fmt", str(root), "--check", capsys=capsys)
    assert (code, out) == (0, "")


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("truncated", b'{"id": "evt-x", "title": '),
        ("latin-1", '{"id": "evt-caf\xe9"}'.encode("latin-1")),
        ("duplicate key", b'{"id": "evt-a", "id": "evt-b"}'),
    ],
)
def test_a_file_that_is_not_records_stays_byte_for_byte_and_the_rest_is_formatted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, content: bytes
) -> None:
    root = _dataset(tmp_path)
    bad = root / "events" / "evt-broken.json"
    bad.write_bytes(content)
    messy = sorted((root / "actors").glob("*.json"))[0]
    canonical = messy.read_bytes()
    messy.write_text(json.dumps(json.loads(canonical)), encoding="utf-8")
    code, out, err = _run("fmt", str(root), capsys=capsys)
    assert code == 1
    assert bad.read_bytes() == content
    assert f"cannot format {bad}" in err
    assert messy.read_bytes() == canonical
    assert f"reformatted {messy}" in out
    # the descriptor lists every record file, the unreadable one too
    listed = json.loads((root / "datapackage.json").read_text("utf-8"))
    events = next(r for r in listed["resources"] if r["name"] == "events")
    assert "events/evt-broken.json" in events["path"]


def test_a_new_record_file_gets_listed_and_its_bounds_filled(tmp_path: Path) -> None:
    root = _dataset(tmp_path)
    source = json.loads(sorted((root / "events").glob("*.json"))[0].read_text("utf-8"))
    source["id"] = "evt-2024-01-31-a-copy"
    source["date"] = {"edtf": "2024-01"}
    path = root / "events" / "evt-2024-01-31-a-copy.json"
    path.write_text(json.dumps(source), encoding="utf-8")
    report = ke.validate(root)
    codes = {issue.code for issue in report.issues}
    assert {"not-listed", "schema"} <= codes
    missing = [i for i in report.issues if i.pointer == "/date/earliest"]
    assert missing and "'2024-01-01'" in missing[0].message  # this record's own bound
    assert "koreaevents fmt" in missing[0].message
    format_paths([path])
    assert json.loads(path.read_text("utf-8"))["date"] == {
        "edtf": "2024-01",
        "earliest": "2024-01-01",
        "latest": "2024-01-31",
    }
    after = ke.validate(root)
    assert after.ok and not after.issues, after.issues


@pytest.mark.parametrize("layout", LAYOUTS)
def test_record_files_given_one_by_one_keep_their_layout(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], layout: str
) -> None:
    root = _dataset(tmp_path, layout)
    canonical = _tree(root)
    _mess_up(root, drop_bounds=True)
    files = sorted(p for p in root.rglob("*.json*") if p.name != "datapackage.json")
    code, _out, _err = _run("fmt", *map(str, files), capsys=capsys)
    assert code == 0
    assert _tree(root) == canonical


def test_a_foreign_descriptor_is_refused_and_nothing_is_touched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _dataset(tmp_path, "jsonl")
    descriptor = json.loads((root / "datapackage.json").read_text("utf-8"))
    descriptor["resources"].append({"name": "notes", "path": "notes.csv"})
    (root / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    (root / "events.jsonl").write_bytes(b"\n" + (root / "events.jsonl").read_bytes())
    before = _tree(root)
    code, _out, err = _run("fmt", str(root), capsys=capsys)
    assert code == 2
    assert "notes.csv" in err and "Traceback" not in err
    assert _tree(root) == before


def test_files_fmt_does_not_own_are_left_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _dataset(tmp_path, "json")
    (root / "README.md").write_text("notes\n", encoding="utf-8")
    (root / "events.json").write_text(
        json.dumps(json.loads((root / "events.json").read_text("utf-8"))), encoding="utf-8"
    )
    code, _out, _err = _run("fmt", str(root), capsys=capsys)
    assert code == 0
    assert (root / "README.md").read_text("utf-8") == "notes\n"
    elsewhere = tmp_path / "package.json"
    elsewhere.write_text("{}", encoding="utf-8")
    code, _out, err = _run("fmt", str(elsewhere), capsys=capsys)
    assert code == 2 and "not a record file" in err
    assert elsewhere.read_text("utf-8") == "{}"


def test_usage_errors_exit_2_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = _run("fmt", str(tmp_path / "missing"), capsys=capsys)
    assert code == 2 and "missing" in err
    (tmp_path / "empty").mkdir()
    code, _out, err = _run("fmt", str(tmp_path / "empty"), capsys=capsys)
    assert code == 2 and "not a dataset folder" in err
    release = tmp_path / "release"
    ke.write_parquet(ke.load(), release)
    code, _out, err = _run("fmt", str(release), capsys=capsys)
    assert code == 2 and "Parquet" in err


def test_an_invalid_record_keeps_every_value(tmp_path: Path) -> None:
    root = _dataset(tmp_path, "jsonl")
    record = {"verification": {"status": "maybe"}, "title": "", "id": "evt-x", "extra": 1}
    with (root / "events.jsonl").open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(record) + "\n")
    format_paths(root)
    text = (root / "events.jsonl").read_text("utf-8")
    lines = [json.loads(line) for line in text.split("\n") if line]
    kept = next(line for line in lines if line["id"] == "evt-x")
    assert kept == record
    assert list(kept) == ["id", "title", "verification", "extra"]  # field order, extras last


def test_the_bundled_dataset_is_canonical(tmp_path: Path) -> None:
    from koreaevents.io.paths import bundled_dataset_dir

    copy = tmp_path / "copy"
    shutil.copytree(bundled_dataset_dir(), copy)
    assert format_paths(copy, check=True).changed == ()


def test_a_dataset_and_files_inside_it_are_formatted_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _dataset(tmp_path, "files")
    canonical = _tree(root)
    _mess_up(root, drop_bounds=True)
    one = sorted((root / "events").glob("*.json"))[0]
    for argv in ([str(one), str(root)], [str(root), str(one)], [str(root / "events"), str(one)]):
        _mess_up(root, drop_bounds=True)
        code, _out, _err = _run("fmt", *argv, capsys=capsys)
        assert code == 0
    assert {k: v for k, v in _tree(root).items() if k.startswith("events")} == {
        k: v for k, v in canonical.items() if k.startswith("events")
    }


def test_one_dataset_named_two_ways_is_one_dataset(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _dataset(tmp_path, "jsonl")
    canonical = _tree(root)
    _mess_up(root, drop_bounds=True)
    monkeypatch.chdir(tmp_path)
    code, out, _err = _run("fmt", "data/events.jsonl", str(root / "sources.jsonl"), capsys=capsys)
    assert code == 0
    assert out.count("datapackage.json") == 1
    assert _tree(root)["events.jsonl"] == canonical["events.jsonl"]
    assert _tree(root)["sources.jsonl"] == canonical["sources.jsonl"]
