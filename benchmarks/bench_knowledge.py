"""Benchmark (prints figures, asserts nothing): data-file load time and plan computation time,
at the real size and at 10,000 synthetic records.

    .venv/bin/python benchmarks/bench_knowledge.py [--synthetic 10000] [--plans 200]
"""
from __future__ import annotations

import argparse
import dataclasses
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from knowledge.catalog import Catalog  # noqa: E402
from knowledge.loader import load_catalog  # noqa: E402
from knowledge.plan import InterviewState, PlanEngine, Signal  # noqa: E402
from knowledge.store import KnowledgeBase  # noqa: E402


def timed(fn, repeat=1):
    times = []
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return result, times


def synthetic(catalog: Catalog, size: int, seed: int = 7) -> Catalog:
    """A catalog of ``size`` records: real records with shuffled tags, deterministic."""
    rng = random.Random(seed)
    real = list(catalog.interventions.values())
    vocab = catalog.vocabulary
    pick = lambda pool, lo, hi: tuple(rng.sample(pool, rng.randint(lo, hi)))  # noqa: E731
    items = {}
    for i in range(size):
        base = real[i % len(real)]
        item = dataclasses.replace(
            base, id=f"syn_{i:05d}", name=f"{base.name} #{i}",
            groups=pick(list(catalog.groups), 0, 3), settings=pick(list(vocab["settings"]), 0, 3),
            substances=pick(list(vocab["substances"]), 0, 3), pillars=pick(list(vocab["pillars"]), 1, 2),
            forms=pick(list(vocab["prevention_forms"]), 1, 2), steps=pick(list(vocab["approach_steps"]), 1, 2),
            partners=pick(list(catalog.partners), 0, 4),
        )
        items[item.id] = item
    return dataclasses.replace(catalog, interventions=items)


def states(catalog: Catalog, count: int, seed: int = 11):
    rng = random.Random(seed)
    subs, sets = list(catalog.vocabulary["substances"]), list(catalog.vocabulary["settings"])
    groups, partners = list(catalog.groups), list(catalog.partners)
    for _ in range(count):
        yield InterviewState(
            signals=[Signal(rng.sample(subs, rng.randint(1, 2)), rng.sample(sets, rng.randint(0, 2)))],
            groups=rng.sample(groups, rng.randint(1, 3)),
            partners_present=rng.sample(partners, rng.randint(0, 5)),
        )


def report_plans(label: str, catalog: Catalog, count: int) -> None:
    engine = PlanEngine(catalog)
    ms = []
    for state in states(catalog, count):
        _, times = timed(lambda state=state: engine.make_plan(state))
        ms.append(times[0] * 1000)
    ms.sort()
    print(f"plan time, {label:22} median {statistics.median(ms):7.2f} ms   "
          f"p95 {ms[int(0.95 * (len(ms) - 1))]:7.2f} ms   max {ms[-1]:7.2f} ms   ({count} plans)")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--synthetic", type=int, default=10000)
    parser.add_argument("--plans", type=int, default=200)
    args = parser.parse_args()

    catalog, times = timed(load_catalog, repeat=5)
    print(f"load + validate data files:   median {statistics.median(times) * 1000:7.1f} ms "
          f"({len(catalog.interventions)} interventions, {len(catalog.municipalities)} municipalities)")
    with tempfile.TemporaryDirectory() as tmp:
        kb = KnowledgeBase(url=f"sqlite:///{tmp}/kb.db")
        _, times = timed(lambda: kb.load(catalog), repeat=3)
        print(f"write to SQLite:              median {statistics.median(times) * 1000:7.1f} ms")
        _, times = timed(kb._read_catalog, repeat=5)
        print(f"read back from SQLite:        median {statistics.median(times) * 1000:7.1f} ms")
    report_plans(f"real ({len(catalog.interventions)} records)", catalog, args.plans)
    big = synthetic(catalog, args.synthetic)
    report_plans(f"{args.synthetic} synthetic records", big, max(20, args.plans // 4))
    return 0


if __name__ == "__main__":
    sys.exit(main())
