"""The interview questions with their buttons (one table; one ask action per slot).

Served as custom `action_ask_<slot>` actions so that the question texts, their buttons and
the validation live side by side.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import Restarted
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

QUESTIONS: Dict[str, Tuple[str, List[str]]] = {
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
    "partners_present": (
        "Welke partners zijn al betrokken? Noem ze allemaal in één bericht.",
        ["GGD", "verslavingszorg", "jongerenwerk", "politie", "nog niemand"],
    ),
}


class _AskAction(Action):
    slot = ""

    def name(self) -> Text:
        return f"action_ask_{self.slot}"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        text, buttons = QUESTIONS[self.slot]
        dispatcher.utter_message(text=text, buttons=[{"title": b, "payload": b} for b in buttons])
        return []


# One action class per question, e.g. ActionAskSignalSubstances -> action_ask_signal_substances.
for _slot in QUESTIONS:
    _cls = type("ActionAsk" + "".join(p.title() for p in _slot.split("_")), (_AskAction,), {"slot": _slot})
    globals()[_cls.__name__] = _cls


class ActionStartOver(Action):
    """Forget the conversation and say so."""

    def name(self) -> Text:
        return "action_start_over"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(text="Ik ben alles vergeten. Zeg 'hoi' om opnieuw te beginnen.")
        return [Restarted()]
