#!/usr/bin/env bash
# Install the Dutch spaCy model nl_core_news_sm into the venv, if it is not there yet.
# NL_MODEL_PACKAGE may name a local package file (.whl or .tar.gz); otherwise spaCy downloads it.
set -eu
py="$1"
if [ -n "${NL_MODEL_PACKAGE:-}" ]; then
  if [ ! -f "$NL_MODEL_PACKAGE" ]; then
    echo "error: NL_MODEL_PACKAGE=$NL_MODEL_PACKAGE does not exist; point it at a nl_core_news_sm package file or unset it" >&2
    exit 1
  fi
  want="$(basename "$NL_MODEL_PACKAGE")"
  have="$(cat "$(dirname "$py")/../.nl-model" 2>/dev/null || true)"
  if [ "$want" = "$have" ] && "$py" -c 'import nl_core_news_sm' 2>/dev/null; then
    echo "== Dutch model: up to date ($want)"; exit 0
  fi
  echo "== Dutch model: installing $want"
  "$py" -m pip install --quiet --no-deps --force-reinstall "$NL_MODEL_PACKAGE"
  echo "$want" > "$(dirname "$py")/../.nl-model"
else
  if "$py" -c 'import nl_core_news_sm' 2>/dev/null; then echo "== Dutch model: installed"; exit 0; fi
  echo "== Dutch model: python -m spacy download nl_core_news_sm"
  log="$(cd "$(dirname "$py")/.." && pwd)/nl-model-download.log"
  if ! "$py" -m spacy download nl_core_news_sm >"$log" 2>&1; then
    echo "error: could not download nl_core_news_sm ($(tail -n 1 "$log" | cut -c1-160))" >&2
    echo "       without internet, set NL_MODEL_PACKAGE to a local package file; the full log is in $log" >&2
    exit 1
  fi
fi
"$py" -c 'import spacy; spacy.load("nl_core_news_sm")' || {
  echo "error: nl_core_news_sm is installed but does not load with this spaCy (needs a 3.4.x build)" >&2; exit 1; }
