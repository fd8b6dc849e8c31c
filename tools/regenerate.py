"""Rewrite the files derived from the code and the data.

* ``schemas/*.schema.json``, from the record classes (``tests/test_schema.py`` fails
  while they are stale): run after changing a field, a constraint or a vocabulary.
* the record of the check in ``docs/coverage.md`` (between its ``begin generated`` and
  ``end generated`` markers), a table of every event of the bundled dataset with the
  reports it was checked against, and every recorded discrepancy
  (``tests/test_coverage_doc.py`` fails while it is stale): run after changing the data.
* ``docs/img/timeline.svg``, the picture of the bundled dataset on the home page,
  drawn by ``koreaevents timeline`` (needs matplotlib, the ``plot`` extra): run before a
  release. A contribution to the data does not have to redraw it; the picture names
  the version and the digest of the data it shows.
* the generated pages ``docs/codebook.md``, ``docs/reference/cli.md`` and
  ``docs/reference/python.md`` (:mod:`koreaevents.docs_pages`), committed so that links
  in ``docs/`` work on a code host (``tests/test_generated_pages.py`` fails while they
  are stale): run after changing the data, a schema, a command or a docstring.

::

    python tools/regenerate.py          # rewrite what is stale
    python tools/regenerate.py --check  # list what is stale, exit 1 if anything is
"""

from __future__ import annotations

import argparse
import contextlib
import io
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PICTURE = Path("docs/img/timeline.svg")
COVERAGE = Path("docs/coverage.md")
BEGIN = "<!-- begin generated: tools/regenerate.py writes from here to the end marker -->"
END = "<!-- end generated -->"
_DIGEST = re.compile(r"data sha256 ([0-9a-f]{64})")


def _draw(out: Path) -> None:
    from koreaevents import cli

    with contextlib.redirect_stdout(io.StringIO()):
        code = cli.main(["timeline", "--out", str(out)])
    if code != 0:
        raise SystemExit(f"koreaevents timeline --out {out} exited {code}")


def _cell(text: object) -> str:
    """``text`` made safe for one cell of a Markdown table."""
    return (
        " ".join(str(text).split())
        .replace("\\", "\\\\")
        .replace("|", "\\|")
        .replace("<", "&lt;")
        .replace("*", "\\*")
        .replace("_", "\\_")
    )


def _link(title: str, url: str | None) -> str:
    """A Markdown link to ``url``, or the bare title for a source without a URL."""
    label = _cell(title).replace("[", "\\[").replace("]", "\\]")
    return f"[{label}](<{url}>)" if url else label


def coverage_record(ds: Any) -> str:
    """The record of the check, in Markdown: counts by event type and verification status,
    each event with the reports it was checked against and what each supports, and every
    discrepancy recorded between a report's claim and the corrected record."""
    from koreaevents.vocab import EventType, VerificationStatus

    events = sorted(ds.events, key=lambda e: (e.date.earliest, e.id))
    sources = {s.id: s for s in ds.sources}
    actors = {a.id: a for a in ds.actors}
    statuses = list(VerificationStatus)

    def who(source_id: str) -> str:
        source = sources[source_id]
        outlet = source.publisher + (f" ({source.agency})" if source.agency else "")
        return f"{outlet}, {source.reliability}"

    lines = [
        f"*{ds.name} {ds.version}: {len(events)} events checked against "
        f"{len({c.source for e in events for c in e.citations})} reports.*",
        "",
        "#### Events by type and verification status",
        "",
        "| type | events | " + " | ".join(str(s) for s in statuses) + " |",
        "|---|---:|" + "---:|" * len(statuses),
    ]
    for event_type in EventType:
        of_type = [e for e in events if e.event_type == event_type]
        if of_type:
            counts = [sum(e.verification.status == s for e in of_type) for s in statuses]
            lines.append(
                f"| `{event_type}` | {len(of_type)} | " + " | ".join(map(str, counts)) + " |"
            )
    launches = [
        e
        for e in events
        if e.event_type == EventType.MISSILE_LAUNCH
        and e.date.earliest.year == 2024
        and any(a.actor == "prk" and a.role == "initiator" for a in e.actors)
    ]
    lines += [
        "",
        f"#### North Korea's missile launch days of 2024 ({len(launches)})",
        "",
        "| date (EDTF) | weapon (category, name as reported) | status | event |",
        "|---|---|---|---|",
    ]
    for event in launches:
        weapon = event.weapon
        what = (
            f"`{weapon.category}`" + (f", {_cell(weapon.name)}" if weapon.name else "")
            if weapon
            else "—"
        )
        lines.append(
            f"| {_cell(event.date.edtf)} | {what} | {event.verification.status} "
            f"| {_cell(event.title)}<br>`{event.id}` |"
        )
    lines += [
        "",
        "#### Each event and the reports it was checked against",
        "",
        "Status and credibility are the record's own (`verification`); each report is "
        "listed with its outlet (the wire agency whose copy it carries), its reliability "
        "grade, whose claim it relays, and the claim it supports.",
        "",
        "| date (EDTF) | event | status | checked against |",
        "|---|---|---|---|",
    ]
    for event in events:
        v = event.verification
        status = f"{v.status}" + (f" ({int(v.credibility)})" if v.credibility is not None else "")
        checks = []
        for number, citation in enumerate(event.citations, 1):
            source = sources[citation.source]
            origin = actors[source.originator].name if source.originator else None
            checks.append(
                f"{number}. {_link(source.title, source.url)} — {_cell(who(source.id))}"
                + (f"; claim of {_cell(origin)}" if origin else "")
                + f": {_cell(citation.claim)}"
            )
        lines.append(
            f"| {_cell(event.date.edtf)} | {_cell(event.title)}<br>`{event.id}` "
            f"| {status} | {'<br>'.join(checks)} |"
        )
    lines += [
        "",
        "#### Where a report was wrong: the discrepancies",
        "",
        "| event | field | claimed, and where | corrected, and by which reports |",
        "|---|---|---|---|",
    ]
    for event in events:
        for d in event.verification.discrepancies:
            where = f" ({_cell(who(d.claimed_in))})" if d.claimed_in else ""
            by = ", ".join(_cell(who(c)) for c in d.citations)
            lines.append(
                f"| `{event.id}` | `{d.field}` | {_cell(d.claimed)}{where} "
                f"| {_cell(d.corrected)} ({by}) |"
            )
    return "\n".join(lines) + "\n"


def _with_record(text: str, record: str, path: Path) -> str:
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        raise SystemExit(f"{path}: the markers {BEGIN!r} and {END!r} are missing or out of order")
    return text[: start + len(BEGIN)] + "\n\n" + record + "\n" + text[end:]


def regenerate(root: Path = ROOT, *, check: bool = False) -> list[Path]:
    """Rewrite (or with ``check``, only compare) the derived files under ``root``;
    returns those that were stale. The picture is skipped without matplotlib."""
    from koreaevents.docs_pages import GENERATED_PAGES, page_text
    from koreaevents.schema import write_schemas

    fresh_of: dict[Path, bytes] = {}  # each stale file, with its fresh bytes
    with tempfile.TemporaryDirectory() as scratch:
        fresh = Path(scratch)
        for path in write_schemas(fresh / "schemas"):
            target = root / "schemas" / path.name
            if not target.is_file() or target.read_bytes() != path.read_bytes():
                fresh_of[target] = path.read_bytes()
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            print("skipped docs/img/timeline.svg: matplotlib is not installed", file=sys.stderr)
        else:
            _draw(fresh / "timeline.svg")
            target = root / PICTURE
            old = target.read_text(encoding="utf-8") if target.is_file() else ""
            drawn = (fresh / "timeline.svg").read_bytes()
            if _DIGEST.findall(old) != _DIGEST.findall(drawn.decode("utf-8")):
                fresh_of[target] = drawn
    coverage = root / COVERAGE
    if coverage.is_file():  # a root without the page (a test's scratch folder) has none
        import koreaevents

        old = coverage.read_text(encoding="utf-8")
        new = _with_record(old, coverage_record(koreaevents.load()), coverage)
        if new != old:
            fresh_of[coverage] = new.encode("utf-8")
    if (root / "docs").is_dir():  # the generated pages, committed for code hosts
        for uri in GENERATED_PAGES:
            target = root / "docs" / uri
            text = page_text(uri).encode("utf-8")
            if not target.is_file() or target.read_bytes() != text:
                fresh_of[target] = text
    if not check:
        from koreaevents.io.atomic import atomic_write_bytes

        for target, data in fresh_of.items():
            target.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_bytes(target, data)
    return list(fresh_of)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if stale")
    args = parser.parse_args(argv)
    stale = regenerate(check=args.check)
    for path in stale:
        print(f"{'stale' if args.check else 'rewrote'} {path.relative_to(ROOT)}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    raise SystemExit(main())
