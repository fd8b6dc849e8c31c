"""``koreaevents diff OLD NEW``: what changed between two datasets or releases.

Exit 0 when nothing differs, 1 when something does, 2 on a usage or I/O error (a
missing path, a dataset that cannot be read). With ``--check-version`` the exit code
answers another question: 1 when NEW's version is below OLD's version raised by the
suggested bump, else 0; the verdict goes to standard error.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

NAME = "diff"
HELP = (
    "records added, removed and changed between two datasets or releases (JSON or "
    "Parquet), and the version bump they call for"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``diff``."""
    parser.add_argument("old", type=Path, metavar="OLD", help="the earlier dataset or release")
    parser.add_argument("new", type=Path, metavar="NEW", help="the later dataset or release")
    parser.add_argument(
        "--format",
        choices=("text", "json", "markdown"),
        default="text",
        help="text (default), json (a stable shape), or markdown (a Keep a Changelog "
        "section: Added, Changed, Removed)",
    )
    parser.add_argument(
        "--check-version",
        action="store_true",
        help="exit 1 when NEW's version is below OLD's version raised by the suggested "
        "bump (major, minor, patch), else 0",
    )


def run(args: argparse.Namespace) -> int:
    """Compare, print the report, and return the exit code."""
    from koreaevents.changes import bump_version, compare_versions, diff
    from koreaevents.cli import UsageError
    from koreaevents.issues import DataError, printable

    try:
        result = diff(args.old, args.new)
    except DataError as exc:  # a side that cannot be read: an I/O error here, not a diff
        raise UsageError(str(exc).splitlines()[0].rstrip(":")) from None
    if args.format == "json":
        text = json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n"
    elif args.format == "markdown":
        text = result.to_markdown()
    else:
        text = result.to_text()
    sys.stdout.write(text)
    if not args.check_version:
        return 1 if result else 0

    old_version, new_version = result.old.get("version"), result.new.get("version")
    for what, version in (("OLD", old_version), ("NEW", new_version)):
        if version is None:
            raise UsageError(f"--check-version: {what} has no version in its datapackage.json")
    assert old_version is not None and new_version is not None
    bump = result.suggested_bump
    try:
        needed = bump_version(old_version, bump)
        below = compare_versions(new_version, needed) < 0
    except ValueError as exc:
        raise UsageError(f"--check-version: {exc}") from None
    why = f"the changes call for a {bump} bump" if bump else "nothing differs"
    if below:
        sys.stderr.write(
            printable(
                f"koreaevents: version {new_version} is too low: {why}, so NEW needs at "
                f"least {needed} (OLD is {old_version})"
            )
            + "\n"
        )
        return 1
    sys.stderr.write(
        printable(f"koreaevents: version {new_version} is enough: {why} (at least {needed})") + "\n"
    )
    return 0
