"""Render plans and summaries as short Dutch chat messages."""
from __future__ import annotations

from typing import List, Sequence

from knowledge.catalog import Catalog
from knowledge.plan import Plan, PlanStep
from knowledge.plan import and_list

__all__ = ["and_list", "plan_messages", "summary_message", "names"]


def names(catalog: Catalog, kind: str, ids: Sequence[str]) -> List[str]:
    """Display names for ids of groups, partners or vocabulary terms (free text is kept)."""
    out = []
    for item_id in ids:
        if kind == "groups" and item_id in catalog.groups:
            out.append(catalog.groups[item_id].short)
        elif kind == "partners" and item_id in catalog.partners:
            out.append(catalog.partners[item_id].name)
        else:
            out.append(catalog.label(kind, item_id) if kind in catalog.vocabulary else item_id)
    return out


def step_message(catalog: Catalog, number: int, step: PlanStep) -> str:
    lines = [f"Stap {number}. {step.title}"]
    for option in step.options:
        item = option.intervention
        level = catalog.recognition_label(item)
        lines.append(f"• {item.name} ({catalog.label('intervention_types', item.type)}; erkenning: {level})")
        lines.append(f"  {option.why}")
        if option.partners_missing:
            lines.append("  Nog niet aan tafel: " + and_list(names(catalog, "partners", option.partners_missing)) + ".")
    for note in step.notes:
        lines.append(note)
    return "\n".join(lines)


def plan_messages(catalog: Catalog, plan: Plan) -> List[str]:
    place = plan.state.municipality or "je gemeente"
    pillars = and_list([catalog.label("pillars", p) for p in plan.pillars])
    intro = (
        f"Dit is mijn voorstel voor {place}. Het plan heeft {len(plan.steps)} stappen. "
        f"Het werkt aan {pillars}."
    )
    messages = [intro]
    for number, step in enumerate(plan.steps, start=1):
        messages.append(step_message(catalog, number, step))
    if plan.partners_missing:
        messages.append(
            "Voor dit plan mis ik nog deze partners: "
            + and_list(names(catalog, "partners", plan.partners_missing))
            + ". Nodig ze uit voor het eerste overleg."
        )
    return messages


def summary_message(catalog: Catalog, plan: Plan) -> str:
    state = plan.state
    signal = state.signals[0] if state.signals else None
    lines = ["Samenvatting", f"Gemeente: {state.municipality or 'onbekend'}"]
    if signal:
        what = and_list(names(catalog, "substances", signal.substances)) or "onbekend"
        where = and_list(names(catalog, "settings", signal.settings)) or "onbekend"
        who = and_list(names(catalog, "partners", signal.reporters)) or "onbekend"
        lines.append(f"Signaal: {what}; waar: {where}; gemeld door: {who}")
    lines.append("Groepen: " + (and_list(names(catalog, "groups", state.groups)) or "nog niet bekend"))
    lines.append("Al betrokken: " + (and_list(names(catalog, "partners", state.partners_present)) or "nog niemand"))
    lines.append("Nog uitnodigen: " + (and_list(names(catalog, "partners", plan.partners_missing)) or "niemand"))
    for number, step in enumerate(plan.steps, start=1):
        chosen = and_list([o.intervention.name for o in step.options]) or "nog open"
        lines.append(f"Stap {number} ({step.title.lower()}): {chosen}")
    return "\n".join(lines)
