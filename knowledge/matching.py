"""Find knowledge-base terms (substances, settings, groups, partners) in free Dutch text."""
from __future__ import annotations

import difflib
import re
import unicodedata
from typing import Any, Dict, Iterable, List, Mapping, Optional, Tuple

_NON_WORD = re.compile(r"[^a-z0-9]+")


def normalize(text: str) -> str:
    """Lower case, accents removed, punctuation to single spaces: 'Cocaïne!' -> 'cocaine'."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return _NON_WORD.sub(" ", text).strip()


def _variants(phrase: str) -> List[str]:
    """A phrase and its form without hyphens/spaces ('3-mmc' -> '3 mmc', '3mmc')."""
    norm = normalize(phrase)
    out = [norm]
    joined = norm.replace(" ", "")
    if joined != norm and len(joined) >= 3:
        out.append(joined)
    return out


class TermMatcher:
    """Matches any of a set of phrases (per id) in text, with tolerance for small typos.

    Exact whole-word matches come first; a single word of 5+ letters may also match a
    one-word phrase when they are very similar ('jongerenwerkr' -> 'jongerenwerk'). Only
    phrases that are one word themselves count for this (not 'maatschappelijkwerk' made from
    'maatschappelijk werk'), and their length may differ by at most MAX_TYPO_LENGTH_DIFF
    letters, so that a longer compound is not taken for a typo ('vluchtelingenwerk' is not
    'vluchtelingen').
    """

    MAX_TYPO_LENGTH_DIFF = 2

    def __init__(self, phrases_by_id: Mapping[str, Iterable[str]], fuzzy_cutoff: float = 0.86):
        self.fuzzy_cutoff = fuzzy_cutoff
        self._patterns: List[Tuple[str, re.Pattern[str], int]] = []
        self._single_words: Dict[str, str] = {}
        for item_id, phrases in phrases_by_id.items():
            for phrase in phrases:
                for position, variant in enumerate(_variants(phrase)):
                    if not variant:
                        continue
                    pattern = re.compile(r"(?<![a-z0-9])" + re.escape(variant) + r"(?![a-z0-9])")
                    self._patterns.append((item_id, pattern, len(variant)))
                    if position == 0 and " " not in variant and len(variant) >= 5:
                        self._single_words.setdefault(variant, item_id)
        # Longer phrases first, so 'sterke drank' wins over 'drank' at the same place.
        self._patterns.sort(key=lambda p: -p[2])

    def blank(self, text: str) -> str:
        """``text`` normalized, with every exact match replaced by spaces (to look for other terms
        outside these phrases: 'PHP alcohol' names a measure, not a substance)."""
        chars = list(normalize(text))
        norm = "".join(chars)
        for _, pattern, _ in self._patterns:
            for match in pattern.finditer(norm):
                for i in range(*match.span()):
                    chars[i] = " "
        return " ".join("".join(chars).split())

    def find(self, text: str) -> List[str]:
        """Ids found in ``text``, in order of first appearance, without duplicates."""
        norm = normalize(text)
        if not norm:
            return []
        taken = [False] * len(norm)
        hits: List[Tuple[int, str]] = []
        for item_id, pattern, _ in self._patterns:
            for match in pattern.finditer(norm):
                start, end = match.span()
                if any(taken[start:end]):
                    continue
                for i in range(start, end):
                    taken[i] = True
                hits.append((start, item_id))
        # Typo tolerance for words not matched exactly.
        position = 0
        for word in norm.split(" "):
            start = norm.index(word, position)
            position = start + len(word)
            if len(word) < 5 or any(taken[start:position]):
                continue
            candidates = [w for w in self._single_words if abs(len(w) - len(word)) <= self.MAX_TYPO_LENGTH_DIFF]
            close = difflib.get_close_matches(word, candidates, n=1, cutoff=self.fuzzy_cutoff)
            if close:
                hits.append((start, self._single_words[close[0]]))
        seen = set()
        result = []
        for _, item_id in sorted(hits):
            if item_id not in seen:
                seen.add(item_id)
                result.append(item_id)
        return result


def phrases(items: Iterable[Any], extra: Optional[Mapping[str, Iterable[str]]] = None) -> Dict[str, List[str]]:
    """Phrases per id for vocabulary terms, groups or partners: id words, label/name, synonyms."""
    result: Dict[str, List[str]] = {}
    for item in items:
        words = list(getattr(item, "synonyms", ()))
        for attr in ("label", "name", "short"):
            value = getattr(item, attr, None)
            if value:
                words.append(value)
        words.append(item.id.replace("_", " "))
        if extra and item.id in extra:
            words.extend(extra[item.id])
        result[item.id] = words
    return result
