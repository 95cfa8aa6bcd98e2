"""The export channel's routes on a small Sanic app with an in-memory tracker store (fast).

The same routes on the real Rasa server, after an interview over REST: test_server.py.
"""
import asyncio
import re
import types
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest

from bot.links import download_url, sign
from tests.bot import helpers

SECRET = "route-test-secret"
TOKEN = "route-test-token"
CID = "conv-routes"
ODD_CID = "a b/c.d%e"  # spaces, a slash, a dot and a percent sign


@pytest.fixture(scope="module")
def loop():
    """One event loop for the module: Sanic binds its signal router to the loop it starts in."""
    loop = asyncio.new_event_loop()
    yield loop
    pending = asyncio.all_tasks(loop)  # the apps' lifespan tasks
    for task in pending:
        task.cancel()
    loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
    loop.close()


@pytest.fixture(scope="module")
def store(loop):
    from rasa.core.tracker_store import InMemoryTrackerStore
    from rasa.shared.core.trackers import DialogueStateTracker

    domain = helpers.domain()
    store = InMemoryTrackerStore(domain)

    async def fill():
        for cid in (CID, ODD_CID, "other"):
            await store.save(helpers.tracker(cid, domain))
        await store.save(DialogueStateTracker("empty", domain.slots))  # no message, no slot

    loop.run_until_complete(fill())
    return store


async def make_app(store, channel):
    from sanic import Sanic

    app = Sanic(f"export-test-{uuid.uuid4().hex[:8]}")
    app.ctx.agent = types.SimpleNamespace(tracker_store=store)
    app.blueprint(channel.blueprint(lambda message: None), url_prefix=f"/webhooks/{channel.url_prefix()}")
    await asgi_startup(app)
    return app


async def asgi_startup(app):
    """Start the app as an ASGI server would: the 'lifespan' startup event."""
    messages = asyncio.Queue()
    started = asyncio.get_running_loop().create_future()

    async def send(message):
        if message["type"].startswith("lifespan.startup") and not started.done():
            started.set_result(message)

    await messages.put({"type": "lifespan.startup"})
    scope = {"type": "lifespan", "asgi": {"version": "3.0"}}
    app.ctx.lifespan = asyncio.ensure_future(app(scope, messages.get, send))  # waits for 'shutdown'
    result = await asyncio.wait_for(started, 30)
    assert result["type"] == "lifespan.startup.complete", result


@pytest.fixture(scope="module")
def get(store, loop):
    import httpx

    from bot.channels.export import ExportInput

    channel = ExportInput.from_credentials({"token": TOKEN})
    app = loop.run_until_complete(make_app(store, channel))

    def get(url, headers=None, api_on=True):
        async def call():
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                return await client.get(url, headers=headers or {})

        channel.token = TOKEN if api_on else None  # as if started without a token
        try:
            return loop.run_until_complete(call())
        finally:
            channel.token = TOKEN

    return get


@pytest.fixture(autouse=True)
def secret(monkeypatch):
    monkeypatch.setenv("EXPORT_SECRET", SECRET)
    monkeypatch.delenv("EXPORT_API_TOKEN", raising=False)


def link(cid=CID, fmt="docx", ttl=3600):
    return download_url("http://test", cid, fmt, ttl_seconds=ttl)


def test_signed_link_gives_the_file(get):
    response = get(link(fmt="docx"))
    assert response.status_code == 200
    assert response.headers["content-type"] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert re.fullmatch(r'attachment; filename="preventiewijzer-amersfoort-\d{4}-\d\d-\d\d\.docx"',
                        response.headers["content-disposition"])
    assert response.headers["cache-control"] == "no-store"
    assert response.content[:2] == b"PK"


def test_markdown_and_pdf_links(get):
    md = get(link(fmt="md"))
    assert md.status_code == 200 and md.headers["content-type"] == "text/markdown; charset=utf-8"
    assert "# Samenvatting preventieaanpak Amersfoort" in md.text
    # Slots the domain may not know (plan_choices, signal_trend) are read from the events.
    assert "(overgeslagen)" in md.text and "stijgend" in md.text
    pdf = get(link(fmt="pdf"))
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_odd_conversation_ids_work(get):
    response = get(link(cid=ODD_CID, fmt="md"))
    assert response.status_code == 200, response.text
    assert "Gesprek: a b/c.d%e." in response.text


def test_unsigned_link_is_refused(get):
    response = get(f"/webhooks/export/summary/{CID}.docx")
    assert response.status_code == 403
    assert response.text == "Deze downloadlink is niet geldig. Vraag in de chat opnieuw om de samenvatting."


def test_tampered_signature_is_refused(get):
    url = link()
    sig = parse_qs(urlsplit(url).query)["sig"][0]
    response = get(url.replace(sig, sig[::-1]))
    assert response.status_code == 403 and "niet geldig" in response.text


def test_link_for_another_conversation_or_format_is_refused(get):
    url = link(cid="other", fmt="docx")
    assert get(url).status_code == 200
    assert get(url.replace("/other.docx", f"/{CID}.docx")).status_code == 403  # someone else's summary
    assert get(url.replace("/other.docx", "/other.pdf")).status_code == 403
    assert get(url.replace("/other.docx", "/other.xls")).status_code == 403


def test_tampered_expiry_is_refused(get):
    url = link()
    expires = parse_qs(urlsplit(url).query)["expires"][0]
    response = get(url.replace(f"expires={expires}", f"expires={int(expires) + 3600}"))
    assert response.status_code == 403 and "niet geldig" in response.text


def test_expired_link_is_refused(get):
    response = get(link(ttl=-5))
    assert response.status_code == 403
    assert response.text == "Deze downloadlink is verlopen. Vraag in de chat opnieuw om de samenvatting."


def test_signed_link_to_unknown_conversation_is_404(get):
    assert get(link(cid="nobody")).status_code == 404
    response = get(link(cid="empty"))  # a tracker without any message or slot
    assert response.status_code == 404 and "bestaat niet" in response.text


def test_api_with_token(get):
    response = get(f"/webhooks/export/api/{CID}?format=pdf", {"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert response.headers["content-disposition"].startswith('attachment; filename="preventiewijzer-amersfoort-')
    response = get(f"/webhooks/export/api/{CID}", {"Authorization": f"bearer {TOKEN}"})
    assert response.status_code == 200 and response.content[:2] == b"PK"  # docx by default
    response = get("/webhooks/export/api/a%20b/c.d%25e?format=md", {"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200 and "Amersfoort" in response.text


def test_api_without_or_with_wrong_token_is_401(get):
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": TOKEN},
                    {"Authorization": f"Basic {TOKEN}"}):
        response = get(f"/webhooks/export/api/{CID}", headers)
        assert response.status_code == 401, headers
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert response.text.startswith("Geen toegang")


def test_api_errors(get):
    auth = {"Authorization": f"Bearer {TOKEN}"}
    assert get(f"/webhooks/export/api/{CID}?format=xls", auth).status_code == 400
    assert get("/webhooks/export/api/nobody", auth).status_code == 404


def test_api_is_off_without_a_token(get):
    response = get(f"/webhooks/export/api/{CID}", {"Authorization": "Bearer "}, api_on=False)
    assert response.status_code == 404
    assert response.text == "De export-API staat uit: er is geen token ingesteld (EXPORT_API_TOKEN)."
    # The signed links keep working.
    assert get(link(), api_on=False).status_code == 200


def test_token_from_the_environment(monkeypatch):
    from bot.channels.export import ExportInput

    monkeypatch.setenv("EXPORT_API_TOKEN", "env-token")
    assert ExportInput.from_credentials(None).token == "env-token"
    assert ExportInput.from_credentials({"token": "cred"}).token == "cred"
    monkeypatch.delenv("EXPORT_API_TOKEN")
    assert ExportInput.from_credentials({"token": ""}).token is None
    assert ExportInput.name() == "export"


def test_signature_of_the_link_covers_the_id(get):
    """A link signed for one id, with the path rewritten to another id, is refused."""
    expires = 4_000_000_000
    sig = sign("other", "md", expires, SECRET.encode())
    assert get(f"/webhooks/export/summary/other.md?expires={expires}&sig={sig}").status_code == 200
    assert get(f"/webhooks/export/summary/{CID}.md?expires={expires}&sig={sig}").status_code == 403


def test_signed_link_to_the_policy_text(get):
    url = download_url("http://test", CID, "docx", ttl_seconds=3600, document="policy")
    assert "/webhooks/export/policy/" in url
    response = get(url)
    assert response.status_code == 200 and response.content[:2] == b"PK"
    assert re.fullmatch(r'attachment; filename="beleidstekst-amersfoort-\d{4}-\d\d-\d\d\.docx"',
                        response.headers["content-disposition"])
    md = get(download_url("http://test", CID, "md", ttl_seconds=3600, document="policy"))
    assert md.status_code == 200 and "## Doelen" in md.text


def test_a_summary_link_does_not_open_the_policy_text(get):
    # Same id, format and expiry, only the document in the path changed: the signature covers it.
    url = link(fmt="docx").replace("/export/summary/", "/export/policy/")
    assert get(url).status_code == 403


def test_api_gives_the_policy_text(get):
    response = get(f"/webhooks/export/api/{CID}?format=md&document=policy", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200 and "## Doelen" in response.text
    wrong = get(f"/webhooks/export/api/{CID}?format=md&document=brief", headers={"Authorization": f"Bearer {TOKEN}"})
    assert wrong.status_code == 400
