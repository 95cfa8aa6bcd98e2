"""Find knowledge-base terms (substances, settings, groups, partners) in free Dutch text."""
from __future__ import annotations

import difflib
import re
import unicodedata
from typing import Any, Dict, Iterable, List, Mapping, Optional, Tuple

_NON_WORD = re.compile(r"[^a-z0-9]+")
_SENTENCE_END = re.compile(r"[.!?;:\n]+(?:\s|$)")


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


class CueError(ValueError):
    """A cue pattern that cannot be read (the loader turns it into a data-file error)."""


CUE_WINDOW = 12  # the parts of a cue must lie within this many words


Span = Tuple[int, int]


class Cue:
    """A description that names an item without a fixed phrase.

    ``"kind|kinderen|kids > verslaafd* vader|drinkend* moeder"`` finds "kids met een verslaafde
    vader"; ``"mensen|inwoners + schulden|geldzorgen"`` finds "inwoners die in de schulden zitten".
    - "|" separates the alternatives of a part; an alternative may have several words;
    - "*" at the end of a word matches any ending ("verslaaf*": verslaafd, verslaafde);
    - parts joined by "+" occur in any order, parts joined by ">" in this order (one cue uses one
      of the two); together they lie within ``CUE_WINDOW`` words of one sentence;
    - after "!" come words that stop the cue when they are in the same sentence
      ("jongeren + op straat ! dakloos*": street youth, unless they are homeless).
    """

    def __init__(self, text: str):
        self.text = text
        body, _, unless = text.partition("!")
        if "+" in body and ">" in body:
            raise CueError(f"cue '{text}' mixes '+' and '>': use one of the two")
        self.ordered = ">" in body
        self.parts = [self._pattern(raw_part) for raw_part in re.split(r"[+>]", body)]
        self.unless = self._pattern(unless) if unless.strip() else None

    def _pattern(self, raw_part: str) -> re.Pattern[str]:
        """One regular expression for a part's alternatives, matching at every word start."""
        alternatives = []
        for raw in raw_part.split("|"):
            words = []
            for raw_word in raw.split():
                stem = raw_word.endswith("*")
                if "*" in raw_word[:-1]:
                    raise CueError(f"cue '{self.text}': '*' may only end a word ('{raw_word}')")
                norm = normalize(raw_word.rstrip("*")).split()
                if not norm:
                    continue
                if stem and len(norm[-1]) < 3:
                    raise CueError(f"cue '{self.text}': '{raw_word}' is too short to end in '*'")
                words += [re.escape(w) for w in norm[:-1]] + [re.escape(norm[-1]) + ("[a-z0-9]*" if stem else "")]
            if not words:
                raise CueError(f"cue '{self.text}' has an empty alternative")
            alternatives.append(" ".join(words))
        alternatives.sort(key=len, reverse=True)  # the longest alternative at the same place
        return re.compile(r"(?<![a-z0-9])(?=((?:" + "|".join(alternatives) + r")(?![a-z0-9])))")

    def places(self, norm: str, word_at: Dict[int, int]) -> List[List[Tuple[int, int, Span]]]:
        """Per part: (first word, word after the last, characters) of every place it occurs."""
        per_part = []
        for pattern in self.parts:
            places = []
            for match in pattern.finditer(norm):
                start, end = match.span(1)
                places.append((word_at[start], word_at[start] + norm[start:end].count(" ") + 1, (start, end)))
            per_part.append(places)
        return per_part

    def matches(self, norm: str, word_at: Dict[int, int]) -> List[List[Span]]:
        """The character spans of the parts, for every place where all parts occur close
        together without overlap (the tightest choice per first word)."""
        per_part = self.places(norm, word_at)
        if not all(per_part):
            return []
        best: Dict[int, Tuple[int, List[Span]]] = {}

        def extend(index: int, chosen: List[Tuple[int, int, Span]]) -> None:
            if index == len(per_part):
                first = min(a for a, _, _ in chosen)
                width = max(b for _, b, _ in chosen) - first
                if first not in best or width < best[first][0]:
                    best[first] = (width, [c for _, _, c in chosen])
                return
            for place in per_part[index]:
                if self.ordered and chosen and place[0] < chosen[-1][1]:
                    continue
                if any(place[0] < b and a < place[1] for a, b, _ in chosen):
                    continue
                every = chosen + [place]
                if max(b for _, b, _ in every) - min(a for a, _, _ in every) > CUE_WINDOW:
                    continue
                extend(index + 1, every)

        extend(0, [])
        return [spans for _, (_, spans) in sorted(best.items())]

    def stopped(self, sentence: str) -> bool:
        return bool(self.unless and self.unless.search(sentence))


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

    def __init__(self, phrases_by_id: Mapping[str, Iterable[str]], fuzzy_cutoff: float = 0.86,
                 cues: Optional[Mapping[str, Iterable[str]]] = None, known_words: Iterable[str] = (),
                 generic: Iterable[str] = ()):
        self.fuzzy_cutoff = fuzzy_cutoff
        # Ids whose phrases a cue takes in when one of its parts lies in them: "oudere jongeren
        # die gaan stappen" is the nightlife crowd, with no older adults ("oudere") left over.
        self.generic = set(generic)
        # Words that are right as they are (terms of other kinds): never read as a typo of ours
        # ("oudere" names older people; it is no typo of the partner "ouders").
        self.known_words = {normalize(w) for w in known_words}
        self._cues: List[Tuple[str, Cue]] = [
            (item_id, Cue(text)) for item_id, texts in (cues or {}).items() for text in texts
        ]
        self._id_of: Dict[str, str] = {}  # every phrase variant and its id
        self._single_words: Dict[str, str] = {}
        for item_id, phrases in phrases_by_id.items():
            for phrase in phrases:
                for position, variant in enumerate(_variants(phrase)):
                    if not variant:
                        continue
                    self._id_of.setdefault(variant, item_id)
                    if position == 0 and " " not in variant and len(variant) >= 5:
                        self._single_words.setdefault(variant, item_id)
        # One expression for all phrases, tried at every word start with the longest phrase
        # first: a shorter phrase at the same start lies inside the longer one and would lose
        # to it anyway ('sterke drank' wins over 'drank').
        variants = sorted(self._id_of, key=len, reverse=True)
        self._pattern = re.compile(
            r"(?<![a-z0-9])(?=(" + "|".join(re.escape(v) for v in variants) + r")(?![a-z0-9]))"
        ) if variants else None
        self._typos: Dict[str, Optional[str]] = {}  # word -> id of the term it is a typo of

    def _candidates(self, norm: str, text: str) -> List[Tuple[Span, List[Span], str]]:
        """Every exact phrase and cue match in ``norm`` (the normalized ``text``), longest first,
        as (whole span, the pieces it takes, id). A cue takes its parts (and the phrases they lie
        in), not the words between them; it does not reach over the end of a sentence."""
        found: List[Tuple[Span, List[Span], str, int]] = []
        generic: List[Span] = []
        for match in self._pattern.finditer(norm) if self._pattern else ():
            span = match.span(1)
            item_id = self._id_of[match.group(1)]
            found.append((span, [span], item_id, 1))
            if item_id in self.generic:
                generic.append(span)
        if self._cues:
            word_at: Dict[int, int] = {}
            sentence_of: List[Span] = []  # per word: the characters of its sentence
            position = 0
            for piece in _SENTENCE_END.split(text):
                words = normalize(piece).split()
                if not words:
                    continue
                begin = position
                for word in words:
                    word_at[position] = len(word_at)
                    position += len(word) + 1
                sentence_of += [(begin, position - 1)] * len(words)
            if position - 1 != len(norm):  # cannot happen; never match across text we misread
                word_at = {}
                position = 0
                for word in norm.split(" "):
                    word_at[position] = len(word_at)
                    position += len(word) + 1
                sentence_of = [(0, len(norm))] * len(word_at)
            for item_id, cue in self._cues:
                for parts in cue.matches(norm, word_at):
                    start, end = min(a for a, _ in parts), max(b for _, b in parts)
                    sentence = sentence_of[word_at[start]]
                    if end > sentence[1] or cue.stopped(norm[sentence[0]:sentence[1]]):
                        continue
                    pieces = parts + [g for g in generic if any(g[0] < b and a < g[1] for a, b in parts)]
                    found.append(((start, end), pieces, item_id, len(cue.parts)))
        # Longer matches first, so 'sterke drank' wins over 'drank' at the same place, and a
        # description ("kids met een verslaafde vader") over the single word in it ("kids"); at
        # equal length the cue with more parts (the more specific one).
        found.sort(key=lambda hit: (hit[0][0] - hit[0][1], -hit[3], hit[0][0]))
        return [(whole, pieces, item_id) for whole, pieces, item_id, _ in found]

    def _typo_of(self, word: str) -> Optional[str]:
        """The id of the one-word term ``word`` is a small typo of (remembered per word)."""
        if word not in self._typos:
            if len(self._typos) > 20000:
                self._typos.clear()
            candidates = [w for w in self._single_words if abs(len(w) - len(word)) <= self.MAX_TYPO_LENGTH_DIFF]
            close = difflib.get_close_matches(word, candidates, n=1, cutoff=self.fuzzy_cutoff)
            self._typos[word] = self._single_words[close[0]] if close else None
        return self._typos[word]

    def blank(self, text: str) -> str:
        """``text`` normalized, with every match replaced by spaces (to look for other terms
        outside these phrases: 'PHP alcohol' names a measure, not a substance)."""
        chars = list(normalize(text))
        norm = "".join(chars)
        for (start, end), _, _ in self._candidates(norm, text):
            for i in range(start, end):
                chars[i] = " "
        return " ".join("".join(chars).split())

    def find(self, text: str) -> List[str]:
        """Ids found in ``text``, in order of first appearance, without duplicates."""
        norm = normalize(text)
        if not norm:
            return []
        taken = [False] * len(norm)
        hits: List[Tuple[int, str]] = []
        for (start, _), pieces, item_id in self._candidates(norm, text):
            if any(any(taken[a:b]) for a, b in pieces):
                continue
            for a, b in pieces:
                for i in range(a, b):
                    taken[i] = True
            hits.append((start, item_id))
        # Typo tolerance for words not matched exactly.
        position = 0
        for word in norm.split(" "):
            start = norm.index(word, position)
            position = start + len(word)
            if len(word) < 5 or any(taken[start:position]) or word in self.known_words:
                continue
            typo_of = self._typo_of(word)
            if typo_of:
                hits.append((start, typo_of))
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
