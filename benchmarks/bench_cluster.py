"""Benchmark (prints figures, asserts nothing): throughput of `python -m bot cluster` with one Rasa
replica and with two, measured in one run on one cluster, and the memory (RSS) of each process.

    .venv/bin/python benchmarks/bench_cluster.py [--conversations 20] [--turns 10]

One cluster is started on ports of its own (8380, 5231-, 5281-, 5453, 6400) in a temporary
folder. The same load — N conversations at once, each M messages in a row over REST — goes first
straight to replica 1 (one replica; it still uses PostgreSQL, Redis and both action servers),
then through nginx (round-robin over both replicas). Each figure is messages answered per second
over the whole batch; a warm-up batch comes first.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Dict, List, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.cli import PROJECT_DIR, child_env  # noqa: E402

PORTS = {"CLUSTER_PORT": 8380, "CLUSTER_RASA_PORT": 5231, "CLUSTER_ACTIONS_PORT": 5281,
         "CLUSTER_ACTIONS_LB_PORT": 5280, "POSTGRES_PORT": 5453, "REDIS_PORT": 6400}
SCRIPT = ["hoi", "{municipality}", "gezondheid", "er is een signaal",
          "we zien steeds meer 3-MMC bij jongeren in het uitgaansleven", "jongerenwerk en horeca", "nee", "ja",
          "GGD en jongerenwerk", "geen", "gemiddeld", "volgende", "waarom?", "volgende", "hoe erkend?", "volgende",
          "volgende", "volgende", "verslag", "volgende"]
MUNICIPALITIES = ["Zwolle", "Deventer", "Amersfoort", "Aalten", "Utrecht", "Groningen", "Tilburg", "Almere"]


def say(url: str, sender: str, text: str) -> bool:
    body = json.dumps({"sender": sender, "message": text}).encode()
    request = urllib.request.Request(f"{url}/webhooks/rest/webhook", data=body,
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status == 200 and bool(json.loads(response.read()))
    except OSError:
        return False


def batch(url: str, conversations: int, turns: int) -> Tuple[float, int]:
    """(messages per second, errors) for ``conversations`` at once of ``turns`` messages each."""
    run = uuid.uuid4().hex[:6]

    def one(i: int) -> int:
        sender = f"bench-{run}-{i}"
        return sum(not say(url, sender, t.format(municipality=MUNICIPALITIES[i % len(MUNICIPALITIES)]))
                   for t in SCRIPT[:turns])

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=conversations) as pool:
        errors = sum(pool.map(one, range(conversations)))
    return conversations * turns / (time.monotonic() - started), errors


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def children(pid: int) -> Dict[int, str]:
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found[int(stat.parent.name)] = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, IndexError, ValueError):
            continue
    return found


def group_rss(pgid: int) -> float:
    """RSS of a whole process group (nginx and PostgreSQL have worker processes)."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[2]) == pgid:
                total += rss_mb(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    return total


def label(cmdline: str) -> str:
    for word, name in (("rasa run", "Rasa replica"), ("rasa_sdk", "action server"), ("redis-server", "Redis"),
                       ("nginx", "nginx"), ("postgres", "PostgreSQL")):
        if word in cmdline:
            port = next((p for p in cmdline.split() if p.isdigit() and len(p) == 4), "")
            return f"{name} {port}".strip()
    return cmdline[:40]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--conversations", type=int, default=20)
    parser.add_argument("--turns", type=int, default=10)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="pw-bench-cluster-"))
    folder.chmod(0o755)  # PostgreSQL and Redis run as their own users
    env = dict(child_env(), CLUSTER_DIR=str(folder / "cluster"), **{k: str(v) for k, v in PORTS.items()})
    log = folder / "cluster.log"
    with open(log, "wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "bot", "cluster"], cwd=PROJECT_DIR, env=env,
                                   stdout=out, stderr=subprocess.STDOUT)
    try:
        started = time.monotonic()
        while b"is ready" not in log.read_bytes():
            if process.poll() is not None or time.monotonic() - started > 600:
                sys.exit("the cluster did not start:\n" + log.read_text(errors="replace")[-3000:])
            time.sleep(1)
        print(f"cluster started in {time.monotonic() - started:.0f} s ({os.cpu_count()} cores)")
        one = f"http://127.0.0.1:{PORTS['CLUSTER_RASA_PORT']}"
        both = f"http://127.0.0.1:{PORTS['CLUSTER_PORT']}"
        batch(both, 4, args.turns)  # warm-up: both replicas and both action servers
        results: List[Tuple[str, float, int]] = []
        for name, url in (("1 Rasa replica (straight to it)", one), ("2 Rasa replicas (through nginx)", both)):
            rate, errors = batch(url, args.conversations, args.turns)
            results.append((name, rate, errors))
        print(f"\nthroughput: {args.conversations} conversations at once x {args.turns} messages over REST")
        for name, rate, errors in results:
            print(f"  {name:34} {rate:5.1f} messages/s  ({errors} errors)")
        print(f"  ratio 2/1: {results[1][1] / results[0][1]:.2f}")
        print("\nmemory (RSS after the load; process group for PostgreSQL and nginx):")
        for pid, cmdline in sorted(children(process.pid).items(), key=lambda item: label(item[1])):
            print(f"  {label(cmdline):24} {group_rss(pid):7.0f} MB")
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=120)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
