"""The generated docs pages are committed, so links to them work on a code host, and
kept true: this test fails while a committed copy differs from a fresh rendering
(``python tools/regenerate.py`` rewrites them)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest

import koreaevents
from koreaevents.docs_pages import GENERATED_PAGES, page_text, plain, stale_message

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


@pytest.mark.parametrize("uri", sorted(GENERATED_PAGES))
def test_the_committed_page_is_current(uri: str) -> None:
    page = DOCS / uri
    assert page.is_file(), stale_message(uri)
    assert page.read_text(encoding="utf-8") == page_text(uri), stale_message(uri)


def test_each_generated_page_says_it_is_generated_and_how_to_remake_it() -> None:
    for uri in GENERATED_PAGES:
        first = page_text(uri).splitlines()[0]
        assert first.startswith("<!-- Generated from ") and "tools/regenerate.py" in first


def test_the_python_reference_indexes_every_public_name_readably() -> None:
    """On a code host the mkdocstrings entries are bare lines: the index at the top names
    every public name with the first paragraph of its docstring, roles made plain."""
    page = page_text("reference/python.md")
    for name in koreaevents.__all__:
        if not name.startswith("__"):
            assert f"\n| `ke.{name}` | " in page, name
            assert f"\n::: koreaevents.{name}\n" in page, name
    assert ":class:`" not in page.split("\n## ", 1)[0]
    assert plain(":class:`~koreaevents.DataError` and :func:`load`") == "`DataError` and `load`"


def _regenerate() -> Any:
    spec = importlib.util.spec_from_file_location("regenerate", ROOT / "tools" / "regenerate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_regenerate_writes_the_pages_and_check_only_lists_them(tmp_path: Path) -> None:
    tool = _regenerate()
    (tmp_path / "docs" / "reference").mkdir(parents=True)
    stale = tmp_path / "docs" / "reference" / "cli.md"
    stale.write_text("# old\n", encoding="utf-8")
    expected = {tmp_path / "docs" / uri for uri in GENERATED_PAGES}
    assert expected <= set(tool.regenerate(tmp_path, check=True))
    assert stale.read_text(encoding="utf-8") == "# old\n"
    assert not (tmp_path / "docs" / "codebook.md").exists()
    assert expected <= set(tool.regenerate(tmp_path))
    for uri in GENERATED_PAGES:
        assert (tmp_path / "docs" / uri).read_text(encoding="utf-8") == page_text(uri)
    assert not expected & set(tool.regenerate(tmp_path, check=True))


def test_the_docs_build_warns_about_a_stale_page_and_publishes_the_fresh_one(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A small site with the real hooks: a stale copy and a missing one are each a
    warning (an error under ``--strict``), a current one is not; all three pages are
    published fresh."""
    pytest.importorskip("mkdocs")
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    docs = tmp_path / "docs"
    (docs / "reference").mkdir(parents=True)
    (docs / "index.md").write_text("# Home\n", encoding="utf-8")
    (docs / "codebook.md").write_text(page_text("codebook.md"), encoding="utf-8")
    (docs / "reference" / "cli.md").write_text("# A stale copy\n", encoding="utf-8")
    config_file = tmp_path / "mkdocs.yml"
    config_file.write_text(
        "site_name: t\n"
        f"hooks: [{json.dumps(str(DOCS / 'hooks.py'))}]\n"
        "markdown_extensions: [attr_list, tables, toc]\n",
        encoding="utf-8",
    )
    config = load_config(str(config_file), site_dir=str(tmp_path / "site"))
    with caplog.at_level("WARNING"):
        build(config)
    warned = "\n".join(r.getMessage() for r in caplog.records if r.levelname == "WARNING")
    assert stale_message("reference/cli.md") in warned
    assert stale_message("reference/python.md") in warned
    assert stale_message("codebook.md") not in warned
    cli_html = (tmp_path / "site" / "reference" / "cli" / "index.html").read_text("utf-8")
    assert "A stale copy" not in cli_html and "koreaevents query" in cli_html
    assert (tmp_path / "site" / "reference" / "python" / "index.html").is_file()
