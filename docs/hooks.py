"""MkDocs hooks: the pages generated from the code and the data cannot drift.

``codebook.md``, ``reference/cli.md`` and ``reference/python.md`` are generated
(:data:`koreaevents.docs_pages.GENERATED_PAGES`) and committed, so that links to them
also work when ``docs/`` is read on a code host. At each build they are rendered
afresh: a committed copy that differs (or is missing) is a warning — an error under
``mkdocs build --strict`` — saying to run ``python tools/regenerate.py``, and the site
gets the fresh text either way.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files

from koreaevents.docs_pages import (
    GENERATED_PAGES,
    page_text,
    render_python_reference,
    stale_message,
)

__all__ = ["on_files", "render_python_reference"]

log = logging.getLogger("mkdocs.hooks.generated")


def on_files(files: Files, config: Any) -> Files:
    """Check each committed generated page against a fresh rendering; publish the fresh one."""
    for uri in GENERATED_PAGES:
        fresh = page_text(uri)
        committed = files.get_file_from_path(uri)
        if committed is not None:
            if Path(committed.abs_src_path or "").read_text(encoding="utf-8") == fresh:
                continue
            files.remove(committed)
        log.warning(stale_message(uri))
        files.append(File.generated(config, uri, content=fresh))
    return files
