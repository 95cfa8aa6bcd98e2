"""Recognise a Dutch municipality in what an officer types.

Checked against the CBS list of all municipalities (``data/gemeenten.csv``). People write
names without CBS suffixes ("Bergen"), with everyday names ("Den Haag"), with "gemeente"
in front, or with a typo ("Amersfort"): each gets a clear result.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional, Tuple

from knowledge.catalog import Municipality
from knowledge.matching import normalize

# Everyday names that differ from the CBS name.
ALIASES = {
    "den haag": "'s-Gravenhage",
    "the hague": "'s-Gravenhage",
    "den bosch": "'s-Hertogenbosch",
    "s hertogenbosch": "'s-Hertogenbosch",
    "hertogenbosch": "'s-Hertogenbosch",
    "nuenen": "Nuenen, Gerwen en Nederwetten",
    "sudwest friesland": "Súdwest-Fryslân",
    "noordoost friesland": "Noardeast-Fryslân",
    "tietjerksteradeel": "Tytsjerksteradiel",
    "de friese meren": "De Fryske Marren",
    "dantumadeel": "Dantumadiel",
    "a dam": "Amsterdam",
    "adam": "Amsterdam",
    "r dam": "Rotterdam",
    "rdam": "Rotterdam",
    "capelle aan den ijssel": "Capelle aan den IJssel",
    "capelle a d ijssel": "Capelle aan den IJssel",
}

# Words around a name that carry no meaning for the lookup.
_FILLER = {
    "gemeente", "gem", "de", "het", "in", "bij", "van", "ik", "werk", "we", "wij", "zijn", "is", "uit",
    "voor", "mijn", "onze", "ons", "it", "s", "t", "dat", "hier", "nee", "ja", "hoor", "graag", "dus",
    "weet", "niet", "geen", "idee", "onbekend", "wat", "welke", "waar", "hoe", "ok", "oke",
}

_SUFFIX = re.compile(r"\s*\([^)]*\)\s*$")


@dataclass
class Lookup:
    """The outcome of a lookup: a match, a suggestion to confirm, an ambiguity, or nothing."""

    status: str  # "found" | "suggest" | "ambiguous" | "unknown"
    municipality: Optional[Municipality] = None
    candidates: List[Municipality] = field(default_factory=list)


class MunicipalityIndex:
    def __init__(self, municipalities: Iterable[Municipality]):
        self.by_name: Dict[str, Municipality] = {}
        self._keys: Dict[str, List[Municipality]] = {}
        items = list(municipalities)
        for muni in items:
            self.by_name[muni.name] = muni
            self._add(normalize(muni.name), muni)
            base = normalize(_SUFFIX.sub("", muni.name))
            if base != normalize(muni.name):
                self._add(base, muni)
        for alias, name in ALIASES.items():
            if name in self.by_name:
                self._add(normalize(alias), self.by_name[name])
        self._max_words = max(len(k.split()) for k in self._keys)

    def _add(self, key: str, muni: Municipality) -> None:
        bucket = self._keys.setdefault(key, [])
        if muni not in bucket:
            bucket.append(muni)

    def get(self, name: str) -> Optional[Municipality]:
        """Exact CBS name or an unambiguous alias."""
        if name in self.by_name:
            return self.by_name[name]
        found = self._keys.get(normalize(name), [])
        return found[0] if len(found) == 1 else None

    def _ngrams(self, words: List[str]) -> List[Tuple[int, str]]:
        grams = []
        for size in range(min(self._max_words, len(words)), 0, -1):
            for start in range(0, len(words) - size + 1):
                grams.append((size, " ".join(words[start:start + size])))
        return grams

    def lookup(self, text: str) -> Lookup:
        words = normalize(text).split()
        if not words:
            return Lookup("unknown")
        # 1. An exact name anywhere in the text, longest first.
        for _, gram in self._ngrams(words):
            found = self._keys.get(gram)
            if found:
                if len(found) == 1:
                    return Lookup("found", municipality=found[0])
                return Lookup("ambiguous", candidates=sorted(found, key=lambda m: m.name))
        # 2. A near miss: compare the meaningful words (and short runs of them) with all names.
        content = [w for w in words if w not in _FILLER]
        if not content or len(content) > 6:
            return Lookup("unknown")
        best: Tuple[float, Optional[str]] = (0.0, None)
        for _, gram in self._ngrams(content):
            if len(gram) < 4:
                continue
            for key in difflib.get_close_matches(gram, self._keys.keys(), n=3, cutoff=0.8):
                score = difflib.SequenceMatcher(None, gram, key).ratio()
                if score > best[0]:
                    best = (score, key)
        if best[1] is not None:
            found = self._keys[best[1]]
            if len(found) == 1:
                return Lookup("suggest", municipality=found[0])
            return Lookup("ambiguous", candidates=sorted(found, key=lambda m: m.name))
        return Lookup("unknown")
