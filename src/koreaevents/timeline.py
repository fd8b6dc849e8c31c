"""A timeline picture of events: one row each, grouped by event type, on a time axis.

An uncertain date is drawn as a bar from its earliest to its latest day, a known day
as a dot; the fill tells the verification status (solid: corroborated, hollow:
reported or unverified, hatched: disputed or refuted) and the status is also written
beside each mark. Needs matplotlib, the ``plot`` extra (``pip install
"koreaevents[plot]"``); it is imported only when a picture is drawn.

SVG output is deterministic: the same events and the same matplotlib version give the
same bytes (fixed ``svg.hashsalt``, no date in the metadata), and the file names the
digest of the data it shows (see :func:`timeline_digest`), so a committed picture can
be checked against the data.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from koreaevents.extras import MissingExtraError, require
from koreaevents.records import Event
from koreaevents.vocab import EventType, VerificationStatus

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from koreaevents.dataset import Dataset

# MissingExtraError is defined in koreaevents.extras and re-exported here, where it
# was first defined.

__all__ = [
    "FORMATS",
    "LAYOUT_VERSION",
    "MissingExtraError",
    "plot_timeline",
    "render_timeline",
    "require_matplotlib",
    "timeline_digest",
    "write_timeline",
]

FORMATS = ("png", "svg", "pdf")
"""The picture formats, named by the output file's suffix."""

LAYOUT_VERSION = 1
"""Changes when the drawing changes, so that a picture's digest changes with it."""

# Colour-blind-safe qualitative colours (Okabe & Ito), one for each event type.
_PALETTE = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
    "#000000",
    "#8C564B",
    "#7F7F7F",
    "#9467BD",
    "#17A2B8",
    "#A8A41D",
    "#332288",
)
_TYPE_COLOURS: dict[EventType, str] = dict(zip(EventType, _PALETTE, strict=True))

_HATCHED = {VerificationStatus.DISPUTED: "////", VerificationStatus.REFUTED: "xxxx"}
_HOLLOW = {VerificationStatus.REPORTED, VerificationStatus.UNVERIFIED}
_TITLE_WIDTH = 58
_RC = {
    "svg.hashsalt": "koreaevents",  # fixed ids in the SVG: the same picture, the same bytes
    "svg.fonttype": "path",  # glyphs as paths: looks the same without the font installed
    "font.family": "DejaVu Sans",  # ships with matplotlib, so the layout is the same anywhere
    "font.size": 9,
}


def require_matplotlib(purpose: str = "drawing a timeline") -> Any:
    """Import matplotlib, or raise :class:`~koreaevents.extras.MissingExtraError` saying
    how to install it (the ``plot`` extra)."""
    return require("matplotlib", purpose)


def timeline_digest(events: Sequence[Event], title: str | None = None) -> str:
    """SHA-256 of what a timeline shows: each event's id, type, date, status and title."""
    digest = hashlib.sha256(f"layout {LAYOUT_VERSION}\ntitle {title}\n".encode())
    for event in sorted(events, key=lambda e: e.id):
        line = "\t".join(
            (
                event.id,
                event.event_type.value,
                event.date.edtf,
                str(event.date.earliest),
                str(event.date.latest),
                event.verification.status.value,
                event.title,
            )
        )
        digest.update(line.encode() + b"\n")
    return digest.hexdigest()


def _shorten(text: str, width: int = _TITLE_WIDTH) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _rows(events: Sequence[Event]) -> list[tuple[EventType, list[Event]]]:
    """Events grouped by type (in vocabulary order), each group by (earliest, id)."""
    groups = []
    for event_type in EventType:
        members = [e for e in events if e.event_type is event_type]
        if members:
            members.sort(key=lambda e: (e.date.earliest or datetime.date.min, e.id))
            groups.append((event_type, members))
    return groups


def _span(
    events: Sequence[Event], start: datetime.date | None, end: datetime.date | None
) -> tuple[datetime.date, datetime.date]:
    """The days the time axis shows: the given range, else the events' dates."""
    days = [d for e in events for d in (e.date.earliest, e.date.latest) if d is not None]
    first = start or (min(days) if days else datetime.date.today())
    last = end or (max(days) if days else first)
    if start is None:
        first -= datetime.timedelta(days=3)
    if end is None:
        last += datetime.timedelta(days=3)
    return first, last


def plot_timeline(
    ds_or_events: Dataset | Iterable[Event],
    *,
    start: datetime.date | str | None = None,
    end: datetime.date | str | None = None,
    title: str | None = None,
) -> Figure:
    """Draw events on a time axis, one row each, grouped by event type; returns a
    matplotlib ``Figure`` (needs matplotlib, the ``plot`` extra).

    An uncertain date is a bar from its earliest to its latest day, a known day a dot;
    the fill tells the verification status. In a notebook the figure shows itself;
    elsewhere save it with ``fig.savefig("timeline.png")``.

    Args:
        ds_or_events: A :class:`~koreaevents.Dataset` (all its events) or events, such
            as the result of ``ds.events_between(...)``.
        start: First day of the axis (a date or an ISO/EDTF string; default: a few
            days before the first event). Marks reaching beyond it are cut.
        end: Last day of the axis (default: a few days after the last event).
        title: A title above the picture.

    Returns:
        The figure, not attached to any pyplot state (nothing is shown or kept open).

    Raises:
        ValueError: When there are no events, or for a bad date or a start after the end.
        MissingExtraError: When matplotlib is not installed.
    """
    from koreaevents.dataset import Dataset

    if isinstance(ds_or_events, Dataset):
        events: Sequence[Event] = ds_or_events.events
    else:
        events = list(ds_or_events)
        for item in events:
            if not isinstance(item, Event):
                raise TypeError(
                    f"plot_timeline draws a Dataset or Event records, not {type(item).__name__}"
                )
    first = _day(start, end=False, name="start")
    last = _day(end, end=True, name="end")
    if first is not None and last is not None and first > last:
        raise ValueError(f"start {first} is after end {last}")
    if not events:
        raise ValueError("no events to draw")
    require_matplotlib("plot_timeline")
    return _draw(events, first, last, title)


def _day(value: datetime.date | str | None, *, end: bool, name: str) -> datetime.date | None:
    """One end of the axis, or None to fit the events."""
    if value is None or isinstance(value, datetime.date):
        return value
    from koreaevents.query import range_bound

    if isinstance(value, str) and value.strip() in ("", ".."):
        return None
    return range_bound(value, end=end, name=name)


def _draw(
    events: Sequence[Event],
    start: datetime.date | None,
    end: datetime.date | None,
    title: str | None,
) -> Figure:
    import matplotlib.dates
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    # matplotlib.dates has no type hints: typed as Any rather than ignored call by call.
    mdates: Any = matplotlib.dates
    groups = _rows(events)
    n_rows = sum(len(members) + 1 for _, members in groups)
    first, last = _span(events, start, end)
    left, right = mdates.date2num(first), mdates.date2num(last + datetime.timedelta(days=1))

    fig = Figure(figsize=(12, 1.6 + 0.27 * n_rows), layout="constrained")
    ax = fig.add_subplot()
    labels: list[tuple[float, str, str, bool]] = []
    y = 0.0
    for event_type, members in groups:
        colour = _TYPE_COLOURS[event_type]
        labels.append((y, event_type.value.replace("_", " "), colour, True))
        ax.axhline(y - 0.5, color="#cccccc", linewidth=0.6)
        y += 1
        for event in members:
            status = event.verification.status
            e0 = mdates.date2num(event.date.earliest) if event.date.earliest else left
            e1 = mdates.date2num(event.date.latest) + 1 if event.date.latest else right
            e0, e1 = max(e0, left), min(e1, right)
            face = "white" if status in _HOLLOW else colour
            hatch = _HATCHED.get(status)
            if e1 - e0 > 1:  # an uncertain date: a bar over every day it may be
                ax.barh(
                    y,
                    e1 - e0,
                    left=e0,
                    height=0.56,
                    color=face,
                    edgecolor=colour,
                    hatch=hatch,
                    linewidth=1.2,
                    alpha=0.9 if face != "white" else 1.0,
                )
            elif e1 > e0:  # one known day: a dot in its middle
                ax.scatter(
                    [(e0 + e1) / 2],
                    [y],
                    s=48,
                    marker="o",
                    facecolors=face,
                    edgecolors=colour,
                    linewidths=1.4,
                    hatch=hatch,
                    zorder=3,
                )
            if e1 > e0:
                # The date and status beside the mark: right of it, or left of it in the
                # last third of the axis, so that the text stays inside the picture.
                late = e1 > left + (right - left) * 2 / 3
                ax.annotate(
                    f"{event.date.edtf} · {status.value}",
                    (e0 if late else e1, y),
                    xytext=(-5 if late else 5, 0),
                    textcoords="offset points",
                    ha="right" if late else "left",
                    va="center",
                    fontsize=7.5,
                    color="#444444",
                    annotation_clip=False,
                )
            labels.append((y, _shorten(event.title), "#222222", False))
            y += 1

    ax.set_ylim(y - 0.5, -0.6)
    ax.set_xlim(left, right)
    ax.set_yticks([pos for pos, *_ in labels], [text for _, text, *_ in labels])
    for tick, (_, _, colour, heading) in zip(ax.get_yticklabels(), labels, strict=True):
        tick.set_color(colour)
        if heading:
            tick.set_fontweight("bold")
    ax.tick_params(axis="y", length=0)
    ax.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=4, maxticks=9))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b %Y"))
    ax.xaxis.tick_top()
    ax.grid(axis="x", color="#e5e5e5", linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("right", "bottom", "left"):
        ax.spines[side].set_visible(False)
    if title:
        ax.set_title(title, loc="left", fontsize=11, pad=14)
    legend = [
        Line2D(
            [],
            [],
            marker="o",
            linestyle="none",
            markerfacecolor="#444444",
            markeredgecolor="#444444",
            label="known day",
        ),
        Patch(facecolor="#999999", edgecolor="#444444", label="uncertain: earliest to latest"),
        Patch(facecolor="#444444", edgecolor="#444444", label="corroborated"),
        Patch(facecolor="white", edgecolor="#444444", label="reported / unverified"),
        Patch(facecolor="white", edgecolor="#444444", hatch="////", label="disputed"),
        Patch(facecolor="white", edgecolor="#444444", hatch="xxxx", label="refuted"),
    ]
    fig.legend(handles=legend, loc="outside lower center", ncols=6, frameon=False, fontsize=8)
    return fig


def render_timeline(
    events: Sequence[Event],
    fmt: str = "svg",
    *,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    title: str | None = None,
) -> bytes:
    """The timeline as the bytes of a PNG, SVG or PDF file (see :func:`plot_timeline`)."""
    if fmt not in FORMATS:
        raise ValueError(f"picture format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    matplotlib = require_matplotlib()
    digest = timeline_digest(events, title)
    with matplotlib.rc_context(_RC):
        fig = plot_timeline(events, start=start, end=end, title=title)
        metadata: dict[str, Any]
        if fmt == "svg":
            metadata = {
                "Date": None,
                "Title": title or "koreaevents timeline",
                "Description": f"koreaevents timeline; data sha256 {digest}",
            }
        elif fmt == "pdf":
            metadata = {"CreationDate": None, "ModDate": None, "Title": title or ""}
        else:
            metadata = {
                "Title": title or "koreaevents timeline",
                "Description": f"data sha256 {digest}",
            }
        buffer = io.BytesIO()
        fig.savefig(buffer, format=fmt, metadata=metadata, dpi=150 if fmt == "png" else None)
    return buffer.getvalue()


def write_timeline(
    events: Sequence[Event],
    path: str | os.PathLike[str],
    *,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    title: str | None = None,
) -> Path:
    """Draw the events into ``path`` (format from its suffix), atomically; returns it."""
    from koreaevents.io.atomic import atomic_write_bytes

    target = Path(path)
    fmt = target.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise ValueError(
            f"{target}: name the picture .png, .svg or .pdf (the suffix picks the format)"
        )
    atomic_write_bytes(target, render_timeline(events, fmt, start=start, end=end, title=title))
    return target
