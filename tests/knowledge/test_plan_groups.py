"""The group is the centre: a plan for one named group proposes what is made for that group."""
import pytest

from knowledge.plan import GROUP_STEPS, InterviewState, PlanEngine, Signal
from knowledge.store import default_knowledge_base

CATALOG = default_knowledge_base().catalog()


def targeted(option, group):
    return group in option.intervention.groups or getattr(option.intervention, "all_groups", False)


@pytest.mark.parametrize("substances", [[], ["alcohol"], ["cannabis"]])
@pytest.mark.parametrize("group", sorted(CATALOG.groups))
def test_steps_3_and_4_are_for_the_named_group(group, substances):
    plan = PlanEngine(CATALOG).make_plan(
        InterviewState(municipality="Zwolle", signals=[Signal(substances=substances)], groups=[group]))
    options = [o for step_id in GROUP_STEPS for o in plan.step(step_id).options]
    assert options, f"no options at all for {group}"
    share = sum(targeted(o, group) for o in options) / len(options)
    assert share >= 0.8, (group, [o.intervention.id for o in options])


@pytest.mark.parametrize("group", sorted(CATALOG.groups))
def test_the_groups_best_recognised_record_is_offered(group):
    """Among the records made for this group that fit step 3, the best recognised is in the plan."""
    engine = PlanEngine(CATALOG)
    plan = engine.make_plan(InterviewState(municipality="Zwolle", signals=[Signal()], groups=[group]))
    own = [i for i in CATALOG.interventions.values()
           if group in i.groups and "interventies" in i.steps and set(i.pillars) & set(plan.pillars)]
    if not own:
        pytest.skip(f"no step-3 record for {group}")
    best = max(engine.evidence(i) for i in own)
    shown = [o.intervention for s in plan.steps for o in s.options]
    assert any(engine.evidence(i) == best and group in i.groups for i in shown), (group, [i.id for i in shown])


def test_at_most_five_partners_to_invite_each_with_why():
    plan = PlanEngine(CATALOG).make_plan(
        InterviewState(municipality="Zwolle", signals=[Signal(substances=["alcohol"])], groups=["lvb"],
                       partners_present=["ggd"]))
    assert 0 < len(plan.partners_missing) <= 5
    assert "ggd" not in plan.partners_missing
    assert all(plan.partner_reasons[p] for p in plan.partners_missing)
    first = CATALOG.partners[plan.partners_missing[0]]
    assert "lvb" in first.groups  # reaching the named group ranks first
