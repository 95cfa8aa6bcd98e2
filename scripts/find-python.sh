#!/usr/bin/env bash
# Print the path of a Python 3.10 interpreter: $PYTHON, then python3.10 on PATH, then pyenv.
# Rasa 3.6 supports Python 3.8-3.10 only.
set -u
is310() { "$1" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 10) else 1)' >/dev/null 2>&1; }
if [ -n "${PYTHON:-}" ]; then
  if is310 "$PYTHON"; then command -v "$PYTHON"; exit 0; fi
  echo "error: PYTHON=$PYTHON is not a Python 3.10 interpreter; Rasa 3.6 needs Python 3.10" >&2
  exit 1
fi
if command -v python3.10 >/dev/null 2>&1 && is310 python3.10; then command -v python3.10; exit 0; fi
if command -v pyenv >/dev/null 2>&1; then
  for v in $(pyenv versions --bare 2>/dev/null | grep -E '^3\.10(\.[0-9]+)?$' | sort -t. -k3 -n -r); do
    candidate="$(pyenv root)/versions/$v/bin/python3.10"
    if is310 "$candidate"; then echo "$candidate"; exit 0; fi
  done
fi
for candidate in "$HOME"/.pyenv/versions/3.10*/bin/python3.10; do
  if is310 "$candidate"; then echo "$candidate"; exit 0; fi
done
echo "error: no Python 3.10 found; install it (OS package, pyenv or uv) or set PYTHON=/path/to/python3.10" >&2
exit 1
