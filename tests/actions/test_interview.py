"""The interview form: answers, corrections, information given early, and bad input."""
import pytest

from actions.asks import ActionAskGroups, ActionAskMunicipality, ActionStartOver
from actions.interview import ValidateInterviewForm
from tests.actions.helpers import DOMAIN, FILLED, answer, run, slot_values, texts, tracker


def test_municipality_exact():
    values, messages = answer("municipality", "gemeente Zwolle")
    assert values["municipality"] == "Zwolle"
    assert messages == []
    # In a longer sentence with more information, the municipality is confirmed with the rest.
    values, messages = answer("municipality", "ik ben beleidsadviseur gezondheid bij de gemeente Deventer",
                              entities=[{"entity": "municipality", "value": "Deventer"}])
    assert values["municipality"] == "Deventer" and values["role"] == "gezondheid"
    assert texts(messages) == "Genoteerd: gemeente Deventer; domein gezondheid."


def test_municipality_near_miss_is_confirmed_then_accepted():
    values, _ = answer("municipality", "Amersfort")
    assert values["municipality"] is None
    assert values["municipality_suggestion"] == "Amersfoort"
    _, messages = run(ActionAskMunicipality(), tracker({"municipality_suggestion": "Amersfoort"}))
    assert messages[0]["text"] == "Bedoel je Amersfoort?"
    values, _ = answer("municipality", "ja", slots={"municipality_suggestion": "Amersfoort"}, intent="affirm")
    assert values["municipality"] == "Amersfoort"


def test_unknown_municipality_then_the_interview_moves_on():
    values, messages = answer("municipality", "Atlantis")
    assert values["municipality"] is None and "Atlantis" in texts(messages)
    values, messages = answer("municipality", "Atlantis", slots={"misses": values["misses"]})
    # The second time: the words are kept, and the interview goes on without a municipality.
    assert values["municipality"] == "" and values["notes"] == [{"question": "municipality", "text": "Atlantis"}]
    assert "eigen woorden: 'Atlantis'" in texts(messages) and "zonder gemeente" in texts(messages)


@pytest.mark.parametrize("text", ["<b>Zwolle</b><script>x()</script>", "'; DROP TABLE x; --", ""])
def test_markup_sql_and_empty_text_are_harmless(text):
    values, messages = answer("municipality", text)
    assert values["municipality"] in ("Zwolle", None)
    assert messages or values["municipality"] == "Zwolle"
    assert "Traceback" not in texts(messages)


def test_very_long_answer_is_cut_and_said():
    values, messages = answer("signal_substances", "we zien lachgas " + "bla " * 3000)
    assert values["signal_substances"] == ["lachgas"]
    assert "erg lang" in messages[0]["text"]


def test_english_gets_a_polite_dutch_answer():
    values, messages = answer("signal_substances", "please can you help with this, we are new")
    assert values["signal_substances"] is None
    assert "alleen Nederlands" in texts(messages)


def test_why_is_this_asked():
    values, messages = answer("policy", "waarom vraag je dat?", intent="ask_why")
    assert values["policy"] is None
    assert "niet opnieuw voor" in texts(messages)


def test_role_and_reason():
    assert answer("role", "ik werk bij openbare orde en veiligheid")[0]["role"] == "veiligheid"
    assert answer("role", "sociaal domein")[0]["role"] == "sociaal_domein"
    assert answer("reason", "ik schrijf de gezondheidsnota")[0]["reason"] == "beleid"
    assert answer("reason", "er is een signaal")[0]["reason"] == "signaal"


def test_signal_answer_also_fills_the_setting_and_trend():
    values, _ = answer("signal_substances", "steeds meer 3mmc in het uitgaansleven")
    assert values["signal_substances"] == ["3mmc"]
    assert values["signal_settings"] == ["uitgaan"]
    assert values["signal_trend"] == "neemt toe"


def test_unrecognised_signal_asks_again_with_buttons_then_keeps_the_words():
    values, messages = answer("signal_substances", "iets vaags")
    assert values["signal_substances"] is None
    assert "Ik herken geen middel" in texts(messages)
    values, messages = answer("signal_substances", "iets vaags", slots={"misses": values["misses"]})
    assert values["signal_substances"] == [] and values["notes"][0]["text"] == "iets vaags"
    assert "eigen woorden" in texts(messages)


def test_a_description_counts_as_the_signal():
    values, messages = answer("signal_substances", "veel gezinnen in de wijk redden het niet meer met geld")
    assert values["signal_substances"] == []
    assert values["signal_text"].startswith("veel gezinnen")
    values, _ = answer("signal_substances", "geen specifiek middel, het gaat om de groep")
    assert values["signal_substances"] == []


def test_second_miss_moves_on_with_the_dont_know_answer():
    values, messages = answer("signal_settings", "iets vaags", slots={"misses": {"slot": "signal_settings", "count": 1}})
    assert values["signal_settings"] == [] and values["misses"] is None
    assert "volgende vraag" in texts(messages)


def test_answer_to_a_later_question_is_kept_and_this_one_asked_again():
    signal = {"municipality": "Deventer", "role": "gezondheid", "reason": "signaal", "signal_substances": ["lachgas"]}
    values, messages = answer("signal_settings", "de politie en het jongerenwerk melden het", slots=signal)
    assert values["signal_settings"] is None and values["misses"]["count"] == 1
    assert values["signal_reporters"] == ["politie", "jongerenwerk"]
    assert "Genoteerd: gemeld door de politie en het jongerenwerk." in texts(messages)
    assert "Nu eerst deze vraag" in texts(messages)
    values, messages = answer("signal_settings", "weinig, een paar uur per week", slots=signal)
    assert values["capacity"] == "weinig, een paar uur per week" and values["signal_settings"] is None
    # Without a cue nothing is taken: a plain miss.
    values, messages = answer("signal_settings", "politie", slots=signal)
    assert "signal_reporters" not in values and values["misses"]["count"] == 1


def test_a_measure_named_is_no_new_substance():
    signal = {"municipality": "Deventer", "role": "gezondheid", "reason": "signaal", "signal_substances": ["lachgas"]}
    values, messages = answer("signal_settings", "we hebben een PHP alcohol", slots=signal)
    assert "signal_substances" not in values
    assert values["policy"] == "we hebben een PHP alcohol"
    assert "je hebt al Preventie- en handhavingsplan alcohol" in texts(messages)
    values, _ = answer("signal_settings", "ook alcohol", slots=signal)
    assert values["signal_substances"] == ["lachgas", "alcohol"]


def test_trend():
    assert answer("signal_trend", "het wordt steeds erger")[0]["signal_trend"] == "neemt toe"
    assert answer("signal_trend", "stabiel")[0]["signal_trend"] == "blijft gelijk"
    assert answer("signal_trend", "weet ik niet", intent="dont_know")[0]["signal_trend"] == "onbekend"


def test_another_signal_keeps_the_first_and_asks_again():
    slots = {k: FILLED[k] for k in ("municipality", "signal_substances", "signal_settings", "signal_reporters", "signal_trend")}
    values, messages = answer("more_signals", "ja, ook lachgas op straat", slots=slots)
    assert "Genoteerd: nog een signaal, over lachgas." in texts(messages)
    assert values["signals"][0]["substances"] == ["3mmc"]
    assert values["signal_substances"] == ["lachgas"]
    assert values["signal_settings"] == ["straat"]
    assert values["signal_reporters"] is None and values["more_signals"] is None
    values, _ = answer("more_signals", "nee", slots=slots, intent="deny")
    assert values["more_signals"] == "nee"


def test_groups_named_are_the_groups_and_a_plain_yes_adds_nothing():
    named = {"groups_mentioned": ["uitgaanspubliek", "studenten"], "groups_offered": ["hangjongeren"]}
    assert answer("groups", "ja", slots=named, intent="affirm")[0]["groups"] == ["uitgaanspubliek", "studenten"]
    assert answer("groups", "ook lvb", slots=named)[0]["groups"] == ["uitgaanspubliek", "studenten", "lvb"]
    assert answer("groups", "zonder studenten", slots=named)[0]["groups"] == ["uitgaanspubliek"]
    mixed = "zonder studenten, maar wel kinderen van ouders met een verslaving"
    assert answer("groups", mixed, slots=named)[0]["groups"] == ["uitgaanspubliek", "kopp_kov"]
    # Suggestions are offers: "ja" to a question without named groups chooses none of them.
    suggested = {"groups_suggested": ["uitgaanspubliek", "studenten"]}
    assert answer("groups", "ja", slots=suggested, intent="affirm")[0]["groups"] is None
    assert answer("groups", "hangjongeren", slots=suggested)[0]["groups"] == ["hangjongeren"]


def test_dont_know_group_takes_the_first_suggestion_only():
    values, messages = answer("groups", "weet ik niet", slots={"groups_suggested": ["uitgaanspubliek", "studenten"]},
                              intent="dont_know")
    assert values["groups"] == ["uitgaanspubliek"]
    assert messages


def test_partners_and_gap_analysis():
    values, messages = answer("partners_present", "ggd", slots={"groups": ["lvb"]})
    assert values["partners_present"] == ["ggd"]
    assert "mis ik nog" in texts(messages) and "LVB" in texts(messages)
    assert texts(messages).startswith("Genoteerd: de GGD.")
    assert answer("partners_present", "nog niemand")[0]["partners_present"] == []


def test_policy_names_what_is_already_there():
    values, messages = answer("policy", "we hebben een preventie- en handhavingsplan alcohol")
    assert values["policy"].startswith("we hebben")
    assert "niet opnieuw voor" in texts(messages)
    assert answer("policy", "nog geen beleid")[0]["policy"] == ""
    values, messages = answer("policy", "een alcoholbeleid met handhaving van de leeftijdsgrens")
    assert values["policy"].startswith("een alcoholbeleid")
    assert "geen maatregel uit mijn lijst" in texts(messages)


def test_capacity_little_time_is_confirmed():
    values, messages = answer("capacity", "een paar uur per week")
    assert values["capacity"] == "een paar uur per week"
    assert "minder opties" in texts(messages)
    assert "minder opties" not in texts(answer("capacity", "ruim: er is budget en tijd")[1])


def test_corrections_at_any_question():
    slots = {**FILLED}
    for slot in ("policy", "capacity"):
        slots.pop(slot)
    values, messages = answer("policy", "nee, het is Zwolle", slots=slots,
                              entities=[{"entity": "municipality", "value": "Zwolle"}])
    assert values["municipality"] == "Zwolle" and values["policy"] is None
    assert "Zwolle" in texts(messages)
    values, messages = answer("policy", "jongerenwerk zit er toch niet bij", slots=slots)
    assert values["partners_present"] == [] and values["policy"] is None
    values, messages = answer("capacity", "ook lachgas", slots=slots)
    assert values["signal_substances"] == ["3mmc", "lachgas"]
    # A correction in passing: "ik zei X, maar het gaat om Y".
    values, messages = answer("signal_trend", "ik zei uitgaanspubliek, maar het gaat om hangjongeren",
                              slots={"municipality": "Aalten", "signal_substances": ["3mmc"],
                                     "groups_mentioned": ["uitgaanspubliek"]})
    assert values["groups_mentioned"] == ["hangjongeren"] and values["signal_trend"] is None
    values, messages = answer("signal_trend", "ik zei alcohol maar het is lachgas",
                              slots={"municipality": "Aalten", "signal_substances": ["alcohol"]})
    assert values["signal_substances"] == ["lachgas"]


def test_first_message_information_is_kept():
    trk = tracker({}, text="ik werk bij veiligheid in Deventer en we zien meer lachgas op straat", intent="inform",
                  entities=[{"entity": "municipality", "value": "Deventer"}, {"entity": "substance", "value": "lachgas"}])
    trk.active_loop = {}
    events, messages = run(ValidateInterviewForm(), trk)
    values = slot_values(events)
    assert values["municipality"] == "Deventer"
    assert values["role"] == "veiligheid"
    assert values["signal_substances"] == ["lachgas"] and values["signal_settings"] == ["straat"]
    assert values["signal_trend"] == "neemt toe"
    assert texts(messages).startswith("Genoteerd")
    trk = tracker({}, text="3mmc bij hangjongeren", intent="inform")
    trk.active_loop = {}
    values = slot_values(run(ValidateInterviewForm(), trk)[0])
    assert values["groups_mentioned"] == ["hangjongeren"] and "groups" not in values
    _, messages = run(ActionAskGroups(), tracker(values))
    assert messages[0]["text"].startswith("Het plan gaat over hangjongeren. Klopt dat?")


def test_ask_groups_without_named_groups_offers_buttons_not_a_yes():
    events, messages = run(ActionAskGroups(), tracker({"signal_substances": ["3mmc"], "signal_settings": ["uitgaan"]}))
    assert "Om welke groep" in messages[0]["text"]
    titles = [b["title"] for b in messages[0]["buttons"]]
    assert "Ja, klopt" not in titles and titles[-1] == "weet ik niet"
    assert "uitgaanspubliek" in slot_values(events)["groups_suggested"]


def test_every_form_question_has_an_ask_action_with_buttons():
    from actions import asks

    classes = [v for v in vars(asks).values() if isinstance(v, type) and v.__module__ == "actions.asks"]
    for slot in DOMAIN["forms"]["interview_form"]["required_slots"]:
        if slot in ("municipality", "groups"):
            continue  # dedicated questions, tested above
        action = next(c() for c in classes if c().name() == f"action_ask_{slot}")
        _, messages = run(action, tracker())
        assert "?" in messages[0]["text"] or "één bericht" in messages[0]["text"]
        assert messages[0]["buttons"]


def test_a_question_asked_again_is_worded_differently():
    from conversation.interview import question

    assert question("signal_substances", {"signals": [{"substances": ["3mmc"]}]})[0].startswith("Welk ander signaal")
    assert "breed" in question("signal_substances", {"reason": "beleid"})[0]
    first = question("signal_trend", {})[0]
    again = question("signal_trend", {"misses": {"slot": "signal_trend", "count": 1}})[0]
    assert first != again


def test_start_over_needs_the_words_and_a_confirmation_and_keeps_the_old_interview():
    # The NLU's "start_over" alone does not restart: "er is een signaal" starts the interview.
    events, messages = run(ActionStartOver(), tracker({}, text="er is een signaal", intent="start_over"))
    assert events[-1]["event"] == "followup" and events[-1]["name"] == "interview_form"
    # In words: first a question.
    events, messages = run(ActionStartOver(), tracker(FILLED, text="opnieuw beginnen", intent="start_over"))
    assert slot_values(events) == {"confirm": "start_over"} and "echt opnieuw" in texts(messages)
    # Confirmed: a new interview, the old one kept.
    events, messages = run(ActionStartOver(), tracker({**FILLED, "confirm": "start_over"}, text="ja, opnieuw beginnen"))
    values = slot_values(events)
    assert values["municipality"] is None and values["previous_interviews"][0]["municipality"] == "Aalten"
    # During the interview: the form asks, and "nee" goes on with nothing lost.
    values, messages = answer("policy", "opnieuw", slots=FILLED)
    assert values["confirm"] == "start_over" and "municipality" not in values
    values, messages = answer("policy", "nee", slots={**FILLED, "confirm": "start_over"})
    assert values["confirm"] is None and "municipality" not in values
    values, messages = answer("policy", "ja", slots={**FILLED, "confirm": "start_over"})
    assert values["municipality"] is None and values["previous_interviews"][-1]["signal_substances"] == ["3mmc"]
