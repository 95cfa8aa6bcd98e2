"""Messages outside the forms: questions in between, corrections after the plan, short answers,
English, the fallback and the summary. A message that does not fit starts the interview."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.asks import begin, has_spoken, restart_events
from actions.interview import turn_of
from actions.plan import answer_text, has_interview, summary_text
from conversation import interview, kb, texts as T
from conversation.answers import absorb, corrections, cut, say_noted, text_of
from conversation.state import summary_slots

# What the officer can do, for the buttons of the fallback (intent -> button title).
INTENT_TITLES = {
    "greet": "Een plan maken",
    "help": "Uitleg over de Preventiewijzer",
    "ask_about": "Een vraag over een begrip",
    "request_summary": "Het verslag",
    "inform": "Iets aanvullen",
    "next_step": "Verder met het plan",
    "goodbye": "Stoppen",
    "thank": "Bedanken",
}


class ActionAnswerQuestion(Action):
    """Answer a question in between from the knowledge base."""

    def name(self) -> Text:
        return "action_answer_question"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        question = cut(dispatcher, text_of((tracker.latest_message or {}).get("text")))
        answer = answer_text(question)
        dispatcher.utter_message(text=answer if answer is not None else T.NO_ANSWER)
        return []


class ActionCorrect(Action):
    """New or corrected information after the interview (or outside it): update the answers.

    The interview form runs next; when every question is answered it ends at once and the
    plan is made again with the new information.
    """

    def name(self) -> Text:
        return "action_correct"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        text = cut(dispatcher, text_of((tracker.latest_message or {}).get("text")))
        turn = turn_of(tracker, text)
        pending = interview.confirm_or_restart(turn, dispatcher) if turn.slots.get("confirm") else None
        if pending is not None and "previous_interviews" in pending:
            return [SlotSet(k, v) for k, v in pending.items()]
        updates = corrections(turn, None)
        said = updates.pop("_said", "")
        extra = absorb(turn, None)
        extra = {k: v for k, v in extra.items() if k not in updates}
        if not has_interview(turn.slots) and not turn.slots.get("requested_slot"):
            if not has_spoken(tracker):
                dispatcher.utter_message(response="utter_greet")
            dispatcher.utter_message(response="utter_explain")  # the conversation starts with a signal
        if said:
            dispatcher.utter_message(text=said)
        say_noted(dispatcher, extra)
        if not updates and not extra and has_interview(turn.slots):
            dispatcher.utter_message(text=T.NOTHING_TO_CHANGE)
        return [SlotSet(k, v) for k, v in {**extra, **updates, **(pending or {})}.items()]


class ActionShortAnswer(Action):
    """"ja", "nee" or "weet ik niet" outside the forms: the answer to "opnieuw beginnen?", or the
    start of the interview when there is none yet."""

    def name(self) -> Text:
        return "action_short_answer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        slots = tracker.current_slot_values()
        if slots.get("confirm"):
            turn = turn_of(tracker, text_of((tracker.latest_message or {}).get("text")))
            return restart_events(interview.confirm_or_restart(turn, dispatcher) or {})
        if not has_interview(slots):
            return begin(dispatcher, tracker)
        dispatcher.utter_message(text=T.AFTER_PLAN)
        return []


class ActionEnglish(Action):
    """English: a polite Dutch answer; with no interview yet, the interview begins."""

    def name(self) -> Text:
        return "action_english"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        dispatcher.utter_message(text=T.ENGLISH_REPLY)
        if has_interview(tracker.current_slot_values()):
            return []
        return [FollowupAction("interview_form")]


class ActionFallback(Action):
    """Not understood outside the forms: with no interview yet, a message with content starts it;
    otherwise offer the likely meanings as buttons, the second time what I can do."""

    def name(self) -> Text:
        return "action_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        slots = tracker.current_slot_values()
        turn = turn_of(tracker, text_of((tracker.latest_message or {}).get("text")))
        if not has_interview(slots) and absorb(turn, None):
            return begin(dispatcher, tracker)
        users = [e for e in tracker.events if e.get("event") == "user"]
        again = len(users) >= 2 and ((users[-2].get("parse_data") or {}).get("intent") or {}).get("name") == "nlu_fallback"
        if not again:
            ranking = (tracker.latest_message or {}).get("intent_ranking") or []
            likely = [r["name"] for r in ranking if r.get("name") in INTENT_TITLES][:3]
            buttons = [{"title": INTENT_TITLES[i], "payload": f"/{i}"} for i in likely]
            dispatcher.utter_message(text=T.DID_YOU_MEAN, buttons=buttons)
        else:
            dispatcher.utter_message(
                text=T.STILL_NOT_UNDERSTOOD,
                buttons=[{"title": INTENT_TITLES[i], "payload": f"/{i}"} for i in ("greet", "ask_about", "request_summary", "help")],
            )
        return []


def show_summary(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    slots = summary_slots(tracker.current_slot_values())
    if not slots.get("municipality") and slots.get("signal_substances") is None and not slots.get("previous_interviews"):
        dispatcher.utter_message(text=T.NOTHING_TO_SUMMARIZE)
        return
    dispatcher.utter_message(text=summary_text(slots, tracker.sender_id))
    if tracker.get_latest_input_channel() == "slack":
        # In Slack the Word file itself is uploaded into the thread (bot/channels/slack.py).
        dispatcher.utter_message(json_message={"file": summary_file(slots, tracker.sender_id)})


class ActionShowSummary(Action):
    def name(self) -> Text:
        return "action_show_summary"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        show_summary(dispatcher, tracker)
        return []


def summary_file(slots: Dict[str, Any], conversation_id: str) -> Dict[str, str]:
    """The summary as a Word file, for channels that take files."""
    import base64

    from bot.export import export_filename, render
    from bot.summary import build_summary

    summary = build_summary(slots, kb.catalog(), conversation_id=conversation_id, engine=kb.engine())
    return {
        "filename": export_filename(summary, "docx"),
        "title": f"Preventieplan {summary.municipality or ''}".strip(),
        "content_base64": base64.b64encode(render(summary, "docx")).decode("ascii"),
    }
