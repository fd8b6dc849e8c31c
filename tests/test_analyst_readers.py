"""What an analyst gets from the conversions: Python lists in pandas, the dtypes
docs/parquet.md promises, one message for a missing optional package, and
``ke.plot_timeline`` on a dataset or a query's events."""

from __future__ import annotations

import datetime
import json
import re
import sys
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

import koreaevents as ke
from koreaevents import cli
from koreaevents.extras import MissingExtraError, missing_extra_message

ROOT = Path(__file__).resolve().parent.parent
STEMS = ("events", "sources", "analyses", "actors")

pd = pytest.importorskip("pandas")


@pytest.fixture(scope="module")
def bundled() -> ke.Dataset:
    return ke.load()


@pytest.fixture(scope="module")
def release(bundled: ke.Dataset, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ke.write_parquet(bundled, tmp_path_factory.mktemp("release") / "r")


# --- to_pandas ----------------------------------------------------------------------


@pytest.mark.parametrize("stem", STEMS)
def test_list_columns_hold_python_lists(bundled: ke.Dataset, stem: str) -> None:
    frame = bundled.to_pandas(stem)
    table = bundled.to_arrow(stem)
    for field in table.schema:
        if pa.types.is_list(field.type):
            values = frame[field.name].tolist()
            assert all(type(value) is list for value in values), field.name
            assert values == table[field.name].to_pylist(), field.name


def test_lists_write_as_lists_to_csv(bundled: ke.Dataset) -> None:
    frame = bundled.to_pandas("events")
    event = next(e for e in bundled.events if len(e.tags) > 1)
    row = frame[frame["id"] == event.id]
    text = row[["tags"]].to_csv(index=False)
    assert repr(list(event.tags)) in text  # ['a', 'b'], not numpy's ['a' 'b']


@pytest.mark.parametrize("stem", STEMS)
def test_pyarrow_backend_is_what_read_parquet_gives(
    bundled: ke.Dataset, release: Path, stem: str
) -> None:
    mine = bundled.to_pandas(stem, dtype_backend="pyarrow")
    theirs = pd.read_parquet(release / f"{stem}.parquet", dtype_backend="pyarrow")
    assert list(mine.dtypes.astype(str)) == list(theirs.dtypes.astype(str))
    assert mine.equals(theirs)


def test_bad_dtype_backend(bundled: ke.Dataset) -> None:
    with pytest.raises(ValueError, match="dtype_backend must be"):
        bundled.to_pandas("events", dtype_backend="numpy")


def _kind(field: pa.Field, vocabulary: bool) -> str:
    """The row of the docs table that a column belongs to."""
    kind = field.type
    if pa.types.is_list(kind):
        return "list<struct>" if pa.types.is_struct(kind.value_type) else "list<string>"
    if pa.types.is_string(kind):
        return "string, a vocabulary" if vocabulary else "string, other text"
    return str(kind).replace("date32[day]", "date32").replace("double", "float64")


def _docs_table() -> dict[str, list[str]]:
    text = (ROOT / "docs" / "parquet.md").read_text(encoding="utf-8")
    start = text.index("<!-- dtypes -->")
    rows = {}
    for line in text[start:].splitlines()[1:]:
        if not line.startswith("|"):
            if rows:
                break
            continue
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if cells[0].startswith("`"):
            rows[cells[0].replace("`", "").split(":")[0].strip()] = cells[1:]
    return rows


def test_docs_show_the_dtypes_side_by_side(bundled: ke.Dataset, release: Path) -> None:
    """Every claim of the table in docs/parquet.md, checked on every column."""
    from koreaevents.dataset import vocabulary_columns

    table = _docs_table()
    seen = set()
    for stem in STEMS:
        vocabulary = vocabulary_columns(stem)
        mine = bundled.to_pandas(stem)
        arrow_backed = pd.read_parquet(release / f"{stem}.parquet", dtype_backend="pyarrow")
        for field in bundled.to_arrow(stem).schema:
            kind = _kind(field, field.name in vocabulary)
            assert kind in table, f"{stem}.{field.name}: no row {kind!r} in docs/parquet.md"
            seen.add(kind)
            to_pandas, pyarrow_backed = table[kind][0], table[kind][1]
            assert f"`{mine[field.name].dtype}`" in to_pandas, (stem, field.name)
            shown = str(arrow_backed[field.name].dtype)
            if pa.types.is_list(field.type):
                shown = shown.split("<")[0] + "<"
            assert f"`{shown}" in pyarrow_backed, (stem, field.name, shown)
    assert seen == set(table)


# --- a missing optional package ----------------------------------------------------


def _hide(monkeypatch: pytest.MonkeyPatch, package: str) -> None:
    for name in [m for m in sys.modules if m == package or m.startswith(f"{package}.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, package, None)  # makes `import package` fail


@pytest.mark.parametrize(
    ("package", "call", "extra"),
    [
        ("pandas", lambda ds: ds.to_pandas("events"), "pandas"),
        ("polars", lambda ds: ds.to_polars("events"), "polars"),
        ("matplotlib", lambda ds: ke.plot_timeline(ds), "plot"),
    ],
)
def test_one_message_for_every_missing_package(
    bundled: ke.Dataset, monkeypatch: pytest.MonkeyPatch, package: str, call: Any, extra: str
) -> None:
    _hide(monkeypatch, package)
    with pytest.raises(MissingExtraError) as caught:
        call(bundled)
    message = str(caught.value)
    assert re.fullmatch(
        rf'\S+ needs {package}, which is not installed: pip install "koreaevents\[{extra}\]"',
        message,
    ), message
    assert isinstance(caught.value, ImportError)
    assert caught.value.name == package


def test_the_message_has_one_form() -> None:
    assert missing_extra_message("matplotlib", "plot_timeline") == (
        'plot_timeline needs matplotlib, which is not installed: pip install "koreaevents[plot]"'
    )


def test_the_extras_exist_in_pyproject() -> None:
    import tomllib

    from koreaevents.extras import EXTRAS

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project["optional-dependencies"]
    for package, extra in EXTRAS.items():
        assert any(dep.startswith(package) for dep in extras[extra]), (package, extra)


# --- plot_timeline ------------------------------------------------------------------


def test_plot_timeline_takes_a_dataset_or_events(bundled: ke.Dataset) -> None:
    pytest.importorskip("matplotlib")
    from matplotlib.figure import Figure

    whole = ke.plot_timeline(bundled, title="all")
    assert isinstance(whole, Figure)
    first = bundled.events[0].date.earliest
    assert first is not None
    some = bundled.events_between(first, first + datetime.timedelta(days=30))
    part = ke.plot_timeline(some, start=first.isoformat(), end="..")
    assert isinstance(part, Figure)
    labels = [t.get_text() for t in part.axes[0].get_yticklabels()]
    assert len(labels) == len(some) + len({e.event_type for e in some})
    assert ke.plot_timeline(iter(some)).axes  # any iterable of events


def test_plot_timeline_bad_input(bundled: ke.Dataset) -> None:
    pytest.importorskip("matplotlib")
    with pytest.raises(ValueError, match="no events"):
        ke.plot_timeline([])
    with pytest.raises(ValueError, match="is not a date"):
        ke.plot_timeline(bundled, start="2024-13")
    with pytest.raises(ValueError, match="is after end"):
        ke.plot_timeline(bundled, start="2024-02", end="2024-01")
    with pytest.raises(TypeError, match="not Source"):
        ke.plot_timeline(bundled.sources)  # type: ignore[arg-type]


def test_public_names() -> None:
    assert ke.__all__ == sorted(ke.__all__)
    assert {"plot_timeline", "MissingExtraError"} <= set(ke.__all__)
    assert ke.plot_timeline.__doc__


def test_cli_without_pandas_is_unaffected(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Query and info never need the optional packages."""
    _hide(monkeypatch, "pandas")
    _hide(monkeypatch, "polars")
    assert cli.main(["query", "--count"]) == 0
    assert int(capsys.readouterr().out.split()[0]) == len(ke.load().events)
    assert cli.main(["query", "--format", "json", "--precision", "day"]) == 0
    days = json.loads(capsys.readouterr().out)
    assert all("/" not in item["date"]["edtf"] for item in days)
