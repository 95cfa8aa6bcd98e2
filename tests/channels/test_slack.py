"""Slack: signed Events API and interactivity requests to the real Rasa server; replies go to a
local fake of the Slack Web API (tests/channels/fakes.py)."""
import asyncio
import base64
import json
import time
import urllib.error
import urllib.request
import uuid
from urllib.parse import urlencode

import pytest
from slack_sdk.signature import SignatureVerifier

from bot.channels.slack import FILE_FAILED_TEXT, SlackBot, button_blocks, escape
from tests.channels.conftest import SLACK_CHANNEL, SLACK_SIGNING_SECRET, SLACK_TOKEN, rest_say

GREETING = "Hoi! Ik ben de Preventiewijzer."
ASK_MUNICIPALITY = "Voor welke gemeente werk je?"


# -- helpers ------------------------------------------------------------------------------------


def uid(prefix: str) -> str:
    return prefix + uuid.uuid4().hex[:8].upper()


def new_ts() -> str:
    return f"{time.time():.6f}"


def post(server, body: bytes, headers: dict):
    request = urllib.request.Request(f"{server.url}/webhooks/slack/webhook", data=body, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            return reply.status, dict(reply.headers), reply.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def signed(body: bytes, content_type="application/json", timestamp=None, secret=SLACK_SIGNING_SECRET, **extra):
    timestamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=timestamp, body=body)
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": signature,
        **extra,
    }


def event_body(text, *, user, channel, ts=None, thread_ts=None, channel_type="im", event_type="message", event_id=None):
    event = {
        "type": event_type,
        "user": user,
        "text": text,
        "ts": ts or new_ts(),
        "channel": channel,
        "channel_type": channel_type,
        "event_ts": ts,
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    if event_type == "app_mention":
        del event["channel_type"]
    return json.dumps({
        "token": "deprecated-verification-token",
        "team_id": "T1",
        "api_app_id": "A1",
        "type": "event_callback",
        "event_id": event_id or uid("Ev"),
        "event_time": int(time.time()),
        "authorizations": [{"team_id": "T1", "user_id": "UBOT", "is_bot": True}],
        "event": event,
    }).encode()


def say(server, text, **kwargs):
    body = event_body(text, **kwargs)
    status, _, _ = post(server, body, signed(body))
    assert status == 200
    return json.loads(body)["event"]["ts"]


def texts(posts):
    return [p.body.get("text", "") for p in posts]


def has_text(channel, text):
    return lambda c: c["path"].endswith("/chat.postMessage") and c.body.get("channel") == channel and text in c.body.get("text", "")


# -- against the real server --------------------------------------------------------------------


@pytest.mark.e2e
def test_url_verification_is_answered_with_the_challenge(channel_server):
    body = json.dumps({"token": "x", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
                       "type": "url_verification"}).encode()
    status, headers, reply = post(channel_server, body, signed(body))
    assert status == 200
    assert json.loads(reply) == {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}


@pytest.mark.e2e
def test_a_direct_message_gets_a_dutch_answer_in_its_thread(channel_server, fakes):
    user, channel = uid("U"), uid("D")
    ts = say(channel_server, "hoi", user=user, channel=channel)
    fakes.wait_for(has_text(channel, ASK_MUNICIPALITY))
    posts = fakes.slack_posts(channel)
    assert texts(posts)[0] == GREETING
    assert all(p.body["thread_ts"] == ts for p in posts)  # in the thread of the user's message
    assert all(p["headers"]["authorization"] == f"Bearer {SLACK_TOKEN}" for p in posts)
    assert all("as_user" not in p.body for p in posts)


@pytest.mark.e2e
def test_buttons_are_block_kit_and_a_click_is_understood(channel_server, fakes):
    user, channel = uid("U"), uid("D")
    reference = uid("rest-")  # the same conversation over REST, to compare with
    first = say(channel_server, "hoi", user=user, channel=channel)
    rest_say(channel_server, reference, "hoi")
    fakes.wait_for(has_text(channel, ASK_MUNICIPALITY))
    say(channel_server, "gemeente Amersfort", user=user, channel=channel, thread_ts=first)
    rest_say(channel_server, reference, "gemeente Amersfort")

    question = fakes.wait_for(has_text(channel, "Bedoel je Amersfoort?"))[0].body
    assert question["thread_ts"] == first
    section, actions = question["blocks"]
    assert section["type"] == "section" and "Bedoel je Amersfoort?" in section["text"]["text"]
    assert actions["type"] == "actions"
    assert [(b["type"], b["text"]["text"], b["value"]) for b in actions["elements"]] == [
        ("button", "Ja, Amersfoort", "Amersfoort"), ("button", "Nee", "nee")]

    # The officer clicks "Ja, Amersfoort": Slack posts a block_actions payload (form-encoded).
    payload = {
        "type": "block_actions",
        "user": {"id": user, "username": "anna"},
        "channel": {"id": channel, "name": "directmessage"},
        "container": {"type": "message", "message_ts": new_ts()},
        "message": {"type": "message", "ts": new_ts(), "thread_ts": first, "text": "Bedoel je Amersfoort?"},
        "actions": [dict(actions["elements"][0], block_id="b1", action_ts=new_ts())],
        "response_url": "https://hooks.slack.com/actions/T1/1/x",
        "trigger_id": "1.2.3",
    }
    body = urlencode({"payload": json.dumps(payload)}).encode()
    status, _, _ = post(channel_server, body, signed(body, "application/x-www-form-urlencoded"))
    assert status == 200

    # The next question arrives in the thread with exactly the buttons the bot sends over REST.
    expected = [r for r in rest_say(channel_server, reference, "Amersfoort") if r.get("buttons")][-1]
    question = fakes.wait_for(has_text(channel, escape(expected["text"])))[0].body
    assert question["thread_ts"] == first
    buttons = [(e["text"]["text"], e["value"]) for b in question["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert buttons == [(b["title"], b["payload"]) for b in expected["buttons"]]


@pytest.mark.e2e
def test_unsigned_wrongly_signed_and_replayed_requests_are_rejected(channel_server, fakes):
    bad_channels = [uid("D") for _ in range(5)]
    cases = []
    body = event_body("hoi", user=uid("U"), channel=bad_channels[0])
    cases.append((body, {"Content-Type": "application/json"}))  # unsigned
    body = event_body("hoi", user=uid("U"), channel=bad_channels[1])
    cases.append((body, signed(body, secret="not-the-signing-secret")))  # wrong secret
    body = event_body("hoi", user=uid("U"), channel=bad_channels[2])
    cases.append((body, signed(body.replace(b'"hoi"', b'"hallo"'))))  # signature of another body
    body = event_body("hoi", user=uid("U"), channel=bad_channels[3])
    cases.append((body, signed(body, timestamp=int(time.time()) - 6 * 60)))  # replayed: 6 minutes old
    body = event_body("hoi", user=uid("U"), channel=bad_channels[4])
    cases.append((body, signed(body, timestamp=int(time.time()) + 6 * 60)))  # from the future
    for body, headers in cases:
        status, _, _ = post(channel_server, body, headers)
        assert 400 <= status < 500, headers

    # A good message sent afterwards is answered; by then the bad ones would have been too.
    channel = uid("D")
    say(channel_server, "hoi", user=uid("U"), channel=channel)
    fakes.wait_for(has_text(channel, ASK_MUNICIPALITY))
    time.sleep(1)
    for bad in bad_channels:
        assert fakes.slack_posts(bad) == []


@pytest.mark.e2e
def test_retries_and_duplicate_events_get_one_answer(channel_server, fakes):
    # 1. Slack retries an event (we were "too slow"), once for http_timeout, once for another reason.
    user, channel = uid("U"), uid("D")
    body = event_body("hoi", user=user, channel=channel)
    assert post(channel_server, body, signed(body))[0] == 200
    for number, reason in ((1, "http_timeout"), (2, "http_error")):
        status, headers, _ = post(
            channel_server, body, signed(body, **{"X-Slack-Retry-Num": str(number), "X-Slack-Retry-Reason": reason})
        )
        assert status in (200, 201)
        assert headers.get("X-Slack-No-Retry") == "1"

    # 2. In the bot's channel a mention arrives twice: as a message and as an app_mention event.
    mention_user, ts = uid("U"), new_ts()
    for event_type in ("message", "app_mention"):
        say(channel_server, "<@UBOT> hoi", user=mention_user, channel=SLACK_CHANNEL, ts=ts,
            channel_type="channel", event_type=event_type)

    fakes.wait_for(has_text(channel, ASK_MUNICIPALITY))
    fakes.wait_for(lambda c: has_text(SLACK_CHANNEL, ASK_MUNICIPALITY)(c) and c.body.get("thread_ts") == ts)
    time.sleep(2)
    assert texts(fakes.slack_posts(channel)).count(GREETING) == 1
    in_thread = [p for p in fakes.slack_posts(SLACK_CHANNEL) if p.body.get("thread_ts") == ts]
    assert texts(in_thread).count(GREETING) == 1


@pytest.mark.e2e
def test_a_mention_in_another_channel_is_answered_and_other_traffic_is_not(channel_server, fakes):
    channel, user, ts = uid("C"), uid("U"), new_ts()
    # Slack sends both events for a mention; in a channel that is not the bot's, only the mention counts.
    say(channel_server, "<@UBOT> hoi", user=user, channel=channel, ts=ts, channel_type="channel")
    say(channel_server, "<@UBOT> hoi", user=user, channel=channel, ts=ts, event_type="app_mention")
    # Not for us: an ordinary message in that channel, a join message, the bot's own message.
    say(channel_server, "hoi allemaal", user=uid("U"), channel=channel, channel_type="channel")
    join = json.loads(event_body("<@U9> is erbij gekomen", user="U9", channel=SLACK_CHANNEL, channel_type="channel"))
    join["event"]["subtype"] = "channel_join"
    own = json.loads(event_body("Hoi!", user="UBOT", channel=uid("D")))
    own["event"]["bot_id"] = "BBOT"
    for payload in (join, own):
        body = json.dumps(payload).encode()
        assert post(channel_server, body, signed(body))[0] == 200

    fakes.wait_for(has_text(channel, ASK_MUNICIPALITY))
    time.sleep(1.5)
    posts = fakes.slack_posts(channel)
    assert texts(posts).count(GREETING) == 1 and all(p.body["thread_ts"] == ts for p in posts)
    assert not [p for p in fakes.slack_posts(SLACK_CHANNEL) if "is erbij gekomen" in json.dumps(p.body)]
    assert fakes.slack_posts(own["event"]["channel"]) == []


# -- the output channel on its own (no server) --------------------------------------------------


def test_button_blocks_hold_up_to_25_buttons_per_block():
    buttons = [{"title": f"Optie {n} " + "x" * 80, "payload": f"/choose{{\"n\": {n}}}"} for n in range(30)]
    blocks = button_blocks("Kies maar", buttons)
    assert blocks[0] == {"type": "section", "text": {"type": "mrkdwn", "text": "Kies maar"}}
    assert [len(b["elements"]) for b in blocks[1:]] == [25, 5]
    first = blocks[1]["elements"][0]
    assert len(first["text"]["text"]) == 75 and first["value"] == '/choose{"n": 0}'
    assert len({e["action_id"] for b in blocks[1:] for e in b["elements"]}) == 30


def test_the_summary_file_is_uploaded_into_the_thread(fakes):
    channel, thread = uid("D"), new_ts()
    bot = SlackBot(SLACK_TOKEN, channel, thread, api_url=f"{fakes.url}/slack/api/")
    content = b"Samenvatting\nGemeente: Amersfoort\n"
    custom = {"file": {"filename": "preventieplan-amersfoort.md", "title": "Preventieplan Amersfoort",
                       "content_base64": base64.b64encode(content).decode()}}
    asyncio.run(bot.send_custom_json(uid("U"), custom))

    def mine(name):
        return lambda c: c["path"].endswith("/" + name)

    step1 = [c for c in fakes.find(mine("files.getUploadURLExternal")) if c["query"].get("filename") == "preventieplan-amersfoort.md"
             or (isinstance(c.body, dict) and c.body.get("filename") == "preventieplan-amersfoort.md")]
    assert step1
    uploads = fakes.find(lambda c: c["path"].startswith("/slack/upload/") and c.get("raw") == content)
    assert len(uploads) == 1
    file_id = uploads[0]["path"].rsplit("/", 1)[-1]
    completed = [c for c in fakes.find(mine("files.completeUploadExternal")) if file_id in json.dumps(c["query"])]
    assert len(completed) == 1
    args = completed[0]["query"]
    assert args["channel_id"] == channel and args["thread_ts"] == thread
    assert json.loads(args["files"]) == [{"id": file_id, "title": "Preventieplan Amersfoort"}]


def test_a_broken_file_payload_gets_a_dutch_message(fakes):
    channel = uid("D")
    bot = SlackBot(SLACK_TOKEN, channel, None, api_url=f"{fakes.url}/slack/api/")
    asyncio.run(bot.send_custom_json(uid("U"), {"file": {"filename": "x.txt", "content_base64": "@@@ niet base64"}}))
    assert texts(fakes.slack_posts(channel)) == [FILE_FAILED_TEXT]


def test_other_custom_payloads_are_posted_as_they_are(fakes):
    channel = uid("D")
    bot = SlackBot(SLACK_TOKEN, channel, "1.2", api_url=f"{fakes.url}/slack/api/")
    asyncio.run(bot.send_custom_json(uid("U"), {"text": "Kijk eens", "blocks": [{"type": "divider"}]}))
    (call,) = fakes.slack_posts(channel)
    assert call.body["blocks"] == [{"type": "divider"}] and call.body["thread_ts"] == "1.2"


def test_text_is_escaped_and_a_rate_limit_is_waited_out(fakes):
    channel = uid("D")
    bot = SlackBot(SLACK_TOKEN, channel, None, api_url=f"{fakes.url}/slack/api/")
    fakes.fail_next["/slack/api/chat.postMessage"] = [429]  # "slow down", without Retry-After
    asyncio.run(bot.send_text_message(uid("U"), "GGD & politie <samen>"))
    asyncio.run(bot.send_text_with_buttons(uid("U"), "A & B?", [{"title": "Ja", "payload": "ja"}]))
    posts = fakes.slack_posts(channel)
    assert texts(posts) == ["GGD &amp; politie &lt;samen&gt;", "GGD &amp; politie &lt;samen&gt;", "A &amp; B?"]
    assert posts[2].body["blocks"][0]["text"]["text"] == "A &amp; B?"
