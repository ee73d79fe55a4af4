#!/usr/bin/env bash
# Makes sure everything the test suite needs outside node_modules is on this machine:
#   - PostgreSQL and MariaDB on 127.0.0.1 with TLS (scripts/ensure-databases.sh)
#   - a headless Chromium for the diagram render test (__tests__/topology): Debian's `chromium`
#     package at /usr/bin/chromium, or whatever CHROMIUM_BINARY names (e.g. google-chrome on
#     GitHub's Ubuntu runners, where apt's chromium is only a snap wrapper).
# Idempotent and quiet when everything is already there; installs with apt (root or sudo) otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

bash scripts/ensure-databases.sh

chromium=${CHROMIUM_BINARY:-/usr/bin/chromium}
if [ ! -x "$chromium" ]; then
  if [ -n "${CHROMIUM_BINARY:-}" ]; then
    echo "ensure-test-tools: CHROMIUM_BINARY=$CHROMIUM_BINARY is not an executable file" >&2
    exit 1
  fi
  echo "ensure-test-tools: installing chromium (apt) for the diagram render test" >&2
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  if [ ! -x /usr/bin/chromium ]; then
    echo "ensure-test-tools: apt installed no /usr/bin/chromium; set CHROMIUM_BINARY to a Chromium or Chrome binary" >&2
    exit 1
  fi
fi
