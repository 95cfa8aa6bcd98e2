"""The REST and socket.io channels of the cluster (bot/channels/resilient.py): an unreachable
Redis or PostgreSQL gives the officer the Dutch apology and one log line, not an empty reply."""
import asyncio
import logging

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from bot.channels.resilient import RestInput, SocketIOInput, apologising
from conversation.texts import STORE_UNAVAILABLE


def run(error):
    async def on_new_message(message):
        raise error

    output = CollectingOutputChannel()
    asyncio.run(apologising(on_new_message)(UserMessage("gezondheid", output, "anna")))
    return output.messages


def test_redis_away_gives_the_apology_and_a_log_line(caplog):
    from redis.exceptions import ConnectionError

    with caplog.at_level(logging.ERROR, logger="bot.channels.resilient"):
        messages = run(ConnectionError("Error 111 connecting to 127.0.0.1:6380. Connection refused."))
    assert [m["text"] for m in messages] == [STORE_UNAVAILABLE] and messages[0]["recipient_id"] == "anna"
    assert "conversation store unavailable: Redis (lock store) (ConnectionError: Error 111" in caplog.text
    assert "conversation anna got the apology" in caplog.text


def test_redis_away_as_rasa_reports_it_gives_the_apology(caplog):
    from rasa.core.lock_store import LockError

    with caplog.at_level(logging.ERROR, logger="bot.channels.resilient"):
        messages = run(LockError("Error while acquiring lock. Error:\nTimeout reading from socket"))
    assert [m["text"] for m in messages] == [STORE_UNAVAILABLE]
    assert "Redis (lock store) (LockError: Error while acquiring lock. Error: Timeout reading from socket)" in caplog.text


def test_postgres_away_gives_the_apology(caplog):
    from bot.tracker_store import TrackerStoreUnavailable

    with caplog.at_level(logging.ERROR, logger="bot.channels.resilient"):
        messages = run(TrackerStoreUnavailable("OperationalError: connection refused"))
    assert [m["text"] for m in messages] == [STORE_UNAVAILABLE]
    assert "PostgreSQL (tracker store) (TrackerStoreUnavailable: OperationalError: connection refused)" in caplog.text


def test_other_errors_are_not_hidden():
    with pytest.raises(ZeroDivisionError):
        run(ZeroDivisionError())


def test_a_handled_message_is_passed_through():
    seen = []

    async def on_new_message(message):
        seen.append(message.text)
        await message.output_channel.send_text_message(message.sender_id, "Vanuit welk domein werk je?")

    output = CollectingOutputChannel()
    asyncio.run(apologising(on_new_message)(UserMessage("Zwolle", output, "anna")))
    assert seen == ["Zwolle"] and output.messages[0]["text"] == "Vanuit welk domein werk je?"


def test_the_channels_keep_their_names_and_paths():
    assert RestInput.name() == "rest" and SocketIOInput.name() == "socketio"
