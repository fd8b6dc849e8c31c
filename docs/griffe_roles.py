"""Griffe extension for the docs build: Sphinx roles in docstrings become code spans.

Some docstrings cross-refer in reST (``:class:`~koreaevents.DataError```); the Google
style renderer would print the role literally. This turns each role into an inline
code span of the name (the last component for ``~``), leaving the source untouched.
The rewriting itself is :func:`koreaevents.docs_pages.plain`, shared with the index of
the committed Python API page.
"""

from __future__ import annotations

from typing import Any

import griffe

from koreaevents.docs_pages import plain

__all__ = ["SphinxRoles", "plain"]


class SphinxRoles(griffe.Extension):
    """Rewrite Sphinx roles in every loaded docstring."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        """Called for each object griffe loads."""
        if obj.docstring is not None:
            obj.docstring.value = plain(obj.docstring.value)
