"""Benchmark: `koreaevents validate` against python-jsonschema on the same file.

    python bench/validate.py [N] [--keep DIR]

Generates N synthetic events (default 100,000; varied ids, dates, actors, citations,
related events, all valid) as one ``events.jsonl``, then measures, each in a fresh
process so that peak RSS is the validator's own:

* ``koreaevents validate`` (the CLI: reading, duplicate keys, schema, EDTF bounds,
  ids and references), records per second and peak RSS;
* python-jsonschema ``Draft202012Validator.iter_errors`` over the same lines (parsed
  with the standard json module), records per second;

and prints the ratio. Goals: at least 30x python-jsonschema (20x is the floor), and
peak RSS under 250 MB plus half the file's size.
"""

from __future__ import annotations

import argparse
import datetime
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

EVENT_TYPES = ["missile_launch", "weapons_test", "artillery_fire", "military_exercise"]
ACTORS = ["prk", "kor", "usa", "jpn", "chn", "rus", "prk-kpa", "kor-jcs"]
ROLES = ["initiator", "target", "participant", "observer"]


def make_event(index: int, rng: random.Random, count: int) -> dict[str, object]:
    """One valid synthetic event; ``related`` points at earlier events."""
    day = datetime.date(2000, 1, 1) + datetime.timedelta(days=rng.randrange(9000))
    kind = rng.random()
    if kind < 0.7:
        edtf, earliest, latest = day.isoformat(), day, day
    elif kind < 0.9:
        edtf = f"{day:%Y-%m}"
        earliest = day.replace(day=1)
        nxt = (earliest + datetime.timedelta(days=32)).replace(day=1)
        latest = nxt - datetime.timedelta(days=1)
    else:
        end = day + datetime.timedelta(days=rng.randrange(1, 20))
        edtf, earliest, latest = f"{day}/{end}", day, end
    event: dict[str, object] = {
        "id": f"evt-{day}-synthetic-{index}",
        "title": f"Synthetic event {index}",
        "summary": "A generated event used to measure validation speed. " * 2,
        "event_type": rng.choice(EVENT_TYPES),
        "date": {"edtf": edtf, "earliest": earliest.isoformat(), "latest": latest.isoformat()},
        "actors": [
            {"actor": actor, "role": rng.choice(ROLES)}
            for actor in rng.sample(ACTORS, rng.randrange(1, 4))
        ],
        "location": {
            "name": "Somewhere off the coast",
            "country": "PRK",
            "lat": round(rng.uniform(33, 43), 4),
            "lon": round(rng.uniform(124, 131), 4),
            "precision": "sea",
        },
        "citations": [
            {"source": f"src-synthetic-{rng.randrange(1000)}", "claim": "It happened."}
            for _ in range(rng.randrange(1, 3))
        ],
        "verification": {"status": "reported", "credibility": rng.randrange(1, 7)},
        "tags": ["synthetic", "bench"],
    }
    if index > 10:
        event["related"] = []  # filled in by generate() with an earlier event's id
    return event


def generate(path: Path, count: int) -> None:
    """Write ``count`` events to ``path``, streamed (only the ids are kept)."""
    rng = random.Random(20240124)
    ids: list[str] = []
    with path.open("wb") as out:
        for index in range(count):
            event = make_event(index, rng, count)
            if "related" in event:  # point at a real earlier event
                event["related"] = [ids[rng.randrange(index)]]
            ids.append(str(event["id"]))
            out.write(orjson.dumps(event) + b"\n")


_JSONSCHEMA_RUNNER = """
import json, sys, time
from jsonschema import Draft202012Validator
from koreaevents.schema import json_schema
validator = Draft202012Validator(json_schema("event"))
start = time.perf_counter()
records = errors = 0
with open(sys.argv[1], "rb") as handle:
    for line in handle:
        records += 1
        errors += sum(1 for _ in validator.iter_errors(json.loads(line)))
print(json.dumps({"records": records, "errors": errors, "seconds": time.perf_counter() - start}))
"""


def run_koreaevents(path: Path) -> tuple[float, int, str]:
    """Seconds, peak RSS (bytes) and the summary line of `koreaevents validate`."""
    runner = (
        "import resource, sys, time, json\n"
        "from koreaevents.cli import main\n"
        "start = time.perf_counter()\n"
        "import io, contextlib\n"
        "out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out):\n"
        "    code = main(['validate', sys.argv[1]])\n"
        "seconds = time.perf_counter() - start\n"
        "peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024\n"
        "print(json.dumps({'seconds': seconds, 'peak': peak, 'code': code,"
        " 'summary': out.getvalue().strip().splitlines()[-1]}))\n"
    )
    begin = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", runner, str(path)], capture_output=True, text=True, check=True
    )
    wall = time.perf_counter() - begin
    result = json.loads(done.stdout)
    result["summary"] += f" [whole process, with interpreter start and imports: {wall:.2f} s]"
    if result["code"] != 0:
        raise SystemExit(f"the synthetic file should be valid: {result['summary']}")
    return float(result["seconds"]), int(result["peak"]), str(result["summary"])


def run_jsonschema(path: Path, sample: int) -> float:
    """Records per second of python-jsonschema on the first ``sample`` lines."""
    with (
        tempfile.NamedTemporaryFile("wb", suffix=".jsonl", delete=False) as handle,
        path.open("rb") as source,
    ):
        for _, line in zip(range(sample), source, strict=False):
            handle.write(line)
    done = subprocess.run(
        [sys.executable, "-c", _JSONSCHEMA_RUNNER, handle.name],
        capture_output=True,
        text=True,
        check=True,
    )
    Path(handle.name).unlink()
    result = json.loads(done.stdout)
    if result["errors"]:
        raise SystemExit("python-jsonschema found errors in the synthetic file")
    return float(result["records"]) / float(result["seconds"])


def main() -> int:
    """Generate, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", nargs="?", type=int, default=100_000)
    parser.add_argument(
        "--jsonschema-sample",
        type=int,
        default=None,
        metavar="LINES",
        help="time python-jsonschema on the first LINES lines only (default: the whole "
        "file; it is slow, and its rate does not depend on N)",
    )
    parser.add_argument("--keep", type=Path, help="write the file here and keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = (args.keep or Path(tmp)) / "events.jsonl"
        path.parent.mkdir(parents=True, exist_ok=True)
        begin = time.perf_counter()
        generate(path, args.count)
        size = path.stat().st_size
        print(
            f"generated {args.count:,} events, {size / 1e6:.1f} MB "
            f"in {time.perf_counter() - begin:.1f} s: {path}"
        )
        seconds, peak, summary = run_koreaevents(path)
        ours = args.count / seconds
        print(f"koreaevents validate: {ours:,.0f} records/s ({seconds:.2f} s) — {summary}")
        sample = min(args.count, args.jsonschema_sample or args.count)
        theirs = run_jsonschema(path, sample)
        print(f"python-jsonschema iter_errors: {theirs:,.0f} records/s (first {sample:,} lines)")
        ratio = ours / theirs
        print(f"ratio: {ratio:.1f}x (goal 30x, floor 20x)")
        budget = 250e6 + size / 2
        print(
            f"peak RSS of koreaevents validate: {peak / 1e6:.0f} MB "
            f"(budget {budget / 1e6:.0f} MB: 250 MB + half the file)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
