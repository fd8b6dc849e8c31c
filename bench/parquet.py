"""Benchmark: building a Parquet release of N synthetic events, against the naive path.

    python bench/parquet.py                 # 1,000,000 events
    python bench/parquet.py --events 100000 --keep /tmp/bench

The synthetic dataset is JSON Lines (``events.jsonl``, ``sources.jsonl``,
``actors.jsonl``) of valid, consistent records with the shape of the bundled ones:
EDTF days, months, intervals and open starts, 1–3 actors and citations, discrepancies,
tags and related events. Two paths then turn it into Parquet, each in its own process
so that its peak memory (max RSS) is its own:

* ``koreaevents``: ``koreaevents.io.parquet.build`` — checked record by record,
  batched to Arrow, typed dates, sorted, deterministic.
* ``naive``: what a user would write with pandas — ``json.loads`` every line into a
  list, ``pandas.json_normalize(records, sep="_")``, ``DataFrame.to_parquet``. It
  checks nothing and leaves the dates as strings.

Prints the wall time and peak memory of both and their ratios.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

EVENT_TYPES = [
    "missile_launch",
    "weapons_test",
    "artillery_fire",
    "military_exercise",
    "diplomatic_visit",
    "diplomatic_meeting",
    "policy_declaration",
    "accusation",
]
ROLES = ["initiator", "target", "participant", "host", "observer"]
STATUSES = ["unverified", "reported", "corroborated", "disputed", "refuted"]
PLACES = [
    ("Pyongyang", "PRK", 39.0392, 125.7625, "district"),
    ("Sinpo", "PRK", 40.0347, 128.1853, "near"),
    ("Yellow Sea (West Sea)", None, 37.5, 124.5, "sea"),
    ("Sea of Japan (East Sea)", None, 39.5, 131.0, "sea"),
    ("Seoul", "KOR", 37.5665, 126.978, "province"),
    ("Yeonpyeong Island", "KOR", 37.6667, 125.7, "exact"),
]
WORDS = [
    "missile",
    "launch",
    "artillery",
    "drill",
    "statement",
    "meeting",
    "visit",
    "summit",
    "test",
    "exercise",
    "border",
    "coast",
    "island",
    "sea",
    "capital",
    "ministry",
    "army",
    "navy",
    "satellite",
    "report",
    "claim",
]


def _words(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def _edtf(rng: random.Random, day: datetime.date) -> dict[str, Any]:
    kind = rng.random()
    if kind < 0.70:
        return {"edtf": day.isoformat(), "earliest": day.isoformat(), "latest": day.isoformat()}
    if kind < 0.85:
        first = day.replace(day=1)
        nxt = (first + datetime.timedelta(days=32)).replace(day=1)
        last = nxt - datetime.timedelta(days=1)
        return {"edtf": f"{day:%Y-%m}", "earliest": first.isoformat(), "latest": last.isoformat()}
    if kind < 0.98:
        end = day + datetime.timedelta(days=rng.randint(1, 5))
        return {
            "edtf": f"{day.isoformat()}/{end.isoformat()}",
            "earliest": day.isoformat(),
            "latest": end.isoformat(),
        }
    return {"edtf": f"../{day.isoformat()}", "earliest": None, "latest": day.isoformat()}


def generate(folder: Path, n_events: int, *, seed: int = 7) -> None:
    """Write a consistent synthetic dataset of ``n_events`` events as JSON Lines."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    actors = [f"actor-{i}" for i in range(200)]
    sources = [f"src-bench-{i}" for i in range(5000)]
    with open(folder / "actors.jsonl", "w", encoding="utf-8") as out:
        for i, actor in enumerate(actors):
            record: dict[str, Any] = {"id": actor, "name": f"Actor {i}", "kind": "state"}
            if i >= 10:
                record["parent"] = actors[i % 10]
            out.write(json.dumps(record) + "\n")
    with open(folder / "sources.jsonl", "w", encoding="utf-8") as out:
        for i, source in enumerate(sources):
            day = datetime.date(2000, 1, 1) + datetime.timedelta(days=i % 9000)
            out.write(
                json.dumps(
                    {
                        "id": source,
                        "kind": "news_report",
                        "title": _words(rng, 8),
                        "publisher": f"Outlet {i % 50}",
                        "published": day.isoformat(),
                        "url": f"https://example.org/{i}",
                        "reliability": rng.choice("ABC"),
                    }
                )
                + "\n"
            )
    start = datetime.date(2000, 1, 1)
    event_ids: list[str] = []
    with open(folder / "events.jsonl", "w", encoding="utf-8") as out:
        for i in range(n_events):
            day = start + datetime.timedelta(days=rng.randrange(9000))
            place = rng.choice(PLACES)
            location: dict[str, Any] = {"name": place[0]}
            if place[1]:
                location["country"] = place[1]
            location.update(lat=place[2], lon=place[3], precision=place[4])
            cited = rng.sample(sources, rng.randint(1, 3))
            verification: dict[str, Any] = {"status": rng.choice(STATUSES)}
            if rng.random() < 0.6:
                verification["credibility"] = rng.randint(1, 6)
            if rng.random() < 0.1:
                verification["discrepancies"] = [
                    {
                        "field": "/location/name",
                        "claimed": _words(rng, 4),
                        "corrected": _words(rng, 4),
                        "citations": [cited[0]],
                    }
                ]
            event: dict[str, Any] = {
                "id": f"evt-{day.isoformat()}-{i}",
                "title": _words(rng, 6),
                "summary": _words(rng, 30),
                "event_type": rng.choice(EVENT_TYPES),
                "date": _edtf(rng, day),
                "actors": [
                    {"actor": actor, "role": rng.choice(ROLES)}
                    for actor in rng.sample(actors, rng.randint(1, 3))
                ],
                "location": location,
                "citations": [{"source": source} for source in cited],
                "verification": verification,
                "tags": sorted(set(rng.sample(WORDS, rng.randint(0, 3)))),
            }
            if not event["tags"]:
                del event["tags"]
            if event_ids and rng.random() < 0.05:
                event["related"] = [event_ids[rng.randrange(len(event_ids))]]
            event_ids.append(event["id"])
            out.write(json.dumps(event) + "\n")
    (folder / "datapackage.json").write_text(
        json.dumps(
            {
                "name": "koreaevents-bench",
                "version": "0.0.1",
                "licenses": [{"name": "CC0-1.0"}],
            }
        ),
        encoding="utf-8",
    )


def _run_koreaevents(src: Path, out: Path) -> None:
    sys.path.insert(0, str(ROOT / "src"))
    from koreaevents.io.parquet import build

    build(src, out)


def _run_naive(src: Path, out: Path) -> None:
    import pandas as pd

    out.mkdir(parents=True, exist_ok=True)
    for stem in ("events", "sources", "actors"):
        with open(src / f"{stem}.jsonl", encoding="utf-8") as handle:
            records = [json.loads(line) for line in handle]
        frame = pd.json_normalize(records, sep="_")
        del records
        frame.to_parquet(out / f"{stem}.parquet", compression="zstd")


def _child(path_name: str, src: Path, out: Path) -> tuple[float, int]:
    """Run one path in a fresh process; (seconds, peak RSS in bytes)."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, __file__, "--run", path_name, str(src), str(out)],
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    )
    _pid, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{path_name} failed with exit code {proc.returncode}")
    return elapsed, usage.ru_maxrss * 1024  # Linux gives KiB


def main(argv: list[str] | None = None) -> int:
    """Generate the data, run both paths, print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    parser.add_argument("--run", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.run:
        name, src, out = args.run
        (_run_koreaevents if name == "koreaevents" else _run_naive)(Path(src), Path(out))
        return 0
    work = args.keep or Path(tempfile.mkdtemp(prefix="ke-bench-"))
    try:
        src = work / "src"
        started = time.perf_counter()
        generate(src, args.events)
        size = sum(p.stat().st_size for p in src.iterdir())
        print(
            f"generated {args.events:,} events ({size / 2**20:,.0f} MiB of JSON Lines) "
            f"in {time.perf_counter() - started:.1f} s"
        )
        results = {}
        for name in ("koreaevents", "naive"):
            out = work / f"out-{name}"
            shutil.rmtree(out, ignore_errors=True)
            seconds, peak = _child(name, src, out)
            written = sum(p.stat().st_size for p in out.rglob("*.parquet"))
            results[name] = (seconds, peak)
            print(
                f"{name:12} {seconds:8.1f} s   peak RSS {peak / 2**20:8,.0f} MiB   "
                f"Parquet {written / 2**20:,.1f} MiB"
            )
        ours, naive = results["koreaevents"], results["naive"]
        print(
            f"time ratio koreaevents/naive {ours[0] / naive[0]:.2f}   "
            f"memory ratio {ours[1] / naive[1]:.2f}"
        )
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
