"""The widget channel (bot/channels/widget.py) over HTTP: it serves the page and its own files,
nothing else. Needs the servers, not a browser."""
import urllib.error
import urllib.request

import pytest

from bot.channels.config import channel_config
from bot.channels.widget import WEB_DIR, WidgetInput, static_files

pytestmark = pytest.mark.e2e


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def get(url, follow=True):
    opener = urllib.request.build_opener() if follow else urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(url, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read()


def test_the_widget_channel_is_always_configured():
    assert "bot.channels.widget.WidgetInput" in channel_config({})
    assert WidgetInput.name() == "widget"


def test_only_files_in_the_web_folder_are_served():
    files = static_files()
    for name in ("index.html", "widget.js", "widget.css", "vendor/socket.io.min.js"):
        assert name in files and files[name].parent.resolve().is_relative_to(WEB_DIR.resolve())
    assert all(".." not in name for name in files)


def test_the_page(assistant):
    status, headers, body = get(assistant.widget_url)
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    page = body.decode("utf-8")
    assert '<html lang="nl">' in page and "<title>Preventiewijzer</title>" in page
    assert "static/vendor/socket.io.min.js" in page and "cdn" not in page.lower()


def test_without_the_slash_the_page_redirects(assistant):
    status, headers, _ = get(assistant.widget_url.rstrip("/"), follow=False)
    assert status == 301 and headers["Location"] == "/webhooks/widget/"


@pytest.mark.parametrize(
    "name, content_type",
    [("widget.js", "text/javascript"), ("widget.css", "text/css"), ("vendor/socket.io.min.js", "text/javascript")],
)
def test_static_files(assistant, name, content_type):
    status, headers, body = get(f"{assistant.widget_url}static/{name}")
    assert status == 200 and headers["Content-Type"].startswith(content_type) and body


@pytest.mark.parametrize(
    "path",
    [
        "static/nothing.js",
        "static/../../channels/widget.py",
        "static/%2e%2e/%2e%2e/credentials.yml",
        "static/..%2f..%2fchannels%2fwidget.py",
        "static/vendor",
        "static/index.html",
    ],
)
def test_no_other_files(assistant, path):
    status, _, body = get(f"{assistant.widget_url}{path}", follow=False)
    assert status == 404, (path, body[:200])
