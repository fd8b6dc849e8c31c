"""Did-you-mean: the nearest known values, case aside."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from koreaevents.suggest import did_you_mean, nearest

slugs = st.from_regex(r"[a-z][a-z0-9-]{0,15}", fullmatch=True)


@given(st.lists(slugs, min_size=1, max_size=20, unique=True), st.data())
def test_a_value_in_other_case_suggests_the_known_one_first(
    known: list[str], data: st.DataObject
) -> None:
    value = data.draw(st.sampled_from(known))
    found = nearest(value.upper(), known)
    if value.upper() != value:
        assert found[0] == value
    assert value.upper() not in found or value.upper() in known


@given(st.lists(slugs, max_size=20, unique=True), slugs)
def test_suggestions_are_known_values_other_than_the_one_given(
    known: list[str], value: str
) -> None:
    found = nearest(value, known, n=3)
    assert len(found) <= 3
    assert set(found) <= set(known)
    assert value not in found


def test_the_message_lists_the_nearest() -> None:
    assert did_you_mean("PRK", ["prk", "kor"]) == " (did you mean 'prk'?)"
    assert did_you_mean("src-kcna-x", ["src-kcna-y", "src-kcna-xy", "zzz"]) == (
        " (did you mean 'src-kcna-xy' or 'src-kcna-y'?)"
    )
    assert did_you_mean("qqqq", ["prk"]) == ""
    assert did_you_mean("prk", []) == ""
