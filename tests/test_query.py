"""Range queries, filters, navigation and tables on the bundled dataset, in memory, on
Parquet and from the command line."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest

import koreaevents as ke
from koreaevents.cli import main
from koreaevents.query import range_bound, scan_plan
from tests.query_support import event, oracle, write_partitioned, write_release

# Expectations derive from the bundled data through the brute-force oracle (or from
# the shape of its records), never from its counts or ids: adding a record must not
# break these tests.
JAN_14, JAN_24 = datetime.date(2024, 1, 14), datetime.date(2024, 1, 24)
DAY = datetime.timedelta(days=1)


@pytest.fixture(scope="module")
def jan_14_to_24(bundled: ke.Dataset) -> list[str]:
    """The bundled events that may have happened between 14 and 24 January 2024."""
    expected = oracle(bundled.events, JAN_14, JAN_24, "overlaps")
    assert expected, "the bundled data has events in mid-January 2024"
    return expected


def a_span(bundled: ke.Dataset) -> ke.Event:
    """A bundled event whose date is a span of several days with both ends known."""
    return next(
        e
        for e in bundled.events
        if e.date.earliest is not None
        and e.date.latest is not None
        and e.date.earliest < e.date.latest
    )


def a_day(bundled: ke.Dataset) -> ke.Event:
    """A bundled event known to the day."""
    return next(
        e
        for e in bundled.events
        if e.date.earliest is not None and e.date.earliest == e.date.latest
    )


@pytest.fixture(scope="module")
def release(bundled: ke.Dataset, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled dataset as a built Parquet release."""
    return write_release(bundled, tmp_path_factory.mktemp("release"))


def ids(events: tuple[ke.Event, ...]) -> list[str]:
    return [e.id for e in events]


# --- ranges -----------------------------------------------------------------------


def test_the_two_weeks_of_january_list_the_right_events(
    bundled: ke.Dataset, jan_14_to_24: list[str]
) -> None:
    assert ids(bundled.events_between("2024-01-14", "2024-01-24")) == jan_14_to_24


def test_overlaps_keeps_uncertain_spans_and_within_drops_them(bundled: ke.Dataset) -> None:
    span = a_span(bundled)
    assert span.date.earliest and span.date.latest
    # a range that starts a day after the span does: the event may, not must, be in it
    low, high = span.date.earliest + DAY, span.date.latest + DAY
    overlapping = ids(bundled.events_between(low, high))
    within = ids(bundled.events_between(low, high, mode="within"))
    assert overlapping == oracle(bundled.events, low, high, "overlaps")
    assert within == oracle(bundled.events, low, high, "within")
    assert span.id in overlapping and span.id not in within
    assert set(within) < set(overlapping)


def test_both_bounds_are_inclusive_and_dates_or_strings_agree(bundled: ke.Dataset) -> None:
    one_day = a_day(bundled)
    day = one_day.date.earliest
    assert day is not None
    as_dates = bundled.events_between(day, day)
    assert one_day.id in ids(as_dates)
    assert ids(as_dates) == oracle(bundled.events, day, day, "within")
    assert bundled.events_between(day.isoformat(), day.isoformat()) == as_dates
    # a span meets a range that starts on its last day, not one that starts after it
    span = a_span(bundled)
    assert span.date.latest is not None
    last = span.date.latest
    assert span.id in ids(bundled.events_between(last, last))
    assert span.id not in ids(bundled.events_between(last + DAY, last + 8 * DAY))


def test_an_edtf_value_stands_for_its_whole_span(bundled: ke.Dataset) -> None:
    january = bundled.events_between("2024-01", "2024-01", mode="within")
    assert january == bundled.events_between("2024-01-01", "2024-01-31", mode="within")
    assert all(e.date.earliest and e.date.earliest.month == 1 for e in january)
    assert range_bound("2024", end=True, name="end") == datetime.date(2024, 12, 31)
    assert range_bound("2024-02", end=True, name="end") == datetime.date(2024, 2, 29)


def test_results_come_in_earliest_then_id_order(bundled: ke.Dataset) -> None:
    found = bundled.events_between("2023", "2024")
    keys = [(e.date.earliest, e.id) for e in found]
    assert keys == sorted(keys) and len(found) == len(bundled.events)


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2024-01-25", "2024-01-20", "start 2024-01-25 is after end 2024-01-20"),
        ("2024-02-30", "2024-03-01", "start '2024-02-30' is not a date"),
        ("last week", "2024-03-01", "start 'last week' is not a date"),
        ("2024-01-01", "2024/13", "end '2024/13' is not a date"),
        (20240101, "2024-03-01", "must be a date or an ISO date string"),
    ],
)
def test_bad_ranges_raise_a_clear_value_error(
    bundled: ke.Dataset, release: Path, start: object, end: str, message: str
) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        bundled.events_between(start, end)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        ke.events_between(release, start, end)  # type: ignore[arg-type]


def test_an_unknown_mode_is_refused_on_both_paths(bundled: ke.Dataset, release: Path) -> None:
    with pytest.raises(ValueError, match="mode must be one of overlaps, within"):
        bundled.events_between("2024", "2024", mode="inside")
    with pytest.raises(ValueError, match="mode must be one of overlaps, within"):
        ke.events_between(release, "2024", "2024", mode="inside")


# --- filters ----------------------------------------------------------------------


def test_an_actor_finds_the_events_of_the_actors_below_it(bundled: ke.Dataset) -> None:
    kim = ids(bundled.events_between("2023", "2024", actor="prk-kim-jong-un"))
    assert kim
    prk = ids(bundled.events_between("2023", "2024", actor="prk"))
    assert set(kim) <= set(prk)
    # some of Kim's events do not name "prk" itself: only the parent link finds them
    direct = {e.id for e in bundled.events if any(a.actor == "prk" for a in e.actors)}
    assert set(kim) - direct


@pytest.mark.parametrize(
    "filters",
    [
        {"event_type": "missile_launch"},
        {"event_type": ["missile_launch", "weapons_test"]},
        {"actor": "prk", "role": "initiator"},
        {"actor": ["rus", "chn"]},
        {"role": "target"},
        {"country": "prk"},
        {"status": ["corroborated", "disputed"]},
        {"tag": "missile"},
        {"source": "src-seed-ai-article-2024-01-24"},
        {"actor": "prk", "event_type": "missile_launch", "status": "corroborated"},
    ],
)
def test_filters_agree_with_brute_force_on_both_paths(
    bundled: ke.Dataset, release: Path, filters: dict[str, object]
) -> None:
    parents = {a.id: a.parent for a in bundled.actors}
    for mode in ("overlaps", "within"):
        expected = oracle(
            bundled.events,
            datetime.date(2023, 12, 18),
            datetime.date(2024, 1, 31),
            mode,
            parents,
            **filters,
        )
        assert expected, filters  # each filter here selects something
        got = ids(bundled.events_between("2023-12-18", "2024-01", mode=mode, **filters))  # type: ignore[arg-type]
        assert got == expected
        table = ke.events_between(release, "2023-12-18", "2024-01", mode=mode, **filters)  # type: ignore[arg-type]
        assert table["id"].to_pylist() == expected


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        ({"event_type": "missle_launch"}, "did you mean 'missile_launch'"),
        ({"actor": "prkk"}, "unknown actor 'prkk' \\(did you mean 'prk'\\?\\)"),
        # no near miss: the known ids are listed
        ({"actor": "north-korea"}, "unknown actor 'north-korea'; known: chn, .*prk, "),
        ({"role": "attacker"}, "unknown role 'attacker'"),
        ({"status": "confirmed"}, "unknown verification status 'confirmed'"),
        ({"country": "Korea"}, "ISO 3166-1 alpha-3"),
        ({"source": "src-nowhere"}, "unknown source 'src-nowhere'"),
        ({"tag": []}, "tag: give at least one value"),
    ],
)
def test_bad_filter_values_are_refused_on_both_paths(
    bundled: ke.Dataset, release: Path, filters: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        bundled.events_between("2024", "2024", **filters)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=message):
        ke.events_between(release, "2024", "2024", **filters)  # type: ignore[arg-type]


# --- Parquet ----------------------------------------------------------------------


def test_parquet_answers_like_memory_with_the_files_columns(
    bundled: ke.Dataset, release: Path, jan_14_to_24: list[str]
) -> None:
    table = ke.events_between(release, "2024-01-14", "2024-01-24")
    assert table["id"].to_pylist() == jan_14_to_24
    assert table.schema.names == bundled.to_arrow("events").schema.names
    assert str(table.schema.field("date_earliest").type) == "date32[day]"
    narrow = ke.events_between(release, "2024-01-14", "2024-01-24", columns=["title", "id"])
    assert narrow.column_names == ["title", "id"]
    assert narrow["id"].to_pylist() == jan_14_to_24
    # the events file itself works as the path too
    by_file = ke.events_between(release / "events.parquet", "2024-01-14", "2024-01-24")
    assert by_file["id"].to_pylist() == jan_14_to_24


def test_parquet_refuses_unknown_columns_and_missing_files(release: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown column\\(s\\) 'colour'"):
        ke.events_between(release, "2024", "2024", columns=["id", "colour"])
    with pytest.raises(FileNotFoundError, match="no Parquet dataset"):
        ke.events_between(tmp_path / "missing", "2024", "2024")
    with pytest.raises(FileNotFoundError, match="no events Parquet"):
        ke.events_between(tmp_path, "2024", "2024")


@pytest.mark.parametrize("writer", ["write_parquet", "pyarrow"])
def test_a_hive_partitioned_release_answers_the_same(
    bundled: ke.Dataset, tmp_path: Path, writer: str
) -> None:
    if writer == "write_parquet":
        root = tmp_path / "hive"
        ke.write_parquet(bundled, root, partition_by="year")
        assert (root / "events" / "year=2024").is_dir()
    else:
        root = write_partitioned(bundled, tmp_path / "hive")
    for mode in ("overlaps", "within"):
        table = ke.events_between(root, "2023-12-20", "2024-01-20", mode=mode, actor="prk")
        assert "year" not in table.column_names
        expected = bundled.events_between("2023-12-20", "2024-01-20", mode=mode, actor="prk")
        assert table["id"].to_pylist() == ids(expected)


def test_a_narrow_query_skips_most_row_groups(bundled: ke.Dataset, tmp_path: Path) -> None:
    root = write_release(bundled, tmp_path / "small-groups", row_group_size=2)
    day = a_day(bundled).date.earliest
    assert day is not None
    plan = scan_plan(root, day, day)
    groups = [bundled.events[i : i + 2] for i in range(0, len(bundled.events), 2)]
    assert plan.total_row_groups == len(groups)
    # at most the groups whose statistics (first earliest, last latest) meet the day
    meeting = [
        g
        for g in groups
        if not any(e.date.earliest is None or e.date.latest is None for e in g)
        and min(e.date.earliest for e in g if e.date.earliest) <= day
        and max(e.date.latest for e in g if e.date.latest) >= day
    ]
    unbounded = [
        g for g in groups if any(e.date.earliest is None or e.date.latest is None for e in g)
    ]
    assert plan.row_groups <= len(meeting) + len(unbounded) < plan.total_row_groups
    wide = scan_plan(root, "2023", "2024")
    assert wide.row_groups == wide.total_row_groups


# --- navigation and tables --------------------------------------------------------


def test_navigation_from_an_event_to_its_sources_and_analyses(bundled: ke.Dataset) -> None:
    cruise = bundled.get("evt-2024-01-24-cruise-missiles-yellow-sea")
    assert isinstance(cruise, ke.Event)
    sources = bundled.sources_for(cruise)
    assert [s.id for s in sources] == list(dict.fromkeys(c.source for c in cruise.citations))
    assert bundled.sources_for(cruise.id) == sources
    analyses = bundled.analyses_about(cruise)
    assert analyses and all(cruise.id in a.about for a in analyses)
    assert {a.id for a in analyses} == {a.id for a in bundled.analyses if cruise.id in a.about}
    with pytest.raises(KeyError, match="evt-nope"):
        bundled.sources_for("evt-nope")
    with pytest.raises(KeyError, match="is not an event"):
        bundled.analyses_about("prk")


def test_events_by_an_actor_include_its_members(bundled: ke.Dataset) -> None:
    everything = bundled.events_by("prk")
    assert everything == bundled.events_between("2023", "2024", actor="prk")
    alone = bundled.events_by("prk", descendants=False)
    assert set(alone) < set(everything)
    assert all(any(a.actor == "prk" for a in e.actors) for e in alone)
    targets = bundled.events_by("kor", role="target")
    assert targets and all(
        any(a.role == "target" and a.actor.startswith("kor") for a in e.actors) for e in targets
    )
    with pytest.raises(KeyError, match="no actor with id 'nobody'"):
        bundled.events_by("nobody")


def test_timeline_groups_by_month_and_iso_week(
    bundled: ke.Dataset, jan_14_to_24: list[str]
) -> None:
    months = bundled.timeline("month")

    def month(e: ke.Event) -> str:
        return ".." if e.date.earliest is None else f"{e.date.earliest:%Y-%m}"

    assert list(months) == sorted({month(e) for e in bundled.events})  # ".." sorts first
    assert sum(len(group) for group in months.values()) == len(bundled.events)
    assert all(month(e) == label for label, group in months.items() for e in group)
    weeks = bundled.timeline("week", bundled.events_between("2024-01-14", "2024-01-24"))
    # 14 Jan 2024 is the Sunday of ISO week 2: events from before it (spans that reach
    # into the range) are grouped by their first day too
    in_range = [bundled.get(i) for i in jan_14_to_24]
    expected: dict[str, list[str]] = {}
    for e in in_range:
        assert isinstance(e, ke.Event) and e.date.earliest
        year, week, _ = e.date.earliest.isocalendar()
        expected.setdefault(f"{year}-W{week:02d}", []).append(e.id)
    assert {k: [e.id for e in v] for k, v in weeks.items()} == expected
    assert list(weeks) == sorted(expected)
    with pytest.raises(ValueError, match="by must be one of week, month"):
        bundled.timeline("day")


def test_to_pandas_has_dates_and_categoricals(bundled: ke.Dataset) -> None:
    frame = bundled.to_pandas("events")
    assert len(frame) == len(bundled.events)
    assert str(frame["date_earliest"].dtype).startswith("datetime64")
    assert frame["event_type"].dtype == "category"
    assert set(frame["event_type"].cat.categories) == {t.value for t in ke.vocab.EventType}
    assert frame["verification_status"].dtype == "category"
    assert frame["id"].tolist() == [e.id for e in bundled.events]
    actors = bundled.to_pandas("actors")
    assert actors["kind"].dtype == "category"


def test_to_polars_has_dates_and_enums(bundled: ke.Dataset) -> None:
    pl = pytest.importorskip("polars")
    frame = bundled.to_polars("events")
    assert frame.schema["date_earliest"] == pl.Date
    assert isinstance(frame.schema["event_type"], pl.Enum)
    assert frame["id"].to_list() == [e.id for e in bundled.events]


# --- command line -----------------------------------------------------------------


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["query", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_lists_the_two_weeks_as_an_aligned_table(
    capsys: pytest.CaptureFixture[str], jan_14_to_24: list[str]
) -> None:
    code, out, _ = run(capsys, "--from", "2024-01-14", "--to", "2024-01-24")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["DATE", "TYPE", "STATUS", "TITLE", "ID"]
    assert [line.split()[-1] for line in lines[1:-1]] == jan_14_to_24
    assert lines[-1] == f"({len(jan_14_to_24)} events)"
    # aligned: every row's id starts in the same column as the header's
    column = lines[0].index("ID")
    assert all(line[column:].startswith("evt-") for line in lines[1:-1])


def test_cli_json_csv_and_count_agree(capsys: pytest.CaptureFixture[str], release: Path) -> None:
    base = ("--from", "2024-01-14", "--to", "2024-01-24", "--actor", "prk")
    _, out, _ = run(capsys, *base, "--format", "json")
    from_json = [record["id"] for record in json.loads(out)]
    _, out, _ = run(capsys, *base, "--format", "csv", "--dataset", str(release))
    rows = out.splitlines()
    assert rows[0].startswith("id,date_edtf,date_earliest")
    assert [row.split(",")[0] for row in rows[1:]] == from_json
    _, out, _ = run(capsys, *base, "--count")
    assert out == f"{len(from_json)}\n"


def test_cli_filters_match_the_library(
    capsys: pytest.CaptureFixture[str], bundled: ke.Dataset, release: Path
) -> None:
    options = ["--type", "missile_launch,weapons_test", "--status", "reported", "--tag", "missile"]
    expected = ids(
        bundled.events_between(
            "2023-12",
            "2024-02",
            mode="within",
            event_type=["missile_launch", "weapons_test"],
            status="reported",
            tag="missile",
        )
    )
    assert expected
    for dataset in ([], ["--dataset", str(release)]):
        argv = ["--from", "2023-12", "--to", "2024-02", "--mode", "within", *options]
        code, out, _ = run(capsys, *argv, "--format", "json", *dataset)
        assert code == 0
        assert [record["id"] for record in json.loads(out)] == expected
    source = "src-seed-ai-article-2024-01-24"
    argv = ["--from", "2024", "--to", "2024", "--role", "initiator", "--country", "prk"]
    code, out, _ = run(capsys, *argv, "--source", source, "--count")
    assert code == 0
    expected_count = len(
        bundled.events_between("2024", "2024", role="initiator", country="PRK", source=source)
    )
    assert expected_count  # the bundled data has such events
    assert out == f"{expected_count}\n"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--from", "2024-02-30", "--to", "2024-03-01"], "is not a date"),
        (["--from", "2024-03", "--to", "2024-01"], "is after end"),
        (["--from", "2024", "--to", "2024", "--actor", "prkk"], "unknown actor 'prkk'"),
        (["--from", "2024", "--to", "2024", "--type", "nuke"], "unknown event type 'nuke'"),
        (["--from", "2024", "--to", "2024", "--dataset", "/no/such/dir"], "no dataset at"),
        (["--from", "2024", "--to", "2024", "--mode", "inside"], "invalid choice"),
        (["--from", "2024", "--to", "2024", "--format", "xml"], "invalid choice"),
    ],
)
def test_cli_bad_arguments_exit_2_without_traceback(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert message in err
    assert "Traceback" not in err and out == ""


# --- open ranges (CONTRACT: either bound may be omitted, or given as "..") -----------


@pytest.mark.parametrize(
    ("start", "end"),
    [(None, None), ("..", "2024-01-20"), ("2024-01-20", None), (None, ".."), ("", "2024")],
)
@pytest.mark.parametrize("mode", ["overlaps", "within"])
def test_an_open_range_answers_like_the_oracle_in_memory_and_on_parquet(
    bundled: ke.Dataset, release: Path, start: str | None, end: str | None, mode: str
) -> None:
    low = range_bound(start, end=False, name="start")
    high = range_bound(end, end=True, name="end")
    assert (low == datetime.date.min) == (start in (None, "", ".."))
    assert (high == datetime.date.max) == (end in (None, ".."))
    expected = oracle(bundled.events, low, high, mode)
    assert ids(bundled.events_between(start, end, mode=mode)) == expected
    assert ke.events_between(release, start, end, mode=mode)["id"].to_pylist() == expected


def test_no_range_at_all_is_every_event(bundled: ke.Dataset) -> None:
    assert bundled.events_between() == bundled.events
    # an EDTF value open on one side leaves the range open there
    assert bundled.events_between("../2024") == bundled.events_between(None, "2024")


def test_cli_query_without_from_or_to_is_an_open_range(
    bundled: ke.Dataset, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["query", "--count"]) == 0
    assert capsys.readouterr().out.split()[0] == str(len(bundled.events))
    assert main(["query", "--from", "..", "--to", "2024-01-20", "--count"]) == 0
    expected = oracle(bundled.events, datetime.date.min, datetime.date(2024, 1, 20), "overlaps")
    assert capsys.readouterr().out.split()[0] == str(len(expected))


def test_an_open_start_sorts_before_the_first_day_in_memory_and_on_parquet(
    tmp_path: Path,
) -> None:
    # the first day a date can name and an open start: nulls first in Parquet, so
    # the open start comes first everywhere, whatever the ids
    events = [event(1, "0001-01-01"), event(2, "../2024-01-05"), event(3, "0001-01-01/..")]
    source = ke.Source(
        id="src-a",
        kind="wire_report",
        title="A",
        publisher="Wire",
        published="2024",
        reliability="B",
    )
    ds = ke.Dataset(events, [source], (), [ke.Actor(id="prk", name="North Korea", kind="state")])
    assert [e.id for e in ds.events] == ["evt-0000002", "evt-0000001", "evt-0000003"]
    ke.write_parquet(ds, tmp_path / "rel")
    expected = oracle(events, datetime.date.min, datetime.date.max, "overlaps")
    assert ids(ds.events_between()) == expected
    assert ke.events_between(tmp_path / "rel")["id"].to_pylist() == expected
    assert [e.id for e in ke.load(tmp_path / "rel").events] == expected
