"""Slack retry de-duplication across replicas: the keys in Redis (REDIS_URL), shared by every Rasa
replica; in the process without it. Against a real redis-server started here (Debian:
redis-server), skipped with the reason where none is installed; the fallback needs no server."""
import asyncio
import logging
import shutil
import socket
import subprocess
import time

import pytest

from bot.channels.slack import _RedisSeenEvents, _SeenEvents, seen_events


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("no redis-server installed (Debian: apt-get install redis-server); Redis tests skipped")
    port, folder = free_port(), tmp_path_factory.mktemp("redis")
    process = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir",
                                str(folder), "--requirepass", "test-secret"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    yield f"redis://127.0.0.1:{port}/2"
    process.terminate()
    process.wait(timeout=10)


def test_without_redis_url_the_keys_stay_in_the_process():
    seen = seen_events({})
    assert isinstance(seen, _SeenEvents)
    assert asyncio.run(seen.first_time("C1:1.0")) is True
    assert asyncio.run(seen.first_time("C1:1.0")) is False


def test_two_replicas_share_the_keys_through_redis(redis_url):
    env = {"REDIS_URL": redis_url, "REDIS_PASSWORD": "test-secret"}

    async def run():
        first, second = seen_events(env), seen_events(env)  # as in two Rasa processes
        assert isinstance(first, _RedisSeenEvents)
        key = f"C1:{time.time()}"
        return [await first.first_time(key), await second.first_time(key), await first.first_time(key),
                await second.first_time(key + "-other")]

    assert asyncio.run(run()) == [True, False, False, True]


def test_keys_expire(redis_url):
    async def run():
        seen = _RedisSeenEvents.from_url(redis_url, "test-secret")
        seen.ttl = 1
        key = f"C2:{time.time()}"
        assert await seen.first_time(key) is True
        ttl = await seen.client.ttl(seen.PREFIX + key)
        return ttl

    assert 0 < asyncio.run(run()) <= 1


def test_redis_away_the_replica_decides_alone_with_a_log_line(caplog):
    seen = _RedisSeenEvents.from_url(f"redis://127.0.0.1:{free_port()}/2")  # nothing listens there
    with caplog.at_level(logging.WARNING, logger="bot.channels.slack"):
        answers = asyncio.run(_twice(seen, "C3:1.0"))
    assert answers == [True, False]
    assert "Redis unavailable for the retry de-duplication" in caplog.text


async def _twice(seen, key):
    return [await seen.first_time(key), await seen.first_time(key)]
