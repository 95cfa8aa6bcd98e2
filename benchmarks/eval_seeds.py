"""Run the officer simulation against the model, and against models trained with other seeds.

    .venv/bin/python benchmarks/eval_seeds.py [--seeds N] [--fuzz 20] [--retrain]

Seed 1 is models/preventiewijzer.tar.gz (config.yml as it is). For K = 2..N a model is trained
into models/seed-K.tar.gz with a copy of config.yml whose DIETClassifier (and TEDPolicy, when configured)
random_seed is the original seed + K - 1 (kept and reused while it is newer than the training
data; --retrain trains again). Prints one summary line per model; exit code 1 when any fails.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path
from typing import List

import yaml

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))

from bot.cli import DEFAULT_MODEL, child_env  # noqa: E402
from bot.train import train  # noqa: E402

SEEDED = ("DIETClassifier", "TEDPolicy")


def training_inputs() -> List[Path]:
    return [PROJECT_DIR / "config.yml", PROJECT_DIR / "domain.yml", *sorted((PROJECT_DIR / "data").rglob("*.yml"))]


def seeded_config(k: int, out: Path) -> Path:
    """config.yml with the random seeds of DIET and TED moved by k - 1."""
    config = yaml.safe_load((PROJECT_DIR / "config.yml").read_text(encoding="utf-8"))
    for component in config.get("pipeline", []) + config.get("policies", []):
        if component.get("name") in SEEDED:
            component["random_seed"] = int(component.get("random_seed", 0)) + k - 1
    out.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return out


def train_seed(k: int, retrain: bool) -> Path:
    model = PROJECT_DIR / "models" / f"seed-{k}.tar.gz"
    newest_input = max(p.stat().st_mtime for p in training_inputs())
    if model.exists() and model.stat().st_mtime > newest_input and not retrain:
        print(f"== seed {k}: reusing {model.relative_to(PROJECT_DIR)}", flush=True)
        return model
    (PROJECT_DIR / "var").mkdir(exist_ok=True)
    config = seeded_config(k, PROJECT_DIR / "var" / f"config-seed-{k}.yml")
    print(f"== seed {k}: training {model.relative_to(PROJECT_DIR)} (several minutes)", flush=True)
    started = time.monotonic()
    code = train(["--config", str(config), "--fixed-model-name", f"seed-{k}", "--out", "models"],
                 PROJECT_DIR / "var" / f"train-seed-{k}.log", every=30)
    if code != 0:
        raise RuntimeError(f"training seed {k} failed (exit code {code}); see var/train-seed-{k}.log")
    print(f"   trained in {time.monotonic() - started:.0f} s", flush=True)
    return model


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=1, help="number of models (1 = only the main model)")
    parser.add_argument("--fuzz", type=int, default=20)
    parser.add_argument("--retrain", action="store_true", help="train the seed models even when up to date")
    parser.add_argument("sim_args", nargs="*", help="more arguments for officer_sim.py (after --)")
    args = parser.parse_args(argv)

    models = [DEFAULT_MODEL]
    try:
        models += [train_seed(k, args.retrain) for k in range(2, args.seeds + 1)]
    except RuntimeError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    summaries, failed = [], False
    for model in models:
        command = [sys.executable, str(PROJECT_DIR / "benchmarks" / "officer_sim.py"), "--split", "all",
                   "--fuzz", str(args.fuzz), "--model", str(model), *args.sim_args]
        process = subprocess.Popen(command, cwd=PROJECT_DIR, env=child_env(), stdout=subprocess.PIPE, text=True)
        summary = f"SUMMARY {model.name}: no summary (see the output above)"
        for line in process.stdout:
            print(line, end="", flush=True)
            if line.startswith("SUMMARY"):
                summary = line.strip()
        failed |= process.wait() != 0
        summaries.append(summary)
    if len(models) > 1:
        print("\n== Officer simulation per model")
        for line in summaries:
            print(line)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
