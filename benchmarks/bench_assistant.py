"""Benchmark (prints figures, asserts nothing): training time, server start time, REST latency.

    .venv/bin/python benchmarks/bench_assistant.py [--conversations 10] [--skip-train]
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.cli import DEFAULT_MODEL, PROJECT_DIR, Assistant, child_env, write_endpoints  # noqa: E402

INTERVIEW = [
    "hoi",
    "gemeente Zwolle",
    "We zien meer 3-MMC bij jongeren in het uitgaansleven",
    "jongerenwerk en horeca",
    "jongeren in het uitgaansleven",
    "GGD en jongerenwerk",
]


def train(out: Path) -> float:
    start = time.monotonic()
    subprocess.run(
        [sys.executable, "-m", "rasa", "train", "--force", "--out", str(out), "--fixed-model-name", "bench", "--quiet"],
        cwd=PROJECT_DIR, env=child_env(), check=True, stdout=subprocess.DEVNULL,
    )
    return time.monotonic() - start


def post(url: str, sender: str, text: str) -> float:
    body = json.dumps({"sender": sender, "message": text}).encode()
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    start = time.monotonic()
    with urllib.request.urlopen(request, timeout=60) as response:
        json.loads(response.read())
    return time.monotonic() - start


def percentile(values, pct):
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))
    return ordered[index]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--conversations", type=int, default=10)
    parser.add_argument("--skip-train", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if args.skip_train:
            model = DEFAULT_MODEL
            print("train time:            skipped")
        else:
            seconds = train(tmp)
            model = tmp / "bench.tar.gz"
            print(f"train time:            {seconds:6.1f} s")
        endpoints = write_endpoints(tmp / "endpoints.yml", 5255, str(tmp / "tracker.db"))
        assistant = Assistant(rasa_port=5205, actions_port=5255, model=model, endpoints=endpoints, log_dir=tmp)
        with assistant:
            print(f"server start time:     {assistant.start_seconds:6.1f} s (both servers until they answer)")
            url = f"{assistant.url}/webhooks/rest/webhook"
            post(url, "warm-up", "hoi")
            latencies = []
            per_turn = {text: [] for text in INTERVIEW}
            for _ in range(args.conversations):
                sender = uuid.uuid4().hex
                for text in INTERVIEW:
                    seconds = post(url, sender, text)
                    latencies.append(seconds)
                    per_turn[text].append(seconds)
        ms = [s * 1000 for s in latencies]
        print(f"REST replies:          {len(ms)} over {args.conversations} full interviews")
        print(f"REST latency p50:      {statistics.median(ms):6.0f} ms")
        print(f"REST latency p95:      {percentile(ms, 95):6.0f} ms")
        print(f"REST latency max:      {max(ms):6.0f} ms")
        for text, values in per_turn.items():
            print(f"  median {statistics.median(values) * 1000:5.0f} ms  {text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
