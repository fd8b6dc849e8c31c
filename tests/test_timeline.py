"""``koreaevents timeline``: what the picture shows, its determinism, and the committed copy."""

from __future__ import annotations

import datetime
import html
import importlib.util
import re
import sys
from pathlib import Path
from typing import Any

import pytest

import koreaevents as ke
from koreaevents import cli
from koreaevents.records import Event
from koreaevents.timeline import plot_timeline, render_timeline, timeline_digest
from koreaevents.vocab import VerificationStatus

ROOT = Path(__file__).resolve().parent.parent
PICTURE = ROOT / "docs" / "img" / "timeline.svg"
DIGEST = re.compile(r"data sha256 ([0-9a-f]{64})")
CREATOR = re.compile(r"<dc:title>Matplotlib v([^,<]+)")


def test_without_matplotlib_it_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # makes `import matplotlib` fail
    out = tmp_path / "t.svg"
    assert cli.main(["timeline", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert 'needs matplotlib, which is not installed: pip install "koreaevents[plot]"' in err
    assert "Traceback" not in err
    assert not out.exists()


def test_bad_suffix_and_bad_dates_are_usage_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["timeline", "--out", str(tmp_path / "t.gif")]) == 2
    assert ".png, .svg or .pdf" in capsys.readouterr().err
    assert cli.main(["timeline", "--from", "2024-13", "--out", str(tmp_path / "t.svg")]) == 2
    assert "is not a date" in capsys.readouterr().err
    args = ["timeline", "--from", "2030-01-01", "--out", str(tmp_path / "t.svg")]
    assert cli.main(args) == 2
    assert "no events between" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


@pytest.fixture(scope="module")
def mpl() -> Any:
    """matplotlib, or a clean skip without it (the `plot` extra)."""
    return pytest.importorskip("matplotlib")


def _days(a: datetime.date, b: datetime.date) -> float:
    return float((b - a).days)


@pytest.fixture(scope="module")
def bundled_figure(mpl: Any) -> Any:
    return plot_timeline(ke.load().events)


def test_uncertain_dates_are_bars_from_earliest_to_latest(bundled_figure: Any) -> None:
    import matplotlib.dates as mdates
    from matplotlib.patches import Rectangle

    ax = bundled_figure.axes[0]
    bars = sorted(
        (round(p.get_x(), 6), round(p.get_width(), 6))
        for p in ax.patches
        if isinstance(p, Rectangle) and p.get_width() > 0
    )
    uncertain = [e for e in ke.load().events if e.date.earliest != e.date.latest]
    assert uncertain, "the bundled data has uncertain dates to draw"
    expected = sorted(
        (
            round(mdates.date2num(e.date.earliest), 6),
            _days(e.date.earliest, e.date.latest) + 1,  # the last day is drawn whole
        )
        for e in uncertain
    )
    assert bars == expected


def test_every_event_is_labelled_with_its_date_and_status(bundled_figure: Any) -> None:
    ax = bundled_figure.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    notes = {t.get_text() for t in ax.texts}
    for event in ke.load().events:
        assert any(event.title.startswith(label.rstrip("…")) for label in labels), event.id
        assert f"{event.date.edtf} · {event.verification.status.value}" in notes
    types = {e.event_type.value.replace("_", " ") for e in ke.load().events}
    assert types <= set(labels)  # a heading row for each type shown


def test_status_sets_the_fill(bundled_figure: Any) -> None:
    ax = bundled_figure.axes[0]
    fills = []
    for collection in ax.collections:
        faces = collection.get_facecolors()
        fills.append(tuple(faces[0][:3]) == (1.0, 1.0, 1.0))
    single_day = [e for e in ke.load().events if e.date.earliest == e.date.latest]
    hollow = {VerificationStatus.REPORTED, VerificationStatus.UNVERIFIED}
    assert sorted(fills) == sorted(e.verification.status in hollow for e in single_day)


def test_open_ends_and_a_range_are_drawn_within_the_axis(mpl: Any) -> None:
    import matplotlib.dates as mdates

    open_end = Event(
        id="evt-open",
        title="An event with an open end",
        event_type="accusation",
        date=ke.EventDate.from_edtf("2024-01-20/.."),
        actors=[{"actor": "prk", "role": "initiator"}],
        location={"name": "Pyongyang", "precision": "province"},
        citations=[{"source": "src-x"}],
        verification={"status": "disputed"},
    )
    start, end = datetime.date(2024, 1, 10), datetime.date(2024, 1, 31)
    figure = plot_timeline([open_end], start=start, end=end)
    ax = figure.axes[0]
    left, right = ax.get_xlim()
    assert (left, right) == (mdates.date2num(start), mdates.date2num(end) + 1)
    (bar,) = ax.patches
    assert bar.get_x() + bar.get_width() == pytest.approx(right)  # runs to the edge
    assert bar.get_hatch() == "////"  # disputed
    with pytest.raises(ValueError, match="no events"):
        plot_timeline([])


def test_svg_is_deterministic_and_names_its_data(mpl: Any) -> None:
    events = ke.load().events_between("2024-01-14", "2024-01-20")
    first = render_timeline(events, "svg", title="a week")
    assert first == render_timeline(events, "svg", title="a week")
    text = first.decode()
    assert "<dc:date>" not in text
    digest = DIGEST.search(text)
    assert digest is not None
    assert digest.group(1) == timeline_digest(events, "a week")
    assert render_timeline(events, "png")[:8] == b"\x89PNG\r\n\x1a\n"
    assert render_timeline(events, "pdf")[:5] == b"%PDF-"


def test_command_writes_the_range_atomically(
    mpl: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "pictures" / "january.png"
    args = ["timeline", "--from", "2024-01-10", "--to", "2024-01-31", "--out", str(out)]
    assert cli.main(args) == 0
    expected = len(ke.load().events_between("2024-01-10", "2024-01-31"))
    assert capsys.readouterr().out == f"{out}: {expected} events\n"
    assert out.read_bytes()[:4] == b"\x89PNG"
    assert [p.name for p in out.parent.iterdir()] == ["january.png"]  # no temporary left


def _regenerate_tool() -> Any:
    spec = importlib.util.spec_from_file_location("regenerate", ROOT / "tools" / "regenerate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text))


def test_committed_picture_shows_a_release_of_the_bundled_data(mpl: Any) -> None:
    """docs/img/timeline.svg is a picture of the bundled dataset at its current or an
    earlier version. It is redrawn for a release (`python tools/regenerate.py`), not by
    every contribution, so adding a record does not make this test fail."""
    committed = PICTURE.read_text(encoding="utf-8")
    ds = ke.load()
    title = re.search(r"<dc:title>(\S+) (\S+): \d+ events", committed)
    assert title and DIGEST.search(committed), "docs/img/timeline.svg is not a timeline"
    assert title.group(1) == ds.name
    assert ds.version and _version(title.group(2)) <= _version(ds.version)
    full_title = re.search(r"<dc:title>(koreaevents[^<]*)", committed)
    assert full_title
    fresh = render_timeline(ds.events, "svg", title=html.unescape(full_title.group(1)))
    creator = CREATOR.search(committed)
    if DIGEST.findall(committed) == DIGEST.findall(fresh.decode()) and creator:
        # up to date: the same matplotlib draws the same bytes
        assert creator.group(1) != mpl.__version__ or committed == fresh.decode()


def test_one_command_redraws_a_stale_picture(mpl: Any, tmp_path: Path) -> None:
    tool = _regenerate_tool()
    picture = tmp_path / "docs" / "img" / "timeline.svg"
    picture.parent.mkdir(parents=True)
    picture.write_text("<svg/>")
    assert picture in tool.regenerate(tmp_path, check=True)
    assert picture.read_text() == "<svg/>"  # --check writes nothing
    assert picture in tool.regenerate(tmp_path)
    drawn = tmp_path / "drawn.svg"
    assert cli.main(["timeline", "--out", str(drawn)]) == 0
    assert DIGEST.findall(picture.read_text()) == DIGEST.findall(drawn.read_text())
    assert tool.regenerate(tmp_path, check=True) == []
