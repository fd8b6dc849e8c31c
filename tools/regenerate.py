"""Rewrite the files derived from the record classes: ``schemas/*.schema.json``.

Run after changing a field, a constraint or a vocabulary::

    python tools/regenerate.py

``tests/test_schema.py`` fails while the committed files are stale.
"""

from __future__ import annotations

from pathlib import Path

from koreaevents.schema import write_schemas

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    for path in write_schemas(ROOT / "schemas"):
        print(path.relative_to(ROOT))


if __name__ == "__main__":
    main()
