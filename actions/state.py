"""Read the interview from the tracker's slots into the plan engine's input."""
from __future__ import annotations

from typing import Any, List

from rasa_sdk import Tracker

from knowledge.plan import InterviewState, Signal


def as_list(value: Any) -> List[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return [str(value)]


def interview_state(tracker: Tracker) -> InterviewState:
    signal = Signal(
        substances=as_list(tracker.get_slot("signal_substances")),
        settings=as_list(tracker.get_slot("signal_settings")),
        reporters=as_list(tracker.get_slot("signal_reporters")),
        description=tracker.get_slot("signal_text") or "",
    )
    return InterviewState(
        municipality=tracker.get_slot("municipality"),
        signals=[signal],
        groups=as_list(tracker.get_slot("groups")),
        partners_present=as_list(tracker.get_slot("partners_present")),
    )
