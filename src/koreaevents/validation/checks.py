"""The checks of one record: JSON Schema and EDTF dates, as located issues.

:class:`RecordChecker` compiles each record type's JSON Schema once (jsonschema-rs,
with a retriever that refuses every remote ``$ref``: nothing is ever fetched) and
checks a :class:`~koreaevents.io.reading.RawRecord` in two steps: a fast
``is_valid`` that settles the common case, and for an invalid record every error,
each turned into an issue with the JSON Pointer to the bad value, its line and a
message that says what to change. EDTF values are then checked with
:func:`~koreaevents.edtf.parse_edtf`: an event's ``date.earliest``/``date.latest``
must be the strict bounds of its ``date.edtf``, and every other EDTF field (a
source's ``published``, an analysis's ``as_of`` and ``horizon``) must parse.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Callable
from typing import Any, Final

import attrs
import jsonschema_rs

from koreaevents.edtf import EdtfError, parse_edtf
from koreaevents.io.reading import RawRecord
from koreaevents.issues import Issue
from koreaevents.records import RECORD_TYPES, spec
from koreaevents.references import RETIRED
from koreaevents.schema import json_schema
from koreaevents.skeleton import field_schema, is_placeholder, placeholder_hint, placeholders
from koreaevents.suggest import did_you_mean

__all__ = [
    "MAX_SHOWN_CHARS",
    "RecordChecker",
    "compile_offline",
    "edtf_pointers",
    "refuse_remote",
]

MAX_SHOWN_CHARS: Final = 80
"""Longest excerpt of a bad value quoted in a message."""

_MAX_MESSAGE_CHARS: Final = 600
_GOOD_DATES_KEPT: Final = 65536  # bounds the memory of the date fast path


def refuse_remote(uri: str) -> Any:
    """A jsonschema-rs retriever that fetches nothing: every external ``$ref`` fails."""
    raise ValueError(f"remote references are not followed (offline): {uri}")


def compile_offline(schema: dict[str, Any], *, plain_regex: bool = False) -> Any:
    """A jsonschema-rs validator for ``schema`` that never touches the network.

    ``plain_regex``: the schema's patterns use no look-around or back-references, so
    the faster linear-time regex engine can run them (where jsonschema-rs offers it).
    """
    regex_options = getattr(jsonschema_rs, "RegexOptions", None)
    if plain_regex and regex_options is not None:
        try:
            return jsonschema_rs.validator_for(
                schema, retriever=refuse_remote, pattern_options=regex_options()
            )
        except ValueError:  # a pattern the linear engine cannot run
            pass
    return jsonschema_rs.validator_for(schema, retriever=refuse_remote)


def _escape(token: object) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def _pointer(parts: list[str | int]) -> str:
    return "".join("/" + _escape(part) for part in parts)


def _shorten(text: str, limit: int = MAX_SHOWN_CHARS) -> str:
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text)} characters)"


def _show(value: object) -> str:
    """A short, safe rendering of a JSON value for a message."""
    if isinstance(value, str):
        return repr(_shorten(value))
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return f"a list of {len(value)} item(s)"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return _shorten(repr(value))


def _describe(value: object) -> str:
    """A value's JSON type with the value or its size: ``string 'x'``, ``an array of 2``."""
    if isinstance(value, list):
        return f"an array of {len(value)} item(s)"
    if isinstance(value, dict):
        return "an object"
    if value is None:
        return "null"
    return f"{_json_type(value)} {_show(value)}"


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def edtf_pointers(type_name: str) -> frozenset[str]:
    """JSON Pointers (relative to a record) of a record type's EDTF fields.

    Derived from the field specs: every field of format ``edtf``, in the
    record or in its nested (non-list) parts, e.g. ``/date/edtf`` and ``/published``.
    """
    found: set[str] = set()

    def walk(cls: type[Any], prefix: str) -> None:
        attrs.resolve_types(cls)
        for field in attrs.fields(cls):
            pointer = f"{prefix}/{field.name}"
            if spec(field).format == "edtf":
                found.add(pointer)
            inner = _attrs_class(field.type)
            if inner is not None:
                walk(inner, pointer)

    walk(RECORD_TYPES[type_name], "")
    return frozenset(found)


def _attrs_class(tp: Any) -> type[Any] | None:
    if isinstance(tp, type) and attrs.has(tp):
        return tp
    for arg in getattr(tp, "__args__", ()):
        if (
            isinstance(arg, type)
            and attrs.has(arg)
            and getattr(tp, "__origin__", None) is not tuple
        ):
            return arg
    return None


@functools.lru_cache(maxsize=16384)
def _edtf_result(value: str) -> tuple[str | None, str | None, str | None]:
    """(earliest ISO, latest ISO, error message) of an EDTF string, cached."""
    try:
        bounds = parse_edtf(value)
    except EdtfError as exc:
        return None, None, str(exc)
    earliest = bounds.earliest.isoformat() if bounds.earliest else None
    latest = bounds.latest.isoformat() if bounds.latest else None
    return earliest, latest, None


def _show_bound(value: str | None) -> str:
    return "null" if value is None else repr(value)


class _TypeChecks:
    """Everything compiled for one record type."""

    def __init__(self, type_name: str) -> None:
        self.type_name = type_name
        self.schema = json_schema(type_name)
        self.validator = compile_offline(self.schema, plain_regex=True)
        self.is_valid: Callable[[Any], bool] = self.validator.is_valid
        pointers = edtf_pointers(type_name)
        self.edtf_pointers = pointers
        # Top-level EDTF fields other than an event's date (checked with its bounds).
        self.plain_edtf = tuple(
            p[1:] for p in sorted(pointers) if p.count("/") == 1 and p != "/date"
        )
        self.has_event_date = "/date/edtf" in pointers
        # A valid record is an object; if its only EDTF field is the event date, that
        # is the one check left after the schema.
        self.only_event_date = self.has_event_date and not self.plain_edtf

    def subschema(self, schema_path: list[str | int]) -> dict[str, Any]:
        node: Any = self.schema
        for part in schema_path:
            in_dict = isinstance(node, dict) and part in node
            if in_dict or (isinstance(node, list) and isinstance(part, int) and part < len(node)):
                node = node[part]
            else:
                return {}
        return node if isinstance(node, dict) else {}


class RecordChecker:
    """Checks raw records against the JSON Schema of their type and their EDTF dates.

    One instance compiles each record type's schema once, on first use; :meth:`check`
    returns the issues of one record (an empty list for a valid one, fast).
    """

    def __init__(self) -> None:
        self._types: dict[str, _TypeChecks] = {}
        self._good_dates: set[tuple[Any, Any, Any]] = set()

    def _compiled(self, type_name: str) -> _TypeChecks:
        found = self._types.get(type_name)
        if found is None:
            found = self._types[type_name] = _TypeChecks(type_name)
        return found

    def check(self, type_name: str, raw: RawRecord) -> list[Issue]:
        """Every schema and date issue of one record of the given type."""
        compiled = self._types.get(type_name) or self._compiled(type_name)
        data = raw.data
        issues: list[Issue] = []
        if compiled.is_valid(data):
            if compiled.only_event_date:  # the common case: a valid event
                self._check_event_date(data, raw, issues)  # type: ignore[arg-type]
                return issues
        else:
            misplaced = self._misplaced(type_name, raw)
            if misplaced is not None:
                return [misplaced]  # its schema errors would all be noise
            issues.extend(self._schema_issues(compiled, raw))
        if type(data) is dict:
            if compiled.has_event_date:
                self._check_event_date(data, raw, issues)
            for name in compiled.plain_edtf:
                value = data.get(name)
                if type(value) is str:
                    error = _edtf_result(value)[2]
                    if error is not None:
                        issues.append(
                            self._issue(
                                raw,
                                "date-bounds",
                                f"/{name}",
                                f"{name}: {error}",
                            )
                        )
        return issues

    def _misplaced(self, type_name: str, raw: RawRecord) -> Issue | None:
        """An issue when the record's id says it is of another type than its file's."""
        data = raw.data
        record_id = data.get("id") if type(data) is dict else None
        if not isinstance(record_id, str):
            return None
        if type_name == RETIRED:
            return None  # a tombstone holds the id of a record of any type
        for other, prefix in _ID_PREFIXES.items():
            if other != type_name and record_id.startswith(prefix):
                stem = RECORD_TYPES[other].STEM
                here = RECORD_TYPES[type_name].STEM
                return self._issue(
                    raw,
                    "schema",
                    "/id",
                    f"this looks like {_article(other)} {other} (its id starts with "
                    f"{prefix!r}) in a file of {here}: move it to {stem}.jsonl, {stem}.json "
                    f"or {stem}/, or correct the id",
                )
        return None

    # --- dates ------------------------------------------------------------------------

    def _check_event_date(self, data: dict[str, Any], raw: RawRecord, issues: list[Issue]) -> None:
        date = data.get("date")
        if date.__class__ is not dict:
            return  # the schema check reports it
        # Most records share a few dates: remember the (edtf, earliest, latest) seen good.
        edtf, earliest, latest = date.get("edtf"), date.get("earliest"), date.get("latest")
        if not (
            edtf.__class__ is str
            and (earliest is None or earliest.__class__ is str)
            and (latest is None or latest.__class__ is str)
        ):
            self._check_event_date_fully(date, raw, issues)  # e.g. unhashable values
            return
        key = (edtf, earliest, latest)
        good = self._good_dates
        if key in good:
            return
        before = len(issues)
        self._check_event_date_fully(date, raw, issues)
        if len(issues) == before and "earliest" in date and "latest" in date:
            if len(good) >= _GOOD_DATES_KEPT:
                good.clear()
            good.add(key)

    def _check_event_date_fully(
        self, date: dict[str, Any], raw: RawRecord, issues: list[Issue]
    ) -> None:
        edtf = date.get("edtf")
        if type(edtf) is not str:
            return
        earliest, latest, error = _edtf_result(edtf)
        if error is not None:
            issues.append(
                self._issue(
                    raw,
                    "date-bounds",
                    "/date/edtf",
                    f"date.edtf: {error}; then set date.earliest and date.latest to its "
                    "first and last day",
                )
            )
            return
        for name, expected in (("earliest", earliest), ("latest", latest)):
            if name not in date:
                continue  # the schema check reports the missing field
            actual = date[name]
            if actual is not None and type(actual) is not str:
                continue  # wrong type: the schema check reports it
            if actual != expected:
                issues.append(
                    self._issue(
                        raw,
                        "date-bounds",
                        f"/date/{name}",
                        f"date.{name} is {_show_bound(actual)} but EDTF {edtf!r} gives "
                        f"{_show_bound(expected)} as its {name} day: set date.{name} to "
                        f"{_show_bound(expected)} (date.earliest..date.latest must be "
                        f"{_show_bound(earliest)}..{_show_bound(latest)}), or correct "
                        "date.edtf",
                    )
                )

    # --- schema -----------------------------------------------------------------------

    def _schema_issues(self, compiled: _TypeChecks, raw: RawRecord) -> list[Issue]:
        issues: list[Issue] = []
        try:
            errors = list(compiled.validator.iter_errors(raw.data))
        except Exception as exc:  # a value jsonschema-rs cannot take (e.g. a huge int)
            return [self._issue(raw, "schema", "", f"the record cannot be checked: {exc}")]
        # A value of the wrong type also fails its enum, pattern or range: report the
        # type alone, the root cause.
        holes = list(placeholders(raw.data))
        if holes:
            errors = [e for e in errors if not _under(_pointer(list(e.instance_path)), holes)]
            issues.extend(self._placeholder_issues(compiled, raw, holes))
        wrong_type = {
            _pointer(list(error.instance_path))
            for error in errors
            if getattr(error.kind, "name", "") == "type"
        }
        for error in errors:
            parts = list(error.instance_path)
            pointer = _pointer(parts)
            kind = error.kind
            name = getattr(kind, "name", "")
            if name != "type" and pointer in wrong_type:
                continue
            if name == "pattern" and pointer in compiled.edtf_pointers:
                continue  # the EDTF check says what is wrong, more clearly
            parent = compiled.subschema(list(error.schema_path)[:-1])
            if name == "required":
                prop = str(getattr(kind, "property", ""))
                target = f"{pointer}/{_escape(prop)}"
                bound = _missing_bound(raw.data, parts, prop, compiled.has_event_date)
                if bound == "":
                    continue  # the EDTF value is still a placeholder: fmt fills this later
                field = compiled.subschema([*list(error.schema_path)[:-1], "properties", prop])
                message = f"required field {prop!r} is missing"
                hint = _field_hint(field)
                if bound is not None:
                    message += bound
                else:
                    message += ": add it"
                if bound is None and hint:
                    message += f" ({hint})"
                issues.append(self._issue(raw, "schema", target, message, line_pointer=pointer))
                continue
            if name == "additionalProperties":
                allowed = sorted(parent.get("properties", {}))
                for extra in getattr(kind, "unexpected", ()) or ():
                    extra = str(extra)
                    message = f"unknown field {_shorten(extra)!r}: remove it"
                    close = difflib.get_close_matches(extra, allowed, n=1)
                    if close:
                        message += f" or rename it to {close[0]!r}"
                    message += f" (allowed here: {', '.join(allowed)})"
                    issues.append(
                        self._issue(raw, "schema", f"{pointer}/{_escape(extra)}", message)
                    )
                continue
            value = _value_at(raw.data, parts)
            if name == "enum":
                options = [str(option) for option in getattr(kind, "options", ()) or ()]
                message = (
                    f"{_show(value)} is not an accepted value: use one of {', '.join(options)}"
                )
                if isinstance(value, str):
                    message += did_you_mean(value, options, n=1)
            elif name == "type":
                types = getattr(kind, "types", None) or []
                wanted = " or ".join(str(t) for t in types) or "another type"
                message = f"expected {wanted}, got {_describe(value)}"
            else:
                message = _shorten(str(error.message), 300)
            hint = _field_hint(parent)
            if not hint and len(parts) == 1:  # e.g. a rule inside allOf/if/then
                hint = _field_hint(compiled.subschema(["properties", str(parts[0])]))
            if hint and name != "type":
                message += f": {hint}"
            elif hint:
                message += f" ({hint})"
            issues.append(self._issue(raw, "schema", pointer, message))
        if not issues:  # e.g. only EDTF pattern errors; the EDTF check reports those
            return []
        return issues

    def _placeholder_issues(
        self, compiled: _TypeChecks, raw: RawRecord, holes: list[str]
    ) -> list[Issue]:
        issues = []
        for hole in holes:
            hint = placeholder_hint(field_schema(compiled.type_name, hole))
            message = f"placeholder to fill in: {hint}"
            if hole in compiled.edtf_pointers and hole.endswith("/edtf"):
                parent = hole.rpartition("/")[0].lstrip("/").replace("/", ".")
                message += f"; then `koreaevents fmt` fills {parent}.earliest and {parent}.latest"
            issues.append(self._issue(raw, "placeholder", hole, message))
        return issues

    @staticmethod
    def _issue(
        raw: RawRecord,
        code: str,
        pointer: str,
        message: str,
        *,
        line_pointer: str | None = None,
    ) -> Issue:
        data = raw.data
        record_id = data.get("id") if type(data) is dict else None
        line = raw.line_of(pointer if line_pointer is None else line_pointer)
        if len(message) > _MAX_MESSAGE_CHARS:
            message = message[: _MAX_MESSAGE_CHARS - 1] + "…"
        return Issue(
            code,
            message,
            path=raw.path,
            line=line or raw.line,
            record_id=record_id if isinstance(record_id, str) else None,
            pointer=pointer,
        )


def _under(pointer: str, holes: list[str]) -> bool:
    """Whether ``pointer`` is one of the placeholders or inside one."""
    return any(pointer == hole or pointer.startswith(hole + "/") for hole in holes)


def _missing_bound(
    data: object, parts: list[str | int], prop: str, has_event_date: bool
) -> str | None:
    """For a missing ``date.earliest``/``date.latest``: the message's tail with this
    record's computed bound; ``""`` when the EDTF value is still a placeholder (nothing
    to report yet); None for any other missing field."""
    if not has_event_date or parts != ["date"] or prop not in ("earliest", "latest"):
        return None
    date = _value_at(data, parts)
    edtf = date.get("edtf") if isinstance(date, dict) else None
    if is_placeholder(edtf):
        return ""
    if not isinstance(edtf, str):
        return None
    earliest, latest, error = _edtf_result(edtf)
    if error is not None:
        return None  # the EDTF check says what is wrong with the value
    value = earliest if prop == "earliest" else latest
    which = "first" if prop == "earliest" else "last"
    return (
        f": set it to {_show_bound(value)}, the {which} day EDTF {edtf!r} allows "
        f"(date.earliest..date.latest must be {_show_bound(earliest)}..{_show_bound(latest)}), "
        "or run `koreaevents fmt`, which fills both"
    )


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def _id_prefixes() -> dict[str, str]:
    """Record type -> the literal prefix its id pattern demands (``evt-``), if any."""
    found = {}
    for type_name in RECORD_TYPES:
        pattern = json_schema(type_name)["properties"]["id"].get("pattern", "")
        match = re.match(r"\^([a-z]+-)", pattern)
        if match:
            found[type_name] = match.group(1)
    return found


_ID_PREFIXES: Final = _id_prefixes()


def _value_at(data: object, parts: list[str | int]) -> object:
    node = data
    for part in parts:
        if isinstance(node, dict):
            node = node.get(str(part))
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        else:
            return None
    return node


def _field_hint(schema: dict[str, Any]) -> str:
    """What a field is, from its schema: description and an example."""
    description = schema.get("description")
    parts = []
    if isinstance(description, str) and description:
        parts.append(description.rstrip("."))
    examples = schema.get("examples")
    if isinstance(examples, list) and examples:
        example = examples[0]
        shown = example if isinstance(example, (int, float)) else _shorten(str(example), 60)
        parts.append(f"e.g. {shown!r}" if isinstance(example, str) else f"e.g. {shown}")
    return "; ".join(parts)
