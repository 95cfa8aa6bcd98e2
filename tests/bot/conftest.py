"""Fixtures of the export tests: the slots of a finished interview and its summary."""
import datetime as dt

import pytest

DAY = dt.date(2026, 11, 22)


@pytest.fixture
def slots():
    """Slots as the conversation holds them (see the contract in conversation/state.py)."""
    return {
        "municipality": "Amersfoort",
        "role": "beleidsmedewerker",
        "reason": "signaal",
        "signals": [
            {"substances": ["alcohol"], "settings": ["sportclub"], "reporters": ["een trainer"],
             "trend": None, "description": "drinken in de kantine"},
        ],
        "signal_substances": ["3mmc"],
        "signal_settings": ["uitgaan"],
        "signal_reporters": ["jongerenwerk", "een bewoner"],
        "signal_trend": "stijgend sinds de zomer",
        "signal_text": "We zien meer 3-MMC bij jongeren in het uitgaansleven",
        "groups": ["uitgaanspubliek"],
        "partners_present": ["ggd", "jongerenwerk"],
        "policy": "We hebben een preventie- en handhavingsplan alcohol.",
        "capacity": "weinig tijd",
    }


@pytest.fixture
def summary(slots, catalog, engine):
    from bot.summary import build_summary

    return build_summary(slots, catalog, conversation_id="test-1", date=DAY, engine=engine)


@pytest.fixture
def agreed_summary(slots, catalog, engine):
    """A plan the officer went through: step 1 and 3 agreed, step 2 skipped, 4 and 5 agreed."""
    from bot.summary import build_summary
    from conversation.state import interview_state

    plan = engine.make_plan(interview_state(slots))
    choices = {step.id: [o.intervention.id for o in step.options[:1]] for step in plan.steps}
    choices["samenwerking"] = "skipped"
    return build_summary(dict(slots, plan_choices=choices), catalog, conversation_id="test-2", date=DAY, engine=engine)
