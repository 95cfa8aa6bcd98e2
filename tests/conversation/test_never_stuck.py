"""The interview never gets stuck and never loses what was said, driven without servers.

For every question and every odd input of the benchmark's fuzz pool (empty, numbers, other
languages, chat, HTML, SQL, another question's answer, ...): the question is asked at most twice
in a row, the municipality is kept, nothing restarts, and no markup is echoed back.
"""
from pathlib import Path

import pytest
import yaml

from conversation import interview
from conversation.answers import Turn
from conversation.state import FORM_SLOTS

POOL_FILE = Path(__file__).resolve().parents[2] / "benchmarks" / "scenarios" / "fuzz_pool.yaml"
FILLED = {
    "municipality": "Aalten", "role": "gezondheid", "reason": "signaal", "signal_substances": ["3mmc"],
    "signal_settings": ["uitgaan"], "signal_reporters": ["jongerenwerk"], "signal_trend": "neemt toe",
    "more_signals": "nee", "groups": ["uitgaanspubliek"], "partners_present": ["jongerenwerk"], "policy": "",
    "capacity": "gemiddeld",
}
INTENTS = ("inform", "chitchat", "out_of_scope", "start_over", "nlu_fallback", "affirm", "greet")


def pool():
    data = yaml.safe_load(POOL_FILE.read_text(encoding="utf-8"))
    items = [str(x) for group in data.values() for x in (group or [])]
    items.append("x" * 10_000)
    return items


def slots_before(slot):
    """The answers known when ``slot`` is asked: those of the questions before it."""
    before = FORM_SLOTS[:FORM_SLOTS.index(slot)]
    return {k: v for k, v in FILLED.items() if k in before}


def say(slot, slots, text, intent):
    out = interview.Replies()
    updates = interview.answer(slot, Turn(text[:2000], intent, {}, dict(slots)), out)
    updates.pop("_summary", None)
    return {**slots, **updates}, out


def test_the_pool_is_big_enough():
    assert len(pool()) >= 200


@pytest.mark.parametrize("slot", FORM_SLOTS)
def test_every_question_moves_on_after_two_odd_answers(slot):
    stuck = []
    for number, text in enumerate(pool()):
        intent = INTENTS[number % len(INTENTS)]
        slots = slots_before(slot)
        asked = 0
        for _ in range(4):
            if slots.get(slot) is not None:
                break
            if slots.get("municipality_suggestion") or slots.get("municipality_candidates") or slots.get("confirm"):
                slots, _ = say(slot, slots, "nee", "deny")  # a yes/no question in between
                continue
            asked += 1
            slots, out = say(slot, slots, text, intent)
            assert "<script" not in out.text.lower() and "<img" not in out.text.lower()
            assert "previous_interviews" not in slots or not slots["previous_interviews"], text
            if slot != "municipality":
                assert slots["municipality"] == "Aalten", text
        if slots.get(slot) is None and slot != "more_signals":
            stuck.append((text[:40], intent, asked))
        if slot == "more_signals" and slots.get("more_signals") is None:
            # "ja" (or a substance) opens another signal: then the signal question is asked.
            assert slots.get("signals"), text
    assert not stuck, stuck[:10]


def test_a_named_municipality_at_another_question_needs_a_cue():
    slots = slots_before("signal_trend")
    slots, _ = say("signal_trend", slots, "Zwolle", "inform")
    assert slots["municipality"] == "Aalten"
    slots, out = say("signal_trend", slots, "nee, het is Zwolle", "inform")
    assert slots["municipality"] == "Zwolle" and "Zwolle" in out.text
