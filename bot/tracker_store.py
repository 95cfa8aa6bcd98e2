"""Rasa's SQL tracker store that does not pretend a conversation is new when the database is away.

Rasa 3.6 wraps every tracker store in ``FailSafeTrackerStore``: when PostgreSQL cannot be reached
it logs the error and goes on with an empty conversation in the memory of that one replica. The
officer then gets the greeting as if they had never spoken, and what that replica saves later may
be mixed into the stored conversation once the database is back. This store raises
``TrackerStoreUnavailable`` instead, a ``BaseException`` on purpose: the fail-safe wrapper catches
only ``Exception``. The cluster's channels (bot/channels/resilient.py) catch it and give the
officer the apology; the stored conversation is left as it was.

    tracker_store:
      type: bot.tracker_store.SQLTrackerStore    # in place of "SQL"; the same settings
      dialect: postgresql
      ...
"""
from __future__ import annotations

from typing import Any, Optional, Text

from rasa.core.tracker_store import SQLTrackerStore as RasaSQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.exc import SQLAlchemyError


class TrackerStoreUnavailable(BaseException):  # noqa: N818 - not an Exception: see the module docstring
    """The tracker store's database cannot be reached; the message is not handled."""


class SQLTrackerStore(RasaSQLTrackerStore):
    """Rasa's SQLTrackerStore; database errors raise ``TrackerStoreUnavailable``, and pooled
    connections are tested before use (``pool_pre_ping``): after PostgreSQL restarted, a replica
    reconnects instead of failing once on each connection the restart broke (measured: without it,
    the first message to each replica after a restart got the apology)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        import sqlalchemy as sa
        from rasa.core.tracker_store import create_engine_kwargs

        engine: Any = self.__dict__["engine"]  # set by Rasa (untyped) just above
        url = engine.url
        engine.dispose()
        self.engine = sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url))
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        try:
            return await super().retrieve(sender_id)
        except SQLAlchemyError as error:
            raise TrackerStoreUnavailable(f"{type(error).__name__}: {_first_line(error)}") from error

    async def retrieve_full_tracker(self, conversation_id: Text) -> Optional[DialogueStateTracker]:
        try:
            return await super().retrieve_full_tracker(conversation_id)
        except SQLAlchemyError as error:
            raise TrackerStoreUnavailable(f"{type(error).__name__}: {_first_line(error)}") from error

    async def save(self, tracker: DialogueStateTracker) -> None:
        try:
            await super().save(tracker)
        except SQLAlchemyError as error:
            raise TrackerStoreUnavailable(f"{type(error).__name__}: {_first_line(error)}") from error


def _first_line(error: Any) -> str:
    return (str(error).strip().splitlines() or [""])[0][:200]
