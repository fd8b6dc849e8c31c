"""``koreaevents fmt PATH... [--check]``: record files in canonical form.

Exit 0 when every file is canonical (or was made so), 1 when a file cannot be read as
records or, with ``--check``, when a file would change; 2 on a usage or I/O error.
"""

from __future__ import annotations

import argparse
import sys

from koreaevents.issues import printable

NAME = "fmt"
HELP = (
    "rewrite record files in the canonical form of write_json, fill missing date bounds, "
    "and list every record file in datapackage.json"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``fmt``."""
    parser.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="a dataset folder, or record files inside one (events.jsonl, events/<id>.json, ...)",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing: name each file that would change, and exit 1 if any would",
    )


def run(args: argparse.Namespace) -> int:
    """Format (or check) the files and say what changed."""
    from koreaevents.cli import UsageError
    from koreaevents.io.formatting import FormatUsageError, format_paths

    try:
        report = format_paths(args.paths, check=args.check)
    except FormatUsageError as exc:
        raise UsageError(str(exc)) from None
    verb = "would reformat" if args.check else "reformatted"
    for path in report.changed:
        sys.stdout.write(f"{verb} {printable(path)}\n")
    for issue in report.problems:
        where = printable(issue.path or "")
        if issue.line is not None:
            where += f":{issue.line}"
        sys.stderr.write(
            f"cannot format {where}: [{issue.code}] {printable(issue.message)} (left as it was)\n"
        )
    noun = "file" if len(report.changed) == 1 else "files"
    summary = f"{len(report.changed)} {noun} {verb}, {len(report.unchanged)} left unchanged"
    if report.problems:
        summary += f", {len(report.problems)} not readable as records"
    sys.stderr.write(summary + "\n")
    return 0 if report.ok else 1
