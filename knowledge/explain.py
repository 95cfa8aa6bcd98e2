"""Answer short questions in between: "wat is selectieve preventie?", "wie is het IVZ?".

Looks the question up in the knowledge base (interventions, groups, partners, pillars and
prevention forms) and in the glossary of other terms. Pure Python, no Rasa.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from knowledge.catalog import Catalog, GlossaryEntry, Intervention
from knowledge.interview import intervention_phrases
from knowledge.loader import DATA_DIR, load_glossary
from knowledge.matching import TermMatcher, phrases


@dataclass(frozen=True)
class Answer:
    kind: str  # intervention | glossary | group | partner | pillars | prevention_forms
    id: str
    title: str
    text: str
    sources: Tuple[str, ...] = ()


class Explainer:
    def __init__(self, catalog: Catalog, glossary: Optional[Dict[str, GlossaryEntry]] = None):
        self.catalog = catalog
        self.glossary = glossary if glossary is not None else load_glossary(Path(DATA_DIR) / "glossary.yaml")
        vocab = catalog.vocabulary
        # Most specific first: a named intervention beats a general term in the same question.
        self._matchers: List[Tuple[str, TermMatcher]] = [
            ("intervention", TermMatcher(intervention_phrases(catalog), fuzzy_cutoff=0.9)),
            ("glossary", TermMatcher({e.id: e.terms for e in self.glossary.values()})),
            ("prevention_forms", TermMatcher(phrases(vocab["prevention_forms"].values()))),
            ("pillars", TermMatcher(phrases(vocab["pillars"].values()))),
            ("group", TermMatcher(phrases(catalog.groups.values()))),
            ("partner", TermMatcher(phrases(catalog.partners.values()))),
        ]

    def answer(self, question: str) -> Optional[Answer]:
        for kind, matcher in self._matchers:
            found = matcher.find(question)
            if found:
                return self.explain(kind, found[0])
        return None

    def explain(self, kind: str, item_id: str) -> Answer:
        cat = self.catalog
        if kind == "intervention":
            return self.intervention(cat.interventions[item_id])
        if kind == "glossary":
            entry = self.glossary[item_id]
            return Answer(kind, item_id, entry.terms[0], entry.text, entry.sources)
        if kind == "group":
            group = cat.groups[item_id]
            text = group.description
            if group.national_size:
                size = group.national_size
                text += f" Landelijk: {size.figure} ({size.year}, bron: {size.source})."
            return Answer(kind, item_id, group.name, text, group.sources)
        if kind == "partner":
            partner = cat.partners[item_id]
            return Answer(kind, item_id, partner.name, partner.role)
        term = cat.term(kind, item_id)
        return Answer(kind, item_id, term.label, term.description)

    def intervention(self, item: Intervention) -> Answer:
        cat = self.catalog
        level = cat.recognition_label(item)
        if item.recognition.date:
            level += f" (sinds {item.recognition.date:%d-%m-%Y})"
        who = item.target if item.age in ("", "onbekend") else f"{item.target} ({item.age})"
        text = (
            f"{item.description} Voor wie: {who}. Aanbieder: {item.owner}. "
            f"Soort: {cat.label('intervention_types', item.type)}. Erkenning: {level}."
        )
        return Answer("intervention", item.id, item.name, text, item.sources)
