"""The plan engine: turn an interview state into a step-by-step, multi-track plan.

Pure Python on a :class:`~knowledge.catalog.Catalog`; no Rasa, no SQL. Deterministic: the
same state and catalog always give the same plan (ties are broken by id).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, FrozenSet, Iterable, List, Optional, Sequence, Set, Tuple

from knowledge.catalog import Catalog, Intervention
from knowledge.interview import intervention_phrases
from knowledge.matching import TermMatcher, normalize

STEP_ORDER = ("analyse", "samenwerking", "interventies", "deskundigheid", "borging")

# Substances that are about use at parties or of illegal drugs: harm reduction is relevant.
PARTY_DRUGS = {"xtc", "cocaine", "3mmc", "lachgas", "ghb", "ketamine", "amfetamine", "middelen_algemeen"}
# Settings where supply can be limited by rules, enforcement and agreements.
SUPPLY_SETTINGS = {"uitgaan", "evenementen", "straat", "sportclub", "wijk", "online"}
# Substances whose sale is regulated or forbidden: supply reduction always relevant.
SUPPLY_SUBSTANCES = {"alcohol", "tabak", "lachgas", "3mmc", "cannabis", "xtc", "cocaine", "ghb", "amfetamine", "gokken"}
HARM_GROUPS = {"uitgaanspubliek", "dak_thuislozen", "zorgmijders", "studenten"}
YOUTH_GROUPS = {
    "jongeren_algemeen", "uitgaanspubliek", "hangjongeren", "jeugdzorg_jongeren", "kopp_kov",
    "studenten", "vmbo_pro_leerlingen", "jongeren_psychisch",
}
LAW_TYPES = {"wet", "beleidsmaatregel"}

# Weights of the score: fit (what the record is about) and evidence (how well it is known to work).
W_SUBSTANCE, W_GROUP, W_SETTING = 0.40, 0.35, 0.25
W_FIT, W_EVIDENCE = 0.70, 0.30
MIN_FIT = 0.30
SUBSTANCE_MISMATCH = 0.4
OFF_TARGET = 0.6
# When the officer named groups, the group decides: its weight goes up, and steps 3 and 4 only
# take records made for those groups (or for every group). Other records are offers ("andere optie").
W_GROUP_NAMED, W_SUBSTANCE_NAMED, W_SETTING_NAMED = 0.55, 0.25, 0.20
ALL_GROUPS_FIT = 0.7
GROUP_STEPS = ("interventies", "deskundigheid")
MAX_INVITE = 5
BEHAVIOURS = {"gokken", "gamen"}
# Words in the capacity answer that mean: little time or money, so fewer options per step.
LOW_CAPACITY = re.compile(
    r"\b(weinig|beperkt|beperkte|laag|lage|krap|geen (geld|budget|tijd|uren)|nauwelijks"
    r"|(een )?paar uur|enkele uren|halve dag)\b"
)
RISING = re.compile(r"\b(stijg\w*|toe ?nemend|neemt toe|toename|meer|groei\w*|vaker)\b")


def is_low_capacity(capacity: Optional[str]) -> bool:
    """Whether the capacity answer means little time or money ("weinig", "een paar uur per week")."""
    return bool(capacity and LOW_CAPACITY.search(normalize(capacity)))


@dataclass
class Signal:
    substances: List[str] = field(default_factory=list)
    settings: List[str] = field(default_factory=list)
    reporters: List[str] = field(default_factory=list)
    description: str = ""
    trend: Optional[str] = None


@dataclass
class InterviewState:
    municipality: Optional[str] = None
    signals: List[Signal] = field(default_factory=list)
    groups: List[str] = field(default_factory=list)
    partners_present: List[str] = field(default_factory=list)
    policy: Optional[str] = None
    capacity: Optional[str] = None
    rejected: List[str] = field(default_factory=list)  # intervention ids the officer rejected
    rejected_types: List[str] = field(default_factory=list)  # intervention types rejected
    pinned: Dict[str, List[str]] = field(default_factory=dict)  # step id -> ids the officer added

    @property
    def substances(self) -> List[str]:
        return _unique(s for sig in self.signals for s in sig.substances)

    @property
    def settings(self) -> List[str]:
        return _unique(s for sig in self.signals for s in sig.settings)


@dataclass
class Option:
    intervention: Intervention
    score: int
    fit: float
    evidence: float
    why: str
    partners_needed: List[str]
    partners_missing: List[str]
    pillar: Optional[str] = None


@dataclass
class PlanStep:
    id: str
    title: str
    options: List[Option]
    notes: List[str] = field(default_factory=list)


@dataclass
class Plan:
    state: InterviewState
    steps: List[PlanStep]
    pillars: List[str]
    partners_missing: List[str]  # the few partners to invite, most important first
    partner_reasons: Dict[str, str] = field(default_factory=dict)  # partner id -> why invite them

    def option_ids(self) -> List[str]:
        return [o.intervention.id for s in self.steps for o in s.options]

    def step(self, step_id: str) -> PlanStep:
        return next(s for s in self.steps if s.id == step_id)


def _unique(items: Iterable[str]) -> List[str]:
    seen: Set[str] = set()
    out = []
    for item in items:
        if item not in seen:
            seen.add(item)
            out.append(item)
    return out


@dataclass(frozen=True)
class _Wanted:
    """What an interview state asks for, as sets, computed once per plan."""

    substances: FrozenSet[str]
    settings: FrozenSet[str]
    groups: FrozenSet[str]
    party_drugs: bool
    substance_use: bool
    youth: bool

    @classmethod
    def of(cls, state: InterviewState) -> _Wanted:
        substances = frozenset(state.substances)
        groups = frozenset(state.groups)
        return cls(
            substances, frozenset(state.settings), groups, bool(substances & PARTY_DRUGS),
            bool(substances - BEHAVIOURS), bool(groups & YOUTH_GROUPS),
        )


@dataclass
class _Hit:
    item: Intervention
    score: int
    fit: float
    evidence: float
    matched: Dict[str, List[str]]

    @property
    def targeted(self) -> bool:
        """Made for one of the named groups, or for every group."""
        return bool(self.matched["groups"]) or bool(self.matched.get("everyone"))


def and_list(words: Sequence[str]) -> str:
    words = list(words)
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " en " + words[-1]


class PlanEngine:
    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self._names: Optional[TermMatcher] = None
        levels = catalog.vocabulary["recognition_levels"]
        self._max_rank = max(t.rank for t in levels.values()) or 1

    # -- scoring -------------------------------------------------------------------------

    def pillars_for(self, state: InterviewState) -> List[str]:
        """Which of the three pillars the signals call for (demand reduction always)."""
        substances, settings, groups = set(state.substances), set(state.settings), set(state.groups)
        pillars = ["vraagbeperking"]
        if substances & SUPPLY_SUBSTANCES or settings & SUPPLY_SETTINGS:
            pillars.append("aanbodbeperking")
        if substances & PARTY_DRUGS or settings & {"uitgaan", "evenementen"} or groups & HARM_GROUPS:
            pillars.append("schadebeperking")
        return pillars

    def evidence(self, item: Intervention) -> float:
        level = item.recognition.level
        if level == "niet_beoordeeld" and item.type in LAW_TYPES:
            return 0.5  # laws and local rules are not assessed as interventions; neutral weight
        return self.catalog.recognition_rank(item) / self._max_rank

    def _fit(self, item: Intervention, wanted: _Wanted) -> Tuple[float, Dict[str, List[str]]]:
        matched: Dict[str, List[str]] = {"substances": [], "groups": [], "settings": [], "everyone": []}

        subs = [s for s in item.substances if s in wanted.substances]
        if subs:
            s_fit = 1.0
            matched["substances"] = subs
        elif not wanted.substances:
            s_fit = 0.5
        elif wanted.substance_use and "middelen_algemeen" in item.substances:
            s_fit = 0.6  # general substance prevention covers any substance, not gambling or gaming
        elif not item.substances:
            s_fit = 0.3
        else:
            s_fit = 0.0

        groups = [g for g in item.groups if g in wanted.groups]
        all_groups = bool(getattr(item, "all_groups", False))
        specific = bool(item.substances) and "middelen_algemeen" not in item.substances
        if groups:
            g_fit = 1.0
            matched["groups"] = groups
        elif not wanted.groups:
            g_fit = 0.4
        elif all_groups and (not specific or set(item.substances) & wanted.substances):
            # For every group; a record about one substance only when that substance is named.
            g_fit = ALL_GROUPS_FIT
            matched["everyone"] = ["ja"]
        elif wanted.youth and "jongeren_algemeen" in item.groups:
            g_fit = 0.5
        else:
            g_fit = 0.0

        settings = [s for s in item.settings if s in wanted.settings]
        if settings:
            t_fit = 1.0
            matched["settings"] = settings
        elif not wanted.settings or not item.settings:
            t_fit = 0.3
        else:
            t_fit = 0.0
        if wanted.groups:
            fit = W_SUBSTANCE_NAMED * s_fit + W_GROUP_NAMED * g_fit + W_SETTING_NAMED * t_fit
            if s_fit == 0.0:
                # About another substance: a weak fit, less weak when it is made for the group.
                fit *= SUBSTANCE_MISMATCH if g_fit < ALL_GROUPS_FIT else 0.5
            if g_fit < 0.5 and t_fit < 1.0:
                fit *= OFF_TARGET  # reaches neither the groups nor the place of the signal
        else:
            fit = W_SUBSTANCE * s_fit + W_GROUP * g_fit + W_SETTING * t_fit
            if s_fit == 0.0:
                fit *= SUBSTANCE_MISMATCH  # about another substance: only a weak fit, however well the rest fits
        return fit, matched

    def _why(self, item: Intervention, matched: Dict[str, List[str]]) -> str:
        cat = self.catalog
        parts = []
        if matched["substances"]:
            parts.append("middel: " + and_list([cat.label("substances", s) for s in matched["substances"]]))
        if matched["groups"]:
            parts.append("groep: " + and_list([cat.groups[g].short for g in matched["groups"]]))
        if matched["settings"]:
            parts.append("plek: " + and_list([cat.label("settings", s) for s in matched["settings"]]))
        if parts:
            return "Past bij jouw situatie (" + "; ".join(parts) + ")."
        return "Algemene maatregel die de rest van het plan ondersteunt."

    def _option(self, hit: _Hit, state: InterviewState, pillar: Optional[str] = None) -> Option:
        item = hit.item
        present = set(state.partners_present)
        return Option(
            intervention=item,
            score=hit.score,
            fit=round(hit.fit, 3),
            evidence=round(hit.evidence, 3),
            why=self._why(item, hit.matched),
            partners_needed=list(item.partners),
            partners_missing=[p for p in item.partners if p not in present],
            pillar=pillar,
        )

    def _hit(self, item: Intervention, wanted: _Wanted) -> Optional[_Hit]:
        fit, matched = self._fit(item, wanted)
        if fit < MIN_FIT:
            return None
        evidence = self.evidence(item)
        return _Hit(item, round(100 * (W_FIT * fit + W_EVIDENCE * evidence)), fit, evidence, matched)

    def _hits(self, state: InterviewState) -> List[_Hit]:
        """Every fitting record, scored once, best first, without rejected records or types."""
        wanted = _Wanted.of(state)
        rejected, rejected_types = set(state.rejected), set(state.rejected_types)
        hits = []
        for item in self.catalog.interventions.values():
            if item.id in rejected or item.type in rejected_types:
                continue
            hit = self._hit(item, wanted)
            if hit is not None:
                hits.append(hit)
        hits.sort(key=lambda h: (-h.score, -h.fit, h.item.id))
        return hits

    def in_place(self, state: InterviewState) -> List[str]:
        """Interventions the officer says are already part of the local policy."""
        if not state.policy:
            return []
        if self._names is None:
            self._names = TermMatcher(intervention_phrases(self.catalog))
        return self._names.find(state.policy)

    @staticmethod
    def low_capacity(state: InterviewState) -> bool:
        return is_low_capacity(state.capacity)

    # -- the plan ------------------------------------------------------------------------

    def make_plan(self, state: InterviewState, per_step: int = 3, per_pillar: int = 2) -> Plan:
        in_place = self.in_place(state)
        low_capacity = self.low_capacity(state)
        if low_capacity:
            per_step, per_pillar = min(per_step, 2), 1
        used: Set[str] = set(in_place)  # already there: build on it, do not propose it again
        steps: List[PlanStep] = []
        pillars = self.pillars_for(state)
        cat = self.catalog

        hits = self._hits(state)

        by_id = {hit.item.id: hit for hit in hits}
        reserved = {i for ids in state.pinned.values() for i in ids}  # kept for the step they were added to

        def take_pinned(step: str) -> List[Option]:
            """Records the officer added to this step come first, even when they score low."""
            chosen = []
            for item_id in state.pinned.get(step, []):
                item = cat.interventions.get(item_id)
                if item is None or item_id in used or item_id in state.rejected:
                    continue
                reserved.discard(item_id)
                hit = by_id.get(item_id) or _Hit(item, 0, 0.0, self.evidence(item), {"substances": [], "groups": [], "settings": [], "everyone": []})
                chosen.append(self._option(hit, state))
                used.add(item_id)
            return chosen

        group_centred = bool(state.groups)

        def take(step: str, limit: int, pillar: Optional[str] = None) -> List[Option]:
            chosen = []
            for hit in hits:
                item = hit.item
                if item.id in used or item.id in reserved or step not in item.steps or (pillar and pillar not in item.pillars):
                    continue
                if group_centred and step in GROUP_STEPS and not hit.targeted:
                    continue  # the named groups decide; broader records stay available as other options
                chosen.append(self._option(hit, state, pillar))
                used.add(item.id)
                if len(chosen) == limit:
                    break
            return chosen

        # Step 3 is chosen first, so that the core interventions are not taken by other steps.
        core: List[Option] = take_pinned("interventies")
        core_notes: List[str] = []
        for pillar in pillars:
            chosen = take("interventies", per_pillar, pillar)
            if not chosen:
                core_notes.append(self._empty_note(state, cat.label("pillars", pillar)))
            core.extend(chosen)

        for step_id in STEP_ORDER:
            title = cat.label("approach_steps", step_id)
            if step_id == "interventies":
                steps.append(PlanStep(step_id, title, core, core_notes))
                continue
            chosen = take_pinned(step_id)
            chosen += take(step_id, per_step)
            notes = self._step_notes(step_id, state, in_place, low_capacity)
            if not chosen:
                notes.append(self._empty_note(state, title.lower()))
            steps.append(PlanStep(step_id, title, chosen, notes))

        missing, reasons = self.partners_to_invite(state, steps)
        return Plan(state=state, steps=steps, pillars=pillars, partners_missing=missing, partner_reasons=reasons)

    def partners_to_invite(self, state: InterviewState, steps: Sequence[PlanStep]) -> Tuple[List[str], Dict[str, str]]:
        """The few partners not at the table who matter most: those who reach the named groups,
        then those the plan's options need most often; each with why (at most MAX_INVITE)."""
        cat = self.catalog
        present = set(state.partners_present)
        uses: Dict[str, int] = {}
        for step in steps:
            for option in step.options:
                for p in option.partners_needed:
                    uses[p] = uses.get(p, 0) + 1
        scored = []
        for position, partner in enumerate(cat.partners.values()):
            if partner.id in present:
                continue
            reach = [g for g in state.groups if g in partner.groups]
            used = uses.get(partner.id, 0)
            if not reach and not used:
                continue
            scored.append((-(3 * len(reach) + used), position, partner.id, reach, used))
        scored.sort()
        missing, reasons = [], {}
        for _, _, partner_id, reach, used in scored[:MAX_INVITE]:
            parts = []
            if reach:
                parts.append("bereikt " + and_list([cat.groups[g].short for g in reach]))
            if used:
                parts.append(f"nodig voor {used} {'optie' if used == 1 else 'opties'} in het plan")
            missing.append(partner_id)
            reasons[partner_id] = " en ".join(parts)
        return missing, reasons

    def alternatives(self, plan: Plan, step_id: str, limit: int = 3) -> List[Option]:
        """Other fitting records for one step of a plan, best first, not already in the plan."""
        taken = set(plan.option_ids()) | set(self.in_place(plan.state))
        out = []
        for hit in self._hits(plan.state):
            if hit.item.id in taken or step_id not in hit.item.steps:
                continue
            out.append(self._option(hit, plan.state))
            if len(out) == limit:
                break
        return out

    def _empty_note(self, state: InterviewState, what: str) -> str:
        about = and_list([self.catalog.label("substances", s) for s in state.substances]) or "dit signaal"
        groups = and_list([self.catalog.groups[g].short for g in state.groups if g in self.catalog.groups])
        if groups:
            about += f" bij {groups}"
        text = (
            f"Geen erkende interventie gevonden voor {what} ({about}). "
            "Overweeg bestaand aanbod van de GGD of de verslavingszorg, of vraag het Trimbos-instituut om advies."
        )
        if groups:
            text += " Vraag om een 'andere optie' voor interventies die breder zijn dan deze groep."
        return text

    def _step_notes(self, step_id: str, state: InterviewState, in_place: Sequence[str], low_capacity: bool) -> List[str]:
        cat = self.catalog
        notes: List[str] = []
        if step_id == "samenwerking" and low_capacity:
            notes.append("Je hebt weinig capaciteit. Daarom noem ik per stap minder opties: begin met de bovenste.")
        if step_id == "borging" and in_place:
            names = and_list([cat.interventions[i].name for i in in_place])
            notes.append(f"Dit heb je al: {names}. Bouw daarop voort en kijk of het ook dit signaal dekt.")
        if step_id == "analyse":
            if any(sig.trend and RISING.search(normalize(sig.trend)) for sig in state.signals):
                notes.append("Het signaal neemt toe. Leg nu vast wat je ziet, dan kun je later meten of de aanpak werkt.")
            for group_id in state.groups:
                group = cat.groups.get(group_id)
                if group is None:
                    continue
                if group.local_sources:
                    notes.append(f"Voor {group.short}: kijk in " + and_list(group.local_sources) + ".")
                notes.append(group.local_figures_note)
            if not state.groups:
                notes.append("Kijk in de Gezondheidsmonitor van je GGD en op waarstaatjegemeente.nl.")
        return notes

