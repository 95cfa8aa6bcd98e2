"""The plan, step by step: propose, walk through, change, recap; questions and the fallback."""
import asyncio

from rasa_sdk.executor import CollectingDispatcher

from actions.plan import ActionAskPlanFeedback, ActionPlanRecap, ActionProposePlan, ActionReopenPlan
from actions.questions import ActionAnswerQuestion, ActionCorrect, ActionFallback, ActionShowSummary
from conversation.state import SKIPPED
from tests.actions.helpers import FILLED, feedback, run, slot_values, texts, tracker

STEPS = ["analyse", "samenwerking", "interventies", "deskundigheid", "borging"]


def show(slots):
    events, messages = run(ActionAskPlanFeedback(), tracker(slots, loop="plan_form"))
    return slot_values(events), messages


def test_propose_then_show_one_step_at_a_time():
    events, messages = run(ActionProposePlan(), tracker(FILLED))
    assert messages[0]["text"].startswith("Dit is mijn voorstel voor Aalten")
    assert len(messages) == 1  # the steps come one at a time
    slots = {**FILLED, **slot_values(events)}
    values, messages = show(slots)
    assert messages[0]["text"].startswith("Stap 1 van 5")
    assert values["plan_shown"] == 0
    titles = [b["title"] for b in messages[0]["buttons"]]
    assert titles[0] == "Volgende" and "Terug" not in titles
    # asked again without a change: only the buttons, not the whole step
    _, messages = show({**slots, **values})
    assert messages[0]["text"] == "Wat wil je doen met deze stap?"


def walk(slots, intents):
    for intent in intents:
        values, messages = feedback(intent, slots, intent)
        slots = {**slots, **values}
    return slots, messages


def test_next_skip_back_and_done():
    slots = {**FILLED, "plan_position": 0, "plan_choices": {}}
    slots, _ = walk(slots, ["next_step", "skip_step"])
    assert slots["plan_position"] == 2
    assert slots["plan_choices"]["samenwerking"] == SKIPPED
    assert slots["plan_choices"]["analyse"]
    slots, _ = walk(slots, ["previous_step"])
    assert slots["plan_position"] == 1 and slots["plan_shown"] is None
    slots, _ = walk(slots, ["next_step", "next_step", "next_step"])
    assert slots["plan_feedback"] is None
    slots, _ = walk(slots, ["next_step"])
    assert slots["plan_feedback"] == "klaar"
    assert set(slots["plan_choices"]) == set(STEPS)
    _, messages = run(ActionPlanRecap(), tracker(slots))
    recap = texts(messages)
    assert "samen hebben gemaakt" in recap and "overgeslagen" not in recap.split("\n")[2]


def test_back_on_the_first_step_is_explained():
    values, messages = feedback("terug", {**FILLED, "plan_position": 0}, "previous_step")
    assert "eerste stap" in texts(messages)


def test_why_and_recognition():
    slots = {**FILLED, "plan_position": 2}
    _, messages = feedback("waarom?", slots, "ask_why")
    assert "Past voor" in texts(messages) and "Unity" in texts(messages)
    _, messages = feedback("hoe erkend is dit?", slots, "ask_recognition")
    assert "Bron: http" in texts(messages)


def test_why_about_one_named_option_explains_only_that_one():
    from actions.plan import make_plan

    slots = {**FILLED, "plan_position": 2}
    options = make_plan(slots).steps[2].options
    assert len(options) > 1
    first, second = options[0].intervention, options[1].intervention
    _, messages = feedback(f"waarom {second.name}?", slots, "ask_why")
    assert f"• {second.name}:" in texts(messages) and f"• {first.name}:" not in texts(messages)
    _, messages = feedback(f"hoe erkend is {second.name}", slots, "ask_recognition")
    assert f"• {second.name}:" in texts(messages) and f"• {first.name}:" not in texts(messages)


def test_an_option_already_in_place_leaves_the_plan():
    from actions.plan import make_plan

    slots = {**FILLED, "plan_position": 0}
    option = make_plan(slots).steps[0].options[0].intervention
    values, messages = feedback(f"{option.name} hebben we al", slots, "inform")
    assert f"Genoteerd: je hebt al {option.name}." in texts(messages)
    assert option.name in values["policy"] and values["plan_shown"] is None
    new_plan = make_plan({**slots, **values})
    assert option.id not in new_plan.option_ids()
    # Without "al" it is no such statement.
    values, _ = feedback(f"{option.name} hebben we", slots, "inform")
    assert "policy" not in values


def test_tell_more_about_a_named_intervention():
    _, messages = feedback("vertel meer over Helder op School", {**FILLED, "plan_position": 2}, "ask_about")
    assert texts(messages).startswith("Helder op School:")
    assert "Erkenning:" in texts(messages)


def test_other_option_then_choose_it():
    slots = {**FILLED, "plan_position": 2}
    _, messages = feedback("andere optie", slots, "other_option")
    buttons = messages[0]["buttons"]
    assert buttons and buttons[0]["payload"].startswith('/choose_option{"intervention": "')
    chosen = buttons[0]["payload"].split('"')[3]
    values, messages = feedback(buttons[0]["payload"], slots, "choose_option",
                                entities=[{"entity": "intervention", "value": chosen}])
    assert values["pinned"] == {"interventies": [chosen]}
    assert "Toegevoegd" in texts(messages)
    from actions.plan import make_plan

    assert chosen in [o.intervention.id for o in make_plan({**slots, **values}).steps[2].options]


def test_reject_asks_which_then_reranks():
    slots = {**FILLED, "plan_position": 2}
    _, messages = feedback("past niet bij ons", slots, "reject_option")
    assert messages[0]["text"] == "Welke past niet bij jullie?"
    payload = messages[0]["buttons"][0]["payload"]
    rejected = payload.split('"')[3]
    values, messages = feedback(payload, slots, "reject_option", entities=[{"entity": "intervention", "value": rejected}])
    assert values["rejected"] == [rejected] and values["plan_shown"] is None
    from actions.plan import make_plan

    assert rejected not in make_plan({**slots, **values}).option_ids()


def test_reject_a_whole_type():
    slots = {**FILLED, "plan_position": 2}
    values, messages = feedback("geen campagnes", slots, "reject_option")
    assert values["rejected_types"] == ["campagne"]
    assert "campagne" in texts(messages)


def test_correction_during_the_plan():
    values, messages = feedback("nee, het is Zwolle", {**FILLED, "plan_position": 1}, "inform",
                                entities=[{"entity": "municipality", "value": "Zwolle"}])
    assert values["municipality"] == "Zwolle" and values["plan_shown"] is None
    assert "plan aangepast" in texts(messages)


def test_unclear_then_buttons():
    values, messages = feedback("blablabla", {**FILLED, "plan_position": 1}, "nlu_fallback")
    assert "begreep ik niet" in texts(messages)
    _, messages = feedback("blablabla", {**FILLED, "plan_position": 1, **values}, "nlu_fallback")
    assert "knoppen" in texts(messages)


def test_reopen_without_a_plan_begins_the_interview():
    events, messages = run(ActionReopenPlan(), tracker({}))
    assert "nog geen plan" in texts(messages) and "hoi" not in texts(messages)
    assert (events[-1]["event"], events[-1]["name"]) == ("followup", "interview_form")
    events, messages = run(ActionReopenPlan(), tracker(FILLED))
    assert slot_values(events)["plan_position"] == 4


def test_questions_in_between():
    for question, expected in [("wat is selectieve preventie?", "selectieve preventie:"), ("wie is het ivz", "IVZ"),
                               ("wat is GALA", "Gezond en Actief Leven"), ("wat is Damocles", "Opiumwet")]:
        _, messages = run(ActionAnswerQuestion(), tracker({}, text=question, intent="ask_about"))
        assert expected in texts(messages), question
    _, messages = run(ActionAnswerQuestion(), tracker({}, text="wat is de hoofdstad van Peru", intent="ask_about"))
    assert "Daar weet ik niets over" in texts(messages)


def test_correction_after_the_plan_updates_slots():
    events, messages = run(ActionCorrect(), tracker(FILLED, text="ook lachgas"))
    assert slot_values(events)["signal_substances"] == ["3mmc", "lachgas"]
    assert "toegevoegd" in texts(messages)


def test_fallback_offers_buttons_then_what_i_can_do():
    trk = tracker({}, text="xyz", intent="nlu_fallback")
    trk.latest_message["intent_ranking"] = [{"name": "nlu_fallback"}, {"name": "help"}, {"name": "greet"}]
    _, messages = run(ActionFallback(), trk)
    assert [b["payload"] for b in messages[0]["buttons"]] == ["/help", "/greet"]
    trk.events = [{"event": "user", "parse_data": {"intent": {"name": "nlu_fallback"}}},
                  {"event": "user", "parse_data": {"intent": {"name": "nlu_fallback"}}}]
    _, messages = run(ActionFallback(), trk)
    assert "nog steeds niet" in texts(messages) and len(messages[0]["buttons"]) == 4


def test_summary_names_everything_said():
    slots = {**FILLED, "signals": [{"substances": ["lachgas"], "settings": ["straat"], "reporters": [], "trend": None}],
             "plan_choices": {"analyse": SKIPPED}}
    _, messages = run(ActionShowSummary(), tracker(slots))
    text = texts(messages)
    assert "Samenvatting voor Aalten" in text
    assert "Signaal: lachgas" in text and "Signaal: 3-MMC" in text
    assert "/webhooks/export/summary/test.docx?expires=" in text
    _, messages = run(ActionShowSummary(), tracker({}))
    assert "nog niets" in texts(messages)


def test_a_cleared_feedback_slot_is_not_an_answer():
    from actions.plan import ValidatePlanForm
    from tests.actions.helpers import run as run_action

    trk = tracker({**FILLED, "plan_feedback": None}, text="ruim", intent="inform", requested="plan_feedback", loop="plan_form")
    trk.events = [{"event": "slot", "name": "plan_feedback", "value": None}]
    events, messages = run_action(ValidatePlanForm(), trk)
    assert messages == []


def test_in_slack_the_summary_also_comes_as_a_word_file():
    import base64
    import io

    import docx

    trk = tracker(FILLED, text="stuur me het verslag", intent="request_summary",
                  events=[{"event": "user", "input_channel": "slack", "parse_data": {}}])
    _, messages = run(ActionShowSummary(), trk)
    upload = messages[1]["custom"]["file"]
    assert upload["filename"].endswith(".docx")
    document = docx.Document(io.BytesIO(base64.b64decode(upload["content_base64"])))
    assert "Aalten" in "\n".join(p.text for p in document.paragraphs)
    _, messages = run(ActionShowSummary(), tracker(FILLED))
    assert len(messages) == 1  # REST, widget, Teams: links only


def test_summary_links_during_the_plan_belong_to_the_conversation_asking():
    """One action object serves every conversation: the links must not come from another one."""
    from actions.plan import ValidatePlanForm
    from tests.actions.helpers import DOMAIN

    action = ValidatePlanForm()
    for sender in ("anna", "bram"):
        trk = tracker({**FILLED, "plan_position": 1, "plan_feedback": "verslag"}, text="verslag",
                      intent="request_summary", requested="plan_feedback", loop="plan_form")
        trk.sender_id = sender
        trk.events = [{"event": "slot", "name": "plan_feedback", "value": "verslag"}]
        dispatcher = CollectingDispatcher()
        asyncio.run(action.run(dispatcher, trk, DOMAIN))
        assert f"/webhooks/export/summary/{sender}.docx?" in texts(dispatcher.messages)


def test_recognition_answer_says_when_a_recognition_may_have_lapsed():
    import datetime as dt

    from actions.render import recognition_message
    from conversation import kb
    from knowledge.evidence import MAY_HAVE_LAPSED, validity
    from knowledge.plan import Option, PlanStep

    catalog = kb.catalog()
    today = dt.date(2026, 12, 1)
    lapsed = [i for i in catalog.interventions.values() if validity(i.recognition, today).status == MAY_HAVE_LAPSED]
    assert lapsed, "the knowledge base has no recognition older than its validity (the test needs one)"
    item = lapsed[0]
    step = PlanStep("interventies", "Interventies", [Option(item, 1, 1.0, 1.0, "past", [], [])])
    text = recognition_message(catalog, step, today=today)
    assert f"Erkend in {item.recognition.date.year}; controleer of dit nog geldt" in text
    # Within its period the same record says until when it holds.
    fresh = recognition_message(catalog, step, today=item.recognition.date + dt.timedelta(days=30))
    assert "controleer" not in fresh and "geldt tot" in fresh
