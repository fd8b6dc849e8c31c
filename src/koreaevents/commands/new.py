"""``koreaevents new TYPE --id ID [--dataset DIR]``: a skeleton record to fill in.

The skeleton holds every field the type's schema requires; values still to fill are
placeholders (``{"TODO": "<what goes here>"}``) that ``validate`` reports with the
code ``placeholder``. Exit 0 with the new file's path printed, 1 when the id is used
or retired (nothing written), 2 for a bad id or a folder that is no dataset.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import attrs

from koreaevents.issues import printable

NAME = "new"
HELP = "add a skeleton record of a type to a dataset, to fill in; prints its path"

TYPES = ("event", "source", "analysis", "actor")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``new``."""
    parser.add_argument("record_type", metavar="TYPE", choices=TYPES, help=", ".join(TYPES))
    parser.add_argument(
        "--id", dest="record_id", required=True, metavar="ID", help="the new record's id"
    )
    parser.add_argument(
        "--dataset",
        type=Path,
        default=Path("."),
        metavar="DIR",
        help="the dataset folder (default: the current folder)",
    )


def _id_problem(type_name: str, record_id: str) -> str | None:
    """What is wrong with ``record_id`` as an id of the type (None: nothing)."""
    from koreaevents.records import RECORD_TYPES, spec

    field = spec(attrs.fields_dict(RECORD_TYPES[type_name])["id"])
    if not record_id:
        return "an id cannot be empty"
    if field.max_length is not None and len(record_id) > field.max_length:
        return f"it is {len(record_id)} characters long, more than {field.max_length}"
    if field.pattern is not None and not re.search(field.pattern, record_id):
        return f"it does not match {field.pattern}"
    if field.not_pattern is not None and re.search(field.not_pattern, record_id):
        return f"it may not match {field.not_pattern}"
    return None


def _suggest(type_name: str, record_id: str) -> str:
    """A well-formed id close to a bad one: lowercase, runs of other characters as -."""
    slug = re.sub(r"[^a-z0-9]+", "-", record_id.lower()).strip("-")
    from koreaevents.records import RECORD_TYPES, spec

    pattern = spec(attrs.fields_dict(RECORD_TYPES[type_name])["id"]).pattern or ""
    prefix = re.match(r"\^([a-z]+-)", pattern)
    if prefix and not slug.startswith(prefix.group(1)):
        slug = prefix.group(1) + slug
    if slug and _id_problem(type_name, slug) is None:
        return f" (e.g. {slug!r})"
    return ""


def run(args: argparse.Namespace) -> int:
    """Write the skeleton and print its path."""
    from koreaevents.cli import UsageError
    from koreaevents.io.formatting import FormatUsageError, IdInUse, add_record
    from koreaevents.records import RECORD_TYPES, spec
    from koreaevents.skeleton import skeleton

    type_name, record_id = args.record_type, args.record_id
    problem = _id_problem(type_name, record_id)
    if problem is not None:
        what = spec(attrs.fields_dict(RECORD_TYPES[type_name])["id"]).description
        raise UsageError(
            f"{record_id!r} is not a valid {type_name} id: {problem}. {what}"
            f"{_suggest(type_name, record_id)}"
        )
    try:
        path = add_record(args.dataset, type_name, skeleton(type_name, record_id))
    except IdInUse as exc:
        sys.stderr.write(f"koreaevents: {printable(str(exc))}\n")
        return 1
    except FormatUsageError as exc:
        raise UsageError(str(exc)) from None
    sys.stdout.write(f"{printable(str(path))}\n")
    return 0
