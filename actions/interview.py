"""The interview form: validate each answer with the knowledge base and ask the next question."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import kb
from actions.render import and_list, names
from knowledge.matching import normalize

MAX_ANSWER = 2000  # longer answers are cut before parsing; the user is told
YES = {"ja", "jazeker", "klopt", "ja klopt", "ja dat klopt", "correct", "yes", "jep", "jup", "ja graag", "precies"}


def _text(value: Any) -> str:
    if isinstance(value, list):
        value = " ".join(str(v) for v in value)
    return str(value or "").strip()


def _entity_values(tracker: Tracker, entity: str) -> List[str]:
    return [str(v) for v in tracker.get_latest_entity_values(entity)]


def _merge(*lists: List[str]) -> List[str]:
    out: List[str] = []
    for values in lists:
        for value in values:
            if value not in out:
                out.append(value)
    return out


def _button(title: str, payload: Optional[str] = None) -> Dict[str, str]:
    return {"title": title, "payload": payload if payload is not None else title}


def _too_long(dispatcher: CollectingDispatcher, text: str) -> str:
    if len(text) > MAX_ANSWER:
        dispatcher.utter_message(
            text=f"Je bericht is erg lang ({len(text)} tekens). Ik lees alleen het begin. "
            "Een korte zin werkt het best."
        )
        return text[:MAX_ANSWER]
    return text


class ValidateInterviewForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_interview_form"

    async def validate_municipality(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        text = _too_long(dispatcher, _text(value))
        suggestion = tracker.get_slot("municipality_suggestion")
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if suggestion and (intent == "affirm" or normalize(text) in YES):
            return {"municipality": suggestion, "municipality_suggestion": None, "municipality_candidates": None}
        lookup = kb.parser().municipality(text)
        if lookup.status == "found":
            return {
                "municipality": lookup.municipality.name,
                "municipality_suggestion": None,
                "municipality_candidates": None,
            }
        if lookup.status == "suggest":
            return {"municipality": None, "municipality_suggestion": lookup.municipality.name, "municipality_candidates": None}
        if lookup.status == "ambiguous":
            return {
                "municipality": None,
                "municipality_suggestion": None,
                "municipality_candidates": [m.name for m in lookup.candidates],
            }
        if suggestion and (intent == "deny" or normalize(text).startswith("nee")):
            dispatcher.utter_message(text="Geen probleem.")
        elif kb.parser().is_dont_know(text) or not text:
            dispatcher.utter_message(
                text="Ik heb de naam van je gemeente nodig. Dan kan ik het plan afstemmen op jouw situatie."
            )
        else:
            shown = text if len(text) <= 40 else text[:40] + "…"
            dispatcher.utter_message(text=f"Ik ken geen Nederlandse gemeente met de naam '{shown}'.")
        return {"municipality": None, "municipality_suggestion": None, "municipality_candidates": None}

    async def validate_signal_substances(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        text = _too_long(dispatcher, _text(value))
        parser = kb.parser()
        found = _merge(
            [v for v in _entity_values(tracker, "substance") if v in kb.catalog().vocabulary["substances"]],
            parser.substances(text),
        )
        if found:
            result: Dict[Text, Any] = {"signal_substances": found, "signal_text": text}
            settings = parser.settings(text)
            if settings and not tracker.get_slot("signal_settings"):
                result["signal_settings"] = settings
            return result
        if parser.is_dont_know(text):
            dispatcher.utter_message(text="Dan ga ik uit van middelengebruik in het algemeen.")
            return {"signal_substances": ["middelen_algemeen"], "signal_text": text}
        dispatcher.utter_message(
            text="Ik herken geen middel of gedrag in je antwoord. Noem het middel, bijvoorbeeld lachgas of alcohol."
        )
        return {"signal_substances": None}

    async def validate_signal_settings(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        text = _too_long(dispatcher, _text(value))
        found = kb.parser().settings(text)
        if found:
            return {"signal_settings": found}
        if kb.parser().is_dont_know(text):
            dispatcher.utter_message(text="Prima, dan laat ik de plek open.")
            return {"signal_settings": []}
        dispatcher.utter_message(
            text="Ik herken geen plek in je antwoord. Bijvoorbeeld: op straat, in het uitgaansleven of op school."
        )
        return {"signal_settings": None}

    async def validate_signal_reporters(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        text = _too_long(dispatcher, _text(value))
        parser = kb.parser()
        found = parser.partners(text)
        if found:
            return {"signal_reporters": found}
        if parser.is_dont_know(text) or parser.is_none(text):
            return {"signal_reporters": []}
        if not normalize(text):
            dispatcher.utter_message(text="Ik kreeg een leeg antwoord. Wie heeft het gezien of gemeld?")
            return {"signal_reporters": None}
        # Someone we have no partner record for (e.g. a resident): keep their words.
        return {"signal_reporters": [text[:200]]}

    async def validate_groups(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        text = _too_long(dispatcher, _text(value))
        parser = kb.parser()
        found = parser.groups(text)
        if found:
            return {"groups": found}
        if parser.is_dont_know(text):
            suggested = parser.suggest_groups(
                tracker.get_slot("signal_substances") or [], tracker.get_slot("signal_settings") or []
            )[:2]
            if suggested:
                dispatcher.utter_message(
                    text="Dan ga ik uit van de groepen die vaak bij dit signaal horen: "
                    + and_list(names(kb.catalog(), "groups", suggested))
                    + "."
                )
            return {"groups": suggested}
        dispatcher.utter_message(
            text="Ik herken geen groep in je antwoord. Kies een knop of noem de groep, bijvoorbeeld hangjongeren."
        )
        return {"groups": None}

    async def validate_partners_present(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        text = _too_long(dispatcher, _text(value))
        parser = kb.parser()
        found = parser.partners(text)
        if found:
            return {"partners_present": found}
        if parser.is_none(text) or parser.is_dont_know(text):
            return {"partners_present": []}
        dispatcher.utter_message(
            text="Ik herken geen partner in je antwoord. Bijvoorbeeld: GGD, jongerenwerk of politie. "
            "Zit er nog niemand aan tafel? Zeg dan 'nog niemand'."
        )
        return {"partners_present": None}


class ActionAskMunicipality(Action):
    """Ask for the municipality, or confirm a near miss, or resolve two municipalities with one name."""

    def name(self) -> Text:
        return "action_ask_municipality"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        suggestion = tracker.get_slot("municipality_suggestion")
        candidates = tracker.get_slot("municipality_candidates")
        if suggestion:
            dispatcher.utter_message(
                text=f"Bedoel je {suggestion}?",
                buttons=[_button(f"Ja, {suggestion}", suggestion), _button("Nee", "nee")],
            )
        elif candidates:
            dispatcher.utter_message(
                text="Er zijn meer gemeenten met die naam. Welke bedoel je?",
                buttons=[_button(name) for name in candidates],
            )
        else:
            dispatcher.utter_message(text="Voor welke gemeente werk je?")
        return []


class ActionAskGroups(Action):
    """Ask which groups are involved, with the groups that often go with this signal as buttons."""

    def name(self) -> Text:
        return "action_ask_groups"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        parser = kb.parser()
        catalog = kb.catalog()
        suggested = parser.suggest_groups(
            tracker.get_slot("signal_substances") or [], tracker.get_slot("signal_settings") or []
        )
        if not suggested:
            suggested = [g for g in ("jongeren_algemeen", "hangjongeren", "lvb", "schulden_armoede") if g in catalog.groups]
        buttons = [_button(catalog.groups[g].short) for g in suggested]
        buttons.append(_button("Weet ik niet", "weet ik niet"))
        dispatcher.utter_message(
            text="Om welke groep of groepen gaat het? Je mag er meer noemen.",
            buttons=buttons,
        )
        return []
