"""The policy document: the conversation's plan written as a paragraph for the gezondheidsnota
(and, when alcohol is part of the plan, a checklist for the preventie- en handhavingsplan alcohol).

- ``render_policy(summary, fmt, catalog)`` gives the file's bytes (Markdown, Word or PDF);
  ``policy_filename(summary, fmt)`` a safe file name.
- ``build_policy(summary, catalog)`` makes the document once as plain blocks (paragraphs, lists,
  tables); the three renderers only lay those out, so the formats always say the same.

Facts come only from the officer (the ``Summary``) and from the knowledge base (groups'
national figures with year and source, local sources, partners' roles, interventions' pillars,
forms, recognitions and sources), plus the few policy facts below with their sources. Numbers
nobody gave are never made up: they are marked blanks ("[..] %", "[datum]") for the officer.
"""
from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple, Union

from bot.export import (
    _LATIN1,
    ACCENT,
    APP_NAME,
    FORMATS,
    ExportError,
    _docx_field,
    _docx_hyperlink,
    _docx_language,
    _docx_repeat_header,
    check_format,
    find_font,
    md,
    slug,
)
from bot.summary import STATUS_AGREED, UNKNOWN, InterventionSummary, StepSummary, Summary
from knowledge.catalog import Catalog, Group, Intervention, Partner
from knowledge.evidence import RULE_SOURCE, validity, validity_note
from knowledge.plan import and_list

# Marked blanks: what the officer fills in. No digits in them, so a test can tell them from figures.
BLANK = "[..]"
BLANK_PCT = "[..] %"
BLANK_DATE = "[datum]"
BLANK_YEAR = "[jaar]"
BLANK_WHO = "[wie?]"
BLANK_WHEN = "[wanneer?]"

# Policy facts (from /work/shared/knowledge/policy-notes.md and research-notes.md), each with its source.
SRC_NOTA = "https://www.loketgezondleven.nl/aanpak-gezonde-gemeente/landelijk-beleid-en-programmas/wettelijk-kader/lokale-nota"
SRC_PHP = (
    "https://vng.nl/onderwerpenindex/veiligheid/drank-en-horecawet/vraag-en-antwoord/"
    "gemeenten-zijn-verplicht-een-preventie-en-handhavingsplan-alcohol-vast-te-stellen-is-een-gemeente"
)
SRC_MONITOR = "https://www.volksgezondheidenzorg.info/onderwerp/atlas-vzinfo/uitgelicht"
SRC_LEEFSTIJL = "https://www.vzinfo.nl/alcoholgebruik/verantwoording/bronverantwoording"

# How often a local data source is measured, only where our sources say so:
# (words in the local source's name, how often, who carries it out or "", source).
MONITOR_CYCLES: Tuple[Tuple[str, str, str, str], ...] = (
    ("gezondheidsmonitor", "elke vier jaar", "de GGD", SRC_MONITOR),
    ("gezondheidsenquête", "elk jaar", "het CBS", SRC_LEEFSTIJL),
    ("leefstijlmonitor", "elk jaar", "het CBS", SRC_LEEFSTIJL),
)

# Planning proposal per step of the plan: what happens in year 1 to 4.
PLANNING: Dict[str, Tuple[str, str, str, str]] = {
    "analyse": ("nulmeting", "", "", "opnieuw meten"),
    "samenwerking": ("afspraken maken", "overleg", "overleg", "overleg en evalueren"),
    "interventies": ("voorbereiden en starten", "uitvoeren", "uitvoeren", "uitvoeren en evalueren"),
    "deskundigheid": ("trainen", "trainen", "nieuwe mensen trainen", "evalueren"),
    "borging": ("vastleggen", "", "tussenstand", "evalueren en nieuw plan"),
}
YEARS = ("Jaar 1", "Jaar 2", "Jaar 3", "Jaar 4")

STATUS_YES, STATUS_PART, STATUS_NO = "ja", "deels", "nog niet"


# -- the document as plain blocks ---------------------------------------------------------------


@dataclass
class Para:
    text: str
    style: str = ""  # "", "I" (italic, a note) or "B" (bold)


@dataclass
class Bullets:
    items: List[str]
    numbered: bool = False


@dataclass
class Table:
    headers: List[str]
    rows: List[List[str]]
    widths: Tuple[float, ...] = ()  # relative widths of the columns


@dataclass
class Heading:
    text: str


Block = Union[Para, Bullets, Table, Heading]


@dataclass
class Section:
    title: str
    blocks: List[Block] = field(default_factory=list)


@dataclass
class PolicyDocument:
    title: str
    municipality: str
    date: dt.date
    date_text: str
    intro: List[Para]
    sections: List[Section]
    references: List[str]
    conversation_id: str = ""

    def section(self, title: str) -> Section:
        return next(s for s in self.sections if s.title == title)


class References:
    """Numbered sources, in order of first use: ``cite(url)`` gives "[n]"."""

    def __init__(self) -> None:
        self.urls: List[str] = []

    def cite(self, *urls: str) -> str:
        marks: List[int] = []
        for url in urls:
            if not url:
                continue
            if url not in self.urls:
                self.urls.append(url)
            number = self.urls.index(url) + 1
            if number not in marks:
                marks.append(number)
        return " ".join(f"[{n}]" for n in sorted(marks))


# -- what the summary holds, looked up in the catalog -------------------------------------------


def _groups(summary: Summary, catalog: Catalog) -> List[Tuple[str, Optional[Group]]]:
    by_short = {g.short: g for g in catalog.groups.values()}
    return [(name, by_short.get(name)) for name in summary.groups]


def _partner(name: str, catalog: Catalog) -> Optional[Partner]:
    for partner in catalog.partners.values():
        if name == partner.name or name.startswith(partner.name + " ("):
            return partner
    return None


def _record(item: InterventionSummary, catalog: Catalog) -> Optional[Intervention]:
    return catalog.interventions.get(item.id)


def _substances(summary: Summary) -> List[str]:
    out: List[str] = []
    for sig in summary.signals:
        out += [w for w in sig.what if w not in out]
    return out


def has_alcohol(summary: Summary, catalog: Catalog) -> bool:
    """Alcohol is part of the plan: named in a signal, or the officer agreed to the alcohol plan
    itself (a mere proposal of it does not count)."""
    label = catalog.label("substances", "alcohol")
    agreed = [item.id for step in summary.steps if step.status == STATUS_AGREED for item in step.interventions]
    return label in _substances(summary) or "php_alcohol" in agreed


def _steps(summary: Summary) -> List[StepSummary]:
    return [step for step in summary.steps if not step.skipped]


def _lead(item: InterventionSummary) -> str:
    """The lead partner: only known when the record says the municipality owns it; else a blank."""
    if item.owner.lower().startswith("gemeente"):
        return "de gemeente"
    return f"{BLANK_WHO}"


def _recognition(item: InterventionSummary, today: dt.date, refs: References, catalog: Catalog) -> str:
    text = item.recognition_text
    record = _record(item, catalog)
    if record is not None:
        note = validity_note(record.recognition, today)
        if note:
            rule = refs.cite(RULE_SOURCE) if validity(record.recognition, today).years else ""
            text += f". {note}" + (f" {rule}" if rule else "")
    return text


def _cycle(source_text: str) -> Optional[Tuple[str, str, str]]:
    low = source_text.lower()
    for words, how_often, who, url in MONITOR_CYCLES:
        if words in low:
            return how_often, who, url
    return None


def _about(substances: Sequence[str]) -> str:
    return f"het gebruik van {and_list(list(substances))}" if substances else "middelengebruik"


def _who(groups: Sequence[Tuple[str, Optional[Group]]]) -> str:
    return and_list([name for name, _ in groups]) or "de inwoners"


# -- the sections ------------------------------------------------------------------------------


def _problem_analysis(summary: Summary, catalog: Catalog, refs: References) -> Section:
    sec = Section("Probleemanalyse")
    sec.blocks.append(Heading("Wat we zien"))
    if not summary.signals:
        sec.blocks.append(Para("In het gesprek is nog geen signaal genoemd. Beschrijf hier wat je ziet."))
    items = []
    for sig in summary.signals:
        line = (
            f"Wat: {and_list(sig.what) or 'geen specifiek middel'}. Waar: {and_list(sig.where) or UNKNOWN}. "
            f"Gemeld door: {and_list(sig.reported_by) or UNKNOWN}. Ontwikkeling: {sig.trend or UNKNOWN}."
        )
        if sig.description:
            line += f" In je eigen woorden: “{sig.description}”"
        items.append(line)
    if items:
        sec.blocks.append(Bullets(items))
    if summary.policy:
        sec.blocks.append(Para(f"Bestaand beleid: “{summary.policy}”"))

    sec.blocks.append(Heading("Om wie het gaat"))
    groups = _groups(summary, catalog)
    if not groups:
        sec.blocks.append(Para("De groepen zijn nog niet bekend. Kijk samen met de GGD naar de lokale cijfers."))
    rows: List[List[str]] = []
    for name, group in groups:
        if group is None:
            sec.blocks.append(Para(f"{name}: over deze groep heeft de kennisbank geen gegevens.", "B"))
            rows.append([name, BLANK, BLANK, BLANK, BLANK_WHEN])
            continue
        size = group.national_size
        if size is not None:
            national = f"Landelijk ({size.year}): {size.figure} {refs.cite(size.source)}"
        else:
            national = "Een landelijk cijfer voor deze groep staat niet in de kennisbank."
        sec.blocks.append(Para(f"{group.name[0].upper()}{group.name[1:]}", "B"))
        sec.blocks.append(Para(f"{group.description} {national}"))
        if group.local_figures_note:
            sec.blocks.append(Para(group.local_figures_note, "I"))
        for source in group.local_sources or ("[bron?]",):
            cycle = _cycle(source)
            when = f"{cycle[0]} {refs.cite(cycle[2])}" if cycle else BLANK_WHEN
            rows.append([group.short, source, BLANK, BLANK_YEAR, when])
    if rows:
        sec.blocks.append(Heading("Lokale cijfers om op te zoeken"))
        sec.blocks.append(Para(
            f"Vul de cijfers voor {summary.municipality} in. Noteer ook het jaar van de meting. "
            "Zo heb je een nulmeting en kun je later zien of de aanpak werkt."
        ))
        sec.blocks.append(Table(
            ["Groep", "Waar zoek je het op", f"Cijfer {summary.municipality}", "Jaar", "Hoe vaak gemeten"],
            rows, (3, 6, 3, 2, 3),
        ))
    return sec


@dataclass
class Goal:
    track: str
    text: str
    indicator: str
    source: str
    when: str = BLANK_WHEN
    who: str = BLANK_WHO


def _goals(summary: Summary, catalog: Catalog, refs: References) -> List[Goal]:
    groups = _groups(summary, catalog)
    who = _who(groups)
    about = _about(_substances(summary))
    local = [s for _, g in groups if g for s in g.local_sources]
    local_text = and_list(list(dict.fromkeys(local))) or "de Gezondheidsmonitor van de GGD en waarstaatjegemeente.nl"
    cycles = [c for c in (_cycle(s) for s in local) if c]
    outcome_when = f"{cycles[0][0]} {refs.cite(cycles[0][2])}" if cycles else BLANK_WHEN
    outcome_who = cycles[0][1] if cycles else BLANK_WHO
    goals: List[Goal] = []
    for step in _steps(summary):
        names = and_list([i.name for i in step.interventions])
        if step.id == "analyse":
            goals.append(Goal(
                step.title,
                f"Vóór {BLANK_DATE} hebben we een nulmeting van {about} bij {who}. "
                f"We weten dan welk deel van de groep gebruikt: {BLANK_PCT}.",
                f"aandeel van {who} dat gebruikt (%), en of de nulmeting er is (ja/nee)",
                local_text, outcome_when, outcome_who,
            ))
        elif step.id == "samenwerking":
            goals.append(Goal(
                step.title,
                f"Vóór {BLANK_DATE} hebben {BLANK} partners samen afspraken op papier gezet: wie doet wat, "
                "en wie is trekker.",
                "aantal partners met afspraken",
                "verslagen van het overleg (de gemeente houdt ze bij)",
            ))
        elif step.id == "interventies":
            goals += _intervention_goals(summary, step, who, about, local_text, outcome_when, outcome_who, catalog)
        elif step.id == "deskundigheid":
            goals.append(Goal(
                step.title,
                f"Vóór {BLANK_DATE} herkennen {BLANK} professionals van de partners signalen bij {who}. "
                "Ze verwijzen op tijd door." + (f" Daarvoor gebruiken we: {names}." if names else ""),
                "aantal getrainde professionals, en aantal doorverwijzingen",
                "deelnemerslijsten van de aanbieder; registratie van de partners",
            ))
        elif step.id == "borging":
            goals.append(Goal(
                step.title,
                f"Vóór {BLANK_DATE} staat deze aanpak in de gezondheidsnota {refs.cite(SRC_NOTA)}. "
                f"In {BLANK_YEAR} bekijken we met de partners wat werkt en wat we aanpassen.",
                "aanpak vastgesteld door de gemeenteraad (ja/nee); evaluatie gedaan (ja/nee)",
                "besluit van de gemeenteraad; verslag van de evaluatie",
                BLANK_WHEN, "de gemeente",
            ))
        else:  # a step the plan engine may add later
            goals.append(Goal(step.title, f"Vóór {BLANK_DATE} is deze stap gedaan: {names or BLANK}.",
                              BLANK, BLANK))
    return goals


def _pillar_of(item: InterventionSummary, catalog: Catalog, pillars: Sequence[str]) -> str:
    """The first of the plan's pillars the record serves (as a label), else its own first pillar."""
    record = _record(item, catalog)
    own = [catalog.label("pillars", p) for p in record.pillars] if record else []
    for label in own:
        if label in pillars:
            return label
    return own[0] if own else UNKNOWN


def _intervention_goals(summary: Summary, step: StepSummary, who: str, about: str, local_text: str,
                        outcome_when: str, outcome_who: str, catalog: Catalog) -> List[Goal]:
    by_pillar: Dict[str, List[str]] = {}
    for item in step.interventions:
        by_pillar.setdefault(_pillar_of(item, catalog, summary.pillars), []).append(item.name)
    supply, harm = catalog.label("pillars", "aanbodbeperking"), catalog.label("pillars", "schadebeperking")
    goals = []
    for pillar, items in by_pillar.items():
        names = and_list(items)
        track = f"{step.title}: {pillar}"
        if pillar == supply:
            goals.append(Goal(
                track,
                f"Vóór {BLANK_DATE} is dit ingevoerd: {names}. Het aantal meldingen en overtredingen over "
                f"{about} daalt van {BLANK} naar {BLANK} in {BLANK_YEAR}.",
                "aantal controles, meldingen en overtredingen",
                "registraties van politie en handhaving (boa's)",
            ))
        elif pillar == harm:
            goals.append(Goal(
                track,
                f"In {BLANK_YEAR} bereiken we {BLANK} mensen uit de groep {who} met {names}. "
                f"Het aantal incidenten door {about} daalt van {BLANK} naar {BLANK}.",
                "bereik (aantal mensen), en aantal incidenten (EHBO, ambulance, politie)",
                "registratie van de uitvoerder; EHBO- en ambulanceregistraties",
            ))
        else:  # demand reduction, or a pillar without its own wording
            goals.append(Goal(
                track,
                f"In {BLANK_YEAR} bereiken we {BLANK} mensen uit de groep {who} met {names}. "
                f"Het aandeel dat gebruikt daalt van {BLANK_PCT} naar {BLANK_PCT} in {BLANK_YEAR}.",
                f"bereik (aantal deelnemers); aandeel van {who} dat gebruikt (%)",
                f"registratie van de uitvoerder; {local_text}",
                outcome_when, outcome_who,
            ))
    if not by_pillar:
        goals.append(Goal(step.title, f"Vóór {BLANK_DATE} kiezen we interventies voor {who}.", BLANK, BLANK))
    return goals


def _goals_section(goals: Sequence[Goal]) -> Section:
    sec = Section("Doelen")
    sec.blocks.append(Para(
        "Per spoor van het plan staat hier een doel. De doelen zijn SMART: specifiek, meetbaar, "
        "acceptabel, realistisch en tijdgebonden. De getallen en data vul je zelf in, samen met de partners. "
        f"Ze staan tussen haken, zoals {BLANK_PCT} en {BLANK_DATE}."
    ))
    if not goals:
        sec.blocks.append(Para("Het plan heeft nog geen sporen. Maak eerst het plan af."))
        return sec
    sec.blocks.append(Table(
        ["Spoor", "Doel", "Indicator", "Bron van de indicator"],
        [[g.track, g.text, g.indicator, g.source] for g in goals],
        (3, 7, 4, 4),
    ))
    return sec


def _approach(summary: Summary, catalog: Catalog, refs: References) -> Section:
    sec = Section("Aanpak")
    sec.blocks.append(Para(summary.status_text, "I"))
    if summary.pillars:
        sec.blocks.append(Para(f"Het plan werkt aan drie soorten maatregelen, de pijlers. Dit plan gebruikt: "
                               f"{and_list(summary.pillars)}."))
    chosen = [(step, item) for step in _steps(summary) for item in step.interventions]
    if not chosen:
        sec.blocks.append(Para("Er staan nog geen interventies in het plan."))
        return sec
    order = list(summary.pillars)
    by_pillar: Dict[str, List[Tuple[StepSummary, InterventionSummary]]] = {}
    for step, item in chosen:
        pillar = _pillar_of(item, catalog, summary.pillars)
        if pillar not in order:
            order.append(pillar)
        by_pillar.setdefault(pillar, []).append((step, item))
    for pillar in order:
        rows = []
        for step, item in by_pillar.get(pillar, []):
            record = _record(item, catalog)
            forms = and_list([catalog.label("prevention_forms", f) for f in record.forms]) if record else UNKNOWN
            status = "" if step.status == STATUS_AGREED else " (voorstel)"
            rows.append([
                f"{item.name}{status} {refs.cite(*item.sources)}".strip(),
                forms or UNKNOWN,
                _lead(item),
                and_list(item.partners) or UNKNOWN,
                _recognition(item, summary.date, refs, catalog),
            ])
        if rows:
            sec.blocks.append(Heading(f"Pijler: {pillar}"))
            sec.blocks.append(Table(
                ["Interventie", "Preventievorm", "Trekker", "Betrokken partners", "Erkenning"], rows, (5, 3, 2.5, 4, 5),
            ))
    sec.blocks.append(Para(
        f"Trekker: {BLANK_WHO} betekent dat je nog afspreekt welke partner de interventie trekt. "
        "Kijk bij de erkenning of die nog geldt: een erkenning van Loket Gezond Leven geldt drie jaar "
        f"(Goed beschreven) of vijf jaar (hogere niveaus) {refs.cite(RULE_SOURCE)}.",
        "I",
    ))
    sec.blocks.append(Heading("Planning"))
    sec.blocks.append(Para("Een voorstel voor vier jaar. Pas het aan met de partners en vul de jaartallen in."))
    rows = []
    for step, item in chosen:
        plan = PLANNING.get(step.id, ("", "", "", ""))
        rows.append([item.name, *plan])
    sec.blocks.append(Table(["Interventie", *YEARS], rows, (6, 3, 3, 3, 3)))
    return sec


def _cooperation(summary: Summary, catalog: Catalog) -> Section:
    sec = Section("Samenwerking")
    sec.blocks.append(Para(
        "De gemeente heeft de regie en verbindt de partners. Deze partners zijn nodig voor de aanpak."
    ))
    rows: List[List[str]] = []
    seen: List[str] = []

    def add(name: str, status: str) -> None:
        partner = _partner(name, catalog)
        key = partner.id if partner else name
        if key in seen:
            return
        seen.append(key)
        rows.append([partner.name if partner else name, partner.role if partner else UNKNOWN, status])

    for name in summary.partners_present:
        add(name, "aan tafel")
    for entry in summary.partners_missing:  # "name (why)", and a name may hold brackets itself
        partner = _partner(entry, catalog)
        rest = entry[len(partner.name):] if partner else ""
        reason = rest.strip()[1:-1] if rest.strip().startswith("(") and rest.endswith(")") else ""
        add(entry, "uitnodigen" + (f": {reason}" if reason else ""))
    needed: Dict[str, List[str]] = {}
    for item in summary.chosen:
        for name in item.partners_missing:
            needed.setdefault(name, []).append(item.name)
    for name, items in needed.items():
        add(name, "ook nodig voor " + and_list(items))
    if rows:
        sec.blocks.append(Table(["Partner", "Rol", "Status"], rows, (4, 8, 4)))
    else:
        sec.blocks.append(Para("Er zijn nog geen partners genoemd."))
    return sec


def _monitoring(goals: Sequence[Goal], refs: References) -> Section:
    sec = Section("Monitoring en evaluatie")
    sec.blocks.append(Para(
        "Zo meet je of de aanpak werkt. Bij 'wanneer' staat alleen een vaste meetcyclus als die bekend is. "
        f"De gezondheidsnota maakt de gemeente elke vier jaar (Wet publieke gezondheid) {refs.cite(SRC_NOTA)}."
    ))
    rows = [[g.indicator, g.when, g.who, g.source] for g in goals if g.indicator != BLANK]
    if rows:
        sec.blocks.append(Table(["Indicator", "Wanneer meten", "Wie rapporteert", "Bron"], rows, (6, 3, 3, 5)))
    sec.blocks.append(Para(
        f"De gemeente rapporteert aan de gemeenteraad in {BLANK_YEAR}. Spreek met de partners af wie de "
        "cijfers aanlevert, en wanneer je samen terugkijkt."
    ))
    return sec


def _php_checklist(summary: Summary, catalog: Catalog, goals: Sequence[Goal], refs: References) -> Section:
    sec = Section("Checklist preventie- en handhavingsplan alcohol")
    cite = refs.cite(SRC_PHP)
    sec.blocks.append(Para(
        "Volgens de Alcoholwet (artikel 43a) stelt de gemeenteraad een preventie- en handhavingsplan "
        f"alcohol vast {cite}. Het plan geldt hooguit vier jaar. Het hoeft niet samen te vallen met de "
        f"gezondheidsnota {cite}. Dit moet erin staan, en zo ver is dit plan:"
    ))
    enforcement = []  # measures that limit supply: rules, supervision, enforcement
    for item in summary.chosen:
        record = _record(item, catalog)
        if record is not None and "aanbodbeperking" in record.pillars and item.name not in enforcement:
            enforcement.append(item.name)
    rows = [
        ["De doelen van het beleid",
         STATUS_PART if goals else STATUS_NO,
         "Zie Doelen. Vul de lege plekken in." if goals else "Maak eerst het plan af."],
        ["De acties die de gemeente neemt",
         STATUS_YES if summary.chosen else STATUS_NO,
         "Zie Aanpak." if summary.chosen else "Kies eerst interventies."],
        ["Hoe de handhaving is georganiseerd",
         STATUS_PART if enforcement else STATUS_NO,
         (f"Het plan noemt {and_list(enforcement)}. " if enforcement else "")
         + "Beschrijf wie toezicht houdt, hoe vaak en met welke middelen."],
        ["De resultaten die je minimaal wilt halen",
         STATUS_NO,
         "Vul bij Doelen de getallen in die je minimaal wilt halen."],
        ["Looptijd van hooguit vier jaar",
         STATUS_PART,
         f"De planning loopt over jaar 1 tot en met 4. Vul de jaartallen in: {BLANK_YEAR} tot {BLANK_YEAR}."],
        ["Vastgesteld door de gemeenteraad",
         STATUS_NO,
         "Na het besluit van de raad."],
    ]
    sec.blocks.append(Table(["Wat moet erin", "In dit plan", "Toelichting"], rows, (5, 2, 8)))
    return sec


def build_policy(summary: Summary, catalog: Catalog) -> PolicyDocument:
    """The policy document as plain blocks, from the summary and the knowledge base."""
    refs = References()  # numbered in reading order: the analysis first
    alcohol = has_alcohol(summary, catalog)
    sections = [_problem_analysis(summary, catalog, refs)]
    goals = _goals(summary, catalog, refs)
    sections.append(_goals_section(goals))
    sections.append(_approach(summary, catalog, refs))
    sections.append(_cooperation(summary, catalog))
    sections.append(_monitoring(goals, refs))
    if alcohol:
        sections.append(_php_checklist(summary, catalog, goals, refs))
    where = "de gezondheidsnota" + (" en het preventie- en handhavingsplan alcohol" if alcohol else "")
    intro = [
        Para(f"Concepttekst voor {where} van {summary.municipality}. Gemaakt op {summary.date_text} met de "
             f"{APP_NAME}, uit het gesprek en de kennisbank."),
        Para(f"Lege plekken zoals {BLANK_PCT}, {BLANK_DATE} en {BLANK_WHO} vul je zelf in. Er staan geen cijfers in "
             "die niet uit het gesprek of uit een bron komen. De bronnen staan genummerd onderaan.", "I"),
    ]
    return PolicyDocument(
        title=f"Beleidstekst preventie {summary.municipality}",
        municipality=summary.municipality,
        date=summary.date,
        date_text=summary.date_text,
        intro=intro,
        sections=sections,
        references=refs.urls,
        conversation_id=summary.conversation_id,
    )


# -- rendering ---------------------------------------------------------------------------------


def policy_filename(summary: Summary, fmt: str) -> str:
    """A safe ASCII file name, e.g. beleidstekst-amersfoort-2026-11-22.docx."""
    return f"beleidstekst-{slug(summary.municipality)}-{summary.date.isoformat()}.{FORMATS[check_format(fmt)].extension}"


def render_policy(summary: Summary, fmt: str, catalog: Optional[Catalog] = None) -> bytes:
    """The policy document's bytes in ``fmt`` ('md', 'docx' or 'pdf')."""
    fmt = check_format(fmt)
    if catalog is None:
        from knowledge.loader import load_catalog

        catalog = load_catalog()
    doc = build_policy(summary, catalog)
    if fmt == "md":
        return policy_markdown(doc).encode("utf-8")
    if fmt == "docx":
        return policy_docx(doc)
    return policy_pdf(doc)


# Markdown: blanks and reference marks stay readable ([..], [3]); any other bracket is escaped.
_KEEP = re.compile(r"\\\[(\.\.|datum|jaar|wie\?|wanneer\?|bron\?|\d+)\\\](?![(:])")


def _md(text: str) -> str:
    return _KEEP.sub(r"[\1]", md(text))


def _md_cell(text: str) -> str:
    return _md(text).replace("\n", " ")


def policy_markdown(doc: PolicyDocument) -> str:
    out: List[str] = [f"# {_md(doc.title)}", ""]
    for p in doc.intro:
        out += [f"*{_md(p.text)}*" if p.style == "I" else _md(p.text), ""]
    for sec in doc.sections:
        out += [f"## {_md(sec.title)}", ""]
        for block in sec.blocks:
            if isinstance(block, Heading):
                out += [f"### {_md(block.text)}", ""]
            elif isinstance(block, Para):
                text = _md(block.text)
                out += [{"I": f"*{text}*", "B": f"**{text}**"}.get(block.style, text), ""]
            elif isinstance(block, Bullets):
                out += [f"{n}. {_md(i)}" if block.numbered else f"- {_md(i)}"
                        for n, i in enumerate(block.items, start=1)] + [""]
            else:
                out.append("| " + " | ".join(_md_cell(h) for h in block.headers) + " |")
                out.append("|" + " --- |" * len(block.headers))
                out += ["| " + " | ".join(_md_cell(c) or " " for c in row) + " |" for row in block.rows]
                out.append("")
    out += ["## Bronnen", ""]
    out += [f"{n}. <{url}>" for n, url in enumerate(doc.references, start=1)] or ["Geen bronnen."]
    out += ["", "---", "", f"*Gemaakt met de {APP_NAME}. Gesprek: {_md(doc.conversation_id) or '-'}.*", ""]
    return "\n".join(out)


def policy_docx(doc: PolicyDocument) -> bytes:
    try:
        from docx import Document
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Cm, Pt, RGBColor
    except ImportError:  # pragma: no cover - a setup problem
        raise ExportError("the Word export needs python-docx; install the requirements") from None

    d = Document()
    section = d.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.0)
    section.top_margin = section.bottom_margin = Cm(2.0)
    normal = d.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(10.5)
    normal.paragraph_format.space_after = Pt(4)
    for name, size in (("Title", 24), ("Heading 1", 15), ("Heading 2", 12)):
        style = d.styles[name]
        style.font.name = "Calibri"
        style.font.size = Pt(size)
        style.font.color.rgb = RGBColor(*ACCENT)
    _docx_language(d)
    props = d.core_properties
    props.title = doc.title
    props.author = APP_NAME
    props.last_modified_by = APP_NAME
    props.subject = f"Beleidstekst preventie alcohol en drugs voor {doc.municipality}"
    props.keywords = "preventie; gezondheidsnota; beleid; alcohol; drugs"
    props.language = "nl-NL"
    props.created = dt.datetime.combine(doc.date, dt.time(12, 0))
    props.modified = props.created

    footer = section.footer.paragraphs[0]
    footer.text = f"{APP_NAME} · beleidstekst {doc.municipality} · {doc.date_text} · pagina "
    _docx_field(footer, "PAGE")
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for run in footer.runs:
        run.font.size = Pt(8)

    d.add_heading(doc.title, level=0)
    for p in doc.intro:
        para = d.add_paragraph()
        run = para.add_run(p.text)
        run.italic = p.style == "I"
    width_total = 17.0
    for sec in doc.sections:
        d.add_heading(sec.title, level=1)
        for block in sec.blocks:
            if isinstance(block, Heading):
                d.add_heading(block.text, level=2)
            elif isinstance(block, Para):
                para = d.add_paragraph()
                run = para.add_run(block.text)
                run.italic = block.style == "I"
                run.bold = block.style == "B"
            elif isinstance(block, Bullets):
                for item in block.items:
                    d.add_paragraph(item, style="List Number" if block.numbered else "List Bullet")
            else:
                table = d.add_table(rows=1, cols=len(block.headers))
                try:
                    table.style = d.styles["Light Grid Accent 1"]
                except KeyError:  # pragma: no cover - another template
                    table.style = d.styles["Table Grid"]
                table.autofit = False
                _docx_repeat_header(table.rows[0])
                for cell, text in zip(table.rows[0].cells, block.headers, strict=True):
                    cell.text = ""
                    cell.paragraphs[0].add_run(text).bold = True
                for row in block.rows:
                    for cell, text in zip(table.add_row().cells, row, strict=True):
                        cell.text = text
                widths = block.widths or tuple(1.0 for _ in block.headers)
                for row_ in table.rows:
                    for cell, w in zip(row_.cells, widths, strict=False):
                        cell.width = Cm(width_total * w / sum(widths))
                        for p_ in cell.paragraphs:
                            p_.paragraph_format.space_after = Pt(0)
                            for r in p_.runs:
                                r.font.size = Pt(9)
                d.add_paragraph()
    d.add_heading("Bronnen", level=1)
    for url in doc.references:
        para = d.add_paragraph(style="List Number")
        _docx_hyperlink(para, url, url)
    closing = d.add_paragraph()
    end = closing.add_run(f"Gemaakt met de {APP_NAME}. Gesprek: {doc.conversation_id or '-'}.")
    end.italic = True
    end.font.size = Pt(8)
    buffer = io.BytesIO()
    d.save(buffer)
    return buffer.getvalue()


def policy_pdf(doc: PolicyDocument, use_fallback: bool = False) -> bytes:
    """A PDF from the same blocks, with DejaVu Sans when found (else Helvetica, Latin-1)."""
    try:
        from fpdf import FPDF
        from fpdf.enums import WrapMode, XPos, YPos
        from fpdf.fonts import FontFace
    except ImportError:  # pragma: no cover - a setup problem
        raise ExportError("the PDF export needs fpdf2; install the requirements") from None

    font = None if use_fallback else find_font()
    family = "DejaVu" if font else "helvetica"

    def t(text: str) -> str:
        if font:
            return text
        return text.translate(_LATIN1).encode("latin-1", "replace").decode("latin-1")

    class Doc(FPDF):
        def footer(self) -> None:
            self.set_y(-12)
            self.set_font(family, "", 8)
            self.set_text_color(90, 90, 90)
            self.cell(0, 6, t(f"{APP_NAME} · beleidstekst {doc.municipality} · {doc.date_text} · pagina {self.page_no()}"),
                      align="C")

    pdf = Doc(format="A4", unit="mm")
    pdf.set_margins(18, 18, 18)
    pdf.set_auto_page_break(auto=True, margin=18)
    if font:
        for style, path in font.items():
            pdf.add_font("DejaVu", style, str(path))
    pdf.set_title(t(doc.title))
    pdf.set_author(APP_NAME)
    pdf.set_creator(APP_NAME)
    pdf.set_lang("nl-NL")
    pdf.set_creation_date(dt.datetime.combine(doc.date, dt.time(12, 0), tzinfo=dt.timezone.utc))
    pdf.add_page()
    width = pdf.epw

    def heading(text: str, level: int) -> None:
        size = {0: 20, 1: 14, 2: 11.5}[level]
        if level and pdf.will_page_break(25):
            pdf.add_page()
        pdf.ln(3 if level else 0)
        pdf.set_font(family, "B", size)
        pdf.set_text_color(*ACCENT)
        pdf.multi_cell(width, size * 0.5, t(text), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_text_color(0, 0, 0)
        pdf.ln(1.5)

    def para(text: str, style: str = "", size: float = 10, link: Optional[str] = None) -> None:
        pdf.set_font(family, style, size)
        wrap = WrapMode.CHAR if link else WrapMode.WORD  # long URLs break anywhere
        pdf.multi_cell(width, 5, t(text), align="L", link=link or None, wrapmode=wrap,
                       new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    heading(doc.title, 0)
    for p in doc.intro:
        para(p.text, p.style)
    for sec in doc.sections:
        heading(sec.title, 1)
        for block in sec.blocks:
            if isinstance(block, Heading):
                heading(block.text, 2)
            elif isinstance(block, Para):
                para(block.text, block.style)
            elif isinstance(block, Bullets):
                for n, item in enumerate(block.items, start=1):
                    para(f"{n}. {item}" if block.numbered else f"• {item}")
            else:
                pdf.set_font(family, "", 8.5)
                head = FontFace(emphasis="BOLD", color=(255, 255, 255), fill_color=ACCENT)
                widths = block.widths or tuple(1.0 for _ in block.headers)
                with pdf.table(col_widths=widths, headings_style=head, line_height=4.5, padding=1,
                               text_align="LEFT", first_row_as_headings=True, width=width) as table:
                    row = table.row()
                    for h in block.headers:
                        row.cell(t(h))
                    for cells in block.rows:
                        row = table.row()
                        for c in cells:
                            row.cell(t(c))
                pdf.ln(2)
    heading("Bronnen", 1)
    pdf.set_text_color(5, 99, 193)
    for n, url in enumerate(doc.references, start=1):
        para(f"{n}. {url}", size=9, link=url)
    pdf.set_text_color(0, 0, 0)
    pdf.ln(4)
    para(f"Gemaakt met de {APP_NAME}. Gesprek: {doc.conversation_id or '-'}.", "I", size=8)
    return bytes(pdf.output())
