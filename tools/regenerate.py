"""Rewrite the files derived from the code and the data.

* ``schemas/*.schema.json``, from the record classes (``tests/test_schema.py`` fails
  while they are stale): run after changing a field, a constraint or a vocabulary.
* ``docs/img/timeline.svg``, the picture of the bundled dataset on the home page,
  drawn by ``koreaevents timeline`` (needs matplotlib, the ``plot`` extra): run before a
  release. A contribution to the data does not have to redraw it; the picture names
  the version and the digest of the data it shows.

::

    python tools/regenerate.py          # rewrite what is stale
    python tools/regenerate.py --check  # list what is stale, exit 1 if anything is
"""

from __future__ import annotations

import argparse
import contextlib
import io
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PICTURE = Path("docs/img/timeline.svg")
_DIGEST = re.compile(r"data sha256 ([0-9a-f]{64})")


def _draw(out: Path) -> None:
    from koreaevents import cli

    with contextlib.redirect_stdout(io.StringIO()):
        code = cli.main(["timeline", "--out", str(out)])
    if code != 0:
        raise SystemExit(f"koreaevents timeline --out {out} exited {code}")


def regenerate(root: Path = ROOT, *, check: bool = False) -> list[Path]:
    """Rewrite (or with ``check``, only compare) the derived files under ``root``;
    returns those that were stale. The picture is skipped without matplotlib."""
    from koreaevents.schema import write_schemas

    stale: list[Path] = []
    with tempfile.TemporaryDirectory() as scratch:
        fresh = Path(scratch)
        for path in write_schemas(fresh / "schemas"):
            target = root / "schemas" / path.name
            if not target.is_file() or target.read_bytes() != path.read_bytes():
                stale.append(target)
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            print("skipped docs/img/timeline.svg: matplotlib is not installed", file=sys.stderr)
        else:
            _draw(fresh / "timeline.svg")
            target = root / PICTURE
            old = target.read_text(encoding="utf-8") if target.is_file() else ""
            if _DIGEST.findall(old) != _DIGEST.findall(
                (fresh / "timeline.svg").read_text(encoding="utf-8")
            ):
                stale.append(target)
        if not check:
            from koreaevents.io.atomic import atomic_write_bytes

            for target in stale:
                name = "timeline.svg" if target.suffix == ".svg" else f"schemas/{target.name}"
                source = fresh / name
                atomic_write_bytes(target, source.read_bytes())
    return stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if stale")
    args = parser.parse_args(argv)
    stale = regenerate(check=args.check)
    for path in stale:
        print(f"{'stale' if args.check else 'rewrote'} {path.relative_to(ROOT)}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    raise SystemExit(main())
