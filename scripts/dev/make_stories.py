"""Write the conversation stories (data/stories/interview.yml) and test stories (tests/test_stories.yml).

Forms make stories long and repetitive; this script writes them from short descriptions so they
stay consistent with domain.yml. Run it after changing the form's questions:
    .venv/bin/python scripts/dev/make_stories.py
With --check it writes nothing and fails when a committed file is not what it would write
(tests/test_generated_stories.py runs that).
"""
import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from conversation.state import FORM_SLOTS  # noqa: E402

QUESTIONS = list(FORM_SLOTS)
# Messages that are no answer; during a form the form itself reads and answers them.
INTERJECTIONS = ["help", "chitchat", "out_of_scope", "english", "thank", "ask_about", "request_summary",
                 "goodbye", "start_over", "affirm", "deny", "greet"]


class Story:
    def __init__(self, title):
        self.title, self.lines = title, []

    def user(self, intent, text=None, entities=None):
        if text is None:
            self.lines.append(f"- intent: {intent}")
        else:
            self.lines.append(f"- user: |\n    {text}")
            self.lines.append(f"  intent: {intent}")
        return self

    def act(self, *actions):
        self.lines += [f"- action: {a}" for a in actions]
        return self

    def loop(self, name):
        self.lines.append(f"- active_loop: {name}")
        return self

    def asked(self, slot):
        self.lines.append(f"- slot_was_set:\n  - requested_slot: {slot}")
        return self

    # -- building blocks --
    def start(self, greet_text=None):
        self.user("greet", greet_text).act("action_greet", "interview_form").loop("interview_form")
        return self.asked("municipality")

    def answer(self, next_slot, intent="inform", text=None):
        self.user(intent, text).act("interview_form")
        if next_slot is None:
            return self.loop("null").asked("null").act("action_propose_plan", "plan_form").loop("plan_form").asked("plan_feedback")
        return self.asked(next_slot)

    def interject(self, intent, form="interview_form", text=None):
        return self.user(intent, text).act(form)

    def answer_all(self, start="municipality", stop=None, texts=None):
        texts = texts or {}
        i = QUESTIONS.index(start)
        for slot in QUESTIONS[i:]:
            nxt = QUESTIONS[QUESTIONS.index(slot) + 1] if slot != QUESTIONS[-1] else None
            if stop and slot == stop:
                return self
            intent = texts.get(slot, ("inform", None))
            self.answer(nxt, *intent)
        return self

    def plan(self, intent="next_step", text=None):
        return self.user(intent, text).act("plan_form")

    def plan_done(self, intent="next_step"):
        return self.user(intent).act("plan_form").loop("null").asked("null").act("action_plan_recap")

    def walk(self, steps=5):
        for _ in range(steps - 1):
            self.plan()
        return self.plan_done()

    def render(self, kind="story"):
        body = "\n".join("      " + line.replace("\n", "\n      ") for line in self.lines)
        return f"  - {kind}: {self.title}\n    steps:\n{body}\n"


def training():
    s = []
    s.append(Story("Happy path, a signal, all questions, the plan step by step").start().answer_all().walk()
             .user("thank").act("utter_you_are_welcome").user("goodbye").act("utter_goodbye"))
    st = Story("Two signals, a correction and questions in between").start().answer_all(stop="more_signals")
    st.answer("signal_substances", "affirm").answer("signal_settings").answer_all(start="signal_settings", stop="groups")
    st.interject("ask_about").answer_all(start="groups")
    st.plan("ask_why").plan("other_option").plan("choose_option").walk()
    s.append(st)
    st = Story("Plan changes, reject, other option, back and skip").start().answer_all()
    st.plan("reject_option").plan("next_step").plan("previous_step").plan("skip_step").plan("ask_recognition").plan("next_step").plan("ask_about").plan("next_step").plan_done()
    st.user("request_summary").act("action_show_summary")
    s.append(st)
    st = Story("Interjections during the walk-through").start().answer_all()
    st.user("help").act("plan_form").plan("next_step")
    st.user("chitchat").act("plan_form").walk(4)
    s.append(st)
    st = Story("Correction after the plan, the plan is made again").start().answer_all().walk()
    st.user("inform").act("action_correct", "interview_form").loop("interview_form").loop("null").asked("null")
    st.act("action_propose_plan", "plan_form").loop("plan_form").asked("plan_feedback").walk()
    s.append(st)
    return s


def tests():
    t = []
    add = t.append
    add(Story("Happy path with typed answers").start("hoi").answer_all(texts={
        "municipality": ("inform", "Zwolle"), "signal_substances": ("inform", "meer 3-MMC bij jongeren"),
        "signal_settings": ("inform", "in het uitgaansleven"), "signal_reporters": ("inform", "jongerenwerk en horeca"),
        "signal_trend": ("inform", "het neemt toe"), "more_signals": ("deny", "nee"), "groups": ("affirm", "ja"),
        "partners_present": ("inform", "ggd en politie"), "policy": ("dont_know", "weet ik niet"), "capacity": ("inform", "weinig uren"),
    }).walk())
    add(Story("Starts with a signal instead of a greeting").user("inform", "we zien veel lachgas op straat in Deventer")
        .act("action_correct", "interview_form").loop("interview_form").asked("role").answer_all(start="role").walk())
    dont_know = ("signal_settings", "signal_reporters", "signal_trend", "groups", "capacity")
    add(Story("Don't know, several times").start()
        .answer_all(texts={q: ("dont_know", "weet ik niet") for q in dont_know}).walk())
    for intent in INTERJECTIONS:
        add(Story(f"{intent} in the middle of the interview, the form reads it and goes on").start().answer("role")
            .interject(intent).answer_all(start="role").walk())
    add(Story("Plan why, recognition, more, other option, choose").start().answer_all()
        .plan("ask_why", "waarom?").plan("ask_recognition", "hoe erkend is dit?").plan("ask_about", "vertel meer")
        .plan("other_option", "andere optie").plan("choose_option", "neem die maar").walk())
    add(Story("Plan reject, back, skip").start().answer_all()
        .plan("reject_option", "past niet bij ons").plan("next_step", "volgende").plan("previous_step", "terug")
        .plan("skip_step", "sla over").plan("skip_step", "sla over").plan("next_step").plan("next_step").plan_done())
    add(Story("Plan with a correction during the walk-through").start().answer_all().plan("inform", "nee, het is Zwolle").walk())
    for intent in ("help", "chitchat", "out_of_scope", "english", "thank", "goodbye", "start_over"):
        add(Story(f"{intent} during the walk-through, the plan form reads it").start().answer_all().user(intent).act("plan_form").walk())
    add(Story("Summary and plan commands after the recap").start().answer_all().walk()
        .user("request_summary", "stuur me het verslag").act("action_show_summary")
        .user("previous_step", "terug").act("action_reopen_plan", "plan_form").loop("plan_form").asked("plan_feedback").plan_done())
    add(Story("Correction after the plan").start().answer_all().walk()
        .user("inform", "ook lachgas").act("action_correct", "interview_form").loop("interview_form")
        .loop("null").asked("null").act("action_propose_plan", "plan_form").loop("plan_form").asked("plan_feedback").walk())
    add(Story("Not understood outside the interview").user("nlu_fallback").act("action_fallback")
        .user("nlu_fallback").act("action_fallback")
        .user("greet").act("action_greet", "interview_form").loop("interview_form").asked("municipality"))
    add(Story("Questions before starting").user("ask_about", "wat is selectieve preventie?").act("action_answer_question")
        .user("english", "do you speak english?").act("action_english")
        .user("chitchat").act("utter_chitchat").user("out_of_scope").act("utter_out_of_scope").user("help").act("utter_explain", "utter_no_interview"))
    add(Story("Plan commands before any interview").user("next_step").act("action_reopen_plan", "plan_form")
        .loop("plan_form").loop("null").asked("null").act("action_plan_recap"))
    add(Story("A short answer outside the forms goes to its action").user("affirm").act("action_short_answer"))
    add(Story("Start over outside the forms asks first").start().answer_all().walk().user("start_over", "opnieuw").act("action_start_over"))
    add(Story("Summary in the middle of the interview").start().answer_all(stop="groups").interject("request_summary").answer_all(start="groups").walk())
    add(Story("Thanks and goodbye after the plan").start().answer_all().walk().user("thank").act("utter_you_are_welcome").user("goodbye").act("utter_goodbye"))
    return t


def render_file(stories, header, kind="story"):
    return header + 'version: "3.1"\nstories:\n' + "\n".join(s.render(kind) for s in stories)


HEADER = "# Generated by scripts/dev/make_stories.py; edit that script, not this file.\n"
OUTPUTS = {"data/stories/interview.yml": training, "tests/test_stories.yml": tests}


def main(argv=None):
    parser = argparse.ArgumentParser(description="Write the generated stories.")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; fail when a committed file differs from what would be written")
    args = parser.parse_args(argv)
    stale = []
    for name, make in OUTPUTS.items():
        path, stories = ROOT / name, make()
        text = render_file(stories, HEADER)
        if args.check:
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
            continue
        path.write_text(text, encoding="utf-8")
        print(f"{path}: {len(stories)} stories")
    if stale:
        print(f"out of date: {', '.join(stale)}; run .venv/bin/python scripts/dev/make_stories.py and commit the result",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
