"""Understand interview answers: find knowledge-base ids in what an officer types."""
from __future__ import annotations

import re
from typing import List

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


class AnswerParser:
    """Turns free-text answers into ids of substances, settings, groups and partners."""

    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self.municipalities = MunicipalityIndex(catalog.municipalities.values())
        self._substances = TermMatcher(phrases(catalog.vocabulary["substances"].values()))
        self._settings = TermMatcher(phrases(catalog.vocabulary["settings"].values()))
        self._groups = TermMatcher(phrases(catalog.groups.values()))
        self._partners = TermMatcher(phrases(catalog.partners.values()))

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

    def partners(self, text: str) -> List[str]:
        return self._partners.find(text)

    def suggest_groups(self, substances: List[str], settings: List[str], limit: int = 4) -> List[str]:
        """Groups most often linked to these substances and settings, best first."""
        scores = []
        for position, group in enumerate(self.catalog.groups.values()):
            score = 2 * len(set(group.substances) & set(substances)) + 3 * len(set(group.settings) & set(settings))
            if score:
                scores.append((-score, position, group.id))
        return [g for _, _, g in sorted(scores)[:limit]]
