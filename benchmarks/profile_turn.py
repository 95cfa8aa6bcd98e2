"""Where one turn of ours spends its time (prints tables, asserts nothing).

    .venv/bin/python benchmarks/profile_turn.py [--model PATH] [--events 500] [--repeat 3] [--json FILE]
        [--rasa-check]

The Rasa agent is loaded in this process from the model (rasa.core.agent.load_agent, with an SQLite
SQLTrackerStore in a temporary folder, as in endpoints.yml) and gets the officer's messages
directly (Agent.handle_message: no HTTP channel, no action guard). The only server is a rasa_sdk
action server with our actions on a free port, because Rasa 3.6 can only run custom actions over
HTTP; its knowledge base is a temporary SQLite file built from knowledge/data/.

First one scripted interview is held to warm up (not measured). Then the measured conversation:
the same interview (greeting to the plan's recap), then "opnieuw" and again, until the tracker
holds --events events. Timers around Rasa's own methods give, per user message:

  (i)   the NLU pipeline, per component (each graph node's run, rasa.engine.graph.GraphNode);
  (ii)  policy prediction: how many predictions a message needs, and per policy;
  (iii) the custom actions: round trips to the action server per message, their time, the size
        of the request (Rasa sends the whole tracker, and the domain, every time) and the part
        spent building it;
  (iv)  our own action code: every action call of the conversation is replayed in this process
        through rasa_sdk's ActionExecutor (the same code path as the server, without HTTP), once
        plain (the median of --repeat runs) and once with timers at the boundaries of our
        packages: reading answers (conversation/answers.py, conversation/interview.py,
        knowledge/interview.py, knowledge/municipalities.py), the plan engine (knowledge/plan.py,
        knowledge/explain.py), rendering (actions/render.py, conversation/texts.py, and the
        question and "noted" texts), knowledge base access (conversation/kb.py, knowledge/store.py,
        knowledge/catalog.py), slot state (conversation/state.py); the rest is rasa_sdk and our
        adapters (tracker from JSON, form logic, events);
  (v)   the tracker store: load (SQL query plus rebuilding the tracker from its events) and save,
        by the number of events in the conversation.

As our Rasa server does (bot/channels/answer_check.py, installed with the action guard), the
action server's answers are checked with one validator built at start-up. --rasa-check measures
Rasa 3.6's own check instead (jsonschema.validate per answer, which checks the schema itself each
time), to compare.
"""
from __future__ import annotations

import argparse
import asyncio
import functools
import inspect
import json
import os
import secrets
import signal
import statistics
import sys
import tempfile
import time
import types
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BENCH_DIR.parent
for path in (str(PROJECT_DIR), str(BENCH_DIR)):
    if path not in sys.path:
        sys.path.insert(0, path)

from bench_load import OUR_SCRIPT, Started, _interrupt, base_env, free_port, log_tail  # noqa: E402

DEFAULT_MODEL = PROJECT_DIR / "models" / "preventiewijzer.tar.gz"
# After the recap: start a new interview in the same conversation, then the script again.
AGAIN: Tuple[Tuple[str, str], ...] = (
    ("opnieuw", "Wil je echt opnieuw beginnen?"),
    ("ja, opnieuw beginnen", "Voor welke gemeente werk je?"),
    *OUR_SCRIPT[1:],
)

# (iv): our packages, by what they do; the boundaries where the time of our action code is split.
CATEGORIES: Dict[str, str] = {
    "conversation.answers": "reading answers",
    "conversation.interview": "reading answers",
    "conversation.cleaning": "reading answers",
    "knowledge.interview": "reading answers",
    "knowledge.municipalities": "reading answers",
    "knowledge.plan": "plan engine",
    "knowledge.explain": "plan engine",
    "actions.render": "rendering",
    "conversation.texts": "rendering",
    "conversation.kb": "knowledge base access",
    "knowledge.store": "knowledge base access",
    "knowledge.catalog": "knowledge base access",
    "conversation.state": "slot state",
}
# Functions in the modules above that write text rather than read it.
RENDERING = {
    "conversation.interview": ("question", "group_question", "progress", "where_we_were", "button"),
    "conversation.answers": ("say_noted", "noted", "display_names", "names", "quoted"),
}
REST_OF_ACTIONS = "rasa_sdk and adapters"


# -- timers around Rasa ------------------------------------------------------------------------------


class Recorder:
    """Seconds and calls per named part, for the turn under way."""

    def __init__(self) -> None:
        self.active = False
        self.phase: Optional[str] = None  # "nlu" or "policy" while the graph runs for one of them
        self.turn: Dict[str, List[float]] = defaultdict(lambda: [0.0, 0])
        self.values: Dict[str, List[float]] = defaultdict(list)  # other figures of the turn
        self.calls: List[Tuple[str, float, int]] = []  # action round trips: (action, seconds, request bytes)
        self.payloads: List[Tuple[str, str]] = []  # (action, request JSON) for the replay

    def add(self, name: str, seconds: float) -> None:
        if self.active:
            entry = self.turn[name]
            entry[0] += seconds
            entry[1] += 1

    def begin_turn(self) -> None:
        self.turn = defaultdict(lambda: [0.0, 0])
        self.values = defaultdict(list)
        self.calls = []
        self.active = True


def timed_async(recorder: Recorder, name: Callable[..., str], fn: Callable[..., Any], phase: Optional[str] = None):
    @functools.wraps(fn)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        previous = recorder.phase
        if phase:
            recorder.phase = phase
        began = time.perf_counter()
        try:
            return await fn(*args, **kwargs)
        finally:
            recorder.add(name(*args), time.perf_counter() - began)
            recorder.phase = previous
    return wrapper


def timed_sync(recorder: Recorder, name: Callable[..., str], fn: Callable[..., Any], phase: Optional[str] = None):
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        previous = recorder.phase
        if phase:
            recorder.phase = phase
        began = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            recorder.add(name(*args), time.perf_counter() - began)
            recorder.phase = previous
    return wrapper


def instrument_rasa(recorder: Recorder) -> None:
    """Wrap the methods of Rasa that one turn passes through (class attributes; this process only)."""
    from rasa.core.actions.action import RemoteAction
    from rasa.core.processor import MessageProcessor
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.engine.graph import GraphNode
    from rasa.shared.core.trackers import DialogueStateTracker

    MessageProcessor.parse_message = timed_async(recorder, lambda *a: "nlu", MessageProcessor.parse_message, "nlu")
    MessageProcessor._predict_next_with_tracker = timed_sync(
        recorder, lambda *a: "policy", MessageProcessor._predict_next_with_tracker, "policy")
    GraphNode.__call__ = timed_sync(recorder, lambda node, *a: f"{recorder.phase or 'graph'}:{node._node_name}",
                                    GraphNode.__call__)
    SQLTrackerStore.retrieve = timed_async(recorder, lambda *a: "store load", SQLTrackerStore.retrieve, "store")
    SQLTrackerStore.save = timed_async(recorder, lambda *a: "store save", SQLTrackerStore.save, "store")
    from_dict = DialogueStateTracker.from_dict.__func__
    DialogueStateTracker.from_dict = classmethod(timed_sync(
        recorder, lambda *a: "store rebuild" if recorder.phase == "store" else "from_dict:other", from_dict))
    # Rasa copies the tracker (replaying every event) before each action it runs.
    DialogueStateTracker.copy = timed_sync(recorder, lambda *a: f"copy:{recorder.phase or 'other'}",
                                           DialogueStateTracker.copy)

    original_save = SQLTrackerStore.save

    async def save(self: Any, tracker: Any) -> None:
        await original_save(self, tracker)
        if recorder.active:
            recorder.values["events"].append(len(tracker.events))
    SQLTrackerStore.save = save

    from rasa.utils.endpoints import EndpointConfig

    EndpointConfig.request = timed_async(
        recorder, lambda *a: "action http" if recorder.phase == "actions" else "http:other", EndpointConfig.request)
    RemoteAction._validate_action_result = timed_sync(
        recorder, lambda *a: "action response check", RemoteAction._validate_action_result)

    original_format = RemoteAction._action_call_format
    formatted: Dict[int, Any] = {}

    def action_call_format(self: Any, tracker: Any, domain: Any) -> Dict[str, Any]:
        began = time.perf_counter()
        body = original_format(self, tracker, domain)
        recorder.add("action payload build", time.perf_counter() - began)
        formatted[id(self)] = body
        return body
    RemoteAction._action_call_format = action_call_format

    original_run = RemoteAction.run

    async def run(self: Any, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> Any:
        previous, recorder.phase = recorder.phase, "actions"
        began = time.perf_counter()
        try:
            return await original_run(self, output_channel, nlg, tracker, domain)
        finally:
            seconds = time.perf_counter() - began
            recorder.phase = previous
            body = formatted.pop(id(self), None)
            if recorder.active and body is not None:  # measured after the call, outside its time
                text = json.dumps(body)
                recorder.add("actions", seconds)
                recorder.calls.append((self.name(), seconds, len(text.encode())))
                recorder.payloads.append((self.name(), text))
                recorder.values["domain bytes"].append(len(json.dumps(body.get("domain") or {}).encode()))
    RemoteAction.run = run


# -- (iv) our action code, replayed in this process ---------------------------------------------------


class CategoryTimer:
    """Exclusive time per category: time in a nested category is not counted for the outer one."""

    def __init__(self) -> None:
        self.totals: Dict[str, float] = defaultdict(float)
        self.boundaries = 0
        self.stack: List[List[Any]] = []  # [category, seconds in nested categories]
        self.restore: List[Tuple[Any, str, Any]] = []

    def wrap(self, category: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if self.stack and self.stack[-1][0] == category:
                return fn(*args, **kwargs)
            self.boundaries += 1
            self.stack.append([category, 0.0])
            began = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                elapsed = time.perf_counter() - began
                _, nested = self.stack.pop()
                self.totals[category] += elapsed - nested
                if self.stack:
                    self.stack[-1][1] += elapsed
        return wrapper

    def install(self) -> None:
        """Wrap every public function and method of the modules in CATEGORIES, wherever it is referenced."""
        import importlib

        replaced: Dict[int, Callable[..., Any]] = {}
        for module_name, category in CATEGORIES.items():
            module = importlib.import_module(module_name)
            for name, value in list(vars(module).items()):
                if name.startswith("_") or getattr(value, "__module__", None) != module_name:
                    continue
                if inspect.isclass(value):
                    for attr, member in list(vars(value).items()):
                        if attr.startswith("_"):
                            continue
                        if isinstance(member, staticmethod):
                            self._set(value, attr, staticmethod(self.wrap(category, member.__func__)))
                        elif isinstance(member, types.FunctionType) and not inspect.iscoroutinefunction(member):
                            self._set(value, attr, self.wrap(category, member))
                elif callable(value) and not inspect.iscoroutinefunction(value):
                    which = "rendering" if name in RENDERING.get(module_name, ()) else category
                    replaced[id(value)] = self.wrap(which, value)
        for module_name, module in list(sys.modules.items()):
            if module is None or module_name.split(".")[0] not in ("actions", "conversation", "knowledge", "bot"):
                continue
            for name, value in list(vars(module).items()):
                if id(value) in replaced and callable(value):
                    self._set(module, name, replaced[id(value)])

    def _set(self, owner: Any, name: str, value: Any) -> None:
        self.restore.append((owner, name, owner.__dict__[name] if isinstance(owner, type) else getattr(owner, name)))
        setattr(owner, name, value)

    def uninstall(self) -> None:
        for owner, name, value in reversed(self.restore):
            setattr(owner, name, value)
        self.restore = []


def validation_costs(answers: Sequence[Any]) -> Dict[str, float]:
    """Checking the action server's answers: as Rasa 3.6 does (jsonschema.validate, which first checks
    the schema itself), and with a validator built once; ms per answer, the same answers."""
    from jsonschema import validate
    from rasa.core.actions.action import RemoteAction

    from bot.channels import answer_check

    validator = answer_check.validator()  # the one the Rasa server uses (answer_check.install)
    as_rasa, built_once = [], []
    for answer in answers:
        began = time.perf_counter()
        validate(answer, RemoteAction.action_response_format_spec())  # what RemoteAction._validate_action_result does
        as_rasa.append(time.perf_counter() - began)
        began = time.perf_counter()
        validator.validate(answer)
        built_once.append(time.perf_counter() - began)
    return {"as_rasa_ms": 1000 * mean(as_rasa), "built_once_ms": 1000 * mean(built_once)}


async def replay_http(payloads: Sequence[Tuple[str, str]], url: str) -> float:
    """Send every recorded action call again to the action server, one by one; the seconds in all."""
    import aiohttp

    total = 0.0
    async with aiohttp.ClientSession() as session:
        for _, text in payloads:
            began = time.perf_counter()
            async with session.post(url, data=text.encode(), headers={"Content-Type": "application/json"}) as response:
                await response.read()
                if response.status != 200:
                    raise RuntimeError(f"the action server answered {response.status} to a replayed call")
            total += time.perf_counter() - began
    return total


async def replay(payloads: Sequence[Tuple[str, str]], repeat: int, url: str) -> Dict[str, Any]:
    """Run every recorded action call again: in this process plain, with category timers, and over HTTP."""
    from rasa_sdk.executor import ActionExecutor

    from conversation import kb

    executor = ActionExecutor()
    executor.register_package("actions")
    kb.parser()
    kb.engine()
    kb.explainer()
    loads, plain, answers = [], [], []
    for _, text in payloads:
        began = time.perf_counter()
        call = json.loads(text)
        loads.append(time.perf_counter() - began)
        runs = []
        for _ in range(repeat):
            call = json.loads(text)
            began = time.perf_counter()
            answer = await executor.run(call)
            runs.append(time.perf_counter() - began)
        plain.append(statistics.median(runs))
        answers.append(answer)
    timer = CategoryTimer()
    timer.install()
    instrumented = []
    try:
        for _, text in payloads:
            call = json.loads(text)
            began = time.perf_counter()
            await executor.run(call)
            instrumented.append(time.perf_counter() - began)
    finally:
        timer.uninstall()
    by_action: Dict[str, List[float]] = defaultdict(list)
    for (name, _), seconds in zip(payloads, plain, strict=True):
        by_action[name].append(seconds)
    categories = dict(timer.totals)
    categories[REST_OF_ACTIONS] = sum(instrumented) - sum(categories.values())
    return {
        "calls": len(payloads),
        "validation": validation_costs(answers),
        "http_s": await replay_http(payloads, url),
        "plain_s": sum(plain),
        "instrumented_s": sum(instrumented),
        "json_loads_s": sum(loads),
        "boundaries": timer.boundaries,
        "categories_s": categories,
        "by_action": {name: {"calls": len(v), "mean_ms": 1000 * statistics.mean(v), "max_ms": 1000 * max(v)}
                      for name, v in sorted(by_action.items(), key=lambda kv: -sum(kv[1]))},
    }


# -- the conversation ---------------------------------------------------------------------------------


async def converse(agent: Any, recorder: Recorder, turns: Sequence[Tuple[str, str]], sender: str,
                   measure: bool, target_events: int = 0, max_turns: int = 200) -> List[Dict[str, Any]]:
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

    out: List[Dict[str, Any]] = []
    script = list(turns)
    index = 0
    while index < len(script):
        text, expected = script[index]
        index += 1
        recorder.begin_turn()
        recorder.active = measure
        began = time.perf_counter()
        replies = await agent.handle_message(UserMessage(text, CollectingOutputChannel(), sender))
        total = time.perf_counter() - began
        recorder.active = False
        said = "\n".join(str(r.get("text") or "") for r in replies or [])
        if measure:
            out.append({
                "text": text,
                "on_script": expected in said,
                "reply": said[:200],
                "total": total,
                "parts": {k: (v[0], v[1]) for k, v in recorder.turn.items()},
                "calls": list(recorder.calls),
                "events": (recorder.values.get("events") or [0])[-1],
                "domain_bytes": recorder.values.get("domain bytes", []),
            })
            if index == len(script) and out[-1]["events"] < target_events and len(out) < max_turns:
                script.extend(AGAIN)
        elif expected not in said:
            print(f"   warning: warm-up: {text!r} got {said[:160]!r} (expected {expected!r})", flush=True)
    return out


# -- figures ------------------------------------------------------------------------------------------


def mean(values: Sequence[float]) -> float:
    return statistics.mean(values) if values else 0.0


def summarise(turns: List[Dict[str, Any]], replayed: Dict[str, Any], store: Dict[str, Any]) -> Dict[str, Any]:
    n = len(turns)

    def per_turn(name: str) -> Tuple[float, float]:
        """(ms per message, calls per message) of one part."""
        seconds = sum(t["parts"].get(name, (0.0, 0))[0] for t in turns)
        calls = sum(t["parts"].get(name, (0.0, 0))[1] for t in turns)
        return 1000 * seconds / n, calls / n

    names = sorted({name for t in turns for name in t["parts"]})
    calls = [c for t in turns for c in t["calls"]]
    total_ms = 1000 * mean([t["total"] for t in turns])
    figures: Dict[str, Any] = {
        "messages": n,
        "off_script": sum(1 for t in turns if not t["on_script"]),
        "events_at_end": turns[-1]["events"] if turns else 0,
        "turn_ms": total_ms,
        "turn_ms_p50": 1000 * statistics.median([t["total"] for t in turns]),
        "parts": {name: dict(zip(("ms", "calls"), per_turn(name), strict=True)) for name in names},
        "action_calls_per_message": len(calls) / n,
        "action_calls_per_message_max": max(len(t["calls"]) for t in turns),
        "action_call_ms": 1000 * mean([c[1] for c in calls]),
        "action_request_kb": mean([c[2] for c in calls]) / 1024,
        "action_request_kb_max": max([c[2] for c in calls], default=0) / 1024,
        "action_domain_kb": mean([b for t in turns for b in t["domain_bytes"]]) / 1024,
        "replay": replayed,
        "store": store,
    }
    by_action: Dict[str, List[float]] = defaultdict(list)
    for name, seconds, _ in calls:
        by_action[name].append(seconds)
    figures["round_trips_by_action"] = {
        name: {"calls": len(v), "mean_ms": 1000 * mean(v)} for name, v in sorted(by_action.items(), key=lambda kv: -len(kv[1]))
    }
    return figures


def store_by_size(turns: List[Dict[str, Any]], width: int = 100) -> List[Dict[str, Any]]:
    buckets: Dict[int, List[Dict[str, Any]]] = defaultdict(list)
    for t in turns:
        buckets[t["events"] // width].append(t)
    rows = []
    for bucket in sorted(buckets):
        group = buckets[bucket]

        def ms(name: str, group: List[Dict[str, Any]] = group) -> float:
            return 1000 * mean([t["parts"].get(name, (0.0, 0))[0] for t in group])
        rows.append({"events": f"{bucket * width}-{bucket * width + width - 1}", "messages": len(group),
                     "turn_ms": 1000 * mean([t["total"] for t in group]), "nlu_ms": ms("nlu"),
                     "policy_ms": ms("policy"), "actions_ms": ms("actions"), "copy_ms": ms("copy:other"),
                     "load_ms": ms("store load"), "rebuild_ms": ms("store rebuild"), "save_ms": ms("store save"),
                     "request_kb": mean([c[2] for t in group for c in t["calls"]]) / 1024})
    return rows


def print_tables(f: Dict[str, Any], load_s: float, model: Path) -> None:
    parts = f["parts"]
    total = f["turn_ms"]
    n = f["messages"]

    def row(label: str, ms: float, calls: Optional[float] = None, indent: int = 0) -> None:
        calls_text = f"{calls:11.2f}" if calls is not None else f"{'':11s}"
        per_call = f"{ms / calls:9.1f}" if calls else f"{'':9s}"
        print(f"{' ' * indent}{label:{58 - indent}s}{ms:9.1f}{100 * ms / total:7.1f}%{calls_text}{per_call}")

    print()
    if f.get("rasa_check"):
        print("--rasa-check: the action server's answers are checked as Rasa 3.6 does (jsonschema.validate per answer)")
    else:
        print("the action server's answers are checked with one validator built at start-up (bot/channels/answer_check.py)")
    print(f"== One turn of ours, in-process ({model.name} loaded in {load_s:.1f} s); {n} messages, "
          f"{f['off_script']} off the script; the conversation ended with {f['events_at_end']} events")
    print(f"{'part':58s}{'ms/msg':>9s}{'share':>8s}{'calls/msg':>11s}{'ms/call':>9s}")
    print("-" * 95)
    row("whole turn (Agent.handle_message)", total)
    nlu = parts.get("nlu", {"ms": 0.0, "calls": 0.0})
    row("(i) NLU pipeline (MessageProcessor.parse_message)", nlu["ms"], nlu["calls"])
    nodes = [(k, v) for k, v in parts.items() if k.startswith("nlu:")]
    for name, v in sorted(nodes, key=lambda kv: -kv[1]["ms"]):
        if v["ms"] >= 0.05:
            row(name[4:], v["ms"], v["calls"], 4)
    row("graph overhead (building and walking the graph)", nlu["ms"] - sum(v["ms"] for _, v in nodes), None, 4)
    policy = parts.get("policy", {"ms": 0.0, "calls": 0.0})
    row("(ii) policy prediction (all predictions of the turn)", policy["ms"], policy["calls"])
    nodes = [(k, v) for k, v in parts.items() if k.startswith("policy:")]
    for name, v in sorted(nodes, key=lambda kv: -kv[1]["ms"]):
        if v["ms"] >= 0.05:
            row(name[7:], v["ms"], v["calls"], 4)
    row("graph overhead", policy["ms"] - sum(v["ms"] for _, v in nodes), None, 4)
    actions = parts.get("actions", {"ms": 0.0, "calls": 0.0})
    row("(iii) custom actions over HTTP (RemoteAction.run)", actions["ms"], actions["calls"])
    build = parts.get("action payload build", {"ms": 0.0, "calls": 0.0})
    http = parts.get("action http", {"ms": 0.0, "calls": 0.0})
    check = parts.get("action response check", {"ms": 0.0, "calls": 0.0})
    replay = f["replay"]
    plain_ms = 1000 * replay["plain_s"] / n
    row("building the request (tracker state + domain)", build["ms"], build["calls"], 4)
    row("HTTP request to the action server and its answer", http["ms"], http["calls"], 4)
    row("our action code + rasa_sdk, replayed in-process", plain_ms, replay["calls"] / n, 8)
    row("the same requests replayed over HTTP, one by one", 1000 * replay["http_s"] / n, replay["calls"] / n, 8)
    row("checking the answer (jsonschema)", check["ms"], check["calls"], 4)
    row("the rest (responses, events)", actions["ms"] - build["ms"] - http["ms"] - check["ms"], None, 4)
    load = parts.get("store load", {"ms": 0.0, "calls": 0.0})
    rebuild = parts.get("store rebuild", {"ms": 0.0, "calls": 0.0})
    save = parts.get("store save", {"ms": 0.0, "calls": 0.0})
    row("(v) tracker store load (SQLTrackerStore.retrieve)", load["ms"], load["calls"])
    row("rebuilding the tracker from its events", rebuild["ms"], rebuild["calls"], 4)
    row("(v) tracker store save", save["ms"], save["calls"])
    rest = total - nlu["ms"] - policy["ms"] - actions["ms"] - load["ms"] - save["ms"]
    row("other Rasa work (actions run by Rasa, slots, events, lock)", rest)
    copies = parts.get("copy:other", {"ms": 0.0, "calls": 0.0})
    row("tracker.copy() before each action (replays all events)", copies["ms"], copies["calls"], 4)

    print()
    print(f"(iii) action server round trips: {f['action_calls_per_message']:.2f} per message (at most "
          f"{f['action_calls_per_message_max']}), {f['action_call_ms']:.1f} ms each on average; request "
          f"{f['action_request_kb']:.0f} kB on average, at most {f['action_request_kb_max']:.0f} kB, of which the domain "
          f"{f['action_domain_kb']:.0f} kB")
    validation = replay["validation"]
    print(f"checking an answer (the same answers again, in this process): {validation['as_rasa_ms']:.1f} ms with "
          f"jsonschema.validate as Rasa 3.6 does, {validation['built_once_ms']:.2f} ms with a validator built once")
    print(f"{'action':36s}{'calls':>7s}{'round trip ms':>15s}{'in-process ms':>15s}")
    for name, v in f["round_trips_by_action"].items():
        inproc = replay["by_action"].get(name, {}).get("mean_ms")
        print(f"{name:36s}{v['calls']:7d}{v['mean_ms']:15.1f}{inproc if inproc is not None else float('nan'):15.1f}")

    print()
    categories = replay["categories_s"]
    instrumented = replay["instrumented_s"]
    print(f"(iv) our action code, replayed in-process: {replay['calls']} calls, {1000 * replay['plain_s'] / n:.1f} ms "
          f"per message plain, {1000 * instrumented / n:.1f} ms with timers ({replay['boundaries']} timed calls); "
          f"json.loads of the requests {1000 * replay['json_loads_s'] / n:.1f} ms per message")
    print(f"{'category (exclusive time, with timers)':44s}{'ms/msg':>9s}{'ms/call':>9s}{'share':>8s}")
    for name, seconds in sorted(categories.items(), key=lambda kv: -kv[1]):
        print(f"{name:44s}{1000 * seconds / n:9.2f}{1000 * seconds / replay['calls']:9.2f}"
              f"{100 * seconds / instrumented if instrumented else 0:7.1f}%")

    print()
    store = f["store"]
    print("(v) tracker store (SQLite, SQLTrackerStore) and the other parts, by the number of events in the "
          "conversation (ms per message)")
    print(f"{'events':>9s}{'msgs':>5s}{'turn':>7s}{'NLU':>7s}{'policy':>8s}{'actions':>9s}{'copies':>8s}"
          f"{'load':>7s}{'rebuild':>9s}{'save':>7s}{'request kB':>12s}")
    for r in store["by_size"]:
        print(f"{r['events']:>9s}{r['messages']:5d}{r['turn_ms']:7.0f}{r['nlu_ms']:7.1f}{r['policy_ms']:8.1f}"
              f"{r['actions_ms']:9.1f}{r['copy_ms']:8.1f}{r['load_ms']:7.1f}{r['rebuild_ms']:9.1f}{r['save_ms']:7.1f}"
              f"{r['request_kb']:12.0f}")
    final = store["final"]
    print(f"at the end ({final['events']} events): load {final['load_ms']:.1f} ms (median of {final['repeat']}), of which "
          f"rebuilding {final['rebuild_ms']:.1f} ms; {final['state_ms']:.1f} ms to turn it into the action "
          f"request's tracker state ({final['state_kb']:.0f} kB JSON)")


async def final_store(agent: Any, recorder: Recorder, sender: str, repeat: int) -> Dict[str, Any]:
    """Load the finished conversation again, ``repeat`` times."""
    from rasa.shared.core.trackers import EventVerbosity

    store = agent.tracker_store
    loads, rebuilds = [], []
    tracker = None
    for _ in range(repeat):
        recorder.begin_turn()
        began = time.perf_counter()
        tracker = await store.retrieve(sender)
        loads.append(time.perf_counter() - began)
        rebuilds.append(recorder.turn["store rebuild"][0])
        recorder.active = False
    assert tracker is not None
    began = time.perf_counter()
    state = tracker.current_state(EventVerbosity.ALL)
    state_s = time.perf_counter() - began
    return {"events": len(tracker.events), "repeat": repeat, "load_ms": 1000 * statistics.median(loads),
            "rebuild_ms": 1000 * statistics.median(rebuilds), "state_ms": 1000 * state_s,
            "state_kb": len(json.dumps(state).encode()) / 1024}


async def profile(args: argparse.Namespace, tmp: Path, started: List[Started]) -> Dict[str, Any]:
    model = Path(args.model).resolve()
    if not model.exists():
        raise SystemExit(f"error: no trained model at {model}; run 'make model' or pass --model")
    # The knowledge base of this process and of the action server: a temporary SQLite file.
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'knowledge.db'}"
    os.environ.setdefault("EXPORT_SECRET", secrets.token_urlsafe(24))  # no var/export-secret is written
    from knowledge.store import default_knowledge_base

    default_knowledge_base()

    port = free_port()
    env = {**base_env(), "PYTHONPATH": str(PROJECT_DIR), "ACTIONS_WARM_UP": "1",
           "DATABASE_URL": os.environ["DATABASE_URL"], "EXPORT_SECRET": os.environ["EXPORT_SECRET"]}
    server = Started("action server", [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(port)],
                     PROJECT_DIR, env, tmp / "actions.log")
    started.append(server)
    server.wait_ready([f"http://localhost:{port}/health"], 300)

    import logging

    from rasa.core.agent import load_agent
    from rasa.core.utils import AvailableEndpoints
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)

    from bot.cli import write_endpoints

    endpoints = write_endpoints(tmp / "endpoints.yml", port, str(tmp / "tracker.db"))
    began = time.perf_counter()
    agent = await load_agent(model_path=str(model), endpoints=AvailableEndpoints.read_endpoints(str(endpoints)))
    load_s = time.perf_counter() - began
    if not args.rasa_check:
        from bot.channels import answer_check

        answer_check.install()  # as our Rasa server does when it loads the action guard
    recorder = Recorder()
    instrument_rasa(recorder)

    print("== warm-up: one interview, not measured", flush=True)
    await converse(agent, recorder, OUR_SCRIPT, f"warm-up-{uuid.uuid4().hex[:8]}", measure=False)
    print(f"== measured: interviews until the conversation holds {args.events} events", flush=True)
    sender = f"profile-{uuid.uuid4().hex[:8]}"
    turns = await converse(agent, recorder, OUR_SCRIPT, sender, measure=True, target_events=args.events,
                           max_turns=args.max_turns)
    for t in turns:
        if not t["on_script"]:
            print(f"   off the script: {t['text']!r} got {t['reply']!r}", flush=True)
    print(f"== replaying {len(recorder.payloads)} action calls in-process", flush=True)
    payloads = list(recorder.payloads)
    replayed = await replay(payloads, args.repeat, f"http://localhost:{port}/webhook")
    store = {"by_size": store_by_size(turns), "final": await final_store(agent, recorder, sender, 5)}
    figures = summarise(turns, replayed, store)
    figures["model_load_s"] = load_s
    figures["rasa_check"] = args.rasa_check
    print_tables(figures, load_s, model)
    figures["turns"] = [{k: v for k, v in t.items() if k not in ("calls", "domain_bytes")} for t in turns]
    return figures


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=str(DEFAULT_MODEL), help="our trained model (default: %(default)s)")
    parser.add_argument("--events", type=int, default=500,
                        help="go on (new interviews in the same conversation) until it holds this many events")
    parser.add_argument("--max-turns", type=int, default=120, help="at most this many measured messages")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each action call in the plain replay")
    parser.add_argument("--rasa-check", action="store_true",
                        help="check the action server's answers as Rasa 3.6 does (jsonschema.validate per answer, "
                             "which checks the schema itself every time) instead of with one validator")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    # Ctrl-C and SIGTERM stop the action server, also when SIGINT came in ignored (a background job).
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    started: List[Started] = []
    with tempfile.TemporaryDirectory(prefix="profile-turn-") as tmp:
        try:
            figures = asyncio.run(profile(args, Path(tmp), started))
        except KeyboardInterrupt:
            print("\ninterrupted", file=sys.stderr)
            return 130
        except Exception:
            for process in started:
                print(f"{process.name} log:\n{log_tail(process.log)}", file=sys.stderr)
            raise
        finally:
            for process in reversed(started):
                process.stop()
    figures["load_average_after"] = " ".join(f"{v:.2f}" for v in os.getloadavg())
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2, default=str) + "\n", encoding="utf-8")
        print(f"\nfigures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
