"""MkDocs hooks: pages generated at build time from the code, so they cannot drift.

- ``codebook.md``: from the JSON Schemas, the vocabularies and the bundled dataset
  (:func:`koreaevents.codebook.render_codebook`);
- ``reference/cli.md``: from the argument parser
  (:func:`koreaevents.cli_reference.render_cli_reference`);
- ``reference/python.md``: one mkdocstrings entry for each name in
  ``koreaevents.__all__``, grouped by the module that defines it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mkdocs.structure.files import File, Files

import koreaevents
from koreaevents.cli_reference import render_cli_reference
from koreaevents.codebook import render_codebook

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


def _section(name: str) -> str:
    module = getattr(getattr(koreaevents, name), "__module__", "") or ""
    for prefix, title in SECTIONS:
        if module.startswith(prefix):
            return title
    return OTHER


def render_python_reference() -> str:
    """The Python API page: every public name of ``koreaevents``, from its docstring."""
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
        f"docstrings at each docs build; this is koreaevents {koreaevents.__version__} "
        "(`ke.__version__`). The fields of the record classes, with their types, "
        "constraints and meanings, are in the [codebook](../codebook.md).",
        "",
        "```python",
        "import koreaevents as ke",
        "ds = ke.load()",
        "```",
    ]
    for title in order:
        if not grouped[title]:
            continue
        out += ["", f"## {title}"]
        for name in grouped[title]:
            out += ["", f"::: koreaevents.{name}"]
    return "\n".join(out) + "\n"


GENERATED: dict[str, Callable[[], str]] = {
    "codebook.md": render_codebook,
    "reference/cli.md": render_cli_reference,
    "reference/python.md": render_python_reference,
}


def on_files(files: Files, config: Any) -> Files:
    """Add the generated pages; a hand-written page of the same name is an error."""
    for uri, render in GENERATED.items():
        if files.get_file_from_path(uri) is not None:
            raise ValueError(f"docs/{uri} is generated at build time: delete the file")
        files.append(File.generated(config, uri, content=render()))
    return files
