"""The plan, step by step: propose it, walk through it with the officer, recap what was agreed.

The walk-through is a form with one slot, ``plan_feedback``: every message of the officer
fills it, and the validator below acts on what they asked (volgende, waarom, andere optie, past
niet bij ons, terug, sla over, ...). The plan is computed again from the slots on every turn
(it takes well under a millisecond), so a correction or a rejection changes it at once.
"""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.interview import turn_of
from actions.render import (
    and_list,
    answer_message,
    intervention_brief,
    names,
    option_buttons,
    plan_intro,
    recap_message,
    recognition_message,
    step_buttons,
    step_message,
    why_message,
)
from conversation import interview, kb, texts as T
from conversation.answers import Turn, corrections, cut, looks_english, text_of
from conversation.interview import next_miss
from conversation.state import SKIPPED, interview_state, plan_choices
from knowledge.plan import Plan

DONE = "klaar"
RESTARTED = "opnieuw"
ALREADY = re.compile(r"\b(al|allang|reeds)\b")
HAVING = re.compile(r"\b(hebben|heeft|hadden|doen|doet|loopt|lopen|draait|draaien|gebruiken|bestaat)\b")
RESET: Dict[str, Any] = {
    "plan_position": 0,
    "plan_shown": None,
    "plan_choices": {},
    "plan_feedback": None,
}


def has_interview(slots: Dict[str, Any]) -> bool:
    """Whether there is an interview to make a plan from (the municipality may be "" when not given)."""
    return slots.get("municipality") is not None and (slots.get("signal_substances") is not None or bool(slots.get("signals")))


def make_plan(slots: Dict[str, Any]) -> Plan:
    return kb.engine().make_plan(interview_state(slots))


def position_of(slots: Dict[str, Any], plan: Plan) -> int:
    position = slots.get("plan_position") or 0
    return max(0, min(int(position), len(plan.steps) - 1))


class ActionProposePlan(Action):
    def name(self) -> Text:
        return "action_propose_plan"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        plan = make_plan(tracker.current_slot_values())
        dispatcher.utter_message(text=plan_intro(kb.catalog(), plan))
        return [SlotSet(k, v) for k, v in RESET.items()]


class ActionAskPlanFeedback(Action):
    """Show the current step, or only the buttons when the step is already on screen."""

    def name(self) -> Text:
        return "action_ask_plan_feedback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        slots = tracker.current_slot_values()
        if slots.get("confirm"):
            return []  # the question "opnieuw beginnen?" is on screen
        plan = make_plan(slots)
        position = position_of(slots, plan)
        step = plan.steps[position]
        if slots.get("plan_shown") == position:
            dispatcher.utter_message(text=T.PLAN_STEP_CHOICE, buttons=step_buttons(position, step))
        else:
            dispatcher.utter_message(text=step_message(kb.catalog(), plan, position), buttons=step_buttons(position, step))
        return [SlotSet("plan_shown", position)]


def named_interventions(turn: Turn) -> List[str]:
    known = kb.catalog().interventions
    ids = [v for v in turn.entities.get("intervention", []) if v in known]
    return ids or kb.parser().interventions(turn.text)


class ValidatePlanForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_plan_form"

    async def required_slots(self, domain_slots, dispatcher, tracker, domain) -> List[Text]:
        # Without an interview there is no plan to walk through: the form ends at once.
        return domain_slots if has_interview(tracker.current_slot_values()) else []

    async def validate_plan_feedback(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if value is None:
            return {}  # cleared by an action (a new plan, the plan opened again), not said by the officer
        turn = turn_of(tracker, cut(dispatcher, text_of(value)))
        restart = interview.confirm_or_restart(turn, dispatcher)
        if restart is not None:
            if "previous_interviews" in restart:
                return {**restart, "plan_feedback": RESTARTED}  # ends the plan form; the recap action starts anew
            if restart.get("confirm") == "start_over":
                text, buttons, _ = interview.question("plan_feedback", {"confirm": "start_over"})
                dispatcher.utter_message(text=text, buttons=buttons)
                return {"plan_feedback": None, "confirm": "start_over", "plan_shown": None}
            if turn.no or not turn.norm:
                return {"plan_feedback": None, **restart}
        plan = make_plan(turn.slots)
        position = position_of(turn.slots, plan)
        in_place = self.already_there(turn, plan)
        if in_place:
            return self.on_already_there(turn, in_place, dispatcher)
        handler = getattr(self, f"on_{turn.intent}", None) or self.on_unclear
        return handler(turn, plan, position, dispatcher)

    @staticmethod
    def already_there(turn: Turn, plan: Plan) -> List[str]:
        """Options of the plan the officer says they already have ("die monitor hebben we al")."""
        if turn.text.startswith("/") or not (ALREADY.search(turn.norm) and HAVING.search(turn.norm)):
            return []
        return [i for i in named_interventions(turn) if i in plan.option_ids()]

    def on_already_there(self, turn: Turn, in_place: List[str], dispatcher: CollectingDispatcher) -> Dict[str, Any]:
        catalog = kb.catalog()
        names_ = names(catalog, "interventions", in_place)
        policy = "; ".join(p for p in [turn.slots.get("policy") or "", *names_] if p)
        dispatcher.utter_message(text=T.ALREADY_HAVE.format(names=and_list(names_)))
        return {"policy": policy, "plan_feedback": None, "plan_shown": None, "misses": None}

    # -- moving through the steps -------------------------------------------------------

    def _move(self, turn: Turn, plan: Plan, position: int, choice: Any) -> Dict[str, Any]:
        choices = dict(plan_choices(turn.slots))
        choices[plan.steps[position].id] = choice
        if position + 1 >= len(plan.steps):
            return {"plan_feedback": DONE, "plan_choices": choices, "misses": None}
        return {"plan_feedback": None, "plan_choices": choices, "plan_position": position + 1, "misses": None}

    def on_next_step(self, turn, plan, position, dispatcher):
        return self._move(turn, plan, position, [o.intervention.id for o in plan.steps[position].options])

    on_affirm = on_next_step

    def on_skip_step(self, turn, plan, position, dispatcher):
        dispatcher.utter_message(text=T.SKIPPED_STEP)
        return self._move(turn, plan, position, SKIPPED)

    def on_previous_step(self, turn, plan, position, dispatcher):
        if position == 0:
            dispatcher.utter_message(text=T.FIRST_STEP)
            return {"plan_feedback": None}
        return {"plan_feedback": None, "plan_position": position - 1, "plan_shown": None}

    # -- questions about the step ---------------------------------------------------------

    def on_ask_why(self, turn, plan, position, dispatcher):
        dispatcher.utter_message(text=why_message(kb.catalog(), plan.steps[position], named_interventions(turn)))
        return {"plan_feedback": None}

    def on_ask_recognition(self, turn, plan, position, dispatcher):
        named = named_interventions(turn)
        dispatcher.utter_message(text=recognition_message(kb.catalog(), plan.steps[position], named))
        return {"plan_feedback": None}

    def on_ask_about(self, turn, plan, position, dispatcher):
        catalog = kb.catalog()
        named = named_interventions(turn)
        if named:
            about = kb.explainer().intervention(catalog.interventions[named[0]])
            dispatcher.utter_message(text=answer_message(about, "Meer info"))
            return {"plan_feedback": None}
        answer = kb.explainer().answer(turn.text) if not turn.text.startswith("/") else None
        if answer is not None:
            dispatcher.utter_message(text=answer_message(answer))
            return {"plan_feedback": None}
        options = plan.steps[position].options
        if not options:
            dispatcher.utter_message(text=T.STEP_EMPTY)
            return {"plan_feedback": None}
        first = kb.explainer().intervention(options[0].intervention)
        dispatcher.utter_message(
            text=answer_message(first, "Meer info"),
            buttons=option_buttons(catalog, "ask_about", "Meer over ", [o.intervention.id for o in options[1:]]),
        )
        return {"plan_feedback": None}

    # -- changing the step ----------------------------------------------------------------

    def on_other_option(self, turn, plan, position, dispatcher):
        catalog = kb.catalog()
        step = plan.steps[position]
        others = kb.engine().alternatives(plan, step.id)
        if not others:
            dispatcher.utter_message(text=T.NO_OTHER_OPTIONS + " ".join(step.notes).strip())
            return {"plan_feedback": None}
        lines = ["Dit zijn andere opties voor deze stap:"]
        for number, option in enumerate(others, start=1):
            lines.append(f"{number}. {intervention_brief(catalog, option.intervention)}")
            lines.append(f"   {option.why}")
        lines.append("Kies er een om toe te voegen. Wil je iets uit de stap weghalen? Zeg dan 'past niet bij ons'.")
        dispatcher.utter_message(
            text="\n".join(lines),
            buttons=option_buttons(catalog, "choose_option", "Neem ", [o.intervention.id for o in others]),
        )
        return {"plan_feedback": None}

    def on_choose_option(self, turn, plan, position, dispatcher):
        catalog = kb.catalog()
        step = plan.steps[position]
        mentioned = named_interventions(turn)
        named = [i for i in mentioned if i not in plan.option_ids()]
        if not named:
            if mentioned:
                dispatcher.utter_message(text=T.ALREADY_IN_PLAN)
                return {"plan_feedback": None}
            return self.on_other_option(turn, plan, position, dispatcher)
        pinned = {k: list(v) for k, v in (turn.slots.get("pinned") or {}).items()}
        pinned.setdefault(step.id, [])
        pinned[step.id] += [i for i in named if i not in pinned[step.id]]
        rejected = [i for i in (turn.slots.get("rejected") or []) if i not in named]
        dispatcher.utter_message(text=T.ADDED + and_list(names(catalog, "interventions", named)) + ".")
        return {"plan_feedback": None, "pinned": pinned, "rejected": rejected, "plan_shown": None}

    def on_reject_option(self, turn, plan, position, dispatcher):
        catalog = kb.catalog()
        step = plan.steps[position]
        in_step = [o.intervention.id for o in step.options]
        named = [i for i in named_interventions(turn) if i in plan.option_ids()]
        types = kb.parser().intervention_types(turn.text) if not turn.text.startswith("/") else []
        if not named and not types:
            if len(in_step) == 1:
                named = in_step
            elif in_step:
                dispatcher.utter_message(
                    text=T.WHICH_DOES_NOT_FIT,
                    buttons=option_buttons(catalog, "reject_option", "Niet: ", in_step),
                )
                return {"plan_feedback": None}
            else:
                dispatcher.utter_message(text=T.NOTHING_TO_DROP)
                return {"plan_feedback": None}
        rejected = list(turn.slots.get("rejected") or []) + [i for i in named if i not in (turn.slots.get("rejected") or [])]
        rejected_types = list(turn.slots.get("rejected_types") or []) + [t for t in types if t not in (turn.slots.get("rejected_types") or [])]
        pinned = {k: [i for i in v if i not in named] for k, v in (turn.slots.get("pinned") or {}).items()}
        gone = names(catalog, "interventions", named)
        gone += [f"alle opties van het type {catalog.label('intervention_types', t)}" for t in types]
        dispatcher.utter_message(text=T.DROPPED + and_list(gone) + ". Ik zoek wat er beter past.")
        return {"plan_feedback": None, "rejected": rejected, "rejected_types": rejected_types, "pinned": pinned, "plan_shown": None}

    # -- everything else ------------------------------------------------------------------

    def on_request_summary(self, turn, plan, position, dispatcher):
        dispatcher.utter_message(text=summary_text(turn.slots, turn.sender_id))
        return {"plan_feedback": None}

    def on_inform(self, turn, plan, position, dispatcher):
        fixed = corrections(turn, None)
        if fixed:
            dispatcher.utter_message(text=fixed.pop("_said") + " Ik heb het plan aangepast.")
            return {"plan_feedback": None, "plan_shown": None, **fixed}
        named = named_interventions(turn)
        if named:
            return self.on_ask_about(turn, plan, position, dispatcher)
        return self.on_unclear(turn, plan, position, dispatcher)

    def on_deny(self, turn, plan, position, dispatcher):
        dispatcher.utter_message(
            text=T.WHAT_DIFFERENT
        )
        return {"plan_feedback": None}

    def on_dont_know(self, turn, plan, position, dispatcher):
        dispatcher.utter_message(text=T.NO_PROBLEM)
        return {"plan_feedback": None}

    def on_greet(self, turn, plan, position, dispatcher):
        dispatcher.utter_message(text=T.BACK_AT_STEP)
        return {"plan_feedback": None, "plan_shown": None}

    def _reply(self, text: str, dispatcher) -> Dict[str, Any]:
        dispatcher.utter_message(text=text)
        return {"plan_feedback": None}

    def on_help(self, turn, plan, position, dispatcher):
        dispatcher.utter_message(response="utter_explain")
        return {"plan_feedback": None}

    def on_chitchat(self, turn, plan, position, dispatcher):
        return self._reply(T.CHITCHAT, dispatcher)

    def on_out_of_scope(self, turn, plan, position, dispatcher):
        return self._reply(T.OUT_OF_SCOPE, dispatcher)

    def on_thank(self, turn, plan, position, dispatcher):
        return self._reply(T.THANKS, dispatcher)

    def on_english(self, turn, plan, position, dispatcher):
        return self._reply(T.ENGLISH_REPLY, dispatcher)

    def on_goodbye(self, turn, plan, position, dispatcher):
        return self._reply(T.GOODBYE_DURING, dispatcher)

    def on_unclear(self, turn, plan, position, dispatcher):
        if looks_english(turn.text):
            dispatcher.utter_message(text=T.ENGLISH_REPLY)
            return {"plan_feedback": None}
        count = next_miss(turn.slots, "plan_feedback")
        if count == 1:
            dispatcher.utter_message(text=T.PLAN_NOT_UNDERSTOOD)
        else:
            dispatcher.utter_message(text=T.PLAN_STILL_NOT_UNDERSTOOD)
        return {"plan_feedback": None, "misses": {"slot": "plan_feedback", "count": count}}


class ActionPlanRecap(Action):
    def name(self) -> Text:
        return "action_plan_recap"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        slots = tracker.current_slot_values()
        if not has_interview(slots):
            # Started over during the plan (confirmed): the new interview begins.
            return [FollowupAction("interview_form")] if slots.get("previous_interviews") else []
        plan = make_plan(slots)
        dispatcher.utter_message(text=recap_message(kb.catalog(), plan, plan_choices(slots)))
        dispatcher.utter_message(text=T.AFTER_PLAN)
        return []


class ActionReopenPlan(Action):
    """A plan command after the walk-through: go back to the last step of the plan."""

    def name(self) -> Text:
        return "action_reopen_plan"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        slots = tracker.current_slot_values()
        if not has_interview(slots):
            # No interview yet ("verder" as a first answer, or after a greeting the NLU took for
            # goodbye): never a dead end, the interview begins.
            from actions.asks import begin

            dispatcher.utter_message(text=T.NO_PLAN_YET)
            return begin(dispatcher, tracker, greet=False)
        plan = make_plan(slots)
        dispatcher.utter_message(text=T.BACK_TO_PLAN)
        return [SlotSet("plan_feedback", None), SlotSet("plan_position", len(plan.steps) - 1), SlotSet("plan_shown", None)]


def summary_text(slots: Dict[str, Any], conversation_id: str) -> str:
    """The short summary for the chat, with signed download links (Word, PDF) that expire."""
    from bot.links import chat_summary

    return chat_summary(slots, conversation_id, kb.catalog(), kb.engine())


def answer_text(question: str) -> Optional[str]:
    answer = kb.explainer().answer(question)
    return None if answer is None else answer_message(answer)
