"""Text output escapes what could forge a line or reorder what a reader sees."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from koreaevents.cli import main
from koreaevents.issues import printable

RLO = "\u202e"


@given(st.text())
def test_printable_output_is_one_printable_line(text: str) -> None:
    shown = printable(text)
    assert shown.isprintable()
    if text.isprintable():
        assert shown == text  # nothing to escape: untouched (Hangul, CJK, accents...)


@given(st.text())
def test_keep_newlines_keeps_only_the_line_breaks(text: str) -> None:
    shown = printable(text, keep_newlines=True)
    assert all(line.isprintable() for line in shown.split("\n"))
    assert shown.count("\n") == text.count("\n")


def test_bidi_overrides_and_controls_are_spelled_out() -> None:
    assert printable(f"a{RLO}b\x1b[31m\r\n") == "a\\u202eb\\x1b[31m\\r\\n"


@pytest.mark.parametrize("fmt", ["text", "github"])
def test_a_hostile_file_name_cannot_forge_a_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    name = f"events.jsonl\n::error file=README.md::forged{RLO}"
    try:
        bad = tmp_path / name
        bad.write_text('{"id": "evt-x"}\n', encoding="utf-8")
    except OSError:  # pragma: no cover - a file system that refuses such names
        pytest.skip("this file system refuses newlines in file names")
    code = main(["validate", str(bad), "--type", "event", "--format", fmt])
    out = capsys.readouterr().out
    assert code == 1
    assert RLO not in out
    assert not any(line.startswith("::error file=README.md") for line in out.splitlines())
    assert "::forged\\u202e" in out
