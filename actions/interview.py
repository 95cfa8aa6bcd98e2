"""The interview form: understand each answer, take corrections and extra information on the way.

Every form slot is filled with the officer's text (``from_text``); the validator below turns the
text into knowledge-base ids. If the text does not answer the question, it may still correct
or add to an earlier answer ("nee, het is Zwolle", "ook lachgas", "jongerenwerk zit er toch niet
bij"), or answer a question further on ("de politie meldt het" when asked where); if not, the
officer gets a hint, a different one with buttons the second time, and the third time the question
is skipped with its "weet ik niet" answer (except the municipality, which the plan needs).
Information given before it was asked ("3-MMC in het uitgaansleven in Zwolle") is kept, so that
question is skipped.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import kb
from actions.asks import suggested_groups
from actions.render import and_list, names
from actions.state import current_signal
from knowledge.matching import normalize
from knowledge.plan import is_low_capacity

MAX_ANSWER = 2000  # longer answers are cut before parsing; the user is told
FORM_SLOTS = (
    "municipality", "role", "reason", "signal_substances", "signal_settings", "signal_reporters",
    "signal_trend", "more_signals", "groups", "partners_present", "policy", "capacity",
)
FREE_TEXT_SLOTS = ("role", "signal_reporters", "policy", "capacity")  # any text can be an answer
ASKED_BEFORE_REPORTERS = (None, *FORM_SLOTS[:FORM_SLOTS.index("signal_reporters")])
SIGNAL_SLOTS = ("signal_substances", "signal_settings", "signal_reporters", "signal_trend", "signal_text")

YES = re.compile(r"^(ja|jazeker|klopt|ja klopt|ja dat klopt|correct|yes|jep|jup|ja graag|precies|ja hoor|zeker|inderdaad|ja die)\b")
NO = re.compile(r"^(nee|neen|nope|nee hoor|niet|nee dank je|nee bedankt|geen)\b")
GREETING = re.compile(r"^(hoi|hallo|hey|hee|hi|hallootjes|goedemorgen|goedemiddag|goedenavond|goeiemorgen|dag|yo)\b")
ADD = re.compile(r"\b(ook|daarnaast|plus|erbij|bovendien|en ook)\b")
REMOVE = re.compile(r"\b(niet|geen|zonder|behalve|weg|haal)\b")
CORRECTING = re.compile(r"\b(nee|bedoel|eigenlijk|toch|sorry|correctie|fout|verkeerd)\b")
ROLE_WORDS = {
    "gezondheid": re.compile(r"\b(gezondheid\w*|volksgezondheid|publieke gezondheid|wpg|preventie|ggd beleid)\b"),
    "sociaal_domein": re.compile(r"\b(sociaal|sociale|wmo|jeugd\w*|participatie|armoede\w*|welzijn)\b"),
    "veiligheid": re.compile(r"\b(veiligheid|openbare orde|oov|ioov|handhaving|ondermijning|toezicht)\b"),
}
ROLE_LABELS = {"gezondheid": "gezondheid", "sociaal_domein": "sociaal domein", "veiligheid": "veiligheid"}
REASON_WORDS = {
    "beleid": re.compile(r"\b(nota\w*|gezondheidsnota|beleid\w*|preventieplan|plan|visie|programma|uitvoeringsplan|php)\b"),
    "signaal": re.compile(r"\b(signaal|signalen|melding\w*|gemeld|zien|zie|zag|zorgen|incident\w*|toename|probleem)\b"),
}
TRENDS = (
    ("neemt toe", re.compile(r"\b(toe|meer|stijg\w*|groei\w*|vaker|toename|erger|steeds)\b")),
    ("neemt af", re.compile(r"\b(af|minder|daal\w*|afname|beter)\b")),
    ("blijft gelijk", re.compile(r"\b(gelijk|stabiel|zelfde|hetzelfde|constant|niet veranderd)\b")),
)
ENGLISH = {
    "the", "and", "are", "what", "how", "can", "please", "hello", "with", "this", "speak", "english",
    "you", "your", "does", "have", "there", "which", "where", "who", "thanks", "thank", "yes", "about",
    "we", "our", "see", "more", "is", "it", "my", "i", "want", "need", "do", "not", "know", "hi",
}
DUTCH = {"de", "het", "een", "ik", "niet", "en", "van", "wij", "zijn", "jongeren", "bij", "op", "wat", "hoe", "ja", "nee"}

WHY_ASKED = {
    "municipality": "Met je gemeente kan ik de juiste lokale bronnen noemen. Ook zet ik de naam in het verslag.",
    "role": "Dan weet ik vanuit welke kant je kijkt. Dat zet ik in het verslag, zodat collega's het kunnen plaatsen.",
    "reason": "Bij een signaal kijk ik vooral naar wat nu nodig is. Bij beleid kijk ik ook naar de langere termijn.",
    "signal_substances": "Het middel of gedrag bepaalt welke interventies passen. Niet elke aanpak werkt voor elk middel.",
    "signal_settings": "De plek bepaalt wie je kunt bereiken en welke regels je kunt gebruiken, bijvoorbeeld in de horeca.",
    "signal_reporters": "Wie iets meldt, is vaak ook een goede partner voor de aanpak.",
    "signal_trend": "Als het toeneemt, is het slim om nu vast te leggen wat je ziet. Dan kun je later meten of de aanpak werkt.",
    "more_signals": "Vaak hangen signalen samen. Met alle signalen samen maak ik één plan.",
    "groups": "Interventies zijn vaak gemaakt voor een bepaalde groep. Zo kies ik wat bij jouw groepen past.",
    "partners_present": "Dan zie ik welke partners nog ontbreken voor de aanpak.",
    "policy": "Wat je al hebt, stel ik niet opnieuw voor. Je kunt erop voortbouwen.",
    "capacity": "Met weinig tijd of geld noem ik minder opties per stap, zodat het plan haalbaar blijft.",
}
HINTS = {
    "role": "Kies gezondheid, sociaal domein of veiligheid. Of typ je functie.",
    "reason": "Kies 'er is een signaal' of 'ik schrijf de gezondheidsnota'.",
    "signal_substances": "Ik herken geen middel of gedrag in je antwoord. Noem het middel, bijvoorbeeld lachgas of alcohol.",
    "signal_settings": "Ik herken geen plek in je antwoord. Bijvoorbeeld: op straat, in het uitgaansleven of op school.",
    "signal_reporters": "Ik kreeg een leeg antwoord. Wie heeft het gezien of gemeld?",
    "signal_trend": "Zeg of het toeneemt, gelijk blijft of afneemt. Weet je het niet? Zeg dan 'weet ik niet'.",
    "more_signals": "Zeg 'ja' als je nog een signaal wilt noemen, of 'nee' om verder te gaan.",
    "groups": "Ik herken geen groep in je antwoord. Kies een knop of noem de groep, bijvoorbeeld hangjongeren.",
    "partners_present": "Ik herken geen partner in je antwoord. Bijvoorbeeld: GGD, jongerenwerk of politie. "
    "Zit er nog niemand aan tafel? Zeg dan 'nog niemand'.",
    "policy": "Beschrijf kort het beleid dat er al is, of zeg 'geen'.",
    "capacity": "Zeg hoeveel tijd en geld er is, bijvoorbeeld 'weinig' of 'gemiddeld'.",
}
ENGLISH_REPLY = "Ik spreek alleen Nederlands. Wil je het in het Nederlands zeggen? (Sorry, I only speak Dutch.)"
SECOND_MISS = "Ik begrijp je antwoord nog steeds niet. Kies een van de knoppen, of zeg 'weet ik niet' om verder te gaan."
THIRD_MISS = "Ik kom er niet uit. Ik sla deze vraag over. Je kunt het later nog aanpassen."
LATER = "Dat vraag ik straks niet meer. Nu eerst deze vraag:"
REPORTING = re.compile(r"\b(meld\w*|gemeld|signaleer\w*|signaleren|zien|ziet|zagen|zegt|zeggen|horen|hoort|merken|merkt|klaagt|klagen)\b")
HAVE = re.compile(r"\b(hebben|heeft|hadden|al|loopt|lopen|doen|draait|draaien)\b")
CLAUSES = re.compile(r"[,;.!?]|\b(?:maar|wel|behalve)\b", re.IGNORECASE)
CAPACITY = re.compile(r"\b(uur|uren|fte|budget|euro|geld|capaciteit|formatie|gala|spuk)\b")


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
        return self.intent in ("dont_know", "skip_step") or kb.parser().is_dont_know(self.text)

    @property
    def yes(self) -> bool:
        return self.intent == "affirm" or bool(YES.match(self.norm))

    @property
    def no(self) -> bool:
        return self.intent == "deny" or bool(NO.match(self.norm))


def text_of(value: Any) -> str:
    if isinstance(value, list):
        value = " ".join(str(v) for v in value)
    return str(value or "").strip()


def cut(dispatcher: CollectingDispatcher, text: str) -> str:
    if len(text) > MAX_ANSWER:
        dispatcher.utter_message(
            text=f"Je bericht is erg lang ({len(text)} tekens). Ik lees alleen het begin. "
            "Een korte zin werkt het best."
        )
        return text[:MAX_ANSWER]
    return text


def merge(*lists: List[str]) -> List[str]:
    out: List[str] = []
    for values in lists:
        for value in values:
            if value not in out:
                out.append(value)
    return out


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


def municipality_in(turn: Turn) -> Optional[str]:
    """A municipality named in a longer message (the NLU entity, confirmed by the list of names)."""
    for value in turn.entities.get("municipality", []):
        lookup = kb.parser().municipality(value)
        if lookup.status == "found":
            return lookup.municipality.name
    return None


# -- one parser per question: returns the slot updates, or None when the text is no answer ----


def parse_municipality(turn: Turn, dispatcher: CollectingDispatcher) -> Optional[Dict[str, Any]]:
    suggestion = turn.slots.get("municipality_suggestion")
    clear = {"municipality_suggestion": None, "municipality_candidates": None}
    if suggestion and turn.yes:
        return {"municipality": suggestion, **clear}
    lookup = kb.parser().municipality(turn.text)
    named = municipality_in(turn) if lookup.status != "found" else None
    if named:
        return {"municipality": named, **clear}
    if lookup.status == "found":
        return {"municipality": lookup.municipality.name, **clear}
    if lookup.status == "suggest":
        return {"municipality": None, "municipality_suggestion": lookup.municipality.name, "municipality_candidates": None}
    if lookup.status == "ambiguous":
        return {"municipality": None, "municipality_suggestion": None, "municipality_candidates": [m.name for m in lookup.candidates]}
    if suggestion and turn.no:
        dispatcher.utter_message(text="Geen probleem. Typ de naam van je gemeente nog eens.")
        return {"municipality": None, **clear}
    if turn.dont_know or not turn.norm:
        dispatcher.utter_message(text="Ik heb de naam van je gemeente nodig. Dan kan ik het plan afstemmen op jouw situatie.")
        return {"municipality": None, **clear}
    return None


def parse_role(turn: Turn, dispatcher: CollectingDispatcher) -> Optional[Dict[str, Any]]:
    role = role_of(turn.norm)
    if role:
        return {"role": role}
    if turn.dont_know or turn.norm in ("iets anders", "anders"):
        return {"role": "anders"}
    if turn.intent == "inform" and 2 <= len(turn.norm) <= 80 and not substances_in(turn):
        return {"role": turn.text[:80]}  # a job title we have no word for: keep it as typed
    return None


def parse_reason(turn: Turn, dispatcher: CollectingDispatcher) -> Optional[Dict[str, Any]]:
    reason = reason_of(turn.norm)
    if reason:
        return {"reason": reason}
    if substances_in(turn):
        return {"reason": "signaal"}
    if turn.dont_know:
        return {"reason": "signaal"}
    return None


def parse_signal_substances(turn: Turn, dispatcher: CollectingDispatcher) -> Optional[Dict[str, Any]]:
    found = substances_in(turn)
    if found:
        result: Dict[str, Any] = {"signal_substances": found, "signal_text": turn.text[:300]}
        settings = kb.parser().settings(turn.text)
        if settings and not turn.slots.get("signal_settings"):
            result["signal_settings"] = settings
        return result
    if turn.dont_know:
        dispatcher.utter_message(text="Dan ga ik uit van middelengebruik in het algemeen.")
        return {"signal_substances": ["middelen_algemeen"], "signal_text": turn.text[:300]}
    return None


def parse_signal_settings(turn: Turn, dispatcher: CollectingDispatcher) -> Optional[Dict[str, Any]]:
    found = kb.parser().settings(turn.text)
    if found:
        return {"signal_settings": found}
    if turn.dont_know:
        dispatcher.utter_message(text="Prima, dan laat ik de plek open.")
        return {"signal_settings": []}
    return None


def parse_signal_reporters(turn: Turn, dispatcher: CollectingDispatcher) -> Optional[Dict[str, Any]]:
    parser = kb.parser()
    found = parser.partners(turn.text)
    if found:
        return {"signal_reporters": found}
    if turn.dont_know or parser.is_none(turn.text):
        return {"signal_reporters": []}
    if not turn.norm or turn.intent not in ("inform", None, "nlu_fallback"):
        return None
    # Someone we have no partner record for (e.g. residents): keep their words.
    return {"signal_reporters": [turn.text[:200]]}


def parse_signal_trend(turn: Turn, dispatcher: CollectingDispatcher) -> Optional[Dict[str, Any]]:
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


def parse_more_signals(turn: Turn, dispatcher: CollectingDispatcher) -> Optional[Dict[str, Any]]:
    found = substances_in(turn)
    if turn.yes or found:
        earlier = list(turn.slots.get("signals") or [])
        current = current_signal(turn.slots)
        if current:
            earlier.append(current)
        result: Dict[str, Any] = {slot: None for slot in SIGNAL_SLOTS}
        result.update({"signals": earlier, "more_signals": None, "signal_settings": None})
        if found:
            dispatcher.utter_message(text="Genoteerd: nog een signaal, over "
                                     + and_list(names(kb.catalog(), "substances", found)) + ".")
            result.update({"signal_substances": found, "signal_text": turn.text[:300]})
            settings = kb.parser().settings(turn.text)
            if settings:
                result["signal_settings"] = settings
        return result
    if turn.no or turn.dont_know or kb.parser().is_none(turn.text):
        return {"more_signals": "nee"}
    return None


def named_and_removed(text: str, finder) -> Tuple[List[str], List[str]]:
    """Items named in clauses without and with a negation ("zonder X, maar wel Y" -> [Y], [X])."""
    added: List[str] = []
    removed: List[str] = []
    for clause in CLAUSES.split(text):
        items = finder(clause)
        if REMOVE.search(normalize(clause)):
            removed = merge(removed, items)
        else:
            added = merge(added, items)
    return added, removed


def parse_groups(turn: Turn, dispatcher: CollectingDispatcher) -> Optional[Dict[str, Any]]:
    parser, catalog = kb.parser(), kb.catalog()
    suggested = list(turn.slots.get("groups_suggested") or [])
    added, removed = named_and_removed(turn.text, parser.groups)
    if suggested and removed:  # "zonder ouderen, maar wel kinderen van verslaafde ouders"
        chosen = merge([g for g in suggested if g not in removed], [g for g in added if g not in removed])
    elif added and suggested and ADD.search(turn.norm):
        chosen = merge(suggested, added)
    else:
        chosen = added
    if not chosen and turn.yes and suggested:
        chosen = suggested
    if chosen:
        dispatcher.utter_message(text="Genoteerd: " + and_list(names(catalog, "groups", chosen)) + ".")
        return {"groups": chosen}
    if turn.dont_know:
        fallback = suggested[:2] or suggested_groups(turn.slots)[:2]
        if fallback:
            dispatcher.utter_message(
                text="Dan ga ik uit van de groepen die vaak bij dit signaal horen: "
                + and_list(names(catalog, "groups", fallback)) + "."
            )
        return {"groups": fallback}
    if turn.no:
        dispatcher.utter_message(text="Welke groepen dan? Noem ze, of kies een knop.")
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


def parse_partners_present(turn: Turn, dispatcher: CollectingDispatcher) -> Optional[Dict[str, Any]]:
    parser, catalog = kb.parser(), kb.catalog()
    found = parser.partners(turn.text)
    if not found and not (parser.is_none(turn.text) or turn.dont_know or turn.no):
        return None
    groups = list(turn.slots.get("groups") or [])
    gap = missing_partners(groups, found)
    if found:
        dispatcher.utter_message(text="Genoteerd: " + and_list(names(catalog, "partners", found)) + ".")
    if gap and groups:
        dispatcher.utter_message(
            text=f"Voor {and_list(names(catalog, 'groups', groups))} mis ik nog: "
            + and_list(names(catalog, "partners", gap))
            + ". Zij bereiken deze groepen. Ik neem ze mee in het plan."
        )
    return {"partners_present": found}


def parse_policy(turn: Turn, dispatcher: CollectingDispatcher) -> Optional[Dict[str, Any]]:
    if turn.dont_know or turn.no or kb.parser().is_none(turn.text) or turn.norm in ("nog geen beleid", "geen beleid"):
        return {"policy": ""}
    if not turn.norm:
        return None
    policy = turn.text[:500]
    in_place = kb.parser().interventions(policy)
    if in_place:
        names_ = and_list(names(kb.catalog(), "interventions", in_place))
        dispatcher.utter_message(text=f"Genoteerd. Je hebt al: {names_}. Dat stel ik niet opnieuw voor.")
    else:
        dispatcher.utter_message(
            text="Genoteerd. Ik herken er geen maatregel uit mijn lijst in. "
            "Noem de naam van een maatregel, dan stel ik die niet opnieuw voor."
        )
    return {"policy": policy}


def parse_capacity(turn: Turn, dispatcher: CollectingDispatcher) -> Optional[Dict[str, Any]]:
    if turn.dont_know:
        return {"capacity": ""}
    if not turn.norm:
        return None
    if is_low_capacity(turn.text):
        dispatcher.utter_message(text="Genoteerd: weinig tijd en geld. Ik stel per stap minder opties voor.")
    return {"capacity": turn.text[:300]}


PARSERS = {name: globals()[f"parse_{name}"] for name in FORM_SLOTS}


# -- corrections and extra information -------------------------------------------------------


def corrections(turn: Turn, asked: Optional[str]) -> Dict[str, Any]:
    """Changes to earlier answers in this message, with a message per change.

    Returns slot updates plus the key "_said" with the sentences to send.
    """
    parser, catalog = kb.parser(), kb.catalog()
    updates: Dict[str, Any] = {}
    said: List[str] = []
    slots = turn.slots

    town = municipality_in(turn)
    if town is None and CORRECTING.search(turn.norm):
        words = re.sub(r"^.*\b(is|bedoel|gemeente|in|bij)\b", "", turn.norm).strip()
        lookup = parser.municipality(words) if words else None
        if lookup is not None and lookup.status == "found":
            town = lookup.municipality.name
    if town and slots.get("municipality") and town != slots.get("municipality") and asked != "municipality":
        updates["municipality"] = town
        said.append(f"de gemeente is nu {town}")

    found = substances_in(turn)
    if not (CORRECTING.search(turn.norm) or ADD.search(turn.norm)):
        # "we hebben een PHP alcohol": the substance belongs to the measure named, no new signal.
        measures = [catalog.interventions[i] for i in parser.interventions(turn.text)]
        found = [s for s in found if not any(s in m.substances for m in measures)]
    current = list(slots.get("signal_substances") or [])
    if found and current and asked != "signal_substances":
        if CORRECTING.search(turn.norm) and not ADD.search(turn.norm):
            updates["signal_substances"] = found
            said.append("het signaal gaat nu over " + and_list(names(catalog, "substances", found)))
        elif set(found) - set(current):
            updates["signal_substances"] = merge(current, found)
            said.append("toegevoegd: " + and_list(names(catalog, "substances", [f for f in found if f not in current])))

    for slot, kind, finder in (("groups", "groups", parser.groups), ("partners_present", "partners", parser.partners)):
        have = slots.get(slot)
        items = finder(turn.text)
        if not items or have is None or asked == slot:
            continue
        if REMOVE.search(turn.norm):
            gone = [i for i in items if i in have]
            if gone:
                updates[slot] = [i for i in have if i not in gone]
                said.append("weggehaald: " + and_list(names(catalog, kind, gone)))
        elif ADD.search(turn.norm) or slot == "groups":
            new = [i for i in items if i not in have]
            if new:
                updates[slot] = list(have) + new
                said.append("toegevoegd: " + and_list(names(catalog, kind, new)))
    if said:
        updates["_said"] = "Aangepast: " + "; ".join(said) + "."
    return updates


def absorb(turn: Turn, asked: Optional[str]) -> Dict[str, Any]:
    """Fill questions not asked yet from information given early, e.g. in the first message."""
    updates: Dict[str, Any] = {}
    slots = turn.slots

    def empty(slot: str) -> bool:
        return slot != asked and slots.get(slot) is None and slot not in updates

    town = municipality_in(turn)
    if town and empty("municipality"):
        updates["municipality"] = town
    role = role_of(turn.norm)
    if role and empty("role") and re.search(r"\b(werk|ben|beleidsmedewerker|afdeling|domein|team)\b", turn.norm):
        updates["role"] = role
    found = substances_in(turn)
    if found and empty("signal_substances") and asked not in ("more_signals",):
        updates["signal_substances"] = found
        updates["signal_text"] = turn.text[:300]
        if empty("reason"):
            updates["reason"] = "signaal"
    elif empty("reason") and REASON_WORDS["beleid"].search(turn.norm) and re.search(r"\b(nota|schrijf|schrijven|maak|maken)\b", turn.norm):
        updates["reason"] = "beleid"
    settings = kb.parser().settings(turn.text)
    if settings and empty("signal_settings") and (found or slots.get("signal_substances")):
        updates["signal_settings"] = settings
    trend = trend_of(turn.norm)
    if trend == "neemt toe" and empty("signal_trend") and (found or slots.get("signal_substances")) and re.search(r"\b(meer|toe|toename|stijg\w*|steeds)\b", turn.norm):
        updates["signal_trend"] = trend
    groups = kb.parser().groups(turn.text)
    if groups and empty("groups") and asked not in ("partners_present", "signal_reporters"):
        # Named before the group question: offered first there, for the officer to confirm.
        updates["groups_mentioned"] = merge(list(slots.get("groups_mentioned") or []), groups)
    # Further questions, only with a clear cue: who reported it, the policy there is, capacity.
    reporters = kb.parser().partners(turn.text)
    if (reporters and empty("signal_reporters") and asked in ASKED_BEFORE_REPORTERS
            and (found or slots.get("signal_substances")) and REPORTING.search(turn.norm)):
        updates["signal_reporters"] = reporters
    if kb.parser().interventions(turn.text) and empty("policy") and HAVE.search(turn.norm):
        updates["policy"] = turn.text[:500]
    if CAPACITY.search(turn.norm) and empty("capacity") and asked != "policy":
        updates["capacity"] = turn.text[:300]
    return updates


def noted(updates: Dict[str, Any]) -> str:
    catalog = kb.catalog()
    parts = []
    if updates.get("municipality"):
        parts.append(f"gemeente {updates['municipality']}")
    if updates.get("role") in ROLE_LABELS:
        parts.append(f"domein {ROLE_LABELS[updates['role']]}")
    if updates.get("signal_substances"):
        parts.append(and_list(names(catalog, "substances", updates["signal_substances"])))
    if updates.get("signal_settings"):
        parts.append(and_list(names(catalog, "settings", updates["signal_settings"])))
    if updates.get("signal_trend"):
        parts.append("het " + updates["signal_trend"])
    if updates.get("signal_reporters"):
        parts.append("gemeld door " + and_list(names(catalog, "partners", updates["signal_reporters"])))
    if updates.get("groups"):
        parts.append(and_list(names(catalog, "groups", updates["groups"])))
    elif updates.get("groups_mentioned"):
        parts.append("groep: " + and_list(names(catalog, "groups", updates["groups_mentioned"])))
    if updates.get("policy"):
        in_place = kb.parser().interventions(updates["policy"])
        if in_place:
            parts.append("je hebt al " + and_list(names(catalog, "interventions", in_place)))
    if updates.get("capacity"):
        parts.append("tijd en geld: " + updates["capacity"])
    return ("Genoteerd: " + "; ".join(parts) + ".") if parts else ""


def say_noted(dispatcher: CollectingDispatcher, updates: Dict[str, Any]) -> None:
    """Tell the officer what was taken from their message besides the answer (if anything)."""
    message = noted(updates)
    if message:
        dispatcher.utter_message(text=message)


def next_miss(slots: Dict[str, Any], slot: str) -> int:
    """How many times in a row this question was not understood, this time included."""
    misses = slots.get("misses") or {}
    return misses.get("count", 0) + 1 if misses.get("slot") == slot else 1


def turn_of(tracker: Tracker, text: str) -> Turn:
    message = tracker.latest_message or {}
    entities: Dict[str, List[str]] = {}
    for entity in message.get("entities") or []:
        entities.setdefault(entity.get("entity"), []).append(str(entity.get("value")))
    return Turn(text, (message.get("intent") or {}).get("name"), entities, dict(tracker.current_slot_values()),
                tracker.sender_id)


class ValidateInterviewForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_interview_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        events = await super().run(dispatcher, tracker, domain)
        validated = {e["name"] for e in events if e.get("event") == "slot"}
        if validated & set(FORM_SLOTS):
            return events
        # No answer to a question in this message (e.g. the first message that started the
        # form): keep what it tells us anyway.
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        text = text_of((tracker.latest_message or {}).get("text"))
        if intent != "inform" or not text:
            return events
        turn = turn_of(tracker, cut(dispatcher, text))
        updates = absorb(turn, tracker.get_slot("requested_slot"))
        if updates:
            say_noted(dispatcher, updates)
            events.extend(SlotSet(k, v) for k, v in updates.items())
        return events

    async def answer(self, slot: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker) -> Dict[Text, Any]:
        if value is None:
            return {}  # cleared by an action (e.g. a new signal), not said by the officer
        turn = turn_of(tracker, cut(dispatcher, text_of(value)))
        if GREETING.match(turn.norm) and len(turn.norm.split()) <= 3:
            return {slot: None}  # a hello in the middle: just ask the question again
        if turn.intent == "ask_why":
            dispatcher.utter_message(text=WHY_ASKED[slot])
            return {slot: None}
        # Free-text questions take any text as an answer: look for a correction first there.
        cue = CORRECTING.search(turn.norm) or ADD.search(turn.norm) or REMOVE.search(turn.norm)
        if slot in FREE_TEXT_SLOTS and cue:
            fixed = self.correct(slot, turn, dispatcher)
            if fixed:
                return fixed
        result = PARSERS[slot](turn, dispatcher)
        if result is not None:
            extra = absorb(turn, slot) if turn.intent == "inform" else {}
            extra = {k: v for k, v in extra.items() if k not in result}
            if slot == "municipality" and extra:
                extra = {**result, **extra}  # a longer sentence: confirm the municipality too
            say_noted(dispatcher, extra)
            return {**extra, **result, "misses": None}
        fixed = self.correct(slot, turn, dispatcher)
        if fixed:
            return fixed
        later = absorb(turn, slot)
        if later:
            # An answer to a question further on ("de politie meldt het" when asked where):
            # keep it, and ask this question again.
            dispatcher.utter_message(text=" ".join(m for m in (noted(later), LATER) if m))
            return {**later, slot: None, "misses": None}
        if looks_english(turn.text):
            dispatcher.utter_message(text=ENGLISH_REPLY)
            return {slot: None}
        count = next_miss(turn.slots, slot)
        if count >= 3 and slot != "municipality":
            # Not understood three times: go on with what "weet ik niet" gives, rather than get stuck.
            dispatcher.utter_message(text=THIRD_MISS)
            skipped = PARSERS[slot](replace(turn, text="weet ik niet", intent="dont_know", entities={}), dispatcher)
            if skipped is not None:
                return {**skipped, "misses": None}
        if count == 1:
            hint = HINTS.get(slot)
            if slot == "municipality":
                shown = turn.text if len(turn.text) <= 40 else turn.text[:40] + "…"
                hint = f"Ik ken geen Nederlandse gemeente met de naam '{shown}'." if turn.norm else "Ik kreeg een leeg antwoord."
            dispatcher.utter_message(text=hint)
        elif slot == "municipality":
            dispatcher.utter_message(text="Typ alleen de naam van je gemeente, bijvoorbeeld 'Zwolle' of 'Den Haag'.")
        else:
            dispatcher.utter_message(text=SECOND_MISS)
        return {slot: None, "misses": {"slot": slot, "count": count}}

    @staticmethod
    def correct(slot: str, turn: Turn, dispatcher: CollectingDispatcher) -> Dict[Text, Any]:
        """Apply corrections of earlier answers; the question is then asked again."""
        fixed = corrections(turn, slot)
        if not fixed:
            return {}
        dispatcher.utter_message(text=fixed.pop("_said"))
        return {slot: None, "misses": None, **fixed}

    async def validate_municipality(self, value, dispatcher, tracker, domain):
        return await self.answer("municipality", value, dispatcher, tracker)

    async def validate_role(self, value, dispatcher, tracker, domain):
        return await self.answer("role", value, dispatcher, tracker)

    async def validate_reason(self, value, dispatcher, tracker, domain):
        return await self.answer("reason", value, dispatcher, tracker)

    async def validate_signal_substances(self, value, dispatcher, tracker, domain):
        return await self.answer("signal_substances", value, dispatcher, tracker)

    async def validate_signal_settings(self, value, dispatcher, tracker, domain):
        return await self.answer("signal_settings", value, dispatcher, tracker)

    async def validate_signal_reporters(self, value, dispatcher, tracker, domain):
        return await self.answer("signal_reporters", value, dispatcher, tracker)

    async def validate_signal_trend(self, value, dispatcher, tracker, domain):
        return await self.answer("signal_trend", value, dispatcher, tracker)

    async def validate_more_signals(self, value, dispatcher, tracker, domain):
        return await self.answer("more_signals", value, dispatcher, tracker)

    async def validate_groups(self, value, dispatcher, tracker, domain):
        return await self.answer("groups", value, dispatcher, tracker)

    async def validate_partners_present(self, value, dispatcher, tracker, domain):
        return await self.answer("partners_present", value, dispatcher, tracker)

    async def validate_policy(self, value, dispatcher, tracker, domain):
        return await self.answer("policy", value, dispatcher, tracker)

    async def validate_capacity(self, value, dispatcher, tracker, domain):
        return await self.answer("capacity", value, dispatcher, tracker)
