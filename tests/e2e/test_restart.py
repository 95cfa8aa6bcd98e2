"""End to end: `python -m bot run` stops both servers on Ctrl-C, and a conversation continues
after a restart because Rasa keeps it in the SQL tracker store, also when the officer comes back a
day later (a new session: the assistant says where we were)."""
import json
import signal
import subprocess
import sys
import time
import uuid

import pytest

from bot.cli import PROJECT_DIR, child_env, port_free, write_endpoints
from tests import rest

pytestmark = pytest.mark.e2e

RASA_PORT, ACTIONS_PORT = 5106, 5156


def start(tmp, name):
    endpoints = tmp / "endpoints.yml"
    if not endpoints.exists():
        write_endpoints(endpoints, ACTIONS_PORT, str(tmp / "tracker.db"))
    log_path = tmp / f"{name}.log"
    log = open(log_path, "wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "run", "--port", str(RASA_PORT), "--actions-port", str(ACTIONS_PORT),
         "--endpoints", str(endpoints)],
        cwd=PROJECT_DIR, env=child_env(), stdout=log, stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 240
    while b"is ready" not in log_path.read_bytes():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail("bot run did not start:\n" + log_path.read_text(errors="replace")[-3000:])
        time.sleep(1)
    return process


def say(sender, text):
    return rest.say(f"http://localhost:{RASA_PORT}", sender, text)[0]


def stop_with_ctrl_c(process):
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=60) == 0
    for _ in range(30):
        if port_free(RASA_PORT) and port_free(ACTIONS_PORT):
            return
        time.sleep(1)
    pytest.fail("a server still holds its port after Ctrl-C")


def age_conversation(tracker_db, sender, hours):
    """Move every stored event of ``sender`` ``hours`` back in time, as if the officer left then."""
    import sqlite3

    shift = hours * 3600
    with sqlite3.connect(tracker_db) as db:
        rows = db.execute("SELECT id, timestamp, data FROM events WHERE sender_id = ?", (sender,)).fetchall()
        assert rows, "no stored events for the conversation"
        for row_id, stamp, data in rows:
            event = json.loads(data)
            event["timestamp"] = event.get("timestamp", stamp) - shift
            db.execute("UPDATE events SET timestamp = ?, data = ? WHERE id = ?",
                       (stamp - shift, json.dumps(event), row_id))


def test_ctrl_c_stops_both_and_the_conversation_survives_a_restart(tmp_path):
    me = f"restart-{uuid.uuid4().hex[:8]}"
    process = start(tmp_path, "first")
    try:
        say(me, "hoi")
        assert "Vanuit welk domein" in say(me, "Zwolle")
        say(me, "gezondheid")
        say(me, "er is een signaal")
        assert "Wie heeft het gezien" in say(me, "lachgas op straat")
    finally:
        stop_with_ctrl_c(process)

    # The officer comes back a day later: the session has expired (domain.yml session_config) and
    # the answers carry over into the new one.
    age_conversation(tmp_path / "tracker.db", me, hours=24)
    process = start(tmp_path, "second")
    try:
        # The assistant says where we were and goes on with the same question.
        answer = say(me, "hoi")
        assert "Vorige keer waren we bij de vraag over wie het ziet voor Zwolle" in answer, answer
        assert "Fijn dat je er weer bent" in answer and "Wie heeft het gezien" in answer, answer
        assert "Neemt het toe?" in say(me, "de wijkagent")
        say(me, "het blijft gelijk")
        assert "Om welke groep" in say(me, "nee")
        assert "Welke partners" in say(me, "hangjongeren")
        say(me, "jongerenwerk")
        say(me, "geen")
        answer = say(me, "gemiddeld")
        assert "Dit is mijn voorstel voor Zwolle" in answer
        assert "Signaal: lachgas; waar: straat en hangplekken" in say(me, "verslag")
    finally:
        stop_with_ctrl_c(process)
