"""A small, strict parser for the subset of EDTF dates this project accepts.

The accepted forms are ``YYYY``, ``YYYY-MM`` and ``YYYY-MM-DD`` (years 0001-9999, real
calendar days), each optionally followed by one qualifier (``?`` uncertain, ``~``
approximate, ``%`` both), and intervals ``A/B`` whose sides are such dates, ``..`` (an
open end) or nothing (an unknown end); at least one side must be a date.

:func:`parse_edtf` turns a value into strict day bounds (:class:`EdtfBounds`): a year
covers January 1 to December 31, a month its first to last day, a day only itself,
and an interval runs from the earliest day of its start to the latest day of its end.
Qualifiers never widen the bounds. Anything else raises :class:`EdtfError`, a
:class:`ValueError` whose message names the value, says what is wrong and lists the
accepted forms; no other exception escapes, whatever the input.

The third-party ``edtf`` package is deliberately not used: its fuzzy bounds are
arbitrary (a month is widened by a year), an unknown interval end becomes ten years
and bad input raises a bare :class:`ValueError`.
"""

from __future__ import annotations

import calendar
import datetime
import functools
import re

import attrs

__all__ = [
    "EdtfBounds",
    "EdtfError",
    "EdtfQualities",
    "edtf_bounds_or_none",
    "edtf_qualities",
    "is_interval",
    "is_valid_edtf",
    "parse_edtf",
]

_ACCEPTED_FORMS = (
    "YYYY, YYYY-MM, YYYY-MM-DD, optionally followed by ?, ~ or %, or an interval A/B "
    "with .. or an empty side for an open or unknown end"
)
_SHOWN_CHARS = 60
_CACHE_SIZE = 16384

# One date: year, optional month, optional day, optional qualifier (not captured:
# qualifiers do not change the bounds). [0-9] rather than \d so that only ASCII
# digits match; the pattern is used with fullmatch so that "$" newline rules and
# trailing text cannot sneak in.
_DATE = r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?[?~%]?"
# Groups: 1-3 a single date; 4-6 the start date, 7 an open start; 8-10 the end date,
# 11 an open end. A side with none of its groups set is unknown (empty).
_EDTF_RE = re.compile(rf"{_DATE}|(?:{_DATE}|(\.\.))?/(?:{_DATE}|(\.\.))?")

_QUALIFIERS = "?~%"
_ASCII_DIGITS = frozenset("0123456789")
_UNSPECIFIED_CHARS = frozenset("0123456789X-")


PRECISIONS = ("day", "month", "year", "interval")
"""What an EDTF value names: one day, one month, one year, or an interval ``A/B``
(including an interval with an open ``..`` or unknown (empty) end)."""


@attrs.frozen
class EdtfQualities:
    """How precise and how sure an EDTF value is, read from its form alone.

    Attributes:
        precision: ``"day"`` (``YYYY-MM-DD``), ``"month"`` (``YYYY-MM``), ``"year"``
            (``YYYY``) or ``"interval"`` (any ``A/B``, whatever its sides, also with
            an open or unknown end).
        approximate: Whether the value, or either end of an interval, carries ``~``
            (approximate) or ``%`` (approximate and uncertain).
        uncertain: Whether the value, or either end of an interval, carries ``?``
            (uncertain) or ``%``.
    """

    precision: str
    approximate: bool
    uncertain: bool


@attrs.frozen
class EdtfBounds:
    """Strict day bounds of an EDTF value, both ends inclusive.

    Attributes:
        earliest: The first day the value can mean, or ``None`` when the start is
            open (``..``) or unknown (empty) in an interval.
        latest: The last day the value can mean, or ``None`` when the end is open
            (``..``) or unknown (empty) in an interval.
    """

    earliest: datetime.date | None
    latest: datetime.date | None


class EdtfError(ValueError):
    """A value that is not an accepted EDTF date or interval.

    The message names the value (cut to about 60 characters), says what is wrong and
    lists the accepted forms.

    Attributes:
        value: The offending value if it was a string, else ``None``.
        reason: What is wrong, without the value and the accepted forms.
    """

    def __init__(self, message: str, *, value: str | None = None, reason: str = "") -> None:
        """Create the error.

        Args:
            message: The full message.
            value: The offending value if it was a string.
            reason: What is wrong, on its own.
        """
        super().__init__(message)
        self.value = value
        self.reason = reason


def parse_edtf(value: str) -> EdtfBounds:
    """Parse an EDTF date or interval of the accepted subset into strict day bounds.

    Args:
        value: ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``, optionally followed by one
            of ``?``, ``~`` or ``%``; or an interval ``A/B`` whose sides are such dates,
            ``..`` (open) or empty (unknown), not both sides without a date.

    Returns:
        The first and last day the value can mean; ``None`` for an open or unknown
        interval side.

    Raises:
        EdtfError: If the value is not a string or not in the accepted subset, if a
            month or day does not exist, or if an interval ends before it starts.
    """
    if type(value) is not str:
        value = _exact_str(value)
    return _parse(value)


def is_valid_edtf(value: object) -> bool:
    """Tell whether a value is an accepted EDTF date or interval.

    Args:
        value: Anything; only strings can be valid.

    Returns:
        ``True`` if :func:`parse_edtf` would accept the value, else ``False``.
    """
    if not isinstance(value, str):
        return False
    try:
        parse_edtf(value)
    except EdtfError:
        return False
    return True


def edtf_bounds_or_none(value: str) -> EdtfBounds | None:
    """Parse like :func:`parse_edtf`, but give ``None`` instead of raising.

    Args:
        value: The EDTF date or interval.

    Returns:
        The bounds, or ``None`` if the value is not accepted.
    """
    try:
        return parse_edtf(value)
    except EdtfError:
        return None


def is_interval(value: str) -> bool:
    """Tell whether a value has the form of an interval ``A/B``.

    Only the form is checked: the value is a string with exactly one ``/``. Whether
    it is a valid interval is for :func:`parse_edtf` to say.

    Args:
        value: The value to look at.

    Returns:
        ``True`` for a string containing exactly one ``/``, else ``False``.
    """
    return isinstance(value, str) and str.count(value, "/") == 1


def edtf_qualities(value: str) -> EdtfQualities:
    """The precision and qualifiers of an EDTF date or interval of the accepted subset.

    A single date is as precise as the parts it gives (``2024-01-05`` a day,
    ``2024-01`` a month, ``2024`` a year); every interval, open-ended or not, is
    ``"interval"``. ``approximate`` is true when the value or either end of the
    interval carries ``~`` or ``%``, ``uncertain`` when it carries ``?`` or ``%``.
    Qualifiers never change the precision (``2024-01~`` is a month).

    Args:
        value: An EDTF value that :func:`parse_edtf` accepts.

    Returns:
        The value's precision and qualifiers.

    Raises:
        EdtfError: If the value is not accepted (as :func:`parse_edtf`).
    """
    if type(value) is not str:
        value = _exact_str(value)
    _parse(value)  # refuse what is not accepted, with the parser's message
    return _qualities(value)


# --- implementation ---------------------------------------------------------------


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _parse(value: str) -> EdtfBounds:
    # Only successful parses are cached (lru_cache does not keep exceptions), so the
    # cache holds at most _CACHE_SIZE short strings and bounds objects.
    match = _EDTF_RE.fullmatch(value)
    if match is None:
        raise _error(value, _diagnose(value))
    year, month, day, s_year, s_month, s_day, s_open, e_year, e_month, e_day, e_open = (
        match.groups()
    )
    if year is not None:
        reason, earliest, latest = _date_bounds(year, month, day)
        if reason:
            raise _error(value, reason)
        return EdtfBounds(earliest, latest)

    if s_year is None and e_year is None:
        start = "open (..)" if s_open else "unknown (empty)"
        end = "open (..)" if e_open else "unknown (empty)"
        raise _error(
            value,
            f"an interval needs a date on at least one side, but its start is {start} "
            f"and its end is {end}",
        )
    earliest = latest = None
    if s_year is not None:
        reason, earliest, _ = _date_bounds(s_year, s_month, s_day)
        if reason:
            side = value.partition("/")[0]
            raise _error(value, f"in the interval start {_short(side)}: {reason}")
    if e_year is not None:
        reason, _, latest = _date_bounds(e_year, e_month, e_day)
        if reason:
            side = value.partition("/")[2]
            raise _error(value, f"in the interval end {_short(side)}: {reason}")
    if earliest is not None and latest is not None and earliest > latest:
        raise _error(
            value,
            f"interval ends before it starts (its start begins {earliest.isoformat()}, "
            f"its end finishes {latest.isoformat()})",
        )
    return EdtfBounds(earliest, latest)


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _qualities(value: str) -> EdtfQualities:
    # Only called on accepted values: each side is "", "..", or a date with at most
    # one trailing qualifier.
    sides = value.split("/")
    marks = {side[-1] for side in sides if side and side[-1] in _QUALIFIERS}
    if len(sides) == 2:
        precision = "interval"
    else:
        body = value.rstrip(_QUALIFIERS)
        precision = {4: "year", 7: "month", 10: "day"}[len(body)]
    return EdtfQualities(
        precision=precision,
        approximate=bool(marks & {"~", "%"}),
        uncertain=bool(marks & {"?", "%"}),
    )


def _date_bounds(
    year: str, month: str | None, day: str | None
) -> tuple[str, datetime.date | None, datetime.date | None]:
    """Give the bounds of one well-formed date, or a reason if it does not exist."""
    y = int(year)
    if y < 1:
        return f"year {year} is out of range 0001-9999", None, None
    if month is None:
        return "", datetime.date(y, 1, 1), datetime.date(y, 12, 31)
    m = int(month)
    if not 1 <= m <= 12:
        extra = ""
        if 21 <= m <= 41:
            extra = " (EDTF seasons and other sub-year groupings are not accepted)"
        return f"month {month} is out of range 01-12{extra}", None, None
    last = calendar.monthrange(y, m)[1]
    if day is None:
        return "", datetime.date(y, m, 1), datetime.date(y, m, last)
    d = int(day)
    if not 1 <= d <= last:
        return f"day {day} is out of range 01-{last:02d} for {year}-{month}", None, None
    date = datetime.date(y, m, d)
    return "", date, date


def _exact_str(value: object) -> str:
    """Copy a ``str`` subclass to a plain ``str``; raise EdtfError for non-strings."""
    if isinstance(value, str):
        # str.__str__ gives an exact str without calling an overridden __str__.
        return str.__str__(value)
    reason = "EDTF dates are strings"
    raise EdtfError(
        f"a value of type {type(value).__name__} is not a valid EDTF date: {reason} "
        f"(accepted: {_ACCEPTED_FORMS})",
        reason=reason,
    )


def _error(value: str, reason: str) -> EdtfError:
    if len(value) <= _SHOWN_CHARS:
        shown = repr(value)
    else:
        shown = f"{value[:_SHOWN_CHARS]!r}... ({len(value)} characters)"
    return EdtfError(
        f"{shown} is not a valid EDTF date: {reason} (accepted: {_ACCEPTED_FORMS})",
        value=value,
        reason=reason,
    )


def _diagnose(value: str) -> str:
    """Say why a value that the pattern rejects is not accepted."""
    if not value:
        return "the value is empty"
    if value.strip() != value:
        return "leading or trailing whitespace is not accepted"
    slashes = value.count("/")
    if slashes > 1:
        return f"an interval has exactly one '/', found {slashes}"
    if slashes == 0:
        if value == "..":
            return "'..' (an open end) is accepted only as one side of an interval A/B"
        return _diagnose_date(value) or "expected YYYY, YYYY-MM or YYYY-MM-DD"
    start, _, end = value.partition("/")
    for side, name in ((start, "start"), (end, "end")):
        if side and side != "..":
            reason = _diagnose_date(side)
            if reason:
                return f"in the interval {name} {_short(side)}: {reason}"
    return "expected YYYY, YYYY-MM or YYYY-MM-DD on each side of the interval"


def _diagnose_date(text: str) -> str:
    """Say why one date is malformed; empty if its form is right."""
    if any(char.isspace() for char in text):
        return "whitespace is not accepted"
    body = text[:-1] if text[-1] in _QUALIFIERS else text
    if body and body[-1] in _QUALIFIERS:
        return "only one qualifier (?, ~ or %) is accepted, at the very end"
    if any(char in _QUALIFIERS for char in body):
        return "a qualifier (?, ~ or %) is accepted only at the very end of a date"
    if not body:
        return "a qualifier needs a date before it"
    if body == "..":
        return "a qualifier cannot follow '..' (an open end)"
    if "T" in body or ":" in body:
        return "times are not accepted, give a date only (YYYY-MM-DD)"
    if body[0] in "-+":
        return "signed and negative years are not accepted (years are 0001-9999)"
    if body[0] in "Yy":
        return "long-year forms (Y...) are not accepted (years are 0001-9999)"
    if "X" in body and set(body) <= _UNSPECIFIED_CHARS:
        return "unspecified digits (X) are not accepted"
    if any(char.isdigit() and char not in _ASCII_DIGITS for char in body):
        return "only ASCII digits 0-9 are accepted"
    parts = body.split("-")
    if len(parts) > 3:
        return "too many parts, expected YYYY, YYYY-MM or YYYY-MM-DD"
    for part, name, width in zip(parts, ("year", "month", "day"), (4, 2, 2), strict=False):
        if len(part) == width and set(part) <= _ASCII_DIGITS:
            continue
        if part and set(part) <= _ASCII_DIGITS:
            return f"the {name} must have exactly {width} digits, got {_short(part)}"
        return f"the {name} must be {width} digits, got {_short(part)}"
    return ""


def _short(text: str) -> str:
    return repr(text) if len(text) <= 20 else f"{text[:20]!r}..."
