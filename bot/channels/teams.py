"""Microsoft Teams channel: Rasa's Bot Framework channel made fit for production.

Credentials key: ``bot.channels.teams.TeamsInput`` (written by ``bot.channels.config``); the
messaging endpoint is ``/webhooks/teams/webhook``.

What differs from Rasa 3.6's ``BotFrameworkInput`` / ``BotFramework``:
- nothing is fetched at start-up: the OpenID metadata and its signing keys (JWKS) are fetched on
  the first request, cached for a day and fetched again when a token names an unknown key;
- the ``Authorization: Bearer`` token is checked completely: RSA signature with a key from the
  JWKS (and the key must be endorsed for the activity's channel), issuer
  ``https://api.botframework.com``, audience = the app id, expiry and not-before with 5 minutes
  leeway, and its ``serviceurl`` claim must be the activity's ``serviceUrl``;
- the ``serviceUrl`` must be on an allow-list (replies and our access token go there), and with a
  tenant id only activities from that tenant are accepted;
- single-tenant apps: the access token for replies comes from the tenant's token URL;
- the token request and the replies use aiohttp (Rasa used blocking ``requests`` calls);
- ``<at>…</at>`` mentions are removed from the text ("<at>Preventiewijzer</at> hoi" -> "hoi");
- buttons are a hero card with ``messageBack`` buttons (Rasa put Rasa's button dicts in the card
  unchanged, without the ``type`` and ``value`` Teams needs); the payload goes to the bot, the
  title is shown in the chat;
- one activity per bot message, with markdown line breaks; replies keep ``replyToId``;
- a custom payload ``{"file": {...}}`` is shown as text: a Teams bot cannot attach a file
  without the file-consent flow.
"""
from __future__ import annotations

import asyncio
import base64
import binascii
import logging
import re
import time
from http import HTTPStatus
from typing import Any, Awaitable, Callable, Dict, Iterable, List, Optional, Sequence, Set, Text, cast
from urllib.parse import quote, urlsplit

import aiohttp
import jwt
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from jwt.algorithms import RSAAlgorithm
from rasa.core.channels.botframework import BotFramework, BotFrameworkInput
from rasa.core.channels.channel import UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from yarl import URL

logger = logging.getLogger(__name__)

BOT_FRAMEWORK_ISSUER = "https://api.botframework.com"
BOT_FRAMEWORK_SCOPE = "https://api.botframework.com/.default"
DEFAULT_OPENID_URL = "https://login.botframework.com/v1/.well-known/openidconfiguration"
MULTI_TENANT_TOKEN_URL = "https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token"
DEFAULT_SERVICE_URLS = ("https://smba.trafficmanager.net/",)
ALGORITHMS = ["RS256", "RS384", "RS512"]
LEEWAY_SECONDS = 300
HTTP_TIMEOUT = aiohttp.ClientTimeout(total=20)

MENTION_RE = re.compile(r"<at\b[^>]*>.*?</at>", re.IGNORECASE | re.DOTALL)
MAX_TEXT = 25_000  # Teams accepts about 28 KB of text per message

FILE_FAILED_TEXT = "Het bestand kon ik niet sturen. Probeer het later nog eens."


class TeamsAuthError(Exception):
    """The request is not from the Bot Framework for this bot (401)."""


class TeamsForbidden(Exception):
    """The request is authentic but not allowed here (403)."""


class TeamsKeysUnavailable(Exception):
    """The signing keys could not be fetched, so no request can be checked (503)."""


def strip_mentions(text: Optional[Text]) -> Text:
    """Remove ``<at>name</at>`` mentions (of the bot or others) and surplus spaces."""
    text = MENTION_RE.sub(" ", text or "").replace("&nbsp;", " ")
    return " ".join(text.split())


def normalise_service_url(url: Text) -> Text:
    return url if url.endswith("/") else url + "/"


def service_url_allowed(url: Optional[Text], allowed: Iterable[Text]) -> bool:
    """True when ``url`` has the scheme and host of an allowed URL and starts with its path."""
    if not url:
        return False
    try:
        parts = urlsplit(normalise_service_url(url))
    except ValueError:
        return False
    if parts.username or parts.password:
        return False
    for entry in allowed:
        other = urlsplit(normalise_service_url(entry))
        if (
            parts.scheme.lower() == other.scheme.lower()
            and parts.netloc.lower() == other.netloc.lower()
            and parts.path.startswith(other.path or "/")
        ):
            return True
    return False


def teams_text(text: Text) -> Text:
    """Plain text with line breaks for Teams markdown: a single newline would be joined."""
    lines = [line.rstrip() for line in text.strip().split("\n")]
    return "\n\n".join(line for line in lines if line)


def card_actions(buttons: Sequence[Dict[Text, Any]]) -> List[Dict[Text, Any]]:
    """Rasa buttons as Bot Framework ``messageBack`` card actions: payload to the bot, title in the chat."""
    actions = []
    for button in buttons:
        title = str(button.get("title", ""))
        payload = str(button.get("payload", title))
        actions.append({"type": "messageBack", "title": title, "displayText": title, "text": payload, "value": {"payload": payload}})
    return actions


class OpenIdKeys:
    """Signing keys of the Bot Framework: OpenID metadata -> ``jwks_uri`` -> keys, cached."""

    def __init__(self, openid_url: Text, ttl: float = 24 * 3600, min_refresh_interval: float = 60) -> None:
        self.openid_url = openid_url
        self.ttl = ttl
        self.min_refresh_interval = min_refresh_interval
        self.keys: Dict[Text, Dict[Text, Any]] = {}
        self.fetched_at: Optional[float] = None
        self._attempted_at: Optional[float] = None
        self._lock: Optional[asyncio.Lock] = None

    async def _fetch(self) -> None:
        async with aiohttp.ClientSession(timeout=HTTP_TIMEOUT) as session:
            async with session.get(self.openid_url) as reply:
                reply.raise_for_status()
                metadata = await reply.json(content_type=None)
            jwks_uri = metadata["jwks_uri"]
            async with session.get(jwks_uri) as reply:
                reply.raise_for_status()
                jwks = await reply.json(content_type=None)
        keys = {key["kid"]: key for key in jwks.get("keys", []) if key.get("kid") and key.get("kty") == "RSA"}
        if not keys:
            raise ValueError(f"no RSA keys at {jwks_uri}")
        self.keys = keys
        self.fetched_at = time.monotonic()
        logger.info("Teams: loaded %d signing keys from %s", len(keys), jwks_uri)

    def _may_refresh(self) -> bool:
        return (
            not self.keys
            or self._attempted_at is None
            or time.monotonic() - self._attempted_at >= self.min_refresh_interval
        )

    async def refresh(self) -> None:
        if self._lock is None:
            self._lock = asyncio.Lock()
        started = time.monotonic()
        async with self._lock:
            if self._attempted_at is not None and self._attempted_at >= started:
                return  # another request refreshed while this one waited
            self._attempted_at = time.monotonic()
            try:
                await self._fetch()
            except Exception as error:  # network, HTTP status, JSON, missing fields
                if not self.keys:
                    raise TeamsKeysUnavailable(f"no signing keys from {self.openid_url}: {error}") from error
                logger.warning("Teams: could not refresh the signing keys (%s); keeping the cached ones", error)

    async def get(self, kid: Text) -> Optional[Dict[Text, Any]]:
        """The key ``kid``; fetches the keys when they are older than ``ttl`` or ``kid`` is unknown."""
        if (self.fetched_at is None or time.monotonic() - self.fetched_at > self.ttl) and self._may_refresh():
            await self.refresh()
        if kid not in self.keys and self._may_refresh():
            await self.refresh()  # keys are rotated now and then: look once more
        return self.keys.get(kid)


class BotTokens:
    """Access tokens for the Bot Connector (client credentials), cached until shortly before expiry."""

    def __init__(self, token_url: Text, app_id: Text, app_password: Text, scope: Text = BOT_FRAMEWORK_SCOPE) -> None:
        self.token_url = token_url
        self.app_id = app_id
        self.app_password = app_password
        self.scope = scope
        self._token: Optional[Text] = None
        self._expires_at = 0.0
        self._lock: Optional[asyncio.Lock] = None

    def invalidate(self) -> None:
        self._token = None

    async def get(self, session: aiohttp.ClientSession) -> Text:
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if self._token and time.monotonic() < self._expires_at:
                return self._token
            data = {
                "grant_type": "client_credentials",
                "client_id": self.app_id,
                "client_secret": self.app_password,
                "scope": self.scope,
            }
            async with session.post(self.token_url, data=data) as reply:
                body: Any = await reply.json(content_type=None) if reply.status == 200 else await reply.text()
                if reply.status != 200 or "access_token" not in body:
                    raise RuntimeError(f"token request to {self.token_url} failed: HTTP {reply.status} {str(body)[:300]}")
            self._token = body["access_token"]
            self._expires_at = time.monotonic() + max(60, int(body.get("expires_in", 3600)) - 300)
            return self._token


class TeamsBot(BotFramework):
    """Replies to one Teams conversation through the Bot Connector at the activity's serviceUrl."""

    @classmethod
    def name(cls) -> Text:
        return "teams"

    def __init__(
        self,
        app_id: Text,
        app_password: Text,
        conversation: Dict[Text, Any],
        bot: Dict[Text, Any],
        service_url: Text,
        tokens: BotTokens,
        user: Optional[Dict[Text, Any]] = None,
        reply_to_id: Optional[Text] = None,
    ) -> None:
        super().__init__(app_id, app_password, conversation, bot, service_url)
        self.tokens = tokens
        self.user = user
        self.reply_to_id = reply_to_id

    @property
    def activities_url(self) -> Text:
        return f"{self.global_uri}conversations/{quote(str(self.conversation['id']), safe='')}/activities"

    def prepare_message(self, recipient_id: Text, message_data: Dict[Text, Any]) -> Dict[Text, Any]:
        data = super().prepare_message(recipient_id, message_data)
        # Rasa asks for an activity-feed notification for every message; a chat reply needs none.
        if data.get("channelData") == {"notification": {"alert": "true"}} and "channelData" not in message_data:
            del data["channelData"]
        if self.user:
            data["recipient"] = {key: self.user[key] for key in ("id", "name", "aadObjectId") if key in self.user}
        data["conversation"] = {"id": self.conversation["id"]}
        if self.reply_to_id:
            data["replyToId"] = self.reply_to_id
        return data

    async def send(self, message_data: Dict[Text, Any]) -> None:
        """POST the activity; a new token on 401, one retry on 429/5xx. Errors are logged."""
        url = URL(self.activities_url, encoded=True)
        try:
            async with aiohttp.ClientSession(timeout=HTTP_TIMEOUT) as session:
                for _ in range(2):
                    token = await self.tokens.get(session)
                    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
                    async with session.post(url, json=message_data, headers=headers) as reply:
                        if reply.status < 300:
                            return
                        detail = (await reply.text())[:500]
                        retry_after = reply.headers.get("Retry-After", "")
                    if reply.status == 401:
                        self.tokens.invalidate()
                    elif reply.status == 429 or reply.status >= 500:
                        # Bot Framework limits: about 7 messages per second per conversation.
                        await asyncio.sleep(min(float(retry_after), 10) if retry_after.isdigit() else 1)
                    else:
                        break
                logger.error("Teams: sending to %s failed: HTTP %s %s", self.global_uri, reply.status, detail)
        except (aiohttp.ClientError, asyncio.TimeoutError, RuntimeError) as error:
            logger.error("Teams: sending to %s failed: %s", self.global_uri, error)

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        text = teams_text(text)
        if text:
            await self.send(self.prepare_message(recipient_id, {"text": text[:MAX_TEXT], "textFormat": "markdown"}))

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        hero = {
            "contentType": "application/vnd.microsoft.card.hero",
            "content": {"text": teams_text(text or ""), "buttons": card_actions(buttons)},
        }
        await self.send(self.prepare_message(recipient_id, {"attachments": [hero]}))

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        file = json_message.get("file")
        if not isinstance(file, dict):
            await super().send_custom_json(recipient_id, json_message, **kwargs)
            return
        # A bot can only attach files in Teams through the file-consent flow (OneDrive); send the text.
        title = str(file.get("title") or file.get("filename") or "")
        try:
            content = base64.b64decode(str(file.get("content_base64", "")), validate=True).decode("utf-8")
        except (binascii.Error, ValueError):
            logger.error("Teams: the file %r is not valid base64 UTF-8 text; not sent", title)
            await self.send_text_message(recipient_id, FILE_FAILED_TEXT)
            return
        parts = [f"**{title}**" if title else "", json_message.get("text") or "", content]
        await self.send_text_message(recipient_id, "\n".join(p for p in parts if p))


class TeamsInput(BotFrameworkInput):
    """Teams (Bot Framework) input channel; see the module docstring."""

    @classmethod
    def name(cls) -> Text:
        return "teams"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> TeamsInput:
        if not credentials:
            cls.raise_missing_credentials_exception()
        values: Any = credentials  # read from YAML, checked by bot/channels/config.py
        return cls(
            app_id=values.get("app_id"),
            app_password=values.get("app_password"),
            tenant_id=values.get("tenant_id"),
            service_urls=values.get("service_urls") or DEFAULT_SERVICE_URLS,
            openid_url=values.get("openid_url") or DEFAULT_OPENID_URL,
            token_url=values.get("token_url"),
        )

    def __init__(
        self,
        app_id: Text,
        app_password: Text,
        tenant_id: Optional[Text] = None,
        service_urls: Sequence[Text] = DEFAULT_SERVICE_URLS,
        openid_url: Text = DEFAULT_OPENID_URL,
        token_url: Optional[Text] = None,
        keys: Optional[OpenIdKeys] = None,
    ) -> None:
        # Rasa's __init__ is not called on purpose: it fetches Microsoft's keys at start-up.
        if not app_id or not app_password:
            raise ValueError("Teams needs an app id and an app password")
        self.app_id = app_id
        self.app_password = app_password
        self.tenant_id = tenant_id or None
        self.service_urls = [normalise_service_url(u) for u in service_urls]
        if token_url is None:
            token_url = (
                f"https://login.microsoftonline.com/{tenant_id}/oauth2/v2.0/token" if tenant_id else MULTI_TENANT_TOKEN_URL
            )
        self.keys = keys or OpenIdKeys(openid_url)
        self.tokens = BotTokens(token_url, app_id, app_password)
        self._background_tasks: Set[asyncio.Task] = set()

    async def validate_token(self, authorization: Optional[Text], activity: Dict[Text, Any]) -> Dict[Text, Any]:
        """The token's claims, or TeamsAuthError / TeamsForbidden."""
        match = re.match(r"^Bearer\s+(\S+)\s*$", authorization or "", re.IGNORECASE)
        if not match:
            raise TeamsAuthError("no Bearer token in the Authorization header")
        token = match.group(1)
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as error:
            raise TeamsAuthError(f"unreadable token: {error}") from error
        if header.get("alg") not in ALGORITHMS:
            raise TeamsAuthError(f"token algorithm {header.get('alg')!r} is not accepted")
        kid = header.get("kid")
        if not kid:
            raise TeamsAuthError("token names no signing key")
        jwk = await self.keys.get(kid)
        if jwk is None:
            raise TeamsAuthError(f"unknown signing key {kid!r}")
        endorsements = jwk.get("endorsements")
        if endorsements is not None and activity.get("channelId") not in endorsements:
            raise TeamsAuthError(f"signing key is not endorsed for channel {activity.get('channelId')!r}")
        try:
            claims = jwt.decode(
                token,
                key=cast(RSAPublicKey, RSAAlgorithm.from_jwk(jwk)),  # Microsoft publishes public keys
                algorithms=ALGORITHMS,
                audience=self.app_id,
                issuer=BOT_FRAMEWORK_ISSUER,
                leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "iss", "aud"]},
            )
        except (jwt.PyJWTError, ValueError) as error:
            raise TeamsAuthError(f"token rejected: {error}") from error

        service_url = activity.get("serviceUrl")
        claim = claims.get("serviceurl")
        if not claim or not service_url or normalise_service_url(claim) != normalise_service_url(service_url):
            raise TeamsAuthError("the token's serviceurl claim does not match the activity's serviceUrl")
        if not service_url_allowed(service_url, self.service_urls):
            raise TeamsForbidden(f"serviceUrl {service_url!r} is not on the allow-list")
        if self.tenant_id:
            tenant = (activity.get("channelData") or {}).get("tenant", {}).get("id") or (
                activity.get("conversation") or {}
            ).get("tenantId")
            if (tenant or "").lower() != self.tenant_id.lower():
                raise TeamsForbidden(f"tenant {tenant!r} is not this bot's tenant")
        return claims

    def user_text(self, activity: Dict[Text, Any]) -> Text:
        text = strip_mentions(activity.get("text"))
        value = activity.get("value")
        if not text and isinstance(value, dict) and isinstance(value.get("payload"), str):
            text = value["payload"]  # a card button that sent only its value
        return text

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        teams_webhook = Blueprint("teams_webhook", __name__)

        @teams_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @teams_webhook.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            authorization = request.headers.get("Authorization")
            if not authorization:
                return response.text("No authorization header provided.", status=HTTPStatus.UNAUTHORIZED)
            try:
                activity = request.json
            except Exception:  # sanic raises InvalidUsage on a broken body
                activity = None
            if not isinstance(activity, dict):
                return response.text("Invalid activity.", status=HTTPStatus.BAD_REQUEST)
            try:
                await self.validate_token(authorization, activity)
            except TeamsAuthError as error:
                logger.warning("Teams: rejected a request: %s", error)
                return response.text("Could not validate the token.", status=HTTPStatus.UNAUTHORIZED)
            except TeamsForbidden as error:
                logger.warning("Teams: refused a request: %s", error)
                return response.text("Not allowed.", status=HTTPStatus.FORBIDDEN)
            except TeamsKeysUnavailable as error:
                logger.error("Teams: %s", error)
                return response.text("Signing keys unavailable.", status=HTTPStatus.SERVICE_UNAVAILABLE)

            if activity.get("type") != "message":
                return response.text("")  # conversationUpdate, typing, invoke, …
            try:
                message = self._user_message(activity, request)
            except (KeyError, TypeError) as error:
                logger.warning("Teams: incomplete message activity: %s", error)
                return response.text("Incomplete activity.", status=HTTPStatus.BAD_REQUEST)
            if message is not None:
                # Answer at once (the Bot Framework waits 15 s at most); reply when done.
                task = asyncio.create_task(self._handle(on_new_message, message))
                self._background_tasks.add(task)
                task.add_done_callback(self._background_tasks.discard)
            return response.text("success")

        return teams_webhook

    def _user_message(self, activity: Dict[Text, Any], request: Request) -> Optional[UserMessage]:
        text = self.user_text(activity)
        metadata = self.add_attachments_to_metadata(activity, self.get_metadata(request))
        if not text and not (metadata or {}).get("attachments"):
            return None
        output = TeamsBot(
            self.app_id,
            self.app_password,
            activity["conversation"],
            activity["recipient"],
            activity["serviceUrl"],
            self.tokens,
            user=activity["from"],
            reply_to_id=activity.get("id"),
        )
        return UserMessage(
            text=text,
            output_channel=output,
            sender_id=activity["from"]["id"],
            input_channel=self.name(),
            metadata=metadata,
        )

    @staticmethod
    async def _handle(on_new_message: Callable[[UserMessage], Awaitable[Any]], message: UserMessage) -> None:
        try:
            await on_new_message(message)
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("Teams: handling a message from %s failed", message.sender_id)
