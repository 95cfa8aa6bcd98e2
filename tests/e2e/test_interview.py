"""End to end: start the real action server and Rasa server, interview over REST."""
import json
import urllib.request
import uuid

import pytest

from bot.cli import PROJECT_DIR, Assistant, LaunchError, port_free, write_endpoints

pytestmark = pytest.mark.e2e

RASA_PORT, ACTIONS_PORT = 5105, 5155


@pytest.fixture(scope="module")
def assistant(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("e2e")
    endpoints = write_endpoints(tmp / "endpoints.yml", ACTIONS_PORT, str(tmp / "tracker.db"))
    server = Assistant(rasa_port=RASA_PORT, actions_port=ACTIONS_PORT, endpoints=endpoints, log_dir=tmp)
    try:
        server.start(timeout=240)
    except LaunchError as err:
        logs = "\n".join(p.read_text(errors="replace")[-3000:] for p in tmp.glob("*.log"))
        pytest.fail(f"{err}\n{logs}")
    yield server
    server.stop()


def say(server, sender, text):
    body = json.dumps({"sender": sender, "message": text}).encode()
    request = urllib.request.Request(
        f"{server.url}/webhooks/rest/webhook", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def texts(replies):
    return "\n".join(r.get("text", "") for r in replies)


def test_full_interview_from_greeting_to_plan(assistant):
    me = f"e2e-{uuid.uuid4().hex[:8]}"
    replies = say(assistant, me, "hoi")
    assert "Preventiewijzer" in texts(replies)
    assert "Voor welke gemeente werk je?" in texts(replies)

    replies = say(assistant, me, "gemeente Amersfort")
    assert "Bedoel je Amersfoort?" in texts(replies)
    button = replies[-1]["buttons"][0]
    assert button["title"] == "Ja, Amersfoort"

    replies = say(assistant, me, button["payload"])  # the officer clicks the button
    assert "Welk signaal zie je?" in texts(replies)
    assert replies[-1]["buttons"]

    replies = say(assistant, me, "We zien meer 3-MMC bij jongeren in het uitgaansleven")
    # The place was in the answer, so the next question is who noticed it.
    assert "Wie heeft het gezien of gemeld?" in texts(replies)

    replies = say(assistant, me, "de jongerenwerkers en een paar kroegbazen")
    assert "Om welke groep" in texts(replies)
    group_buttons = [b["title"] for b in replies[-1]["buttons"]]
    assert "Weet ik niet" in group_buttons

    replies = say(assistant, me, "jongeren in het uitgaansleven")
    assert "Welke partners zijn al betrokken?" in texts(replies)

    replies = say(assistant, me, "GGD en jongerenwerk")
    answer = texts(replies)
    assert "Dit is mijn voorstel voor Amersfoort" in answer
    for number in range(1, 6):
        assert f"Stap {number}." in answer
    assert "Barcode" in answer  # from the knowledge base: the nightlife staff training
    assert "erkenning:" in answer
    assert "Samenvatting" in answer and "Gemeente: Amersfoort" in answer


def test_unknown_municipality_gets_a_clear_answer(assistant):
    me = f"e2e-{uuid.uuid4().hex[:8]}"
    say(assistant, me, "hallo")
    replies = say(assistant, me, "Atlantis")
    answer = texts(replies)
    assert "Ik ken geen Nederlandse gemeente met de naam 'Atlantis'" in answer
    assert "Voor welke gemeente werk je?" in answer


def test_port_in_use_is_reported_in_one_line(assistant):
    assert not port_free(RASA_PORT)
    other = Assistant(rasa_port=RASA_PORT, actions_port=ACTIONS_PORT + 1)
    with pytest.raises(LaunchError, match=f"port {ACTIONS_PORT + 1}|port {RASA_PORT}"):
        other.check()
