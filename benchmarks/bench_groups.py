"""Benchmark (prints figures, asserts nothing): how well the group recognizer finds target groups
in the words municipal policy officers use.

Reads benchmarks/scenarios/group_phrases_tuning.yaml and/or group_phrases_unseen.yaml and runs
``conversation.answers.group_clauses(text)`` on every phrase; only the groups it names count (the
groups it finds under a negation are ignored). Per set it prints exact-match accuracy (predicted
set == expected set), micro precision/recall/F1 over group labels and recall per group.

    .venv/bin/python benchmarks/bench_groups.py [--set tuning|unseen|all] [--show-errors]

Tune on the tuning set only; the unseen set is held out (look at its figures, not its sentences).
"""
from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Dict, List, Set, Tuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from conversation.answers import group_clauses  # noqa: E402

SCENARIOS = ROOT / "benchmarks" / "scenarios"
SETS = {
    "tuning": SCENARIOS / "group_phrases_tuning.yaml",
    "unseen": SCENARIOS / "group_phrases_unseen.yaml",
}

Phrase = Tuple[str, Set[str]]


def load(path: Path) -> List[Phrase]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    phrases = []
    for i, item in enumerate(data.get("phrases") or []):
        text, groups = item.get("text"), item.get("groups")
        if not isinstance(text, str) or not isinstance(groups, list):
            raise ValueError(f"{path.name}: phrase {i} needs a text and a groups list")
        phrases.append((text, set(groups)))
    return phrases


def predict(text: str) -> Set[str]:
    named, _removed = group_clauses(text)
    return set(named)


def ratio(num: int, den: int) -> float:
    return num / den if den else 0.0


def evaluate(name: str, phrases: List[Phrase], show_errors: bool) -> Dict[str, float]:
    start = time.perf_counter()
    results = [(text, expected, predict(text)) for text, expected in phrases]
    elapsed = time.perf_counter() - start

    exact = sum(1 for _, expected, got in results if expected == got)
    tp = fp = fn = 0
    support: Counter = Counter()
    found: Counter = Counter()
    false_pos: Counter = Counter()
    for _, expected, got in results:
        tp += len(expected & got)
        fp += len(got - expected)
        fn += len(expected - got)
        for g in expected:
            support[g] += 1
            if g in got:
                found[g] += 1
        for g in got - expected:
            false_pos[g] += 1
    precision, recall = ratio(tp, tp + fp), ratio(tp, tp + fn)
    f1 = ratio(2 * precision * recall, precision + recall) if precision + recall else 0.0
    negatives = [r for r in results if not r[1]]
    clean_negatives = sum(1 for _, _, got in negatives if not got)

    print(f"\n=== {name}: {len(results)} phrases ({elapsed:.2f}s) ===")
    print(f"exact match      {exact}/{len(results)} = {ratio(exact, len(results)):.1%}")
    print(f"micro precision  {precision:.1%}   ({tp} of {tp + fp} predicted labels correct)")
    print(f"micro recall     {recall:.1%}   ({tp} of {tp + fn} expected labels found)")
    print(f"micro F1         {f1:.1%}")
    if negatives:
        print(f"no-group phrases left empty  {clean_negatives}/{len(negatives)}")
    print(f"\n{'group':<26}{'recall':>8}{'found':>8}{'of':>5}{'false+':>8}")
    for g in sorted(set(support) | set(false_pos)):
        print(f"{g:<26}{ratio(found[g], support[g]):>8.0%}{found[g]:>8}{support[g]:>5}{false_pos[g]:>8}")

    if show_errors:
        errors = [r for r in results if r[1] != r[2]]
        print(f"\n--- {name}: {len(errors)} errors ---")
        for text, expected, got in errors:
            print(f"- {text}")
            print(f"    expected: {sorted(expected)}")
            print(f"    got:      {sorted(got)}")
            missing, extra = sorted(expected - got), sorted(got - expected)
            if missing:
                print(f"    missing:  {missing}")
            if extra:
                print(f"    extra:    {extra}")
    return {"exact": ratio(exact, len(results)), "precision": precision, "recall": recall, "f1": f1}


def main(argv: List[str] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=["tuning", "unseen", "all"], default="all", dest="which")
    parser.add_argument("--show-errors", action="store_true", help="print every phrase the recognizer got wrong")
    args = parser.parse_args(argv)
    names = list(SETS) if args.which == "all" else [args.which]
    start = time.perf_counter()
    predict("jongeren")  # the first call builds the knowledge base and the matcher
    print(f"recognizer setup {time.perf_counter() - start:.2f}s")
    for name in names:
        evaluate(name, load(SETS[name]), args.show_errors)
    return 0


if __name__ == "__main__":
    sys.exit(main())
