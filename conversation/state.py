"""Read the interview from the conversation's slots into the plan engine's input.

Works on a plain mapping of slot names to values (``tracker.current_slot_values()`` in an
action, or the slots of a stored tracker in the export), so it needs no Rasa imports.

The slot contract (see domain.yml):
- ``municipality`` str; ``role`` and ``reason`` str ids or None
- ``signals``: earlier signals, a list of dicts with keys substances, settings, reporters,
  trend, description; the signal being asked about now lives in ``signal_substances``,
  ``signal_settings``, ``signal_reporters``, ``signal_trend`` and ``signal_text``
- ``groups``, ``partners_present``: lists of ids (reporters may also hold free text)
- ``policy``, ``capacity``: the officer's own words ("" when there is none)
- ``rejected``, ``rejected_types``: what the officer said does not fit
- ``pinned``: {step id: [intervention ids]} the officer added to a step
- ``plan_choices``: {step id: [intervention ids] agreed, or "skipped"}
- ``plan_position``: index of the plan step being discussed
- ``notes``: what the officer said that was not understood, in their own words
  ([{question, text}]); ``previous_interviews``: interviews abandoned by starting over
- ``groups_mentioned``: groups the officer named (they decide the plan); ``groups_offered``:
  groups offered as additions at the group question
"""
from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Union

from knowledge.plan import InterviewState, Signal

SKIPPED = "skipped"

# The interview form's questions, in order (domain.yml lists the same; a test checks it).
FORM_SLOTS = (
    "municipality", "role", "reason", "signal_substances", "signal_settings", "signal_reporters",
    "signal_trend", "more_signals", "groups", "partners_present", "policy", "capacity",
)
# The plan form's one question: the officer's reply to the step on screen.
PLAN_FORM_SLOTS = ("plan_feedback",)
# Every other slot of domain.yml: written by the actions only (custom mappings). The contract
# above describes those the plan and the summary read; the rest is the interview's bookkeeping.
STATE_SLOTS = (
    "signal_text", "signals", "groups_mentioned", "groups_suggested", "groups_offered", "notes",
    "previous_interviews", "rejected", "rejected_types", "pinned", "plan_choices", "plan_position",
    # bookkeeping: a municipality to confirm, a pending yes/no question, misunderstood answers in
    # a row, the plan step already on screen
    "municipality_suggestion", "municipality_candidates", "confirm", "misses", "plan_shown",
)
# Slots that a new interview does not clear.
KEPT_ON_RESTART = frozenset({"requested_slot", "previous_interviews", "session_started_metadata"})


def as_list(value: Any) -> List[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return [str(value)]


def signal_from_dict(data: Mapping[str, Any]) -> Signal:
    return Signal(
        substances=as_list(data.get("substances")),
        settings=as_list(data.get("settings")),
        reporters=as_list(data.get("reporters")),
        description=str(data.get("description") or ""),
        trend=data.get("trend") or None,
    )


def current_signal(slots: Mapping[str, Any]) -> Optional[Dict[str, Any]]:
    """The signal being asked about now, as a dict; None when nothing of it is known yet."""
    if slots.get("signal_substances") is None:
        return None
    return {
        "substances": as_list(slots.get("signal_substances")),
        "settings": as_list(slots.get("signal_settings")),
        "reporters": as_list(slots.get("signal_reporters")),
        "trend": slots.get("signal_trend") or None,
        "description": str(slots.get("signal_text") or ""),
    }


def signals(slots: Mapping[str, Any]) -> List[Dict[str, Any]]:
    """All signals of the conversation: the earlier ones, then the current one."""
    out = [dict(s) for s in (slots.get("signals") or []) if isinstance(s, Mapping)]
    current = current_signal(slots)
    if current is not None:
        out.append(current)
    return out


def interview_state(slots: Union[Mapping[str, Any], Any]) -> InterviewState:
    """The plan engine's input from the slots (a mapping, or a tracker with ``current_slot_values``)."""
    if not isinstance(slots, Mapping):
        slots = slots.current_slot_values()
    pinned = slots.get("pinned") or {}
    return InterviewState(
        municipality=slots.get("municipality"),
        signals=[signal_from_dict(s) for s in signals(slots)],
        groups=as_list(slots.get("groups")),
        partners_present=as_list(slots.get("partners_present")),
        policy=slots.get("policy") or None,
        capacity=slots.get("capacity") or None,
        rejected=as_list(slots.get("rejected")),
        rejected_types=as_list(slots.get("rejected_types")),
        pinned={str(k): as_list(v) for k, v in pinned.items()} if isinstance(pinned, Mapping) else {},
    )


def plan_choices(slots: Mapping[str, Any]) -> Dict[str, Union[List[str], str]]:
    """What the officer agreed per step: a list of intervention ids, or SKIPPED."""
    raw = slots.get("plan_choices") or {}
    if not isinstance(raw, Mapping):
        return {}
    return {str(k): (SKIPPED if v == SKIPPED else as_list(v)) for k, v in raw.items()}


def summary_slots(slots: Mapping[str, Any]) -> Dict[str, Any]:
    """The slots to summarise: the current interview, or, when the officer started over and the new
    one has no answers yet, the last abandoned interview (kept in ``previous_interviews``)."""
    values = dict(slots)
    previous = values.get("previous_interviews") or []
    if previous and values.get("municipality") is None and values.get("signal_substances") is None:
        values = {**values, **previous[-1]}
    return values
