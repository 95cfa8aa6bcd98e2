"""The slot contract (conversation/state.py) and the actions agree with domain.yml."""
import importlib
import inspect
import pkgutil
from pathlib import Path
from typing import Any, Dict, List

import pytest
import yaml

from conversation.state import FORM_SLOTS, KEPT_ON_RESTART, PLAN_FORM_SLOTS, STATE_SLOTS

ROOT = Path(__file__).resolve().parent.parent
# Slots Rasa adds to every domain itself.
RASA_SLOTS = {"requested_slot", "session_started_metadata"}


@pytest.fixture(scope="module")
def domain() -> Dict[str, Any]:
    return yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))


def form_mapping(form: str, slot: str) -> List[Dict[str, Any]]:
    """The mapping a form question has: the officer's whole message, only while the form asks it."""
    return [{"type": "from_text", "conditions": [{"active_loop": form, "requested_slot": slot}]}]


def test_contract_lists_each_slot_once():
    contract = list(FORM_SLOTS) + list(PLAN_FORM_SLOTS) + list(STATE_SLOTS)
    assert len(contract) == len(set(contract)), [s for s in contract if contract.count(s) > 1]


def test_every_domain_slot_is_in_the_contract_and_back(domain):
    contract = set(FORM_SLOTS) | set(PLAN_FORM_SLOTS) | set(STATE_SLOTS)
    slots = set(domain["slots"])
    assert not contract - slots, f"in conversation/state.py but not in domain.yml: {sorted(contract - slots)}"
    assert not slots - contract, f"in domain.yml but not in conversation/state.py: {sorted(slots - contract)}"
    assert KEPT_ON_RESTART <= slots | RASA_SLOTS, sorted(KEPT_ON_RESTART - slots - RASA_SLOTS)


def test_slot_types_and_mappings(domain):
    """Every slot holds any value and never steers the policy; the answers are read by the forms'
    validation actions, so only form questions take text, and only while they are asked."""
    for name, slot in domain["slots"].items():
        assert slot.get("type") == "any", f"slot {name}: type {slot.get('type')!r}, the contract expects any"
        assert slot.get("influence_conversation") is False, f"slot {name} must not influence the conversation"
        if name in FORM_SLOTS:
            expected = form_mapping("interview_form", name)
        elif name in PLAN_FORM_SLOTS:
            expected = form_mapping("plan_form", name)
        else:
            expected = [{"type": "custom"}]
        assert slot.get("mappings") == expected, f"slot {name}: mappings {slot.get('mappings')!r}"


def test_forms_ask_the_contract_slots_in_order(domain):
    forms = domain["forms"]
    assert set(forms) == {"interview_form", "plan_form"}
    assert forms["interview_form"]["required_slots"] == list(FORM_SLOTS)
    assert forms["plan_form"]["required_slots"] == list(PLAN_FORM_SLOTS)


def action_classes() -> Dict[str, str]:
    """name() -> class, for every rasa_sdk action defined in the actions package."""
    from rasa_sdk import Action

    import actions

    found: Dict[str, str] = {}
    for info in pkgutil.iter_modules(actions.__path__, "actions."):
        module = importlib.import_module(info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Action) and cls.__module__ == module.__name__ and not inspect.isabstract(cls):
                name = cls().name()
                where = f"{cls.__module__}.{cls.__qualname__}"
                assert name not in found, f"action {name} is defined twice: {found[name]} and {where}"
                found[name] = where
    return found


def test_every_domain_action_has_a_class_and_back(domain):
    listed = domain["actions"]
    assert len(listed) == len(set(listed)), "domain.yml lists an action twice"
    defined = action_classes()
    missing = sorted(set(listed) - set(defined))
    unlisted = sorted(set(defined) - set(listed))
    assert not missing, f"in domain.yml actions but no class in actions/ returns the name: {missing}"
    assert not unlisted, f"classes in actions/ that domain.yml does not list: {unlisted}"


def test_every_form_slot_has_its_ask_action(domain):
    for form, slots in (("interview_form", FORM_SLOTS), ("plan_form", PLAN_FORM_SLOTS)):
        assert f"validate_{form}" in domain["actions"]
        for slot in slots:
            assert f"action_ask_{slot}" in domain["actions"], f"no action_ask_{slot} for {form}"
