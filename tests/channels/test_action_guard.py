"""The action guard (bot/channels/action_guard.py) without Rasa servers: calls are passed on, a
refused, hung or failing action server gives the apology once per turn, and Rasa's tracker goes
back to the open question with the events the guard returns."""
import asyncio
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    Event,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot.channels.action_guard import ActionGuardInput, fallback_answer
from bot.cli import PROJECT_DIR
from conversation.texts import SERVICE_UNAVAILABLE


class FakeActionServer:
    """Answers POST /webhook with ``status`` and ``body`` after ``delay`` seconds; records calls."""

    def __init__(self, status=200, body=None, delay=0.0):
        self.status, self.body, self.delay = status, body or {"events": [], "responses": []}, delay
        self.calls = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                fake.calls.append((self.path, self.headers.get("Content-Type"),
                                   self.rfile.read(int(self.headers["Content-Length"]))))
                time.sleep(fake.delay)
                data = json.dumps(fake.body).encode()
                self.send_response(fake.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/webhook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake():
    servers = []

    def make(**kwargs):
        servers.append(FakeActionServer(**kwargs))
        return servers[-1]

    yield make
    for server in servers:
        server.close()


def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def events_json(events):
    return [e.as_dict() for e in events]


BEFORE = [
    ActionExecuted("action_listen"), UserUttered("hoi"), ActionExecuted("interview_form"),
    SlotSet("requested_slot", "municipality"), BotUttered("Voor welke gemeente werk je?"),
    ActionExecuted("action_listen"), UserUttered("Zwolle"), ActionExecuted("interview_form"),
    SlotSet("municipality", "Zwolle"), SlotSet("requested_slot", "role"), BotUttered("Vanuit welk domein werk je?"),
    ActionExecuted("action_listen"),
]
# The officer answers; Rasa extracts a slot and runs the form, which calls the action server.
TURN = [UserUttered("gezondheid"), SlotSet("role", "gezondheid"), ActionExecuted("interview_form")]


def call(events, action="validate_interview_form"):
    return json.dumps({"next_action": action, "sender_id": "anna",
                       "tracker": {"sender_id": "anna", "events": events_json(events)}}).encode()


def run(guard, body):
    answer = asyncio.run(guard.handle(body, {"Content-Type": "application/json"}))
    return answer.status, json.loads(answer.body)


def guard_for(url, timeout=1.0):
    return ActionGuardInput(EndpointConfig(url, params={"key": "k"}), timeout)


def test_calls_and_rejections_are_passed_on(fake):
    server = fake(body={"events": [{"event": "slot", "name": "role", "value": "gezondheid"}], "responses": []})
    status, answer = run(guard_for(server.url), call(BEFORE + TURN))
    assert status == 200 and answer == server.body
    path, content_type, body = server.calls[0]
    assert path == "/webhook?key=k" and content_type == "application/json" and body == call(BEFORE + TURN)

    rejected = fake(status=400, body={"action_name": "validate_interview_form", "error": "no"})
    assert run(guard_for(rejected.url), call(BEFORE + TURN)) == (400, rejected.body)


@pytest.mark.parametrize("how", ["refused", "hangs", "error 500", "not found"])
def test_a_failing_action_server_gives_the_apology_quickly(fake, how, caplog):
    if how == "refused":
        url = f"http://127.0.0.1:{closed_port()}/webhook"
    else:
        status = {"hangs": 200, "error 500": 500, "not found": 404}[how]
        url = fake(status=status, delay=3 if how == "hangs" else 0).url
    started = time.monotonic()
    status, answer = run(guard_for(url, timeout=0.5), call(BEFORE + TURN))
    assert time.monotonic() - started < 2
    assert status == 200
    assert answer == {"events": [{"event": "rewind"}, {"event": "followup", "name": "action_listen"}],
                      "responses": [{"text": SERVICE_UNAVAILABLE}]}
    assert "action server unavailable for validate_interview_form of conversation anna" in caplog.text


def apply(events, answer):
    """The events Rasa logs for a guard answer (RemoteAction: its bot messages, then its events)."""
    return events + [BotUttered(r["text"]) for r in answer["responses"]] + [
        Event.from_parameters(e) for e in answer["events"]
    ]


def test_rasa_goes_back_to_the_open_question_and_keeps_the_answer():
    domain = Domain.load(str(PROJECT_DIR / "domain.yml"))
    before = DialogueStateTracker.from_events("anna", BEFORE, slots=domain.slots)

    events = apply(BEFORE + TURN, fallback_answer(json.loads(call(BEFORE + TURN))))
    # The form goes on to ask for its slot: that call gets nothing, at once (one apology, one revert).
    events.append(SlotSet("requested_slot", "role"))
    second = fallback_answer(json.loads(call(events, "action_ask_role")))
    assert second == {"events": [], "responses": []}
    events = apply(events, second) + [ActionExecuted("action_listen")]  # the follow-up action

    after = DialogueStateTracker.from_events("anna", events, slots=domain.slots)
    assert after.current_slot_values() == before.current_slot_values()
    assert after.get_slot("role") is None and after.get_slot("requested_slot") == "role"
    assert after.applied_events()[: len(BEFORE) - 1] == BEFORE[:-1]
    assert after.applied_events()[-1] == ActionExecuted("action_listen")
    assert not any(isinstance(e, UserUttered) and e.text == "gezondheid" for e in after.applied_events())
    # … but the answer is kept in the conversation, and so is the apology.
    assert UserUttered("gezondheid") in after.events
    assert [e.text for e in after.events if isinstance(e, BotUttered)][-1] == SERVICE_UNAVAILABLE


def test_outside_a_user_turn_nothing_is_reverted():
    # E.g. an action run through the HTTP API after the turn ended: the last answer must stay.
    answer = fallback_answer(json.loads(call(BEFORE)))
    assert answer == {"events": [{"event": "followup", "name": "action_listen"}],
                      "responses": [{"text": SERVICE_UNAVAILABLE}]}
