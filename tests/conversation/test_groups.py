"""How the groups the officer names are read: the group is the centre of the plan."""
import pytest

from conversation import interview
from conversation.answers import Turn, group_clauses, groups_in


@pytest.mark.parametrize("text,groups", [
    ("dakloze jongeren", ["dak_thuislozen"]),  # "jongeren" describes the group
    ("jongeren in het uitgaansleven", ["uitgaanspubliek"]),  # made precise by the place
    ("jongeren op feestjes thuis en in de sportkantine", ["jongeren_algemeen"]),  # places disagree
    ("kinderen van ouders die drinken", ["kopp_kov"]),
    ("alle jongeren en de hangjongeren", ["jongeren_algemeen", "hangjongeren"]),
    ("de wat oudere jongeren", ["jongeren_algemeen"]),  # not older adults
    # Described rather than named (cues in groups.yaml):
    ("tieners met een verslaafde moeder", ["kopp_kov"]),
    ("kinderen die thuis zien dat hun vader te veel drinkt", ["kopp_kov"]),
    ("inwoners van boven de 70", ["ouderen"]),
    ("gezinnen die niet rond kunnen komen", ["schulden_armoede"]),
    ("mensen die buiten slapen", ["dak_thuislozen"]),
    ("vrouwen die in verwachting zijn", ["kwetsbare_ouders"]),
    # The parents' problems make the group KOPP/KOV, not young people with problems of their own.
    ("kinderen van ouders met een verslaving of psychische problemen", ["kopp_kov"]),
    ("kinderen die depressief zijn omdat hun ouders scheiden", ["jongeren_psychisch"]),
])
def test_groups_in_officers_words(text, groups):
    assert groups_in(text) == groups


def answer(slot, text, slots):
    out = interview.Replies()
    return interview.answer(slot, Turn(text, "inform", {}, dict(slots)), out), out.text


def test_a_more_precise_group_at_the_group_question_replaces_the_general_one():
    updates, _ = answer("groups", "jongeren in de jeugdzorg", {"groups_mentioned": ["jongeren_algemeen"]})
    assert updates["groups"] == ["jeugdzorg_jongeren"]
    updates, _ = answer("groups", "ook jongeren in de jeugdzorg", {"groups_mentioned": ["jongeren_algemeen"]})
    assert updates["groups"] == ["jongeren_algemeen", "jeugdzorg_jongeren"]


def test_a_negation_inside_a_group_name_is_no_negation():
    updates, _ = answer("groups", "mensen die geen hulp vragen, zorgmijders", {})
    assert updates["groups"] == ["zorgmijders"]


def test_removing_the_last_group_asks_the_group_question_again():
    slots = {"municipality": "Zwolle", "signal_substances": ["alcohol"], "groups": ["ouderen"], "partners_present": []}
    updates, text = answer("policy", "ouderen toch niet", slots)
    assert updates["groups"] is None and "weggehaald" in text
    # Without a cue a negation at a free-text question is the answer ("no policy for older adults").
    updates, text = answer("policy", "niet voor ouderen", slots)
    assert "groups" not in updates and updates["policy"] is not None


@pytest.mark.parametrize("text,named,removed", [
    # A negation that describes the group does not remove it.
    ("ouderen die niet meer zelfstandig wonen", ["ouderen"], []),
    ("statushouders, die de taal nog niet spreken", ["vluchtelingen_migranten"], []),
    # A negation of the group does.
    ("niet de studenten, wel de ouderen", ["ouderen"], ["studenten"]),
    ("het gaat niet om dak- en thuislozen die drinken", [], ["dak_thuislozen"]),
    # A description over a comma still names its group.
    ("de speeltuin achter de school, waar elke avond groepjes jongens rondhangen", ["hangjongeren"], []),
])
def test_negation_belongs_to_the_main_clause(text, named, removed):
    assert group_clauses(text) == (named, removed)
