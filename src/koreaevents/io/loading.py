"""``load``: any dataset folder or record file, JSON or Parquet, into a Dataset."""

from __future__ import annotations

import os
from pathlib import Path

from koreaevents.dataset import Dataset
from koreaevents.io.paths import bundled_dataset_dir, is_parquet_dataset, is_parquet_events

__all__ = ["load"]


def load(path: str | os.PathLike[str] | None = None) -> Dataset:
    """Load a dataset: the bundled one, or a folder of JSON/JSONL records or Parquet.

    ``path`` may be a dataset folder (JSON, JSON Lines, one-record files, or a built
    Parquet release, partitioned or not) or a single record file such as
    ``events.jsonl`` or ``events.parquet``; for a single file, references to the
    record types it does not hold are not checked. Raises ``FileNotFoundError`` for a
    missing path or a folder without records, and :class:`~koreaevents.DataError`,
    listing every problem, for invalid data.
    """
    target = bundled_dataset_dir() if path is None else Path(path)
    if not target.exists():
        from koreaevents.io.atomic import missing_output_hint

        raise FileNotFoundError(f"no dataset at {target}{missing_output_hint(target)}")
    if target.is_file() and target.suffix == ".parquet":
        from koreaevents.io.parquet import load_parquet_file

        return load_parquet_file(target)
    if is_parquet_dataset(target):
        from koreaevents.io.parquet import load_parquet

        return load_parquet(target)
    if target.is_dir() and is_parquet_events(target):
        # the events/ folder of a partitioned release: what a query of it reads
        from koreaevents.io.parquet import load_parquet_folder

        return load_parquet_folder(target)
    from koreaevents.io.json_io import load_json

    return load_json(target)
