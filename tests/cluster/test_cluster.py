"""End to end: the scale-out topology of `python -m bot cluster` on real components.

PostgreSQL (tracker store), Redis (lock store), two Rasa replicas and two action servers behind
nginx, all started once for this module. In order:
1. many conversations at once over REST through nginx: no errors, both replicas answer, and in
   PostgreSQL every conversation holds exactly the officer's messages, once each, in order;
   a download link made by one process opens on every replica (one shared export secret);
2. a Rasa replica killed mid-interview: the next message through nginx is answered by the other
   replica at the same question; the supervisor restarts the killed one;
3. one action server killed: nginx passes the calls to the other one, the interview goes on; both
   killed: the officer gets the action guard's apology within 5 s, and after the supervisor has
   restarted them the interview goes on at the same question;
4. Redis stopped: the officer gets a Dutch apology (not an empty reply), the log says why; with
   Redis back the conversation goes on with nothing lost;
5. the same for PostgreSQL.

Size of test 1: CLUSTER_CONVERSATIONS (30, at most 100) conversations of CLUSTER_TURNS (10, at most
20) messages.
"""
import os
import signal
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest

from conversation.texts import SERVICE_UNAVAILABLE, STORE_UNAVAILABLE
from tests.cluster.conftest import ACTION_TIMEOUT, report, say, up

pytestmark = pytest.mark.cluster

CONVERSATIONS = min(100, int(os.environ.get("CLUSTER_CONVERSATIONS", "30")))
TURNS = min(20, int(os.environ.get("CLUSTER_TURNS", "10")))
MUNICIPALITIES = ["Zwolle", "Deventer", "Amersfoort", "Aalten", "Utrecht", "Groningen", "Tilburg", "Almere"]
SCRIPT = [
    "hoi", "{municipality}", "gezondheid", "er is een signaal",
    "we zien steeds meer 3-MMC bij jongeren in het uitgaansleven", "jongerenwerk en horeca", "nee", "ja",
    "GGD en jongerenwerk", "geen", "gemiddeld", "volgende", "waarom?", "volgende", "hoe erkend?", "volgende",
    "volgende", "volgende", "verslag", "volgende",
]




def conversation(url, sender, municipality):
    """Send the script; the errors (exceptions, empty replies, apologies) and the messages sent."""
    errors, sent = [], []
    for turn in SCRIPT[:TURNS]:
        text = turn.format(municipality=municipality)
        sent.append(text)
        try:
            reply, _ = say(url, sender, text, timeout=120)
        except Exception as err:  # noqa: BLE001 - every failure counts as an error
            errors.append(f"{sender} {text!r}: {type(err).__name__}: {err}")
            continue
        if not reply.strip() or reply == SERVICE_UNAVAILABLE:
            errors.append(f"{sender} {text!r}: {reply!r}")
    return errors, sent


def test_concurrent_conversations_spread_over_both_replicas(cluster, request):
    run = uuid.uuid4().hex[:6]
    senders = [f"load-{run}-{i}" for i in range(CONVERSATIONS)]
    before = len(cluster.access_log())
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=min(CONVERSATIONS, 30)) as pool:
        results = list(pool.map(lambda i: conversation(cluster.url, senders[i], MUNICIPALITIES[i % len(MUNICIPALITIES)]),
                                range(CONVERSATIONS)))
    seconds = time.monotonic() - started
    errors = [e for errs, _ in results for e in errs]
    messages = CONVERSATIONS * TURNS
    report(request, f"\ncluster: {CONVERSATIONS} conversations x {TURNS} messages = {messages} messages in "
                    f"{seconds:.0f} s ({messages / seconds:.1f} messages/s), {len(errors)} errors")
    assert errors == [], errors[:10]

    def served():
        return [row[3] for row in cluster.access_log()[before:] if row[1].startswith("POST /webhooks/rest/webhook")]

    cluster.wait_for(lambda: len(served()) >= messages, 10, "nginx logged fewer requests than were answered")
    served = served()
    assert len(served) == messages
    per_replica = {port: sum(1 for s in served if s.endswith(f":{port}")) for port in cluster.rasa_ports}
    report(request, f"cluster: messages per Rasa replica: {per_replica}")
    assert all(count >= messages // 4 for count in per_replica.values()), per_replica

    # In the shared tracker store: each conversation holds exactly what was sent, once, in order.
    for sender, (_, sent) in zip(senders, results, strict=True):
        assert cluster.user_messages(sender) == sent, sender


def test_a_download_link_from_one_process_opens_on_every_replica(cluster):
    from bot.links import download_url

    secret = (cluster.folder / "cluster" / "secrets" / "export-secret").read_text().strip().encode()
    sender = f"export-{uuid.uuid4().hex[:6]}"
    for text in ["hoi", "Zwolle", "gezondheid"]:
        say(cluster.url, sender, text)
    link = download_url(cluster.url, sender, "md", secret=secret)
    path = urlsplit(link)._replace(scheme="", netloc="").geturl()
    before = len(cluster.access_log())
    import urllib.request

    for _ in range(2):  # round-robin: one request per replica
        with urllib.request.urlopen(cluster.url + path, timeout=60) as response:
            assert response.status == 200 and b"Zwolle" in response.read()
    def answered():
        return [row[3] for row in cluster.access_log()[before:] if "/webhooks/export/" in row[1]]

    cluster.wait_for(lambda: len(answered()) == 2, 10, "nginx did not log the downloads")
    assert len(set(answered())) == 2, answered()


def test_the_web_widget_over_socketio_through_nginx_stays_on_one_replica(cluster):
    """Long-polling first, then the upgrade to a WebSocket (the widget's way): every request of the
    connection must reach the same replica, and the upgrade must pass nginx."""
    import asyncio

    import socketio

    async def chat():
        client = socketio.AsyncClient()
        replies = []
        client.on("bot_uttered", lambda data: replies.append(data.get("text")))
        await client.connect(cluster.url, socketio_path="/socket.io", transports=["polling", "websocket"])
        try:
            await client.emit("session_request", {"session_id": me})
            await asyncio.sleep(1)
            await client.emit("user_uttered", {"message": "hoi", "session_id": me})
            for _ in range(60):
                if any(r and "Voor welke gemeente" in r for r in replies):
                    break
                await asyncio.sleep(0.5)
            return replies, client.transport()
        finally:
            await client.disconnect()

    me = f"widget-{uuid.uuid4().hex[:6]}"
    before = len(cluster.access_log())
    replies, transport = asyncio.run(chat())
    assert any(r and "Voor welke gemeente" in r for r in replies), replies
    assert transport == "websocket"
    time.sleep(1)  # nginx logs the WebSocket request when it closes
    socket_rows = [row for row in cluster.access_log()[before:] if "/socket.io/" in row[1]]
    assert any(row[2] == 101 for row in socket_rows), socket_rows  # the WebSocket upgrade went through
    assert len({row[3] for row in socket_rows}) == 1, socket_rows  # sticky
    assert cluster.user_messages(me) == ["hoi"]


def test_a_killed_rasa_replica_the_other_goes_on_at_the_same_question(cluster):
    me = f"replica-{uuid.uuid4().hex[:6]}"
    say(cluster.url, me, "hoi")
    assert "Vanuit welk domein" in say(cluster.url, me, "Zwolle")[0]
    victim = cluster.rasa(1)
    os.kill(victim, signal.SIGKILL)
    assert cluster.rasa(2) != victim
    # Gone, not dying: a request that reaches a replica in its last milliseconds gets nginx's 502
    # (a POST that was sent is not sent again); the officer's next message is what counts here.
    cluster.wait_for(lambda: not listening(cluster.rasa_ports[0]), 10, "Rasa server 1 still listens")
    # The next messages, whichever replica nginx tries first, are answered by replica 2.
    try:
        reply = say(cluster.url, me, "gezondheid")[0]
    except OSError as err:
        pytest.fail(f"{err}\n" + cluster.logs())
    assert "Waarom kom je vandaag" in reply
    assert "Welk signaal zie je" in say(cluster.url, me, "er is een signaal")[0]
    assert cluster.user_messages(me) == ["hoi", "Zwolle", "gezondheid", "er is een signaal"]
    cluster.wait_for(lambda: "the Rasa server 1 stopped (exit code -9" in cluster.text(), 10, "no supervisor line")
    # Its restart (a minute or more: the model loads) is checked in the last test, meanwhile the
    # other tests run on replica 2.
    cluster.replica_test_sender = me


def test_killed_action_servers_nginx_passes_on_then_the_apology_then_on_again(cluster):
    me = f"actions-{uuid.uuid4().hex[:6]}"
    say(cluster.url, me, "hoi")
    assert "Vanuit welk domein" in say(cluster.url, me, "Zwolle")[0]
    # One action server gone: nginx gives its calls to the other one; the officer notices nothing.
    os.kill(cluster.actions(1), signal.SIGKILL)
    assert "Waarom kom je vandaag" in say(cluster.url, me, "gezondheid")[0]
    cluster.wait_for(lambda: up(f"http://127.0.0.1:{cluster.actions_ports[0]}/health"), 120,
                     "action server 1 is not back")
    # Both gone: the action guard's apology within 5 s, and the answer is kept.
    for replica in (1, 2):
        os.kill(cluster.actions(replica), signal.SIGKILL)
    reply, seconds = say(cluster.url, me, "er is een signaal")
    assert reply == SERVICE_UNAVAILABLE and seconds < 5, (reply, seconds)
    assert cluster.user_messages(me)[-1] == "er is een signaal"
    # Restarted by the supervisor: the officer sends the answer again and goes on at the same question.
    cluster.wait_for(lambda: all(up(f"http://127.0.0.1:{p}/health") for p in cluster.actions_ports), 120,
                     "the action servers are not back")
    deadline = time.monotonic() + 3 * ACTION_TIMEOUT + 10  # nginx tries a failed server again after 5 s
    while True:
        reply = say(cluster.url, me, "er is een signaal")[0]
        if reply != SERVICE_UNAVAILABLE or time.monotonic() > deadline:
            break
        time.sleep(2)
    assert "Welk signaal zie je" in reply


def listening(port):
    import socket

    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


def say_until_answered(cluster, me, text, seconds):
    """The officer sends ``text`` again while the apology comes back (as the apology asks)."""
    deadline = time.monotonic() + seconds
    while True:
        reply = say(cluster.url, me, text)[0]
        if reply not in (STORE_UNAVAILABLE, SERVICE_UNAVAILABLE) or time.monotonic() > deadline:
            return reply
        time.sleep(2)


def test_redis_away_gives_the_apology_and_nothing_is_lost(cluster):
    me = f"redis-{uuid.uuid4().hex[:6]}"
    say(cluster.url, me, "hoi")
    assert "Vanuit welk domein" in say(cluster.url, me, "Zwolle")[0]
    redis = cluster.redis()
    os.kill(redis, signal.SIGSTOP)  # it keeps its port but answers nothing: the lock store times out
    try:
        reply, seconds = say(cluster.url, me, "gezondheid")
    finally:
        os.kill(redis, signal.SIGCONT)
    assert reply == STORE_UNAVAILABLE, reply
    assert seconds < 10, seconds
    cluster.wait_for(lambda: "conversation store unavailable: Redis (lock store)" in cluster.logs(20000), 10,
                     "no log line for Redis")
    assert "Waarom kom je vandaag" in say_until_answered(cluster, me, "gezondheid", 30)
    # Stopped outright: the supervisor starts it again (empty: locks live seconds), and on it goes.
    os.kill(cluster.redis(), signal.SIGKILL)
    cluster.wait_for(lambda: "the Redis server stopped (exit code -9" in cluster.text(), 10, "no supervisor line")
    assert "Welk signaal zie je" in say_until_answered(cluster, me, "er is een signaal", 60)
    assert cluster.user_messages(me) == ["hoi", "Zwolle", "gezondheid", "er is een signaal"]


def test_postgres_away_gives_the_apology_and_nothing_is_lost(cluster):
    me = f"postgres-{uuid.uuid4().hex[:6]}"
    say(cluster.url, me, "hoi")
    assert "Vanuit welk domein" in say(cluster.url, me, "Zwolle")[0]
    os.killpg(cluster.postgres(), signal.SIGKILL)  # the server and its backends: every connection breaks
    reply, _ = say(cluster.url, me, "gezondheid")
    assert reply == STORE_UNAVAILABLE, reply
    cluster.wait_for(lambda: "conversation store unavailable: PostgreSQL (tracker store)" in cluster.logs(20000),
                     10, "no log line for PostgreSQL")
    cluster.wait_for(lambda: "the PostgreSQL server stopped" in cluster.text(), 10, "no supervisor line")
    assert "Waarom kom je vandaag" in say_until_answered(cluster, me, "gezondheid", 90)
    assert cluster.user_messages(me) == ["hoi", "Zwolle", "gezondheid"]


def test_the_killed_replica_is_back_and_answers_the_same_conversation(cluster):
    me = getattr(cluster, "replica_test_sender", None)
    if me is None:
        pytest.skip("the replica test did not run")
    cluster.wait_for(lambda: up(f"http://127.0.0.1:{cluster.rasa_ports[0]}/webhooks/rest/"), 400,
                     "Rasa server 1 is not back")
    # Straight to the restarted replica: it reads the conversation from PostgreSQL.
    assert "Wie heeft het gezien" in say(f"http://127.0.0.1:{cluster.rasa_ports[0]}", me, "lachgas op straat")[0]
