"""Every relative link in README.md and docs/ leads somewhere, in the repository itself.

The docs are read in two places: the built site and the repository on a code host. A
relative link must name a file that is committed (the generated pages included, see
``tests/test_generated_pages.py``), a link from ``docs/`` must stay inside ``docs/``
(the site holds nothing else), and an anchor into a Markdown page must be one of its
headings (its slug, or an explicit ``{ #id }``).
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = [ROOT / "README.md", *sorted(DOCS.rglob("*.md"))]

FENCE = re.compile(r"^(```|~~~).*?^\1[ \t]*$", re.M | re.S)
CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1", re.S)
LINK = re.compile(
    r"\[(?:\\.|[^\]\\])*\]\((?:<(?P<angled>[^>]*)>|(?P<bare>[^)\s]*))(?:\s+\"[^\"]*\")?\)"
)
HEADING = re.compile(r"^#{1,6}[ \t]+(?P<text>.*?)[ \t]*#*[ \t]*$", re.M)
EXPLICIT_ID = re.compile(r"\{[^}]*#(?P<id>[\w-]+)[^}]*\}\s*$")
SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def _prose(text: str) -> str:
    """The text without fenced code blocks and code spans (their brackets are not links)."""
    return CODE_SPAN.sub("", FENCE.sub("", text))


def slugify(text: str) -> str:
    """The id Python-Markdown's ``toc`` gives a heading (and the one a code host gives,
    for the plain headings these pages use)."""
    text = re.sub(r"<[^>]+>", "", text).replace("`", "")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^\w\s-]", "", text).strip().lower()
    return re.sub(r"[-\s]+", "-", text)


def anchors(page: Path) -> set[str]:
    """The ids of a Markdown page's headings."""
    found = set()
    for match in HEADING.finditer(FENCE.sub("", page.read_text(encoding="utf-8"))):
        heading = match["text"]
        explicit = EXPLICIT_ID.search(heading)
        if explicit:
            found.add(explicit["id"])
            heading = heading[: explicit.start()]
        found.add(slugify(heading))
    return found


def links(page: Path) -> list[str]:
    """Every link target of a page, images included, in order."""
    return [
        m["angled"] if m["angled"] is not None else m["bare"]
        for m in LINK.finditer(_prose(page.read_text(encoding="utf-8")))
    ]


def test_the_link_finder_sees_links_and_skips_code() -> None:
    text = (
        "A [link](a.md#b) and ![img](img/x.svg) and [\\[esc\\]](<c d.md>).\n"
        "`[not](a link)`\n```\n[nor](this.md)\n```\n"
    )
    assert [
        m["angled"] if m["angled"] is not None else m["bare"] for m in LINK.finditer(_prose(text))
    ] == ["a.md#b", "img/x.svg", "c d.md"]
    assert slugify("Events in a date range: `overlaps` and `within`") == (
        "events-in-a-date-range-overlaps-and-within"
    )


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_resolves_in_the_repository(page: Path) -> None:
    problems = []
    for target in links(page):
        if not target or SCHEME.match(target):
            continue  # a URL: not ours to check offline
        path, _, anchor = target.partition("#")
        resolved = (page.parent / path).resolve() if path else page
        where = f"{page.relative_to(ROOT)}: [{target}]"
        if not resolved.exists():
            problems.append(f"{where} names a file that is not in the repository")
            continue
        if page.is_relative_to(DOCS) and not resolved.is_relative_to(DOCS):
            problems.append(f"{where} leaves docs/, so it is dead on the built site")
        if anchor and resolved.suffix == ".md" and anchor not in anchors(resolved):
            problems.append(f"{where}: no heading #{anchor} in {resolved.relative_to(ROOT)}")
    assert not problems, "\n".join(problems)


def test_every_page_is_checked() -> None:
    """The walk finds the pages: the tutorials, the references and the generated pages."""
    names = {str(p.relative_to(ROOT)) for p in PAGES}
    assert {"README.md", "docs/index.md", "docs/tutorial/python.md", "docs/codebook.md"} <= names
