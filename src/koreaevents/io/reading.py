"""Raw readers: bytes on disk to parsed JSON records with their location, or issues.

This layer knows nothing about the schema. It turns files into :class:`RawRecord`
objects (the parsed JSON value with the file, line and column where it starts) and
turns every problem with the bytes into a located :class:`~koreaevents.issues.Issue`:
malformed JSON, text that is not UTF-8, keys given twice, inputs that are too large or
too deeply nested, and files that cannot be read. The readers never raise for bad
input; they yield issues and go on with the next record where they can.

Formats, one per file:

* ``.jsonl``: one JSON value a line, blank lines skipped; read line by line in binary,
  so memory stays bounded whatever the size of the file.
* ``.json``: an array of records, or a single record (a one-record file); read whole,
  up to :data:`MAX_JSON_FILE_BYTES`.
* a folder of ``*.json`` one-record files, read in name order.

A dataset directory holds, for each stem in :data:`STEMS`, ``<stem>.jsonl``,
``<stem>.json`` or a folder ``<stem>/``.

Duplicate keys are found without a second parse on the fast path: in valid JSON a
``:`` outside strings only ever ends a key, and orjson never escapes ``:`` when it
serializes, so the number of ``:`` bytes in the source (plus any ``\\u003a`` escapes)
equals the number of ``:`` bytes in ``orjson.dumps`` of the parsed value exactly when
no key was dropped; a key given twice drops a key (and whatever the dropped value held)
from the parsed value, so the counts then differ. Only when they differ (or the value
is too deep for ``orjson.dumps``) is the record scanned, iteratively, to name the
duplicated keys and where they are.
"""

from __future__ import annotations

import contextlib
import errno
import gc
import io
import json
import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Final

import attrs
import orjson

from koreaevents.issues import Issue
from koreaevents.records import RECORD_TYPES

__all__ = [
    "MAX_DEPTH",
    "MAX_JSON_FILE_BYTES",
    "MAX_LINE_BYTES",
    "STEMS",
    "RawRecord",
    "gc_paused",
    "iter_dataset",
    "read_file",
    "read_folder",
    "read_path",
    "stem_of",
]

STEMS: Final[dict[str, str]] = {cls.STEM: cls.TYPE for cls in RECORD_TYPES.values()}
"""File stem -> record type, in reading order (from :data:`~koreaevents.records.RECORD_TYPES`)."""

MAX_LINE_BYTES: int = 64 * 1024 * 1024
"""Longest JSON Lines line read, in bytes (without its newline)."""

MAX_JSON_FILE_BYTES: int = 64 * 1024 * 1024
"""Largest ``.json`` file read, in bytes (larger data belongs in JSON Lines)."""

MAX_DEPTH: Final[int] = 1024
"""Deepest nesting accepted (orjson's limit)."""

_JSONL_SUFFIXES: Final = (".jsonl",)
_JSON_SUFFIXES: Final = (".json",)
_IGNORED_PREFIXES: Final = ("README", "LICENSE", "CHANGELOG")
_DATAPACKAGE: Final = "datapackage.json"

_UTF8_BOM: Final = b"\xef\xbb\xbf"
_WIDE_BOMS: Final = (
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\xfe\xff", "UTF-16"),
    (b"\xff\xfe", "UTF-16"),
)
_JSON_WS: Final = b" \t\r\n"
_NUL: Final = b"\x00"

# A token of JSON text: a string, a structural character, or a bare scalar.
_TOKEN = re.compile(r'"(?:[^"\\]++|\\.)*+"|[{}\[\],:]|[^\s{}\[\],:"]++', re.S)
# Everything up to the next bracket outside strings (strings skipped whole).
_TO_BRACKET = re.compile(r'(?:[^"\[\]{}]++|"(?:[^"\\]++|\\.)*+")*+', re.S)
_SCALAR = re.compile(r'"(?:[^"\\]++|\\.)*+"|[^\s,\]]++', re.S)
_SEPARATORS = re.compile(r"[ \t\r\n]*+,?[ \t\r\n]*+")
_ESCAPED_COLON = re.compile(rb"\\u003[aA]")

_NOT_JSON_LITERALS: Final = ("NaN", "-Infinity", "Infinity")
_NAN_MESSAGE: Final = "NaN and Infinity are not JSON: use null or a number"


def _format_mib(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MiB"


# ---------------------------------------------------------------------------
# Records
# ---------------------------------------------------------------------------


def _parse_pointer(pointer: str) -> list[str] | None:
    """The reference tokens of a JSON Pointer, or None when it is malformed."""
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        return None
    return [part.replace("~1", "/").replace("~0", "~") for part in pointer[1:].split("/")]


def _escape_token(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _resolve(data: object, parts: list[str]) -> bool:
    """Whether the pointer tokens lead to a value inside ``data``."""
    node = data
    for part in parts:
        if isinstance(node, dict):
            if part not in node:
                return False
            node = node[part]
        elif isinstance(node, list):
            if not part.isdigit() or (len(part) > 1 and part[0] == "0"):
                return False
            index = int(part)
            if index >= len(node):
                return False
            node = node[index]
        else:
            return False
    return True


def _decode_key(token: str) -> str:
    if "\\" not in token:
        return token[1:-1]
    try:
        key = json.loads(token)
    except ValueError:
        return token[1:-1]
    return key if isinstance(key, str) else token[1:-1]


# Walker states.
_VALUE, _KEY_OR_END, _KEY, _COLON, _VALUE_OR_END, _AFTER = range(6)


def _walk(text: str, target: list[str] | None) -> tuple[int | None, list[tuple[int, str, str]]]:
    """Walk valid JSON text iteratively (no recursion, whatever the depth).

    With a ``target`` (pointer tokens), return the offset where that value starts (or
    None) and stop there. Without one, return every duplicated key as ``(offset, key,
    pointer of the member)``.
    """
    path: list[str] = []  # the member each open container is at
    objects: list[bool] = []  # for each open container: is it an object?
    seen: list[set[str] | None] = []  # for each open container: its keys so far
    duplicates: list[tuple[int, str, str]] = []
    want = len(target) if target is not None else -1
    matched = 0  # how many leading path tokens equal the target's

    def step(depth: int) -> int:
        # path[depth] was just set: extend the match if it goes on matching.
        if target is not None and matched == depth < want and target[depth] == path[depth]:
            return depth + 1
        return matched

    state = _VALUE
    for match in _TOKEN.finditer(text):
        token = match.group()
        first = token[0]
        if state == _VALUE_OR_END:
            if first == "]":
                objects.pop()
                seen.pop()
                path.pop()
                matched = min(matched, len(path))
                state = _AFTER
                continue
            state = _VALUE
        if state == _VALUE:
            if target is not None and matched == want == len(path):
                return match.start(), duplicates
            if first == "{":
                objects.append(True)
                seen.append(set() if target is None else None)
                state = _KEY_OR_END
            elif first == "[":
                objects.append(False)
                seen.append(None)
                path.append("0")
                matched = step(len(path) - 1)
                state = _VALUE_OR_END
            else:
                state = _AFTER
        elif state in (_KEY_OR_END, _KEY):
            if first == "}" and state == _KEY_OR_END:
                objects.pop()
                seen.pop()
                state = _AFTER
                continue
            if first != '"':
                break
            key = _decode_key(token)
            keys = seen[-1]
            if keys is not None:
                if key in keys:
                    pointer = "".join("/" + _escape_token(part) for part in path)
                    duplicates.append((match.start(), key, pointer + "/" + _escape_token(key)))
                else:
                    keys.add(key)
            path.append(key)
            matched = step(len(path) - 1)
            state = _COLON
        elif state == _COLON:
            if first != ":":
                break
            state = _VALUE
        else:  # _AFTER: a value has ended
            if not objects:
                break
            if first == ",":
                if objects[-1]:
                    path.pop()
                    matched = min(matched, len(path))
                    state = _KEY
                else:
                    path[-1] = str(int(path[-1]) + 1)
                    matched = min(matched, len(path) - 1)
                    matched = step(len(path) - 1)
                    state = _VALUE
            elif first in "}]":
                objects.pop()
                seen.pop()
                path.pop()
                matched = min(matched, len(path))
            else:
                break
    return None, duplicates


@attrs.frozen(slots=True)
class RawRecord:
    """One parsed JSON value read from a file, with where it starts.

    ``line`` and ``column`` are 1-based: for JSON Lines the line of the record, for a
    JSON array the position of the element's first character (its opening ``{``), for
    a one-record file the position of its ``{``. ``text`` is the record's own source
    text for records read from ``.json`` files (None for JSON Lines), kept so that
    :meth:`line_of` can find the line of a value inside a pretty-printed record.
    """

    path: str
    line: int
    column: int
    stem: str | None
    data: object
    text: str | None = None

    def line_of(self, pointer: str) -> int | None:
        """The line (1-based, in the file) of the value at a JSON Pointer in this record.

        Best effort: for a JSON Lines record the record's own line; for a record read
        from a ``.json`` file the line where that value starts. None when the pointer
        does not lead to a value.
        """
        parts = _parse_pointer(pointer)
        if parts is None:
            return None
        if self.text is None:
            return self.line if _resolve(self.data, parts) else None
        if not parts:
            return self.line
        try:
            offset, _ = _walk(self.text, parts)
        except Exception:
            return self.line if _resolve(self.data, parts) else None
        if offset is None:
            return None
        return self.line + self.text.count("\n", 0, offset)


# ---------------------------------------------------------------------------
# Issues
# ---------------------------------------------------------------------------


def _io_issue(display: str, exc: OSError | None, what: str = "") -> Issue:
    code = exc.errno if exc is not None else None
    if code == errno.ENOENT:
        reason = "no such file or directory"
    elif code == errno.ELOOP:
        reason = "too many levels of symbolic links (a symlink loop?)"
    elif code in (errno.EACCES, errno.EPERM):
        reason = "permission denied"
    elif code == errno.EISDIR:
        reason = "is a directory, not a file"
    elif code == errno.ENOTDIR:
        reason = "a part of the path is not a directory"
    elif exc is not None:
        reason = exc.strerror or str(exc)
    else:
        reason = what
    if what and exc is not None:
        reason = f"{what}: {reason}"
    return Issue("io", f"cannot read {display}: {reason}", path=display)


def _special_file_issue(display: str, mode: int) -> Issue:
    if stat.S_ISDIR(mode):
        kind = "a directory"
    elif stat.S_ISFIFO(mode):
        kind = "a named pipe (FIFO)"
    elif stat.S_ISSOCK(mode):
        kind = "a socket"
    elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        kind = "a device"
    else:
        kind = "a special file"
    return Issue("io", f"cannot read {display}: it is {kind}, not a regular file", path=display)


def _column_in(raw: bytes, start: int, offset: int) -> int:
    """1-based character column of byte ``offset`` in ``raw`` (lines start after \\n)."""
    line_start = raw.rfind(b"\n", start, offset) + 1
    line_start = max(line_start, start)
    return len(raw[line_start:offset].decode("utf-8", "replace")) + 1


def _encoding_issue(raw: bytes, display: str, line0: int, byte0: int) -> Issue | None:
    """An encoding issue for ``raw`` (NUL bytes or invalid UTF-8), or None if it is fine.

    ``line0`` is the file line of ``raw``'s first byte and ``byte0`` its file offset.
    """
    nul = raw.find(_NUL)
    if nul >= 0:
        line = line0 + raw.count(b"\n", 0, nul)
        if raw[:2] in (b"{\x00", b"[\x00", b"\x00{", b"\x00["):
            message = "the file looks like UTF-16 (NUL bytes between characters): save it as UTF-8"
            return Issue("encoding", message, path=display, line=line0, column=1)
        message = (
            f"NUL byte (0x00) at byte offset {byte0 + nul}: the file is binary or not UTF-8 text"
        )
        return Issue("encoding", message, path=display, line=line, column=_column_in(raw, 0, nul))
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = raw[exc.start : exc.start + 1].hex().upper()
        line = line0 + raw.count(b"\n", 0, exc.start)
        return Issue(
            "encoding",
            f"invalid UTF-8: byte 0x{bad} at byte offset {byte0 + exc.start} "
            f"({exc.reason}): save the file as UTF-8",
            path=display,
            line=line,
            column=_column_in(raw, 0, exc.start),
        )
    return None


def _syntax_issue(
    exc: orjson.JSONDecodeError,
    display: str,
    line0: int,
    *,
    jsonl: bool,
    last_line: bool = False,
) -> Issue:
    """A json-syntax (or too-large, for nesting) issue from orjson's error.

    ``line0`` is the file line where the parsed text starts; for JSON Lines
    (``jsonl``) the text is one line, and ``last_line`` says it had no newline.
    """
    doc = exc.doc if isinstance(exc.doc, str) else ""
    pos = exc.pos if isinstance(exc.pos, int) else 0
    line = line0 + max(exc.lineno, 1) - 1
    column = max(exc.colno, 1)
    if jsonl and line != line0:  # past the line's own newline: point at its end
        line = line0
        column = len(doc.rstrip("\r\n")) + 1
    msg = exc.msg
    if msg == "depth limit exceeded":
        return Issue(
            "too-large",
            f"nested deeper than {MAX_DEPTH} levels",
            path=display,
            line=line,
            column=column,
        )
    for literal in _NOT_JSON_LITERALS:
        begin = pos - 1 if literal.startswith("-") else pos
        if begin >= 0 and doc.startswith(literal, begin):
            if begin < pos:
                column -= 1
            return Issue(
                "json-syntax",
                f"{literal} found: {_NAN_MESSAGE}",
                path=display,
                line=line,
                column=column,
            )
    if msg == "unexpected end of data":
        if not jsonl:
            message = (
                "unexpected end of data: the file ends before the JSON value is complete "
                "(was it cut short, or is a } or ] missing?)"
            )
        elif last_line:
            message = (
                "unexpected end of data: the last line is incomplete (was the file cut short?)"
            )
        else:
            message = (
                "unexpected end of data: the line ends before the record is complete "
                "(a missing } or ]?)"
            )
    elif msg == "number is infinity when parsed as double":
        message = "number too large for a 64-bit float"
    elif doc[pos : pos + 1] == "'":
        message = f"{msg}: JSON strings and keys need double quotes, not single quotes"
    elif msg == "unexpected content after document":
        if jsonl:
            message = (
                "unexpected content after the record on this line "
                "(JSON Lines hold one record a line)"
            )
        else:
            message = (
                "unexpected content after the JSON value: a .json file holds one value, "
                "an array of records or one record (for one record a line, name it .jsonl)"
            )
    else:
        message = msg
    return Issue("json-syntax", f"invalid JSON: {message}", path=display, line=line, column=column)


def _duplicate_issues(
    text: str, display: str, line0: int, column0: int, data: object
) -> list[Issue]:
    """Issues for every duplicated key in the valid JSON ``text`` of one record.

    ``text`` starts at the record's first character, at ``line0``/``column0``.
    """
    try:
        _, duplicates = _walk(text, None)
    except Exception:
        return []
    record_id = None
    if isinstance(data, dict):
        value = data.get("id")
        if isinstance(value, str):
            record_id = value
    issues = []
    for offset, key, pointer in duplicates:
        newlines = text.count("\n", 0, offset)
        column = offset - text.rfind("\n", 0, offset) if newlines else column0 + offset
        parent = pointer[: pointer.rfind("/")] or "the top level of the record"
        issues.append(
            Issue(
                "duplicate-key",
                f'key "{key}" appears more than once in the object at {parent}; '
                "only the last value is kept",
                path=display,
                line=line0 + newlines,
                column=column,
                record_id=record_id,
                pointer=pointer,
            )
        )
    return issues


def _may_have_duplicates(source_colons: int, source: bytes | str, value: object) -> bool:
    """False when ``value`` provably kept every key of its source text.

    ``source_colons`` is the number of ``:`` in the source; see the module docstring.
    """
    if isinstance(source, str):
        source = source.encode()
    # A lone backslash is found at memchr speed; most records have none.
    if b"\\" in source and b"\\u003" in source:
        source_colons += len(_ESCAPED_COLON.findall(source))
    try:
        dumped = orjson.dumps(value)
    except (TypeError, orjson.JSONEncodeError):  # deeper than orjson.dumps goes
        return True
    return dumped.count(b":") != source_colons


# ---------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------


def _open_regular(path: Path, display: str) -> tuple[io.BufferedReader | None, int, Issue | None]:
    """Open a regular file for binary reading without blocking on FIFOs or devices."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    flags |= getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        return None, 0, _io_issue(display, exc)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            os.close(fd)
            return None, 0, _special_file_issue(display, info.st_mode)
        handle = os.fdopen(fd, "rb", buffering=1 << 16)
        assert isinstance(handle, io.BufferedReader)
        return handle, info.st_size, None
    except OSError as exc:
        os.close(fd)
        return None, 0, _io_issue(display, exc)


def _unexpected(display: str, exc: BaseException) -> Issue:
    return Issue(
        "io",
        f"unexpected error while reading {display}: {type(exc).__name__}: {exc}",
        path=display,
    )


def _wide_bom(head: bytes) -> str | None:
    for bom, name in _WIDE_BOMS:
        if head.startswith(bom):
            return name
    return None


def _bom_issue(display: str) -> Issue:
    return Issue(
        "bom",
        "the file starts with a UTF-8 byte order mark; it was read as if absent",
        path=display,
        line=1,
        column=1,
    )


def _wide_issue(display: str, name: str) -> Issue:
    return Issue(
        "encoding",
        f"the file looks like {name} (it starts with a {name} byte order mark): save it as UTF-8",
        path=display,
        line=1,
        column=1,
    )


def _read_jsonl(
    handle: io.BufferedReader, display: str, stem: str | None
) -> Iterator[RawRecord | Issue]:
    limit = MAX_LINE_BYTES
    readline = handle.readline
    loads = orjson.loads
    decode_error = orjson.JSONDecodeError
    record = RawRecord
    line = 0
    offset = 0
    values = 0

    head = handle.peek(4)[:4]
    wide = _wide_bom(head)
    if wide is not None:
        yield _wide_issue(display, wide)
        return
    if head.startswith(_UTF8_BOM):
        yield _bom_issue(display)
        handle.read(3)
        offset = 3

    while True:
        raw = readline(limit + 1)
        if not raw:
            break
        line += 1
        start = offset
        offset += len(raw)
        if len(raw) > limit and raw[-1] != 10:
            # Too long: report it and skip the rest of the line without holding it.
            while True:
                rest = readline(1 << 20)
                offset += len(rest)
                if not rest or rest[-1] == 10:
                    break
            values += 1
            yield Issue(
                "too-large",
                f"line longer than {_format_mib(limit)}: JSON Lines records must be smaller",
                path=display,
                line=line,
                column=1,
            )
            continue
        try:
            data = loads(raw)
        except decode_error as exc:
            stripped = raw.strip(_JSON_WS)
            if not stripped:
                continue
            values += 1
            issue = _encoding_issue(raw, display, line, start)
            if issue is None:
                issue = _syntax_issue(exc, display, line, jsonl=True, last_line=raw[-1] != 10)
                if values == 1 and stripped in (b"{", b"["):
                    yield attrs.evolve(
                        issue,
                        message=issue.message
                        + " (this looks like pretty-printed JSON: name the file .json, "
                        "or write one record a line)",
                    )
                    return
            yield issue
            if line == 1 and issue.message.startswith("the file looks like UTF-16"):
                return
            continue
        values += 1
        kind = type(data)
        column = 1 if raw[0] == 123 else len(raw) - len(raw.lstrip(_JSON_WS)) + 1
        if kind is dict or kind is list:
            colons = raw.count(b":")
            # A flat object whose every ":" is one of its keys has no duplicate; for
            # the rest, see the module docstring.
            if (
                colons
                and (kind is list or colons != len(data))
                and _may_have_duplicates(colons, raw, data)
            ):
                text = raw.decode("utf-8")
                yield from _duplicate_issues(text, display, line, 1, data)
        yield record(display, line, column, stem, data)
    if values == 0:
        yield Issue("empty-file", "the file holds no records", path=display)


def _element_end(text: str, start: int) -> int:
    """End offset of the JSON value starting at ``start`` in valid JSON ``text``."""
    first = text[start]
    if first not in "{[":
        match = _SCALAR.match(text, start)
        return match.end() if match else start + 1
    depth = 0
    pos = start
    size = len(text)
    while pos < size:
        pos = _TO_BRACKET.match(text, pos).end()  # type: ignore[union-attr]
        if pos >= size:
            break
        char = text[pos]
        pos += 1
        if char in "{[":
            depth += 1
        else:
            depth -= 1
            if depth == 0:
                return pos
    return size


_RAW_DECODE = json.JSONDecoder().raw_decode


def _array_spans(text: str, start: int) -> Iterator[tuple[int, int]]:
    """``(start, end)`` offsets of each element of the valid JSON array at ``start``."""
    pos = start + 1
    size = len(text)
    separators = _SEPARATORS.match
    while True:
        pos = separators(text, pos).end()  # type: ignore[union-attr]
        if pos >= size or text[pos] == "]":
            return
        try:
            _, end = _RAW_DECODE(text, pos)
        except (ValueError, RecursionError):
            end = _element_end(text, pos)
        yield pos, end
        pos = end


_ARRAY_HEAD = re.compile(rb"[ \t\r\n]*+\[[ \t\r]*+\n")
_INDENT = re.compile(rb"[ \t]*+")
_AFTER_ELEMENT = re.compile(rb"[ \t\r\n]*+([,\]])[ \t\r\n]*+")


def _split_pretty_array(raw: bytes) -> list[tuple[int, int, bytes, object]] | None:
    """Split a pretty-printed array of objects without parsing it twice.

    The usual layout of a ``.json`` file: ``[``, then each object starting on a line
    of its own and ending at the first later line that holds, at the same indentation,
    its ``}``. Each candidate is parsed on its own; a slice that parses as JSON and
    starts with ``{`` is exactly that object (a JSON value ends where its grammar says).
    Returns ``(line, column, source bytes, value)`` for each element, or None when the
    file does not have this layout or is not valid JSON (then the general path runs).
    """
    head = _ARRAY_HEAD.match(raw)
    if head is None:
        return None
    loads = orjson.loads
    find = raw.find
    size = len(raw)
    pos = head.end()  # the start of a line
    line = 1 + raw.count(b"\n", 0, pos)
    last = pos
    elements: list[tuple[int, int, bytes, object]] = []
    while True:
        start = _INDENT.match(raw, pos).end()  # type: ignore[union-attr]
        if start >= size or raw[start] != 0x7B:
            return None
        indent = raw[pos:start]
        close = find(b"\n" + indent + b"}", start)
        if close < 0:
            return None
        end = close + len(indent) + 2
        chunk = raw[start:end]
        try:
            value = loads(chunk)
        except orjson.JSONDecodeError:
            return None
        line += raw.count(b"\n", last, start)
        last = start
        elements.append((line, start - pos + 1, chunk, value))
        after = _AFTER_ELEMENT.match(raw, end)
        if after is None:
            return None
        if after.group(1) == b"]":
            return elements if after.end() == size else None
        following = after.end()
        pos = raw.rfind(b"\n", end, following) + 1
        if pos <= end:  # the next element does not start a line
            return None
        if _INDENT.match(raw, pos).end() != following:  # type: ignore[union-attr]
            return None


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building one large value.

    Parsing a whole file creates many containers and nothing cyclic; left on, the
    collector would traverse the growing value again and again (2-3x the parse time).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _read_json(
    handle: io.BufferedReader, size: int, display: str, stem: str | None
) -> Iterator[RawRecord | Issue]:
    limit = MAX_JSON_FILE_BYTES
    advice = "split it into JSON Lines (.jsonl), one record a line"
    if size > limit:
        yield Issue(
            "too-large",
            f"the file is {_format_mib(size)}, over the {_format_mib(limit)} limit for .json "
            f"files: {advice}",
            path=display,
        )
        return
    raw = handle.read(limit + 1)
    if len(raw) > limit:
        yield Issue(
            "too-large",
            f"the file is over the {_format_mib(limit)} limit for .json files: {advice}",
            path=display,
        )
        return
    wide = _wide_bom(raw[:4])
    if wide is not None:
        yield _wide_issue(display, wide)
        return
    byte0 = 0
    if raw.startswith(_UTF8_BOM):
        yield _bom_issue(display)
        raw = raw[3:]
        byte0 = 3
    with gc_paused():
        split = _split_pretty_array(raw)
    if split is not None:
        for line, column, chunk, element in split:
            own = chunk.decode("utf-8")
            colons = chunk.count(b":")
            if colons and _may_have_duplicates(colons, chunk, element):
                yield from _duplicate_issues(own, display, line, column, element)
            yield RawRecord(display, line, column, stem, element, own)
        return
    try:
        with gc_paused():
            value = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        if not raw.strip(_JSON_WS):
            yield Issue("empty-file", "the file holds no records", path=display)
            return
        issue = _encoding_issue(raw, display, 1, byte0)
        yield issue if issue is not None else _syntax_issue(exc, display, 1, jsonl=False)
        return
    text = raw.decode("utf-8")
    begin = len(text) - len(text.lstrip(" \t\r\n"))
    line = 1 + text.count("\n", 0, begin)
    column = begin - text.rfind("\n", 0, begin)
    if type(value) is not list:
        end = len(text.rstrip(" \t\r\n"))
        own = text[begin:end]
        colons = raw.count(b":")
        if colons and _may_have_duplicates(colons, raw, value):
            yield from _duplicate_issues(own, display, line, column, value)
        yield RawRecord(display, line, column, stem, value, own)
        return
    if not value:
        yield Issue("empty-file", "the file holds no records (an empty array)", path=display)
        return
    colons = raw.count(b":")
    check = bool(colons) and _may_have_duplicates(colons, raw, value)
    # Walk the elements, keeping the position of the last one to count lines from.
    last = begin
    last_line = line
    last_column = column
    with gc_paused():
        spans = iter(list(_array_spans(text, begin)))
    for element in value:
        span = next(spans, None)
        if span is None:  # cannot happen for valid JSON; keep every record anyway
            yield RawRecord(display, line, column, stem, element)
            continue
        start, end = span
        newlines = text.count("\n", last, start)
        if newlines:
            last_line += newlines
            last_column = start - text.rfind("\n", last, start)
        else:
            last_column += start - last
        last = start
        own = text[start:end]
        if check:
            element_colons = own.count(":")
            if element_colons and _may_have_duplicates(element_colons, own, element):
                yield from _duplicate_issues(own, display, last_line, last_column, element)
        yield RawRecord(display, last_line, last_column, stem, element, own)


def _suffix_format(path: Path) -> str | None:
    suffix = path.suffix.lower()
    if suffix in _JSONL_SUFFIXES:
        return "jsonl"
    if suffix in _JSON_SUFFIXES:
        return "json"
    return None


def stem_of(path: Path) -> str | None:
    """The record-type stem a path stands for, or None.

    ``events.jsonl``, ``events.json`` and a folder ``events`` give ``"events"``; so
    does a ``.json`` file inside a folder named ``events`` (a one-record file). Only
    the names are looked at, not the disk.
    """
    path = Path(path)
    name = path.name
    if name in STEMS:
        return name
    if _suffix_format(path) is not None and path.stem in STEMS:
        return path.stem
    if path.suffix.lower() in _JSON_SUFFIXES and path.parent.name in STEMS:
        return path.parent.name
    return None


def _accepted_names() -> str:
    stems = ", ".join(STEMS)
    return (
        f"the accepted names are {stems}, each as <stem>.jsonl, <stem>.json or a folder "
        f"<stem>/ (e.g. events.jsonl, events.json, events/), plus {_DATAPACKAGE}, "
        "README*, LICENSE* and CHANGELOG*"
    )


def _is_ignored(name: str) -> bool:
    return name.startswith(".") or name.upper().startswith(_IGNORED_PREFIXES)


def read_file(path: Path, *, stem: str | None = None) -> Iterator[RawRecord | Issue]:
    """Read one ``.jsonl`` or ``.json`` file into records and issues.

    ``.jsonl``: one JSON value a line, blank lines skipped, streamed. ``.json``: an
    array of records, or a single value (a one-record file). ``stem`` (default: from
    the file name, see :func:`stem_of`) is set on every record. Never raises.
    """
    path = Path(path)
    display = str(path)
    try:
        fmt = _suffix_format(path)
        if fmt is None:
            yield Issue(
                "unknown-file",
                f"{display}: cannot tell the format from the name: use .jsonl (JSON Lines) "
                "or .json",
                path=display,
            )
            return
        if stem is None:
            stem = stem_of(path)
        handle, size, problem = _open_regular(path, display)
        if problem is not None:
            yield problem
            return
        assert handle is not None
        with handle:
            try:
                if fmt == "jsonl":
                    yield from _read_jsonl(handle, display, stem)
                else:
                    yield from _read_json(handle, size, display, stem)
            except OSError as exc:
                yield _io_issue(display, exc, "read error")
    except MemoryError:
        yield Issue("too-large", f"{display}: out of memory while reading", path=display)
    except Exception as exc:
        yield _unexpected(display, exc)


def _list_dir(path: Path, display: str) -> tuple[list[os.DirEntry[str]], Issue | None]:
    try:
        with os.scandir(path) as entries:
            return sorted(entries, key=lambda entry: entry.name), None
    except OSError as exc:
        return [], _io_issue(display, exc)


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def read_folder(path: Path, *, stem: str | None = None) -> Iterator[RawRecord | Issue]:
    """Read a folder of ``*.json`` one-record files, in name order.

    Hidden files and README/LICENSE/CHANGELOG files are ignored; any other file or
    folder gives an ``unknown-file`` issue. ``stem`` defaults to the folder's name
    when that is a stem. Never raises.
    """
    path = Path(path)
    display = str(path)
    try:
        if stem is None:
            stem = stem_of(path)
        entries, problem = _list_dir(path, display)
        if problem is not None:
            yield problem
            return
        found = 0
        for entry in entries:
            name = entry.name
            if _is_ignored(name):
                continue
            child = path / name
            if name.lower().endswith(".json") and not _is_dir(entry):
                found += 1
                records = 0
                for item in read_file(child, stem=stem):
                    records += isinstance(item, RawRecord)
                    yield item
                if records > 1:
                    yield Issue(
                        "many-records",
                        f"{name!r} holds {records} records, but each file of a record "
                        "folder holds one",
                        path=str(child),
                    )
            else:
                what = "folder" if _is_dir(entry) else "file"
                yield Issue(
                    "unknown-file",
                    f"unexpected {what} {name!r} in {display}: a record folder holds "
                    "only .json files with one record each",
                    path=str(child),
                )
        if not found:
            yield Issue("empty-file", f"the folder {display} holds no .json files", path=display)
    except Exception as exc:
        yield _unexpected(display, exc)


def _stem_entry(name: str) -> tuple[str, int] | None:
    """(stem, form order) when ``name`` is a dataset file or folder name."""
    if name in STEMS:
        return name, 2
    base, dot, suffix = name.rpartition(".")
    if dot and base in STEMS:
        if suffix == "jsonl":
            return base, 0
        if suffix == "json":
            return base, 1
    return None


def iter_dataset(root: Path) -> Iterator[RawRecord | Issue]:
    """Read a dataset directory: for each stem, ``<stem>.jsonl``, ``.json`` or folder.

    Stems are read in the order of :data:`STEMS` (a stem present in several forms is
    read in each, after a ``duplicate-stem`` issue). ``datapackage.json``, hidden
    entries and README/LICENSE/CHANGELOG files are skipped; anything else gives an
    ``unknown-file`` issue, first. Never raises.
    """
    root = Path(root)
    display = str(root)
    try:
        entries, problem = _list_dir(root, display)
        if problem is not None:
            yield problem
            return
        found: list[tuple[int, int, Path, bool]] = []
        order = {name: index for index, name in enumerate(STEMS)}
        for entry in entries:
            name = entry.name
            if name == _DATAPACKAGE or _is_ignored(name):
                continue
            known = _stem_entry(name)
            if known is None:
                yield Issue(
                    "unknown-file",
                    f"unexpected {'folder' if _is_dir(entry) else 'file'} {name!r} in the "
                    f"dataset: {_accepted_names()}",
                    path=str(root / name),
                )
                continue
            found.append((order[known[0]], known[1], root / name, known[1] == 2))
        if not found:
            yield Issue(
                "empty-file",
                f"the dataset directory {display} holds no data files: {_accepted_names()}",
                path=display,
                # A folder with nothing to check is not a valid dataset: a mistyped
                # path must not pass a CI gate.
                severity="error",
            )
            return
        forms: dict[int, list[str]] = {}
        for stem_index, _, child, _is_folder in sorted(found):
            forms.setdefault(stem_index, []).append(child.name + ("/" if _is_folder else ""))
        for names in forms.values():
            if len(names) > 1:
                # Both are still read, so that their records are checked too; their
                # shared ids then also show as duplicate ids.
                yield Issue(
                    "duplicate-stem",
                    f"one record type in {len(names)} places: {', '.join(names)}; keep one",
                    path=str(root / names[1].rstrip("/")),
                )
        for _, _, child, is_folder in sorted(found):
            if is_folder:
                yield from read_folder(child, stem=child.name)
            else:
                yield from read_file(child, stem=child.name.rpartition(".")[0])
    except Exception as exc:
        yield _unexpected(display, exc)


def read_path(path: Path, *, stem: str | None = None) -> Iterator[RawRecord | Issue]:
    """Read whatever ``path`` is: a dataset directory, a record folder or a file.

    A directory holding ``datapackage.json`` or any stem file or folder is a dataset
    (:func:`iter_dataset`); another directory is a record folder (:func:`read_folder`)
    when its name is a stem or ``stem`` is given, else it is read as a dataset; anything
    else is a file (:func:`read_file`). A missing path gives an ``io`` issue. Never
    raises.
    """
    path = Path(path)
    display = str(path)
    try:
        try:
            info = os.stat(path)
        except OSError as exc:
            issue = _io_issue(display, exc)
            if exc.errno == errno.ENOENT:
                from koreaevents.io.atomic import missing_output_hint

                issue = attrs.evolve(issue, message=issue.message + missing_output_hint(path))
            yield issue
            return
        if not stat.S_ISDIR(info.st_mode):
            yield from read_file(path, stem=stem)
            return
        try:
            names = os.listdir(path)
        except OSError as exc:
            yield _io_issue(display, exc)
            return
        if _DATAPACKAGE in names or any(_stem_entry(name) for name in names):
            yield from iter_dataset(path)
        elif stem is not None or path.name in STEMS:
            yield from read_folder(path, stem=stem)
        else:
            yield from iter_dataset(path)
    except Exception as exc:
        yield _unexpected(display, exc)
