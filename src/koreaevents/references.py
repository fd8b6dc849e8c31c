"""Ids and the references between records: duplicate ids and dangling references.

The reference fields are declared once, as paths, and walked the same way over JSON
dicts (when validating files) and over records (when building a :class:`Dataset`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import attrs

from koreaevents.issues import Issue

__all__ = [
    "REFERENCE_FIELDS",
    "Located",
    "ReferenceIndex",
    "iter_references",
]

# type -> [(path to the referring value, type the id must belong to)]; "*" steps into
# every item of a list.
REFERENCE_FIELDS: dict[str, tuple[tuple[tuple[str, ...], str], ...]] = {
    "event": (
        (("actors", "*", "actor"), "actor"),
        (("citations", "*", "source"), "source"),
        (("verification", "discrepancies", "*", "citations", "*"), "source"),
        (("verification", "discrepancies", "*", "claimed_in"), "source"),
        (("related", "*"), "event"),
    ),
    "source": ((("originator",), "actor"),),
    "analysis": (
        (("about", "*"), "event"),
        (("citations", "*", "source"), "source"),
    ),
    "actor": ((("parent",), "actor"),),
}


def _step(value: Any, key: str) -> Any:
    if isinstance(value, Mapping):
        return value.get(key)
    return getattr(value, key, None)


def iter_references(type_name: str, record: Any) -> Iterator[tuple[str, str, str]]:
    """Yield ``(pointer, target type, id)`` for every reference a record makes.

    ``record`` may be a JSON dict or a record object; values of the wrong shape are
    skipped (the schema check reports them).
    """
    for path, target in REFERENCE_FIELDS.get(type_name, ()):
        stack: list[tuple[Any, str, int]] = [(record, "", 0)]
        while stack:
            value, pointer, depth = stack.pop()
            if depth == len(path):
                if isinstance(value, str):
                    yield pointer, target, value
                continue
            key = path[depth]
            if key == "*":
                if isinstance(value, (list, tuple)):
                    for index in range(len(value) - 1, -1, -1):
                        stack.append((value[index], f"{pointer}/{index}", depth + 1))
            else:
                child = _step(value, key)
                if child is not None:
                    stack.append((child, f"{pointer}/{key}", depth + 1))


@attrs.frozen
class Located:
    """Where a record came from, for messages."""

    path: str | None = None
    line: int | None = None


class ReferenceIndex:
    """Collects ids and references, then reports duplicates and dangling references.

    Feed it every record with :meth:`add`, then call :meth:`issues`. Memory is one
    entry per id and one per reference, never the records themselves.
    """

    def __init__(self) -> None:
        self._ids: dict[str, tuple[str, Located]] = {}
        self._refs: list[tuple[str, str, str, str, Located, str | None]] = []
        self._duplicates: list[Issue] = []

    def add(self, type_name: str, record: Any, where: Located | None = None) -> None:
        """Register a record's id and the references it makes."""
        where = where or Located()
        record_id = _step(record, "id")
        if isinstance(record_id, str):
            first = self._ids.get(record_id)
            if first is not None:
                first_type, first_where = first
                self._duplicates.append(
                    Issue(
                        "duplicate-id",
                        f"id {record_id!r} is already used by the {first_type} at "
                        f"{_where(first_where)}",
                        path=where.path,
                        line=where.line,
                        record_id=record_id,
                        pointer="/id",
                    )
                )
            else:
                self._ids[record_id] = (type_name, where)
        for pointer, target, ref in iter_references(type_name, record):
            rid = record_id if isinstance(record_id, str) else None
            self._refs.append((pointer, target, ref, type_name, where, rid))

    def type_of(self, record_id: str) -> str | None:
        """The type of the record with this id, if one was added."""
        found = self._ids.get(record_id)
        return found[0] if found else None

    def issues(self, present_types: Iterable[str] | None = None) -> list[Issue]:
        """Duplicate ids and references that resolve nowhere (or to the wrong type).

        References to a type not in ``present_types`` are not checked (``None``: all
        types are present).
        """
        checked = None if present_types is None else set(present_types)
        found = list(self._duplicates)
        for pointer, target, ref, _type_name, where, rid in self._refs:
            if checked is not None and target not in checked:
                continue
            actual = self.type_of(ref)
            if actual == target:
                continue
            field = pointer.lstrip("/")
            if actual is None:
                message = f"{field} refers to {target} {ref!r}, which does not exist"
            else:
                message = f"{field} refers to {ref!r}, which is a {actual}, not a {target}"
            found.append(
                Issue(
                    "dangling-reference",
                    message,
                    path=where.path,
                    line=where.line,
                    record_id=rid,
                    pointer=pointer,
                )
            )
        return found


def _where(where: Located) -> str:
    if where.path is None:
        return "another record"
    return where.path if where.line is None else f"{where.path}:{where.line}"
