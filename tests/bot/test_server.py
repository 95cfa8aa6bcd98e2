"""End to end: the real Rasa and action servers with the export channel, after an interview over REST.

One server for the module (start-up takes about a minute).
"""
import io
import urllib.error
import urllib.parse
import urllib.request
import uuid

import pytest

from bot.cli import Assistant, LaunchError, write_endpoints
from bot.links import download_url
from tests import rest

pytestmark = pytest.mark.e2e

RASA_PORT, ACTIONS_PORT = 5108, 5158
TOKEN = "server-test-token"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("export-e2e")
    endpoints = write_endpoints(tmp / "endpoints.yml", ACTIONS_PORT, str(tmp / "tracker.db"))
    credentials = tmp / "credentials.yml"
    credentials.write_text(
        "rest:\n"
        "bot.channels.export.ExportInput:\n"
        f"  token: {TOKEN}\n",
        encoding="utf-8",
    )
    with pytest.MonkeyPatch.context() as env:
        # The servers and this test share the generated secret through one file, as in production.
        env.delenv("EXPORT_SECRET", raising=False)
        env.delenv("EXPORT_API_TOKEN", raising=False)
        env.setenv("EXPORT_SECRET_FILE", str(tmp / "export-secret"))
        env.setenv("PUBLIC_URL", f"http://localhost:{RASA_PORT}")
        assistant = Assistant(rasa_port=RASA_PORT, actions_port=ACTIONS_PORT, endpoints=endpoints,
                              credentials=credentials, log_dir=tmp)
        try:
            assistant.start(timeout=240)
        except LaunchError as err:
            logs = "\n".join(p.read_text(errors="replace")[-3000:] for p in tmp.glob("*.log"))
            pytest.fail(f"{err}\n{logs}")
        try:
            yield assistant
        finally:
            assistant.stop()


def say(server, sender, text):
    return rest.post(server.url, sender, text)


def fetch(url, headers=None):
    """(status, headers, body) also for error statuses."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read()


@pytest.fixture(scope="module")
def conversation(server):
    """A short interview over REST; returns its conversation id."""
    me = f"export-{uuid.uuid4().hex[:8]}"
    for text in ("hoi", "Amersfoort", "gezondheid", "er is een signaal", "We zien meer lachgas op straat",
                 "de wijkagent", "nee", "hangjongeren", "jongerenwerk"):
        say(server, me, text)
    return me


def test_signed_links_give_the_summary(server, conversation):
    status, headers, body = fetch(download_url(None, conversation, "md"))
    assert status == 200, body
    assert headers["Content-Type"] == "text/markdown; charset=utf-8"
    assert headers["Content-Disposition"].startswith('attachment; filename="preventiewijzer-amersfoort-')
    text = body.decode("utf-8")
    assert text.startswith("# Samenvatting preventieaanpak Amersfoort")
    assert "lachgas" in text and "hangjongeren" in text and "het jongerenwerk" in text

    status, headers, body = fetch(download_url(None, conversation, "docx"))
    assert status == 200
    assert headers["Content-Disposition"].endswith('.docx"')
    import docx

    document = docx.Document(io.BytesIO(body))
    assert document.core_properties.title == "Samenvatting preventieaanpak Amersfoort"
    assert len(document.tables[0].rows) > 1

    status, headers, body = fetch(download_url(None, conversation, "pdf"))
    assert status == 200 and headers["Content-Type"] == "application/pdf" and body.startswith(b"%PDF")


def test_signed_links_give_the_policy_text(server, conversation):
    import docx

    status, headers, body = fetch(download_url(None, conversation, "docx", document="policy"))
    assert status == 200, body
    assert headers["Content-Disposition"].startswith('attachment; filename="beleidstekst-amersfoort-')
    document = docx.Document(io.BytesIO(body))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    for section in ("Probleemanalyse", "Doelen", "Aanpak", "Samenwerking", "Monitoring en evaluatie"):
        assert any(section in h for h in headings), headings


def test_tampered_and_expired_links_are_refused(server, conversation):
    url = download_url(None, conversation, "md")
    sig = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)["sig"][0]
    status, _, body = fetch(url.replace(sig, sig[:-2] + ("AA" if not sig.endswith("AA") else "BB")))
    assert status == 403 and body.decode() == "Deze downloadlink is niet geldig. Vraag in de chat opnieuw om de samenvatting."

    other = download_url(None, "someone-else", "md")  # signed for another conversation
    status, _, _ = fetch(other.replace("/someone-else.md", f"/{conversation}.md"))
    assert status == 403

    status, _, _ = fetch(url.split("?")[0])  # unsigned
    assert status == 403

    status, _, body = fetch(download_url(None, conversation, "md", ttl_seconds=-1))
    assert status == 403 and "verlopen" in body.decode()

    status, _, body = fetch(download_url(None, "nobody-here", "md"))
    assert status == 404 and "bestaat niet" in body.decode()


def test_api_needs_the_token(server, conversation):
    url = f"{server.url}/webhooks/export/api/{conversation}"
    status, headers, body = fetch(url + "?format=docx", {"Authorization": f"Bearer {TOKEN}"})
    assert status == 200 and body[:2] == b"PK"
    assert headers["Content-Type"].startswith("application/vnd.openxmlformats-officedocument")
    status, headers, _ = fetch(url)
    assert status == 401 and headers["WWW-Authenticate"].startswith("Bearer")
    status, _, _ = fetch(url, {"Authorization": "Bearer wrong"})
    assert status == 401
    status, _, _ = fetch(f"{server.url}/webhooks/export/api/nobody-here", {"Authorization": f"Bearer {TOKEN}"})
    assert status == 404


def test_odd_conversation_ids(server):
    """Ids are the client's choice (REST 'sender'): spaces and slashes must not break the routes."""
    me = f"gemeente/export {uuid.uuid4().hex[:6]}"
    say(server, me, "hoi")
    say(server, me, "Zwolle")
    status, _, body = fetch(download_url(None, me, "md"))
    assert status == 200 and "Zwolle" in body.decode()
    quoted = urllib.parse.quote(me, safe="")
    status, _, body = fetch(f"{server.url}/webhooks/export/api/{quoted}?format=md",
                            {"Authorization": f"Bearer {TOKEN}"})
    assert status == 200 and "Zwolle" in body.decode()
