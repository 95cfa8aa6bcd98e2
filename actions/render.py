"""Render plans, steps and summaries as short Dutch chat messages."""
from __future__ import annotations

import json
from typing import Dict, List, Mapping, Optional, Sequence, Union

from conversation.answers import display_names
from conversation.state import SKIPPED
from knowledge.catalog import Catalog, Intervention
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
        lines.append("   Nog niet aan tafel: " + and_list(names(catalog, "partners", option.partners_missing)) + ".")
    return lines


def step_message(catalog: Catalog, plan: Plan, position: int) -> str:
    step = plan.steps[position]
    lines = [f"Stap {position + 1} van {len(plan.steps)}: {step.title}"]
    for number, option in enumerate(step.options, start=1):
        lines.extend(option_line(catalog, number, option))
    lines.extend(step.notes)
    lines.append("Wat vind je ervan? Zeg 'volgende' als het goed is.")
    return "\n".join(lines)


def step_buttons(position: int, step: PlanStep) -> List[Dict[str, str]]:
    out = [{"title": "Volgende", "payload": intent_payload("next_step")}]
    if step.options:
        out += [
            {"title": "Waarom?", "payload": intent_payload("ask_why")},
            {"title": "Hoe erkend?", "payload": intent_payload("ask_recognition")},
            {"title": "Vertel meer", "payload": intent_payload("ask_about")},
            {"title": "Past niet bij ons", "payload": intent_payload("reject_option")},
        ]
    out.append({"title": "Andere optie", "payload": intent_payload("other_option")})
    out.append({"title": "Sla over", "payload": intent_payload("skip_step")})
    if position > 0:
        out.append({"title": "Terug", "payload": intent_payload("previous_step")})
    return out


def option_buttons(catalog: Catalog, intent: str, prefix: str, ids: Sequence[str]) -> List[Dict[str, str]]:
    return [{"title": f"{prefix}{catalog.interventions[i].name}", "payload": intent_payload(intent, i)} for i in ids]


def plan_intro(catalog: Catalog, plan: Plan) -> str:
    place = plan.state.municipality or "je gemeente"
    pillars = and_list([catalog.label("pillars", p) for p in plan.pillars])
    return (
        f"Dit is mijn voorstel voor {place}. Het plan heeft {len(plan.steps)} stappen. Het werkt aan {pillars}. "
        "We lopen de stappen één voor één door. Per stap kun je vragen waarom, om een andere optie vragen, "
        "of zeggen dat iets niet bij jullie past."
    )


def asked_options(step: PlanStep, only: Sequence[str] = ()) -> list:
    """The options a question is about: those named in it, else all of the step."""
    named = [o for o in step.options if o.intervention.id in only]
    return named or list(step.options)


def why_message(catalog: Catalog, step: PlanStep, only: Sequence[str] = ()) -> str:
    if not step.options:
        return "Voor deze stap vond ik niets wat goed past. " + " ".join(step.notes)
    lines = []
    for option in asked_options(step, only):
        item = option.intervention
        fit = round(option.fit * 100)
        pillar = f" Het hoort bij de pijler {catalog.label('pillars', option.pillar)}." if option.pillar else ""
        lines.append(
            f"• {item.name}: {option.why}{pillar} Past voor {fit}% bij je situatie; "
            f"erkenning: {catalog.recognition_label(item)}."
        )
    lines.append("Ik kies eerst op hoe goed iets past bij middel, groep en plek, en daarna op het bewijs dat het werkt.")
    return "\n".join(lines)


def recognition_message(catalog: Catalog, step: PlanStep, only: Sequence[str] = ()) -> str:
    if not step.options:
        return "In deze stap staat geen interventie, dus er is ook geen erkenning."
    lines = []
    for option in asked_options(step, only):
        item = option.intervention
        level = catalog.recognition_label(item)
        when = f", sinds {item.recognition.date:%d-%m-%Y}" if item.recognition.date else ""
        by = f" ({item.recognition.by})" if item.recognition.by else ""
        lines.append(f"• {item.name}: {level}{when}{by}. Bron: {item.sources[0]}")
        if item.evidence_note:
            lines.append(f"  {item.evidence_note}")
    lines.append("Vraag 'wat is erkenning?' als je wilt weten wat de niveaus betekenen.")
    return "\n".join(lines)


def choice_names(catalog: Catalog, choice: Union[str, List[str], None]) -> str:
    if choice == SKIPPED:
        return "overgeslagen"
    if choice is None:
        return "nog niet besproken"
    found = [catalog.interventions[i].name for i in choice if i in catalog.interventions]
    return and_list(found) or "geen interventie gekozen"


def recap_message(catalog: Catalog, plan: Plan, choices: Mapping[str, Union[str, List[str]]]) -> str:
    lines = [f"Dit is het plan dat we samen hebben gemaakt voor {plan.state.municipality or 'je gemeente'}:"]
    for number, step in enumerate(plan.steps, start=1):
        lines.append(f"{number}. {step.title}: {choice_names(catalog, choices.get(step.id))}")
    if plan.partners_missing:
        lines.append("Nog uitnodigen:")
        for partner_id in plan.partners_missing:
            why = plan.partner_reasons.get(partner_id)
            lines.append(f"• {names(catalog, 'partners', [partner_id])[0]}" + (f" ({why})" if why else ""))
    return "\n".join(lines)


def answer_message(answer: Answer, source_label: str = "Bron") -> str:
    """An answer from the knowledge base as one chat message, with its first source."""
    source = f" {source_label}: {answer.sources[0]}" if answer.sources else ""
    return f"{answer.title}: {answer.text}{source}"


def intervention_brief(catalog: Catalog, item: Intervention) -> str:
    return f"{item.name} ({catalog.label('intervention_types', item.type)}; erkenning: {catalog.recognition_label(item)})"
