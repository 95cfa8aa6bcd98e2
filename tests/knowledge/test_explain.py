"""Questions in between are answered from the knowledge base and the glossary."""
import pytest

from knowledge.explain import Explainer
from knowledge.loader import DataFileError, load_glossary
from knowledge.plan import InterviewState, Signal


@pytest.fixture(scope="module")
def explainer(catalog):
    return Explainer(catalog)


@pytest.mark.parametrize("question,kind,ident", [
    ("wat is selectieve preventie?", "prevention_forms", "selectief"),
    ("wie is het ivz", "partner", "ivz"),
    ("wat is Helder op School", "intervention", "helder_op_school"),
    ("wie is het Trimbos?", "glossary", "trimbos"),
    ("wat doet movisie", "glossary", "movisie"),
    ("wat betekent goed onderbouwd", "glossary", "goed_onderbouwd"),
    ("wat is het damoclesbeleid", "glossary", "damocles"),
    ("wat bedoel je met lvb", "group", "lvb"),
    ("wat is schadebeperking", "pillars", "schadebeperking"),
])
def test_answers(explainer, question, kind, ident):
    answer = explainer.answer(question)
    assert (answer.kind, answer.id) == (kind, ident)
    assert answer.text


def test_unknown_question_has_no_answer(explainer):
    assert explainer.answer("wat wordt het weer morgen") is None


def test_intervention_answer_says_unknown_honestly(explainer, catalog):
    unknown = next(i for i in catalog.interventions.values() if i.recognition.level == "onbekend")
    answer = explainer.intervention(unknown)
    assert "Erkenning: onbekend" in answer.text
    assert answer.sources == unknown.sources


def test_glossary_file_is_validated(tmp_path):
    bad = tmp_path / "glossary.yaml"
    bad.write_text("- id: x\n  terms: [iets]\n  text: uitleg\n  sources: [geen-url]\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="glossary.yaml.*'x'.*sources.*not a valid http"):
        load_glossary(bad)


def test_pinned_option_is_kept_in_its_step_and_alternatives_exclude_the_plan(engine):
    state = InterviewState(municipality="Zwolle", signals=[Signal(["3mmc"], ["uitgaan"])], groups=["uitgaanspubliek"])
    plan = engine.make_plan(state)
    others = engine.alternatives(plan, "interventies")
    assert others and not set(o.intervention.id for o in others) & set(plan.option_ids())
    state.pinned = {"interventies": [others[-1].intervention.id]}
    again = engine.make_plan(state)
    assert again.step("interventies").options[0].intervention.id == others[-1].intervention.id
    assert len(again.option_ids()) == len(set(again.option_ids()))
