"""One module per command of the ``koreaevents`` command line.

Each module has ``NAME``, ``HELP``, ``add_arguments(parser)`` and ``run(args) -> int``;
:mod:`koreaevents.cli` registers the modules listed in :data:`COMMANDS`.
"""

from __future__ import annotations

__all__ = ["COMMANDS"]

COMMANDS: tuple[str, ...] = (
    "koreaevents.commands.info",
    "koreaevents.commands.schema",
    "koreaevents.commands.query",
    "koreaevents.commands.export",
    "koreaevents.commands.validate",
    "koreaevents.commands.fmt",
    "koreaevents.commands.new",
    "koreaevents.commands.build",
    "koreaevents.commands.diff",
    "koreaevents.commands.timeline",
)
