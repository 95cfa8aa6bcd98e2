"""Conversation summaries from Rasa trackers.

- ``tracker_slots`` / ``summary_for_tracker``: a summary from a tracker (duck-typed).
- ``load_tracker``: read a tracker from the tracker store of an endpoints file (command line), and
  ``export_conversation`` to write its summary to a file.

Rasa is imported only where it is needed.
"""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any, Dict, Iterable, Mapping, Optional

from bot.export import PROJECT_DIR, ExportError, check_format, export_filename, render
from bot.summary import Summary, build_summary, clean_text
from conversation.state import summary_slots

_RESETS = {"restart", "session_started", "reset_slots"}


def replay_slots(events: Iterable[Mapping[str, Any]]) -> Dict[str, Any]:
    """Slot values from serialised events (for slots the tracker's domain does not know yet)."""
    values: Dict[str, Any] = {}
    for event in events:
        kind = event.get("event")
        if kind == "slot" and event.get("name"):
            values[str(event["name"])] = event.get("value")
        elif kind in _RESETS:
            values = {}
    return values


def tracker_slots(tracker: Any) -> Dict[str, Any]:
    """Slot values of a tracker; slots missing from its domain are read from the events.

    When the officer started over and the new interview has no answers yet, the last abandoned
    interview is the one to export (it is kept in ``previous_interviews``)."""
    values = dict(tracker.current_slot_values())
    for key, value in replay_slots(e.as_dict() for e in tracker.events).items():
        values.setdefault(key, value)
    return summary_slots(values)


def conversation_date(tracker: Any) -> dt.date:
    """The day of the conversation's last event (today when there are none)."""
    stamps = [s for s in (getattr(e, "timestamp", None) for e in tracker.events) if s]
    return dt.date.fromtimestamp(max(stamps)) if stamps else dt.date.today()


def has_conversation(tracker: Any) -> bool:
    """Whether the tracker holds more than Rasa's own start (a user message or a slot)."""
    return any(getattr(e, "type_name", "") in ("user", "slot") for e in tracker.events)


def summary_for_tracker(tracker: Any, catalog=None) -> Summary:
    if catalog is None:
        from knowledge.store import default_knowledge_base

        catalog = default_knowledge_base().catalog()
    return build_summary(tracker_slots(tracker), catalog, conversation_id=tracker.sender_id,
                         date=conversation_date(tracker))


def _sqlite_path(config: Any) -> Optional[Path]:
    kwargs = getattr(config, "kwargs", {}) or {}
    store_type = str(getattr(config, "type", "") or kwargs.get("type", "") or "").lower()
    dialect = str(kwargs.get("dialect", "sqlite")).lower()
    if store_type not in ("sql",) or dialect != "sqlite":
        return None
    db = str(kwargs.get("db", "rasa.db"))
    return None if db in ("", ":memory:") else Path(db)


def load_tracker(conversation_id: str, endpoints: Path, domain_path: Path = PROJECT_DIR / "domain.yml"):
    """The full tracker of one conversation from the tracker store in ``endpoints``."""
    import logging
    import warnings

    for name in ("rasa", "sqlalchemy", "asyncio"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    with warnings.catch_warnings():
        # Rasa 3.6 and its dependencies warn a lot on import and change the filters themselves.
        warnings.simplefilter("ignore")
        warnings.showwarning = lambda *args, **kwargs: None
        return _load_tracker(conversation_id, Path(endpoints), Path(domain_path))


def _load_tracker(conversation_id: str, endpoints: Path, domain_path: Path):
    import asyncio

    from rasa.core.tracker_store import TrackerStore
    from rasa.core.utils import AvailableEndpoints
    from rasa.shared.core.domain import Domain
    from rasa.shared.exceptions import RasaException

    if not endpoints.is_file():
        raise ExportError(f"endpoints file not found: {endpoints}")
    config = AvailableEndpoints.read_endpoints(str(endpoints)).tracker_store
    if config is None:
        raise ExportError(f"{endpoints} configures no tracker store, so no conversation is kept")
    sqlite = _sqlite_path(config)
    if sqlite is not None:
        if not sqlite.is_absolute():
            # Rasa resolves it from its working folder: the project folder when started by `bot run`.
            here = Path.cwd() / sqlite
            sqlite = here if here.is_file() else PROJECT_DIR / sqlite
        if not sqlite.is_file():
            raise ExportError(f"no tracker store at {sqlite}: no conversation has been kept there yet")
        config.kwargs["db"] = str(sqlite)
    try:
        domain = Domain.load(str(domain_path))
        store = TrackerStore.create(config, domain=domain)
        tracker = asyncio.run(store.retrieve_full_tracker(conversation_id))
    except (RasaException, OSError) as err:
        raise ExportError(f"cannot read the tracker store: {str(err).splitlines()[0]}") from None
    if tracker is None or not has_conversation(tracker):
        raise ExportError(f"no conversation '{conversation_id}' in the tracker store")
    return tracker


def export_conversation(conversation_id: str, fmt: str = "docx", out: Optional[Path] = None,
                        endpoints: Optional[Path] = None) -> Path:
    """Write the summary of a stored conversation to a file; returns its path (command line)."""
    fmt = check_format(fmt)
    tracker = load_tracker(conversation_id, endpoints or PROJECT_DIR / "endpoints.yml")
    summary = summary_for_tracker(tracker)
    path = Path(out) if out else Path.cwd() / export_filename(summary, fmt)
    data = render(summary, fmt)
    try:
        path.write_bytes(data)
    except OSError as err:
        raise ExportError(f"cannot write {path}: {err.strerror}") from None
    return path


def clean_id(conversation_id: str) -> str:
    """A conversation id fit to show in an error message."""
    return clean_text(conversation_id, 80)
