"""The PySpark recipe of docs/tutorial/other-tools.md runs as printed (opt-in: Spark
starts a JVM, ~25 s). Run with ``pytest -m spark`` or ``KOREAEVENTS_SPARK=1``; it needs
PySpark (``pip install ".[spark]"``) and Java."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import attrs
import pytest

import koreaevents as ke

PAGE = Path(__file__).resolve().parent.parent / "docs" / "tutorial" / "other-tools.md"
RECIPE = re.compile(r'^```python title="spark_release\.py"\n(?P<code>.*?)^```', re.M | re.S)


def recipe() -> str:
    found = RECIPE.search(PAGE.read_text(encoding="utf-8"))
    assert found, f"{PAGE} has no spark_release.py block"
    return found["code"]


def test_the_page_has_the_recipe() -> None:
    compile(recipe(), "spark_release.py", "exec")  # at least valid Python, always checked


@pytest.mark.spark
def test_the_pyspark_recipe_runs_on_a_year_partitioned_release(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    wanted = "spark" in str(request.config.getoption("markexpr", "") or "")
    if not wanted and os.environ.get("KOREAEVENTS_SPARK") != "1":
        pytest.skip("Spark test is opt-in: run pytest -m spark (needs Java and PySpark)")
    pytest.importorskip("pyspark.sql", reason="PySpark is not installed")
    if shutil.which("java") is None:
        pytest.skip("Spark needs Java, and there is no java on PATH")
    # the bundled events and one with an open start, which goes to the null partition
    ds = ke.load()
    open_start = attrs.evolve(
        ds.events[0], id="evt-open-start", date=ke.EventDate.from_edtf("../2024-01-22"), related=()
    )
    ds = ke.Dataset((*ds.events, open_start), ds.sources, ds.analyses, ds.actors)
    ke.write_parquet(ds, tmp_path / "built-by-year", partition_by="year")
    monkeypatch.chdir(tmp_path)
    names: dict[str, object] = {"__name__": "spark_release"}
    try:
        exec(compile(recipe(), "spark_release.py", "exec"), names)
        expected = [e.id for e in ds.events_between("2024-01-20", "2024-01-25")]
        assert names["ids"] == expected
        assert "evt-open-start" in expected
        years: dict[object, int] = {}
        for event in ds.events:
            year = event.date.earliest.year if event.date.earliest else None
            years[year] = years.get(year, 0) + 1
        assert names["by_year"] == years
    finally:
        spark = names.get("spark")
        if spark is not None:
            spark.stop()  # type: ignore[attr-defined]
