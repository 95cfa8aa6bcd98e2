#!/usr/bin/env bash
# The one test command (make test, .ci/run): runs every part, then says which part failed.
set -u
PY="${VENV:-.venv}/bin/python"
MODEL="${RASA_MODEL:-models/preventiewijzer.tar.gz}"
mkdir -p var
results=()
passed=0
failed=0

part() {
  local name="$1"; shift
  echo
  echo "==== $name"
  if "$@"; then
    results+=("  ok      $name"); passed=$((passed + 1))
  else
    results+=("  FAILED  $name"); failed=$((failed + 1))
  fi
}

part "ruff: lint and import order (pyproject.toml)" \
  "$PY" -m ruff check .
part "mypy: types (strict for knowledge/ and conversation/)" \
  "$PY" -m mypy
part "rasa data validate (zero warnings)" \
  "$PY" -m rasa data validate --fail-on-warnings --quiet
part "rasa test stories (--fail-on-prediction-errors)" \
  "$PY" -m rasa test core --model "$MODEL" --stories tests/test_stories.yml \
  --fail-on-prediction-errors --out var/rasa-test-results --quiet
part "pytest: knowledge, actions, bot, end-to-end" \
  "$PY" -m pytest tests -q -p no:cacheprovider

echo
echo "==== Summary"
printf '%s\n' "${results[@]}"
echo "parts: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
