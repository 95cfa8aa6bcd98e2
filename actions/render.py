"""Render plans, steps and summaries as short Dutch chat messages."""
from __future__ import annotations

import datetime as dt
import json
from typing import Dict, List, Mapping, Optional, Sequence, Union

from conversation import texts as T
from conversation.answers import display_names
from conversation.state import SKIPPED
from knowledge.catalog import Catalog, Intervention
from knowledge.evidence import validity_note
from knowledge.explain import Answer
from knowledge.plan import Option, Plan, PlanStep, and_list

__all__ = ["and_list", "names", "step_message", "step_buttons", "plan_intro", "recap_message", "why_message",
           "recognition_message", "option_buttons", "answer_message", "intervention_brief"]


names = display_names  # one helper for display names, shared with the conversation logic


def intent_payload(intent: str, intervention: Optional[str] = None) -> str:
    """A button payload that goes straight to an intent (no NLU guessing), e.g. /choose_option{...}."""
    if intervention is None:
        return f"/{intent}"
    return f"/{intent}" + json.dumps({"intervention": intervention})


def option_line(catalog: Catalog, number: int, option: Option) -> List[str]:
    lines = [f"{number}. {intervention_brief(catalog, option.intervention)}"]
    lines.append(f"   {option.why}")
    if option.partners_missing:
        lines.append(T.NOT_AT_TABLE.format(names=and_list(names(catalog, "partners", option.partners_missing))))
    return lines


def step_message(catalog: Catalog, plan: Plan, position: int) -> str:
    step = plan.steps[position]
    lines = [T.STEP_TITLE.format(number=position + 1, total=len(plan.steps), title=step.title)]
    for number, option in enumerate(step.options, start=1):
        lines.extend(option_line(catalog, number, option))
    lines.extend(step.notes)
    lines.append(T.STEP_QUESTION)
    return "\n".join(lines)


def step_buttons(position: int, step: PlanStep) -> List[Dict[str, str]]:
    intents = ["next_step"]
    if step.options:
        intents += ["ask_why", "ask_recognition", "ask_about", "reject_option"]
    intents += ["other_option", "skip_step"]
    if position > 0:
        intents.append("previous_step")
    return [{"title": T.STEP_BUTTONS[intent], "payload": intent_payload(intent)} for intent in intents]


def option_buttons(catalog: Catalog, intent: str, prefix: str, ids: Sequence[str]) -> List[Dict[str, str]]:
    return [{"title": f"{prefix}{catalog.interventions[i].name}", "payload": intent_payload(intent, i)} for i in ids]


def plan_intro(catalog: Catalog, plan: Plan) -> str:
    place = plan.state.municipality or T.YOUR_MUNICIPALITY
    pillars = and_list([catalog.label("pillars", p) for p in plan.pillars])
    return T.PLAN_INTRO.format(place=place, steps=len(plan.steps), pillars=pillars)


def asked_options(step: PlanStep, only: Sequence[str] = ()) -> list:
    """The options a question is about: those named in it, else all of the step."""
    named = [o for o in step.options if o.intervention.id in only]
    return named or list(step.options)


def why_message(catalog: Catalog, step: PlanStep, only: Sequence[str] = ()) -> str:
    if not step.options:
        return T.NOTHING_FITS + " ".join(step.notes)
    lines = []
    for option in asked_options(step, only):
        item = option.intervention
        fit = round(option.fit * 100)
        pillar = T.WHY_PILLAR.format(pillar=catalog.label("pillars", option.pillar)) if option.pillar else ""
        lines.append(T.WHY_LINE.format(name=item.name, why=option.why, pillar=pillar, fit=fit,
                                       recognition=catalog.recognition_label(item)))
    lines.append(T.WHY_HOW_CHOSEN)
    return "\n".join(lines)


def recognition_message(catalog: Catalog, step: PlanStep, only: Sequence[str] = (),
                        today: Optional[dt.date] = None) -> str:
    if not step.options:
        return T.NO_RECOGNITION
    lines = []
    for option in asked_options(step, only):
        item = option.intervention
        level = catalog.recognition_label(item)
        when = T.RECOGNISED_SINCE.format(date=f"{item.recognition.date:%d-%m-%Y}") if item.recognition.date else ""
        by = f" ({item.recognition.by})" if item.recognition.by else ""
        lines.append(T.RECOGNITION_LINE.format(name=item.name, level=level, when=when, by=by, source=item.sources[0]))
        lapse = validity_note(item.recognition, today or dt.date.today())
        if lapse:
            lines.append(f"  {lapse}")
        if item.evidence_note:
            lines.append(f"  {item.evidence_note}")
    lines.append(T.RECOGNITION_LEVELS_HINT)
    return "\n".join(lines)


def choice_names(catalog: Catalog, choice: Union[str, List[str], None]) -> str:
    if choice == SKIPPED:
        return T.CHOICE_SKIPPED
    if choice is None:
        return T.CHOICE_NOT_DISCUSSED
    found = [catalog.interventions[i].name for i in choice if i in catalog.interventions]
    return and_list(found) or T.CHOICE_NONE


def recap_message(catalog: Catalog, plan: Plan, choices: Mapping[str, Union[str, List[str]]]) -> str:
    lines = [T.RECAP_TITLE.format(place=plan.state.municipality or T.YOUR_MUNICIPALITY)]
    for number, step in enumerate(plan.steps, start=1):
        lines.append(f"{number}. {step.title}: {choice_names(catalog, choices.get(step.id))}")
    if plan.partners_missing:
        lines.append(T.RECAP_INVITE)
        for partner_id in plan.partners_missing:
            why = plan.partner_reasons.get(partner_id)
            lines.append(f"• {names(catalog, 'partners', [partner_id])[0]}" + (f" ({why})" if why else ""))
    return "\n".join(lines)


def answer_message(answer: Answer, source_label: str = T.SOURCE) -> str:
    """An answer from the knowledge base as one chat message, with its first source."""
    source = f" {source_label}: {answer.sources[0]}" if answer.sources else ""
    return f"{answer.title}: {answer.text}{source}"


def intervention_brief(catalog: Catalog, item: Intervention) -> str:
    return T.INTERVENTION_BRIEF.format(name=item.name, type=catalog.label("intervention_types", item.type),
                                       recognition=catalog.recognition_label(item))
