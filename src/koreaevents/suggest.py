"""Did-you-mean: the known values nearest to a value that is not one of them.

One helper for every message that names a near miss: an unknown ``--type``, actor, tag
or source in a query, and a reference to an id that does not exist.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Iterable

__all__ = ["MAX_CANDIDATES", "did_you_mean", "nearest"]

MAX_CANDIDATES = 50_000
"""Above this many known values, only those sharing the value's first characters are
compared (difflib compares each candidate in turn)."""


def nearest(value: str, known: Iterable[str], n: int = 3, cutoff: float = 0.6) -> list[str]:
    """Up to ``n`` known values nearest to ``value``, best first.

    A value that differs only in case (``PRK`` for ``prk``) comes first; then the
    close matches of :func:`difflib.get_close_matches`, compared without regard to
    case.
    """
    candidates = list(dict.fromkeys(known))
    if not candidates or n < 1:
        return []
    folded = value.casefold()
    same_case = [item for item in candidates if item.casefold() == folded and item != value]
    if len(candidates) > MAX_CANDIDATES:
        head = folded[: max(1, min(len(folded), 6))]
        candidates = [item for item in candidates if item.casefold().startswith(head)]
    by_folded: dict[str, list[str]] = {}
    for item in candidates:
        by_folded.setdefault(item.casefold(), []).append(item)
    close = difflib.get_close_matches(folded, list(by_folded), n=n, cutoff=cutoff)
    found = list(same_case)
    for key in close:
        for item in by_folded[key]:
            if item != value and item not in found:
                found.append(item)
    return found[:n]


def did_you_mean(value: str, known: Collection[str], n: int = 3) -> str:
    """`` (did you mean 'a' or 'b'?)`` for the nearest known values, or ``""``."""
    found = nearest(value, known, n=n)
    if not found:
        return ""
    shown = [repr(item) for item in found]
    choices = shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " or " + shown[-1]
    return f" (did you mean {choices}?)"
