"""Keep ``docs/issue-codes.md`` in step with the issue registry.

``python -m koreaevents.validation.codes_page [PAGE]`` rewrites the table between the
page's markers from :func:`koreaevents.issues.issue_code_table`; a test fails when the
page on disk differs from what this would write.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Final

from koreaevents.issues import issue_code_table

__all__ = ["END", "START", "render"]

START: Final = "<!-- codes:start (generated from ISSUE_KINDS; do not edit) -->"
END: Final = "<!-- codes:end -->"


def render(page: str) -> str:
    """The page with its generated table replaced by the current one."""
    head, start, rest = page.partition(START)
    _old, end, tail = rest.partition(END)
    if not start or not end:
        raise ValueError(f"the page lacks the markers {START!r} and {END!r}")
    return f"{head}{START}\n{issue_code_table()}{END}{tail}"


def main(argv: list[str] | None = None) -> int:
    """Rewrite the page in place (default ``docs/issue-codes.md``)."""
    args = sys.argv[1:] if argv is None else argv
    page = Path(args[0] if args else "docs/issue-codes.md")
    page.write_text(render(page.read_text(encoding="utf-8")), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
