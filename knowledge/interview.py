"""Understand interview answers: find knowledge-base ids in what an officer types."""
from __future__ import annotations

import re
from typing import Dict, List

from knowledge.catalog import Catalog
from knowledge.matching import TermMatcher, normalize, phrases
from knowledge.municipalities import Lookup, MunicipalityIndex

_DONT_KNOW = re.compile(
    r"^(ik )?(weet (ik )?(het )?niet|geen (flauw )?idee|onbekend|geen flauw benul|"
    r"dat weet ik niet|weet niet|geen idee eigenlijk|nog onbekend|\?+)$"
)
_NONE = re.compile(
    r"^(nee|geen|geen een|niemand|nog niemand|niemand nog|niets|niks|geen partners|"
    r"nog geen|nog geen partners|er zit nog niemand|nee nog niet|nog niet)$"
)


# Groups named by general words ("jongeren", "kinderen") that a description makes precise.
GENERIC_GROUPS = ("jongeren_algemeen",)


def intervention_phrases(catalog: Catalog) -> Dict[str, List[str]]:
    """What people type for each intervention: its name, the name without the part in brackets,
    the part before a colon or dash, and an abbreviation in brackets ('... (PHP)')."""
    out: Dict[str, List[str]] = {}
    for item in catalog.interventions.values():
        short = re.sub(r"\s*\(([^)]*)\)", "", item.name).strip()
        words = [item.name, short, re.split(r"\s[–:-]\s|:", short)[0].strip()]
        words += re.findall(r"\(([^)]{2,6})\)", item.name)
        out[item.id] = [w for w in words if len(normalize(w)) >= 3]
    return out


_TYPE_WORDS = {
    "campagne": ["campagne", "campagnes", "reclame"],
    "training": ["training", "trainingen", "cursus", "cursussen", "scholing"],
    "wet": ["wet", "wetten", "regelgeving", "handhaving"],
    "beleidsmaatregel": ["beleidsmaatregel", "beleidsmaatregelen", "regels", "verbod", "verboden"],
    "programma": ["programma", "programmas", "lesprogramma", "lesprogrammas"],
    "instrument": ["instrument", "instrumenten", "tool", "tools", "app", "apps"],
    "interventie": ["interventie", "interventies"],
    "samenwerkingsaanpak": ["samenwerkingsaanpak", "samenwerkingsaanpakken", "netwerk", "overleg"],
    "voorziening": ["voorziening", "voorzieningen"],
}


class AnswerParser:
    """Turns free-text answers into ids of substances, settings, groups and partners."""

    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self.municipalities = MunicipalityIndex(catalog.municipalities.values())
        kinds = {
            "substances": phrases(catalog.vocabulary["substances"].values()),
            "settings": phrases(catalog.vocabulary["settings"].values()),
            "groups": phrases(catalog.groups.values()),
            "partners": phrases(catalog.partners.values()),
        }

        def words_of(kind: str) -> List[str]:
            """Single words named by the other kinds (a right word of one kind is no typo in another)."""
            return [w for other, table in kinds.items() if other != kind
                    for ps in table.values() for w in ps if " " not in normalize(w)]

        self._substances = TermMatcher(kinds["substances"], known_words=words_of("substances"))
        self._settings = TermMatcher(kinds["settings"], known_words=words_of("settings"))
        self._groups = TermMatcher(kinds["groups"], cues={g.id: g.cues for g in catalog.groups.values()},
                                   known_words=words_of("groups"), generic=GENERIC_GROUPS)
        self._partners = TermMatcher(kinds["partners"], known_words=words_of("partners"))
        self._interventions = TermMatcher(intervention_phrases(catalog), fuzzy_cutoff=0.9)
        known_types = catalog.vocabulary["intervention_types"]
        self._types = TermMatcher({t: w for t, w in _TYPE_WORDS.items() if t in known_types})

    @staticmethod
    def is_dont_know(text: str) -> bool:
        return bool(_DONT_KNOW.match(normalize(text).replace(" hoor", "")) or text.strip() in {"?", "??"})

    @staticmethod
    def is_none(text: str) -> bool:
        return bool(_NONE.match(normalize(text)))

    def municipality(self, text: str) -> Lookup:
        return self.municipalities.lookup(text)

    def substances(self, text: str) -> List[str]:
        return self._substances.find(text)

    def settings(self, text: str) -> List[str]:
        return self._settings.find(text)

    def groups(self, text: str) -> List[str]:
        return self._groups.find(text)

    def without_groups(self, text: str) -> str:
        """The text (normalized) without the group names in it ("mensen die geen hulp vragen"
        names a group: its "geen" is no negation)."""
        return self._groups.blank(text)

    def partners(self, text: str) -> List[str]:
        return self._partners.find(text)

    def without_partners(self, text: str) -> str:
        """The text (normalized) without the partner names in it."""
        return self._partners.blank(text)

    def interventions(self, text: str) -> List[str]:
        return self._interventions.find(text)

    def without_interventions(self, text: str) -> str:
        """The text (normalized) without the names of interventions in it."""
        return self._interventions.blank(text)

    def intervention_types(self, text: str) -> List[str]:
        return self._types.find(text)

    def suggest_groups(self, substances: List[str], settings: List[str], limit: int = 4) -> List[str]:
        """Groups most often linked to these substances and settings, best first."""
        scores = []
        for position, group in enumerate(self.catalog.groups.values()):
            score = 2 * len(set(group.substances) & set(substances)) + 3 * len(set(group.settings) & set(settings))
            if score:
                scores.append((-score, position, group.id))
        return [g for _, _, g in sorted(scores)[:limit]]
