"""The interview questions: one ask action per slot, all written out (texts in conversation/texts.py).

Each calls ``conversation.interview.question``, which words a question asked again differently,
offers groups as additions with a reason, and asks the restart confirmation when one is pending.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, FollowupAction, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from conversation import interview, texts as T
from conversation.answers import absorb, cut, say_noted, text_of
from conversation.interview import Replies


def ask(slot: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
    text, buttons, updates = interview.question(slot, tracker.current_slot_values())
    dispatcher.utter_message(text=text, buttons=buttons)
    return [SlotSet(k, v) for k, v in updates.items()]


class ActionAskMunicipality(Action):
    def name(self) -> Text:
        return "action_ask_municipality"

    async def run(self, dispatcher, tracker, domain):
        return ask("municipality", dispatcher, tracker)


class ActionAskRole(Action):
    def name(self) -> Text:
        return "action_ask_role"

    async def run(self, dispatcher, tracker, domain):
        return ask("role", dispatcher, tracker)


class ActionAskReason(Action):
    def name(self) -> Text:
        return "action_ask_reason"

    async def run(self, dispatcher, tracker, domain):
        return ask("reason", dispatcher, tracker)


class ActionAskSignalSubstances(Action):
    def name(self) -> Text:
        return "action_ask_signal_substances"

    async def run(self, dispatcher, tracker, domain):
        return ask("signal_substances", dispatcher, tracker)


class ActionAskSignalSettings(Action):
    def name(self) -> Text:
        return "action_ask_signal_settings"

    async def run(self, dispatcher, tracker, domain):
        return ask("signal_settings", dispatcher, tracker)


class ActionAskSignalReporters(Action):
    def name(self) -> Text:
        return "action_ask_signal_reporters"

    async def run(self, dispatcher, tracker, domain):
        return ask("signal_reporters", dispatcher, tracker)


class ActionAskSignalTrend(Action):
    def name(self) -> Text:
        return "action_ask_signal_trend"

    async def run(self, dispatcher, tracker, domain):
        return ask("signal_trend", dispatcher, tracker)


class ActionAskMoreSignals(Action):
    def name(self) -> Text:
        return "action_ask_more_signals"

    async def run(self, dispatcher, tracker, domain):
        return ask("more_signals", dispatcher, tracker)


class ActionAskGroups(Action):
    def name(self) -> Text:
        return "action_ask_groups"

    async def run(self, dispatcher, tracker, domain):
        return ask("groups", dispatcher, tracker)


class ActionAskPartnersPresent(Action):
    def name(self) -> Text:
        return "action_ask_partners_present"

    async def run(self, dispatcher, tracker, domain):
        return ask("partners_present", dispatcher, tracker)


class ActionAskPolicy(Action):
    def name(self) -> Text:
        return "action_ask_policy"

    async def run(self, dispatcher, tracker, domain):
        return ask("policy", dispatcher, tracker)


class ActionAskCapacity(Action):
    def name(self) -> Text:
        return "action_ask_capacity"

    async def run(self, dispatcher, tracker, domain):
        return ask("capacity", dispatcher, tracker)


def has_spoken(tracker: Tracker) -> bool:
    """Whether the assistant said anything before this message (else it greets first)."""
    return any(e.get("event") == "bot" for e in tracker.events[:-1] if isinstance(e, dict))


def restart_events(updates: Dict[str, Any]) -> List[EventType]:
    """Slot updates of a (confirmed) restart as events; a new interview then begins."""
    events: List[EventType] = [SlotSet(k, v) for k, v in updates.items()]
    if "previous_interviews" in updates:
        events.append(FollowupAction("interview_form"))
    return events


def begin(dispatcher: CollectingDispatcher, tracker: Tracker, greet: bool = True) -> List[EventType]:
    """Start the interview from a message outside it: keep what it says, then ask the questions."""
    slots = tracker.current_slot_values()
    events: List[EventType] = []
    if greet and not slots.get("municipality") and not has_spoken(tracker):
        dispatcher.utter_message(response="utter_greet")
        dispatcher.utter_message(response="utter_explain")
    text = text_of((tracker.latest_message or {}).get("text"))
    if text and not text.startswith("/"):
        from actions.interview import turn_of

        updates = absorb(turn_of(tracker, cut(dispatcher, text)), None)
        say_noted(dispatcher, updates)
        events += [SlotSet(k, v) for k, v in updates.items()]
    return events + [FollowupAction("interview_form")]


class ActionStartOver(Action):
    """Start over, only when asked in words and confirmed; the old interview is kept.

    Outside the forms a message the NLU took for "start over" that does not say so ("er is een
    signaal") starts or continues the interview instead."""

    def name(self) -> Text:
        return "action_start_over"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        from actions.interview import turn_of

        text = text_of((tracker.latest_message or {}).get("text"))
        turn = turn_of(tracker, text)
        replies = Replies()
        updates = interview.confirm_or_restart(turn, replies)
        if updates is None:
            return begin(dispatcher, tracker)
        for message in replies.messages:
            dispatcher.utter_message(text=message["text"])
        if updates.get("confirm") == "start_over":
            text, buttons, _ = interview.question("municipality", {"confirm": "start_over"})
            dispatcher.utter_message(text=text, buttons=buttons)
            return [SlotSet("confirm", "start_over")]
        return restart_events(updates)


def plan_steps(slots: Dict[str, Any]) -> int:
    """The number of steps of the officer's plan (0 before the interview has what a plan needs)."""
    from actions.plan import has_interview, make_plan

    return len(make_plan(slots).steps) if has_interview(slots) else 0


class ActionSessionStart(Action):
    """A new session (the officer comes back after the session expired, see domain.yml
    session_config): the slots carry over, and an interview under way is named with a choice to
    go on or start again ("Vorige keer waren we bij stap 3 voor Deventer. ...")."""

    def name(self) -> Text:
        return "action_session_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        events: List[EventType] = [SessionStarted()]
        carry_over = (domain.get("session_config") or {}).get("carry_over_slots_to_new_session", True)
        # The answers carry over; the question on screen does not (a form asks it again).
        slots = {k: v for k, v in tracker.current_slot_values().items()
                 if v is not None and k not in ("requested_slot", "session_started_metadata")} if carry_over else {}
        events += [SlotSet(k, v) for k, v in slots.items()]
        message = interview.where_we_were(slots, plan_steps(slots)) if slots else None
        if message:
            dispatcher.utter_message(text=message, buttons=[
                interview.button(T.GO_ON_BUTTON, "/greet"),
                interview.button(T.START_OVER_BUTTON, "/start_over"),
            ])
        events.append(ActionExecuted("action_listen"))
        return events


class ActionGreet(Action):
    """A greeting outside the forms: the introduction for a new officer; for one who comes back,
    the interview goes on at the question or plan step where it stopped."""

    def name(self) -> Text:
        return "action_greet"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        slots = tracker.current_slot_values()
        stage, _ = interview.progress(slots, plan_steps(slots))
        if stage == interview.NOT_STARTED:
            dispatcher.utter_message(response="utter_greet")
            dispatcher.utter_message(response="utter_explain")
            return []  # the rule goes on with the interview form
        dispatcher.utter_message(text=T.WELCOME_AGAIN)
        if stage == interview.IN_PLAN:
            return [SlotSet("plan_shown", None), FollowupAction("plan_form")]
        if stage == interview.PLAN_DONE:
            return [FollowupAction("action_plan_recap")]
        return []
