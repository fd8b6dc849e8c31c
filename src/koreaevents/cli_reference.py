"""The command-line reference, rendered as Markdown from the argument parser itself.

Every command, argument, option, choice, default and help text comes from
:func:`koreaevents.cli.build_parser`, so the page cannot drift from the program. The
page ``docs/reference/cli.md`` is this text, committed and kept current
(:mod:`koreaevents.docs_pages`); print it with
``python -m koreaevents.cli_reference``.
"""

from __future__ import annotations

import argparse
import sys

from koreaevents.cli import EXIT_INVALID, EXIT_OK, EXIT_USAGE, build_parser

__all__ = ["EXIT_CODES", "main", "option_rows", "render_cli_reference", "subcommands"]

EXIT_CODES: tuple[tuple[int, str], ...] = (
    (EXIT_OK, "success (for `validate`: the data is valid)"),
    (EXIT_INVALID, "the data is invalid: every problem is printed, with file, line and code"),
    (
        EXIT_USAGE,
        "usage or I/O error: a bad option or date, a missing path, an unwritable output, "
        "a missing optional extra",
    ),
    (130, "interrupted (Ctrl-C)"),
)
"""Every exit code of every command, with its meaning."""


def subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """The parsers of a parser's subcommands, by command name, in registration order."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _names(action: argparse.Action) -> str:
    if action.option_strings:
        names = ", ".join(f"`{name}`" for name in action.option_strings)
        if action.nargs != 0:
            names += f" `{_metavar(action)}`"
        return names
    return f"`{_metavar(action)}`"


def _metavar(action: argparse.Action) -> str:
    if isinstance(action.metavar, str):
        return action.metavar
    return str(action.dest).upper()


def _usage(parser: argparse.ArgumentParser, width: int = 88) -> str:
    # A fixed width: argparse would follow the terminal, and the page must not change
    # with the window it was built in.
    formatter = argparse.HelpFormatter(parser.prog, width=width)
    formatter.add_usage(parser.usage, parser._actions, parser._mutually_exclusive_groups, "")
    return formatter.format_help().strip()


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def option_rows(parser: argparse.ArgumentParser) -> list[tuple[str, str, str]]:
    """``(argument, help, details)`` for every argument and option of a command."""
    rows = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction | argparse._HelpAction):
            continue
        details = []
        if action.choices is not None:
            details.append("one of " + ", ".join(f"`{choice}`" for choice in action.choices))
        if action.required and action.option_strings:
            details.append("required")
        elif not action.option_strings:
            details.append("optional" if action.nargs in ("?", "*") else "required")
            if action.nargs in ("*", "+"):
                details.append("repeatable")
        if isinstance(action, argparse._AppendAction):
            details.append("repeatable")
        if action.default not in (None, False, argparse.SUPPRESS) and action.nargs != 0:
            details.append(f"default `{action.default}`")
        help_text = (action.help or "").replace("%(prog)s", parser.prog)
        rows.append((_names(action), help_text, "; ".join(details)))
    return rows


def _table(parser: argparse.ArgumentParser) -> list[str]:
    lines = ["| argument | meaning | details |", "|---|---|---|"]
    for names, help_text, details in option_rows(parser):
        lines.append(f"| {names} | {_cell(help_text) or '—'} | {_cell(details) or '—'} |")
    return lines


def render_cli_reference(parser: argparse.ArgumentParser | None = None) -> str:
    """The reference of every command of ``koreaevents`` as Markdown."""
    parser = parser or build_parser()
    commands = subcommands(parser)
    out = [
        "# Command line",
        "",
        "`koreaevents COMMAND …`, also `python -m koreaevents COMMAND …`. This page is "
        "generated from the program's own argument parser; "
        "`koreaevents COMMAND --help` prints the same.",
        "",
        "| command | does |",
        "|---|---|",
    ]
    for name, command in commands.items():
        out.append(f"| [`{name}`](#{name}) | {_cell(command.description or '')} |")
    out += [
        "",
        "## Exit codes",
        "",
        "The same for every command; bad input never prints a Python traceback, only one "
        "line that says what is wrong.",
        "",
        "| code | meaning |",
        "|---|---|",
        *(f"| {code} | {meaning} |" for code, meaning in EXIT_CODES),
        "",
        "## Global options",
        "",
        "```text",
        _usage(parser),
        "```",
        "",
        *_table(parser),
    ]
    for name, command in commands.items():
        out += [
            "",
            f"## `{name}` {{ #{name} }}",
            "",
            _cell(command.description or ""),
            "",
            "```text",
            _usage(command),
            "```",
            "",
            *_table(command),
        ]
    return "\n".join(out) + "\n"


def main() -> None:
    """Print the command-line reference."""
    sys.stdout.write(render_cli_reference())


if __name__ == "__main__":
    main()
