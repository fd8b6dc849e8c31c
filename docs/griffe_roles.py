"""Griffe extension for the docs build: Sphinx roles in docstrings become code spans.

Some docstrings cross-refer in reST (``:class:`~koreaevents.DataError```); the Google
style renderer would print the role literally. This turns each role into an inline
code span of the name (the last component for ``~``), leaving the source untouched.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

ROLE = re.compile(r":(?:py:)?(?:class|func|meth|attr|data|mod|exc|obj|const):`(?P<target>[^`]+)`")


def plain(text: str) -> str:
    """``text`` with every Sphinx role replaced by a code span of its target."""

    def replace(match: re.Match[str]) -> str:
        target = match["target"]
        if target.startswith("~"):
            target = target[1:].rsplit(".", 1)[-1]
        return f"`{target}`"

    return ROLE.sub(replace, text)


class SphinxRoles(griffe.Extension):
    """Rewrite Sphinx roles in every loaded docstring."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        """Called for each object griffe loads."""
        if obj.docstring is not None:
            obj.docstring.value = plain(obj.docstring.value)
