"""Read the officer's answers: one parser per question, corrections, information given early.

Pure Python on the knowledge base (no Rasa). A parser gets a :class:`Turn` (what was said,
what is known) and an ``out`` that takes replies (``out.utter_message(text=..., buttons=...)``:
Rasa's dispatcher or :class:`conversation.interview.Replies`), and returns the slot updates, or
None when the text does not answer its question.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Protocol, Tuple

from conversation import kb
from conversation.cleaning import clean_text
from conversation.state import current_signal
from knowledge.matching import normalize
from knowledge.plan import YOUTH_GROUPS, and_list, is_low_capacity

GENERIC_YOUTH = "jongeren_algemeen"

MAX_ANSWER = 2000  # longer answers are cut before parsing; the officer is told
SIGNAL_SLOTS = ("signal_substances", "signal_settings", "signal_reporters", "signal_trend", "signal_text")

YES = re.compile(
    r"^(ja|jazeker|klopt|ja klopt|ja dat klopt|correct|yes|jep|jup|ja graag|precies|ja hoor|zeker|inderdaad|ja die|"
    r"dat klopt|prima|goed zo|oke|ok|okay)\b"
)
NO = re.compile(r"^(nee|neen|nope|nee hoor|niet|nee dank je|nee bedankt|geen|nein)\b")
GREETING = re.compile(r"^(hoi|hallo|hey|hee|hi|hallootjes|goedemorgen|goedemiddag|goedenavond|goeiemorgen|dag|yo|hello)\b")
ADD = re.compile(r"\b(ook|daarnaast|plus|erbij|bovendien|en ook|toevoegen)\b")
REMOVE = re.compile(r"\b(niet|geen|zonder|behalve|weg|haal|ik zei|zei ik|had gezegd|per ongeluk)\b")
CORRECTING = re.compile(r"\b(nee|bedoel|bedoelde|eigenlijk|toch|sorry|correctie|fout|verkeerd|zei|vergissing)\b")
DESCRIBING = re.compile(r"\b(?:die|dat|waar|waarvan|wiens|wier|omdat|want|terwijl|als|wanneer|zodat)\b", re.IGNORECASE)
CLAUSES = re.compile(r"[,;.!?]|\b(?:maar|wel|behalve)\b", re.IGNORECASE)
QUESTION_START = re.compile(
    r"^(wat|wie|hoe|waarom|welke|wanneer|waar is|kun|kan|kunnen|mag|moet|heb je|weet je|is er|zijn er|wat is|wat zijn|"
    r"wat betekent|wat bedoel)\b"
)
WHY_ASKED_Q = re.compile(r"\b(waarom (vraag|wil|moet)|waarvoor (is|dient|heb)|hoezo|wat heb je daaraan)\b")
RESTART = re.compile(
    r"\b(opnieuw( beginnen| starten)?|overnieuw|opnieuw begin\w*|begin (maar )?opnieuw|reset\w*|restart|start over|"
    r"herstart\w*|vergeet (alles|het|dit)|(wis|wissen) alles|alles wissen|nieuw gesprek|van (voor|voren|vooren) af aan|"
    r"vanaf het begin|terug naar het begin|from scratch)\b"
)
NO_SUBSTANCE = re.compile(
    r"\b(geen (specifiek|speciaal|bepaald|enkel) (middel|middelen)|geen middel|niet (een|1|één) middel|"
    r"niet middel ?specifiek|breed|brede aanpak|in het algemeen|algemeen|allerlei|alles|van alles|"
    r"meerdere middelen|verschillende middelen|geen specifiek|niet specifiek|gaat om (de )?groep|middelonafhankelijk)\b"
)
ROLE_WORDS = {
    "gezondheid": re.compile(r"\b(gezondheid\w*|volksgezondheid|publieke gezondheid|wpg|preventie\w*|ggd beleid|zorg)\b"),
    "sociaal_domein": re.compile(r"\b(sociaal|sociale|wmo|jeugd\w*|participatie|armoede\w*|welzijn|schuld\w*|zorg en welzijn)\b"),
    "veiligheid": re.compile(r"\b(veiligheid|openbare orde|oov|ioov|handhaving|ondermijning|toezicht|avv|boa)\b"),
}
ROLE_LABELS = {"gezondheid": "gezondheid", "sociaal_domein": "sociaal domein", "veiligheid": "veiligheid"}
REASON_WORDS = {
    "beleid": re.compile(r"\b(nota\w*|gezondheidsnota|beleid\w*|preventieplan\w*|plan|visie|programma|uitvoeringsplan|php|"
                         r"preventieakkoord|lokaal akkoord|coalitieakkoord|raadsvoorstel|agenda)\b"),
    "signaal": re.compile(r"\b(signaal|signalen|melding\w*|gemeld|zien|zie|zag|zorgen|incident\w*|toename|probleem|problemen|"
                          r"overlast|klachten|merken|merk)\b"),
}
TRENDS = (
    ("neemt toe", re.compile(r"\b(toe|meer|stijg\w*|groei\w*|vaker|toename|erger|steeds|explodeert|flink)\b")),
    ("neemt af", re.compile(r"\b(af|minder|daal\w*|afname|beter)\b")),
    ("blijft gelijk", re.compile(r"\b(gelijk|stabiel|zelfde|hetzelfde|constant|niet veranderd|als altijd|zoals altijd)\b")),
)
ENGLISH = {
    "the", "and", "are", "what", "how", "can", "please", "hello", "with", "this", "speak", "english",
    "you", "your", "does", "have", "there", "which", "where", "who", "thanks", "thank", "yes", "about",
    "we", "our", "see", "more", "is", "it", "my", "i", "want", "need", "do", "not", "know", "hi", "work", "for",
    "city", "town", "municipality", "drugs", "young", "people", "help", "me",
}
DUTCH = {"de", "het", "een", "ik", "niet", "en", "van", "wij", "zijn", "jongeren", "bij", "op", "wat", "hoe", "ja", "nee", "zien"}
REPORTING = re.compile(r"\b(meld\w*|gemeld|signaleer\w*|signaleren|zien|ziet|zagen|zegt|zeggen|horen|hoort|merken|merkt|klaagt|klagen|kwam van|komt van)\b")
HAVE = re.compile(r"\b(hebben|heeft|hadden|al|loopt|lopen|doen|draait|draaien)\b")
CAPACITY = re.compile(r"\b(uur|uren|fte|budget|euro|geld|capaciteit|formatie|gala|spuk)\b")
# Partners at the table ("de politie doet al mee", "we werken samen met de GGD").
PRESENT = re.compile(
    r"\b(aan tafel|samen met|samenwerk\w*|werk(en|t)( al| nu)? met|"
    r"(doe[nt]?|denk(en|t)?|praten|praat|help(en|t)?|kijk(en|t)?)( al| ook| nu)?( met ons)? mee|"
    r"meedoen|meedenken|meepraten|betrokken|aangesloten|sluit(en)?( al| ook)? aan|(er ?)?mee bezig|aan de slag|"
    r"partners?|zitten|zit( al| ook)?|overleg(gen)?|aangehaakt|aan boord|netwerk\w*)\b"
)
# Words that may stand around a bare list of names ("de GGD en het welzijnswerk").
LIST_WORDS = {"en", "de", "het", "een", "ook", "of", "met", "nog", "al", "plus", "ja", "klopt", "enz", "etc", "net", "als",
              "zoals", "verder", "daarnaast", "bovendien", "allebei", "beide", "natuurlijk", "uiteraard"}
ROLE_CUE = re.compile(r"\b(werk|ben|beleidsmedewerker|beleidsadviseur|adviseur|afdeling|domein|team|portefeuille)\b")


class Out(Protocol):
    """Where replies go: Rasa's CollectingDispatcher, or Replies in tests and the benchmark."""

    def utter_message(self, text: Optional[str] = None, buttons: Optional[List[Dict[str, Any]]] = None,
                      **kwargs: Any) -> None: ...


@dataclass
class Turn:
    """What the officer just said, and what is known so far."""

    text: str
    intent: Optional[str]
    entities: Dict[str, List[str]]
    slots: Dict[str, Any]
    sender_id: str = ""  # the conversation id (for signed summary links)
    norm: str = field(init=False)

    def __post_init__(self) -> None:
        self.norm = normalize(self.text)

    @property
    def dont_know(self) -> bool:
        short = len(self.norm.split()) <= 5
        return kb.parser().is_dont_know(self.text) or (self.intent in ("dont_know", "skip_step") and short)

    @property
    def yes(self) -> bool:
        return bool(YES.match(self.norm)) or (self.intent == "affirm" and len(self.norm.split()) <= 3)

    @property
    def no(self) -> bool:
        return bool(NO.match(self.norm)) or (self.intent == "deny" and len(self.norm.split()) <= 3)

    @property
    def is_question(self) -> bool:
        """A question in between ("wat is selectieve preventie?"), by its form, not by the NLU."""
        return self.text.rstrip().endswith("?") or bool(QUESTION_START.match(self.norm))

    @property
    def asks_why(self) -> bool:
        return bool(WHY_ASKED_Q.search(self.norm)) or (self.intent == "ask_why" and len(self.norm.split()) <= 6)

    @property
    def restart(self) -> bool:
        """Asks to start over: needs the words, never the intent alone; a short command."""
        if self.text.strip() == "/start_over":
            return True
        return bool(RESTART.search(self.norm)) and len(self.norm.split()) <= 8

    @property
    def greeting_only(self) -> bool:
        return bool(GREETING.match(self.norm)) and len(self.norm.split()) <= 3


def text_of(value: Any) -> str:
    if isinstance(value, list):
        value = " ".join(str(v) for v in value)
    return str(value or "").strip()


def cut(out: Out, text: str) -> str:
    if len(text) > MAX_ANSWER:
        out.utter_message(
            text=f"Je bericht is erg lang ({len(text)} tekens). Ik lees alleen het begin. "
            "Een korte zin werkt het best."
        )
        return text[:MAX_ANSWER]
    return text


def quoted(text: str, limit: int = 160) -> str:
    """The officer's words, safe to show back (no markup) and not too long."""
    return clean_text(text, limit)


def merge(*lists: List[str]) -> List[str]:
    out: List[str] = []
    for values in lists:
        for value in values:
            if value not in out:
                out.append(value)
    return out


def display_names(catalog: Any, kind: str, ids: List[str]) -> List[str]:
    """Display names for ids of groups, partners, interventions or vocabulary terms; free text
    (a reporter we have no record for) is kept, made safe to show."""
    out = []
    for item_id in ids:
        if kind == "interventions" and item_id in catalog.interventions:
            out.append(catalog.interventions[item_id].name)
        elif kind == "groups" and item_id in catalog.groups:
            out.append(catalog.groups[item_id].short)
        elif kind == "partners" and item_id in catalog.partners:
            out.append(catalog.partners[item_id].name)
        elif kind in catalog.vocabulary:
            out.append(catalog.label(kind, item_id))
        else:
            out.append(quoted(item_id, 80))
    return out


def names(kind: str, ids: List[str]) -> List[str]:
    return display_names(kb.catalog(), kind, ids)


def looks_english(text: str) -> bool:
    words = set(normalize(text).split())
    return len(words & ENGLISH) >= 2 and not words & DUTCH


def trend_of(norm: str) -> Optional[str]:
    for label, pattern in TRENDS:
        if pattern.search(norm):
            return label
    return None


def role_of(norm: str) -> Optional[str]:
    for role, pattern in ROLE_WORDS.items():
        if pattern.search(norm):
            return role
    return None


def reason_of(norm: str) -> Optional[str]:
    for reason, pattern in REASON_WORDS.items():
        if pattern.search(norm):
            return reason
    return None


def substances_in(turn: Turn) -> List[str]:
    parser = kb.parser()
    outside_names = parser.without_interventions(turn.text)
    if outside_names != turn.norm:
        # An intervention is named ("we hebben een PHP alcohol"): its name is no signal, and the
        # NLU may have tagged a word inside it, so only look at the rest of the text.
        return parser.substances(outside_names)
    known = kb.catalog().vocabulary["substances"]
    return merge([v for v in turn.entities.get("substance", []) if v in known], parser.substances(turn.text))


def municipality_in(text: str, entities: Dict[str, List[str]]) -> Optional[str]:
    """A municipality named in a longer message: the NLU entity or a known name, confirmed by the list."""
    parser = kb.parser()
    for value in entities.get("municipality", []):
        lookup = parser.municipality(value)
        if lookup.status == "found" and lookup.municipality is not None:
            return lookup.municipality.name
    lookup = parser.municipality(text)
    if lookup.status != "found" or lookup.municipality is None:
        return None
    name = lookup.municipality.name
    # Only a clear mention: written with a capital, or after "gemeente", "in", "bij", "voor" or "uit"
    # ("dat is best veel" does not name the municipality Best).
    words = [w for w in re.split(r"[^\w'-]+", name) if w]
    capital = any(re.search(r"(?<!\w)" + re.escape(w) + r"(?!\w)", text) for w in words if w[:1].isupper())
    cue = re.search(r"\b(gemeente|in|bij|voor|uit)\s+" + re.escape(normalize(name).split()[0]), normalize(text))
    return name if (capital or cue) else None


def has_content(turn: Turn) -> bool:
    """Says something about the situation: a known term, or a sentence that is not chat or a question."""
    parser = kb.parser()
    if substances_in(turn) or parser.settings(turn.text) or parser.groups(turn.text):
        return True
    if parser.partners(turn.text):
        # Partners reporting or acting say something about the situation; partners at the table
        # ("de politie zit al aan tafel") answer the partner question, kept for it by absorb().
        return not PRESENT.search(turn.norm)
    words = turn.norm.split()
    return (len(words) >= 4 and not turn.is_question and not looks_english(turn.text)
            and turn.intent not in ("chitchat", "out_of_scope", "greet", "goodbye", "thank", "english", "help"))


# -- one parser per question: returns the slot updates, or None when the text is no answer ----


def parse_municipality(turn: Turn, out: Out) -> Optional[Dict[str, Any]]:
    suggestion = turn.slots.get("municipality_suggestion")
    clear = {"municipality_suggestion": None, "municipality_candidates": None}
    if suggestion and turn.yes:
        return {"municipality": suggestion, **clear}
    lookup = kb.parser().municipality(turn.text)
    named = municipality_in(turn.text, turn.entities) if lookup.status != "found" else None
    if named:
        return {"municipality": named, **clear}
    if lookup.status == "found" and lookup.municipality is not None:
        return {"municipality": lookup.municipality.name, **clear}
    if lookup.status == "suggest" and lookup.municipality is not None and not turn.is_question and len(turn.norm.split()) <= 4:
        # A near miss ("Amersfort"), not a word in a sentence ("wat wordt het weer morgen?").
        return {"municipality": None, "municipality_suggestion": lookup.municipality.name, "municipality_candidates": None}
    if lookup.status == "ambiguous":
        return {"municipality": None, "municipality_suggestion": None, "municipality_candidates": [m.name for m in lookup.candidates]}
    if suggestion and turn.no:
        out.utter_message(text="Geen probleem. Typ de naam van je gemeente nog eens.")
        return {"municipality": None, **clear}
    return None


def parse_role(turn: Turn, out: Out) -> Optional[Dict[str, Any]]:
    role = role_of(turn.norm)
    if role:
        return {"role": role}
    if turn.dont_know or turn.norm in ("iets anders", "anders"):
        return {"role": "anders"}
    if 2 <= len(turn.norm) <= 80 and not substances_in(turn) and not turn.is_question and not looks_english(turn.text) \
            and not PRESENT.search(turn.norm) \
            and turn.intent not in ("chitchat", "out_of_scope", "greet", "goodbye", "thank", "help"):
        return {"role": quoted(turn.text, 80)}  # a job title we have no word for: keep it as typed
    return None


def parse_reason(turn: Turn, out: Out) -> Optional[Dict[str, Any]]:
    reason = reason_of(turn.norm)
    if reason == "beleid" and not re.search(r"\b(zien|zie|zag|melding\w*|gemeld|overlast|klachten)\b", turn.norm):
        return {"reason": "beleid"}
    if reason == "signaal" or turn.dont_know:
        return {"reason": "signaal"}
    if has_content(turn):
        # A description of what is going on: that is a signal, in the officer's words.
        update: Dict[str, Any] = {"reason": "signaal"}
        if not turn.slots.get("signal_text"):
            update["signal_text"] = quoted(turn.text, 300)
        return update
    return None


def parse_signal_substances(turn: Turn, out: Out) -> Optional[Dict[str, Any]]:
    found = substances_in(turn)
    result: Dict[str, Any]
    if found:
        result = {"signal_substances": found, "signal_text": quoted(turn.text, 300)}
    elif NO_SUBSTANCE.search(turn.norm) or turn.dont_know:
        out.utter_message(text="Prima. Dan maak ik een plan voor preventie in het algemeen, gericht op de groep.")
        result = {"signal_substances": [], "signal_text": turn.slots.get("signal_text") or quoted(turn.text, 300)}
    elif has_content(turn):
        out.utter_message(text=f"Ik noteer je signaal in je eigen woorden: '{quoted(turn.text)}'. "
                          "Ik ga uit van preventie in het algemeen.")
        result = {"signal_substances": [], "signal_text": quoted(turn.text, 300)}
    else:
        return None
    settings = kb.parser().settings(turn.text)
    if settings and not turn.slots.get("signal_settings"):
        result["signal_settings"] = settings
    return result


def parse_signal_settings(turn: Turn, out: Out) -> Optional[Dict[str, Any]]:
    found = kb.parser().settings(turn.text)
    if found:
        return {"signal_settings": found}
    if turn.dont_know or re.search(r"\b(overal|overal wel|door de hele gemeente|hele gemeente|verschillende plekken)\b", turn.norm):
        out.utter_message(text="Prima, dan laat ik de plek open.")
        return {"signal_settings": []}
    return None


def parse_signal_reporters(turn: Turn, out: Out) -> Optional[Dict[str, Any]]:
    parser = kb.parser()
    found = parser.partners(turn.text)
    if found:
        return {"signal_reporters": found}
    if turn.dont_know or parser.is_none(turn.text):
        return {"signal_reporters": []}
    if not turn.norm or turn.is_question or looks_english(turn.text) or turn.greeting_only:
        return None
    if turn.intent in ("chitchat", "out_of_scope", "thank", "goodbye", "help") and len(turn.norm.split()) < 3:
        return None
    # Someone we have no partner record for (e.g. residents): keep their words.
    return {"signal_reporters": [quoted(turn.text, 200)]}


def parse_signal_trend(turn: Turn, out: Out) -> Optional[Dict[str, Any]]:
    trend = trend_of(turn.norm)
    if trend:
        return {"signal_trend": trend}
    if turn.dont_know:
        return {"signal_trend": "onbekend"}
    if turn.yes:
        return {"signal_trend": "neemt toe"}
    if turn.no:
        return {"signal_trend": "blijft gelijk"}
    return None


def new_signal(turn: Turn, found: List[str]) -> Dict[str, Any]:
    """Keep the current signal with the earlier ones and start a new one."""
    earlier = list(turn.slots.get("signals") or [])
    current = current_signal(turn.slots)
    if current:
        earlier.append(current)
    result: Dict[str, Any] = {slot: None for slot in SIGNAL_SLOTS}
    result.update({"signals": earlier, "more_signals": None, "signal_settings": None})
    if found:
        result.update({"signal_substances": found, "signal_text": quoted(turn.text, 300)})
        settings = kb.parser().settings(turn.text)
        if settings:
            result["signal_settings"] = settings
    return result


def parse_more_signals(turn: Turn, out: Out) -> Optional[Dict[str, Any]]:
    found = substances_in(turn)
    if turn.no or turn.dont_know or kb.parser().is_none(turn.text):
        return {"more_signals": "nee"}
    if turn.yes or found:
        if found:
            out.utter_message(text="Genoteerd: nog een signaal, over " + and_list(names("substances", found)) + ".")
        return new_signal(turn, found)
    return None


def named_and_removed(text: str, finder: Callable[[str], List[str]],
                      blank: Callable[[str], str] = normalize) -> Tuple[List[str], List[str]]:
    """Items named in clauses without and with a negation ("zonder X, maar wel Y" -> [Y], [X];
    "ik zei X, maar het gaat om Y" -> [Y], [X]). ``blank`` removes the names themselves before
    looking for a negation (a name may hold one: "mensen die geen hulp vragen")."""
    added: List[str] = []
    removed: List[str] = []
    for clause in CLAUSES.split(text):
        if not clause:
            continue
        items = finder(clause)
        # A negation belongs to the main clause; one in a part that describes the item does not
        # remove it ("mensen met een laag IQ die de folders niet begrijpen").
        main = DESCRIBING.split(clause, maxsplit=1)[0]
        if REMOVE.search(blank(main)):
            removed = merge(removed, items)
        else:
            added = merge(added, items)
    # A description may reach over a comma ("de hangplek, waar tieners samenkomen"): what the
    # whole text names and no clause did is named too.
    added = merge(added, [item for item in finder(text) if item not in removed])
    return [a for a in added if a not in removed], removed


# A general word for young people, made precise by the place: "jongeren in het uitgaansleven".
REFINED_BY_PLACE = {
    "jongeren_algemeen": {"uitgaan": "uitgaanspubliek", "evenementen": "uitgaanspubliek", "straat": "hangjongeren"},
}


def groups_in(text: str) -> List[str]:
    """Groups named in the text; a general group is made precise by a place named with it."""
    parser = kb.parser()
    found = parser.groups(text)
    settings = parser.settings(text)
    out: List[str] = []
    for group in found:
        refined = {REFINED_BY_PLACE.get(group, {}).get(s) for s in settings}
        # Only when every place named points to the same precise group ("op feestjes thuis en in
        # de sportkantine" is not nightlife).
        only = refined.pop() if len(refined) == 1 else None
        precise = only if only is not None else group
        if precise in kb.catalog().groups and precise not in out:
            out.append(precise)
    return without_generic(out, text)


def without_generic(groups: List[str], text: str = "") -> List[str]:
    """"jongeren" said next to a precise group ("dakloze jongeren", "jongeren in de jeugdzorg")
    describes that group; it is not all young people (unless the officer says "alle jongeren")."""
    if GENERIC_YOUTH in groups and any(g != GENERIC_YOUTH for g in groups) \
            and not re.search(r"\balle (jongeren|jeugd|kinderen)\b", normalize(text)):
        return [g for g in groups if g != GENERIC_YOUTH]
    return groups


def group_clauses(text: str) -> Tuple[List[str], List[str]]:
    """Groups named and groups named with a negation, clause by clause."""
    added, removed = named_and_removed(text, groups_in, kb.parser().without_groups)
    return without_generic(added, text), removed


def offered_groups(slots: Dict[str, Any]) -> List[str]:
    return [g for g in (slots.get("groups_offered") or []) if g in kb.catalog().groups]


def mentioned_groups(slots: Dict[str, Any]) -> List[str]:
    return [g for g in (slots.get("groups_mentioned") or []) if g in kb.catalog().groups]


def parse_groups(turn: Turn, out: Out) -> Optional[Dict[str, Any]]:
    """The groups the officer names are the groups of the plan; offers are added only when chosen."""
    mentioned = mentioned_groups(turn.slots)
    added, removed = group_clauses(turn.text)
    chosen: List[str] = []
    if added or removed:
        chosen = merge([g for g in mentioned if g not in removed], added)
        youth_before = any(g in YOUTH_GROUPS for g in mentioned if g != GENERIC_YOUTH)
        if not ADD.search(turn.norm) and (GENERIC_YOUTH not in added or youth_before):
            # "alle jongeren?" - "jongeren in de jeugdzorg": more precise; "hangjongeren?" - "ja,
            # die jongeren": the same group. Young people named when only adults were named
            # ("ouderen?" - "jongeren op school") are a group of their own.
            chosen = without_generic(chosen, turn.text)
        if not chosen and removed:
            out.utter_message(text="Welke groep dan wel? Noem de groep, of kies een knop.")
            return {"groups": None, "groups_mentioned": [g for g in mentioned if g not in removed]}
    elif mentioned and turn.yes:
        chosen = mentioned  # "ja": what the officer named, nothing more
    if chosen:
        out.utter_message(text="Genoteerd: " + and_list(names("groups", chosen)) + ". Daar maak ik het plan voor.")
        return {"groups": chosen, "groups_mentioned": chosen}
    if turn.dont_know:
        fallback = mentioned or (turn.slots.get("groups_suggested") or [])[:1]
        if fallback:
            out.utter_message(text="Dan ga ik uit van " + and_list(names("groups", fallback)) + ". Je kunt dit later aanpassen.")
        else:
            out.utter_message(text="Dan maak ik een plan voor alle jongeren in je gemeente. Je kunt dit later aanpassen.")
            fallback = [g for g in ("jongeren_algemeen",) if g in kb.catalog().groups]
        return {"groups": fallback}
    if turn.no and mentioned:
        out.utter_message(text="Welke groepen dan? Noem ze, of kies een knop.")
        return {"groups": None}
    return None


def missing_partners(groups: List[str], present: List[str], limit: int = 4) -> List[str]:
    """Partners that reach these groups and are not at the table yet, best first."""
    scored = []
    for position, partner in enumerate(kb.catalog().partners.values()):
        overlap = len(set(partner.groups) & set(groups))
        if overlap and partner.id not in present:
            scored.append((-overlap, position, partner.id))
    return [p for _, _, p in sorted(scored)[:limit]]


def parse_partners_present(turn: Turn, out: Out) -> Optional[Dict[str, Any]]:
    parser = kb.parser()
    found = parser.partners(turn.text)
    if not found and not (parser.is_none(turn.text) or turn.dont_know or turn.no):
        return None
    groups = list(turn.slots.get("groups") or [])
    gap = missing_partners(groups, found, limit=3)
    if found:
        out.utter_message(text="Genoteerd: " + and_list(names("partners", found)) + ".")
    if gap and groups:
        out.utter_message(
            text=f"Voor {and_list(names('groups', groups))} mis ik nog: "
            + and_list(names("partners", gap))
            + ". Zij bereiken deze groepen. Ik neem ze mee in het plan."
        )
    return {"partners_present": found}


def parse_policy(turn: Turn, out: Out) -> Optional[Dict[str, Any]]:
    if turn.dont_know or turn.no or kb.parser().is_none(turn.text) or turn.norm in ("nog geen beleid", "geen beleid"):
        return {"policy": ""}
    if not turn.norm or turn.is_question or turn.greeting_only or looks_english(turn.text):
        return None
    policy = quoted(turn.text, 500)
    in_place = kb.parser().interventions(policy)
    if in_place:
        out.utter_message(text=f"Genoteerd. Je hebt al: {and_list(names('interventions', in_place))}. "
                          "Dat stel ik niet opnieuw voor.")
    else:
        out.utter_message(
            text="Genoteerd. Ik herken er geen maatregel uit mijn lijst in. "
            "Noem de naam van een maatregel, dan stel ik die niet opnieuw voor."
        )
    return {"policy": policy}


def parse_capacity(turn: Turn, out: Out) -> Optional[Dict[str, Any]]:
    if turn.dont_know:
        return {"capacity": ""}
    if not turn.norm or turn.is_question or turn.greeting_only or looks_english(turn.text):
        return None
    if is_low_capacity(turn.text):
        out.utter_message(text="Genoteerd: weinig tijd en geld. Ik stel per stap minder opties voor.")
    return {"capacity": quoted(turn.text, 300)}


PARSERS: Dict[str, Callable[[Turn, Out], Optional[Dict[str, Any]]]] = {
    "municipality": parse_municipality,
    "role": parse_role,
    "reason": parse_reason,
    "signal_substances": parse_signal_substances,
    "signal_settings": parse_signal_settings,
    "signal_reporters": parse_signal_reporters,
    "signal_trend": parse_signal_trend,
    "more_signals": parse_more_signals,
    "groups": parse_groups,
    "partners_present": parse_partners_present,
    "policy": parse_policy,
    "capacity": parse_capacity,
}


# -- corrections and extra information -------------------------------------------------------


def _after_but(norm: str) -> str:
    """The part after 'maar' in "ik zei X, maar het is Y" (the whole text when there is none)."""
    parts = re.split(r"\bmaar\b", norm, maxsplit=1)
    return parts[1] if len(parts) == 2 else norm


def not_of_measures(text: str, substances: List[str]) -> List[str]:
    """The substances that do not belong to a measure named in the text ("we hebben een PHP
    alcohol" names a measure, no new signal about alcohol)."""
    measures = [kb.catalog().interventions[i] for i in kb.parser().interventions(text)]
    return [s for s in substances if not any(s in m.substances for m in measures)]


def corrections(turn: Turn, asked: Optional[str]) -> Dict[str, Any]:
    """Changes to earlier answers in this message, with a message per change.

    Returns slot updates plus the key "_said" with the sentence to send.
    """
    parser = kb.parser()
    updates: Dict[str, Any] = {}
    said: List[str] = []
    slots = turn.slots
    correcting = bool(CORRECTING.search(turn.norm))

    current_town = slots.get("municipality")
    if current_town is not None and asked != "municipality":
        new_part = _after_but(turn.norm) if correcting else turn.norm
        town = municipality_in(new_part, {} if new_part != turn.norm else turn.entities)
        if town is None and correcting:
            words = re.sub(r"^.*\b(is|bedoel|gemeente|in|bij)\b", "", new_part).strip()
            lookup = parser.municipality(words) if words else None
            if lookup is not None and lookup.status == "found" and lookup.municipality is not None:
                town = lookup.municipality.name
        cue = correcting or re.search(r"\b(gemeente|werk (in|bij|voor)|voor de gemeente)\b", turn.norm)
        if town and town != current_town and (cue or not current_town):
            updates["municipality"] = town
            said.append(f"de gemeente is nu {town}")

    found = substances_in(turn)
    if not (correcting or ADD.search(turn.norm)):
        found = not_of_measures(turn.text, found)
    current = list(slots.get("signal_substances") or [])
    if found and slots.get("signal_substances") is not None and asked != "signal_substances":
        added, removed = named_and_removed(turn.text, lambda t: substances_in(Turn(t, None, {}, {})))
        if removed and added:
            updates["signal_substances"] = merge([s for s in current if s not in removed], added)
            said.append("het signaal gaat nu over " + and_list(names("substances", updates["signal_substances"])))
        elif correcting and not ADD.search(turn.norm) and added:
            updates["signal_substances"] = added
            said.append("het signaal gaat nu over " + and_list(names("substances", added)))
        elif removed and not added:
            kept = [s for s in current if s not in removed]
            if kept != current:
                updates["signal_substances"] = kept
                said.append("weggehaald: " + and_list(names("substances", [s for s in current if s in removed])))
        elif set(added) - set(current) and (ADD.search(turn.norm) or asked in (None, "more_signals")):
            updates["signal_substances"] = merge(current, added)
            said.append("toegevoegd: " + and_list(names("substances", [f for f in added if f not in current])))

    for slot, kind, finder in (("groups", "groups", groups_in), ("partners_present", "partners", parser.partners)):
        have = slots.get(slot)
        if asked == slot:
            continue
        if slot == "groups" and have is None:
            # Not asked yet: change the groups named so far, which the group question will confirm.
            slot, have = "groups_mentioned", list(slots.get("groups_mentioned") or [])
            if not (correcting or REMOVE.search(turn.norm)):
                continue
        if have is None:
            continue
        added, removed = group_clauses(turn.text) if kind == "groups" else named_and_removed(turn.text, finder)
        gone = [i for i in removed if i in have]
        grows = ADD.search(turn.norm) or gone or correcting or kind == "groups" or (kind == "partners" and PRESENT.search(turn.norm))
        new = [i for i in added if i not in have] if grows else []
        if slot == "partners_present" and asked == "signal_reporters":
            new = []  # reporters are not the partners at the table
        if gone or new:
            updates[slot] = [i for i in have if i not in gone] + new
            if slot == "groups" and not updates[slot]:
                # No group left: the group question comes again rather than a plan without a group.
                updates.update({"groups": None, "groups_mentioned": []})
            if gone:
                said.append("weggehaald: " + and_list(names(kind, gone)))
            if new:
                said.append("toegevoegd: " + and_list(names(kind, new)))
    if said:
        updates["_said"] = "Aangepast: " + "; ".join(said) + "."
    return updates


def absorb(turn: Turn, asked: Optional[str]) -> Dict[str, Any]:
    """Fill questions not asked yet from information given early, e.g. in the first message."""
    updates: Dict[str, Any] = {}
    slots = turn.slots
    parser = kb.parser()
    if turn.is_question and asked is not None:
        return updates

    def empty(slot: str) -> bool:
        return slot != asked and slots.get(slot) is None and slot not in updates

    town = municipality_in(turn.text, turn.entities)
    if town and empty("municipality"):
        updates["municipality"] = town
    role = role_of(turn.norm)
    if role and empty("role") and ROLE_CUE.search(turn.norm):
        updates["role"] = role
    found = substances_in(turn)
    signal_known = found or slots.get("signal_substances") is not None
    if found and empty("signal_substances") and asked not in ("more_signals",):
        updates["signal_substances"] = found
        updates["signal_text"] = quoted(turn.text, 300)
        if empty("reason"):
            updates["reason"] = "signaal"
    elif empty("reason") and REASON_WORDS["beleid"].search(turn.norm) and re.search(
            r"\b(nota|schrijf|schrijven|maak|maken|werk aan|werken aan|bezig)\b", turn.norm):
        updates["reason"] = "beleid"
    if empty("signal_substances") and NO_SUBSTANCE.search(turn.norm) and re.search(r"\b(middel|middelen|specifiek)\b", turn.norm):
        updates["signal_substances"] = []
    settings = parser.settings(turn.text)
    if settings and empty("signal_settings") and (signal_known or "signal_substances" in updates):
        updates["signal_settings"] = settings
    trend = trend_of(turn.norm)
    if trend == "neemt toe" and empty("signal_trend") and signal_known and re.search(r"\b(meer|toe|toename|stijg\w*|steeds)\b", turn.norm):
        updates["signal_trend"] = trend
    groups = groups_in(turn.text)
    if groups and slots.get("groups") is None and asked not in ("role", "groups", "partners_present", "signal_reporters"):
        added, removed = group_clauses(turn.text)
        before = list(slots.get("groups_mentioned") or [])
        mentioned = without_generic(merge(before, added))
        if mentioned != before:
            # Named before the group question: the group question confirms them. (Only news is
            # noted: "Genoteerd: groep: studenten" once, not again at every mention.)
            updates["groups_mentioned"] = mentioned
    # Further questions, only with a clear cue: who reported it, who is at the table, the policy
    # there is, capacity. A bare list of partners ("de GGD en het welzijnswerk") is taken only
    # once who reported it is known: then it can only be who is at the table.
    partners = parser.partners(turn.text)
    bare = bool(partners) and only_partners(turn.text)
    if (partners and empty("signal_reporters") and asked in (None, "municipality", "role", "reason", "signal_substances", "signal_settings")
            and signal_known and REPORTING.search(turn.norm)):
        updates["signal_reporters"] = partners
    elif (partners and empty("partners_present") and asked != "signal_reporters"
            and (PRESENT.search(turn.norm) or (bare and slots.get("signal_reporters") is not None))):
        table, _ = at_the_table(turn.text)
        if table:
            updates["partners_present"] = table
    if parser.interventions(turn.text) and empty("policy") and HAVE.search(turn.norm):
        updates["policy"] = quoted(turn.text, 500)
    if CAPACITY.search(turn.norm) and empty("capacity") and asked != "policy":
        updates["capacity"] = quoted(turn.text, 300)
    return updates


def only_partners(text: str) -> bool:
    """Whether the text is nothing but names of partners ("de GGD en het welzijnswerk")."""
    rest = re.sub(r"[^a-z0-9 ]", " ", kb.parser().without_partners(text))
    return all(word in LIST_WORDS for word in rest.split())


def at_the_table(text: str) -> Tuple[List[str], str]:
    """Partners named as taking part ("de GGD doet mee", or a bare list of names), clause by
    clause, and the rest of the text, where places are ("de GGD doet mee; het is vooral in de
    opvang"). A name in another clause stays there: "in het azc" is a place, not the COA."""
    parser = kb.parser()
    if only_partners(text):
        return parser.partners(text), ""
    clauses = [c for c in CLAUSES.split(text) if c and c.strip()]
    partners: List[str] = []
    rest: List[str] = []
    for clause in clauses:
        if PRESENT.search(normalize(clause)) or only_partners(clause):
            found = named_and_removed(clause, parser.partners)[0]
            if found:
                partners = merge(partners, found)
                rest.append(parser.without_partners(clause))  # "samen met de huisarts" names no place "zorg"
                continue
        rest.append(clause)
    if not partners and PRESENT.search(normalize(text)):
        # "de GGD en de woningcorporatie, die zitten al aan tafel": the cue points back to the
        # names in another clause; those clauses count unless they name a place.
        table = [c for c in clauses if parser.partners(c) and not parser.settings(parser.without_partners(c))]
        for clause in table:
            partners = merge(partners, named_and_removed(clause, parser.partners)[0])
        rest = [c for c in clauses if c not in table]
    return partners, " , ".join(rest)


def additions(turn: Turn, asked: Optional[str], substances: bool = True) -> Tuple[Dict[str, Any], Dict[str, Any]]:
    """More of what was answered before ("het speelt ook in de wijk" when asked about the group).

    Returns the slot updates (the lists with the new items added) and the new items alone, to
    show back. Only places, substances and partners: lists that can grow without undoing an answer."""
    if turn.is_question or not turn.norm:
        return {}, {}
    parser, slots = kb.parser(), turn.slots
    table, rest = at_the_table(turn.text)
    named = named_and_removed(turn.text, lambda t: substances_in(Turn(t, None, {}, {})))[0] if substances else []
    if named and not ADD.search(turn.norm):
        named = not_of_measures(turn.text, named)
    found = {  # named without a negation ("niet in de kroeg" adds no place)
        "signal_settings": named_and_removed(rest, parser.settings)[0] if rest.strip() else [],
        "signal_substances": named,
        "partners_present": table,
    }
    updates: Dict[str, Any] = {}
    shown: Dict[str, Any] = {}
    for slot, items in found.items():
        have = slots.get(slot)
        if slot == asked or have is None or not isinstance(have, list):
            continue
        new = [i for i in items if i not in have]
        if new:
            updates[slot] = merge(have, new)
            shown[slot] = new
    return updates, shown


def say_noted(out: Out, updates: Dict[str, Any]) -> None:
    """Tell the officer what was taken from their message besides the answer (if anything)."""
    message = noted(updates)
    if message:
        out.utter_message(text=message)


def noted(updates: Dict[str, Any]) -> str:
    parts = []
    if updates.get("municipality"):
        parts.append(f"gemeente {updates['municipality']}")
    if updates.get("role") in ROLE_LABELS:
        parts.append(f"domein {ROLE_LABELS[updates['role']]}")
    if updates.get("signal_substances"):
        parts.append(and_list(names("substances", updates["signal_substances"])))
    if updates.get("signal_settings"):
        parts.append(and_list(names("settings", updates["signal_settings"])))
    if updates.get("signal_trend"):
        parts.append("het " + updates["signal_trend"])
    if updates.get("signal_reporters"):
        parts.append("gemeld door " + and_list(names("partners", updates["signal_reporters"])))
    if updates.get("partners_present"):
        parts.append("aan tafel: " + and_list(names("partners", updates["partners_present"])))
    if updates.get("groups"):
        parts.append(and_list(names("groups", updates["groups"])))
    elif updates.get("groups_mentioned"):
        parts.append("groep: " + and_list(names("groups", updates["groups_mentioned"])))
    if updates.get("policy"):
        in_place = kb.parser().interventions(updates["policy"])
        if in_place:
            parts.append("je hebt al " + and_list(names("interventions", in_place)))
    if updates.get("capacity"):
        parts.append("tijd en geld: " + quoted(updates["capacity"], 120))
    return ("Genoteerd: " + "; ".join(parts) + ".") if parts else ""
