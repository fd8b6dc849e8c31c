"""The controlled vocabularies and their mappings to PLOVER, CAMEO and ICD 203."""

from __future__ import annotations

import itertools
import re

import pytest

from koreaevents import vocab

PLOVER_EVENTS = {
    "AGREE",
    "CONSULT",
    "SUPPORT",
    "CONCEDE",
    "COOPERATE",
    "AID",
    "RETREAT",
    "REQUEST",
    "ACCUSE",
    "REJECT",
    "THREATEN",
    "PROTEST",
    "SANCTION",
    "MOBILIZE",
    "COERCE",
    "ASSAULT",
}


def test_every_term_of_every_vocabulary_is_described() -> None:
    for vocabulary, terms in vocab.TERMS.items():
        assert set(terms) == set(vocabulary), vocabulary.__name__
        for term in vocabulary:
            assert terms[term].description.strip(), (vocabulary.__name__, term)


@pytest.mark.parametrize("term", list(vocab.EventType))
def test_event_types_map_to_plover_and_a_cameo_root_code(term: vocab.EventType) -> None:
    mappings = vocab.TERMS[vocab.EventType][term].mappings
    assert mappings["plover_event"] in PLOVER_EVENTS
    assert mappings["plover_mode"]
    # CAMEO root codes are two-digit strings: "04" is not 4.
    assert isinstance(mappings["cameo_root"], str)
    assert re.fullmatch(r"(0[1-9]|1[0-9]|20)", mappings["cameo_root"])


def test_likelihood_bands_are_the_icd_203_bands_in_order() -> None:
    bands = [vocab.likelihood_band(term) for term in vocab.Likelihood]
    assert bands[0] == (0.01, 0.05)
    assert bands[-1] == (0.95, 0.99)
    for (low, high), (next_low, _) in itertools.pairwise(bands):
        assert low < high
        assert high == next_low  # contiguous, as ICD 203 writes them


def test_admiralty_grades() -> None:
    assert [r.value for r in vocab.Reliability] == list("ABCDEF")
    assert [c.value for c in vocab.Credibility] == [1, 2, 3, 4, 5, 6]
