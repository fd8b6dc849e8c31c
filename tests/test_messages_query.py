"""Range bounds and vocabulary messages of a query."""

from __future__ import annotations

import pytest

import koreaevents as ke
from koreaevents.query import range_bound
from koreaevents.vocab import EventType


@pytest.mark.parametrize("value", ["2020~", "2020?", "2020%", "2020-05-01~", "2020~/2021"])
def test_a_qualified_bound_is_refused_with_the_plain_date(value: str) -> None:
    with pytest.raises(ValueError, match="qualifier") as info:
        range_bound(value, end=False, name="--from")
    plain = "".join(c for c in value if c not in "?~%")
    assert repr(plain) in str(info.value)


@pytest.mark.parametrize("value", ["2020", "2020-05", "2020-05-01", "2020/2021", "..", ""])
def test_a_plain_bound_is_still_accepted(value: str) -> None:
    range_bound(value, end=True, name="--to")


@pytest.mark.parametrize("given", ["missle_launch", "xyz"])
def test_an_unknown_event_type_lists_the_vocabulary_once(given: str) -> None:
    with pytest.raises(ValueError) as info:
        ke.load().events_between(None, None, event_type=given)
    message = str(info.value)
    suggested = "missile_launch" if given == "missle_launch" else None
    for term in EventType:
        assert message.count(term.value) == 1 + (term.value == suggested), message
