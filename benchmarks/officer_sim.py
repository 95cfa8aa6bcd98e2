"""Officer-simulation benchmark: a simulated policy officer interviews with the real assistant.

    .venv/bin/python benchmarks/officer_sim.py [--split tuning|unseen|all] [--only ID[,ID]]
        [--groups-one-each] [--fuzz N] [--model PATH | --url URL --token TOKEN] [--verbose]

Each scenario (benchmarks/scenarios/tuning.yaml and unseen.yaml) says what the officer answers
to each question. The driver starts the action server and the Rasa server (with the HTTP API, to
read the conversation's tracker) on free ports, or uses a running one (--url, --token), and talks
over the REST channel. After each reply it reads the tracker to see which question is open
(``requested_slot`` in the active form, ``plan_position`` in the plan form) and answers that
question from the scenario. It stops at the recap of the plan, or after 60 messages.

Figures per scenario: completed (recap reached), turns (officer messages), the longest run of
one question (consecutive messages answering the same question; a plan step counts per
position), identical consecutive bot messages, resets (a restart, or the municipality being
forgotten), municipality kept, group fit, plan relevance (share of the options of steps 3 and 4
that target a group the officer named) and expected records found. Then per group, and totals
for the tuning split, the unseen split and both.

The fuzz run (--fuzz N) takes a tuning scenario and, at every question, first sends an odd or
unrelated input from benchmarks/scenarios/fuzz_pool.yaml, then the proper answer. The plan must
be reached within 40 messages, the municipality kept once set and nothing reset.

Exit code 1 when a target fails: completion 100%, longest run <= 2, no resets, relevance >= 0.8
for every group, every fuzz conversation holding its properties (--no-fail: report only).
The last line of the output starts with "SUMMARY" (benchmarks/eval_seeds.py collects it).
"""
from __future__ import annotations

import argparse
import itertools
import json
import random
import re
import socket
import statistics
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import yaml

PROJECT_DIR = Path(__file__).resolve().parent.parent
if str(PROJECT_DIR) not in sys.path:
    sys.path.insert(0, str(PROJECT_DIR))

SCENARIO_DIR = Path(__file__).resolve().parent / "scenarios"
SPLITS = ("tuning", "unseen")
DATA_DIR = PROJECT_DIR / "knowledge" / "data"

INTERVIEW_SLOTS = (
    "municipality", "role", "reason", "signal_substances", "signal_settings", "signal_reporters",
    "signal_trend", "more_signals", "groups", "partners_present", "policy", "capacity",
)
DONT_KNOW = "weet ik niet"
NUDGE = "verder"  # sent when no question is open and the opening messages are used up
NEXT_STEP = "volgende"  # sent in the plan once the scenario's plan messages are used up
PLAN_LOOP = "plan_form"
PLAN_SLOT = "plan_feedback"
PROPOSE_ACTION = "action_propose_plan"
RECAP_ACTION = "action_plan_recap"
MAX_TURNS = 60
FUZZ_MAX_TURNS = 40
PLAN_STEPS = ("interventies", "deskundigheid")  # steps 3 and 4: the options relevance is measured on

# Targets (the exit code); --no-fail only reports.
TARGET_COMPLETION = 1.0
TARGET_LONGEST_RUN = 2
TARGET_RESETS = 0
TARGET_RELEVANCE = 0.8

# Everyday names of municipalities whose CBS name is not what people type.
PLAIN_NAMES = {"'s-Gravenhage": "Den Haag", "'s-Hertogenbosch": "Den Bosch"}
STYLES = ("informal", "typos", "long", "other_answer", "dont_know", "question", "correction", "english", "no_substance")
REASONS = ("signaal", "gezondheidsnota", "preventieplan")

Key = Optional[Tuple[str, str]]  # (active loop, question) the officer answers; None when nothing is open


# -- scenarios ---------------------------------------------------------------------------------


@dataclass
class Scenario:
    id: str
    split: str
    reason: str
    style: List[str]
    opening: List[str]
    answers: Dict[str, List[str]]
    interjections: Dict[str, str]
    plan: List[str]
    municipality: str
    groups: List[str]
    records: List[str]
    substances: Optional[List[str]] = None
    # Per slot, ids the officer gave that must be in that slot at the end, wherever they were said
    # ("ggd en welzijnswerk" as the answer to the group question still counts as partners).
    kept: Dict[str, List[str]] = field(default_factory=dict)

    @property
    def plain_municipality(self) -> str:
        name = PLAIN_NAMES.get(self.municipality, self.municipality)
        return re.sub(r"\s*\([^)]*\)\s*$", "", name)


def _strings(value: Any, where: str) -> List[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    raise ValueError(f"{where}: expected a string or a list of strings, got {value!r}")


def load_scenarios(split: str = "all", directory: Path = SCENARIO_DIR) -> List[Scenario]:
    """The scenarios of one split ("tuning", "unseen") or of both ("all"), in file order."""
    splits = SPLITS if split == "all" else (split,)
    out: List[Scenario] = []
    for name in splits:
        raw = yaml.safe_load((directory / f"{name}.yaml").read_text(encoding="utf-8")) or []
        for entry in raw:
            sid = entry["id"]
            answers = {slot: _strings(v, f"{sid}.answers.{slot}") for slot, v in (entry.get("answers") or {}).items()}
            interjections = {slot: str(v) for slot, v in (entry.get("interjections") or {}).items()}
            expect = entry.get("expect") or {}
            out.append(Scenario(
                id=sid, split=name, reason=entry.get("reason", ""), style=list(entry.get("style") or []),
                opening=_strings(entry.get("opening"), f"{sid}.opening") or ["hoi"],
                answers=answers, interjections=interjections, plan=_strings(entry.get("plan"), f"{sid}.plan"),
                municipality=expect["municipality"], groups=list(expect.get("groups") or []),
                records=list(expect.get("records") or []),
                substances=list(expect["substances"]) if expect.get("substances") is not None else None,
                kept={slot: _strings(v, f"{sid}.expect.kept.{slot}") for slot, v in (expect.get("kept") or {}).items()},
            ))
    return out


def check_scenarios(scenarios: Sequence[Scenario], directory: Path = DATA_DIR) -> List[str]:
    """Problems in the scenario files: unknown ids, slots, municipalities, duplicate ids."""
    groups = {g["id"] for g in yaml.safe_load((directory / "groups.yaml").read_text(encoding="utf-8"))}
    records = {i["id"] for i in yaml.safe_load((directory / "interventions.yaml").read_text(encoding="utf-8"))}
    vocabulary = yaml.safe_load((directory / "vocabulary.yaml").read_text(encoding="utf-8"))
    substances = {t["id"] for t in vocabulary["substances"]}
    settings = {t["id"] for t in vocabulary["settings"]}
    partners = {p["id"] for p in yaml.safe_load((directory / "partners.yaml").read_text(encoding="utf-8"))}
    kept_ids = {"partners_present": partners, "signal_reporters": partners, "signal_settings": settings,
                "signal_substances": substances}  # the slots expect.kept may name, and their ids
    lines = (directory / "gemeenten.csv").read_text(encoding="utf-8").splitlines()[1:]
    municipalities = {line.split(",")[1] for line in lines if line}
    problems, seen = [], set()
    for s in scenarios:
        if s.id in seen:
            problems.append(f"{s.id}: duplicate id")
        seen.add(s.id)
        problems += [f"{s.id}: unknown slot {k!r}" for k in list(s.answers) + list(s.interjections) if k not in INTERVIEW_SLOTS]
        problems += [f"{s.id}: unknown group {g!r}" for g in s.groups if g not in groups]
        problems += [f"{s.id}: unknown record {r!r}" for r in s.records if r not in records]
        problems += [f"{s.id}: unknown substance {x!r}" for x in s.substances or [] if x not in substances]
        problems += [f"{s.id}: expect.kept names unknown slot {k!r}" for k in s.kept if k not in kept_ids]
        for slot, ids in s.kept.items():
            problems += [f"{s.id}: expect.kept.{slot}: unknown id {x!r}" for x in ids if x not in kept_ids.get(slot, set())]
        if s.municipality not in municipalities:
            problems.append(f"{s.id}: {s.municipality!r} is not in gemeenten.csv")
        if not s.groups or not 1 <= len(s.records) <= 3:
            problems.append(f"{s.id}: expect needs groups and 1-3 records")
        problems += [f"{s.id}: unknown style {x!r}" for x in s.style if x not in STYLES]
        if s.reason not in REASONS:
            problems.append(f"{s.id}: reason must be one of {', '.join(REASONS)}")
    return problems


def one_per_group(scenarios: Sequence[Scenario]) -> List[Scenario]:
    """The first scenario of each group (by its first expected group), in group order."""
    chosen: Dict[str, Scenario] = {}
    for s in scenarios:
        chosen.setdefault(s.groups[0], s)
    return list(chosen.values())


GENERATED = {
    "a 10,000-character paste": lambda: ("Dit is een lange geplakte tekst uit een beleidsdocument. " * 200)[:10000],
}


def load_pool(path: Path = SCENARIO_DIR / "fuzz_pool.yaml") -> List[str]:
    """The fuzz inputs: every string of the pool file, plus the generated ones."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    pool = [str(item) for items in raw.values() for item in items]
    return pool + [make() for make in GENERATED.values()]


# -- talking to the assistant ------------------------------------------------------------------


class DriverError(RuntimeError):
    """The driver could not talk to the assistant (not a conversation failure)."""


class Client:
    def __init__(self, url: str, token: str, timeout: float = 120):
        self.url = url.rstrip("/")
        self.token = token
        self.timeout = timeout

    def _open(self, request: urllib.request.Request) -> Any:
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as err:
            detail = err.read()[:300].decode(errors="replace")
            raise DriverError(f"{request.get_method()} {request.full_url.split('?')[0]}: HTTP {err.code} {detail}") from err
        except (OSError, ValueError) as err:
            raise DriverError(f"{request.get_method()} {request.full_url.split('?')[0]}: {err}") from err

    def say(self, sender: str, text: str) -> List[dict]:
        body = json.dumps({"sender": sender, "message": text}).encode()
        request = urllib.request.Request(
            f"{self.url}/webhooks/rest/webhook", data=body, headers={"Content-Type": "application/json"}
        )
        return self._open(request) or []

    def tracker(self, sender: str) -> dict:
        query = urllib.parse.urlencode({"token": self.token, "include_events": "ALL"})
        return self._open(urllib.request.Request(f"{self.url}/conversations/{urllib.parse.quote(sender)}/tracker?{query}"))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_assistant(model: Path, log_dir: Path, rasa_port: int = 0, actions_port: int = 0, token: str = ""):
    """Start both servers with the HTTP API on (free) ports; returns (assistant, client)."""
    from bot.cli import Assistant, write_endpoints

    rasa_port = rasa_port or free_port()
    actions_port = actions_port or free_port()
    token = token or uuid.uuid4().hex
    endpoints = write_endpoints(log_dir / "endpoints.yml", actions_port, str(log_dir / "tracker.db"))
    assistant = Assistant(
        rasa_port=rasa_port, actions_port=actions_port, model=model, endpoints=endpoints,
        log_dir=log_dir, api_token=token,
    )
    assistant.start(timeout=300)
    return assistant, Client(assistant.url, token)


# -- reading the tracker -----------------------------------------------------------------------


def question_key(tracker: dict) -> Key:
    """Which question is open: (form, slot), or (plan_form, "step N"); None when none is."""
    loop = (tracker.get("active_loop") or {}).get("name")
    slots = tracker.get("slots") or {}
    if not loop:
        return None
    if loop == PLAN_LOOP:
        return (loop, f"step {(slots.get('plan_position') or 0) + 1}")
    requested = slots.get("requested_slot")
    return (loop, requested) if requested else None


def _since_last_user(events: List[dict]) -> List[dict]:
    last = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=-1)
    return events[last + 1:]


def recap_reached(tracker: dict) -> bool:
    """The recap of the plan was given after the officer's last message."""
    return any(e.get("event") == "action" and e.get("name") == RECAP_ACTION
               for e in _since_last_user(tracker.get("events") or []))


def plan_reached(tracker: dict) -> bool:
    if (tracker.get("active_loop") or {}).get("name") == PLAN_LOOP:
        return True
    return any(e.get("event") == "action" and e.get("name") == PROPOSE_ACTION for e in tracker.get("events") or [])


def restarts(tracker: dict) -> int:
    return sum(1 for e in tracker.get("events") or [] if e.get("event") == "restart")


def show_key(key: Key) -> str:
    if key is None:
        return "-"
    loop, question = key
    return question if loop == "interview_form" else f"{loop}/{question}"


# -- the simulated officer ---------------------------------------------------------------------


class Officer:
    """Answers whatever is asked, from a scenario."""

    def __init__(self, scenario: Scenario):
        self.s = scenario
        self.used: Dict[str, int] = {}
        self.opening_used = 0
        self.plan_used = 0
        self.interjected: set = set()

    def first(self) -> Tuple[str, str]:
        self.opening_used = 1
        return self.s.opening[0], "opening"

    def answer(self, slot: str) -> str:
        answers = self.s.answers.get(slot, [])
        i = self.used.get(slot, 0)
        self.used[slot] = i + 1
        if i < len(answers):
            return answers[i]
        return self.s.plain_municipality if slot == "municipality" else DONT_KNOW

    def unprompted(self) -> Tuple[str, str]:
        """Nothing is asked: the next opening message, then "verder"."""
        if self.opening_used < len(self.s.opening):
            self.opening_used += 1
            return self.s.opening[self.opening_used - 1], "nudge"
        return NUDGE, "nudge"

    def plan_message(self) -> Tuple[str, str]:
        if self.plan_used < len(self.s.plan):
            self.plan_used += 1
            return self.s.plan[self.plan_used - 1], "plan"
        return NEXT_STEP, "plan"

    def reply(self, key: Key, in_plan: bool) -> Tuple[str, str]:
        """What to say now, and what kind of message it is."""
        if key is not None and key[1] in INTERVIEW_SLOTS:
            slot = key[1]
            if slot in self.s.interjections and slot not in self.interjected:
                self.interjected.add(slot)
                return self.s.interjections[slot], "interjection"
            return self.answer(slot), "answer"
        if key is not None and key[0] == PLAN_LOOP or in_plan:
            text, kind = self.plan_message()
            return text, kind if key is not None else "nudge"
        return self.unprompted()


# -- one conversation --------------------------------------------------------------------------


@dataclass
class Turn:
    key: Key  # the question open when the officer spoke
    kind: str  # opening, answer, interjection, plan, nudge, fuzz
    said: str
    replies: List[str]


@dataclass
class Result:
    scenario: Scenario
    sender: str
    turns: List[Turn] = field(default_factory=list)
    completed: bool = False
    plan_reached_at: Optional[int] = None  # the number of officer messages when the plan came
    resets: List[str] = field(default_factory=list)
    municipality_changes: List[str] = field(default_factory=list)
    slots: Dict[str, Any] = field(default_factory=dict)
    last_key: Key = None
    error: Optional[str] = None
    # filled in by evaluate()
    relevance: Optional[float] = None
    records_found: Optional[float] = None
    plan_error: Optional[str] = None

    @property
    def n_turns(self) -> int:
        return len(self.turns)

    @property
    def nudges(self) -> int:
        return sum(1 for t in self.turns if t.kind == "nudge")

    def longest_run(self) -> Tuple[int, Key]:
        best, at, run, prev = 0, None, 0, None
        for turn in self.turns:
            if turn.key is None:
                run, prev = 0, None
                continue
            run = run + 1 if turn.key == prev else 1
            prev = turn.key
            if run > best:
                best, at = run, turn.key
        return best, at

    def repeats(self) -> int:
        """Bot messages identical to the bot message just before them."""
        texts = [r for t in self.turns for r in t.replies if r.strip()]
        return sum(1 for a, b in itertools.pairwise(texts) if a == b)

    @property
    def municipality_ok(self) -> bool:
        return self.slots.get("municipality") == self.scenario.municipality

    @property
    def final_groups(self) -> List[str]:
        value = self.slots.get("groups") or []
        return [str(v) for v in (value if isinstance(value, list) else [value])]

    @property
    def answers_lost(self) -> List[str]:
        """Expected ids (expect.kept) not in their slot at the end, as "slot:id"."""
        lost = []
        for slot, ids in self.scenario.kept.items():
            value = self.slots.get(slot) or []
            have = value if isinstance(value, list) else [value]
            lost += [f"{slot}:{i}" for i in ids if i not in have]
        return lost

    @property
    def groups_missing(self) -> List[str]:
        return [g for g in self.scenario.groups if g not in self.final_groups]

    @property
    def groups_extra(self) -> List[str]:
        return [g for g in self.final_groups if g not in self.scenario.groups]

    def problems(self, detail: bool = True) -> List[str]:
        """What went wrong, in words (targets first, then other findings); without detail only
        the kind of each problem (for the unseen split, whose conversations stay unseen)."""
        out = []  # (kind, detail)
        if self.error:
            out.append(("driver error", self.error))
        if not self.completed:
            out.append(("no recap", f"after {self.n_turns} messages (open question: {show_key(self.last_key)})"))
        run, at = self.longest_run()
        if run > TARGET_LONGEST_RUN:
            out.append(("repeated question", f"{run} times in a row: {show_key(at)}"))
        out += [("reset", text) for text in self.resets]
        if self.slots and not self.municipality_ok:
            out.append(("municipality", f"{self.slots.get('municipality')!r}, expected {self.scenario.municipality!r}"))
        if self.slots and self.groups_missing:
            out.append(("groups missing", f"{', '.join(self.groups_missing)} (slot: {self.final_groups})"))
        if self.slots and self.answers_lost:
            out.append(("answer lost", ", ".join(self.answers_lost)))
        if self.plan_error:
            out.append(("plan", self.plan_error))
        return [f"{kind}: {text}" if detail else kind for kind, text in out]

    def transcript(self, last: Optional[int] = None) -> str:
        turns = self.turns if last is None else self.turns[-last:]
        start = len(self.turns) - len(turns)
        lines = []
        for n, turn in enumerate(turns, start + 1):
            said = turn.said if len(turn.said) <= 200 else turn.said[:200] + f"... ({len(turn.said)} characters)"
            lines.append(f"  {n:>2} [{show_key(turn.key)}] {turn.kind}> {said!r}")
            for reply in turn.replies:
                for line in reply.splitlines() or [""]:
                    lines.append(f"        < {line}")
        return "\n".join(lines)


def _bot_texts(messages: List[dict]) -> List[str]:
    out = []
    for m in messages:
        text = m.get("text") or ""
        buttons = [b.get("title", "") for b in m.get("buttons") or []]
        if buttons:
            text += "  [" + " | ".join(buttons) + "]"
        if text or m.get("custom") or m.get("image"):
            out.append(text or json.dumps({k: v for k, v in m.items() if k != "recipient_id"})[:200])
    return out


class Conversation:
    """Sends messages for one sender and keeps the tracker-based bookkeeping."""

    def __init__(self, client: Client, scenario: Scenario, prefix: str):
        self.client = client
        self.result = Result(scenario, f"{prefix}-{scenario.id}-{uuid.uuid4().hex[:6]}")
        self.tracker: dict = {}
        self.key: Key = None
        self._municipality: Optional[str] = None
        self._restarts = 0

    def send(self, text: str, kind: str) -> dict:
        r = self.result
        replies = _bot_texts(self.client.say(r.sender, text))
        r.turns.append(Turn(self.key, kind, text, replies))
        self.tracker = self.client.tracker(r.sender)
        slots = self.tracker.get("slots") or {}
        n = r.n_turns
        count = restarts(self.tracker)
        municipality = slots.get("municipality")
        if count > self._restarts:  # one reset per message, even when it also forgot the municipality
            r.resets.append(f"the conversation restarted at message {n} ({text[:60]!r})")
            self._restarts = count
        elif self._municipality and not municipality:
            r.resets.append(f"the municipality {self._municipality!r} was forgotten at message {n} ({text[:60]!r})")
        elif self._municipality and municipality != self._municipality:
            r.municipality_changes.append(f"message {n}: {self._municipality!r} -> {municipality!r} ({text[:60]!r})")
        self._municipality = municipality
        r.slots = slots
        self.key = question_key(self.tracker)
        r.last_key = self.key
        if r.plan_reached_at is None and plan_reached(self.tracker):
            r.plan_reached_at = n
        if recap_reached(self.tracker) and r.plan_reached_at is not None:
            # The recap of a plan; the recap action's "no plan yet" is no completion.
            r.completed = True
        return self.tracker


def run_scenario(client: Client, scenario: Scenario, max_turns: int = MAX_TURNS) -> Result:
    conv = Conversation(client, scenario, "sim")
    officer = Officer(scenario)
    try:
        conv.send(*officer.first())
        while not conv.result.completed and conv.result.n_turns < max_turns:
            conv.send(*officer.reply(conv.key, conv.result.plan_reached_at is not None))
    except DriverError as err:
        conv.result.error = str(err)
    return conv.result


def run_fuzz(client: Client, scenario: Scenario, pool: Sequence[str], rng: random.Random,
             max_turns: int = FUZZ_MAX_TURNS) -> Result:
    """At every new question, first an odd input from the pool, then the scenario's answer."""
    conv = Conversation(client, scenario, "fuzz")
    officer = Officer(scenario)
    officer.interjected = set(INTERVIEW_SLOTS)  # the pool items are the interjections here
    fuzzed: Key = None
    try:
        conv.send(*officer.first())
        while conv.result.plan_reached_at is None and conv.result.n_turns < max_turns:
            if conv.key is not None and conv.key != fuzzed:
                fuzzed = conv.key
                conv.send(rng.choice(pool), "fuzz")
            else:
                conv.send(*officer.reply(conv.key, False))
    except DriverError as err:
        conv.result.error = str(err)
    return conv.result


def fuzz_scenarios() -> List[Scenario]:
    """The tuning scenarios the fuzz run borrows answers from: not those that correct the
    municipality on purpose, since the fuzz run checks that the municipality never changes."""
    return [s for s in load_scenarios("tuning") if "correction" not in s.style]


def fuzz_problems(result: Result, max_turns: int = FUZZ_MAX_TURNS) -> List[str]:
    out = []
    if result.error:
        out.append(f"driver error: {result.error}")
    if result.plan_reached_at is None:
        out.append(f"no plan within {max_turns} messages (open question: {show_key(result.last_key)})")
    out += [f"reset: {text}" for text in result.resets]
    out += [f"municipality changed at {c}" for c in result.municipality_changes]
    return out


def run_all(jobs: int, work, items) -> list:
    if jobs <= 1:
        return [work(item) for item in items]
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(work, items))


# -- the plan the final slots give ------------------------------------------------------------


def evaluate(results: Sequence[Result]) -> None:
    """Build the plan of each conversation's final slots and fill in relevance and records found."""
    try:
        from conversation.state import interview_state
        from knowledge.plan import PlanEngine
        from knowledge.store import default_knowledge_base

        engine = PlanEngine(default_knowledge_base().catalog())
    except Exception as err:  # noqa: BLE001 — report, do not crash the benchmark
        for r in results:
            r.plan_error = f"cannot build plans: {type(err).__name__}: {err}"
        return
    for r in results:
        try:
            plan = engine.make_plan(interview_state(r.slots or {}))
            options = [o for step in PLAN_STEPS for o in plan.step(step).options]
            wanted = set(r.scenario.groups)
            fitting = [o for o in options
                       if wanted & set(o.intervention.groups) or getattr(o.intervention, "all_groups", False)]
            r.relevance = len(fitting) / len(options) if options else 0.0
            ids = set(plan.option_ids())
            r.records_found = sum(1 for x in r.scenario.records if x in ids) / len(r.scenario.records)
        except Exception as err:  # noqa: BLE001
            r.plan_error = f"{type(err).__name__}: {err}"
            r.relevance, r.records_found = 0.0, 0.0


# -- reporting ---------------------------------------------------------------------------------


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def _num(x: Optional[float]) -> str:
    return "-" if x is None else f"{x:.2f}"


def print_table(results: Sequence[Result]) -> None:
    head = (f"{'scenario':42} {'split':6} {'done':4} {'turns':>5} {'run':>3} {'same':>4} {'reset':>5} {'nudge':>5} "
            f"{'muni':4} {'groups':14} {'relev':>5} {'recs':>4}")
    print(head)
    print("-" * len(head))
    for r in results:
        run, _ = r.longest_run()
        groups = "ok" if not r.groups_missing else "-" + ",".join(r.groups_missing)
        if r.groups_extra:
            groups += " +" + str(len(r.groups_extra))
        print(f"{r.scenario.id[:42]:42} {r.scenario.split:6} {'yes' if r.completed else 'NO':4} {r.n_turns:>5} "
              f"{run:>3} {r.repeats():>4} {len(r.resets):>5} {r.nudges:>5} {'ok' if r.municipality_ok else 'NO':4} "
              f"{groups[:14]:14} {_num(r.relevance):>5} {_num(r.records_found):>4}")


def by_group(results: Sequence[Result]) -> Dict[str, List[Result]]:
    out: Dict[str, List[Result]] = {}
    for r in results:
        for g in r.scenario.groups:
            out.setdefault(g, []).append(r)
    return out


def group_relevance(results: Sequence[Result]) -> Dict[str, float]:
    return {g: statistics.mean(r.relevance or 0.0 for r in rs) for g, rs in by_group(results).items()}


def print_groups(results: Sequence[Result]) -> None:
    print(f"\n{'group':26} {'n':>2} {'done':>5} {'relevance':>9} {'min':>5} {'records':>7}  extra groups in the slot")
    for g, rs in by_group(results).items():
        extra = sorted({x for r in rs for x in r.groups_extra})
        print(f"{g:26} {len(rs):>2} {_pct(sum(r.completed for r in rs) / len(rs)):>5} "
              f"{statistics.mean(r.relevance or 0 for r in rs):>9.2f} {min(r.relevance or 0 for r in rs):>5.2f} "
              f"{statistics.mean(r.records_found or 0 for r in rs):>7.2f}  {', '.join(extra)}")


@dataclass
class Totals:
    name: str
    n: int
    completion: float
    median_turns: float
    max_turns: int
    longest_run: int
    resets: int
    relevance_mean: float
    relevance_min_group: Tuple[str, float]
    records: float
    errors: int
    municipality_ok: int
    groups_ok: int
    kept_ok: int = 0  # scenarios with expect.kept whose answers all ended in their slots
    kept_n: int = 0

    def failures(self) -> List[str]:
        out = []
        if self.completion < TARGET_COMPLETION:
            out.append(f"completion {_pct(self.completion)} < {_pct(TARGET_COMPLETION)}")
        if self.longest_run > TARGET_LONGEST_RUN:
            out.append(f"longest run {self.longest_run} > {TARGET_LONGEST_RUN}")
        if self.resets > TARGET_RESETS:
            out.append(f"{self.resets} resets")
        group, value = self.relevance_min_group
        if value < TARGET_RELEVANCE:
            out.append(f"relevance {value:.2f} for {group} < {TARGET_RELEVANCE}")
        if self.errors:
            out.append(f"{self.errors} driver errors")
        if self.kept_ok < self.kept_n:
            out.append(f"answers lost in {self.kept_n - self.kept_ok} of {self.kept_n} scenarios")
        return out

    def line(self) -> str:
        group, value = self.relevance_min_group
        return (f"{self.name:7} n={self.n:<3} completion {_pct(self.completion):>4} | turns median {self.median_turns:.0f} "
                f"max {self.max_turns} | longest run {self.longest_run} | resets {self.resets} | relevance mean "
                f"{self.relevance_mean:.2f}, min {value:.2f} ({group}) | records {self.records:.2f} | "
                f"municipality ok {self.municipality_ok}/{self.n} | groups ok {self.groups_ok}/{self.n}"
                + (f" | answers kept {self.kept_ok}/{self.kept_n}" if self.kept_n else "")
                + (f" | driver errors {self.errors}" if self.errors else ""))


def totals(name: str, results: Sequence[Result]) -> Optional[Totals]:
    if not results:
        return None
    per_group = group_relevance(results)
    worst = min(per_group.items(), key=lambda kv: (kv[1], kv[0]))
    return Totals(
        name=name, n=len(results),
        completion=sum(r.completed for r in results) / len(results),
        median_turns=statistics.median(r.n_turns for r in results),
        max_turns=max(r.n_turns for r in results),
        longest_run=max(r.longest_run()[0] for r in results),
        resets=sum(len(r.resets) for r in results),
        relevance_mean=statistics.mean(r.relevance or 0.0 for r in results),
        relevance_min_group=worst,
        records=statistics.mean(r.records_found or 0.0 for r in results),
        errors=sum(1 for r in results if r.error),
        municipality_ok=sum(r.municipality_ok for r in results),
        groups_ok=sum(not r.groups_missing for r in results),
        kept_ok=sum(1 for r in results if r.scenario.kept and not r.answers_lost),
        kept_n=sum(1 for r in results if r.scenario.kept),
    )


def coverage(scenarios: Sequence[Scenario]) -> str:
    lines = []
    for split in SPLITS:
        ss = [s for s in scenarios if s.split == split]
        if not ss:
            continue
        groups: Dict[str, int] = {}
        for s in ss:
            for g in s.groups:
                groups[g] = groups.get(g, 0) + 1
        reasons = {r: sum(s.reason == r for s in ss) for r in REASONS}
        styles = {st: sum(st in s.style for s in ss) for st in STYLES}
        lines.append(f"{split}: {len(ss)} scenarios")
        lines.append("  groups:  " + ", ".join(f"{g} {n}" for g, n in groups.items()))
        lines.append("  reasons: " + ", ".join(f"{r} {n}" for r, n in reasons.items()))
        lines.append("  styles:  " + ", ".join(f"{st} {n}" for st, n in styles.items()))
    return "\n".join(lines)


# -- main --------------------------------------------------------------------------------------


def select(args) -> List[Scenario]:
    scenarios = load_scenarios(args.split)
    if args.only:
        wanted = [x.strip() for x in args.only.split(",") if x.strip()]
        scenarios = [s for s in load_scenarios("all") if any(s.id == w or s.id.startswith(w) for w in wanted)]
    if args.groups_one_each:
        scenarios = one_per_group(scenarios)
    return scenarios


def run_benchmark(client: Client, scenarios: Sequence[Scenario], fuzz: int, seed: int, jobs: int,
                  verbose: bool, show_unseen: bool, transcripts: bool = False) -> Tuple[List[str], str]:
    """Run, print the report; returns (target failures, summary line)."""
    started = time.monotonic()
    results = run_all(jobs, lambda s: run_scenario(client, s), scenarios)
    evaluate(results)
    failures: List[str] = []
    summary = []
    if results:
        print_table(results)
        print_groups(results)
        print()
        for name, subset in (("tuning", [r for r in results if r.scenario.split == "tuning"]),
                             ("unseen", [r for r in results if r.scenario.split == "unseen"]),
                             ("all", results)):
            t = totals(name, subset)
            if t is None:
                continue
            print(t.line())
            if name == "all":
                failures += t.failures()
                summary.append(f"completion {_pct(t.completion)}, turns {t.median_turns:.0f}/{t.max_turns}, "
                               f"run {t.longest_run}, resets {t.resets}, relevance {t.relevance_mean:.2f} "
                               f"(min {t.relevance_min_group[1]:.2f}), records {t.records:.2f}")
        bad = [r for r in results if r.problems()]
        if bad:
            print("\nProblems:")
            for r in bad:
                detail = r.scenario.split != "unseen" or show_unseen
                print(f"  {r.scenario.id}: " + "; ".join(r.problems(detail)))
        if verbose:
            for r in (results if transcripts else bad):
                if r.scenario.split == "unseen" and not show_unseen:
                    continue  # keep the held-out conversations unseen
                print(f"\n== {r.scenario.id} ({r.sender})\n{r.transcript()}")
    if fuzz:
        rng = random.Random(seed)
        pool = load_pool()
        tuning = fuzz_scenarios()
        picks = [(rng.choice(tuning), random.Random(rng.random())) for _ in range(fuzz)]
        fuzzed = run_all(jobs, lambda p: run_fuzz(client, p[0], pool, p[1]), picks)
        held = [r for r in fuzzed if not fuzz_problems(r)]
        reached = [r.plan_reached_at for r in fuzzed if r.plan_reached_at is not None]
        print(f"\nFuzz: {len(held)}/{len(fuzzed)} conversations held (pool of {len(pool)} inputs, seed {seed}); "
              f"plan reached after median {statistics.median(reached) if reached else '-'} messages, "
              f"max {max(reached) if reached else '-'}")
        for r in fuzzed:
            problems = fuzz_problems(r)
            if problems:
                print(f"\n== fuzz {r.sender} (answers of {r.scenario.id}): " + "; ".join(problems))
                print(r.transcript(last=8))
        if len(held) < len(fuzzed):
            failures.append(f"fuzz {len(fuzzed) - len(held)}/{len(fuzzed)} failed")
        summary.append(f"fuzz {len(held)}/{len(fuzzed)}")
    print(f"\n({time.monotonic() - started:.0f} s)")
    return failures, "; ".join(summary)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--split", choices=("tuning", "unseen", "all"), default="all")
    parser.add_argument("--only", help="scenario ids (or id prefixes), comma-separated")
    parser.add_argument("--groups-one-each", action="store_true", help="one scenario per group")
    parser.add_argument("--fuzz", type=int, default=0, metavar="N", help="N fuzz conversations")
    parser.add_argument("--seed", type=int, default=0, help="random seed of the fuzz run")
    parser.add_argument("--model", default=str(PROJECT_DIR / "models" / "preventiewijzer.tar.gz"))
    parser.add_argument("--url", help="use a running assistant (started with --enable-api --auth-token)")
    parser.add_argument("--token", help="the auth token of the running assistant's HTTP API")
    parser.add_argument("--jobs", type=int, default=4, help="conversations at the same time")
    parser.add_argument("--verbose", action="store_true", help="print the transcripts of failing scenarios")
    parser.add_argument("--transcripts", action="store_true", help="print every transcript, not only failing ones")
    parser.add_argument("--show-unseen", action="store_true",
                        help="show what went wrong in unseen scenarios, and (with --verbose) their transcripts")
    parser.add_argument("--no-fail", action="store_true", help="exit 0 even when a target fails")
    parser.add_argument("--list", action="store_true", help="list the scenarios and their coverage; run nothing")
    args = parser.parse_args(argv)

    scenarios = select(args)
    problems = check_scenarios(load_scenarios("all"))
    if problems:
        print("error: scenario files:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 2
    if args.list:
        for s in scenarios:
            print(f"{s.id:42} {s.split:6} {s.reason:15} {','.join(s.groups):36} {','.join(s.style)}")
        print(coverage(scenarios))
        return 0
    if len(load_pool()) < 200:
        print("error: the fuzz pool needs at least 200 inputs", file=sys.stderr)
        return 2

    label = args.url or args.model
    print(f"== Officer simulation: {len(scenarios)} scenarios, fuzz {args.fuzz}, model {label}", flush=True)
    assistant = None
    try:
        if args.url:
            if not args.token:
                print("error: --url needs --token (the server's --auth-token)", file=sys.stderr)
                return 2
            client = Client(args.url, args.token)
        else:
            from bot.cli import LaunchError

            log_dir = Path(tempfile.mkdtemp(prefix="officer-sim-"))
            try:
                assistant, client = start_assistant(Path(args.model), log_dir)
            except LaunchError as err:
                logs = "\n".join(p.read_text(errors="replace")[-2000:] for p in sorted(log_dir.glob("*.log")))
                print(f"error: {err}\n{logs}", file=sys.stderr)
                return 2
            print(f"   servers on ports {assistant.rasa_port}/{assistant.actions_port}, logs in {log_dir}", flush=True)
        failures, summary = run_benchmark(client, scenarios, args.fuzz, args.seed, args.jobs,
                                          args.verbose or args.transcripts, args.show_unseen, args.transcripts)
    finally:
        if assistant is not None:
            assistant.stop()
    verdict = "PASS" if not failures else "FAIL: " + "; ".join(failures)
    print(f"SUMMARY {Path(label).name}: {summary} -> {verdict}")
    return 1 if failures and not args.no_fail else 0


if __name__ == "__main__":
    sys.exit(main())
