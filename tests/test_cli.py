"""The command line: commands, output and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from koreaevents.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_info_reports_counts_span_and_version(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # A dataset of the test's own, so that adding a record to the bundled data or
    # releasing it under a new version changes nothing here.
    import attrs

    import koreaevents as ke

    bundled = ke.load()
    first, last = bundled.events[0], bundled.events[-1]
    mine = ke.Dataset(
        [
            attrs.evolve(first, date=ke.EventDate.from_edtf("2020-03-01/2020-03-05"), related=[]),
            attrs.evolve(last, date=ke.EventDate.from_edtf("2021-07"), related=[]),
        ],
        bundled.sources,
        [],
        bundled.actors,
        metadata={**bundled.metadata, "version": "9.8.7"},
    )
    ke.write_json(mine, tmp_path / "mine")
    code, out, _ = run(capsys, "info", str(tmp_path / "mine"), "--format", "json")
    assert code == 0
    info = json.loads(out)
    assert info["counts"] == {
        "events": 2,
        "sources": len(bundled.sources),
        "analyses": 0,
        "actors": len(bundled.actors),
    }
    assert info["date_span"] == {"earliest": "2020-03-01", "latest": "2021-07-31"}
    assert info["version"] == "9.8.7"
    code, out, _ = run(capsys, "info", str(tmp_path / "mine"))
    assert code == 0 and "2 events" in out and "2020-03-01 … 2021-07-31" in out
    # the bundled dataset: whatever it holds, info says it
    code, out, _ = run(capsys, "info", "--format", "json")
    assert code == 0
    info = json.loads(out)
    assert info["counts"]["events"] == len(bundled.events)
    assert info["version"] == bundled.version
    assert (
        info["date_span"]["earliest"]
        == min(e.date.earliest for e in bundled.events if e.date.earliest).isoformat()
    )


def test_schema_prints_a_self_contained_schema(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "schema", "event")
    assert code == 0
    schema = json.loads(out)
    assert schema["$id"].endswith("event.schema.json")
    assert "#/$defs/EventType" in out


def test_usage_errors_exit_2_without_traceback(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = run(capsys, "schema", "nonsense")
    assert code == 2 and "invalid choice" in err
    code, _, err = run(capsys, "info", str(tmp_path / "missing"))
    assert code == 2 and "no dataset" in err and "Traceback" not in err
    code, _, _ = run(capsys)
    assert code == 2


def test_invalid_data_exits_1(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "events.jsonl").write_text('{"id": "evt-x"}\n')
    code, _, err = run(capsys, "info", str(tmp_path))
    assert code == 1 and "evt-x" in err


def test_python_dash_m_works() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "koreaevents", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0 and result.stdout.startswith("koreaevents ")
