"""Reporters: a :class:`~koreaevents.validation.ValidationReport` as text, JSON or
GitHub workflow annotations, behind one interface (:data:`REPORTERS`).

``text``: one line per issue, grouped by file (files in the order first met, issues
by line), then a summary with counts::

    events.jsonl:4: evt-x /event_type [schema] 'missle' is not an accepted value: ...

The location is ``path:line:column:`` (column where known), then the record id and
the JSON Pointer (relative to the record) when there are any, then ``[code]``
(``[code warning]`` for a warning), then the message.

``json``: the report's :meth:`~koreaevents.validation.ValidationReport.to_dict`, the
shape documented in ``docs/issue-codes.md``.

``github``: ``::error file=…,line=…,col=…,title=…::message`` (``::warning`` for
warnings), one a line, then the text summary; GitHub shows them on the pull request.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

import orjson

from koreaevents.issues import Issue, printable
from koreaevents.validation import ValidationReport

__all__ = ["REPORTERS", "format_github", "format_json", "format_text", "summary_line"]


def _grouped(issues: tuple[Issue, ...]) -> list[Issue]:
    order: dict[str | None, int] = {}
    for issue in issues:
        order.setdefault(issue.path, len(order))
    return sorted(
        issues,
        key=lambda issue: (
            order[issue.path],
            issue.line if issue.line is not None else 0,
            issue.column if issue.column is not None else 0,
        ),
    )


def _location(issue: Issue) -> str:
    where = printable(issue.path) if issue.path else "<input>"
    if issue.line is not None:
        where += f":{issue.line}"
        if issue.column is not None:
            where += f":{issue.column}"
    return where + ":"


def format_issue(issue: Issue) -> str:
    """One issue as one line of the text report."""
    parts = [_location(issue)]
    if issue.record_id:
        parts.append(printable(issue.record_id))
    if issue.pointer:
        parts.append(printable(issue.pointer))
    tag = issue.code if issue.is_error else f"{issue.code} warning"
    parts.append(f"[{tag}]")
    parts.append(printable(issue.message))
    return " ".join(parts)


def summary_line(report: ValidationReport) -> str:
    """The closing summary: verdict, counts, and whether validation stopped early."""
    errors, warnings = len(report.errors), len(report.warnings)
    verdict = "valid" if report.ok else "INVALID"
    text = (
        f"{verdict}: {errors} error(s), {warnings} warning(s) in {report.records} record(s) "
        f"from {report.files} file(s)"
    )
    counts = report.counts()
    if counts:
        text += " — " + ", ".join(f"{code}: {n}" for code, n in counts.items())
    if report.stopped:
        text += (
            f"\nstopped after {report.max_errors} error(s) (--max-errors): there may be "
            "more; fix these and run again"
        )
    return text


def format_text(report: ValidationReport) -> str:
    """The text report: issues grouped by file, then the summary."""
    lines: list[str] = []
    current: str | None = None
    first = True
    for issue in _grouped(report.issues):
        if not first and issue.path != current:
            lines.append("")
        current = issue.path
        first = False
        lines.append(format_issue(issue))
    if lines:
        lines.append("")
    lines.append(summary_line(report))
    return "\n".join(lines) + "\n"


def format_json(report: ValidationReport) -> str:
    """The JSON report (``to_dict``), indented, keys in a stable order."""
    return orjson.dumps(report.to_dict(), option=orjson.OPT_INDENT_2).decode() + "\n"


def _escape_data(text: str) -> str:
    # the workflow-command escapes first (GitHub shows %0A as a line break), then any
    # other control or bidi character spelled out
    return printable(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def format_github(report: ValidationReport) -> str:
    """GitHub Actions workflow commands, one per issue, then the summary."""
    lines = []
    for issue in _grouped(report.issues):
        command = "error" if issue.is_error else "warning"
        props = [f"file={_escape_property(issue.path or '.')}"]
        if issue.line is not None:
            props.append(f"line={issue.line}")
            if issue.column is not None:
                props.append(f"col={issue.column}")
        props.append(f"title={_escape_property(f'koreaevents [{issue.code}]')}")
        where = " ".join(part for part in (issue.record_id, issue.pointer) if part)
        message = f"{where}: {issue.message}" if where else issue.message
        lines.append(f"::{command} {','.join(props)}::{_escape_data(message)}")
    lines.append(summary_line(report))
    return "\n".join(lines) + "\n"


REPORTERS: Final[dict[str, Callable[[ValidationReport], str]]] = {
    "text": format_text,
    "json": format_json,
    "github": format_github,
}
"""Format name -> function from a report to the whole output text."""
