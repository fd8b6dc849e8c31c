"""Where things are: the bundled dataset and schemas, and what a folder holds."""

from __future__ import annotations

import importlib.resources
from pathlib import Path

__all__ = [
    "BUNDLED_DATASET_NAME",
    "bundled_dataset_dir",
    "holds_json_records",
    "is_parquet_dataset",
    "is_parquet_events",
    "schemas_dir",
]

BUNDLED_DATASET_NAME = "koreaevents"

_PACKAGE_ROOT = Path(str(importlib.resources.files("koreaevents")))
# In a wheel, the top-level datasets/ and schemas/ ship inside the package; in a source
# checkout (an editable install) they stand at the top of the repository.
_CHECKOUT_ROOT = _PACKAGE_ROOT.parent.parent


def _shipped(name: str) -> Path:
    inside = _PACKAGE_ROOT / name
    if inside.is_dir():
        return inside
    return _CHECKOUT_ROOT / name


def bundled_dataset_dir() -> Path:
    """The folder of the dataset that ships with the package."""
    return _shipped("datasets") / BUNDLED_DATASET_NAME


def schemas_dir() -> Path:
    """The folder of the shipped JSON Schema files."""
    return _shipped("schemas")


def is_parquet_dataset(path: Path) -> bool:
    """Whether a folder holds a built (Parquet) dataset rather than JSON records."""
    if not path.is_dir():
        return False
    for stem in ("events", "sources", "analyses", "actors"):
        if (path / f"{stem}.parquet").is_file():
            return True
        folder = path / stem
        if folder.is_dir() and next(folder.rglob("*.parquet"), None) is not None:
            return True
    return False


def is_parquet_events(path: Path) -> bool:
    """Whether a path can be queried as Parquet events: a built release, a Parquet
    file, or the ``events/`` folder of a partitioned release (Parquet files under it
    and no JSON records)."""
    if is_parquet_dataset(path) or (path.is_file() and path.suffix == ".parquet"):
        return True
    return (
        path.is_dir()
        and not path.is_symlink()
        and not holds_json_records(path)
        and next(path.rglob("*.parquet"), None) is not None
    )


def holds_json_records(path: Path) -> bool:
    """Whether a folder holds JSON records: ``<stem>.jsonl``, ``<stem>.json`` or a
    folder ``<stem>/`` with ``*.json`` files."""
    for stem in ("events", "sources", "analyses", "actors"):
        if (path / f"{stem}.jsonl").is_file() or (path / f"{stem}.json").is_file():
            return True
        folder = path / stem
        if folder.is_dir() and next(folder.glob("*.json"), None) is not None:
            return True
    return False
