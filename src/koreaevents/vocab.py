"""Controlled vocabularies, each term with its meaning and its mapping to the field's standards.

Every vocabulary is a :class:`enum.StrEnum`, so a term compares equal to its JSON string.
The meaning of each term (and, for event types, its PLOVER event and mode and its CAMEO
root code; for likelihoods, the ICD 203 probability band) lives in :data:`TERMS`, which the
JSON Schemas, the Arrow metadata and the codebook are derived from.
"""

from __future__ import annotations

import enum
from typing import Any

import attrs

__all__ = [
    "TERMS",
    "ActorKind",
    "AnalysisKind",
    "Confidence",
    "Credibility",
    "DatePrecision",
    "EventType",
    "Likelihood",
    "LocationPrecision",
    "Reliability",
    "Role",
    "SourceKind",
    "Term",
    "VerificationStatus",
    "WeaponCategory",
    "likelihood_band",
    "vocabularies",
]


@attrs.frozen
class Term:
    """What one vocabulary term means, and how it maps to other standards."""

    description: str
    mappings: dict[str, Any] = attrs.field(factory=dict)


class EventType(enum.StrEnum):
    """What kind of action an event is."""

    MISSILE_LAUNCH = "missile_launch"
    WEAPONS_TEST = "weapons_test"
    ARTILLERY_FIRE = "artillery_fire"
    MILITARY_EXERCISE = "military_exercise"
    DIPLOMATIC_VISIT = "diplomatic_visit"
    DIPLOMATIC_MEETING = "diplomatic_meeting"
    DIPLOMATIC_COOPERATION = "diplomatic_cooperation"
    POLICY_DECLARATION = "policy_declaration"
    REDUCE_RELATIONS = "reduce_relations"
    SYMBOLIC_ACT = "symbolic_act"
    ACCUSATION = "accusation"
    ARMS_TRANSFER = "arms_transfer"
    MILITARY_DEPLOYMENT = "military_deployment"


class Role(enum.StrEnum):
    """The part an actor plays in an event."""

    INITIATOR = "initiator"
    TARGET = "target"
    PARTICIPANT = "participant"
    HOST = "host"
    OBSERVER = "observer"


class ActorKind(enum.StrEnum):
    """What kind of entity an actor is."""

    STATE = "state"
    PERSON = "person"
    GOVERNMENT_BODY = "government_body"
    MILITARY = "military"
    MEDIA = "media"
    INTERNATIONAL_ORG = "international_org"
    GROUP = "group"


class SourceKind(enum.StrEnum):
    """What kind of document a source is."""

    NEWS_REPORT = "news_report"
    WIRE_REPORT = "wire_report"
    STATE_MEDIA = "state_media"
    GOVERNMENT_STATEMENT = "government_statement"
    SATELLITE_IMAGERY = "satellite_imagery"
    THINK_TANK = "think_tank"
    AI_GENERATED = "ai_generated"
    SOCIAL_MEDIA = "social_media"
    DATABASE = "database"
    OTHER = "other"


class Reliability(enum.StrEnum):
    """Admiralty (NATO) grade of a source's reliability."""

    A = "A"
    B = "B"
    C = "C"
    D = "D"
    E = "E"
    F = "F"


class Credibility(enum.IntEnum):
    """Admiralty (NATO) grade of a piece of information's credibility."""

    CONFIRMED = 1
    PROBABLY_TRUE = 2
    POSSIBLY_TRUE = 3
    DOUBTFUL = 4
    IMPROBABLE = 5
    CANNOT_BE_JUDGED = 6


class VerificationStatus(enum.StrEnum):
    """How far an event's account has been checked against independent reporting."""

    UNVERIFIED = "unverified"
    REPORTED = "reported"
    CORROBORATED = "corroborated"
    DISPUTED = "disputed"
    REFUTED = "refuted"


class AnalysisKind(enum.StrEnum):
    """What kind of judgement an analysis is."""

    THEORY = "theory"
    ASSESSMENT = "assessment"
    FORECAST = "forecast"
    INTERPRETATION = "interpretation"


class Likelihood(enum.StrEnum):
    """ICD 203 estimative-language term for how likely something is."""

    ALMOST_NO_CHANCE = "almost_no_chance"
    VERY_UNLIKELY = "very_unlikely"
    UNLIKELY = "unlikely"
    ROUGHLY_EVEN_CHANCE = "roughly_even_chance"
    LIKELY = "likely"
    VERY_LIKELY = "very_likely"
    ALMOST_CERTAIN = "almost_certain"


class Confidence(enum.StrEnum):
    """Analytic confidence, a judgement separate from likelihood (ICD 203)."""

    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"


class LocationPrecision(enum.StrEnum):
    """How precisely a location is known (after UCDP's where_prec)."""

    EXACT = "exact"
    NEAR = "near"
    DISTRICT = "district"
    PROVINCE = "province"
    REGION = "region"
    COUNTRY = "country"
    SEA = "sea"


class WeaponCategory(enum.StrEnum):
    """The class of weapon launched, tested or fired (after the CNS missile test database)."""

    SRBM = "srbm"
    MRBM = "mrbm"
    IRBM = "irbm"
    ICBM = "icbm"
    SLBM = "slbm"
    CRUISE_MISSILE = "cruise_missile"
    HYPERSONIC = "hypersonic"
    ARTILLERY = "artillery"
    UNDERWATER_DRONE = "underwater_drone"
    SURFACE_TO_SEA = "surface_to_sea"
    ANTI_AIRCRAFT = "anti_aircraft"
    OTHER = "other"


class DatePrecision(enum.StrEnum):
    """What an event's EDTF date names (derived from it, never stored in JSON)."""

    DAY = "day"
    MONTH = "month"
    YEAR = "year"
    INTERVAL = "interval"


def _event(description: str, plover: str, mode: str, cameo: str) -> Term:
    return Term(description, {"plover_event": plover, "plover_mode": mode, "cameo_root": cameo})


def _band(description: str, low: float, high: float) -> Term:
    return Term(description, {"probability_min": low, "probability_max": high})


TERMS: dict[type[enum.Enum], dict[Any, Term]] = {
    EventType: {
        EventType.MISSILE_LAUNCH: _event(
            "Launch of a ballistic or cruise missile, as a test, drill or demonstration.",
            "MOBILIZE",
            "weapons",
            "15",
        ),
        EventType.WEAPONS_TEST: _event(
            "Test of a weapon system other than a missile launch (e.g. an underwater drone).",
            "MOBILIZE",
            "weapons",
            "15",
        ),
        EventType.ARTILLERY_FIRE: _event(
            "Live artillery fire, e.g. coastal guns fired near a maritime border.",
            "MOBILIZE",
            "weapons",
            "15",
        ),
        EventType.MILITARY_EXERCISE: _event(
            "Military exercise or drill without a weapon launch.", "MOBILIZE", "troops", "15"
        ),
        EventType.DIPLOMATIC_VISIT: _event(
            "An official delegation's visit to another state.", "CONSULT", "visit", "04"
        ),
        EventType.DIPLOMATIC_MEETING: _event(
            "A meeting of officials of different states.", "CONSULT", "meet", "04"
        ),
        EventType.DIPLOMATIC_COOPERATION: _event(
            "A declared step of diplomatic cooperation (a friendship year, a joint statement).",
            "COOPERATE",
            "diplomatic",
            "05",
        ),
        EventType.POLICY_DECLARATION: _event(
            "A state organ announces a policy line that rejects a prior one "
            "(e.g. a party plenum or a leader's speech).",
            "REJECT",
            "policy",
            "12",
        ),
        EventType.REDUCE_RELATIONS: _event(
            "A state cuts ties or abolishes the bodies that carried relations.",
            "SANCTION",
            "relations",
            "16",
        ),
        EventType.SYMBOLIC_ACT: _event(
            "A symbolic act such as removing a monument or redrawing maps.",
            "REJECT",
            "symbolic",
            "01",
        ),
        EventType.ACCUSATION: _event(
            "A public accusation or allegation by one actor against another.",
            "ACCUSE",
            "allege",
            "11",
        ),
        EventType.ARMS_TRANSFER: _event(
            "A transfer of weapons or military materiel between states.", "AID", "military", "07"
        ),
        EventType.MILITARY_DEPLOYMENT: _event(
            "Deployment of forces or strategic assets to a place, without an exercise: e.g. a "
            "nuclear-powered submarine or an aircraft carrier entering a port.",
            "MOBILIZE",
            "troops",
            "15",
        ),
    },
    Role: {
        Role.INITIATOR: Term("Carries out or starts the action (ACLED actor1, PLOVER actor)."),
        Role.TARGET: Term("The action is aimed at it (PLOVER recipient)."),
        Role.PARTICIPANT: Term("Takes part alongside the initiator."),
        Role.HOST: Term("Receives a visit or hosts a meeting."),
        Role.OBSERVER: Term(
            "Watches or supervises without acting (e.g. a leader overseeing a test)."
        ),
    },
    ActorKind: {
        ActorKind.STATE: Term("A sovereign state."),
        ActorKind.PERSON: Term("A named individual."),
        ActorKind.GOVERNMENT_BODY: Term(
            "A ministry, legislature, party organ or other civil body."
        ),
        ActorKind.MILITARY: Term("Armed forces or a military command."),
        ActorKind.MEDIA: Term("A news outlet or state media organ."),
        ActorKind.INTERNATIONAL_ORG: Term("An intergovernmental organisation."),
        ActorKind.GROUP: Term("Any other organised group."),
    },
    SourceKind: {
        SourceKind.NEWS_REPORT: Term("An article by a news outlet."),
        SourceKind.WIRE_REPORT: Term("A news agency's story, as run by the agency or a client."),
        SourceKind.STATE_MEDIA: Term("A state media report (KCNA, Rodong Sinmun, TASS …)."),
        SourceKind.GOVERNMENT_STATEMENT: Term("An official statement or briefing."),
        SourceKind.SATELLITE_IMAGERY: Term("Commercial or government satellite imagery."),
        SourceKind.THINK_TANK: Term("Analysis by a research institute."),
        SourceKind.AI_GENERATED: Term("Text written by an AI system; its claims need checking."),
        SourceKind.SOCIAL_MEDIA: Term("A social media post."),
        SourceKind.DATABASE: Term("A curated dataset or database entry."),
        SourceKind.OTHER: Term("Anything else."),
    },
    Reliability: {
        Reliability.A: Term("Completely reliable."),
        Reliability.B: Term("Usually reliable."),
        Reliability.C: Term("Fairly reliable."),
        Reliability.D: Term("Not usually reliable."),
        Reliability.E: Term("Unreliable."),
        Reliability.F: Term("Reliability cannot be judged."),
    },
    Credibility: {
        Credibility.CONFIRMED: Term("Confirmed by other sources."),
        Credibility.PROBABLY_TRUE: Term("Probably true."),
        Credibility.POSSIBLY_TRUE: Term("Possibly true."),
        Credibility.DOUBTFUL: Term("Doubtful."),
        Credibility.IMPROBABLE: Term("Improbable."),
        Credibility.CANNOT_BE_JUDGED: Term("Truth cannot be judged."),
    },
    VerificationStatus: {
        VerificationStatus.UNVERIFIED: Term("Not yet checked against any source."),
        VerificationStatus.REPORTED: Term("Reported by one source or one originator only."),
        VerificationStatus.CORROBORATED: Term("Confirmed by independent reports."),
        VerificationStatus.DISPUTED: Term("Sources conflict on the account."),
        VerificationStatus.REFUTED: Term("Shown false by reliable reporting."),
    },
    AnalysisKind: {
        AnalysisKind.THEORY: Term("An explanation of an actor's aims or motives."),
        AnalysisKind.ASSESSMENT: Term("A judgement of a present state of affairs or risk."),
        AnalysisKind.FORECAST: Term("A prediction with a horizon, resolvable later."),
        AnalysisKind.INTERPRETATION: Term("A reading of what events mean."),
    },
    Likelihood: {
        Likelihood.ALMOST_NO_CHANCE: _band("Almost no chance (remote): 1–5%.", 0.01, 0.05),
        Likelihood.VERY_UNLIKELY: _band("Very unlikely (highly improbable): 5–20%.", 0.05, 0.20),
        Likelihood.UNLIKELY: _band("Unlikely (improbable): 20–45%.", 0.20, 0.45),
        Likelihood.ROUGHLY_EVEN_CHANCE: _band("Roughly even chance: 45–55%.", 0.45, 0.55),
        Likelihood.LIKELY: _band("Likely (probable): 55–80%.", 0.55, 0.80),
        Likelihood.VERY_LIKELY: _band("Very likely (highly probable): 80–95%.", 0.80, 0.95),
        Likelihood.ALMOST_CERTAIN: _band("Almost certain (nearly certain): 95–99%.", 0.95, 0.99),
    },
    Confidence: {
        Confidence.LOW: Term("Low confidence: scant, questionable or fragmented information."),
        Confidence.MODERATE: Term("Moderate confidence: credible but not corroborated enough."),
        Confidence.HIGH: Term("High confidence: high-quality information from several sources."),
    },
    LocationPrecision: {
        LocationPrecision.EXACT: Term("The exact place (UCDP where_prec 1)."),
        LocationPrecision.NEAR: Term("Near a named place, within about 25 km (2)."),
        LocationPrecision.DISTRICT: Term("A second-order administrative division (3)."),
        LocationPrecision.PROVINCE: Term("A first-order administrative division (4)."),
        LocationPrecision.REGION: Term("Larger than a province but within a country (5)."),
        LocationPrecision.COUNTRY: Term("Only the country is known (6)."),
        LocationPrecision.SEA: Term("A sea area or airspace (7)."),
    },
    WeaponCategory: {
        WeaponCategory.SRBM: Term("Short-range ballistic missile (under 1,000 km)."),
        WeaponCategory.MRBM: Term("Medium-range ballistic missile (1,000–3,000 km)."),
        WeaponCategory.IRBM: Term("Intermediate-range ballistic missile (3,000–5,500 km)."),
        WeaponCategory.ICBM: Term("Intercontinental ballistic missile (over 5,500 km)."),
        WeaponCategory.SLBM: Term("Submarine-launched ballistic missile."),
        WeaponCategory.CRUISE_MISSILE: Term("Cruise missile, from any launch platform."),
        WeaponCategory.HYPERSONIC: Term("Hypersonic glide vehicle or manoeuvring warhead."),
        WeaponCategory.ARTILLERY: Term("Tube or rocket artillery."),
        WeaponCategory.UNDERWATER_DRONE: Term("Unmanned underwater weapon system."),
        WeaponCategory.SURFACE_TO_SEA: Term("Anti-ship (surface-to-sea) missile."),
        WeaponCategory.ANTI_AIRCRAFT: Term("Surface-to-air missile."),
        WeaponCategory.OTHER: Term("Any other weapon."),
    },
    DatePrecision: {
        DatePrecision.DAY: Term("One day (YYYY-MM-DD), with or without a qualifier."),
        DatePrecision.MONTH: Term("One month (YYYY-MM), with or without a qualifier."),
        DatePrecision.YEAR: Term("One year (YYYY), with or without a qualifier."),
        DatePrecision.INTERVAL: Term(
            "An interval A/B, whatever the precision of its ends, also with an open (..) "
            "or unknown (empty) end."
        ),
    },
}


def vocabularies() -> dict[str, type[enum.Enum]]:
    """Every vocabulary by its class name."""
    return {vocab.__name__: vocab for vocab in TERMS}


def likelihood_band(term: Likelihood | str) -> tuple[float, float]:
    """The ICD 203 probability band ``(low, high)`` of a likelihood term, inclusive."""
    mappings = TERMS[Likelihood][Likelihood(term)].mappings
    return float(mappings["probability_min"]), float(mappings["probability_max"])
