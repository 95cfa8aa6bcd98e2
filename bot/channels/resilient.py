"""Rasa's REST and socket.io channels, with an apology when the conversation stores fail.

In the cluster (``python -m bot cluster``) every message takes the conversation's lock in Redis
(Rasa's RedisLockStore) and reads and writes the conversation in PostgreSQL
(bot/tracker_store.py). When Redis cannot be reached, Rasa 3.6 raises ``LockError`` out of
``Agent.handle_message``: the REST channel logs the traceback and answers ``[]`` (an empty reply),
socket.io answers nothing. When PostgreSQL cannot be reached, our tracker store raises
``TrackerStoreUnavailable`` (Rasa's own would start the conversation anew in memory). These
channels catch exactly those errors and send the officer
``conversation.texts.STORE_UNAVAILABLE`` instead, with one log line that names the store. The
message itself is not handled (nothing of it is stored); what came before is in PostgreSQL, so
when the store is back the officer sends it again and goes on.

Credentials keys: ``bot.channels.resilient.RestInput`` and ``bot.channels.resilient.SocketIOInput``
in place of ``rest`` and ``socketio`` (bot/cluster.py does the swap); the webhooks keep their paths
(``/webhooks/rest/webhook``, ``/socket.io``).
"""
from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Optional, Text, Tuple, Type

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput as RasaRestInput
from rasa.core.channels.socketio import SocketIOInput as RasaSocketIOInput
from sanic import Blueprint

from conversation.texts import STORE_UNAVAILABLE

logger = logging.getLogger(__name__)

Handler = Callable[[UserMessage], Awaitable[Any]]


def store_errors() -> Tuple[Type[BaseException], ...]:
    """The errors of an unreachable store: the lock store's (Redis) and the tracker store's (SQL)."""
    from rasa.core.lock_store import LockError
    from redis.exceptions import RedisError

    from bot.tracker_store import TrackerStoreUnavailable

    return (LockError, RedisError, TrackerStoreUnavailable)


def which_store(error: BaseException) -> str:
    from bot.tracker_store import TrackerStoreUnavailable

    return "PostgreSQL (tracker store)" if isinstance(error, TrackerStoreUnavailable) else "Redis (lock store)"


def apologising(on_new_message: Handler) -> Handler:
    """``on_new_message`` that answers with the apology when a store cannot be reached."""
    errors = store_errors()

    async def handler(message: UserMessage) -> Any:
        try:
            return await on_new_message(message)
        except errors as error:
            # Rasa's LockError puts the Redis error on its second line.
            first_line = " ".join(str(error).split())[:240]
            logger.error(
                "conversation store unavailable: %s (%s: %s); conversation %s got the apology, its message "
                "was not handled", which_store(error), type(error).__name__, first_line, message.sender_id,
            )
            output: Optional[Any] = message.output_channel
            if output is not None:
                await output.send_text_message(message.sender_id, STORE_UNAVAILABLE)
            return None

    return handler


class RestInput(RasaRestInput):
    """Rasa's REST channel (``/webhooks/rest/webhook``) with the apology."""

    @classmethod
    def name(cls) -> Text:
        return "rest"

    def blueprint(self, on_new_message: Handler) -> Blueprint:
        return super().blueprint(apologising(on_new_message))


class SocketIOInput(RasaSocketIOInput):
    """Rasa's socket.io channel (the web widget) with the apology."""

    @classmethod
    def name(cls) -> Text:
        return "socketio"

    def blueprint(self, on_new_message: Handler) -> Blueprint:
        return super().blueprint(apologising(on_new_message))
