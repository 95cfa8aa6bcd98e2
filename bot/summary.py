"""The summary of a conversation: what the officer told, the plan, open questions, next steps.

Built from a plain mapping of slot values (see the slot contract in ``conversation/state.py``), the
knowledge base's catalog and the plan engine, so it needs no Rasa imports: the action server,
the Rasa server's export channel and the command line all use it.

Privacy: the summary holds only what the officer typed as answers and what the knowledge base
says. Free text is cleaned (HTML tags, control characters, e-mail addresses and phone numbers
removed) and cut to a maximum length.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Iterable, List, Mapping, Optional, Sequence

from conversation.cleaning import clean_text
from conversation.state import SKIPPED, interview_state, plan_choices, signals as slot_signals
from knowledge.catalog import Catalog, Intervention
from knowledge.evidence import validity_note
from knowledge.plan import Option, Plan, PlanEngine, and_list

UNKNOWN = "onbekend"
MAX_SHORT = 200  # a reporter, a group or a partner typed as free text
MAX_LONG = 600  # the signal in the officer's words, policy, capacity

MONTHS = (
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
)

# Role and reason are ids chosen with buttons; a label for the ones we know, else the id in words.
ROLE_LABELS = {
    "beleidsmedewerker": "beleidsmedewerker",
    "beleidsadviseur": "beleidsadviseur",
    "preventiewerker": "preventiewerker",
    "projectleider": "projectleider",
    "wethouder": "wethouder",
    "ggd": "medewerker van de GGD",
    "anders": "anders",
}
REASON_LABELS = {
    "signaal": "een signaal uit de gemeente",
    "nieuw_beleid": "nieuw beleid maken",
    "beleid_herzien": "bestaand beleid herzien",
    "incident": "een incident",
    "vraag_raad": "een vraag van de gemeenteraad",
    "oriëntatie": "oriëntatie",
    "orientatie": "oriëntatie",
    "anders": "anders",
}

def dutch_date(day: Optional[dt.date]) -> str:
    if day is None:
        return ""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def _words(value: Optional[str], labels: Mapping[str, str]) -> Optional[str]:
    if not value:
        return None
    value = clean_text(value, MAX_SHORT)
    return labels.get(value, value.replace("_", " "))


# -- the summary ------------------------------------------------------------------------------


@dataclass
class SignalSummary:
    what: List[str]
    where: List[str]
    reported_by: List[str]
    trend: Optional[str]
    description: str = ""


@dataclass
class InterventionSummary:
    id: str
    name: str
    type: str
    recognition: str  # label of the recognition level
    recognition_date: Optional[dt.date]
    recognition_by: Optional[str]
    owner: str
    sources: List[str]
    partners: List[str]  # display names of the partners it needs
    partners_missing: List[str]  # of those, the ones not yet at the table
    why: str = ""
    # Whether the recognition may have lapsed on the summary's date ("Erkend in 2019; controleer
    # of dit nog geldt. ..."); "" for records without a recognition (see knowledge.evidence).
    recognition_note: str = ""

    @property
    def recognition_text(self) -> str:
        """The level with its date and assessor when known, e.g. 'Goed onderbouwd (25 november 2021, ...)'."""
        extra = [x for x in (dutch_date(self.recognition_date), self.recognition_by or "") if x]
        return self.recognition + (f" ({', '.join(extra)})" if extra else "")


# How the summary names a question of the interview (for the officer's own words kept there).
QUESTION_LABELS = {
    "municipality": "de gemeente", "role": "je domein", "reason": "de reden", "signal_substances": "het signaal",
    "signal_settings": "de plek", "signal_reporters": "wie het meldde", "signal_trend": "de trend",
    "more_signals": "andere signalen", "groups": "de groepen", "partners_present": "de partners",
    "policy": "het beleid", "capacity": "tijd en geld",
}
STATUS_AGREED, STATUS_PROPOSED, STATUS_SKIPPED = "afgesproken", "voorstel", "overgeslagen"


@dataclass
class StepSummary:
    number: int
    id: str
    title: str
    status: str  # STATUS_AGREED, STATUS_PROPOSED or STATUS_SKIPPED
    interventions: List[InterventionSummary]
    notes: List[str] = field(default_factory=list)

    @property
    def skipped(self) -> bool:
        return self.status == STATUS_SKIPPED


@dataclass
class Summary:
    conversation_id: str
    municipality: str
    date: dt.date
    role: Optional[str]
    reason: Optional[str]
    signals: List[SignalSummary]
    groups: List[str]
    partners_present: List[str]
    partners_missing: List[str]
    policy: Optional[str]  # None: not known; "": there is none yet
    capacity: Optional[str]
    pillars: List[str]
    steps: List[StepSummary]
    agreed: bool  # every step agreed or skipped by the officer; else (part of) it is a proposal
    open_questions: List[str]
    next_steps: List[str]

    @property
    def title(self) -> str:
        return f"Samenvatting preventieaanpak {self.municipality}"

    @property
    def date_text(self) -> str:
        return dutch_date(self.date)

    @property
    def chosen(self) -> List[InterventionSummary]:
        """All interventions in the plan (not skipped steps), in step order."""
        return [item for step in self.steps if not step.skipped for item in step.interventions]

    @property
    def status_text(self) -> str:
        if self.agreed:
            return "Dit plan heb je in het gesprek afgesproken."
        if any(step.status == STATUS_AGREED or step.skipped for step in self.steps):
            return "Een deel van dit plan heb je afgesproken. De andere stappen zijn nog een voorstel."
        return "Dit plan is een voorstel van de Preventiewijzer. Je hebt het nog niet afgesproken."


def names(catalog: Catalog, kind: str, ids: Iterable[Any]) -> List[str]:
    """Display names for ids of groups, partners or vocabulary terms; free text is cleaned and kept."""
    out: List[str] = []
    for raw in ids:
        item_id = str(raw)
        if kind == "groups" and item_id in catalog.groups:
            name = catalog.groups[item_id].short
        elif kind == "partners" and item_id in catalog.partners:
            name = catalog.partners[item_id].name
        elif kind in catalog.vocabulary and item_id in catalog.vocabulary[kind]:
            name = catalog.label(kind, item_id)
        else:
            name = clean_text(item_id, MAX_SHORT)
        if name and name not in out:
            out.append(name)
    return out


def _intervention(
    catalog: Catalog, item: Intervention, present: Sequence[str], why: str = "", today: Optional[dt.date] = None
) -> InterventionSummary:
    return InterventionSummary(
        id=item.id,
        name=item.name,
        type=catalog.label("intervention_types", item.type),
        recognition=catalog.recognition_label(item),
        recognition_date=item.recognition.date,
        recognition_by=item.recognition.by,
        owner=item.owner or UNKNOWN,
        sources=list(item.sources),
        partners=names(catalog, "partners", item.partners),
        partners_missing=names(catalog, "partners", [p for p in item.partners if p not in present]),
        why=why,
        recognition_note=validity_note(item.recognition, today or dt.date.today()),
    )


def _from_option(
    catalog: Catalog, option: Option, present: Sequence[str], today: Optional[dt.date] = None
) -> InterventionSummary:
    return _intervention(catalog, option.intervention, present, option.why, today)


def build_summary(
    slots: Mapping[str, Any],
    catalog: Catalog,
    conversation_id: str = "",
    date: Optional[dt.date] = None,
    engine: Optional[PlanEngine] = None,
) -> Summary:
    """The summary of one conversation from its slot values (missing slots count as unknown)."""
    engine = engine or PlanEngine(catalog)
    date = date or dt.date.today()
    state = interview_state(slots)
    plan: Plan = engine.make_plan(state)
    choices = plan_choices(slots)
    present = list(state.partners_present)

    steps: List[StepSummary] = []
    for number, step in enumerate(plan.steps, start=1):
        choice = choices.get(step.id)
        if choice == SKIPPED:
            steps.append(StepSummary(number, step.id, step.title, STATUS_SKIPPED, [], []))
            continue
        if isinstance(choice, list):
            by_id = {o.intervention.id: o for o in step.options}
            items = []
            for item_id in choice:
                if item_id in by_id:
                    items.append(_from_option(catalog, by_id[item_id], present, date))
                elif item_id in catalog.interventions:
                    items.append(_intervention(catalog, catalog.interventions[item_id], present, today=date))
            steps.append(StepSummary(number, step.id, step.title, STATUS_AGREED, items, list(step.notes)))
        else:
            items = [_from_option(catalog, o, present, date) for o in step.options]
            steps.append(StepSummary(number, step.id, step.title, STATUS_PROPOSED, items, list(step.notes)))
    agreed = bool(choices) and all(s.status != STATUS_PROPOSED for s in steps)

    # Partners to invite: the plan engine's few, ranked by what matters for the named groups.
    needed = list(plan.partners_missing)
    missing_ids = [p for p in needed if p not in present]

    signal_list = []
    for sig in slot_signals(slots):
        trend = clean_text(sig.get("trend"), MAX_SHORT) or None
        signal_list.append(
            SignalSummary(
                what=names(catalog, "substances", _as_list(sig.get("substances"))),
                where=names(catalog, "settings", _as_list(sig.get("settings"))),
                reported_by=names(catalog, "partners", _as_list(sig.get("reporters"))),
                trend=trend,
                description=clean_text(sig.get("description"), MAX_LONG),
            )
        )

    policy = slots.get("policy")
    capacity = slots.get("capacity")
    summary = Summary(
        conversation_id=clean_text(conversation_id, MAX_SHORT),
        municipality=clean_text(slots.get("municipality"), MAX_SHORT) or UNKNOWN,
        date=date,
        role=_words(slots.get("role"), ROLE_LABELS),
        reason=_words(slots.get("reason"), REASON_LABELS),
        signals=signal_list,
        groups=names(catalog, "groups", _as_list(slots.get("groups"))),
        partners_present=names(catalog, "partners", present),
        partners_missing=[
            f"{name} ({plan.partner_reasons[p]})" if plan.partner_reasons.get(p) else name
            for p, name in zip(missing_ids, names(catalog, "partners", missing_ids), strict=False)
        ],
        policy=None if policy is None else clean_text(policy, MAX_LONG),
        capacity=None if capacity is None else clean_text(capacity, MAX_LONG),
        pillars=[catalog.label("pillars", p) for p in plan.pillars],
        steps=steps,
        agreed=agreed,
        open_questions=[],
        next_steps=[],
    )
    summary.open_questions = open_questions(summary, slots)
    summary.next_steps = next_steps(summary, slots, catalog)
    return summary


def _as_list(value: Any) -> List[Any]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def open_questions(summary: Summary, slots: Mapping[str, Any]) -> List[str]:
    """What the conversation left open (unknown answers, steps not yet agreed)."""
    out: List[str] = []
    if summary.municipality == UNKNOWN:
        out.append("Voor welke gemeente is dit plan?")
    for note in slots.get("notes") or []:
        if isinstance(note, Mapping) and note.get("text"):
            label = QUESTION_LABELS.get(str(note.get("question")), "een vraag")
            out.append(f"Bij {label} zei je: '{clean_text(note['text'], MAX_SHORT)}'. Werk dit nog uit.")
    if not summary.signals:
        out.append("Welk signaal zie je precies? Het plan is nu heel algemeen.")
    for number, sig in enumerate(summary.signals, start=1):
        about = f"signaal {number}" if len(summary.signals) > 1 else "het signaal"
        if not sig.where:
            out.append(f"Waar speelt {about}? Bijvoorbeeld op straat, op school of in het uitgaansleven.")
        if not sig.reported_by:
            out.append(f"Wie heeft {about} gezien of gemeld?")
        if not sig.trend:
            out.append(f"Neemt {about} toe, af of blijft het gelijk? Vraag het na bij de partners die het zien.")
    if not summary.groups:
        out.append("Om welke groepen gaat het? Kijk samen met de GGD naar de lokale cijfers.")
    if not summary.partners_present:
        out.append("Welke partners zijn al betrokken? In het gesprek is nog geen partner genoemd.")
    if summary.policy is None:
        out.append("Welk beleid heeft je gemeente al over alcohol en drugs? Zoek het op, dan kan het plan daarop voortbouwen.")
    if summary.capacity is None:
        out.append("Hoeveel tijd en geld is er voor de aanpak?")
    if any(s.status != STATUS_PROPOSED for s in summary.steps):  # the officer went through part of the plan
        for step in summary.steps:
            if step.status == STATUS_PROPOSED:
                out.append(f"Stap {step.number} ({step.title.lower()}) is nog niet besproken.")
    return out


def next_steps(summary: Summary, slots: Mapping[str, Any], catalog: Catalog) -> List[str]:
    """Concrete things to do after the conversation."""
    out: List[str] = []
    if summary.partners_missing:
        out.append("Nodig deze partners uit voor een eerste overleg: " + and_list(summary.partners_missing) + ".")
    sources: List[str] = []
    for group_id in _as_list(slots.get("groups")):
        group = catalog.groups.get(str(group_id))
        if group:
            sources += [s for s in group.local_sources if s not in sources]
    if sources:
        out.append("Zoek de lokale cijfers op (stap 1): " + and_list(sources) + ".")
    else:
        out.append("Zoek de lokale cijfers op (stap 1): de Gezondheidsmonitor van je GGD en waarstaatjegemeente.nl.")
    if not summary.agreed:
        out.append("Bespreek het voorstel met de partners. Kies per stap wat je gaat doen.")
    owners = []
    for item in summary.chosen:
        if item.owner and item.owner != UNKNOWN and item.owner not in owners:
            owners.append(item.owner)
    if summary.agreed and owners:
        out.append("Neem contact op met de aanbieders van de gekozen interventies: " + and_list(owners[:5]) + ".")
    for step in summary.steps:
        if step.skipped:
            out.append(f"Je hebt stap {step.number} ({step.title.lower()}) overgeslagen. Kijk later of je die stap toch nodig hebt.")
    if summary.policy == "":
        out.append("Leg de aanpak vast in het beleid van je gemeente, zodat hij blijft bestaan.")
    out.append("Spreek af wanneer je samen terugkijkt: werkt de aanpak, en wat pas je aan?")
    return out


# -- the short chat version ------------------------------------------------------------------------


def _duration(seconds: int) -> str:
    if seconds >= 3600 and seconds % 3600 == 0:
        return f"{seconds // 3600} uur"
    return f"{max(1, seconds // 60)} minuten"


def chat_text(summary: Summary, links: Optional[Mapping[str, str]] = None, ttl_seconds: int = 3600,
              policy_links: Optional[Mapping[str, str]] = None) -> str:
    """A few lines for the chat; ``links`` maps a format ('docx', 'pdf', 'md') to a download link
    of the summary, ``policy_links`` to one of the policy text made from it."""
    lines = [f"Samenvatting voor {summary.municipality} ({summary.date_text})"]
    for sig in summary.signals[:2]:
        what = and_list(sig.what) or UNKNOWN
        where = and_list(sig.where) or UNKNOWN
        lines.append(f"Signaal: {what}; waar: {where}")
    count = len(summary.chosen)
    state = "afgesproken" if summary.agreed else "voorstel, nog niet afgesproken"
    lines.append(f"Plan: {len(summary.steps)} stappen, {count} interventies ({state})")
    if summary.partners_missing:
        lines.append("Nog uitnodigen: " + and_list(summary.partners_missing))
    if summary.open_questions:
        lines.append(f"Open vragen: {len(summary.open_questions)}")
    if links:
        labels = {"docx": "Word", "pdf": "PDF", "md": "tekst"}
        parts = [f"{labels.get(fmt, fmt)}: {url}" for fmt, url in links.items()]
        lines.append(f"Download (de link werkt {_duration(ttl_seconds)}): " + " | ".join(parts))
    if policy_links:
        labels = {"docx": "Word", "pdf": "PDF", "md": "tekst"}
        parts = [f"{labels.get(fmt, fmt)}: {url}" for fmt, url in policy_links.items()]
        lines.append("Beleidstekst voor je gezondheidsnota, met doelen en aanpak om aan te vullen: " + " | ".join(parts))
    return "\n".join(lines)
