#!/usr/bin/env bash
# Create (or update) the virtual environment from requirements.lock.
set -eu
venv="$1"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 10) else 1)'; then
  python="$(scripts/find-python.sh)" || exit 1
  echo "== Virtual environment: creating $venv with $python"
  rm -rf "$venv"
  "$python" -m venv "$venv"
fi
echo "== Dependencies: installing requirements.lock (first time: several minutes, about 1 GB)"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade "pip<24.1"
log="$venv/pip-install.log"
if ! "$venv/bin/python" -m pip install --disable-pip-version-check --progress-bar off -r requirements.lock >"$log" 2>&1; then
  tail -n 15 "$log" >&2
  echo "error: installing the dependencies failed; the full log is in $log" >&2
  exit 1
fi
echo "   done; the pip log is in $log"
"$venv/bin/python" -m pip check >/dev/null || { echo "error: installed packages conflict; run 'rm -rf $venv' and try again" >&2; exit 1; }
