"""An officer who comes back after the session expired: where we were, go on or start again."""
from actions.asks import ActionGreet, ActionSessionStart, plan_steps
from conversation import interview
from tests.actions.helpers import FILLED, run, slot_values, texts, tracker


def test_nothing_under_way_no_message():
    events, messages = run(ActionSessionStart(), tracker({}))
    assert messages == []
    assert [e["event"] for e in events] == ["session_started", "action"]


def test_in_the_interview_names_the_question_and_offers_a_choice():
    slots = {"municipality": "Deventer", "role": "gezondheid", "reason": "signaal", "signal_substances": ["alcohol"]}
    events, messages = run(ActionSessionStart(), tracker(slots))
    assert texts(messages) == ("Vorige keer waren we bij de vraag over de plek voor Deventer. "
                               "Wil je verder gaan of opnieuw beginnen?")
    assert [b["payload"] for b in messages[0]["buttons"]] == ["/greet", "/start_over"]
    # The slots carry over into the new session, before it listens.
    assert events[0]["event"] == "session_started" and events[-1]["name"] == "action_listen"
    assert slot_values(events) == slots


def test_in_the_plan_names_the_step():
    slots = {**FILLED, "municipality": "Deventer", "plan_position": 2, "plan_choices": {"analyse": [], "partners": []}}
    _, messages = run(ActionSessionStart(), tracker(slots))
    assert texts(messages).startswith("Vorige keer waren we bij stap 3 van het plan voor Deventer.")


def test_a_finished_plan_is_offered_again():
    slots = dict(FILLED)
    steps = plan_steps(slots)
    slots["plan_choices"] = {str(i): [] for i in range(steps)}
    assert interview.progress(slots, steps)[0] == interview.PLAN_DONE
    _, messages = run(ActionSessionStart(), tracker(slots))
    assert "hebben we een plan gemaakt voor Aalten" in texts(messages)


def test_greeting_goes_on_where_we_were():
    # A new officer gets the introduction; the rule then starts the interview form.
    events, messages = run(ActionGreet(), tracker({}, text="hoi", intent="greet"))
    assert [m.get("response") for m in messages] == ["utter_greet", "utter_explain"] and events == []
    # Half way through the interview: welcome back, and the form asks the next question.
    events, messages = run(ActionGreet(), tracker({"municipality": "Zwolle"}, text="/greet", intent="greet"))
    assert "Fijn dat je er weer bent" in texts(messages) and events == []
    # In the plan: the plan form goes on at the same step (shown again), nothing is reset.
    slots = {**FILLED, "plan_position": 1, "plan_choices": {"analyse": []}, "plan_shown": 1}
    events, _ = run(ActionGreet(), tracker(slots, text="/greet", intent="greet"))
    assert any(e["event"] == "followup" and e["name"] == "plan_form" for e in events)
    assert slot_values(events) == {"plan_shown": None}
