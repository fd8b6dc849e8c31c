"""A release whose descriptor gives a size that is not an integer:
every reader refuses it, as it refuses a wrong size."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import koreaevents as ke
from tests.test_messages import small_dataset


@pytest.mark.parametrize("size", [1e30, 12.5, "12", True])
def test_load_refuses_a_size_that_is_not_an_integer(tmp_path: Path, size: Any) -> None:
    root = tmp_path / "rel"
    ke.write_parquet(small_dataset(), root)
    descriptor = json.loads((root / "datapackage.json").read_text("utf-8"))
    descriptor["resources"][0]["bytes"] = size
    (root / "datapackage.json").write_text(json.dumps(descriptor), "utf-8")
    with pytest.raises(ke.DataError, match="not a whole number"):
        ke.load(root)
