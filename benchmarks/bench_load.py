"""Side-by-side load benchmark: our assistant against Rasa's own moodbot (prints figures, asserts nothing).

    .venv/bin/python benchmarks/bench_load.py [--users 1,20] [--rounds 2,1] [--model PATH]
        [--moodbot-dir DIR] [--timeout 120] [--json FILE] [--verbose]

In one run it

1. scaffolds Rasa's moodbot with `rasa init --no-prompt` (which also trains it) into a temporary
   folder and runs `rasa train --quiet` there (with --moodbot-dir: that folder, kept, and reused
   when it holds a model);
2. copies our code and Rasa files (actions/, bot/, conversation/, knowledge/, *.yml) into a
   temporary folder and starts the copy as `make run` does: `python -m knowledge load`, then
   `python -m bot run --port ... --actions-port ... --model ...` on free ports. Everything the
   launcher writes (var/: knowledge base, tracker store, run files, export secret) therefore stays
   in the temporary folder; the model is only read;
3. starts the moodbot with `rasa run --enable-api` on a free port (it needs no action server);
4. drives both with the same asyncio/aiohttp REST harness (POST /webhooks/rest/webhook): at each
   concurrency level N of --users, N simulated users start at once and each walks its script
   --rounds times, each round as a new conversation. Ours: a full interview from the greeting to
   the recap of the plan (16 messages); the moodbot: greet, mood answers, goodbye, repeated to the
   same 16 messages. Every reply is checked against the text the script expects;
5. prints per level and bot: latency p50/p95/p99/max (request to response, per message),
   messages/s over the level, errors (HTTP errors, timeouts), replies that were off the script
   (ours: also how many were the action guard's apology), CPU time of the server processes per
   message, and the ratios ours/moodbot; the cold start (process start until the servers answer)
   and the memory after the load (RSS and PSS summed over the process tree, from /proc).

The levels run one bot at a time (ours, then the moodbot, per level), so the two never compete
for the CPUs. Absolute figures depend on the machine and on what else runs on it (the load
average before and after is printed); the ratios are the result. Every process started here is
stopped at the end, also on Ctrl-C, SIGTERM or an error (each runs in its own process group).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import aiohttp

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_MODEL = PROJECT_DIR / "models" / "preventiewijzer.tar.gz"
# What `python -m bot run` needs of the project; copied so that its var/ is a temporary one.
PROJECT_PARTS = ("actions", "bot", "conversation", "knowledge", "config.yml", "domain.yml", "endpoints.yml",
                 "credentials.yml")
# Settings of the user's environment that would point our copy at the user's own data or ports.
DROPPED_ENV = ("DATABASE_URL", "RASA_ENDPOINTS", "RASA_PORT", "ACTIONS_PORT", "EXPORT_SECRET_FILE", "PYTHONPATH")
APOLOGY = "Er ging iets mis aan mijn kant"  # the action guard's reply when the action server is late or down

# (message, a text the reply must contain). Ours: the 3-MMC interview of the end-to-end tests, typed,
# from the greeting through all five plan steps to the recap.
OUR_SCRIPT: Tuple[Tuple[str, str], ...] = (
    ("hoi", "Voor welke gemeente werk je?"),
    ("gemeente Zwolle", "Vanuit welk domein"),
    ("gezondheid", "Waarom kom je vandaag?"),
    ("er is een signaal", "Welk signaal zie je?"),
    ("we zien steeds meer 3-MMC bij jongeren in het uitgaansleven", "Wie heeft het gezien of gemeld?"),
    ("de jongerenwerkers en een paar kroegbazen", "Zie je nog een ander signaal?"),
    ("nee", "Klopt dat?"),
    ("ja", "Welke partners zijn al betrokken?"),
    ("GGD en jongerenwerk", "Welk beleid is er al?"),
    ("we hebben een preventie- en handhavingsplan alcohol", "Hoeveel ruimte"),
    ("gemiddeld", "Stap 1 van 5"),
    ("volgende", "Stap 2 van 5"),
    ("volgende", "Stap 3 van 5"),
    ("volgende", "Stap 4 van 5"),
    ("volgende", "Stap 5 van 5"),
    ("volgende", "samen hebben gemaakt voor Zwolle"),
)
# The moodbot's stories and rules (rasa init): greet -> how are you; sad -> cheer up + did that help;
# yes -> great; bye -> bye; "are you a bot" -> I am a bot. Repeated to the length of our script.
MOODBOT_CYCLE: Tuple[Tuple[str, str], ...] = (
    ("hello", "How are you?"),
    ("I am sad", "Did that help you?"),
    ("yes", "Great, carry on!"),
    ("bye", "Bye"),
    ("hi", "How are you?"),
    ("I am great", "Great, carry on!"),
    ("are you a bot?", "I am a bot"),
    ("goodbye", "Bye"),
)
MOODBOT_SCRIPT = tuple(MOODBOT_CYCLE[i % len(MOODBOT_CYCLE)] for i in range(len(OUR_SCRIPT)))


class BenchError(RuntimeError):
    """Something the benchmark could not do; printed as one line (with a log tail)."""


# -- processes -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def base_env() -> Dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in DROPPED_ENV}
    env.update(RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="2", PYTHONHASHSEED="0")
    env.setdefault("PYTHONWARNINGS", "ignore::DeprecationWarning,ignore::PendingDeprecationWarning")
    return env


def log_tail(path: Path, chars: int = 2000) -> str:
    try:
        return path.read_text(errors="replace")[-chars:]
    except OSError:
        return ""


def _proc_stat(pid: int) -> Optional[List[str]]:
    """The fields of /proc/PID/stat after the command name (field 3 onwards), or None."""
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8", errors="replace") as handle:
            text = handle.read()
    except OSError:
        return None
    return text[text.rindex(")") + 2:].split()


def process_tree(root: int) -> List[int]:
    """``root`` and every process below it (by parent pid), from /proc."""
    children: Dict[int, List[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _proc_stat(int(entry))
            if fields:
                children.setdefault(int(fields[1]), []).append(int(entry))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


def start_time(pid: int) -> Optional[str]:
    fields = _proc_stat(pid)
    return fields[19] if fields else None  # field 22: start time in clock ticks since boot


def cpu_seconds(pids: Sequence[int]) -> float:
    """User + system CPU time of these processes (their own, not of children that ended)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        fields = _proc_stat(pid)
        if fields:
            total += int(fields[11]) + int(fields[12])  # fields 14 and 15: utime, stime
    return total / ticks


def memory_kb(pids: Sequence[int]) -> Dict[str, int]:
    """RSS (VmRSS) and PSS (smaps_rollup) summed over these processes, in kB."""
    rss = pss = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    rss += int(line.split()[1])
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    pss += int(line.split()[1])
        except (OSError, ValueError):
            continue
    return {"rss_kb": rss, "pss_kb": pss}


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


class Started:
    """A process started here in its own process group; ``stop`` ends it and all it started."""

    def __init__(self, name: str, args: List[str], cwd: Path, env: Dict[str, str], log: Path):
        self.name = name
        self.log = log
        self.began = time.monotonic()
        with open(log, "wb") as out:
            self.process = subprocess.Popen(args, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                            start_new_session=True)

    @property
    def pid(self) -> int:
        return self.process.pid

    def tree(self) -> List[int]:
        return process_tree(self.pid) if self.process.poll() is None else []

    def wait_ready(self, urls: Sequence[str], timeout: float) -> float:
        """Seconds from the process start until every URL answered 200."""
        pending = list(urls)
        while pending:
            if self.process.poll() is not None:
                raise BenchError(f"the {self.name} stopped during start-up (exit code {self.process.returncode}); "
                                 f"its log ends with:\n{log_tail(self.log)}")
            if time.monotonic() - self.began > timeout:
                raise BenchError(f"the {self.name} did not answer within {timeout:.0f} s; its log ends with:\n"
                                 f"{log_tail(self.log)}")
            for url in list(pending):
                try:
                    with urllib.request.urlopen(url, timeout=2) as response:
                        if response.status == 200:
                            pending.remove(url)
                except OSError:
                    pass
            if pending:
                time.sleep(0.1)
        return time.monotonic() - self.began

    def stop(self, grace: float = 30) -> None:
        # What it started: in other process groups too (our launcher starts each server in its own session).
        below = [(pid, start_time(pid)) for pid in self.tree()[1:]]
        if self.process.poll() is None:
            _kill_group(self.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                _kill_group(self.pid, signal.SIGKILL)
                self.process.wait()
        _kill_group(self.pid, signal.SIGKILL)  # anything left in its group
        for pid, began in below:
            if began is not None and start_time(pid) == began:  # still the same process
                try:
                    group = os.getpgid(pid)
                except ProcessLookupError:
                    continue
                if group != os.getpgrp():
                    _kill_group(group, signal.SIGKILL)


def _kill_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def run_quietly(what: str, args: List[str], cwd: Path, env: Dict[str, str], log: Path) -> float:
    """Run a command to its end in its own process group (killed on Ctrl-C); returns the seconds."""
    process = Started(what, args, cwd, env, log)
    try:
        code = process.process.wait()
    except BaseException:
        process.stop(grace=5)
        raise
    if code != 0:
        raise BenchError(f"{what} failed (exit code {code}); its log ends with:\n{log_tail(log)}")
    return time.monotonic() - process.began


# -- the two bots --------------------------------------------------------------------------------


def prepare_moodbot(directory: Path, env: Dict[str, str], logs: Path) -> Tuple[Path, Optional[float]]:
    """Scaffold and train the moodbot in ``directory`` unless it holds a model already.

    Returns the model and the seconds of scaffolding and training (None when reused).
    """
    models = sorted((directory / "models").glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    seconds: Optional[float] = None
    if not models:
        directory.mkdir(parents=True, exist_ok=True)
        seconds = run_quietly("rasa init (moodbot)", [sys.executable, "-m", "rasa", "init", "--no-prompt",
                                                      "--init-dir", str(directory)],
                              directory, env, logs / "moodbot-init.log")
        seconds += run_quietly("rasa train (moodbot)", [sys.executable, "-m", "rasa", "train", "--quiet"],
                               directory, env, logs / "moodbot-train.log")
        models = sorted((directory / "models").glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not models:
        raise BenchError(f"no moodbot model in {directory / 'models'} after training")
    return models[-1], seconds


def copy_project(target: Path) -> Path:
    target.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".mypy_cache", ".ruff_cache")
    for part in PROJECT_PARTS:
        source = PROJECT_DIR / part
        if source.is_dir():
            shutil.copytree(source, target / part, ignore=ignore)
        elif source.exists():
            shutil.copy2(source, target / part)
    return target


@dataclass
class Bot:
    key: str  # "ours", "moodbot"
    title: str
    process: Started
    url: str  # the REST webhook
    script: Tuple[Tuple[str, str], ...]
    cold_start: float = 0.0
    parts: Dict[int, str] = field(default_factory=dict)  # pid -> label, for the memory breakdown

    def label(self, pid: int) -> str:
        if pid == self.process.pid:
            return "launcher" if self.key == "ours" else "Rasa server"
        line = command_line(pid)
        if "rasa_sdk" in line:
            return "action server"
        if " rasa run" in f" {line}" or "-m rasa run" in line:
            return "Rasa server"
        return "other"

    def breakdown(self) -> Dict[str, Dict[str, int]]:
        """Memory per part: each direct child of the root with everything below it."""
        out: Dict[str, Dict[str, int]] = {}
        root = self.process.pid
        tree = process_tree(root)
        children = [pid for pid in tree if pid != root and (_proc_stat(pid) or ["", "0"])[1] == str(root)]
        below_children = set()
        for child in children:
            pids = process_tree(child)
            below_children.update(pids)
            out.setdefault(self.label(child), {"rss_kb": 0, "pss_kb": 0})
            for key, value in memory_kb(pids).items():
                out[self.label(child)][key] += value
        rest = [pid for pid in tree if pid not in below_children]
        out[self.label(root)] = memory_kb(rest)
        return out


# -- the load harness ----------------------------------------------------------------------------


@dataclass
class Level:
    users: int
    rounds: int
    latencies: List[float] = field(default_factory=list)  # seconds, successful requests only
    errors: int = 0
    off_script: int = 0
    apologies: int = 0
    seconds: float = 0.0
    cpu: Optional[float] = None  # CPU seconds of the bot's processes during the level
    examples: List[str] = field(default_factory=list)

    @property
    def messages(self) -> int:
        return len(self.latencies)

    def note(self, text: str) -> None:
        if len(self.examples) < 5:
            self.examples.append(text)


async def walk(session: aiohttp.ClientSession, bot: Bot, sender: str, level: Level, timeout: float) -> None:
    """One conversation: the bot's script, message by message."""
    for text, expected in bot.script:
        began = time.perf_counter()
        try:
            async with session.post(bot.url, json={"sender": sender, "message": text},
                                    timeout=aiohttp.ClientTimeout(total=timeout)) as response:
                body = await response.read()
                status = response.status
            elapsed = time.perf_counter() - began
            if status != 200:
                level.errors += 1
                level.note(f"{text!r}: HTTP {status}")
                continue
            replies = json.loads(body)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as err:
            level.errors += 1
            level.note(f"{text!r}: {type(err).__name__} {err}")
            continue
        level.latencies.append(elapsed)
        said = "\n".join(str(r.get("text") or "") for r in replies if isinstance(r, dict))
        if expected not in said:
            level.off_script += 1
            if APOLOGY in said:
                level.apologies += 1
            level.note(f"{text!r}: expected {expected!r}, got {said[:200]!r}")


async def run_level(bot: Bot, users: int, rounds: int, timeout: float) -> Level:
    level = Level(users, rounds)
    run_id = uuid.uuid4().hex[:8]

    async def user(number: int) -> None:
        for round_ in range(rounds):
            await walk(session, bot, f"load-{run_id}-{users}-{number}-{round_}", level, timeout)

    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:
        pids = bot.process.tree()
        cpu_before = cpu_seconds(pids)
        began = time.perf_counter()
        await asyncio.gather(*(user(n) for n in range(users)))
        level.seconds = time.perf_counter() - began
        level.cpu = cpu_seconds(pids) - cpu_before
    return level


# -- figures -------------------------------------------------------------------------------------


def percentile(values: Sequence[float], pct: float) -> Optional[float]:
    """Nearest-rank percentile; None without values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * pct // 100))  # ceil(n * pct / 100)
    return ordered[int(rank) - 1]


def level_figures(level: Level) -> Dict[str, Any]:
    ms = [s * 1000 for s in level.latencies]
    sent = level.users * level.rounds
    return {
        "users": level.users,
        "conversations": sent,
        "messages": level.messages,
        "errors": level.errors,
        "off_script": level.off_script,
        "apologies": level.apologies,
        "p50_ms": percentile(ms, 50),
        "p95_ms": percentile(ms, 95),
        "p99_ms": percentile(ms, 99),
        "max_ms": max(ms) if ms else None,
        "mean_ms": sum(ms) / len(ms) if ms else None,
        "seconds": level.seconds,
        "messages_per_s": level.messages / level.seconds if level.seconds else None,
        "cpu_ms_per_message": 1000 * level.cpu / level.messages if level.cpu is not None and level.messages else None,
        "examples": level.examples,
    }


def ratio(ours: Optional[float], theirs: Optional[float]) -> Optional[float]:
    return ours / theirs if ours is not None and theirs else None


def fmt(value: Optional[float], spec: str = ".0f", suffix: str = "") -> str:
    return "-" if value is None else f"{value:{spec}}{suffix}"


def report(results: Dict[str, Any]) -> None:
    bots = results["bots"]
    ours, mood = bots["ours"], bots["moodbot"]
    print()
    print("== Load benchmark: Preventiewijzer (ours) and Rasa's moodbot, the same REST harness")
    print(f"   scripts: {len(OUR_SCRIPT)} messages per conversation for both (ours: greeting to the plan's recap; "
          "moodbot: greet, mood, goodbye, repeated)")
    machine = results["machine"]
    print(f"   machine: {machine['cpus']} CPUs; load average before {machine['load_before']}, "
          f"after {machine['load_after']}")
    print()
    print(f"{'':46s}{'ours':>10s}{'moodbot':>10s}{'ours/moodbot':>14s}")
    print(f"{'cold start (s, until the servers answer)':46s}{ours['cold_start_s']:10.1f}{mood['cold_start_s']:10.1f}"
          f"{fmt(ratio(ours['cold_start_s'], mood['cold_start_s']), '.2f'):>14s}")
    for key, what in (("rss_kb", "RSS"), ("pss_kb", "PSS")):
        a, b = ours["memory"][key] / 1024, mood["memory"][key] / 1024
        print(f"{f'memory after the load (MB, {what}, tree)':46s}{a:10.0f}{b:10.0f}{fmt(ratio(a, b), '.2f'):>14s}")
    print("   ours by process: " + ", ".join(
        f"{name} {part['rss_kb'] / 1024:.0f} MB RSS / {part['pss_kb'] / 1024:.0f} MB PSS"
        for name, part in ours["memory_parts"].items()))
    print()
    head = (f"{'users':>5s} {'conv':>5s}  {'bot':12s}{'msgs':>6s}{'err':>5s}{'off':>5s}{'p50 ms':>9s}{'p95 ms':>9s}"
            f"{'p99 ms':>9s}{'max ms':>9s}{'msg/s':>8s}{'CPU ms/msg':>12s}")
    print(head)
    print("-" * len(head))
    for key in results["levels"]:
        a, b = ours["levels"][key], mood["levels"][key]
        for name, f in (("ours", a), ("moodbot", b)):
            print(f"{f['users']:5d} {f['conversations']:5d}  {name:12s}{f['messages']:6d}{f['errors']:5d}"
                  f"{f['off_script']:5d}{fmt(f['p50_ms']):>9s}{fmt(f['p95_ms']):>9s}{fmt(f['p99_ms']):>9s}"
                  f"{fmt(f['max_ms']):>9s}{fmt(f['messages_per_s'], '.1f'):>8s}{fmt(f['cpu_ms_per_message']):>12s}")
        r = results["ratios"]["levels"][key]
        print(f"{'':12s}  {'ours/moodbot':12s}{'':16s}{fmt(r['p50_ms'], '.1f'):>9s}{fmt(r['p95_ms'], '.1f'):>9s}"
              f"{fmt(r['p99_ms'], '.1f'):>9s}{fmt(r['max_ms'], '.1f'):>9s}{fmt(r['messages_per_s'], '.2f'):>8s}"
              f"{fmt(r['cpu_ms_per_message'], '.1f'):>12s}")
    print()
    print("err: HTTP errors and timeouts (not in the latencies); off: replies without the text the script expects"
          + (f" (ours: {sum(ours['levels'][k]['apologies'] for k in ours['levels'])} of them the action guard's "
             "apology)" if any(ours["levels"][k]["off_script"] for k in ours["levels"]) else ""))
    print("CPU ms/msg: user+system CPU time of the bot's server processes during the level, per message.")


def parse_list(text: str) -> List[int]:
    try:
        values = [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected numbers separated by commas, not {text!r}") from None
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(f"expected positive numbers, not {text!r}")
    return values


# -- main ----------------------------------------------------------------------------------------


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def warm_up(bot: Bot, timeout: float, verbose: bool) -> None:
    """One conversation, not measured: first-use costs stay out of the figures; checks the script."""
    level = asyncio.run(run_level(bot, 1, 1, timeout))
    if level.errors or level.off_script:
        print(f"   warning: the warm-up conversation of {bot.title} had {level.errors} errors and "
              f"{level.off_script} replies off the script:", flush=True)
        for example in level.examples:
            print(f"     {example}")
    elif verbose:
        print(f"   warm-up of {bot.title}: all {level.messages} replies as the script expects", flush=True)


def run(args: argparse.Namespace, tmp: Path, started: List[Started]) -> Dict[str, Any]:
    logs = tmp / "logs"
    logs.mkdir()
    env = base_env()
    model = Path(args.model).resolve()
    if not model.exists():
        raise BenchError(f"no trained model at {model}; run 'make model' or pass --model")
    rounds = args.rounds if len(args.rounds) == len(args.users) else [args.rounds[0]] * len(args.users)
    load_before = " ".join(f"{v:.2f}" for v in os.getloadavg())

    print("== moodbot: rasa init --no-prompt, rasa train --quiet", flush=True)
    moodbot_dir = Path(args.moodbot_dir).resolve() if args.moodbot_dir else tmp / "moodbot"
    moodbot_model, seconds = prepare_moodbot(moodbot_dir, env, logs)
    print(f"   {'reused ' + str(moodbot_model) if seconds is None else f'scaffolded and trained in {seconds:.0f} s'}",
          flush=True)

    print("== ours: copy of the code, python -m knowledge load", flush=True)
    copy = copy_project(tmp / "preventiewijzer")
    run_quietly("python -m compileall", [sys.executable, "-m", "compileall", "-q", str(copy)], copy, env,
                logs / "compileall.log")
    run_quietly("python -m knowledge load", [sys.executable, "-m", "knowledge", "load"], copy,
                {**env, "PYTHONPATH": str(copy)}, logs / "knowledge.log")

    print("== starting the moodbot (rasa run --enable-api)", flush=True)
    port = free_port()
    process = Started("moodbot", [sys.executable, "-m", "rasa", "run", "--enable-api", "--port", str(port),
                                  "--model", str(moodbot_model)], moodbot_dir, env, logs / "moodbot.log")
    started.append(process)
    moodbot = Bot("moodbot", "the moodbot", process, f"http://localhost:{port}/webhooks/rest/webhook", MOODBOT_SCRIPT)
    moodbot.cold_start = process.wait_ready([f"http://localhost:{port}/webhooks/rest/"], args.start_timeout)
    print(f"   answers after {moodbot.cold_start:.1f} s", flush=True)

    print("== starting ours (python -m bot run)", flush=True)
    port, actions_port = free_port(), free_port()
    process = Started("assistant", [sys.executable, "-m", "bot", "run", "--port", str(port), "--actions-port",
                                    str(actions_port), "--model", str(model)],
                      copy, {**env, "PYTHONPATH": str(copy)}, logs / "ours.log")
    started.append(process)
    ours = Bot("ours", "our assistant", process, f"http://localhost:{port}/webhooks/rest/webhook", OUR_SCRIPT)
    ours.cold_start = process.wait_ready(
        [f"http://localhost:{actions_port}/health", f"http://localhost:{port}/webhooks/rest/"], args.start_timeout)
    print(f"   both servers answer after {ours.cold_start:.1f} s", flush=True)

    bots = (ours, moodbot)
    for bot in bots:
        warm_up(bot, args.timeout, args.verbose)

    levels: Dict[str, Dict[str, Dict[str, Any]]] = {bot.key: {} for bot in bots}
    for users, count in zip(args.users, rounds, strict=True):
        for bot in bots:
            print(f"== {bot.title}: {users} users x {count} conversations of {len(bot.script)} messages", flush=True)
            level = asyncio.run(run_level(bot, users, count, args.timeout))
            figures = level_figures(level)
            levels[bot.key][str(users)] = figures
            print(f"   {figures['messages']} replies in {level.seconds:.1f} s, p50 {fmt(figures['p50_ms'])} ms, "
                  f"{level.errors} errors, {level.off_script} off the script", flush=True)
            if args.verbose:
                for example in level.examples:
                    print(f"     {example}")

    results: Dict[str, Any] = {
        "machine": {"cpus": os.cpu_count(), "load_before": load_before,
                    "load_after": " ".join(f"{v:.2f}" for v in os.getloadavg())},
        "config": {"users": args.users, "rounds": rounds, "messages_per_conversation": len(OUR_SCRIPT),
                   "model": str(model), "moodbot_model": str(moodbot_model), "timeout_s": args.timeout},
        "levels": [str(u) for u in args.users],
        "bots": {},
    }
    for bot in bots:
        results["bots"][bot.key] = {
            "cold_start_s": bot.cold_start,
            "memory": memory_kb(bot.process.tree()),
            "memory_parts": bot.breakdown(),
            "levels": levels[bot.key],
        }
    a, b = results["bots"]["ours"], results["bots"]["moodbot"]
    keys = ("p50_ms", "p95_ms", "p99_ms", "max_ms", "mean_ms", "messages_per_s", "cpu_ms_per_message")
    results["ratios"] = {
        "cold_start": ratio(a["cold_start_s"], b["cold_start_s"]),
        "rss": ratio(a["memory"]["rss_kb"], b["memory"]["rss_kb"]),
        "pss": ratio(a["memory"]["pss_kb"], b["memory"]["pss_kb"]),
        "levels": {level: {k: ratio(a["levels"][level][k], b["levels"][level][k]) for k in keys}
                   for level in results["levels"]},
    }
    return results


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=parse_list, default=[1, 20],
                        help="concurrency levels, comma-separated (default: 1,20)")
    parser.add_argument("--rounds", type=parse_list, default=[2, 1],
                        help="conversations per user at each level, comma-separated like --users, or one "
                             "number for all (default: 2,1)")
    parser.add_argument("--model", default=str(DEFAULT_MODEL), help="our trained model (default: %(default)s)")
    parser.add_argument("--moodbot-dir", help="folder for the moodbot; kept, and reused when it holds a model")
    parser.add_argument("--timeout", type=float, default=120, help="seconds per request (default: 120)")
    parser.add_argument("--start-timeout", type=float, default=600,
                        help="seconds to wait for a server to answer (default: 600)")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--verbose", action="store_true", help="show replies that were off the script")
    args = parser.parse_args(argv)
    if len(args.rounds) not in (1, len(args.users)):
        parser.error("--rounds takes one number or one per --users level")

    # Ctrl-C and SIGTERM stop everything started, also when SIGINT came in ignored (a background job).
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    started: List[Started] = []
    code = 0
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        try:
            results = run(args, Path(tmp), started)
        except BenchError as err:
            print(f"error: {err}", file=sys.stderr)
            code = 1
        except KeyboardInterrupt:
            print("\ninterrupted; stopping what was started", file=sys.stderr)
            code = 130
        finally:
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the clean-up short
            for process in reversed(started):
                process.stop()
            signal.signal(signal.SIGINT, signal.default_int_handler)
    if code:
        return code
    report(results)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
        print(f"\nfigures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
