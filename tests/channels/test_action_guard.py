"""The action guard (bot/channels/action_guard.py) without Rasa servers: calls are passed on, a
refused, hung or failing action server gives the apology once per turn, and Rasa's tracker goes
back to the open question with the events the guard returns."""
import asyncio
import functools
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    Event,
    FollowupAction,
    SlotSet,
    UserUttered,
)
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
                try:
                    self.send_response(fake.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the guard gave up waiting (the "hangs" case)

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
    ActiveLoop("interview_form"), SlotSet("requested_slot", "municipality"), BotUttered("Voor welke gemeente werk je?"),
    ActionExecuted("action_listen"), UserUttered("Zwolle"), ActionExecuted("interview_form"),
    SlotSet("municipality", "Zwolle"), SlotSet("requested_slot", "role"), BotUttered("Vanuit welk domein werk je?"),
    ActionExecuted("action_listen"),
]
# The officer answers and Rasa extracts a slot from it; then the form runs and calls validation
# with its temporary tracker: the form's execution in it is not logged by Rasa (yet).
TURN = [UserUttered("gezondheid"), SlotSet("role", "gezondheid")]
FORM_CALL = TURN + [SlotSet("requested_slot", "role"), ActionExecuted("interview_form")]
FIRST_APOLOGY = {
    "events": [{"event": "action_execution_rejected", "name": "validate_interview_form"}, {"event": "rewind"},
               {"event": "followup", "name": "action_listen"}],
    "responses": [{"text": SERVICE_UNAVAILABLE}],
}


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
    status, answer = run(guard_for(server.url), call(BEFORE + FORM_CALL))
    assert status == 200 and answer == server.body
    path, content_type, body = server.calls[0]
    assert path == "/webhook?key=k" and content_type == "application/json" and body == call(BEFORE + FORM_CALL)

    rejected = fake(status=400, body={"action_name": "validate_interview_form", "error": "no"})
    assert run(guard_for(rejected.url), call(BEFORE + FORM_CALL)) == (400, rejected.body)


@pytest.mark.parametrize("how", ["refused", "hangs", "error 500", "not found"])
def test_a_failing_action_server_gives_the_apology_quickly(fake, how, caplog):
    if how == "refused":
        url = f"http://127.0.0.1:{closed_port()}/webhook"
    else:
        status = {"hangs": 200, "error 500": 500, "not found": 404}[how]
        url = fake(status=status, delay=3 if how == "hangs" else 0).url
    started = time.monotonic()
    status, answer = run(guard_for(url, timeout=0.5), call(BEFORE + FORM_CALL))
    assert time.monotonic() - started < 2
    assert status == 200 and answer == FIRST_APOLOGY
    assert "action server unavailable for validate_interview_form of conversation anna" in caplog.text


def apply(events, answer):
    """The events Rasa logs for a guard answer (RemoteAction: its bot messages, then its events)."""
    return events + [BotUttered(r["text"]) for r in answer["responses"]] + [
        Event.from_parameters(e) for e in answer["events"]
    ]


@functools.cache
def domain():
    return Domain.load(str(PROJECT_DIR / "domain.yml"))


def tracker(events):
    return DialogueStateTracker.from_events("anna", events, slots=domain().slots)


def test_rasa_goes_back_to_the_open_question_and_keeps_the_answer():
    answer = fallback_answer(json.loads(call(BEFORE + FORM_CALL)))
    assert answer == FIRST_APOLOGY
    # Rasa logs the form's events without the form's execution (rejected), then the follow-up.
    events = apply(BEFORE + TURN, answer) + [ActionExecuted("action_listen")]

    before, after = tracker(BEFORE), tracker(events)
    assert after.current_slot_values() == before.current_slot_values()
    assert after.get_slot("role") is None and after.get_slot("requested_slot") == "role"
    assert after.active_loop_name == "interview_form" and after.latest_action_name == "action_listen"
    assert [e for e in after.applied_events() if not isinstance(e, FollowupAction)] == before.applied_events()
    # … but the answer is kept in the conversation, and so is the apology.
    assert UserUttered("gezondheid") in after.events
    assert [e.text for e in after.events if isinstance(e, BotUttered)][-1] == SERVICE_UNAVAILABLE


def test_one_apology_per_turn():
    events = apply(BEFORE + FORM_CALL, fallback_answer(json.loads(call(BEFORE + FORM_CALL))))
    assert fallback_answer(json.loads(call(events, "action_ask_role"))) == {"events": [], "responses": []}


def test_a_top_level_action_is_reverted_too():
    answer = fallback_answer(json.loads(call(BEFORE + [UserUttered("waarom?")], "action_answer_question")))
    assert answer["events"][1] == {"event": "rewind"}


def test_no_revert_after_a_form_ran_in_this_turn():
    # The form took the answer (Rasa logged it and dropped the message from its applied events);
    # then the action server died before the plan was proposed: a revert would undo the whole form.
    done = TURN + [ActionExecuted("interview_form"), SlotSet("role", "gezondheid"), SlotSet("requested_slot", None)]
    answer = fallback_answer(json.loads(call(BEFORE + done, "action_propose_plan")))
    assert answer["events"] == [{"event": "action_execution_rejected", "name": "action_propose_plan"},
                                {"event": "followup", "name": "action_listen"}]
    events = apply(BEFORE + done, answer) + [ActionExecuted("action_listen")]
    assert tracker(events).get_slot("municipality") == "Zwolle"


def test_outside_a_user_turn_nothing_is_reverted():
    # E.g. an action run through the HTTP API after the turn ended: the last answer must stay.
    answer = fallback_answer(json.loads(call(BEFORE, "action_show_summary")))
    assert {"event": "rewind"} not in answer["events"] and answer["responses"] == [{"text": SERVICE_UNAVAILABLE}]
