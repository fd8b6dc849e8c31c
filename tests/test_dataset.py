"""The Dataset API, and the bundled dataset's content as FACTS.md requires it."""

from __future__ import annotations

import datetime

import pytest

import koreaevents as ke
from koreaevents import vocab

AI_SOURCE = "src-seed-ai-article-2024-01-24"


def test_bundled_dataset_has_every_dated_event_of_the_reference(bundled: ke.Dataset) -> None:
    assert len(bundled.events) >= 19
    dates = {e.date.edtf for e in bundled.events}
    for expected in [
        "2023-12-17",
        "2023-12-18",
        "2023-12-26/2023-12-30",
        "2024-01-01",
        "2024-01-04",
        "2024-01-05",
        "2024-01-06",
        "2024-01-14",
        "2024-01-14/2024-01-17",
        "2024-01-15",
        "2024-01-16",
        "2024-01-19/2024-01-23",
        "2024-01-24",
        "2024-01-28",
        "2024-01-30",
        "2024-02-02",
        "2024-02-14",
    ]:
        assert expected in dates, expected
    assert bundled.version and bundled.metadata["licenses"][0]["name"] == "CC-BY-4.0"


def test_every_event_cites_a_source_that_is_not_ai_written(bundled: ke.Dataset) -> None:
    for event in bundled.events:
        kinds = {bundled.get(c.source).kind for c in event.citations}  # type: ignore[union-attr]
        assert kinds - {vocab.SourceKind.AI_GENERATED}, event.id


def test_the_seed_article_is_one_ai_source_graded_f(bundled: ke.Dataset) -> None:
    ai = [s for s in bundled.sources if s.kind == "ai_generated"]
    assert [s.id for s in ai] == [AI_SOURCE]
    assert ai[0].reliability == "F"
    locators = {c.locator for e in bundled.events for c in e.citations if c.source == AI_SOURCE}
    assert any(loc and "Source" in loc for loc in locators)


def test_the_articles_wrong_claims_are_recorded_as_discrepancies(bundled: ke.Dataset) -> None:
    cruise = bundled.get("evt-2024-01-24-cruise-missiles-yellow-sea")
    assert isinstance(cruise, ke.Event)
    assert "Yellow Sea" in cruise.location.name
    fields = {d.field for d in cruise.verification.discrepancies}
    assert "/location/name" in fields
    arch = next(e for e in bundled.events if "arch" in e.id)
    assert arch.date.edtf == "2024-01-19/2024-01-23"
    assert "Pyongyang" in arch.location.name or "Pyongyang" in (arch.summary or "")
    assert any("Kumgang" in d.claimed for d in arch.verification.discrepancies)
    visit = next(e for e in bundled.events if e.event_type == "diplomatic_visit")
    assert visit.date.edtf == "2024-01-14/2024-01-17"
    assert any("Choe" in d.corrected for d in visit.verification.discrepancies)
    # Every discrepancy names the source that made the claim (the seed article, or one
    # side of a dispute such as state media against the JCS) and the reports behind
    # the correction.
    for event in bundled.events:
        for d in event.verification.discrepancies:
            assert d.citations, event.id
            assert isinstance(bundled.get(d.claimed_in), ke.Source), event.id


def test_claims_keep_who_said_it_apart_from_who_reported_it(bundled: ke.Dataset) -> None:
    originators = {s.originator for s in bundled.sources if s.originator}
    assert {"prk-kcna", "kor-jcs"} <= originators
    for source in bundled.sources:
        if source.originator:
            assert isinstance(bundled.get(source.originator), ke.Actor)


def test_analyses_are_attributed_and_linked(bundled: ke.Dataset) -> None:
    assert len(bundled.analyses) >= 5
    for analysis in bundled.analyses:
        assert analysis.attributed_to
        assert all(isinstance(bundled.get(e), ke.Event) for e in analysis.about)
    assert any(a.likelihood is not None for a in bundled.analyses)


def test_actor_hierarchy(bundled: ke.Dataset) -> None:
    kim = bundled.get("prk-kim-jong-un")
    assert isinstance(kim, ke.Actor) and kim.parent == "prk" and kim.kind == "person"
    assert bundled.get("prk").kind == "state"  # type: ignore[union-attr]


def test_events_are_ordered_by_earliest_then_id(bundled: ke.Dataset) -> None:
    keys = [(e.date.earliest, e.id) for e in bundled.events]
    assert keys == sorted(keys)  # type: ignore[type-var]
    assert list(bundled.sources) == sorted(bundled.sources, key=lambda s: s.id)


def test_get_raises_key_error_for_unknown_ids(bundled: ke.Dataset) -> None:
    with pytest.raises(KeyError, match="evt-nope"):
        bundled.get("evt-nope")
    assert "prk" in bundled and "evt-nope" not in bundled


def test_events_between_modes(bundled: ke.Dataset) -> None:
    overlaps = bundled.events_between("2024-01-20", "2024-01-25")
    within = bundled.events_between(datetime.date(2024, 1, 20), "2024-01-25", mode="within")
    assert "evt-2024-01-19-reunification-arch-removed" in {e.id for e in overlaps}
    assert "evt-2024-01-19-reunification-arch-removed" not in {e.id for e in within}
    assert {e.id for e in within} <= {e.id for e in overlaps}
    assert bundled.events_between("2024-01", "2024-01") == bundled.events_between(
        "2024-01-01", "2024-01-31"
    )
    with pytest.raises(ValueError, match="after end"):
        bundled.events_between("2024-02-01", "2024-01-01")
    with pytest.raises(ValueError, match="not a date"):
        bundled.events_between("yesterday", "2024-01-01")
    with pytest.raises(ValueError, match="mode"):
        bundled.events_between("2024-01-01", "2024-01-02", mode="sometime")


def test_building_an_inconsistent_dataset_lists_every_problem(bundled: ke.Dataset) -> None:
    event = bundled.events[0]
    with pytest.raises(ke.DataError) as caught:
        ke.Dataset(events=[event, event])
    codes = [i.code for i in caught.value.issues]
    assert "duplicate-id" in codes and "dangling-reference" in codes
