"""The record types: every field of every record defined once, as frozen attrs classes.

Each field carries its description and constraints in its attrs metadata (see
:func:`spec`). From these classes :mod:`koreaevents.schema` derives the JSON Schemas,
:mod:`koreaevents.arrow` the Arrow schemas, and the docs the codebook; the same
constraints become attrs validators here, so a record built in Python obeys the rules
that the schema enforces on JSON.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable
from typing import Any, ClassVar

import attrs

from koreaevents import vocab
from koreaevents.edtf import EdtfError, edtf_qualities, parse_edtf

__all__ = [
    "ACTOR_ID_PATTERN",
    "ANALYSIS_ID_PATTERN",
    "EDTF_PATTERN",
    "EDTF_QUALITIES",
    "EVENT_ID_PATTERN",
    "OPTIONAL_STEMS",
    "RECORD_TYPES",
    "SEMVER_PATTERN",
    "SOURCE_ID_PATTERN",
    "Actor",
    "ActorRole",
    "Analysis",
    "Citation",
    "DateBoundsError",
    "Discrepancy",
    "Event",
    "EventDate",
    "FieldSpec",
    "Location",
    "Record",
    "RecordType",
    "Retired",
    "Source",
    "Verification",
    "Weapon",
    "derived_qualities",
    "spec",
]

_SLUG = r"[a-z0-9]+(?:-[a-z0-9]+)*"
EVENT_ID_PATTERN = rf"^evt-{_SLUG}$"
SOURCE_ID_PATTERN = rf"^src-{_SLUG}$"
ANALYSIS_ID_PATTERN = rf"^ana-{_SLUG}$"
ACTOR_ID_PATTERN = rf"^{_SLUG}$"
# An id names its file in the one-record-per-file layout, and Windows cannot hold a
# file named like a device, whatever its extension ("con.json"): such ids are refused.
RESERVED_ID_PATTERN = r"^(?:con|prn|aux|nul|com[1-9]|lpt[1-9])$"
# An actor id may not take another record type's prefix: ids are unique dataset-wide.
ACTOR_ID_NOT_PATTERN = rf"^(?:evt|src|ana)-|{RESERVED_ID_PATTERN}"
SLUG_PATTERN = rf"^{_SLUG}$"
COUNTRY_PATTERN = r"^[A-Z]{3}$"
WIKIDATA_PATTERN = r"^Q[1-9][0-9]*$"
LANGUAGE_PATTERN = r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$"
URL_PATTERN = r"^https?://\S+$"
POINTER_PATTERN = r"^(?:/(?:[^~/]|~[01])*)+$"
_EDTF_DATE = r"[0-9]{4}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12][0-9]|3[01]))?)?[?~%]?"
EDTF_PATTERN = rf"^(?:{_EDTF_DATE}|(?:{_EDTF_DATE}|\.\.)?/(?:{_EDTF_DATE}|\.\.)?)$"
# Semantic Versioning 2.0.0, the form datapackage.json gives a version in.
_SEMVER_ID = r"(?:0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)"
SEMVER_PATTERN = (
    r"^(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*)"
    rf"(?:-{_SEMVER_ID}(?:\.{_SEMVER_ID})*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$"
)
DATE_PATTERN = r"^[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])$"

# Ids name files in the one-record-per-file layout: keep them within file-name limits.
MAX_ID_LENGTH = 200

_META_KEY = "koreaevents"


@attrs.frozen
class FieldSpec:
    """What the JSON Schema, the Arrow schema and the codebook need to know of a field."""

    description: str
    pattern: str | None = None
    not_pattern: str | None = None
    min_length: int | None = None
    max_length: int | None = None
    minimum: float | None = None
    maximum: float | None = None
    min_items: int | None = None
    unique_items: bool = False
    format: str | None = None
    nullable: bool = False
    example: Any = None
    derived: tuple[str, ...] = ()
    """Columns derived from this EDTF field in Parquet, never stored in JSON (see
    :func:`derived_qualities`): a field of format ``edtf`` gets its day bounds
    (``earliest``, ``latest``) unless it names others."""

    ordered: bool = True
    """For a list: whether its order carries meaning. An unordered list (tags, ids of
    related records) is a set of values: reordering it changes nothing (see
    :func:`koreaevents.diff`)."""


EDTF_QUALITIES = ("earliest", "latest", "precision", "approximate", "uncertain")
"""What may be derived from an EDTF value (see :attr:`FieldSpec.derived`)."""


def derived_qualities(fs: FieldSpec) -> tuple[str, ...]:
    """The qualities derived from a field in Parquet: its ``derived``, or for a field
    of format ``edtf`` its day bounds ``("earliest", "latest")``; else none."""
    if fs.derived:
        unknown = sorted(set(fs.derived) - set(EDTF_QUALITIES))
        if unknown:
            raise ValueError(f"unknown derived qualities {unknown}: use {EDTF_QUALITIES}")
        return fs.derived
    if fs.format == "edtf":
        return ("earliest", "latest")
    return ()


def spec(field: attrs.Attribute[Any]) -> FieldSpec:
    """The :class:`FieldSpec` of an attrs field of a record class."""
    found = field.metadata.get(_META_KEY)
    if not isinstance(found, FieldSpec):
        raise TypeError(f"field {field.name!r} has no FieldSpec")
    return found


def _validators(fs: FieldSpec, *, many: bool, optional: bool) -> list[Any]:
    """attrs validators for a field's constraints; for lists, pattern and length apply to
    each item, min_items and unique_items to the list."""
    scalar: list[Any] = []
    if fs.pattern is not None and fs.format != "date":  # dates are date objects here
        scalar.append(attrs.validators.matches_re(fs.pattern, func=re.search))
    if fs.not_pattern is not None:
        not_re = re.compile(fs.not_pattern)

        def _not_matching(inst: Any, attr: attrs.Attribute[Any], value: Any) -> None:
            if not_re.search(value):
                raise ValueError(f"{attr.name} must not match {fs.not_pattern!r}: {value!r}")

        scalar.append(_not_matching)
    if fs.format == "edtf":
        scalar.append(_valid_edtf)
    if fs.min_length is not None:
        scalar.append(attrs.validators.min_len(fs.min_length))
    if fs.max_length is not None:
        scalar.append(attrs.validators.max_len(fs.max_length))
    if fs.minimum is not None:
        scalar.append(attrs.validators.ge(fs.minimum))
    if fs.maximum is not None:
        scalar.append(attrs.validators.le(fs.maximum))
    if not many:
        return [attrs.validators.optional(scalar)] if optional and scalar else scalar
    container: list[Any] = []
    if scalar:
        container.append(attrs.validators.deep_iterable(attrs.validators.and_(*scalar)))
    if fs.min_items is not None:
        container.append(attrs.validators.min_len(fs.min_items))
    if fs.unique_items:

        def _unique(inst: Any, attr: attrs.Attribute[Any], value: Any) -> None:
            if len(set(value)) != len(value):
                raise ValueError(f"{attr.name} holds duplicates: {value!r}")

        container.append(_unique)
    return container


def _valid_edtf(inst: Any, attr: attrs.Attribute[Any], value: Any) -> None:
    try:
        parse_edtf(value)
    except EdtfError as exc:
        raise DateBoundsError(f"{attr.name}: {exc}") from None


def _field(
    description: str,
    *,
    optional: bool = False,
    many: bool = False,
    converter: Callable[[Any], Any] | None = None,
    **constraints: Any,
) -> Any:
    """An attrs field with its :class:`FieldSpec`; validators derived from the constraints.

    ``optional`` fields default to None; ``many`` fields are tuples defaulting to ``()``
    when optional.
    """
    if constraints.get("format") == "edtf":
        # one marker makes an EDTF field: the pattern (what the schema checks) follows
        constraints.setdefault("pattern", EDTF_PATTERN)
    fs = FieldSpec(description, **constraints)
    kwargs: dict[str, Any] = {"metadata": {_META_KEY: fs}}
    if many:
        kwargs["converter"] = _to_tuple if converter is None else converter
        if optional:
            kwargs["factory"] = tuple
        kwargs["validator"] = _validators(fs, many=True, optional=False)
    else:
        if converter is not None:
            kwargs["converter"] = attrs.converters.optional(converter) if optional else converter
        if optional:
            kwargs["default"] = None
        kwargs["validator"] = _validators(fs, many=False, optional=optional or fs.nullable)
    return attrs.field(**kwargs)


def _to_tuple(value: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(value)


def _to_date(value: datetime.date | str) -> datetime.date:
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(value)


def _tuple_of(cls: type[Any]) -> Callable[[Iterable[Any]], tuple[Any, ...]]:
    """Converter to a tuple of ``cls``, building instances from dicts given in Python."""

    def convert(items: Iterable[Any]) -> tuple[Any, ...]:
        return tuple(cls(**item) if isinstance(item, dict) else item for item in items)

    return convert


def _one_of(cls: type[Any]) -> Callable[[Any], Any]:
    def convert(item: Any) -> Any:
        return cls(**item) if isinstance(item, dict) else item

    return convert


class DateBoundsError(ValueError):
    """An event date whose EDTF value is invalid or disagrees with its bounds."""


# --- Parts of records -------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class EventDate:
    """When an event happened: an EDTF value and its strict bounds as days."""

    edtf: str = _field(
        "The date as Extended Date/Time Format (EDTF, ISO 8601-2) level 0/1: a day, "
        "month or year, an interval A/B, qualifiers ~ ? %, '..' or an empty side for "
        "an open or unknown end.",
        format="edtf",
        example="2024-01-14/2024-01-17",
        derived=("precision", "approximate", "uncertain"),
    )
    earliest: datetime.date | None = _field(
        "First day the EDTF value allows (ISO date); null for an open or unknown start. "
        "Qualifiers do not widen it.",
        converter=attrs.converters.optional(_to_date),
        format="date",
        nullable=True,
        pattern=DATE_PATTERN,
        example="2024-01-14",
    )
    latest: datetime.date | None = _field(
        "Last day the EDTF value allows (ISO date); null for an open or unknown end.",
        converter=attrs.converters.optional(_to_date),
        format="date",
        nullable=True,
        pattern=DATE_PATTERN,
        example="2024-01-17",
    )

    def __attrs_post_init__(self) -> None:
        try:
            bounds = parse_edtf(self.edtf)
        except EdtfError as exc:
            raise DateBoundsError(str(exc)) from None
        if (bounds.earliest, bounds.latest) != (self.earliest, self.latest):
            raise DateBoundsError(
                f"date bounds {self.earliest}..{self.latest} do not match EDTF "
                f"{self.edtf!r}, which gives {bounds.earliest}..{bounds.latest}"
            )

    @property
    def precision(self) -> str:
        """What the EDTF value names: ``"day"``, ``"month"``, ``"year"`` or
        ``"interval"`` (any ``A/B``, also with an open or unknown end). Derived from
        :attr:`edtf`, never stored in JSON."""
        return edtf_qualities(self.edtf).precision

    @property
    def approximate(self) -> bool:
        """Whether the EDTF value (or either end of an interval) carries ``~`` or ``%``.
        Derived from :attr:`edtf`, never stored in JSON."""
        return edtf_qualities(self.edtf).approximate

    @property
    def uncertain(self) -> bool:
        """Whether the EDTF value (or either end of an interval) carries ``?`` or ``%``.
        Derived from :attr:`edtf`, never stored in JSON."""
        return edtf_qualities(self.edtf).uncertain

    @classmethod
    def from_edtf(cls, edtf: str) -> EventDate:
        """Build a date from its EDTF value alone, computing the strict bounds."""
        bounds = parse_edtf(edtf)
        return cls(edtf=edtf, earliest=bounds.earliest, latest=bounds.latest)


@attrs.frozen(kw_only=True)
class ActorRole:
    """An actor's part in an event."""

    actor: str = _field("Id of the actor (see actors).", pattern=ACTOR_ID_PATTERN, example="prk")
    role: vocab.Role = _field(
        "The actor's part in the event.", converter=vocab.Role, example="initiator"
    )


@attrs.frozen(kw_only=True)
class Location:
    """Where an event happened."""

    name: str = _field(
        "Place name as reported; both names for disputed seas.",
        min_length=1,
        example="Yellow Sea (West Sea)",
    )
    alt_names: tuple[str, ...] = _field(
        "Other names of the place (e.g. the other name of a disputed sea).",
        ordered=False,
        optional=True,
        many=True,
        min_length=1,
        unique_items=True,
        example=["West Sea"],
    )
    country: str | None = _field(
        "ISO 3166-1 alpha-3 code of the territory; absent for open sea.",
        optional=True,
        pattern=COUNTRY_PATTERN,
        example="PRK",
    )
    lat: float | None = _field(
        "Latitude in decimal degrees (WGS 84).",
        optional=True,
        minimum=-90,
        maximum=90,
        example=39.0392,
    )
    lon: float | None = _field(
        "Longitude in decimal degrees (WGS 84).",
        optional=True,
        minimum=-180,
        maximum=180,
        example=125.7625,
    )
    precision: vocab.LocationPrecision = _field(
        "How precisely the place is known.", converter=vocab.LocationPrecision, example="sea"
    )


@attrs.frozen(kw_only=True)
class Weapon:
    """The weapon launched, tested or fired in an event."""

    category: vocab.WeaponCategory = _field(
        "Class of weapon.", converter=vocab.WeaponCategory, example="cruise_missile"
    )
    name: str | None = _field(
        "Name of the system as its owner or reports give it.",
        optional=True,
        min_length=1,
        example="Pulhwasal-3-31",
    )


@attrs.frozen(kw_only=True)
class Citation:
    """A reference to a source that reports a record's content."""

    source: str = _field(
        "Id of the source (see sources).",
        pattern=SOURCE_ID_PATTERN,
        example="src-japan-news-2024-01-24-cruise-missiles",
    )
    locator: str | None = _field(
        "Where in the source: a paragraph, page, or a label the source uses.",
        optional=True,
        min_length=1,
        example="Source 1",
    )
    claim: str | None = _field(
        "What this source says about the record, briefly.", optional=True, min_length=1
    )


@attrs.frozen(kw_only=True)
class Discrepancy:
    """A source's claim that differs from the corroborated record, and its correction."""

    field: str = _field(
        "JSON Pointer to the field of the record the claim is about.",
        pattern=POINTER_PATTERN,
        example="/location/name",
    )
    claimed: str = _field(
        "What was claimed.", min_length=1, example="off the east coast into the Sea of Japan"
    )
    corrected: str = _field("What reliable reporting says instead.", min_length=1)
    citations: tuple[str, ...] = _field(
        "Ids of the sources that support the correction.",
        ordered=False,
        many=True,
        min_items=1,
        unique_items=True,
        pattern=SOURCE_ID_PATTERN,
    )
    claimed_in: str | None = _field(
        "Id of the source where the claim appeared.", optional=True, pattern=SOURCE_ID_PATTERN
    )


@attrs.frozen(kw_only=True)
class Verification:
    """How far an event's account has been checked."""

    status: vocab.VerificationStatus = _field(
        "Verification status.", converter=vocab.VerificationStatus, example="corroborated"
    )
    credibility: vocab.Credibility | None = _field(
        "Admiralty credibility of the information, 1 (confirmed) to 6 (cannot be judged).",
        optional=True,
        converter=vocab.Credibility,
        example=1,
    )
    discrepancies: tuple[Discrepancy, ...] = _field(
        "Claims by sources that differ from this record, with their corrections.",
        optional=True,
        many=True,
        converter=_tuple_of(Discrepancy),
    )


# --- The four record types --------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Event:
    """A dated action on or about the Korean peninsula, with its sources."""

    STEM: ClassVar[str] = "events"
    TYPE: ClassVar[str] = "event"

    id: str = _field(
        "Unique id: 'evt-' and a lowercase slug.",
        max_length=MAX_ID_LENGTH,
        pattern=EVENT_ID_PATTERN,
        example="evt-2024-01-24-cruise-missiles-yellow-sea",
    )
    title: str = _field("Short title.", min_length=1)
    summary: str | None = _field("What happened, in a few sentences.", optional=True, min_length=1)
    event_type: vocab.EventType = _field(
        "What kind of action this is.", converter=vocab.EventType, example="missile_launch"
    )
    date: EventDate = _field("When it happened.", converter=_one_of(EventDate))
    weapon: Weapon | None = _field(
        "The weapon launched, tested or fired, if any.", optional=True, converter=_one_of(Weapon)
    )
    actors: tuple[ActorRole, ...] = _field(
        "Who took part, and how.", many=True, min_items=1, converter=_tuple_of(ActorRole)
    )
    location: Location = _field("Where it happened.", converter=_one_of(Location))
    significance: str | None = _field("Why it matters.", optional=True, min_length=1)
    citations: tuple[Citation, ...] = _field(
        "The sources that report it.", many=True, min_items=1, converter=_tuple_of(Citation)
    )
    verification: Verification = _field(
        "How far the account is verified.", converter=_one_of(Verification)
    )
    tags: tuple[str, ...] = _field(
        "Free keywords, lowercase slugs.",
        ordered=False,
        optional=True,
        many=True,
        unique_items=True,
        pattern=SLUG_PATTERN,
        example=["missile"],
    )
    related: tuple[str, ...] = _field(
        "Ids of related events.",
        ordered=False,
        optional=True,
        many=True,
        unique_items=True,
        pattern=EVENT_ID_PATTERN,
    )


@attrs.frozen(kw_only=True)
class Source:
    """A document that reports events: a news story, a statement, an AI-written text."""

    STEM: ClassVar[str] = "sources"
    TYPE: ClassVar[str] = "source"

    id: str = _field(
        "Unique id: 'src-' and a lowercase slug.",
        max_length=MAX_ID_LENGTH,
        pattern=SOURCE_ID_PATTERN,
    )
    kind: vocab.SourceKind = _field(
        "What kind of document it is.", converter=vocab.SourceKind, example="news_report"
    )
    title: str = _field("Headline or title.", min_length=1)
    publisher: str = _field("The outlet that published this copy.", min_length=1)
    agency: str | None = _field(
        "The news agency whose story this is, when the publisher ran a wire story.",
        optional=True,
        min_length=1,
        example="Reuters",
    )
    published: str = _field("Publication date (EDTF).", format="edtf", example="2024-01-24")
    url: str | None = _field(
        "Web address of the document.", optional=True, pattern=URL_PATTERN, format="uri"
    )
    language: str | None = _field(
        "Language of the document (BCP 47 tag).",
        optional=True,
        pattern=LANGUAGE_PATTERN,
        example="en",
    )
    originator: str | None = _field(
        "Id of the actor who made the claims the source reports, when not the publisher "
        "(e.g. KCNA, the JCS).",
        optional=True,
        pattern=ACTOR_ID_PATTERN,
        example="prk-kcna",
    )
    reliability: vocab.Reliability = _field(
        "Admiralty reliability grade of the source, A (completely reliable) to F "
        "(cannot be judged).",
        converter=vocab.Reliability,
        example="B",
    )


@attrs.frozen(kw_only=True)
class Analysis:
    """A judgement about events: a theory, assessment, forecast or interpretation."""

    STEM: ClassVar[str] = "analyses"
    TYPE: ClassVar[str] = "analysis"

    id: str = _field(
        "Unique id: 'ana-' and a lowercase slug.",
        max_length=MAX_ID_LENGTH,
        pattern=ANALYSIS_ID_PATTERN,
    )
    kind: vocab.AnalysisKind = _field(
        "What kind of judgement it is.", converter=vocab.AnalysisKind, example="theory"
    )
    title: str = _field("Short title.", min_length=1)
    statement: str = _field("The judgement, worded as its source words it.", min_length=1)
    attributed_to: str = _field(
        "Who holds it, worded as the source words it.", min_length=1, example="Some analysts"
    )
    about: tuple[str, ...] = _field(
        "Ids of the events it interprets.",
        ordered=False,
        many=True,
        min_items=1,
        unique_items=True,
        pattern=EVENT_ID_PATTERN,
    )
    citations: tuple[Citation, ...] = _field(
        "The sources that report it.", many=True, min_items=1, converter=_tuple_of(Citation)
    )
    likelihood: vocab.Likelihood | None = _field(
        "ICD 203 estimative term for how likely the judgement holds.",
        optional=True,
        converter=vocab.Likelihood,
        example="unlikely",
    )
    probability: float | None = _field(
        "Probability as a fraction from 0 to 1; needs a likelihood and must lie within "
        "that term's band.",
        optional=True,
        minimum=0,
        maximum=1,
        example=0.3,
    )
    confidence: vocab.Confidence | None = _field(
        "Analytic confidence, separate from likelihood.",
        optional=True,
        converter=vocab.Confidence,
        example="moderate",
    )
    as_of: str = _field(
        "When the judgement was made (EDTF).",
        format="edtf",
        example="2024-01-24",
    )
    horizon: str | None = _field(
        "Period a forecast covers (EDTF interval).",
        optional=True,
        format="edtf",
        example="2024-01-24/2024-12-31",
    )
    resolution_criteria: str | None = _field(
        "How to tell whether a forecast came true.", optional=True, min_length=1
    )

    def __attrs_post_init__(self) -> None:
        if self.probability is not None:
            if self.likelihood is None:
                raise ValueError("probability needs a likelihood term")
            low, high = vocab.likelihood_band(self.likelihood)
            if not low <= self.probability <= high:
                raise ValueError(
                    f"probability {self.probability} lies outside the band of "
                    f"{self.likelihood.value!r} ({low}–{high})"
                )


@attrs.frozen(kw_only=True)
class Actor:
    """A state, person, body, armed force or outlet that takes part in events."""

    STEM: ClassVar[str] = "actors"
    TYPE: ClassVar[str] = "actor"

    id: str = _field(
        "Unique id: a lowercase slug, e.g. 'prk' or 'prk-kim-jong-un'.",
        max_length=MAX_ID_LENGTH,
        pattern=ACTOR_ID_PATTERN,
        not_pattern=ACTOR_ID_NOT_PATTERN,
        example="prk-kim-jong-un",
    )
    name: str = _field("Name in English.", min_length=1, example="Kim Jong Un")
    kind: vocab.ActorKind = _field(
        "What kind of actor it is.", converter=vocab.ActorKind, example="person"
    )
    country: str | None = _field(
        "ISO 3166-1 alpha-3 code of the actor's country.",
        optional=True,
        pattern=COUNTRY_PATTERN,
        example="PRK",
    )
    aliases: tuple[str, ...] = _field(
        "Other names and spellings.",
        optional=True,
        many=True,
        min_length=1,
        unique_items=True,
        ordered=False,
    )
    parent: str | None = _field(
        "Id of the actor this one belongs to.",
        optional=True,
        pattern=ACTOR_ID_PATTERN,
        example="prk",
    )
    wikidata: str | None = _field(
        "Wikidata item id.", optional=True, pattern=WIKIDATA_PATTERN, example="Q56226"
    )
    description: str | None = _field("Who or what this is, briefly.", optional=True, min_length=1)


@attrs.frozen(kw_only=True)
class Retired:
    """A tombstone: the id of a record that a version of the dataset removed.

    A retired id is never used again, so that whoever cites it learns what happened to
    it (and what replaced it) instead of finding nothing or, worse, another record.
    """

    STEM: ClassVar[str] = "retired"
    TYPE: ClassVar[str] = "retired"

    id: str = _field(
        "The removed record's id, of any record type.",
        max_length=MAX_ID_LENGTH,
        pattern=SLUG_PATTERN,
        not_pattern=RESERVED_ID_PATTERN,
        example="evt-2024-01-05-artillery-near-yeonpyeong",
    )
    retired_in: str = _field(
        "The dataset version (SemVer) that removed the record.",
        pattern=SEMVER_PATTERN,
        example="0.2.0",
    )
    reason: str = _field(
        "Why the record was removed (merged into another, a duplicate, out of scope).",
        min_length=1,
        example="merged into the record of the same shelling",
    )
    replaced_by: str | None = _field(
        "Id of the record that replaces it, when one does.",
        optional=True,
        max_length=MAX_ID_LENGTH,
        pattern=SLUG_PATTERN,
        example="evt-2024-01-05-artillery-near-yeonpyeong-baengnyeong",
    )


Record = Event | Source | Analysis | Actor | Retired
RecordType = type[Event] | type[Source] | type[Analysis] | type[Actor] | type[Retired]

RECORD_TYPES: dict[str, RecordType] = {
    cls.TYPE: cls for cls in (Event, Source, Analysis, Actor, Retired)
}
"""Record classes by type name (``event``, ``source``, ``analysis``, ``actor``,
``retired``), in the order their files are read and written."""

OPTIONAL_STEMS: frozenset[str] = frozenset({Retired.STEM})
"""Stems whose file is written only when it holds records, so that a dataset without
them gives the same files (and bytes) as before they existed."""

# Resolve the string annotations once, so that cattrs, the schema and Arrow builders
# all see real types.
for _cls in (
    EventDate,
    ActorRole,
    Location,
    Weapon,
    Citation,
    Discrepancy,
    Verification,
    Event,
    Source,
    Analysis,
    Actor,
    Retired,
):
    attrs.resolve_types(_cls)
