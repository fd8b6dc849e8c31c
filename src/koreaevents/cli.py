"""The ``koreaevents`` command line, thin over the library.

Exit codes: 0 success, 1 invalid data, 2 usage or I/O error. Bad input never prints a
Python traceback: the errors a user can cause are caught here and said in one line.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from types import ModuleType

from koreaevents._version import __version__
from koreaevents.commands import COMMANDS
from koreaevents.extras import MissingExtraError
from koreaevents.issues import DataError, printable

__all__ = ["EXIT_INVALID", "EXIT_OK", "EXIT_USAGE", "UsageError", "build_parser", "main"]

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """A bad argument that the parser could not catch: exit 2."""


def _command_modules() -> list[ModuleType]:
    return [importlib.import_module(name) for name in COMMANDS]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every command."""
    parser = argparse.ArgumentParser(
        prog="koreaevents",
        description="Security events on the Korean peninsula: validate, build, query.",
    )
    parser.add_argument("--version", action="version", version=f"koreaevents {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in _command_modules():
        command = sub.add_parser(module.NAME, help=module.HELP, description=module.HELP)
        module.add_arguments(command)
        command.set_defaults(run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: --help is 0, bad usage is 2
        return int(exc.code or 0)
    try:
        code: int = args.run(args)
        return code
    except DataError as exc:  # one line per problem: keep the line breaks, escape the rest
        sys.stderr.write(f"koreaevents: {printable(str(exc), keep_newlines=True)}\n")
        return EXIT_INVALID
    except (UsageError, MissingExtraError) as exc:
        sys.stderr.write(f"koreaevents: {printable(str(exc))}\n")
        return EXIT_USAGE
    except (OSError, ValueError, KeyError) as exc:
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        sys.stderr.write(f"koreaevents: {printable(str(message))}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
