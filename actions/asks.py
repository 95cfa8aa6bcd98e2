"""The interview questions with their buttons (one table; one ask action per slot).

Served as custom `action_ask_<slot>` actions so that the question texts, their buttons and
the validation live side by side. A question may depend on what is known already (a second
signal, a policy reason, the groups that go with the signal).
"""
from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import Restarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import kb
from actions.render import and_list, names
from actions.state import interview_state

Buttons = List[Dict[str, str]]


def button(title: str, payload: Optional[str] = None) -> Dict[str, str]:
    return {"title": title, "payload": payload if payload is not None else title}


def buttons(*titles: str) -> Buttons:
    return [button(t) for t in titles]


QUESTIONS: Dict[str, Tuple[str, List[str]]] = {
    "role": (
        "Vanuit welk domein werk je?",
        ["gezondheid", "sociaal domein", "veiligheid", "iets anders"],
    ),
    "reason": (
        "Waarom kom je vandaag? Is er een signaal, of werk je aan beleid?",
        ["er is een signaal", "ik schrijf de gezondheidsnota", "ik maak een preventieplan"],
    ),
    "signal_substances": (
        "Welk signaal zie je? Om welk middel of gedrag gaat het?",
        ["alcohol", "lachgas", "3-MMC", "cannabis", "roken en vapen", "drugs in het algemeen"],
    ),
    "signal_settings": (
        "Waar zie je het?",
        ["op straat", "in het uitgaansleven", "op school", "thuis, in gezinnen", "weet ik niet"],
    ),
    "signal_reporters": (
        "Wie heeft het gezien of gemeld?",
        ["jongerenwerk", "horeca", "politie", "school", "weet ik niet"],
    ),
    "signal_trend": (
        "Neemt het toe?",
        ["het neemt toe", "het blijft gelijk", "het neemt af", "weet ik niet"],
    ),
    "more_signals": (
        "Zie je nog een ander signaal?",
        ["ja", "nee"],
    ),
    "partners_present": (
        "Welke partners zijn al betrokken? Noem ze allemaal in één bericht.",
        ["GGD", "verslavingszorg", "jongerenwerk", "politie", "nog niemand"],
    ),
    "policy": (
        "Welk beleid is er al? Bijvoorbeeld een preventie- en handhavingsplan alcohol, "
        "Damoclesbeleid of afspraken met de horeca.",
        ["nog geen beleid", "weet ik niet"],
    ),
    "capacity": (
        "Hoeveel ruimte heb je voor de aanpak? Denk aan uren en geld, bijvoorbeeld uit het GALA of de SPUK.",
        ["weinig: een paar uur per week", "gemiddeld", "ruim: er is budget en tijd", "weet ik niet"],
    ),
}


def question(slot: str, slots: Mapping[str, Any]) -> Tuple[str, Buttons]:
    text, titles = QUESTIONS[slot]
    if slot == "signal_substances":
        if slots.get("signals"):
            text = "Welk ander signaal zie je? Om welk middel of gedrag gaat het?"
        elif slots.get("reason") == "beleid":
            text = "Welk thema wil je aanpakken? Noem een middel of gedrag, bijvoorbeeld alcohol of gokken."
    return text, buttons(*titles)


class _AskAction(Action):
    slot = ""

    def name(self) -> Text:
        return f"action_ask_{self.slot}"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        text, options = question(self.slot, tracker.current_slot_values())
        dispatcher.utter_message(text=text, buttons=options)
        return []


# One action class per question, e.g. ActionAskSignalSubstances -> action_ask_signal_substances.
for _slot in QUESTIONS:
    _cls = type("ActionAsk" + "".join(p.title() for p in _slot.split("_")), (_AskAction,), {"slot": _slot})
    globals()[_cls.__name__] = _cls


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
                buttons=[button(f"Ja, {suggestion}", suggestion), button("Nee", "nee")],
            )
        elif candidates:
            dispatcher.utter_message(
                text="Er zijn meer gemeenten met die naam. Welke bedoel je?",
                buttons=[button(name) for name in candidates],
            )
        else:
            dispatcher.utter_message(text="Voor welke gemeente werk je?")
        return []


def suggested_groups(slots: Mapping[str, Any]) -> List[str]:
    """The groups that often go with the signals so far, best first."""
    state = interview_state(slots)
    mentioned = [g for g in (slots.get("groups_mentioned") or []) if g in kb.catalog().groups]
    likely = [g for g in kb.parser().suggest_groups(state.substances, state.settings, limit=3) if g not in mentioned]
    return (mentioned + likely)[:3]


class ActionAskGroups(Action):
    """Suggest the groups that often go with the signals; the officer confirms, adds or removes."""

    def name(self) -> Text:
        return "action_ask_groups"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        catalog = kb.catalog()
        suggested = suggested_groups(tracker.current_slot_values())
        if suggested:
            listed = and_list(names(catalog, "groups", suggested))
            text = (
                f"Bij dit signaal gaat het vaak om {listed}. Klopt dat? "
                "Je kunt ook groepen toevoegen of weghalen, bijvoorbeeld 'ook LVB' of 'zonder studenten'."
            )
            options = [button("Ja, klopt", "ja")]
        else:
            text = "Om welke groep of groepen gaat het? Je mag er meer noemen."
            options = []
            suggested = [g for g in ("jongeren_algemeen", "hangjongeren", "lvb", "schulden_armoede") if g in catalog.groups]
        options += [button(catalog.groups[g].short) for g in suggested]
        options.append(button("weet ik niet"))
        dispatcher.utter_message(text=text, buttons=options)
        return [SlotSet("groups_suggested", suggested if text.startswith("Bij") else [])]


class ActionStartOver(Action):
    """Forget the conversation and say so."""

    def name(self) -> Text:
        return "action_start_over"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(text="Ik ben alles vergeten. Zeg 'hoi' om opnieuw te beginnen.")
        return [Restarted()]
