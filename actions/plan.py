"""Propose the plan and summarise the conversation."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import kb
from actions.render import plan_messages, summary_message
from actions.state import interview_state


class ActionProposePlan(Action):
    def name(self) -> Text:
        return "action_propose_plan"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        plan = kb.engine().make_plan(interview_state(tracker))
        for message in plan_messages(kb.catalog(), plan):
            dispatcher.utter_message(text=message)
        chosen = {step.id: [o.intervention.id for o in step.options] for step in plan.steps}
        return [SlotSet("plan", chosen)]


class ActionShowSummary(Action):
    def name(self) -> Text:
        return "action_show_summary"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        plan = kb.engine().make_plan(interview_state(tracker))
        dispatcher.utter_message(text=summary_message(kb.catalog(), plan))
        return []
