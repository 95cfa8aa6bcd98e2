"""Slack channel: Rasa's SlackInput/SlackBot with the changes this assistant needs.

Credentials key: ``bot.channels.slack.SlackInput`` (written by ``bot.channels.config``); the
webhook stays ``/webhooks/slack/webhook`` for both the Events API and interactivity.

What differs from Rasa 3.6:
- requests must be signed with the signing secret and at most 5 minutes old (Rasa's check);
  a bad signature is answered 401 instead of 400;
- ``url_verification`` is answered with ``{"challenge": ...}`` (Rasa sent a bare JSON string);
- an event is handled once: Slack retries (``X-Slack-Retry-Num``) and the ``message`` and
  ``app_mention`` events Slack sends for one message are recognised by channel and message ts;
  the keys seen are kept in this process, or in Redis when ``REDIS_URL`` is set (``python -m bot
  cluster``: a retry may reach another replica than the first delivery);
- system messages (someone joined the channel, an edit, …) are ignored;
- replies go into the thread of the user's message (``use_threads``);
- buttons become Block Kit ``actions`` blocks; Rasa dropped all buttons when there were more
  than 5 (the limit of legacy attachments), Block Kit allows 25 per block;
- the Slack Web API base URL is configurable (``slack_api_url``), for tests with a local fake;
- a custom payload ``{"file": {"filename", "content_base64", "title"}}`` is uploaded as a file
  with ``files_upload_v2`` (the conversation summary);
- ``as_user`` is no longer sent: it only exists for classic Slack apps.
"""
from __future__ import annotations

import asyncio
import base64
import binascii
import json
import logging
import os
import time
from collections import OrderedDict
from http import HTTPStatus
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.slack import SlackBot as RasaSlackBot, SlackInput as RasaSlackInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

logger = logging.getLogger(__name__)

DEFAULT_SLACK_API_URL = "https://slack.com/api/"

# Block Kit limits (https://api.slack.com/reference/block-kit)
MAX_BUTTONS_PER_BLOCK = 25
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_SECTION_TEXT = 3000

# Message subtypes that are written by a person; all others (joins, edits, deletions, …) are skipped.
USER_MESSAGE_SUBTYPES = {None, "file_share", "thread_broadcast"}

SEEN_TTL = 15 * 60  # seconds an event key is kept: Slack retries within minutes

FILE_FAILED_TEXT = "Het bestand kon ik niet sturen. Probeer het later nog eens."


def escape(text: Text) -> Text:
    """Slack's escaping for message text: `<`, `>` and `&` would otherwise start links or mentions."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _truncate(text: Text, limit: int) -> Text:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def button_blocks(text: Optional[Text], buttons: List[Dict[Text, Any]]) -> List[Dict[Text, Any]]:
    """A section with the text and ``actions`` blocks with the buttons (Block Kit)."""
    blocks: List[Dict[Text, Any]] = []
    if text:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": _truncate(escape(text), MAX_SECTION_TEXT)}})
    elements = [
        {
            "type": "button",
            "action_id": f"button_{number}",
            "text": {"type": "plain_text", "text": _truncate(str(button.get("title", "")), MAX_BUTTON_TEXT), "emoji": True},
            "value": str(button.get("payload", button.get("title", "")))[:MAX_BUTTON_VALUE],
        }
        for number, button in enumerate(buttons)
    ]
    for start in range(0, len(elements), MAX_BUTTONS_PER_BLOCK):
        blocks.append({"type": "actions", "elements": elements[start : start + MAX_BUTTONS_PER_BLOCK]})
    return blocks


class SlackBot(RasaSlackBot):
    """Rasa's Slack output channel with a configurable API URL, Block Kit buttons and file upload."""

    def __init__(
        self,
        token: Text,
        slack_channel: Optional[Text] = None,
        thread_id: Optional[Text] = None,
        proxy: Optional[Text] = None,
        api_url: Text = DEFAULT_SLACK_API_URL,
    ) -> None:
        super().__init__(token, slack_channel, thread_id, proxy)
        self.client = AsyncWebClient(token, base_url=api_url, proxy=proxy)
        # Slack allows about one message per second per channel; wait and retry when it says so.
        self.client.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=2))

    async def _post_message(self, channel: Text, **kwargs: Any) -> None:
        kwargs.pop("as_user", None)  # classic apps only
        kwargs.pop("type", None)  # not a chat.postMessage argument
        if self.thread_id:
            kwargs["thread_ts"] = self.thread_id
        await self.client.chat_postMessage(channel=channel, **kwargs)

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await super().send_text_message(recipient_id, escape(text), **kwargs)

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        recipient = self.slack_channel or recipient_id
        await self._post_message(
            channel=recipient,
            text=escape(text or " "),  # the notification text and the fallback for old clients
            blocks=button_blocks(text, buttons),
        )

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        file = json_message.get("file")
        if isinstance(file, dict):
            await self.send_file(self.slack_channel or recipient_id, file, json_message.get("text"))
            return
        await super().send_custom_json(recipient_id, json_message, **kwargs)

    async def send_file(self, channel: Text, file: Dict[Text, Any], comment: Optional[Text] = None) -> None:
        """Upload ``content_base64`` as ``filename`` into the conversation (and thread)."""
        filename = str(file.get("filename") or "samenvatting.txt")
        try:
            content = base64.b64decode(str(file.get("content_base64", "")), validate=True)
        except (binascii.Error, ValueError):
            logger.error("Slack: the file %r is not valid base64; not sent", filename)
            await self._post_message(channel=channel, text=FILE_FAILED_TEXT)
            return
        arguments: Dict[Text, Any] = {
            "channel": channel,
            "content": content,
            "filename": filename,
            "title": str(file.get("title") or filename),
        }
        if self.thread_id:
            arguments["thread_ts"] = self.thread_id
        if comment:
            arguments["initial_comment"] = comment
        try:
            await self.client.files_upload_v2(**arguments)
        except (SlackApiError, SlackRequestError) as error:
            logger.error("Slack: uploading %r failed: %s", filename, error)
            await self._post_message(channel=channel, text=FILE_FAILED_TEXT)


class _SeenEvents:
    """Keys of recently handled Slack events (retries come within minutes), in this process."""

    def __init__(self, ttl: float = SEEN_TTL, max_size: int = 10_000) -> None:
        self.ttl = ttl
        self.max_size = max_size
        self._seen: OrderedDict[str, float] = OrderedDict()

    async def first_time(self, key: str) -> bool:
        now = time.monotonic()
        while self._seen and (next(iter(self._seen.values())) < now - self.ttl or len(self._seen) > self.max_size):
            self._seen.popitem(last=False)
        if key in self._seen:
            return False
        self._seen[key] = now
        return True


class _RedisSeenEvents:
    """The same keys in Redis, shared by every Rasa replica: ``SET key 1 NX EX ttl`` is true only
    for the first replica that sees an event. While Redis cannot be reached, this replica decides
    alone (a retry that reaches another replica may then be answered twice), with a log line."""

    PREFIX = "preventiewijzer:slack-event:"

    def __init__(self, client: Any, ttl: float = SEEN_TTL) -> None:
        self.client = client
        self.ttl = ttl
        self.local = _SeenEvents(ttl)

    @classmethod
    def from_url(cls, url: str, password: Optional[str] = None) -> _RedisSeenEvents:
        import redis.asyncio

        # The password may be in the URL (redis://:secret@host:port/db) or in REDIS_PASSWORD.
        kwargs: Dict[str, Any] = {"socket_timeout": 2, "socket_connect_timeout": 2}
        if password:
            kwargs["password"] = password
        return cls(redis.asyncio.from_url(url, **kwargs))

    async def first_time(self, key: str) -> bool:
        from redis.exceptions import RedisError

        local = await self.local.first_time(key)  # also kept here, for when Redis is away
        try:
            return bool(await self.client.set(self.PREFIX + key, "1", nx=True, ex=max(1, int(self.ttl))))
        except (RedisError, OSError) as error:
            logger.warning("Slack: Redis unavailable for the retry de-duplication (%s); this replica decides alone",
                           error)
            return local


def seen_events(env: Optional[Dict[str, str]] = None) -> Any:
    """Where handled events are kept: Redis when REDIS_URL is set, else this process."""
    env = dict(os.environ) if env is None else env
    url = (env.get("REDIS_URL") or "").strip()
    if url:
        return _RedisSeenEvents.from_url(url, (env.get("REDIS_PASSWORD") or "").strip() or None)
    return _SeenEvents()


class SlackInput(RasaSlackInput):
    """Rasa's Slack input channel; see the module docstring for what is changed."""

    @classmethod
    def name(cls) -> Text:
        return "slack"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> SlackInput:
        if not credentials:
            cls.raise_missing_credentials_exception()
        assert credentials is not None  # the call above raises
        return cls(
            credentials.get("slack_token"),
            credentials.get("slack_channel"),
            credentials.get("proxy"),
            credentials.get("slack_retry_reason_header", "x-slack-retry-reason"),
            credentials.get("slack_retry_number_header", "x-slack-retry-num"),
            credentials.get("errors_ignore_retry", None),
            credentials.get("use_threads", True),
            credentials.get("slack_signing_secret", ""),
            credentials.get("conversation_granularity", "sender"),
            slack_api_url=credentials.get("slack_api_url") or DEFAULT_SLACK_API_URL,
        )

    def __init__(self, *args: Any, slack_api_url: Text = DEFAULT_SLACK_API_URL, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.slack_api_url = slack_api_url if slack_api_url.endswith("/") else slack_api_url + "/"
        self._seen = seen_events()

    def get_output_channel(self, channel: Optional[Text] = None, thread_id: Optional[Text] = None) -> SlackBot:
        return SlackBot(self.slack_token, channel or self.slack_channel, thread_id, self.proxy, self.slack_api_url)

    @staticmethod
    def _is_user_message(slack_event: Dict[Text, Any]) -> bool:
        return bool(
            RasaSlackInput._is_user_message(slack_event)
            and slack_event["event"].get("subtype") in USER_MESSAGE_SUBTYPES
        )

    @staticmethod
    def event_key(slack_event: Dict[Text, Any]) -> Optional[Text]:
        """One key per user message: the message and app_mention events of a message share it."""
        event = slack_event.get("event") or {}
        if event.get("channel") and event.get("ts"):
            return f"{event['channel']}:{event['ts']}"
        return slack_event.get("event_id")

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        slack_webhook = Blueprint("slack_webhook", __name__)

        @slack_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @slack_webhook.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            if not self.is_request_from_slack_authentic(request):
                logger.warning("Slack: rejected a request without a valid, recent X-Slack-Signature")
                return response.text(
                    "Message is not properly signed with a valid X-Slack-Signature header",
                    status=HTTPStatus.UNAUTHORIZED,
                )
            content_type = request.headers.get("content-type")
            if content_type == "application/json":
                return await self._handle_event(request, on_new_message)
            if content_type == "application/x-www-form-urlencoded":
                return await self._handle_interaction(request, on_new_message)
            return response.text("Unsupported content type.", status=HTTPStatus.UNSUPPORTED_MEDIA_TYPE)

        return slack_webhook

    async def _handle_event(
        self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> HTTPResponse:
        try:
            output = request.json
        except Exception:  # sanic raises InvalidUsage on a broken body
            output = None
        if not isinstance(output, dict):
            return response.text("Invalid JSON.", status=HTTPStatus.BAD_REQUEST)
        if output.get("type") == "url_verification":
            return response.json({"challenge": output.get("challenge", "")})
        if not self._is_user_message(output):
            return response.text("Bot message delivered.")

        metadata = self.get_metadata(request)
        if not self._is_supported_channel(output, metadata):
            logger.debug("Slack: ignored a message in channel %s", metadata.get("out_channel"))
            return response.text("channel not supported.")

        key = self.event_key(output)
        if key and not await self._seen.first_time(key):
            logger.info(
                "Slack: event %s was handled already (retry #%s, %s); not answering again",
                key, request.headers.get(self.retry_num_header), request.headers.get(self.retry_reason_header),
            )
            return response.text("", headers={"X-Slack-No-Retry": "1"})

        event = output["event"]
        sender_id = event.get("user", "")
        conversation_id = self._get_conversation_id(sender_id, metadata.get("out_channel"), metadata.get("thread_id"))
        return await self.process_message(
            request,
            on_new_message,
            text=self._sanitize_user_message(event.get("text", ""), metadata["users"]),
            sender_id=conversation_id,
            metadata=metadata,
        )

    async def _handle_interaction(
        self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> HTTPResponse:
        try:
            payload = json.loads(request.form["payload"][0])
        except (KeyError, IndexError, TypeError, ValueError):
            return response.text("Invalid interaction payload.", status=HTTPStatus.BAD_REQUEST)
        if self._is_interactive_message(payload):
            text = self._get_interactive_response(payload["actions"][0])
            if text is not None:
                metadata = self.get_metadata(request)
                conversation_id = self._get_conversation_id(
                    payload.get("user", {}).get("id"), metadata.get("out_channel"), metadata.get("thread_id")
                )
                return await self.process_message(request, on_new_message, text, conversation_id, metadata)
            if payload["actions"][0].get("type") == "button":
                return response.text("User clicked link button")  # link buttons have no value
        return response.text("The input message could not be processed.")

    async def process_message(
        self,
        request: Request,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        text: Text,
        sender_id: Optional[Text],
        metadata: Optional[Dict],
    ) -> Any:
        """Rasa's handling (answer at once, handle the message in the background), with errors logged."""

        async def handle(message: UserMessage) -> None:
            try:
                await on_new_message(message)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("Slack: handling a message from %s failed", sender_id)

        return await super().process_message(request, handle, text, sender_id, metadata)
