"""The record classes: their constraints hold for records built in Python too."""

from __future__ import annotations

import datetime
from pathlib import Path

import attrs
import pytest

import koreaevents as ke
from koreaevents.records import DateBoundsError


def make_event(**changes: object) -> ke.Event:
    fields: dict[str, object] = dict(
        id="evt-2024-01-24-test",
        title="A test",
        event_type="missile_launch",
        date=ke.EventDate.from_edtf("2024-01-24"),
        actors=[{"actor": "prk", "role": "initiator"}],
        location={"name": "Yellow Sea", "precision": "sea"},
        citations=[{"source": "src-test"}],
        verification={"status": "reported"},
    )
    fields.update(changes)
    return ke.Event(**fields)  # type: ignore[arg-type]


def test_strings_and_dicts_become_typed_values() -> None:
    event = make_event()
    assert event.event_type is ke.records.vocab.EventType.MISSILE_LAUNCH
    assert event.event_type == "missile_launch"
    assert event.actors[0] == ke.ActorRole(actor="prk", role="initiator")
    assert isinstance(event.location, ke.Location)
    assert event.tags == () and event.summary is None


def test_records_are_frozen() -> None:
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        make_event().title = "changed"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"id": "evt-Bad Id"}, "id"),
        ({"id": "src-wrong-prefix"}, "id"),
        ({"id": "evt-" + "a" * 300}, "id"),  # ids name files: bounded length
        ({"event_type": "invasion"}, "invasion"),
        ({"actors": []}, "actors"),
        ({"citations": []}, "citations"),
        ({"location": {"name": "x", "precision": "sea", "lat": 91.0}}, "lat"),
        ({"location": {"name": "x", "precision": "sea", "country": "KP"}}, "country"),
        ({"tags": ["ok", "ok"]}, "duplicates"),
        ({"tags": ["Not A Slug"]}, "tags"),
    ],
)
def test_constraints_reject_bad_values(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make_event(**changes)


def test_date_bounds_must_equal_the_edtf_bounds() -> None:
    date = ke.EventDate.from_edtf("2024-01~")
    assert (date.earliest, date.latest) == (datetime.date(2024, 1, 1), datetime.date(2024, 1, 31))
    with pytest.raises(DateBoundsError, match="do not match"):
        ke.EventDate(edtf="2024-01", earliest="2024-01-01", latest="2024-01-30")
    with pytest.raises(DateBoundsError, match="not a valid EDTF"):
        ke.EventDate(edtf="2023-02-29", earliest="2023-02-28", latest="2023-02-28")
    open_end = ke.EventDate.from_edtf("2024-01-14/..")
    assert open_end.latest is None and open_end.earliest == datetime.date(2024, 1, 14)


def analysis(**changes: object) -> ke.Analysis:
    fields: dict[str, object] = dict(
        id="ana-test",
        kind="assessment",
        title="t",
        statement="s",
        attributed_to="Experts",
        about=["evt-x"],
        citations=[{"source": "src-x"}],
        as_of="2024-01-24",
    )
    fields.update(changes)
    return ke.Analysis(**fields)  # type: ignore[arg-type]


def test_probability_must_lie_in_its_likelihood_band() -> None:
    assert analysis(likelihood="unlikely", probability=0.3).probability == 0.3
    assert analysis(likelihood="unlikely", probability=0.45).probability == 0.45  # inclusive
    with pytest.raises(ValueError, match="outside the band"):
        analysis(likelihood="unlikely", probability=0.6)
    with pytest.raises(ValueError, match="needs a likelihood"):
        analysis(probability=0.5)


def test_analysis_dates_must_be_valid_edtf() -> None:
    with pytest.raises(ValueError, match="as_of"):
        analysis(as_of="2024-02-30")


def test_actor_ids_cannot_take_another_types_prefix() -> None:
    with pytest.raises(ValueError, match="must not match"):
        ke.Actor(id="evt-someone", name="X", kind="person")


@pytest.mark.parametrize("reserved", ["con", "nul", "aux", "prn", "com1", "com9", "lpt1", "lpt9"])
def test_ids_windows_cannot_name_a_file_after_are_refused(reserved: str, tmp_path: Path) -> None:
    # Such an id would name "actors/con.json" in the one-record-per-file layout.
    with pytest.raises(ValueError, match="must not match"):
        ke.Actor(id=reserved, name="x", kind="state")
    with pytest.raises(ValueError, match="must not match"):
        ke.Retired(id=reserved, retired_in="0.2.0", reason="test")
    folder = tmp_path / "actors"
    folder.mkdir()
    (folder / "x.json").write_text(f'{{"id": "{reserved}", "name": "x", "kind": "state"}}')
    report = ke.validate(folder)
    assert [(i.code, i.pointer) for i in report.errors][:1] == [("schema", "/id")]


@pytest.mark.parametrize("fine", ["console", "com", "com10", "lpt", "nuclear", "prk-aux"])
def test_ids_that_only_look_like_devices_are_fine(fine: str) -> None:
    assert ke.Actor(id=fine, name="x", kind="state").id == fine
