#!/usr/bin/env bash
# The services of `python -m bot cluster` from Debian's packages: PostgreSQL, Redis and nginx.
# Installs only what is missing, and only as root (apt-get); otherwise says what to install.
# The packages' own system services are not used: bot/cluster.py starts private ones under
# var/cluster/ on other ports, so the Debian services are stopped and disabled when the
# install started them.
set -euo pipefail

missing=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 || missing+=(postgresql)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "error: the cluster needs ${missing[*]} (Debian: sudo apt-get install ${missing[*]}); install them and try again" >&2
  exit 2
fi
echo "== Installing ${missing[*]} (apt-get)"
export DEBIAN_FRONTEND=noninteractive
# Do not start the packages' system services on install (no init system in containers anyway).
policy=/usr/sbin/policy-rc.d
made_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod 755 "$policy" && made_policy=1
fi
trap '[ "$made_policy" = 1 ] && rm -f "$policy"' EXIT
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "== Installed ${missing[*]}"
