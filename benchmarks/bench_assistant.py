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

# The three interviews of the end-to-end tests (3-MMC, LVB, debt), typed answers only.
INTERVIEWS = {
    "3-MMC in nightlife": [
        "hoi", "gemeente Zwolle", "gezondheid", "er is een signaal",
        "we zien steeds meer 3-MMC bij jongeren in het uitgaansleven", "wat is selectieve preventie?",
        "de jongerenwerkers en een paar kroegbazen", "nee", "ja", "GGD en jongerenwerk",
        "we hebben een preventie- en handhavingsplan alcohol", "gemiddeld",
        "volgende", "volgende", "waarom?", "volgende", "sla over", "volgende", "stuur me het verslag",
    ],
    "LVB, health policy": [
        "goedemorgen", "Ede", "ik werk in het sociaal domein", "we schrijven de gezondheidsnota",
        "alcohol en blowen bij mensen met een licht verstandelijke beperking", "in de woonvoorziening en op straat",
        "de begeleiders", "weet ik niet", "nee", "nog niemand", "geen", "weinig, een paar uur per week",
        "volgende", "volgende", "hoe erkend is dit?", "volgende", "volgende", "volgende",
    ],
    "debt and stress": [
        "hallo", "Tilburg", "veiligheid", "er is een signaal", "mensen met schulden die veel drinken, thuis",
        "de schuldhulpverlening", "het neemt toe", "ja", "gokken", "online", "weet ik niet", "weet ik niet", "nee",
        "het sociaal wijkteam en schuldhulpverlening", "weet ik niet", "ruim: er is budget en tijd",
        "volgende", "volgende", "andere optie", "volgende", "volgende", "volgende", "stuur me het verslag",
    ],
}


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
    parser.add_argument("--conversations", type=int, default=3, help="rounds of the three interviews")
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
            per_interview = {name: [] for name in INTERVIEWS}
            for _ in range(args.conversations):
                for name, turns in INTERVIEWS.items():
                    sender = uuid.uuid4().hex
                    for text in turns:
                        seconds = post(url, sender, text)
                        latencies.append(seconds)
                        per_interview[name].append(seconds)
        ms = [s * 1000 for s in latencies]
        print(f"REST replies:          {len(ms)} over {args.conversations} x {len(INTERVIEWS)} full interviews")
        print(f"REST latency p50:      {statistics.median(ms):6.0f} ms")
        print(f"REST latency p95:      {percentile(ms, 95):6.0f} ms")
        print(f"REST latency max:      {max(ms):6.0f} ms")
        for name, values in per_interview.items():
            values_ms = [v * 1000 for v in values]
            print(f"  {name:20s} p50 {statistics.median(values_ms):5.0f} ms  p95 {percentile(values_ms, 95):5.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
