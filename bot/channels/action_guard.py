"""The action guard: Rasa's action endpoint, in front of the action server, with a timeout and an
apology when the action server is down.

Rasa 3.6 waits up to 5 minutes for a custom action (a constant, not a setting) and, when the action
server refuses the connection, logs the error and goes on without the action's events: the officer
gets no reply at all, and the answer stays in the conversation unvalidated. The guard is a custom
input channel, so it runs inside the Rasa server, and the action endpoint points at it::

    # endpoints file (``python -m bot run`` writes it; see bot/cli.py)
    action_endpoint:
      url: "http://127.0.0.1:5005/webhooks/action_guard/webhook"
      token: "${ACTION_GUARD_TOKEN}"
    # credentials file
    bot.channels.action_guard.ActionGuardInput:
      upstream: {url: "http://localhost:5055/webhook"}   # the real action endpoint, as in endpoints.yml
      timeout: 4                                          # seconds (ACTION_TIMEOUT)

It passes every call on unchanged. When the action server refuses the connection, does not answer
within ``timeout`` seconds, or answers with an error other than 400 (400 is rasa_sdk's "action
rejected", which Rasa handles itself), the guard answers for it, as an action may, with Rasa's own events:

- the apology (``conversation.texts.SERVICE_UNAVAILABLE``);
- ``ActionExecutionRejected``: Rasa does not log the action (or the form that called it) as run,
  and a form does not go on to ask for the next slot;
- ``UserUtteranceReverted``: the officer's message stays in the conversation's events (it is kept,
  and shows in the transcript), but the state goes back to just before it, slots extracted from it
  included, so the same question is open (Rasa's default fallback action reverts the same way);
- ``FollowupAction("action_listen")``: the turn ends here.

A later call in the same turn gets an empty answer at once: one apology per message, never a
second revert. When the action server is back, the officer sends the answer again and the
conversation goes on at the same question. Known limit: if the action server dies in the middle of
a turn, after a form has already run in it, the turn is not reverted (Rasa's form bookkeeping would
make the revert go back to before the form began); the officer still gets the apology.

When ``ACTION_GUARD_TOKEN`` is set in the Rasa server's environment, calls must carry it
(``?token=``, which Rasa adds from the endpoint's ``token``), so the route does not open the action
server to the Internet.
"""
from __future__ import annotations

import asyncio
import hmac
import json
import logging
import os
import time
import zlib
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text, Tuple

import aiohttp
from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.utils.endpoints import EndpointConfig
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels import answer_check
from conversation.texts import SERVICE_UNAVAILABLE

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 4.0
TOKEN_ENV = "ACTION_GUARD_TOKEN"
# Passed on to the action server as they are: 200 (the action's events) and 400 (rejected).
PASSED_ON = (200, 400)
# Request headers that describe the body; the rest (Host, Content-Length …) aiohttp sets itself.
BODY_HEADERS = ("Content-Type", "Content-Encoding")


def _decode(body: bytes, encoding: str) -> Dict[str, Any]:
    """The action call's JSON (Rasa may send it compressed: RASA_COMPRESS_ACTION_SERVER_REQUEST)."""
    try:
        if encoding:
            body = zlib.decompress(body, wbits=zlib.MAX_WBITS | 32) if encoding == "gzip" else zlib.decompress(body)
        data = json.loads(body)
    except (ValueError, zlib.error):
        return {}
    return data if isinstance(data, dict) else {}


def _from_inside_a_form(action: str, loop_names: set) -> bool:
    """A call a form makes itself (validation, asking for a slot), not one the processor makes."""
    if action.startswith("validate_"):
        return action[len("validate_"):] in loop_names
    return action.startswith("action_ask_")


def fallback_answer(call: Dict[str, Any]) -> Dict[str, Any]:
    """What the guard answers for an action server that failed, given the action call's JSON."""
    events: List[Dict[str, Any]] = (call.get("tracker") or {}).get("events") or []
    action = str(call.get("next_action") or "")
    last_user = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=-1)
    since = events[last_user + 1:] if last_user >= 0 else []
    if any(e.get("event") == "bot" and e.get("text") == SERVICE_UNAVAILABLE for e in since):
        return {"events": [], "responses": []}  # apologised in this turn already (and reverted it)
    # The rejection keeps Rasa from logging the action as run, and stops a form from asking on.
    answer_events: List[Dict[str, Any]] = [{"event": "action_execution_rejected", "name": action}]
    if _revertible(events, since, action, last_user):
        answer_events.append({"event": "rewind"})
    answer_events.append({"event": "followup", "name": "action_listen"})
    return {"events": answer_events, "responses": [{"text": SERVICE_UNAVAILABLE}]}


def _revertible(events: List[Dict[str, Any]], since: List[Dict[str, Any]], action: str, last_user: int) -> bool:
    """Whether ``UserUtteranceReverted`` takes the conversation back to just before the last message.

    Not when no user message started this turn (an action run through the HTTP API), nor when a
    form ran successfully earlier in this turn: Rasa then drops the message from the applied events
    (its form happy-path compression) and a revert would go back to before the form began.
    A form's own calls carry one execution of that form that Rasa has not logged (yet).
    """
    if last_user < 0 or any(e.get("event") == "action" and e.get("name") == "action_listen" for e in since):
        return False
    loop_names = {e.get("name") for e in events if e.get("event") == "active_loop" and e.get("name")}
    loop_runs = [e for e in since if e.get("event") == "action" and e.get("name") in loop_names]
    if loop_runs and _from_inside_a_form(action, loop_names):
        loop_runs.pop()
    return not loop_runs


class ActionGuardInput(InputChannel):
    """Forwards action calls to the action server; answers with the apology when it fails."""

    @classmethod
    def name(cls) -> Text:
        return "action_guard"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> ActionGuardInput:
        # The Rasa server that loads the guard also checks the action server's answers with one
        # validator instead of building one per answer (see bot/channels/answer_check.py).
        answer_check.install()
        credentials = credentials or {}
        upstream = credentials.get("upstream") or {"url": "http://localhost:5055/webhook"}
        timeout = float(credentials.get("timeout") or DEFAULT_TIMEOUT)
        return cls(EndpointConfig.from_dict(dict(upstream)), timeout, os.environ.get(TOKEN_ENV) or None)

    def __init__(self, upstream: EndpointConfig, timeout: float = DEFAULT_TIMEOUT, token: Optional[str] = None):
        if not upstream.url:
            raise ValueError("the action guard needs the URL of the action server (upstream: url:)")
        self.upstream = upstream
        self.timeout = timeout
        self.token = token

    async def forward(self, body: bytes, headers: Dict[str, str]) -> Tuple[int, bytes, str]:
        """Call the action server: (status, body, content type); raises on no answer in time."""
        auth = aiohttp.BasicAuth(**self.upstream.basic_auth) if self.upstream.basic_auth else None
        # A new connection per call, as Rasa does: a kept-alive one would be dead after a restart.
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout), auth=auth) as session:
            async with session.post(
                self.upstream.url,
                data=body,
                headers={**headers, **self.upstream.headers},
                params=self.upstream.combine_parameters(),
            ) as answer:
                return answer.status, await answer.read(), answer.headers.get("Content-Type", "application/json")

    async def handle(self, body: bytes, headers: Dict[str, str]) -> HTTPResponse:
        started = time.monotonic()
        try:
            status, content, content_type = await self.forward(body, headers)
            if status in PASSED_ON:
                return response.raw(content, status=status, content_type=content_type)
            problem = f"it answered {status}"
        except asyncio.TimeoutError:
            problem = f"no answer within {self.timeout:g} s"
        except aiohttp.ClientError as err:
            problem = f"{type(err).__name__}: {err}"
        call = _decode(body, headers.get("Content-Encoding", ""))
        answer = fallback_answer(call)
        logger.warning(
            "action server unavailable for %s of conversation %s (%s, after %.1f s)%s",
            call.get("next_action", "?"), call.get("sender_id", "?"), problem, time.monotonic() - started,
            "; the officer gets the apology" if answer["responses"] else "",
        )
        return response.json(answer)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = Blueprint("action_guard_webhook", __name__)

        @bp.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            if self.token and not hmac.compare_digest(request.args.get("token") or "", self.token):
                return response.json({"error": "unauthorised"}, status=401)
            headers = {name: request.headers[name] for name in BODY_HEADERS if name in request.headers}
            return await self.handle(request.body, headers)

        return bp
