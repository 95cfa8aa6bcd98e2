"""Run actions as the action server does: a tracker in, events and messages out."""
import asyncio

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from conversation.state import FORM_SLOTS, PLAN_FORM_SLOTS

DOMAIN = {"forms": {"interview_form": {"required_slots": list(FORM_SLOTS)},
                    "plan_form": {"required_slots": list(PLAN_FORM_SLOTS)}}}

FILLED = {
    "municipality": "Aalten",
    "role": "gezondheid",
    "reason": "signaal",
    "signal_substances": ["3mmc"],
    "signal_settings": ["uitgaan"],
    "signal_reporters": ["jongerenwerk", "horeca"],
    "signal_trend": "neemt toe",
    "more_signals": "nee",
    "groups": ["uitgaanspubliek"],
    "partners_present": ["jongerenwerk"],
    "policy": "",
    "capacity": "gemiddeld",
}


def tracker(slots=None, text="", intent="inform", requested=None, entities=None, loop=None, events=None):
    slots = dict(slots or {})
    if requested:
        slots["requested_slot"] = requested
    return Tracker(
        sender_id="test",
        slots=slots,
        latest_message={"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": entities or [],
                        "intent_ranking": [{"name": intent, "confidence": 1.0}]},
        events=events or [],
        paused=False,
        followup_action=None,
        active_loop={"name": loop or ("interview_form" if requested else None)} if (loop or requested) else {},
        latest_action_name="action_listen",
    )


def run(action, trk):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, trk, DOMAIN))
    return events, dispatcher.messages


def slot_values(events):
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def texts(messages):
    return "\n".join(m.get("text") or "" for m in messages)


def answer(slot, value, slots=None, intent="inform", entities=None):
    """Run the interview form's validation for one answer; returns (slot values, messages)."""
    from actions.interview import ValidateInterviewForm

    trk = tracker({**(slots or {}), slot: value}, text=value, intent=intent, requested=slot, entities=entities)
    trk.events = [{"event": "slot", "name": slot, "value": value}]
    events, messages = run(ValidateInterviewForm(), trk)
    return slot_values(events), messages


def feedback(text, slots, intent, entities=None):
    """Run the plan form's validation for one message; returns (slot values, messages)."""
    from actions.plan import ValidatePlanForm

    slots = {**slots, "plan_feedback": text}
    trk = tracker(slots, text=text, intent=intent, requested="plan_feedback", entities=entities, loop="plan_form")
    trk.events = [{"event": "slot", "name": "plan_feedback", "value": text}]
    events, messages = run(ValidatePlanForm(), trk)
    return slot_values(events), messages
