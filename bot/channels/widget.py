"""The web chat widget: a custom input channel that only serves the static page and its assets.

Enable it in the credentials file (Rasa loads it by module path; ``bot.channels.config`` does)::

    bot.channels.widget.WidgetInput:

Routes (under /webhooks/widget):

    GET /                 the chat page (bot/web/index.html)
    GET /static/<file>    the page's script, style sheet and vendored libraries (files in bot/web)

The page talks to Rasa's own socketio channel (``/socket.io``, events ``user_uttered`` and
``bot_uttered``, session persistence on), so this channel receives no messages itself.
Only files that exist in bot/web when the server starts are served: no directory listings,
no paths outside the folder.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

WEB_DIR = Path(__file__).resolve().parent.parent / "web"
INDEX = "index.html"

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".txt": "text/plain; charset=utf-8",
}

# The page loads only its own files; the socket goes to the same server. Inline script and style
# are not allowed, so message text that slipped into the page as HTML would still not run.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'"
)

TEXT_NOT_FOUND = "Dit bestand bestaat niet."


def _headers(extra: Optional[Dict[str, str]] = None) -> Dict[str, str]:
    headers = {
        "Cache-Control": "no-cache",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
    }
    headers.update(extra or {})
    return headers


def static_files(web_dir: Path = WEB_DIR) -> Dict[str, Path]:
    """The files the channel may serve: relative path ('vendor/socket.io.min.js') -> file."""
    files: Dict[str, Path] = {}
    if not web_dir.is_dir():
        return files
    for path in sorted(web_dir.rglob("*")):
        if path.is_file() and not path.name.startswith(".") and _content_type(path) is not None:
            files[path.relative_to(web_dir).as_posix()] = path
    return files


def _content_type(path: Path) -> Optional[str]:
    return CONTENT_TYPES.get(path.suffix.lower())


class WidgetInput(InputChannel):
    """Serves the web chat page; the conversation itself runs over the socketio channel."""

    @classmethod
    def name(cls) -> Text:
        return "widget"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> WidgetInput:
        return cls()

    def __init__(self, web_dir: Path = WEB_DIR) -> None:
        self.web_dir = Path(web_dir)
        self.files = static_files(self.web_dir)

    def _file(self, name: str, extra_headers: Optional[Dict[str, str]] = None) -> HTTPResponse:
        path = self.files.get(name)
        if path is None or not path.is_file():
            return response.text(TEXT_NOT_FOUND, status=404, headers=_headers())
        return response.raw(path.read_bytes(), content_type=CONTENT_TYPES[path.suffix.lower()], headers=_headers(extra_headers))

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = Blueprint("widget_webhook", __name__)

        @bp.route("/", methods=["GET"], strict_slashes=True)
        async def page(request: Request) -> HTTPResponse:
            return self._file(INDEX, {"Content-Security-Policy": CONTENT_SECURITY_POLICY})

        # Without the slash the page's relative links (static/...) would point one folder up.
        @bp.route("", methods=["GET"], strict_slashes=True)
        async def page_without_slash(request: Request) -> HTTPResponse:
            return response.redirect(request.path + "/", status=301)

        @bp.route("/static/<name:path>", methods=["GET"])
        async def static(request: Request, name: str) -> HTTPResponse:
            if name == INDEX:
                return response.text(TEXT_NOT_FOUND, status=404, headers=_headers())
            return self._file(name)

        return bp
