"""Download the conversation summary from the Rasa server: a custom input channel with two routes.

Enable it in the credentials file (Rasa loads it by module path)::

    bot.channels.export.ExportInput:
      token: "..."        # optional; else EXPORT_API_TOKEN; without a token the API is off

Routes (under /webhooks/export):

    GET /summary/<conversation id>.<md|docx|pdf>?expires=<unix time>&sig=<signature>
    GET /policy/<conversation id>.<md|docx|pdf>?expires=<unix time>&sig=<signature>
        A signed, expiring link (``bot.links.download_url``), as the chat sends it: the summary,
        or the policy text made from it (``bot.policy``).
        Unsigned, tampered or expired links: 403. Unknown conversation: 404.
    GET /api/<conversation id>?format=docx[&document=policy]
        For other systems, with ``Authorization: Bearer <token>``.
        No token configured: 404 (the API is off). Missing or wrong token: 401.

The channel receives no messages; it only reads trackers from the running agent's tracker store.
"""
from __future__ import annotations

import asyncio
import hmac
import logging
import os
import threading
from typing import Any, Awaitable, Callable, Dict, Optional, Text
from urllib.parse import unquote

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import export, links, policy, trackers

logger = logging.getLogger(__name__)

TEXT_INVALID = "Deze downloadlink is niet geldig. Vraag in de chat opnieuw om de samenvatting."
TEXT_EXPIRED = "Deze downloadlink is verlopen. Vraag in de chat opnieuw om de samenvatting."
TEXT_UNKNOWN = "Dit gesprek bestaat niet (meer). Er is geen samenvatting."
TEXT_FORMAT = "Onbekend formaat. Kies md, docx of pdf."
TEXT_DOCUMENT = "Onbekend document. Kies summary (samenvatting) of policy (beleidstekst)."
TEXT_API_OFF = "De export-API staat uit: er is geen token ingesteld (EXPORT_API_TOKEN)."
TEXT_TOKEN = "Geen toegang: stuur een geldig token mee (Authorization: Bearer <token>)."
TEXT_NOT_READY = "De Preventiewijzer start nog. Probeer het over een minuut opnieuw."
TEXT_ERROR = "Er ging iets mis bij het maken van de samenvatting. Probeer het later opnieuw."

_catalog_lock = threading.Lock()


def _catalog():
    """The knowledge base's catalog; loaded once, never by two threads at the same time."""
    from knowledge.store import default_knowledge_base

    with _catalog_lock:
        return default_knowledge_base().catalog()


def _text(message: str, status: int, headers: Optional[Dict[str, str]] = None) -> HTTPResponse:
    all_headers = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
    all_headers.update(headers or {})
    return response.text(message, status=status, headers=all_headers)


def _bearer(request: Request) -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


class ExportInput(InputChannel):
    """Serves the summary of a conversation as Markdown, Word or PDF."""

    @classmethod
    def name(cls) -> Text:
        return "export"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> ExportInput:
        credentials = credentials or {}
        return cls(token=credentials.get("token"))

    def __init__(self, token: Optional[str] = None) -> None:
        token = str(token).strip() if token else ""
        self.token: Optional[str] = token or os.environ.get("EXPORT_API_TOKEN", "").strip() or None

    async def _serve(self, request: Request, conversation_id: str, fmt: str, document: str = "summary") -> HTTPResponse:
        agent = getattr(request.app.ctx, "agent", None)
        store = getattr(agent, "tracker_store", None)
        if store is None:
            return _text(TEXT_NOT_READY, 503)
        tracker = await store.retrieve_full_tracker(conversation_id)
        if tracker is None or not trackers.has_conversation(tracker):
            return _text(TEXT_UNKNOWN, 404)
        loop = asyncio.get_running_loop()

        def build() -> tuple:
            catalog = _catalog()
            summary = trackers.summary_for_tracker(tracker, catalog)
            if document == "policy":
                return policy.policy_filename(summary, fmt), policy.render_policy(summary, fmt, catalog)
            return export.export_filename(summary, fmt), export.render(summary, fmt)

        try:
            filename, body = await loop.run_in_executor(None, build)
        except Exception:
            logger.exception("Export of conversation '%s' as %s failed", trackers.clean_id(conversation_id), fmt)
            return _text(TEXT_ERROR, 500)
        return response.raw(
            body,
            content_type=export.FORMATS[fmt].content_type,
            headers={
                "Content-Disposition": f'attachment; filename="{filename}"',
                "Cache-Control": "no-store",
                "X-Content-Type-Options": "nosniff",
                "Referrer-Policy": "no-referrer",
            },
        )

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = Blueprint("export_webhook", __name__)

        @bp.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok", "api": self.token is not None})

        @bp.route("/<document:summary|policy>/<filename>", methods=["GET"])
        async def signed_link(request: Request, document: str, filename: str) -> HTTPResponse:
            name, dot, fmt = filename.rpartition(".")
            conversation_id = links.id_from_link_name(name) if dot else None
            if not conversation_id:
                return _text(TEXT_INVALID, 403)
            fmt = fmt.lower()
            try:
                secret = links.export_secret()
            except (OSError, export.ExportError):
                logger.exception("No secret to check export links with")
                return _text(TEXT_ERROR, 500)
            verdict = links.check_link(conversation_id, fmt, request.args.get("expires"), request.args.get("sig"), secret,
                                       document=document)
            if verdict == links.LINK_EXPIRED:
                return _text(TEXT_EXPIRED, 403)
            if verdict != links.LINK_OK:
                return _text(TEXT_INVALID, 403)
            return await self._serve(request, conversation_id, fmt, document)

        # ``path``: an id may hold a '/' (decoded by a proxy); Sanic 21 passes it still quoted.
        @bp.route("/api/<conversation_id:path>", methods=["GET"])
        async def api(request: Request, conversation_id: str) -> HTTPResponse:
            if self.token is None:
                return _text(TEXT_API_OFF, 404)
            given = _bearer(request)
            if not given or not hmac.compare_digest(given.encode("utf-8"), self.token.encode("utf-8")):
                return _text(TEXT_TOKEN, 401, {"WWW-Authenticate": 'Bearer realm="preventiewijzer-export"'})
            fmt = (request.args.get("format") or "docx").lower()
            if fmt not in export.FORMATS:
                return _text(TEXT_FORMAT, 400)
            document = (request.args.get("document") or "summary").lower()
            if document not in links.DOCUMENTS:
                return _text(TEXT_DOCUMENT, 400)
            return await self._serve(request, unquote(conversation_id), fmt, document)

        return bp
