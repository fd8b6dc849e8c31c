"""docs/coverage.md: its record of the check is generated from the bundled data and kept
true (`python tools/regenerate.py` rewrites it; this test fails while it is stale)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest

import koreaevents as ke

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "coverage.md"


@pytest.fixture(scope="module")
def tool() -> Any:
    spec = importlib.util.spec_from_file_location("regenerate", ROOT / "tools" / "regenerate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _section(text: str, tool: Any) -> str:
    start, end = text.index(tool.BEGIN), text.index(tool.END)
    return text[start + len(tool.BEGIN) : end].strip()


def test_the_committed_record_matches_the_bundled_data(tool: Any) -> None:
    text = PAGE.read_text(encoding="utf-8")
    assert _section(text, tool) == tool.coverage_record(ke.load()).strip(), (
        "docs/coverage.md is stale: run `python tools/regenerate.py`"
    )


def test_the_record_names_every_event_report_and_discrepancy(tool: Any) -> None:
    ds = ke.load()
    record = tool.coverage_record(ds)
    for event in ds.events:
        assert f"`{event.id}`" in record
        for discrepancy in event.verification.discrepancies:
            assert f"`{discrepancy.field}`" in record
    cited = {c.source for e in ds.events for c in e.citations}
    for source in ds.sources:
        if source.id in cited and source.url:
            assert f"(<{source.url}>)" in record
    assert "(<None>)" not in record, "a source without a URL is named, not linked"
    launches = [
        e
        for e in ds.events
        if e.event_type == "missile_launch"
        and e.date.earliest.year == 2024
        and any(a.actor == "prk" and a.role == "initiator" for a in e.actors)
    ]
    assert f"launch days of 2024 ({len(launches)})" in record


def test_table_cells_cannot_break_the_table(tool: Any) -> None:
    assert tool._cell("a | b\nc <d> *e* f_g") == r"a \| b c &lt;d> \*e\* f\_g"
    assert tool._link("[Title] | x", "https://example.org/a(b)") == (
        r"[\[Title\] \| x](<https://example.org/a(b)>)"
    )


def test_regenerate_rewrites_a_stale_record_and_check_writes_nothing(
    tool: Any, tmp_path: Path
) -> None:
    page = tmp_path / "docs" / "coverage.md"
    page.parent.mkdir(parents=True)
    stale = f"# Coverage\n\nProse kept.\n\n{tool.BEGIN}\nold table\n{tool.END}\n\nAfter.\n"
    page.write_text(stale, encoding="utf-8")
    assert page in tool.regenerate(tmp_path, check=True)
    assert page.read_text(encoding="utf-8") == stale
    assert page in tool.regenerate(tmp_path)
    fresh = page.read_text(encoding="utf-8")
    assert fresh.startswith("# Coverage\n\nProse kept.\n\n") and fresh.endswith("\nAfter.\n")
    assert _section(fresh, tool) == tool.coverage_record(ke.load()).strip()
    assert page not in tool.regenerate(tmp_path, check=True)


def test_a_page_without_its_markers_is_a_clear_error(tool: Any, tmp_path: Path) -> None:
    page = tmp_path / "coverage.md"
    with pytest.raises(SystemExit, match="markers"):
        tool._with_record("# Coverage without markers\n", "table", page)
