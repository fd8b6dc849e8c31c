"""The documentation pages generated from the code and the data.

Three pages of ``docs/`` are written by a program, not by hand: the codebook (from the
JSON Schemas, the vocabularies and the bundled dataset), the command-line reference
(from the argument parser) and the Python API reference (one mkdocstrings entry per
name of ``koreaevents.__all__``). They are committed, so that links to them work when
``docs/`` is read on a code host, and kept true three ways: ``python
tools/regenerate.py`` rewrites them, ``tests/test_generated_pages.py`` fails while a
committed copy is stale, and the docs build (``docs/hooks.py``) warns about a stale
copy (an error under ``mkdocs build --strict``) and publishes the fresh text.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable

__all__ = [
    "GENERATED_PAGES",
    "page_text",
    "plain",
    "render_python_reference",
    "stale_message",
]

# Sections of the Python reference, by the defining module's name (first match wins).
SECTIONS: tuple[tuple[str, str], ...] = (
    ("koreaevents.io", "Loading and writing"),
    ("koreaevents.dataset", "The dataset and its queries"),
    ("koreaevents.query", "The dataset and its queries"),
    ("koreaevents.records", "Record types and their parts"),
    ("koreaevents.edtf", "Dates (EDTF)"),
    ("koreaevents.schema", "JSON Schemas"),
    ("koreaevents.valid", "Validation"),
    ("koreaevents.check", "Validation"),
    ("koreaevents.report", "Validation"),
    ("koreaevents.issues", "Errors and issues"),
    ("koreaevents.convert", "Errors and issues"),
)
OTHER = "Other"

ROLE = re.compile(r":(?:py:)?(?:class|func|meth|attr|data|mod|exc|obj|const):`(?P<target>[^`]+)`")


def plain(text: str) -> str:
    """``text`` with every Sphinx role (``:class:`~koreaevents.DataError```) replaced by a
    code span of its target (the last component for ``~``)."""

    def replace(match: re.Match[str]) -> str:
        target = match["target"]
        if target.startswith("~"):
            target = target[1:].rsplit(".", 1)[-1]
        return f"`{target}`"

    return ROLE.sub(replace, text)


def _section(name: str) -> str:
    import koreaevents

    module = getattr(getattr(koreaevents, name), "__module__", "") or ""
    for prefix, title in SECTIONS:
        if module.startswith(prefix):
            return title
    return OTHER


def _summary(name: str) -> str:
    """The first paragraph of a public name's docstring, on one line, safe in a table."""
    import koreaevents

    doc = inspect.getdoc(getattr(koreaevents, name)) or ""
    first = " ".join(doc.split("\n\n", 1)[0].split())
    return plain(first).replace("|", "\\|")


def render_python_reference() -> str:
    """The Python API page: every public name of ``koreaevents``, an index with the first
    paragraph of each docstring (readable anywhere), then one mkdocstrings entry per
    name (rendered in full on the built site)."""
    import koreaevents

    names = [name for name in koreaevents.__all__ if not name.startswith("__")]
    order = [*dict.fromkeys(title for _, title in SECTIONS), OTHER]
    grouped: dict[str, list[str]] = {title: [] for title in order}
    for name in names:
        grouped[_section(name)].append(name)
    out = [
        "# Python API",
        "",
        "The public names of `koreaevents` (those in `koreaevents.__all__`), all importable "
        "from the top-level package: `import koreaevents as ke`. Generated from the "
        f"docstrings; this is koreaevents {koreaevents.__version__} "
        "(`ke.__version__`). The fields of the record classes, with their types, "
        "constraints and meanings, are in the [codebook](../codebook.md); the "
        "[tutorial for the analyst in Python](../tutorial/python.md) shows each query, "
        "navigation and conversion function at work.",
        "",
        "```python",
        "import koreaevents as ke",
        "ds = ke.load()",
        "```",
        "",
        "| name | what it is |",
        "|---|---|",
    ]
    out += [f"| `ke.{name}` | {_summary(name)} |" for title in order for name in grouped[title]]
    for title in order:
        if not grouped[title]:
            continue
        out += ["", f"## {title}"]
        for name in grouped[title]:
            out += ["", f"::: koreaevents.{name}"]
    return "\n".join(out) + "\n"


def _codebook() -> str:
    from koreaevents.codebook import render_codebook

    return render_codebook()


def _cli_reference() -> str:
    from koreaevents.cli_reference import render_cli_reference

    return render_cli_reference()


GENERATED_PAGES: dict[str, tuple[Callable[[], str], str]] = {
    "codebook.md": (_codebook, "the JSON Schemas, the vocabularies and the bundled dataset"),
    "reference/cli.md": (_cli_reference, "the argument parser"),
    "reference/python.md": (render_python_reference, "the docstrings of koreaevents.__all__"),
}
"""Each generated page, by its path under ``docs/``: its renderer and what it is made from."""


def page_text(uri: str) -> str:
    """The full committed text of a generated page: a note saying so, then the page."""
    render, source = GENERATED_PAGES[uri]
    note = (
        f"<!-- Generated from {source} by `python tools/regenerate.py`: "
        "edit those, not this file (a test fails while it is stale). -->"
    )
    return f"{note}\n\n{render()}"


def stale_message(uri: str) -> str:
    """What to do about a committed page that differs from its fresh rendering."""
    return f"docs/{uri} is stale or missing: run `python tools/regenerate.py` and commit it"
