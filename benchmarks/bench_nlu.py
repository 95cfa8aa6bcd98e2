"""Benchmark (prints figures, asserts nothing): NLU quality of the Rasa model.

a) Held-out evaluation of a trained model on tests/nlu_holdout.yml (examples never trained on):
   intent macro-F1, weighted F1, accuracy, weakest intents, most frequent confusions, entity F1.
b) With --cv: 5-fold cross-validation on the training data data/nlu/ (trains 5 models: slow).

    .venv/bin/python benchmarks/bench_nlu.py [MODEL] [--cv] [--folds 5] [--keep DIR]

Both parts run `python -m rasa test nlu` and read the report files it writes
(rasa/nlu/test.py): intent_report.json, intent_errors.json, intent_successes.json and, per entity
extractor, <Extractor>_report.json / _errors.json / _successes.json. For cross-validation Rasa
writes the same files for the test folds pooled together, and logs the mean (std) over the folds
of the weighted F1, precision and accuracy ("test F1-score: 0.912 (0.011)").
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Dict, List, Optional, Tuple

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_MODEL = PROJECT_DIR / "models" / "preventiewijzer.tar.gz"
HOLDOUT = PROJECT_DIR / "tests" / "nlu_holdout.yml"
TRAINING_DATA = PROJECT_DIR / "data" / "nlu"
CONFIG = PROJECT_DIR / "config.yml"

TARGET_INTENT_MACRO_F1 = 0.95
TARGET_ENTITY_F1 = 0.90
# Report files of `rasa test nlu` that are not entity extractor reports.
NON_EXTRACTOR_REPORTS = {"intent_report.json", "response_selection_report.json"}


class BenchError(Exception):
    """An error shown as one line, without a traceback."""


def child_env() -> dict:
    env = dict(os.environ)
    env.setdefault("RASA_TELEMETRY_ENABLED", "false")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.setdefault("PYTHONHASHSEED", "0")
    env.setdefault("PYTHONWARNINGS", "ignore::DeprecationWarning,ignore::PendingDeprecationWarning")
    env["LOG_LEVEL"] = "INFO"  # the cross-validation means are only logged, at INFO
    env["PYTHONPATH"] = os.pathsep.join(p for p in [str(PROJECT_DIR), env.get("PYTHONPATH", "")] if p)
    return env


def run_rasa(args: List[str], out: Path) -> Tuple[float, str]:
    """Runs `python -m rasa <args>`; returns (seconds, combined log). Log kept in out/rasa.log."""
    out.mkdir(parents=True, exist_ok=True)
    start = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "rasa", *args],
        cwd=PROJECT_DIR, env=child_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, errors="replace",
    )
    seconds = time.monotonic() - start
    log = proc.stdout or ""
    (out / "rasa.log").write_text(log, encoding="utf-8")
    if proc.returncode != 0:
        lines = [line.strip() for line in log.splitlines() if line.strip()]
        last = next((line for line in reversed(lines) if "Error" in line or "error" in line),
                    lines[-1] if lines else "no output")
        raise BenchError(f"`rasa {' '.join(args[:2])}` failed (exit {proc.returncode}): {last[:300]} "
                         f"(full log: --keep DIR)")
    return seconds, log


def read_json(path: Path):
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def verdict(value: float, target: float) -> str:
    return f"(target >= {target:.2f}: {'ok' if value >= target else 'below target'})"


def fallback_threshold() -> Optional[float]:
    try:
        import yaml

        config = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
        for component in config.get("pipeline") or []:
            if component.get("name") == "FallbackClassifier":
                return float(component.get("threshold", 0.3))
    except Exception:  # noqa: BLE001 - a missing figure, not a failure
        return None
    return None


# ---------------------------------------------------------------- printing the reports

def print_intents(out: Path, weakest: int = 5, confusions: int = 8) -> None:
    report = read_json(out / "intent_report.json")
    if not report:
        print("  intents: no intent_report.json written")
        return
    per_intent = {k: v for k, v in report.items()
                  if isinstance(v, dict) and k not in ("macro avg", "weighted avg", "micro avg")}
    macro = report["macro avg"]["f1-score"]
    print(f"  intent macro-F1     {macro:.3f}  {verdict(macro, TARGET_INTENT_MACRO_F1)}")
    print(f"  intent weighted F1  {report['weighted avg']['f1-score']:.3f}")
    print(f"  intent accuracy     {report['accuracy']:.3f}  "
          f"({int(report['macro avg']['support'])} examples, {len(per_intent)} intents)")

    print(f"  weakest {weakest} intents (F1, precision, recall, support):")
    ranked = sorted(per_intent.items(), key=lambda kv: (kv[1]["f1-score"], -kv[1]["support"], kv[0]))
    for name, row in ranked[:weakest]:
        print(f"    {name:18} F1 {row['f1-score']:.2f}   P {row['precision']:.2f}   "
              f"R {row['recall']:.2f}   n={int(row['support'])}")

    errors = read_json(out / "intent_errors.json") or []
    pairs = Counter((e["intent"], e["intent_prediction"]["name"]) for e in errors)
    if pairs:
        print(f"  most frequent confusions ({len(errors)} errors; true -> predicted: count, example):")
        for (true, predicted), count in pairs.most_common(confusions):
            example = next(e["text"] for e in errors
                           if e["intent"] == true and e["intent_prediction"]["name"] == predicted)
            print(f"    {true:>16} -> {str(predicted):16} {count:3}   \"{example}\"")
    else:
        print("  no intent confusions")

    threshold = fallback_threshold()
    successes = read_json(out / "intent_successes.json")
    if threshold is not None and successes is not None:
        results = successes + errors
        low = [r for r in results if (r["intent_prediction"].get("confidence") or 0.0) < threshold]
        low_right = sum(1 for r in low if r["intent"] == r["intent_prediction"]["name"])
        print(f"  below fallback threshold {threshold:.2f}: {len(low)}/{len(results)} "
              f"({len(low) / max(1, len(results)):.1%}; {low_right} of them were classified right)")


def _entity_value_check(out: Path, extractor: str) -> Optional[Tuple[int, int, int]]:
    """(targets, right, predicted) for substance values: does synonym mapping give the right id?"""
    messages: Dict[str, dict] = {}
    for name in (f"{extractor}_successes.json", f"{extractor}_errors.json"):
        for item in read_json(out / name) or []:
            messages.setdefault(item["text"], item)
    if not messages:
        return None
    targets = right = predicted = 0
    for item in messages.values():
        want = Counter(str(e.get("value")).lower() for e in item.get("entities") or []
                       if e.get("entity") == "substance")
        got = Counter(str(e.get("value")).lower() for e in item.get("predicted_entities") or []
                      if e.get("entity") == "substance")
        targets += sum(want.values())
        predicted += sum(got.values())
        right += sum((want & got).values())
    return targets, right, predicted


def print_entities(out: Path) -> None:
    reports = sorted(p for p in out.glob("*_report.json") if p.name not in NON_EXTRACTOR_REPORTS)
    if not reports:
        print("  entities: no entity report written (no annotated entities or no extractor)")
        return
    for path in reports:
        extractor = path.name[: -len("_report.json")]
        report = read_json(path) or {}
        labels = {k: v for k, v in report.items()
                  if isinstance(v, dict) and k not in ("macro avg", "weighted avg", "micro avg")}
        print(f"  entities ({extractor}, token level):")
        for name, row in sorted(labels.items()):
            print(f"    {name:18} F1 {row['f1-score']:.3f}   P {row['precision']:.2f}   "
                  f"R {row['recall']:.2f}   n={int(row['support'])}  "
                  f"{verdict(row['f1-score'], TARGET_ENTITY_F1)}")
        if "micro avg" in report:
            micro = report["micro avg"]["f1-score"]
            print(f"    {'overall micro-F1':18} {micro:.3f}   {verdict(micro, TARGET_ENTITY_F1)}")
        values = _entity_value_check(out, extractor)
        if values and values[0]:
            targets, right, predicted = values
            print(f"    substance ids right after synonym mapping: {right}/{targets} "
                  f"({right / targets:.1%}; {predicted} substances predicted)")
        errors = read_json(out / f"{extractor}_errors.json") or []
        for item in errors[:3]:
            want = ", ".join(f"{e['entity']}={e.get('value')}" for e in item.get("entities") or []) or "-"
            got = ", ".join(f"{e['entity']}={e.get('value')}" for e in item.get("predicted_entities") or []) or "-"
            print(f"    error: \"{item['text']}\"  want [{want}]  got [{got}]")
        if len(errors) > 3:
            print(f"    ... {len(errors) - 3} more in {extractor}_errors.json")


def holdout_overlap() -> Tuple[int, int]:
    """(held-out examples also in data/nlu/, held-out examples), texts lowercased and stripped."""
    from rasa.shared.nlu.training_data.loading import load_data

    def texts(path: Path) -> set:
        return {" ".join(m.get("text").lower().split()) for m in load_data(str(path)).intent_examples}

    held_out = texts(HOLDOUT)
    training = set().union(*(texts(p) for p in sorted(TRAINING_DATA.rglob("*.yml"))))
    return len(held_out & training), len(held_out)


# ---------------------------------------------------------------- the two parts

def holdout(model: Path, out: Path) -> None:
    print(f"== Held-out evaluation: {HOLDOUT.relative_to(PROJECT_DIR)} on {model}")
    if not model.is_file():
        raise BenchError(f"model {model} not found: train first: make model")
    if not HOLDOUT.is_file():
        raise BenchError(f"held-out set {HOLDOUT} not found")
    seconds, _ = run_rasa(["test", "nlu", "--model", str(model), "--nlu", str(HOLDOUT),
                           "--out", str(out), "--successes", "--no-plot"], out)
    print(f"  (rasa test nlu took {seconds:.0f} s)")
    try:
        leaked, total = holdout_overlap()
        if leaked:
            print(f"  WARNING: {leaked}/{total} held-out examples also occur in "
                  f"{TRAINING_DATA.relative_to(PROJECT_DIR)}/: the figures below are optimistic "
                  f"(see pytest tests/test_nlu_holdout.py)")
    except Exception as exc:  # noqa: BLE001 - a missing warning, not a failure
        print(f"  (could not compare with the training data: {exc})")
    print_intents(out)
    print_entities(out)


_CV_LINE = re.compile(r"(Entity extractor: (?P<extractor>\S+))|"
                      r"(?P<set>train|test) (?P<metric>Accuracy|F1-score|Precision): "
                      r"(?P<mean>[0-9.]+) \((?P<std>[0-9.]+)\)")


def cv_means(log: str) -> Dict[str, Dict[str, Tuple[float, float]]]:
    """Parses the means Rasa logs after cross-validation: {"intent"|extractor: {metric: (mean, std)}}."""
    means: Dict[str, Dict[str, Tuple[float, float]]] = {}
    section = None
    tail = log[log.rfind("CV evaluation"):] if "CV evaluation" in log else log
    for line in tail.splitlines():
        if "Intent evaluation results" in line:
            section = "intent"
        elif "Entity evaluation results" in line:
            section = "entity"
        elif "Response Selection evaluation results" in line:
            section = None
        match = _CV_LINE.search(line)
        if not match or section is None:
            continue
        if match.group("extractor"):
            section = match.group("extractor")
        elif match.group("set") == "test":
            means.setdefault(section, {})[match.group("metric")] = (
                float(match.group("mean")), float(match.group("std")))
    return means


def cross_validation(folds: int, out: Path, config: Path = CONFIG) -> None:
    print(f"== {folds}-fold cross-validation on {TRAINING_DATA.relative_to(PROJECT_DIR)}/ "
          f"with {config.name} (trains {folds} models)")
    seconds, log = run_rasa(["test", "nlu", "--nlu", str(TRAINING_DATA), "--cross-validation",
                             "--folds", str(folds), "--config", str(config), "--out", str(out),
                             "--successes", "--no-plot"], out)
    print(f"  (cross-validation took {seconds / 60:.1f} min, {seconds / folds:.0f} s per fold)")
    means = cv_means(log)
    for section, metrics in means.items():
        label = "intent" if section == "intent" else f"entity ({section})"
        f1 = metrics.get("F1-score")
        if f1:
            print(f"  {label} weighted F1, mean over folds as logged by Rasa: {f1[0]:.3f} (std {f1[1]:.3f})")
    print("  pooled test folds (report files):")
    print_intents(out)
    print_entities(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("model", nargs="?", default=str(DEFAULT_MODEL),
                        help=f"trained model (default {DEFAULT_MODEL.relative_to(PROJECT_DIR)})")
    parser.add_argument("--cv", action="store_true", help="also run cross-validation on data/nlu (slow)")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--no-holdout", action="store_true", help="only the cross-validation")
    parser.add_argument("--keep", metavar="DIR", help="keep Rasa's report files in DIR")
    parser.add_argument("--config", default=str(CONFIG), help="pipeline to cross-validate (default config.yml)")
    args = parser.parse_args()
    model = Path(args.model)
    if not model.is_absolute():
        model = (Path.cwd() / model).resolve()

    work = Path(args.keep).resolve() if args.keep else Path(tempfile.mkdtemp(prefix="bench-nlu-"))
    failed = False
    try:
        parts = []
        if not args.no_holdout:
            parts.append(lambda: holdout(model, work / "holdout"))
        if args.cv:
            parts.append(lambda: cross_validation(args.folds, work / "cross-validation", Path(args.config).resolve()))
        if not parts:
            parser.error("nothing to do: --no-holdout without --cv")
        for part in parts:
            try:
                part()
            except BenchError as exc:
                sys.stdout.flush()
                print(f"error: {exc}", file=sys.stderr, flush=True)
                failed = True
            print()
        if args.keep:
            print(f"reports kept in {work}")
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        failed = True
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
