"""Benchmark: diffing two Parquet releases of N synthetic events, against reading them.

    python bench/diff.py                      # 1,000,000 events
    python bench/diff.py --events 100000 --keep /tmp/bench-diff   # kept: reused next time

Two releases are built from the synthetic JSON Lines of ``bench/parquet.py``: the old
one, and a new one in which some events are retitled (values changed), some have
their tags reordered (no change: tags are unordered), some are removed (half of them
with a tombstone in ``retired.jsonl``) and some are added. Each measured path runs in
its own process, so that its peak memory (max RSS) is its own:

* ``koreaevents``: ``ke.diff(old, new)`` — ids matched with an Arrow join, columns
  compared with Arrow kernels one pair at a time, JSON records built only for the rows
  that may differ.
* ``floor``: ``pyarrow.parquet.read_table`` of every Parquet file of both releases —
  reading the data, and nothing else; no diff can be faster than reading both sides.

Prints the wall time and peak memory of both and their ratios, and checks that the
diff found exactly the mutations.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _generate(folder: Path, n_events: int) -> None:
    spec = importlib.util.spec_from_file_location("bench_parquet", ROOT / "bench" / "parquet.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.generate(folder, n_events)


def _mutate(src: Path, dst: Path, rate: float, seed: int = 11) -> dict[str, int]:
    """Copy the synthetic dataset with mutations; returns how many of each were made."""
    rng = random.Random(seed)
    dst.mkdir(parents=True)
    for name in ("sources.jsonl", "actors.jsonl"):
        shutil.copyfile(src / name, dst / name)
    counts = {"retitled": 0, "reordered": 0, "removed": 0, "tombstoned": 0, "added": 0}
    retired: list[dict[str, Any]] = []
    referenced: set[str] = set()
    lines = (src / "events.jsonl").read_text("utf-8").splitlines()
    for line in lines:
        referenced.update(json.loads(line).get("related", ()))
    with open(dst / "events.jsonl", "w", encoding="utf-8") as out:
        for line in lines:
            event = json.loads(line)
            roll = rng.random()
            if roll < rate and event["id"] not in referenced:
                counts["removed"] += 1
                if rng.random() < 0.5:
                    counts["tombstoned"] += 1
                    retired.append(
                        {"id": event["id"], "retired_in": "0.1.0", "reason": "a duplicate"}
                    )
                continue
            if roll < 3 * rate:
                event["title"] += " (corrected)"
                counts["retitled"] += 1
            elif roll < 5 * rate and len(event.get("tags", ())) > 1:
                event["tags"] = list(reversed(event["tags"]))
                counts["reordered"] += 1
            out.write(json.dumps(event) + "\n")
            if roll > 1 - rate:
                event = dict(event, id=event["id"] + "-new")
                event.pop("related", None)
                out.write(json.dumps(event) + "\n")
                counts["added"] += 1
    with open(dst / "retired.jsonl", "w", encoding="utf-8") as out:
        for entry in retired:
            out.write(json.dumps(entry) + "\n")
    descriptor = json.loads((src / "datapackage.json").read_text("utf-8"))
    descriptor["version"] = "0.1.0"
    (dst / "datapackage.json").write_text(json.dumps(descriptor), "utf-8")
    return counts


def _build(src: Path, out: Path) -> None:
    sys.path.insert(0, str(ROOT / "src"))
    from koreaevents.io.parquet import build

    build(src, out)


def _run_koreaevents(old: Path, new: Path) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT / "src"))
    import koreaevents as ke

    result = ke.diff(old, new)
    return {
        "added": sum(r.type == "event" for r in result.added),
        "tombstones": sum(r.type == "retired" for r in result.added),
        "removed": len(result.removed),
        "removed_with_tombstone": sum(r.tombstone is not None for r in result.removed),
        "changed": len(result.changed),
        "bump": result.suggested_bump,
    }


def _run_floor(old: Path, new: Path) -> dict[str, Any]:
    import pyarrow.parquet as pq

    rows = 0
    for root in (old, new):
        for path in sorted(root.rglob("*.parquet")):
            rows += pq.read_table(path).num_rows
    return {"rows": rows}


def _child(which: str, old: str, new: str) -> None:
    run = {"koreaevents": _run_koreaevents, "floor": _run_floor}[which]
    start = time.perf_counter()
    answer = run(Path(old), Path(new))
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "peak_mib": _peak_mib(), "answer": answer}))


def _peak_mib() -> float:
    """This process's peak resident memory. Linux's VmHWM is the process's own; the
    getrusage maximum may carry over the parent's peak across exec."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _measure(which: str, old: Path, new: Path) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", which, str(old), str(new)],
        check=True,
        capture_output=True,
        text=True,
    )
    measured: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return measured


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--rate", type=float, default=0.001, help="share of events mutated")
    parser.add_argument("--keep", type=Path, help="keep the generated data in this folder")
    parser.add_argument("--child", nargs=3, metavar=("WHICH", "OLD", "NEW"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(*args.child)
        return 0

    work = args.keep or Path(tempfile.mkdtemp(prefix="koreaevents-bench-diff-"))
    try:
        work.mkdir(parents=True, exist_ok=True)
        made = work / "mutations.json"
        setup = {"events": args.events, "rate": args.rate}
        if made.is_file() and json.loads(made.read_text("utf-8"))["setup"] == setup:
            counts = json.loads(made.read_text("utf-8"))["counts"]  # --keep: reuse
        else:
            for folder in ("old-json", "new-json", "old", "new"):
                shutil.rmtree(work / folder, ignore_errors=True)
            print(f"generating {args.events:,} events in {work} ...", flush=True)
            _generate(work / "old-json", args.events)
            counts = _mutate(work / "old-json", work / "new-json", args.rate)
            for side in ("old", "new"):
                started = time.perf_counter()
                _build(work / f"{side}-json", work / side)
                print(f"built {side} release in {time.perf_counter() - started:.1f} s")
            made.write_text(json.dumps({"setup": setup, "counts": counts}), "utf-8")
        print(f"mutations: {counts}", flush=True)

        ours = _measure("koreaevents", work / "old", work / "new")
        floor = _measure("floor", work / "old", work / "new")
        found = ours["answer"]
        expected = {
            "added": counts["added"],
            "tombstones": counts["tombstoned"],
            "removed": counts["removed"],
            "removed_with_tombstone": counts["tombstoned"],
            "changed": counts["retitled"],
        }
        for key, value in expected.items():
            if found[key] != value:
                print(f"MISMATCH {key}: diff found {found[key]}, expected {value}")
                return 1
        print(f"\n{args.events:,} events per release; the diff found exactly the mutations")
        print(f"  suggested bump: {found['bump']}")
        print(f"{'path':<14}{'seconds':>10}{'peak MiB':>12}")
        for name, measured in (("koreaevents", ours), ("floor (read)", floor)):
            print(f"{name:<14}{measured['seconds']:>10.2f}{measured['peak_mib']:>12.0f}")
        print(
            f"ratio koreaevents / floor: time {ours['seconds'] / floor['seconds']:.2f}x, "
            f"memory {ours['peak_mib'] / floor['peak_mib']:.2f}x"
        )
        return 0
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
