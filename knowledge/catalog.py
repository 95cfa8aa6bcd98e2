"""Plain data classes for the validated content of the knowledge base.

These are what the loader produces from the data files, what the store writes to and
reads back from the database, and what the plan engine works on. No Rasa, no SQL here.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Dict, Optional, Tuple


@dataclass(frozen=True)
class Term:
    """One entry of a controlled vocabulary (a substance, setting, pillar, ...)."""

    kind: str
    id: str
    label: str
    synonyms: Tuple[str, ...] = ()
    description: str = ""
    rank: int = 0


@dataclass(frozen=True)
class Recognition:
    level: str
    date: Optional[dt.date] = None
    by: Optional[str] = None


@dataclass(frozen=True)
class Intervention:
    id: str
    name: str
    type: str
    description: str
    owner: str
    target: str
    age: str
    groups: Tuple[str, ...]
    settings: Tuple[str, ...]
    substances: Tuple[str, ...]
    pillars: Tuple[str, ...]
    forms: Tuple[str, ...]
    steps: Tuple[str, ...]
    partners: Tuple[str, ...]
    recognition: Recognition
    evidence_note: Optional[str]
    sources: Tuple[str, ...]
    checked: dt.date
    # True for records not aimed at one group but useful for any group a municipality names
    # (laws, local policy, monitoring instruments, general approaches, funding schemes).
    all_groups: bool = False


@dataclass(frozen=True)
class NationalSize:
    figure: str
    year: int
    source: str


@dataclass(frozen=True)
class Group:
    id: str
    name: str
    short: str
    synonyms: Tuple[str, ...]
    description: str
    risk_factors: Tuple[str, ...]
    protective_factors: Tuple[str, ...]
    settings: Tuple[str, ...]
    substances: Tuple[str, ...]
    national_size: Optional[NationalSize]
    local_sources: Tuple[str, ...]
    local_figures_note: str
    sources: Tuple[str, ...]
    # Descriptions that name the group without a fixed phrase (see knowledge.matching.Cue).
    cues: Tuple[str, ...] = ()


@dataclass(frozen=True)
class Partner:
    id: str
    name: str
    synonyms: Tuple[str, ...]
    role: str
    groups: Tuple[str, ...]
    settings: Tuple[str, ...]


@dataclass(frozen=True)
class GlossaryEntry:
    """A term an officer may ask about, explained in a few sentences."""

    id: str
    terms: Tuple[str, ...]
    text: str
    sources: Tuple[str, ...]


@dataclass(frozen=True)
class Municipality:
    code: str
    name: str
    province: str


VOCABULARY_KINDS = (
    "substances",
    "settings",
    "pillars",
    "prevention_forms",
    "recognition_levels",
    "intervention_types",
    "approach_steps",
)


@dataclass
class Catalog:
    """Everything the knowledge base knows, validated and cross-referenced."""

    vocabulary: Dict[str, Dict[str, Term]]
    interventions: Dict[str, Intervention]
    groups: Dict[str, Group]
    partners: Dict[str, Partner]
    municipalities: Dict[str, Municipality] = field(default_factory=dict)

    def term(self, kind: str, term_id: str) -> Term:
        return self.vocabulary[kind][term_id]

    def label(self, kind: str, term_id: str) -> str:
        term = self.vocabulary.get(kind, {}).get(term_id)
        return term.label if term else term_id

    def recognition_label(self, intervention: Intervention) -> str:
        return self.label("recognition_levels", intervention.recognition.level)

    def recognition_rank(self, intervention: Intervention) -> int:
        return self.vocabulary["recognition_levels"][intervention.recognition.level].rank
