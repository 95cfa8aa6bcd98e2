"""End to end: `python -m bot run` keeps the assistant serving when a server fails.

One launcher for the module; the tests run in order on one interview:
the action server hangs (SIGSTOP), then is killed (kill -9), then the Rasa server is killed, then
Ctrl-C stops everything. Each time the officer gets an answer: the apology within 5 s while the
action server is away, and the same question afterwards.
"""
import asyncio
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

from bot.cli import GUARD_PATH, PROJECT_DIR, child_env, port_free, write_endpoints
from conversation.texts import SERVICE_UNAVAILABLE
from tests import rest

pytestmark = pytest.mark.e2e

RASA_PORT, ACTIONS_PORT = 5120, 5170
ACTION_TIMEOUT = 3  # seconds; the default is 4, also within the 5 s, but this machine is shared


class Launcher:
    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.db = tmp / "tracker.db"
        self.log = tmp / "launcher.log"
        self.me = f"supervise-{uuid.uuid4().hex[:8]}"
        endpoints = write_endpoints(tmp / "endpoints.yml", ACTIONS_PORT, str(self.db))
        env = dict(child_env(), ACTION_TIMEOUT=str(ACTION_TIMEOUT), RESTART_DELAY="1", RESTART_DELAY_MAX="30")
        with open(self.log, "wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot", "run", "--port", str(RASA_PORT), "--actions-port", str(ACTIONS_PORT),
                 "--endpoints", str(endpoints)],
                cwd=PROJECT_DIR, env=env, stdout=out, stderr=subprocess.STDOUT,
            )
        try:
            self.wait_for(lambda: b"is ready" in self.log.read_bytes(), 300, "bot run did not start")
        except BaseException:
            self.stop()
            raise

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            self.process.wait(timeout=60)

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for(self, condition, seconds, what):
        deadline = time.monotonic() + seconds
        while not condition():
            if self.process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"{what}:\n" + self.text()[-4000:])
            time.sleep(0.5)

    def child(self, module: str) -> int:
        """The pid of the launcher's child that runs ``python -m <module>``."""
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
                cmdline = (stat.parent / "cmdline").read_bytes().split(b"\0")
            except (OSError, IndexError, ValueError):
                continue
            if ppid == self.process.pid and cmdline[1:3] == [b"-m", module.encode()]:
                return int(stat.parent.name)
        pytest.fail(f"no {module} process under the launcher:\n" + self.text()[-4000:])


@pytest.fixture(scope="module")
def launcher(tmp_path_factory):
    launcher = Launcher(tmp_path_factory.mktemp("supervision"))
    yield launcher
    launcher.stop()


def say(sender, text, timeout=30):
    """The reply texts and how long they took."""
    return rest.say(f"http://localhost:{RASA_PORT}", sender, text, timeout)


async def socketio_say(sender, text, wait=6):
    """(seconds, text) of each bot message within ``wait`` seconds, over the socket.io channel."""
    import socketio

    client = socketio.AsyncClient()
    replies = []
    sent = 0.0
    client.on("bot_uttered", lambda data: replies.append((time.monotonic() - sent, data.get("text"))))
    await client.connect(f"http://localhost:{RASA_PORT}", socketio_path="/socket.io", transports=["websocket"])
    try:
        await client.emit("session_request", {"session_id": sender})
        await asyncio.sleep(0.5)
        sent = time.monotonic()
        await client.emit("user_uttered", {"message": text, "session_id": sender})
        await asyncio.sleep(wait)
    finally:
        await client.disconnect()
    return replies


def up(url):
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def user_messages(db, sender):
    with sqlite3.connect(db) as connection:
        rows = connection.execute(
            "SELECT data FROM events WHERE sender_id = ? AND type_name = 'user' ORDER BY id", (sender,)
        ).fetchall()
    return [json.loads(data)["text"] for (data,) in rows]


def live_members(pgid):
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            members.append(int(stat.parent.name))
    return members


def test_a_hung_action_server_is_cut_off_with_the_apology(launcher):
    me = launcher.me
    say(me, "hoi")
    assert "Vanuit welk domein" in say(me, "Zwolle")[0]
    actions = launcher.child("rasa_sdk")
    os.killpg(actions, signal.SIGSTOP)  # it keeps its port but answers nothing
    try:
        reply, seconds = say(me, "gezondheid")
    finally:
        os.killpg(actions, signal.SIGCONT)
    assert reply == SERVICE_UNAVAILABLE and seconds < 5, (reply, seconds)
    assert "supervisor:" not in launcher.text()  # a hung server is not a stopped one
    # It answers again: the same question is open, and the answer goes through.
    assert "Waarom kom je vandaag" in say(me, "gezondheid")[0]


def test_a_killed_action_server_gives_the_apology_and_is_restarted(launcher):
    me = launcher.me
    os.kill(launcher.child("rasa_sdk"), signal.SIGKILL)
    launcher.wait_for(lambda: "the action server stopped (exit code -9" in launcher.text(), 10, "no log line")
    reply, seconds = say(me, "er is een signaal")
    assert reply == SERVICE_UNAVAILABLE and seconds < 5, (reply, seconds)
    assert user_messages(launcher.db, me)[-1] == "er is een signaal"  # the answer is kept
    # The web widget's channel (socket.io) gets it too.
    replies = asyncio.run(socketio_say(me, "er is een signaal"))
    assert replies and replies[0][1] == SERVICE_UNAVAILABLE and replies[0][0] < 5, replies
    assert len([line for line in launcher.text().splitlines() if line.startswith("supervisor:")]) == 1

    launcher.wait_for(lambda: up(f"http://localhost:{ACTIONS_PORT}/health"), 60, "the action server is not back")
    assert "Welk signaal zie je" in say(me, "er is een signaal")[0]


def test_the_guard_route_needs_the_token(launcher):
    request = urllib.request.Request(f"http://localhost:{RASA_PORT}{GUARD_PATH}", data=b"{}",
                                     headers={"Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(request, timeout=10)
    assert err.value.code == 401


def test_a_killed_rasa_server_is_restarted_and_the_conversation_resumes(launcher):
    os.kill(launcher.child("rasa"), signal.SIGKILL)
    launcher.wait_for(lambda: "the Rasa server stopped (exit code -9" in launcher.text(), 10, "no log line")
    launcher.wait_for(lambda: up(f"http://localhost:{RASA_PORT}/webhooks/rest/"), 240, "the Rasa server is not back")
    assert "Wie heeft het gezien" in say(launcher.me, "lachgas op straat", timeout=60)[0]


def test_ctrl_c_stops_every_process(launcher):
    children = [launcher.child("rasa_sdk"), launcher.child("rasa")]
    launcher.process.send_signal(signal.SIGINT)
    assert launcher.process.wait(timeout=60) == 0
    deadline = time.monotonic() + 10
    while any(live_members(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert [live_members(pid) for pid in children] == [[], []]
    assert port_free(RASA_PORT) and port_free(ACTIONS_PORT)
