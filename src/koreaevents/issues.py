"""Problems found in data: one issue model with stable codes, shared by every reader and check.

Each kind of problem is an :class:`IssueKind` with a stable ``code`` (what scripts and
CI match on), a ``title`` and a ``hint`` that tells a contributor how to fix it, in the
manner of frictionless' error classes. An :class:`Issue` is one occurrence: where it is
(path, line, column, record id, JSON Pointer) and what is wrong.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

import attrs

__all__ = [
    "ISSUE_KINDS",
    "DataError",
    "Issue",
    "IssueKind",
    "Severity",
    "issue_code_table",
    "printable",
]


def printable(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` with control and bidi characters escaped, safe to print on one line.

    A file name may hold a newline or a right-to-left override; printed raw, it could
    forge a line of output (a CI workflow command, say) or reorder what a reader sees
    ("Trojan Source", CVE-2021-42574). Every character that Python does not call
    printable is escaped: controls, and the format characters that include every bidi
    override and isolate. With ``keep_newlines``, line breaks stay (for messages of
    several lines).
    """
    if text.isprintable():
        return text
    out = []
    for char in text:
        if char == "\n" and keep_newlines:
            out.append(char)
        elif char == "\n":
            out.append("\\n")
        elif char == "\r":
            out.append("\\r")
        elif char == "\t":
            out.append("\\t")
        elif not char.isprintable():
            code = ord(char)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(char)
    return "".join(out)


class Severity(enum.StrEnum):
    """How bad an issue is: errors make data invalid, warnings do not."""

    ERROR = "error"
    WARNING = "warning"


@attrs.frozen
class IssueKind:
    """One kind of problem, with a stable code and a fix-it hint."""

    code: str
    title: str
    hint: str
    severity: Severity = Severity.ERROR


ISSUE_KINDS: dict[str, IssueKind] = {
    kind.code: kind
    for kind in (
        IssueKind(
            "json-syntax",
            "Malformed JSON",
            "Fix the JSON syntax at the given line and column (a missing comma, quote or "
            "bracket is the usual cause); NaN and Infinity are not JSON.",
        ),
        IssueKind(
            "encoding",
            "Not UTF-8 text",
            "Save the file as UTF-8 without a byte order mark.",
        ),
        IssueKind(
            "duplicate-key",
            "Key given twice in one object",
            "Remove one of the two values: JSON parsers silently keep only the last.",
        ),
        IssueKind(
            "schema",
            "Violates the JSON Schema",
            "Change the value at the pointer so that it fits the field's definition "
            "(see `koreaevents schema TYPE` and the codebook).",
        ),
        IssueKind(
            "date-bounds",
            "Date bounds disagree with the EDTF value",
            "Set date.earliest and date.latest to the first and last day the EDTF value "
            "allows (null for an open or unknown end), or correct the EDTF value.",
        ),
        IssueKind(
            "placeholder",
            "A skeleton value not yet filled in",
            'Replace the `{"TODO": ...}` object that `koreaevents new` left with the value '
            "it describes (the message says what goes there); then run `koreaevents fmt`.",
        ),
        IssueKind(
            "duplicate-id",
            "Id used more than once",
            "Give each record its own id; ids are unique across the whole dataset.",
        ),
        IssueKind(
            "dangling-reference",
            "Reference to an id that does not exist",
            "Add the missing record or correct the id it refers to.",
        ),
        IssueKind(
            "retired-id",
            "Id retired by an earlier version",
            "A retired id (listed in the retired file) is never used again: give the record "
            "a new id, or delete the tombstone if this very record is restored.",
        ),
        IssueKind(
            "duplicate-stem",
            "Record type given in two files",
            "Keep one of <stem>.jsonl, <stem>.json and the folder <stem>/: each record "
            "type of a dataset lives in one place.",
        ),
        IssueKind(
            "unknown-file",
            "File matches no record type",
            "Name the file after a record type (events, sources, analyses, actors), "
            "move it out of the dataset directory, or pass --type.",
        ),
        IssueKind(
            "datapackage",
            "datapackage.json is invalid",
            "Make datapackage.json a Frictionless Data Package v2 descriptor with a "
            "name, a SemVer version and licenses.",
        ),
        IssueKind(
            "no-datapackage",
            "Dataset directory without datapackage.json",
            "Add a datapackage.json (Frictionless Data Package v2) with a name, a SemVer "
            "version, licenses and one resource per data file; ke.write_json writes one.",
            Severity.WARNING,
        ),
        IssueKind(
            "not-checked",
            "Built Parquet files are not checked",
            "validate checks the JSON a dataset is built from: run it on the JSON "
            "dataset directory, then `koreaevents build` it again.",
            Severity.WARNING,
        ),
        IssueKind(
            "index",
            "Stored index does not fit its file",
            "The long-span index in the footer of an events file misstates its rows (the "
            "file was rewritten by another tool, or the entries were changed): queries "
            "ignore it, but the file is not what koreaevents built; build the release again.",
        ),
        IssueKind(
            "too-large",
            "Input too large or too deeply nested",
            "Split the file into JSON Lines with one record a line, and keep records "
            "small and shallow.",
        ),
        IssueKind(
            "io",
            "File cannot be read",
            "Check that the path exists, is a regular file and is readable.",
        ),
        IssueKind(
            "bom",
            "UTF-8 byte order mark",
            "Save the file as UTF-8 without a byte order mark; it was read as if absent.",
            Severity.WARNING,
        ),
        IssueKind(
            "file-name",
            "File not named after its record",
            "Name each file of a one-record-per-file folder after the id of the record "
            "it holds (<id>.json), as write_json does.",
            Severity.WARNING,
        ),
        IssueKind(
            "not-listed",
            "Record file not in datapackage.json",
            "List the file in its resource's path, or run `koreaevents fmt` on the dataset "
            "(or write it with ke.write_json): both list every record file.",
            Severity.WARNING,
        ),
        IssueKind(
            "many-records",
            "Several records in a one-record file",
            "Give each record its own file, named after its id (<id>.json), as write_json "
            "does; many records belong in <stem>.jsonl.",
            Severity.WARNING,
        ),
        IssueKind(
            "empty-file",
            "File holds no records",
            "Remove the empty file or add records to it.",
            Severity.WARNING,
        ),
    )
}


@attrs.frozen
class Issue:
    """One problem at one place.

    ``pointer`` is a JSON Pointer relative to the record (``/location/lat``; ``""``
    for the whole record), ``line`` is 1-based (the line of the bad value where known,
    else the line where the record starts) and ``column`` is 1-based.
    """

    code: str
    message: str
    path: str | None = None
    line: int | None = None
    column: int | None = None
    record_id: str | None = None
    pointer: str | None = None
    severity: Severity = attrs.field(converter=Severity)

    @severity.default
    def _severity_of_kind(self) -> Severity:
        kind = ISSUE_KINDS.get(self.code)
        return kind.severity if kind else Severity.ERROR

    @property
    def kind(self) -> IssueKind | None:
        """The registered kind of this issue, if its code is one of ours."""
        return ISSUE_KINDS.get(self.code)

    @property
    def is_error(self) -> bool:
        """Whether this issue makes the data invalid."""
        return self.severity is Severity.ERROR

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dict with every field, in a stable order."""
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "record_id": self.record_id,
            "pointer": self.pointer,
            "code": self.code,
            "severity": str(self.severity),
            "message": self.message,
        }


class DataError(ValueError):
    """Data that cannot be loaded, with every issue that stands in the way."""

    def __init__(self, issues: Iterable[Issue], summary: str | None = None) -> None:
        self.issues: tuple[Issue, ...] = tuple(issues)
        errors = [issue for issue in self.issues if issue.is_error]
        head = summary or f"{len(errors)} problem(s) in the data"
        # one line per issue: a line break in a path, id or value from the data is
        # escaped, so that it cannot start a line of its own (a forged CI command, say)
        lines = [printable(head) + ":"]
        for issue in errors[:50]:
            where = printable(issue.path or "<data>")
            if issue.line is not None:
                where += f":{issue.line}"
            rid = f" {printable(issue.record_id)}" if issue.record_id else ""
            ptr = f" {printable(issue.pointer)}" if issue.pointer else ""
            lines.append(f"  {where}:{rid}{ptr} [{issue.code}] {printable(issue.message)}")
        if len(errors) > 50:
            lines.append(f"  … and {len(errors) - 50} more")
        super().__init__("\n".join(lines))


def issue_code_table() -> str:
    """The Markdown table of every issue code: severity, title and fix, from ISSUE_KINDS.

    ``docs/issue-codes.md`` embeds it between ``<!-- codes:start -->`` and
    ``<!-- codes:end -->``; a test fails when the page is stale
    (``python -m koreaevents.validation.codes_page`` rewrites it).
    """
    rows = [
        "| code | severity | what it means | how to fix it |",
        "|---|---|---|---|",
    ]
    for code in sorted(ISSUE_KINDS):
        kind = ISSUE_KINDS[code]
        hint = kind.hint.replace("|", "\\|")
        rows.append(f"| `{code}` | {kind.severity} | {kind.title} | {hint} |")
    return "\n".join(rows) + "\n"
