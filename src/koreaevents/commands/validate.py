"""``koreaevents validate PATH...``: check files or dataset directories.

Exit 0 when the data is valid (warnings allowed), 1 when it is invalid, 2 on a usage
error or when a path cannot be read at all (missing, unreadable, a symlink loop).
"""

from __future__ import annotations

import argparse
import sys

NAME = "validate"
HELP = "check JSON/JSONL files, record folders or dataset directories; every problem located"

DEFAULT_MAX_ERRORS = 1000
"""Errors shown before validation stops, unless --max-errors says otherwise."""


def _max_errors(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 (no limit) or more")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``validate``."""
    parser.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="a .jsonl or .json file, a folder of one-record .json files, a dataset "
        "directory, or a datapackage.json (JSON only: a built Parquet release is not "
        "checked)",
    )
    parser.add_argument(
        "--type",
        dest="record_type",
        choices=("event", "source", "analysis", "actor"),
        help="what the files hold, when their names do not say",
    )
    parser.add_argument(
        "--format",
        choices=("text", "json", "github"),
        default="text",
        help="text (default), json (a stable shape), or github (workflow annotations)",
    )
    parser.add_argument(
        "--max-errors",
        type=_max_errors,
        default=DEFAULT_MAX_ERRORS,
        metavar="N",
        help=f"stop after N errors (default {DEFAULT_MAX_ERRORS}; 0: no limit)",
    )


def run(args: argparse.Namespace) -> int:
    """Validate, print the report, and return the exit code."""
    from koreaevents.validation import validate
    from koreaevents.validation.reporters import REPORTERS

    report = validate(
        args.paths,
        record_type=args.record_type,
        max_errors=args.max_errors or None,
    )
    sys.stdout.write(REPORTERS[args.format](report))
    if report.io_failed:
        return 2
    return 0 if report.ok else 1
