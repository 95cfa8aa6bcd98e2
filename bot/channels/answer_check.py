"""Check the action server's answers with one JSON-schema validator, built once per Rasa process.

Rasa 3.6 checks every answer of the action server in ``RemoteAction._validate_action_result`` with
``jsonschema.validate(result, schema)``. That function first checks the schema itself against
JSON Schema's meta-schema and then builds a new validator, on every call, although the schema is a
constant. Measured with ``benchmarks/profile_turn.py``: about 41 ms per answer and 2.3 answers per
turn, the largest single cost of a turn (see benchmarks/README.md, "Where a turn's time goes").

``install()`` replaces that one method with one that does the same check with a validator made
once from the same schema: the same answers pass, the same answers fail with the same
``ValidationError`` (the best match, as ``jsonschema.validate`` picks it) and the same hint to the
docs. It is called when the action guard channel is loaded (``bot.channels.action_guard``), so it
runs in every Rasa server that ``python -m bot run`` or the cluster starts. When Rasa no longer
has the method (another Rasa version), nothing is changed and one log line says so.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, Optional, Text

logger = logging.getLogger(__name__)

_installed = False


def validator() -> Any:
    """A validator of the action server's answer format, the schema checked once (this is what
    replaces Rasa's check; benchmarks/profile_turn.py measures it beside Rasa's own)."""
    from jsonschema import validators  # type: ignore[import-untyped]
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    cls = validators.validator_for(schema)
    cls.check_schema(schema)  # once, as jsonschema.validate does on every call
    return cls(schema)


def install() -> bool:
    """Make Rasa check action server answers with one validator; True when it is (or was) done."""
    global _installed
    if _installed:
        return True
    from jsonschema import ValidationError
    from jsonschema.exceptions import best_match  # type: ignore[import-untyped]
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.constants import DOCS_BASE_URL

    if not callable(getattr(RemoteAction, "_validate_action_result", None)) or not callable(
        getattr(RemoteAction, "action_response_format_spec", None)
    ):
        logger.warning("answer check: this Rasa has no RemoteAction._validate_action_result; left as it is")
        return False
    check = validator()

    def _validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
        error: Optional[ValidationError] = best_match(check.iter_errors(result))
        if error is None:
            return True
        # The same message as Rasa's own check.
        error.message += (
            f". Failed to validate Action server response from API, "
            f"make sure your response from the Action endpoint is valid. "
            f"For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise error

    RemoteAction._validate_action_result = _validate_action_result
    _installed = True
    return True
