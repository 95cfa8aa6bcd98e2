"""The plan engine: expected tracks for interview states from the seeds, and its invariants."""
import itertools

from knowledge.plan import STEP_ORDER, InterviewState, Signal


def state_3mmc():
    # Gemeente X in the Trimbos blog: more 3-MMC among young people in nightlife,
    # seen by youth workers and bar owners.
    return InterviewState(
        municipality="Aalten",
        signals=[Signal(substances=["3mmc"], settings=["uitgaan"], reporters=["jongerenwerk", "horeca"])],
        groups=["uitgaanspubliek", "jongeren_algemeen"],
        partners_present=["jongerenwerk", "horeca"],
    )


def test_plan_has_the_five_steps_in_order(engine):
    plan = engine.make_plan(state_3mmc())
    assert [s.id for s in plan.steps] == list(STEP_ORDER)


def test_3mmc_plan_covers_three_pillars_and_the_worked_example(engine):
    plan = engine.make_plan(state_3mmc())
    assert plan.pillars == ["vraagbeperking", "aanbodbeperking", "schadebeperking"]
    ids = plan.option_ids()
    # The worked example's nightlife track: staff training and agreements with owners and police.
    assert "barcode" in ids
    assert "horeca_afspraken" in ids or "kvu" in ids
    core = plan.step("interventies")
    assert {o.pillar for o in core.options} == set(plan.pillars)
    assert len(ids) >= 3


def test_3mmc_plan_names_missing_partners(engine):
    plan = engine.make_plan(state_3mmc())
    assert "jongerenwerk" not in plan.partners_missing
    assert "ivz" in plan.partners_missing


def test_lvb_alcohol_plan_fits_the_group(engine):
    state = InterviewState(
        municipality="Zwolle",
        signals=[Signal(substances=["alcohol"], settings=["wijk"])],
        groups=["lvb"],
    )
    plan = engine.make_plan(state)
    top = plan.step("interventies").options[0]
    assert "lvb" in top.intervention.groups or "alcohol" in top.intervention.substances
    assert any("lvb" in o.intervention.groups for s in plan.steps for o in s.options)


def test_rejected_option_is_replaced(engine):
    state = state_3mmc()
    first = engine.make_plan(state)
    rejected = first.step("interventies").options[0].intervention.id
    state.rejected = [rejected]
    second = engine.make_plan(state)
    assert rejected not in second.option_ids()
    assert len(second.step("interventies").options) >= len(first.step("interventies").options) - 1


def test_rejected_type_is_left_out(engine):
    state = state_3mmc()
    state.rejected_types = ["wet"]
    plan = engine.make_plan(state)
    assert all(o.intervention.type != "wet" for s in plan.steps for o in s.options)


def test_empty_result_is_explained(engine):
    state = InterviewState(signals=[Signal(substances=["gamen"])], groups=["ouderen"], rejected_types=[
        "interventie", "programma", "training", "instrument", "campagne", "samenwerkingsaanpak",
        "beleidsmaatregel", "wet", "voorziening"])
    plan = engine.make_plan(state)
    notes = " ".join(n for s in plan.steps for n in s.notes)
    assert "Geen erkende interventie gevonden" in notes
    assert "overweeg" in notes.lower()


def test_plan_is_deterministic(engine):
    assert engine.make_plan(state_3mmc()).option_ids() == engine.make_plan(state_3mmc()).option_ids()


def test_any_valid_state_gives_five_steps_without_duplicates(engine, catalog):
    substances = list(catalog.vocabulary["substances"])
    settings = list(catalog.vocabulary["settings"])
    groups = list(catalog.groups)
    partners = list(catalog.partners)
    # A deterministic sweep over many combinations (every substance × setting, groups rotating).
    for i, (sub, setting) in enumerate(itertools.product(substances, settings)):
        state = InterviewState(
            signals=[Signal(substances=[sub], settings=[setting])],
            groups=[groups[i % len(groups)], groups[(i * 7) % len(groups)]],
            partners_present=partners[: i % len(partners)],
        )
        plan = engine.make_plan(state)
        assert [s.id for s in plan.steps] == list(STEP_ORDER)
        ids = plan.option_ids()
        assert len(ids) == len(set(ids)), (sub, setting)
        for step in plan.steps:
            assert step.options or step.notes
            for option in step.options:
                assert 0 <= option.score <= 100
                assert option.why
                assert set(option.partners_missing) <= set(option.partners_needed)


def test_measures_already_in_place_are_not_proposed_again(engine):
    state = state_3mmc()
    state.policy = "We hebben al een PHP en de scholen doen mee aan Helder op School. Ook Barcode is gegeven."
    assert set(engine.in_place(state)) >= {"php_alcohol", "helder_op_school", "barcode"}
    plan = engine.make_plan(state)
    assert not {"php_alcohol", "helder_op_school", "barcode"} & set(plan.option_ids())
    note = " ".join(plan.step("borging").notes)
    assert "Dit heb je al:" in note and "Helder op School" in note


def test_little_capacity_gives_fewer_options(engine):
    state = state_3mmc()
    state.capacity = "Weinig uren, geen budget voor nieuwe programma's"
    plan = engine.make_plan(state)
    assert all(len(s.options) <= 2 for s in plan.steps if s.id != "interventies")
    assert len(plan.step("interventies").options) <= len(plan.pillars)
    assert any("weinig capaciteit" in n for n in plan.step("samenwerking").notes)
    state.capacity = "ruim: 0,5 fte en GALA-geld"
    assert len(engine.make_plan(state).step("interventies").options) > len(plan.pillars)


def test_rising_trend_is_noted_in_the_analysis(engine):
    state = state_3mmc()
    state.signals[0].trend = "stijgend sinds de zomer"
    assert any("neemt toe" in n for n in engine.make_plan(state).step("analyse").notes)
    state.signals[0].trend = None
    assert not any("neemt toe" in n for n in engine.make_plan(state).step("analyse").notes)
