"""An answer that belongs to another question is kept, at every question and every confirmation.

"Het plan gaat over ouderen. Klopt dat?" - "de GGD en het welzijnswerk": the partners are noted
and the question comes back; they are not dropped with "Ik herken geen groep".
"""
import pytest

from conversation import interview
from conversation.answers import Turn
from conversation.state import FORM_SLOTS

FILLED = {
    "municipality": "Ede", "role": "gezondheid", "reason": "signaal", "signal_substances": ["alcohol"],
    "signal_settings": ["thuis"], "signal_reporters": ["huisartsen"], "signal_trend": "neemt toe",
    "more_signals": "nee", "groups": ["ouderen"], "partners_present": None, "policy": "", "capacity": "gemiddeld",
}
CONFIRM_GROUP = {**{k: v for k, v in FILLED.items() if FORM_SLOTS.index(k) < FORM_SLOTS.index("groups")},
                 "groups_mentioned": ["ouderen"]}


def answer(slot, text, slots):
    out = interview.Replies()
    updates = interview.answer(slot, Turn(text, "inform", {}, dict(slots)), out)
    return {**slots, **updates}, out.text


def before(slot):
    return {k: v for k, v in FILLED.items() if FORM_SLOTS.index(k) < FORM_SLOTS.index(slot)}


@pytest.mark.parametrize("text", [
    "ggd en welzijnswerk",
    "de GGD en het welzijnswerk zitten al aan tafel",
    "we werken al samen met de ggd en het welzijnswerk",
])
def test_partners_at_the_group_confirmation_are_kept_and_the_question_comes_back(text):
    slots, said = answer("groups", text, CONFIRM_GROUP)
    assert slots["partners_present"] == ["ggd", "welzijn"]
    assert slots["groups"] is None and slots["groups_mentioned"] == ["ouderen"]
    assert "GGD" in said and "herken geen groep" not in said


def test_a_yes_with_partners_confirms_the_group_and_keeps_the_partners():
    slots, said = answer("groups", "ja klopt, samen met de huisarts en de thuiszorg", CONFIRM_GROUP)
    assert slots["groups"] == ["ouderen"]
    assert slots["partners_present"] == ["huisartsen", "wijkverpleging"]
    assert slots["signal_settings"] == ["thuis"]  # "huisarts" named a partner here, not the place "zorg"
    assert "aan tafel" in said


@pytest.mark.parametrize("slot", [s for s in FORM_SLOTS if s not in ("signal_reporters", "partners_present", "policy", "capacity")])
def test_partners_at_the_table_named_at_any_other_question_are_kept(slot):
    slots, said = answer(slot, "de politie en het jongerenwerk zitten al aan tafel", before(slot))
    assert slots["partners_present"] == ["politie", "jongerenwerk"], said
    assert "politie" in said
    assert slots.get(slot) is None  # the question itself is still open


def test_a_bare_list_of_partners_is_not_guessed_while_who_reported_it_is_open():
    # Reporters or partners at the table: not taken without a cue ("melden", "aan tafel").
    slots, said = answer("signal_settings", "de ggd en het welzijnswerk", before("signal_settings"))
    assert slots.get("signal_reporters") is None and slots.get("partners_present") is None
    slots, said = answer("signal_settings", "de ggd en het welzijnswerk melden het", before("signal_settings"))
    assert slots["signal_reporters"] == ["ggd", "welzijn"] and "gemeld door" in said


def test_a_group_described_at_a_place_is_no_list_of_partners():
    slots, _ = answer("groups", "jongeren op school", CONFIRM_GROUP)
    assert slots.get("partners_present") is None
    assert "jongeren_algemeen" in slots["groups"] and "ouderen" in slots["groups"]


def test_the_same_young_people_are_no_new_group():
    slots, _ = answer("groups", "ja, die jongeren", {**CONFIRM_GROUP, "groups_mentioned": ["hangjongeren"]})
    assert slots["groups"] == ["hangjongeren"]


@pytest.mark.parametrize("text,slot,added", [
    ("het speelt vooral in de wijk en bij de kroeg", "signal_settings", ["thuis", "wijk", "uitgaan"]),
    ("gokken", "signal_substances", ["alcohol", "gokken"]),
])
def test_more_of_an_earlier_answer_at_a_confirmation_is_added(text, slot, added):
    slots, said = answer("groups", text, CONFIRM_GROUP)
    assert slots[slot] == added
    assert slots["groups"] is None and "herken geen groep" not in said


def test_a_negated_place_adds_nothing():
    slots, _ = answer("groups", "ja, maar niet in de kroeg", CONFIRM_GROUP)
    assert slots["signal_settings"] == ["thuis"]


def test_partners_named_after_the_plan_are_added():
    from conversation.answers import corrections
    slots = {**FILLED, "partners_present": ["politie"]}
    fixed = corrections(Turn("de ggd zit al aan tafel", "inform", {}, slots), None)
    assert fixed["partners_present"] == ["politie", "ggd"]
    assert corrections(Turn("de ggd", "inform", {}, slots), None) == {}  # no cue: not taken as news


def test_twice_another_answer_moves_on_and_keeps_both():
    slots, _ = answer("groups", "ggd en welzijnswerk", CONFIRM_GROUP)
    slots, said = answer("groups", "het speelt ook in de wijk", slots)
    assert slots["partners_present"] == ["ggd", "welzijn"]
    assert "wijk" in slots["signal_settings"]
    assert slots["groups"] == ["ouderen"]  # moved on with what was named
    assert "wijk" in said


@pytest.mark.parametrize("slot,text", [
    ("policy", "niet echt iets over gokken"),
    ("policy", "nee, geen beleid voor gokken"),
    ("capacity", "geen geld voor de ggd"),
    ("capacity", "nee, niet voor ouderen apart"),
])
def test_a_negation_in_a_free_text_answer_takes_nothing_away(slot, text):
    slots = {**before(slot), "signal_substances": ["alcohol", "gokken"], "groups": ["ouderen"], "partners_present": ["ggd"]}
    after, said = answer(slot, text, slots)
    assert after[slot] is not None  # it is the answer
    for kept in ("signal_substances", "groups", "partners_present"):
        assert after[kept] == slots[kept], (kept, said)
    assert "Aangepast" not in said


@pytest.mark.parametrize("text,slot,value", [
    ("haal gokken maar weg", "signal_substances", ["alcohol"]),
    ("nee, het gaat niet om gokken maar om alcohol", "signal_substances", ["alcohol"]),
    ("sorry, niet ouderen maar jongeren", "groups", ["jongeren_algemeen"]),
])
def test_a_change_asked_for_in_words_at_a_free_text_question_is_made(text, slot, value):
    slots = {**before("policy"), "signal_substances": ["alcohol", "gokken"], "groups": ["ouderen"]}
    after, said = answer("policy", text, slots)
    assert after[slot] == value and "Aangepast" in said
    assert after["policy"] is None  # the question comes back


def test_partners_and_a_place_in_one_message_are_both_kept():
    slots, said = answer("groups", "de ggd doet mee; het is vooral in de opvang", CONFIRM_GROUP)
    assert slots["partners_present"] == ["ggd"]
    assert slots["signal_settings"] == ["thuis", "opvang"]
    slots, said = answer("groups", "ja, en de politie sluit aan. het speelt ook in het park", CONFIRM_GROUP)
    assert slots["groups"] == ["ouderen"] and slots["partners_present"] == ["politie"]
    assert "straat" in slots["signal_settings"]


def test_a_name_in_a_clause_about_places_is_a_place():
    # "azc" names the COA as well as a shelter; where it happens, it is the place.
    slots, _ = answer("groups", "in het azc en op het roc, en de ggd en vluchtelingenwerk denken mee", CONFIRM_GROUP)
    assert slots["partners_present"] == ["ggd", "vluchtelingenwerk"]
    assert {"opvang", "mbo"} <= set(slots["signal_settings"])


def test_partners_named_after_the_first_in_the_same_breath_are_kept():
    slots, _ = answer("groups", "de wijkagent zit erbij, net als de huisartsen", CONFIRM_GROUP)
    assert slots["partners_present"] == ["politie", "huisartsen"]


def test_partners_pointed_back_to_are_at_the_table():
    slots, said = answer("signal_trend", "de ggd en de politie, die zitten al bij ons aan tafel", before("signal_trend"))
    assert slots["partners_present"] == ["ggd", "politie"] and slots["signal_trend"] is None
    slots, said = answer("signal_trend", "de ggd is er ook al mee bezig", before("signal_trend"))
    assert slots["partners_present"] == ["ggd"]
