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
total="$(grep -c '==' requirements.lock || true)"
started=$SECONDS
"$venv/bin/python" -m pip install --disable-pip-version-check --progress-bar off -r requirements.lock >"$log" 2>&1 &
pip_pid=$!
# A status line every 15 s: elapsed time and how far pip is, so a first install is never minutes of silence.
while kill -0 "$pip_pid" 2>/dev/null; do
  for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do
    sleep 1; kill -0 "$pip_pid" 2>/dev/null || break
  done
  if kill -0 "$pip_pid" 2>/dev/null; then
    elapsed=$((SECONDS - started))
    seen="$(grep -c -E '^(Collecting|Requirement already satisfied)' "$log" || true)"
    if grep -q '^Installing collected packages' "$log"; then step="unpacking and installing"; else step="$seen of $total packages resolved"; fi
    printf '   installing %d:%02d · %s\n' $((elapsed / 60)) $((elapsed % 60)) "$step"
  fi
done
if ! wait "$pip_pid"; then
  tail -n 15 "$log" >&2
  echo "error: installing the dependencies failed; the full log is in $log" >&2
  exit 1
fi
echo "   done; the pip log is in $log"
"$venv/bin/python" -m pip check >/dev/null || { echo "error: installed packages conflict; run 'rm -rf $venv' and try again" >&2; exit 1; }
