"""Microsoft Teams: Bot Framework activities with tokens signed by a key generated here, sent to
the real Rasa server; OpenID metadata, JWKS, the token endpoint and the Bot Connector are local
fakes (tests/channels/fakes.py)."""
import asyncio
import json
import re
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import jwt
import pytest

from bot.channels.teams import (
    BotTokens,
    OpenIdKeys,
    TeamsBot,
    TeamsKeysUnavailable,
    card_actions,
    service_url_allowed,
    strip_mentions,
    teams_text,
)
from tests.channels.conftest import TEAMS_APP_ID, TEAMS_APP_PASSWORD, TEAMS_KID, TEAMS_TENANT_ID, rest_say
from tests.channels.fakes import bot_framework_token, new_rsa_key, public_jwk

GREETING = "Hoi! Ik ben de Preventiewijzer."
ASK_MUNICIPALITY = "Voor welke gemeente werk je?"
BOT = {"id": f"28:{TEAMS_APP_ID}", "name": "Preventiewijzer"}
MANIFEST = Path(__file__).resolve().parents[2] / "bot" / "teams" / "manifest.template.json"


# -- helpers ------------------------------------------------------------------------------------


def service_url(fakes, prefix="/teams/"):
    return f"{fakes.url}{prefix}"


def new_conversation() -> str:
    return f"a:1{uuid.uuid4().hex}"


def activity(fakes, text, *, conversation, user=None, prefix="/teams/", tenant=TEAMS_TENANT_ID, **extra):
    user = user or "29:1" + conversation[-12:]  # one Rasa conversation per test conversation
    body = {
        "type": "message",
        "id": f"1{int(time.time() * 1000)}",
        "timestamp": "2025-01-01T10:00:00.000Z",
        "serviceUrl": service_url(fakes, prefix),
        "channelId": "msteams",
        "from": {"id": user, "name": "Anna de Vries", "aadObjectId": "00000000-0000-4000-8000-000000000001"},
        "conversation": {"id": conversation, "conversationType": "personal", "tenantId": tenant},
        "recipient": BOT,
        "textFormat": "plain",
        "locale": "nl-NL",
        "text": text,
        "channelData": {"tenant": {"id": tenant}},
    }
    body.update(extra)
    return body


def token(fakes, *, key=None, kid=TEAMS_KID, url=None, **claims):
    return bot_framework_token(
        key or fakes.server_key, kid, audience=claims.pop("audience", TEAMS_APP_ID),
        service_url=url or service_url(fakes), **claims,
    )


def send(server, body, authorization):
    headers = {"Content-Type": "application/json"}
    if authorization is not None:
        headers["Authorization"] = authorization
    request = urllib.request.Request(
        f"{server.url}/webhooks/teams/webhook", data=json.dumps(body).encode(), headers=headers
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            return reply.status
    except urllib.error.HTTPError as error:
        return error.code


def say(server, fakes, text, conversation, **kwargs):
    assert send(server, activity(fakes, text, conversation=conversation, **kwargs), f"Bearer {token(fakes)}") == 200


def reply_texts(calls):
    out = []
    for call in calls:
        out.append(call.body.get("text") or "")
        for attachment in call.body.get("attachments") or []:
            out.append(attachment.get("content", {}).get("text", ""))
    return out


def replied(conversation, text):
    return lambda c: c.get("conversation") == conversation and any(text in t for t in reply_texts([c]))


# -- against the real server --------------------------------------------------------------------


@pytest.mark.e2e
def test_nothing_is_fetched_from_microsoft_before_the_first_request(channel_server, fakes):
    assert fakes.find(lambda c: c["path"].startswith(("/openid/server/", "/login/"))) == []


@pytest.mark.e2e
def test_a_mention_gets_a_dutch_reply_in_the_same_conversation(channel_server, fakes):
    conversation = new_conversation()
    hello = activity(fakes, "<at>Preventiewijzer</at> hoi", conversation=conversation,
                     entities=[{"type": "mention", "text": "<at>Preventiewijzer</at>", "mentioned": BOT}])
    assert send(channel_server, hello, f"Bearer {token(fakes)}") == 200

    fakes.wait_for(replied(conversation, ASK_MUNICIPALITY))
    calls = fakes.activities(conversation)
    assert reply_texts(calls)[0] == GREETING  # "<at>Preventiewijzer</at> hoi" was understood as "hoi"
    first = calls[0].body
    assert first["type"] == "message" and first["textFormat"] == "markdown"
    assert first["conversation"]["id"] == conversation and first["replyToId"] == hello["id"]
    assert first["from"] == BOT and first["recipient"] == {
        "id": hello["from"]["id"], "name": "Anna de Vries", "aadObjectId": hello["from"]["aadObjectId"]}
    assert "channelData" not in first  # no activity-feed alert for every chat message
    # The replies carry an access token from the (single-tenant) token endpoint.
    assert all(re.fullmatch(r"Bearer fake-access-token-\d+", c["headers"]["authorization"]) for c in calls)
    (token_call, *_) = fakes.find(lambda c: c["path"] == f"/login/{TEAMS_TENANT_ID}/oauth2/v2.0/token")
    assert token_call.body == {
        "grant_type": "client_credentials", "client_id": TEAMS_APP_ID, "client_secret": TEAMS_APP_PASSWORD,
        "scope": "https://api.botframework.com/.default",
    }


@pytest.mark.e2e
def test_buttons_arrive_as_a_hero_card_and_a_click_is_understood(channel_server, fakes):
    conversation = new_conversation()
    reference = f"rest-{uuid.uuid4().hex[:8]}"  # the same conversation over REST, to compare with
    say(channel_server, fakes, "hoi", conversation)
    rest_say(channel_server, reference, "hoi")
    fakes.wait_for(replied(conversation, ASK_MUNICIPALITY))
    say(channel_server, fakes, "gemeente Amersfort", conversation)
    rest_say(channel_server, reference, "gemeente Amersfort")

    card_call = fakes.wait_for(replied(conversation, "Bedoel je Amersfoort?"))[0]
    (card,) = card_call.body["attachments"]
    assert card["contentType"] == "application/vnd.microsoft.card.hero"
    assert card["content"]["text"] == "Bedoel je Amersfoort?"
    buttons = card["content"]["buttons"]
    assert [(b["type"], b["title"], b["displayText"], b["text"]) for b in buttons] == [
        ("messageBack", "Ja, Amersfoort", "Ja, Amersfoort", "Amersfoort"), ("messageBack", "Nee", "Nee", "nee")]

    # Teams sends a messageBack click as a message with the button's text and value.
    say(channel_server, fakes, buttons[0]["text"], conversation, value=buttons[0]["value"])
    expected = [r for r in rest_say(channel_server, reference, "Amersfoort") if r.get("buttons")][-1]
    question = fakes.wait_for(replied(conversation, teams_text(expected["text"])))[0].body
    assert question["attachments"][0]["content"]["buttons"] == card_actions(expected["buttons"])


@pytest.mark.e2e
def test_tokens_that_are_not_from_the_bot_framework_for_this_bot_are_rejected(channel_server, fakes):
    other_key = new_rsa_key()
    now = int(time.time())
    foreign = service_url(fakes, "/evil/")
    cases = {  # name: (status, activity changes, Authorization header)
        "no header": (401, {}, None),
        "not bearer": (401, {}, "Basic dXNlcjpwYXNz"),
        "garbage": (401, {}, "Bearer not.a.token"),
        "alg none": (401, {}, "Bearer " + jwt.encode(
            {"iss": "https://api.botframework.com", "aud": TEAMS_APP_ID, "exp": now + 600,
             "serviceurl": service_url(fakes)}, None, algorithm="none", headers={"kid": TEAMS_KID})),
        "HS256 with a shared secret": (401, {}, "Bearer " + jwt.encode(
            {"iss": "https://api.botframework.com", "aud": TEAMS_APP_ID, "exp": now + 600,
             "serviceurl": service_url(fakes)}, "a-shared-secret-" * 4, algorithm="HS256", headers={"kid": TEAMS_KID})),
        "wrong issuer": (401, {}, f"Bearer {token(fakes, issuer='https://sts.windows.net/evil/')}"),
        "wrong audience": (401, {}, f"Bearer {token(fakes, audience='another-bot')}"),
        "expired": (401, {}, f"Bearer {token(fakes, issued=now - 7200, lifetime=3600)}"),
        "not yet valid": (401, {}, f"Bearer {token(fakes, issued=now + 3600)}"),
        "no expiry": (401, {}, f"Bearer {token(fakes, drop=('exp',))}"),
        "other key, same kid": (401, {}, f"Bearer {token(fakes, key=other_key)}"),
        "unknown kid": (401, {}, f"Bearer {token(fakes, key=other_key, kid='unknown-key')}"),
        "serviceurl claim differs": (401, {}, f"Bearer {token(fakes, url=foreign)}"),
        "no serviceurl claim": (401, {}, f"Bearer {token(fakes, drop=('serviceurl',))}"),
        "key not endorsed for the channel": (401, {"channelId": "webchat"}, f"Bearer {token(fakes)}"),
        "foreign serviceUrl": (403, {"serviceUrl": foreign}, f"Bearer {token(fakes, url=foreign)}"),
        "other tenant": (403, {"channelData": {"tenant": {"id": "other-tenant"}}}, f"Bearer {token(fakes)}"),
    }
    conversations = {}
    for name, (expected, changes, authorization) in cases.items():
        conversations[name] = new_conversation()
        body = activity(fakes, "hoi", conversation=conversations[name], **changes)
        assert send(channel_server, body, authorization) == expected, name

    # A token with a little clock skew (expired 1 minute ago) is still fine; it is answered, and
    # by then the rejected ones would have been too.
    conversation = new_conversation()
    late = f"Bearer {token(fakes, issued=now - 3660, lifetime=3600)}"
    assert send(channel_server, activity(fakes, "hoi", conversation=conversation), late) == 200
    fakes.wait_for(replied(conversation, ASK_MUNICIPALITY))
    time.sleep(1)
    for name, conversation in conversations.items():
        assert fakes.find(lambda c, conversation=conversation: c.get("conversation") == conversation) == [], name
    assert fakes.find(lambda c: c["path"].startswith("/evil/")) == []


@pytest.mark.e2e
def test_other_activities_are_accepted_without_a_reply(channel_server, fakes):
    conversation = new_conversation()
    update = activity(fakes, None, conversation=conversation, type="conversationUpdate",
                      membersAdded=[{"id": BOT["id"]}])
    assert send(channel_server, update, f"Bearer {token(fakes)}") == 200
    assert send(channel_server, activity(fakes, "<at>Preventiewijzer</at>", conversation=conversation),
                f"Bearer {token(fakes)}") == 200
    time.sleep(1.5)
    assert fakes.activities(conversation) == []


# -- the parts on their own (no server) ---------------------------------------------------------


def test_mentions_are_removed():
    assert strip_mentions("<at>Preventiewijzer</at> hoi") == "hoi"
    assert strip_mentions("Hoi <at>Preventie wijzer</at>,&nbsp;wat kun je?") == "Hoi , wat kun je?"
    assert strip_mentions(None) == ""


def test_service_url_allow_list():
    allowed = ["https://smba.trafficmanager.net/", "http://127.0.0.1:9/teams/"]
    assert service_url_allowed("https://smba.trafficmanager.net/emea/", allowed)
    assert service_url_allowed("https://SMBA.trafficmanager.net/teams", allowed)
    assert service_url_allowed("http://127.0.0.1:9/teams/", allowed)
    for url in ("https://smba.trafficmanager.net.evil.com/", "http://smba.trafficmanager.net/",
                "https://evil.com/smba.trafficmanager.net/", "http://127.0.0.1:9/evil/",
                "https://user@smba.trafficmanager.net/", "", None):
        assert not service_url_allowed(url, allowed), url


def test_text_and_buttons_for_teams():
    assert teams_text("Stap 1. Analyse\n• Barcode\n  omdat het past\n\nKlaar") == (
        "Stap 1. Analyse\n\n• Barcode\n\n  omdat het past\n\nKlaar")
    assert card_actions([{"title": "Ja, Amersfoort", "payload": "Amersfoort"}]) == [{
        "type": "messageBack", "title": "Ja, Amersfoort", "displayText": "Ja, Amersfoort",
        "text": "Amersfoort", "value": {"payload": "Amersfoort"}}]


def test_keys_are_fetched_lazily_cached_and_fetched_again_for_an_unknown_kid(fakes):
    first, second = new_rsa_key(), new_rsa_key()
    fakes.keysets["rotation"] = [public_jwk(first, "k1")]
    keys = OpenIdKeys(f"{fakes.url}/openid/rotation/config", min_refresh_interval=0)

    def fetches():
        return len(fakes.find(lambda c: c["path"] == "/openid/rotation/config"))

    async def scenario():
        assert fetches() == 0
        assert (await keys.get("k1"))["kid"] == "k1"
        assert (await keys.get("k1"))["kid"] == "k1"
        assert fetches() == 1  # cached
        fakes.keysets["rotation"].append(public_jwk(second, "k2"))  # Microsoft rotates its keys
        assert (await keys.get("k2"))["kid"] == "k2"
        assert fetches() == 2
        del fakes.keysets["rotation"]  # the metadata is unreachable: keep the cached keys
        assert await keys.get("k3") is None
        assert (await keys.get("k1"))["kid"] == "k1"
        keys.ttl = 0
        assert (await keys.get("k1"))["kid"] == "k1"

    asyncio.run(scenario())


def test_unknown_kids_do_not_hammer_microsoft(fakes):
    fakes.keysets["ratelimit"] = [public_jwk(new_rsa_key(), "k1")]
    keys = OpenIdKeys(f"{fakes.url}/openid/ratelimit/config", min_refresh_interval=60)

    async def scenario():
        for n in range(5):
            assert await keys.get(f"random-{n}") is None

    asyncio.run(scenario())
    assert len(fakes.find(lambda c: c["path"] == "/openid/ratelimit/config")) == 1


def test_unreachable_keys_are_reported():
    keys = OpenIdKeys("http://127.0.0.1:9/openid/config")  # nothing listens on port 9
    with pytest.raises(TeamsKeysUnavailable):
        asyncio.run(keys.get("k1"))


def test_the_access_token_is_cached_and_renewed_after_a_401(fakes):
    conversation = new_conversation()
    tokens = BotTokens(f"{fakes.url}/login/unit-test/oauth2/v2.0/token", TEAMS_APP_ID, TEAMS_APP_PASSWORD)
    bot = TeamsBot(TEAMS_APP_ID, TEAMS_APP_PASSWORD, {"id": conversation}, BOT, service_url(fakes, "/unit/"),
                   tokens, user={"id": "29:1anna", "name": "Anna"}, reply_to_id="1234")

    def token_calls():
        return len(fakes.find(lambda c: c["path"] == "/login/unit-test/oauth2/v2.0/token"))

    async def scenario():
        await bot.send_text_message("29:1anna", "Eén")
        await bot.send_text_message("29:1anna", "Twee")
        assert token_calls() == 1
        fakes.fail_next["/unit/v3/conversations/"] = [401]  # the token was revoked
        await bot.send_text_message("29:1anna", "Drie")
        assert token_calls() == 2
        fakes.fail_next["/unit/v3/conversations/"] = [429]  # too many messages: wait, send again
        await bot.send_text_message("29:1anna", "Vier")
        assert token_calls() == 2

    asyncio.run(scenario())
    calls = fakes.activities(conversation, prefix="/unit")
    # The first "Drie" got 401, the first "Vier" 429.
    assert [c.body["text"] for c in calls] == ["Eén", "Twee", "Drie", "Drie", "Vier", "Vier"]
    assert calls[-1]["headers"]["authorization"] != calls[0]["headers"]["authorization"]
    assert calls[0]["path"] == f"/unit/v3/conversations/{conversation.replace(':', '%3A')}/activities"


def test_a_summary_file_is_shown_as_text(fakes):
    import base64

    conversation = new_conversation()
    tokens = BotTokens(f"{fakes.url}/login/unit-test/oauth2/v2.0/token", TEAMS_APP_ID, TEAMS_APP_PASSWORD)
    bot = TeamsBot(TEAMS_APP_ID, TEAMS_APP_PASSWORD, {"id": conversation}, BOT, service_url(fakes, "/unit/"), tokens)
    content = base64.b64encode(b"Gemeente: Amersfoort\nSignaal: 3-MMC").decode()
    asyncio.run(bot.send_custom_json("29:1anna", {"file": {"filename": "plan.md", "title": "Preventieplan",
                                                           "content_base64": content}}))
    (call,) = fakes.activities(conversation, prefix="/unit")
    assert call.body["text"] == "**Preventieplan**\n\nGemeente: Amersfoort\n\nSignaal: 3-MMC"


def test_the_manifest_template_is_a_valid_teams_manifest():
    text = MANIFEST.read_text(encoding="utf-8")
    placeholders = set(re.findall(r"\{\{([A-Z_]+)\}\}", text))
    assert "TEAMS_APP_ID" in placeholders
    for name in placeholders:
        text = text.replace("{{" + name + "}}", "https://example.org" if name.endswith("URL") else "x")
    manifest = json.loads(text)
    assert manifest["manifestVersion"] == "1.16"
    assert manifest["$schema"].endswith("/v1.16/MicrosoftTeams.schema.json")
    (bot,) = manifest["bots"]
    assert set(bot["scopes"]) == {"personal", "team", "groupchat"}
    assert len(manifest["name"]["short"]) <= 30 and len(manifest["description"]["short"]) <= 80
    assert len(manifest["description"]["full"]) <= 4000
    assert set(manifest["icons"]) == {"color", "outline"}
