"""The action server's answers are checked with one validator: same verdicts as Rasa's own check."""
import jsonschema
import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

from bot.channels import answer_check

GOOD = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "gemeente", "value": "Deventer"}],
     "responses": [{"text": "Dank je.", "buttons": [{"title": "ja", "payload": "/affirm"}]}]},
    {},
]
BAD = [
    {"events": [{"name": "gemeente"}]},          # an event without its type
    {"events": "not a list"},
    {"responses": [{"text": 3}], "events": [{"event": 7}]},
]


# Rasa's own check, taken when pytest collects this file: before any test has loaded the action
# guard, whose loading replaces the method for the rest of the process.
RASA_CHECK = RemoteAction._validate_action_result


def verdict(check, answer):
    try:
        check(answer)
        return "ok"
    except ValidationError as err:
        return err.message


@pytest.fixture
def rasa_check():
    # Otherwise this would compare our check with itself.
    assert RASA_CHECK.__module__ == "rasa.core.actions.action", "Rasa's check was replaced before collection"
    action = RemoteAction.__new__(RemoteAction)
    yield lambda answer: RASA_CHECK(action, answer)


def test_same_verdicts_and_messages_as_rasa(rasa_check, monkeypatch):
    monkeypatch.setattr(answer_check, "_installed", False)
    monkeypatch.setattr(RemoteAction, "_validate_action_result", RemoteAction._validate_action_result)
    expected = [verdict(rasa_check, answer) for answer in GOOD + BAD]
    assert answer_check.install()
    action = RemoteAction.__new__(RemoteAction)
    got = [verdict(lambda a: action._validate_action_result(a), answer) for answer in GOOD + BAD]
    assert got == expected
    assert expected[:len(GOOD)] == ["ok"] * len(GOOD)
    assert all("Failed to validate Action server response" in m for m in expected[len(GOOD):])


def test_the_schema_is_checked_once_not_per_answer(monkeypatch):
    monkeypatch.setattr(answer_check, "_installed", False)
    monkeypatch.setattr(RemoteAction, "_validate_action_result", RemoteAction._validate_action_result)
    schema_checks = []
    cls = jsonschema.validators.validator_for(RemoteAction.action_response_format_spec())
    real = cls.check_schema.__func__
    monkeypatch.setattr(cls, "check_schema", classmethod(lambda c, s, *a, **k: (schema_checks.append(1), real(c, s, *a, **k))[1]))
    answer_check.install()
    action = RemoteAction.__new__(RemoteAction)
    for _ in range(5):
        action._validate_action_result(GOOD[1])
    assert len(schema_checks) == 1
    # Rasa's own check would have checked the schema on every answer.
    monkeypatch.setattr(RemoteAction, "_validate_action_result", lambda self, r: jsonschema.validate(r, self.action_response_format_spec()))
    action._validate_action_result(GOOD[1])
    assert len(schema_checks) == 2


def test_loading_the_guard_installs_it(monkeypatch):
    from bot.channels.action_guard import ActionGuardInput

    monkeypatch.setattr(answer_check, "_installed", False)
    original = RemoteAction._validate_action_result
    monkeypatch.setattr(RemoteAction, "_validate_action_result", original)
    ActionGuardInput.from_credentials({"upstream": {"url": "http://localhost:1/webhook"}})
    assert RemoteAction._validate_action_result is not original
