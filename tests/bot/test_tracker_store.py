"""The cluster's tracker store (bot/tracker_store.py): a database error is not turned into a new,
empty conversation by Rasa's FailSafeTrackerStore, but reaches the channel (and the apology)."""
import asyncio

import pytest
from rasa.core.tracker_store import FailSafeTrackerStore, SQLTrackerStore as RasaSQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.exc import OperationalError

from bot.tracker_store import SQLTrackerStore, TrackerStoreUnavailable


def broken(name):
    async def fail(self, *args):
        raise OperationalError("SELECT", {}, Exception("could not connect to server: Connection refused"))

    return fail


@pytest.mark.parametrize("method, argument", [
    ("retrieve", "anna"), ("retrieve_full_tracker", "anna"), ("save", DialogueStateTracker("anna", [])),
])
def test_database_errors_pass_rasas_fail_safe_wrapper(monkeypatch, method, argument):
    monkeypatch.setattr(RasaSQLTrackerStore, method, broken(method))
    store = object.__new__(SQLTrackerStore)  # no database connection needed
    with pytest.raises(TrackerStoreUnavailable, match="OperationalError: .*could not connect"):
        asyncio.run(getattr(store, method)(argument))
    # Rasa's wrapper (which the agent always puts around the store) lets it through.
    wrapper = object.__new__(FailSafeTrackerStore)
    wrapper._tracker_store, wrapper._on_tracker_store_error, wrapper._fallback_tracker_store = store, None, None
    with pytest.raises(TrackerStoreUnavailable):
        asyncio.run(getattr(wrapper, method)(argument))


def test_it_works_as_rasas_store_on_sqlite(tmp_path):
    from rasa.shared.core.events import UserUttered

    store = SQLTrackerStore(dialect="sqlite", db=str(tmp_path / "tracker.db"))
    asyncio.run(store.save(DialogueStateTracker.from_events("anna", [UserUttered("hoi")])))
    assert asyncio.run(store.retrieve("anna")).latest_message.text == "hoi"
    assert store.engine.pool._pre_ping  # a connection broken by a database restart is replaced
