#!/usr/bin/env bash
# Install Debian's Chromium and its driver for the browser tests (tests/web).
# Does nothing when chromium is already there. Needs root (uses sudo when not root).
set -euo pipefail

if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
    echo "chromium and chromedriver are already installed: $(chromium --version 2>/dev/null || echo chromium)"
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo"
else
    echo "install-browser.sh: cannot install chromium: run as root or with sudo ('sudo apt-get install -y chromium chromium-driver')" >&2
    exit 1
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-browser.sh: cannot install chromium: apt-get not found (this script is for Debian/Ubuntu)" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium chromium-driver fonts-dejavu-core
echo "installed: $(chromium --version 2>/dev/null || echo chromium)"
