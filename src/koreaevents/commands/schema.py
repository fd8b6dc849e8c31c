"""``koreaevents schema TYPE``: print a record type's self-contained JSON Schema."""

from __future__ import annotations

import argparse
import sys

NAME = "schema"
HELP = "print a record type's JSON Schema (self-contained, every $ref internal)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``schema``."""
    parser.add_argument("type", choices=("event", "source", "analysis", "actor"))


def run(args: argparse.Namespace) -> int:
    """Print the schema."""
    from koreaevents.schema import dump_schema

    sys.stdout.write(dump_schema(args.type))
    return 0
