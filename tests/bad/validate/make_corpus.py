"""Write the validate corpus: tests/bad/validate/<case>/ and expected.json.

The files are committed; run `python tests/bad/validate/make_corpus.py` after a schema
change to write them again from the bundled dataset. Each case is one kind of mistake
in realistic records, with the code, file, line, JSON Pointer and record id expected.
"""

import copy
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent
DS = ROOT.parents[2] / "datasets" / "koreaevents"
event = json.loads((DS / "events/evt-2024-01-30-hwasal-2-cruise-missile-drill.json").read_text())
event.pop("related")  # keep single files self-contained
analysis = json.loads(
    (DS / "analyses/ana-2024-01-24-deliberate-invasion-risk-low.json").read_text()
)
source = json.loads((DS / "sources/src-asiaone-2024-01-31-hwasal-2-drill.json").read_text())


def ev(i, **changes):
    e = copy.deepcopy(event)
    e["id"] = f"evt-2024-01-30-drill-{i}"
    for key, value in changes.items():
        e[key] = value
    return e


def jsonl(path, records):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))


def pretty(path, value):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, ensure_ascii=False, indent=2) + "\n")


expected = {}

# schema: misspelt vocabulary term on line 2
jsonl(ROOT / "schema_enum/events.jsonl", [ev(1), ev(2, event_type="missle_launch")])
expected["schema_enum"] = {
    "paths": ["events.jsonl"],
    "issues": [
        {
            "code": "schema",
            "path": "events.jsonl",
            "line": 2,
            "pointer": "/event_type",
            "record_id": "evt-2024-01-30-drill-2",
        }
    ],
}

# schema: required field missing
e = ev(1)
del e["title"]
jsonl(ROOT / "schema_missing/events.jsonl", [e])
expected["schema_missing"] = {
    "paths": ["events.jsonl"],
    "issues": [
        {
            "code": "schema",
            "path": "events.jsonl",
            "line": 1,
            "pointer": "/title",
            "record_id": "evt-2024-01-30-drill-1",
        }
    ],
}

# schema: unknown field in a pretty-printed array (line of the key)
e = ev(2)
e["titel"] = "typo"
pretty(ROOT / "schema_unknown_field/events.json", [ev(1), e])
text = (ROOT / "schema_unknown_field/events.json").read_text().splitlines()
line = next(i for i, line_text in enumerate(text, 1) if '"titel"' in line_text)
expected["schema_unknown_field"] = {
    "paths": ["events.json"],
    "issues": [
        {
            "code": "schema",
            "path": "events.json",
            "line": line,
            "pointer": "/titel",
            "record_id": "evt-2024-01-30-drill-2",
        }
    ],
}

# schema: nested value out of range and of the wrong type, in a one-record file
e = ev(1)
e["location"]["lat"] = 123.5
e["verification"]["credibility"] = "2"
pretty(ROOT / "schema_nested/events/evt-2024-01-30-drill-1.json", e)
text = (ROOT / "schema_nested/events/evt-2024-01-30-drill-1.json").read_text().splitlines()
lat = next(i for i, line_text in enumerate(text, 1) if '"lat"' in line_text)
cred = next(i for i, line_text in enumerate(text, 1) if '"credibility"' in line_text)
expected["schema_nested"] = {
    "paths": ["events"],
    "issues": [
        {
            "code": "schema",
            "path": "events/evt-2024-01-30-drill-1.json",
            "line": lat,
            "pointer": "/location/lat",
            "record_id": "evt-2024-01-30-drill-1",
        },
        {
            "code": "schema",
            "path": "events/evt-2024-01-30-drill-1.json",
            "line": cred,
            "pointer": "/verification/credibility",
            "record_id": "evt-2024-01-30-drill-1",
        },
    ],
}

# date-bounds: bounds that do not match the EDTF value
jsonl(
    ROOT / "date_bounds/events.jsonl",
    [ev(1, date={"edtf": "2024-01", "earliest": "2024-01-01", "latest": "2024-01-30"})],
)
expected["date_bounds"] = {
    "paths": ["events.jsonl"],
    "issues": [
        {
            "code": "date-bounds",
            "path": "events.jsonl",
            "line": 1,
            "pointer": "/date/latest",
            "record_id": "evt-2024-01-30-drill-1",
        }
    ],
}

# date-bounds: an EDTF value with a day that does not exist
jsonl(
    ROOT / "edtf_invalid/events.jsonl",
    [ev(1, date={"edtf": "2023-02-29", "earliest": "2023-02-28", "latest": "2023-02-28"})],
)
expected["edtf_invalid"] = {
    "paths": ["events.jsonl"],
    "issues": [
        {
            "code": "date-bounds",
            "path": "events.jsonl",
            "line": 1,
            "pointer": "/date/edtf",
            "record_id": "evt-2024-01-30-drill-1",
        }
    ],
}

# date-bounds: earliest after latest (an interval that ends before it starts)
jsonl(
    ROOT / "edtf_reversed/events.jsonl",
    [
        ev(
            1,
            date={
                "edtf": "2024-02-01/2024-01-01",
                "earliest": "2024-02-01",
                "latest": "2024-01-01",
            },
        )
    ],
)
expected["edtf_reversed"] = {
    "paths": ["events.jsonl"],
    "issues": [
        {
            "code": "date-bounds",
            "path": "events.jsonl",
            "line": 1,
            "pointer": "/date/edtf",
            "record_id": "evt-2024-01-30-drill-1",
        }
    ],
}

# date-bounds: a source's publication date that is not EDTF
s = copy.deepcopy(source)
s["published"] = "2024-01-32"
jsonl(ROOT / "source_published/sources.jsonl", [s])
expected["source_published"] = {
    "paths": ["sources.jsonl"],
    "issues": [
        {
            "code": "date-bounds",
            "path": "sources.jsonl",
            "line": 1,
            "pointer": "/published",
            "record_id": s["id"],
        }
    ],
}

# schema: probability outside its likelihood band
a = copy.deepcopy(analysis)
a["probability"] = 0.9
jsonl(ROOT / "probability_band/analyses.jsonl", [a])
expected["probability_band"] = {
    "paths": ["analyses.jsonl"],
    "issues": [
        {
            "code": "schema",
            "path": "analyses.jsonl",
            "line": 1,
            "pointer": "/probability",
            "record_id": a["id"],
        }
    ],
}

# duplicate-id within one file
jsonl(ROOT / "duplicate_id/events.jsonl", [ev(1), ev(2), ev(1)])
expected["duplicate_id"] = {
    "paths": ["events.jsonl"],
    "issues": [
        {
            "code": "duplicate-id",
            "path": "events.jsonl",
            "line": 3,
            "pointer": "/id",
            "record_id": "evt-2024-01-30-drill-1",
        }
    ],
}

# duplicate-id across two files
jsonl(ROOT / "duplicate_id_across/a/events.jsonl", [ev(1), ev(2)])
pretty(ROOT / "duplicate_id_across/b/events.json", [ev(3), ev(2)])
text = (ROOT / "duplicate_id_across/b/events.json").read_text().splitlines()
second = [i for i, line_text in enumerate(text, 1) if line_text == "  {"][1]
expected["duplicate_id_across"] = {
    "paths": ["a/events.jsonl", "b/events.json"],
    "issues": [
        {
            "code": "duplicate-id",
            "path": "b/events.json",
            "line": second,
            "pointer": "/id",
            "record_id": "evt-2024-01-30-drill-2",
        }
    ],
}

# dangling-reference: a related event that does not exist (events are all given)
jsonl(
    ROOT / "dangling_related/events.jsonl",
    [ev(1), ev(2, related=["evt-2024-01-30-drill-1", "evt-1999-01-01-nothing"])],
)
expected["dangling_related"] = {
    "paths": ["events.jsonl"],
    "issues": [
        {
            "code": "dangling-reference",
            "path": "events.jsonl",
            "line": 2,
            "pointer": "/related/1",
            "record_id": "evt-2024-01-30-drill-2",
        }
    ],
}

# duplicate-key inside one record
line = json.dumps(ev(1), ensure_ascii=False)
line = line.replace('"title": ', '"title": "First title", "title": ', 1)
(ROOT / "duplicate_key/events.jsonl").parent.mkdir(parents=True, exist_ok=True)
(ROOT / "duplicate_key/events.jsonl").write_text(line + "\n")
expected["duplicate_key"] = {
    "paths": ["events.jsonl"],
    "issues": [
        {
            "code": "duplicate-key",
            "path": "events.jsonl",
            "line": 1,
            "pointer": "/title",
            "record_id": "evt-2024-01-30-drill-1",
        }
    ],
}

# json-syntax: NaN is not JSON
e = ev(2)
e["location"]["lat"] = 38.0
line = json.dumps(e, ensure_ascii=False).replace("38.0", "NaN")
(ROOT / "nan/events.jsonl").parent.mkdir(parents=True, exist_ok=True)
(ROOT / "nan/events.jsonl").write_text(json.dumps(ev(1)) + "\n" + line + "\n")
expected["nan"] = {
    "paths": ["events.jsonl"],
    "issues": [
        {
            "code": "json-syntax",
            "path": "events.jsonl",
            "line": 2,
            "pointer": None,
            "record_id": None,
        }
    ],
}

# bom: a warning, the record is read as if it were absent; valid
(ROOT / "bom/events.jsonl").parent.mkdir(parents=True, exist_ok=True)
(ROOT / "bom/events.jsonl").write_bytes(b"\xef\xbb\xbf" + json.dumps(ev(1)).encode() + b"\n")
expected["bom"] = {
    "paths": ["events.jsonl"],
    "ok": True,
    "issues": [
        {"code": "bom", "path": "events.jsonl", "line": 1, "pointer": None, "record_id": None}
    ],
}

# encoding: Latin-1 bytes in a record
raw = (
    json.dumps(ev(1), ensure_ascii=False)
    .replace("Yellow Sea (West Sea)", "Yellow Sea (West Sea) caf\u00e9")
    .encode("latin-1")
)
(ROOT / "latin1/events.jsonl").parent.mkdir(parents=True, exist_ok=True)
(ROOT / "latin1/events.jsonl").write_bytes(raw + b"\n")
expected["latin1"] = {
    "paths": ["events.jsonl"],
    "issues": [
        {"code": "encoding", "path": "events.jsonl", "line": 1, "pointer": None, "record_id": None}
    ],
}

# unknown-file: a stray file in a dataset directory
actor = json.loads((DS / "actors/prk.json").read_text())
actor.pop("parent", None)


def complete(folder):
    jsonl(ROOT / folder / "sources.jsonl", [{k: v for k, v in source.items() if k != "originator"}])
    jsonl(ROOT / folder / "actors.jsonl", [actor])


jsonl(ROOT / "unknown_file/events.jsonl", [ev(1)])
complete("unknown_file")
(ROOT / "unknown_file/notes.txt").write_text("todo\n")
pretty(
    ROOT / "unknown_file/datapackage.json",
    {
        "name": "x",
        "version": "1.0.0",
        "licenses": [{"name": "CC-BY-4.0"}],
        "resources": [{"name": "events", "path": "events.jsonl"}],
    },
)
expected["unknown_file"] = {
    "paths": ["."],
    "issues": [
        {
            "code": "unknown-file",
            "path": "notes.txt",
            "line": None,
            "pointer": None,
            "record_id": None,
        }
    ],
}

# datapackage: a version that is not SemVer and a missing resource file
jsonl(ROOT / "datapackage_bad/events.jsonl", [ev(1)])
complete("datapackage_bad")
pretty(
    ROOT / "datapackage_bad/datapackage.json",
    {
        "name": "x",
        "version": "1.0",
        "licenses": [{"name": "CC-BY-4.0"}],
        "resources": [
            {"name": "events", "path": "events.jsonl"},
            {"name": "analyses", "path": "analyses.jsonl"},
        ],
    },
)
text = (ROOT / "datapackage_bad/datapackage.json").read_text().splitlines()
vline = next(i for i, line_text in enumerate(text, 1) if '"version"' in line_text)
pline = next(i for i, line_text in enumerate(text, 1) if '"analyses.jsonl"' in line_text)
expected["datapackage_bad"] = {
    "paths": ["."],
    "issues": [
        {
            "code": "datapackage",
            "path": "datapackage.json",
            "line": vline,
            "pointer": "/version",
            "record_id": None,
        },
        {
            "code": "datapackage",
            "path": "datapackage.json",
            "line": pline,
            "pointer": "/resources/1/path",
            "record_id": None,
        },
    ],
}

# --type: a file whose name does not say what it holds
jsonl(ROOT / "typed/contribution.jsonl", [ev(1, event_type="missle_launch")])
expected["typed"] = {
    "paths": ["contribution.jsonl"],
    "type": "event",
    "issues": [
        {
            "code": "schema",
            "path": "contribution.jsonl",
            "line": 1,
            "pointer": "/event_type",
            "record_id": "evt-2024-01-30-drill-1",
        }
    ],
}

(ROOT / "expected.json").write_text(json.dumps(expected, indent=2) + "\n")

# schema: a source in a file of events
s = copy.deepcopy(source)
jsonl(ROOT / "misplaced_type/events.jsonl", [ev(1), s])
expected["misplaced_type"] = {
    "paths": ["events.jsonl"],
    "issues": [
        {
            "code": "schema",
            "path": "events.jsonl",
            "line": 2,
            "pointer": "/id",
            "record_id": s["id"],
        }
    ],
}
(ROOT / "expected.json").write_text(json.dumps(expected, indent=2) + "\n")
