"""The interview form's validation: a thin adapter around ``conversation.interview``.

Every form slot is filled with the officer's text (``from_text``, for every intent): the
conversation logic reads it first and decides what it means, so no step rests on the intent
classifier alone.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from conversation import interview
from conversation.answers import Turn, absorb, cut, say_noted, text_of
from conversation.state import FORM_SLOTS


def turn_of(tracker: Tracker, text: str) -> Turn:
    message = tracker.latest_message or {}
    entities: Dict[str, List[str]] = {}
    for entity in message.get("entities") or []:
        entities.setdefault(entity.get("entity"), []).append(str(entity.get("value")))
    return Turn(text, (message.get("intent") or {}).get("name"), entities, dict(tracker.current_slot_values()),
                tracker.sender_id)


def say_summary(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    from actions.questions import show_summary

    show_summary(dispatcher, tracker)


class ValidateInterviewForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_interview_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        events = await super().run(dispatcher, tracker, domain)
        validated = {e["name"] for e in events if e.get("event") == "slot"}
        if validated & set(FORM_SLOTS):
            return events
        # No answer to a question in this message (e.g. the first message that started the
        # form): keep what it tells us anyway.
        text = text_of((tracker.latest_message or {}).get("text"))
        if not text or tracker.get_slot("requested_slot"):
            return events
        turn = turn_of(tracker, cut(dispatcher, text))
        updates = absorb(turn, None)
        if updates:
            say_noted(dispatcher, updates)
            events.extend(SlotSet(k, v) for k, v in updates.items())
        return events

    async def answer(self, slot: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker) -> Dict[Text, Any]:
        if value is None:
            return {}  # cleared by an action (e.g. a new signal), not said by the officer
        turn = turn_of(tracker, cut(dispatcher, text_of(value)))
        updates = interview.answer(slot, turn, dispatcher)
        if updates.pop("_summary", False):
            say_summary(dispatcher, tracker)
        return updates

    async def validate_municipality(self, value, dispatcher, tracker, domain):
        return await self.answer("municipality", value, dispatcher, tracker)

    async def validate_role(self, value, dispatcher, tracker, domain):
        return await self.answer("role", value, dispatcher, tracker)

    async def validate_reason(self, value, dispatcher, tracker, domain):
        return await self.answer("reason", value, dispatcher, tracker)

    async def validate_signal_substances(self, value, dispatcher, tracker, domain):
        return await self.answer("signal_substances", value, dispatcher, tracker)

    async def validate_signal_settings(self, value, dispatcher, tracker, domain):
        return await self.answer("signal_settings", value, dispatcher, tracker)

    async def validate_signal_reporters(self, value, dispatcher, tracker, domain):
        return await self.answer("signal_reporters", value, dispatcher, tracker)

    async def validate_signal_trend(self, value, dispatcher, tracker, domain):
        return await self.answer("signal_trend", value, dispatcher, tracker)

    async def validate_more_signals(self, value, dispatcher, tracker, domain):
        return await self.answer("more_signals", value, dispatcher, tracker)

    async def validate_groups(self, value, dispatcher, tracker, domain):
        return await self.answer("groups", value, dispatcher, tracker)

    async def validate_partners_present(self, value, dispatcher, tracker, domain):
        return await self.answer("partners_present", value, dispatcher, tracker)

    async def validate_policy(self, value, dispatcher, tracker, domain):
        return await self.answer("policy", value, dispatcher, tracker)

    async def validate_capacity(self, value, dispatcher, tracker, domain):
        return await self.answer("capacity", value, dispatcher, tracker)
