"""The actions, run as the action server runs them: a tracker in, events and messages out."""
import asyncio

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.interview import ActionAskGroups, ActionAskMunicipality, ValidateInterviewForm
from actions.plan import ActionProposePlan, ActionShowSummary

DOMAIN = {"forms": {"interview_form": {"required_slots": [
    "municipality", "signal_substances", "signal_settings", "signal_reporters", "groups", "partners_present"]}}}


def tracker(slots=None, text="", intent="inform", requested=None, entities=None):
    slots = dict(slots or {})
    if requested:
        slots["requested_slot"] = requested
    return Tracker(
        sender_id="test",
        slots=slots,
        latest_message={"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": entities or []},
        events=[],
        paused=False,
        followup_action=None,
        active_loop={"name": "interview_form"} if requested else {},
        latest_action_name="action_listen",
    )


def run(action, trk):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, trk, DOMAIN))
    return events, dispatcher.messages


def validate(slot, value, slots=None, intent="inform", entities=None):
    """Run the form validation for one answer; returns (slot values, messages)."""
    trk = tracker({**(slots or {}), slot: value}, text=value, intent=intent, requested=slot, entities=entities)
    trk.events = [{"event": "slot", "name": slot, "value": value}]
    events, messages = run(ValidateInterviewForm(), trk)
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}, messages


def test_municipality_exact():
    values, messages = validate("municipality", "gemeente Zwolle")
    assert values["municipality"] == "Zwolle"
    assert messages == []


def test_municipality_near_miss_is_confirmed_then_accepted():
    values, _ = validate("municipality", "Amersfort")
    assert values["municipality"] is None
    assert values["municipality_suggestion"] == "Amersfoort"
    _, messages = run(ActionAskMunicipality(), tracker({"municipality_suggestion": "Amersfoort"}))
    assert messages[0]["text"] == "Bedoel je Amersfoort?"
    assert messages[0]["buttons"][0]["payload"] == "Amersfoort"
    values, _ = validate("municipality", "ja", slots={"municipality_suggestion": "Amersfoort"}, intent="affirm")
    assert values["municipality"] == "Amersfoort"


def test_unknown_municipality_is_explained():
    values, messages = validate("municipality", "Atlantis")
    assert values["municipality"] is None
    assert "Atlantis" in messages[0]["text"]


@pytest.mark.parametrize("text", ["<b>Zwolle</b><script>x()</script>", "'; DROP TABLE x; --"])
def test_markup_and_sql_looking_text_are_harmless(text):
    values, messages = validate("municipality", text)
    assert values["municipality"] in ("Zwolle", None)
    assert all("Traceback" not in (m.get("text") or "") for m in messages)


def test_very_long_answer_is_cut_and_said():
    values, messages = validate("signal_substances", "we zien lachgas " + "bla " * 3000)
    assert values["signal_substances"] == ["lachgas"]
    assert "erg lang" in messages[0]["text"]


def test_signal_answer_also_fills_the_setting():
    values, _ = validate("signal_substances", "meer 3mmc in het uitgaansleven")
    assert values["signal_substances"] == ["3mmc"]
    assert values["signal_settings"] == ["uitgaan"]


def test_unrecognised_signal_asks_again():
    values, messages = validate("signal_substances", "iets vaags")
    assert values["signal_substances"] is None
    assert "Ik herken geen middel" in messages[0]["text"]


def test_dont_know_group_uses_suggestions():
    values, messages = validate("groups", "weet ik niet", slots={"signal_substances": ["3mmc"], "signal_settings": ["uitgaan"]},
                                intent="dont_know")
    assert "uitgaanspubliek" in values["groups"]
    assert messages


def test_partners_none():
    values, _ = validate("partners_present", "nog niemand")
    assert values["partners_present"] == []


def test_ask_groups_offers_suggestions_as_buttons():
    _, messages = run(ActionAskGroups(), tracker({"signal_substances": ["3mmc"], "signal_settings": ["uitgaan"]}))
    titles = [b["title"] for b in messages[0]["buttons"]]
    assert titles[-1] == "Weet ik niet"
    assert len(titles) >= 2


FILLED = {
    "municipality": "Aalten",
    "signal_substances": ["3mmc"],
    "signal_settings": ["uitgaan"],
    "signal_reporters": ["jongerenwerk", "horeca"],
    "groups": ["uitgaanspubliek"],
    "partners_present": ["jongerenwerk"],
}


def test_propose_plan_renders_steps_with_interventions():
    events, messages = run(ActionProposePlan(), tracker(FILLED))
    texts = [m["text"] for m in messages]
    assert texts[0].startswith("Dit is mijn voorstel voor Aalten")
    steps = [t for t in texts if t.startswith("Stap ")]
    assert len(steps) == 5
    assert "Barcode" in "\n".join(texts)
    assert "erkenning:" in "\n".join(texts)
    plan_slot = next(e for e in events if e["name"] == "plan")["value"]
    assert set(plan_slot) == {"analyse", "samenwerking", "interventies", "deskundigheid", "borging"}


def test_summary_names_everything_said():
    _, messages = run(ActionShowSummary(), tracker(FILLED))
    text = messages[0]["text"]
    assert "Gemeente: Aalten" in text
    assert "3-MMC" in text and "uitgaansleven" in text and "jongerenwerk" in text
    assert "Stap 3" in text


def test_every_form_question_has_an_ask_action_with_buttons():
    from actions import asks

    for slot in DOMAIN["forms"]["interview_form"]["required_slots"]:
        if slot in ("municipality", "groups"):
            continue  # dedicated ask actions, tested above
        action = next(v for v in vars(asks).values()
                      if isinstance(v, type) and issubclass(v, asks._AskAction) and v.slot == slot)
        _, messages = run(action(), tracker())
        assert action().name() == f"action_ask_{slot}"
        assert messages[0]["text"].endswith("?") or "één bericht" in messages[0]["text"]
        assert messages[0]["buttons"]


def test_start_over_says_so_and_restarts():
    from actions.asks import ActionStartOver

    events, messages = run(ActionStartOver(), tracker(FILLED))
    assert events == [{"event": "restart", "timestamp": None}]
    assert "opnieuw" in messages[0]["text"]
