#!/usr/bin/env bash
# Makes sure Debian's Chromium is installed for the browser tests (test/browser.test.ts).
# - /usr/bin/chromium present: does nothing.
# - missing and root (CI, the project's machines): installs it with apt from Debian's repositories.
# - missing and not root: says how to install it and exits non-zero.
# Never downloads a browser from anywhere else (no `playwright install`).
set -euo pipefail

CHROMIUM=/usr/bin/chromium
# chromium runs headless; fonts-dejavu-core gives it a font to render text with, even when
# --no-install-recommends leaves out the fonts chromium only recommends.
PACKAGES=(chromium fonts-dejavu-core)

if [ -x "$CHROMIUM" ]; then
  exit 0
fi

hint="sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${PACKAGES[*]}"

if [ "$(id -u)" -ne 0 ]; then
  echo "ensure-chromium: $CHROMIUM is missing and the browser tests need it." >&2
  echo "ensure-chromium: install Debian's chromium as root, then run the tests again:" >&2
  echo "  $hint" >&2
  exit 1
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: $CHROMIUM is missing and there is no apt-get to install it with." >&2
  echo "ensure-chromium: install Chromium so that $CHROMIUM exists (a Debian machine: $hint)." >&2
  exit 1
fi

echo "ensure-chromium: installing ${PACKAGES[*]} from Debian's repositories" >&2
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! { apt-get update && apt-get install -y --no-install-recommends "${PACKAGES[@]}"; } >"$log" 2>&1; then
  cat "$log" >&2
  echo "ensure-chromium: apt-get could not install ${PACKAGES[*]} (its output is above)." >&2
  exit 1
fi

if [ ! -x "$CHROMIUM" ]; then
  echo "ensure-chromium: apt-get finished but $CHROMIUM is still missing." >&2
  exit 1
fi
echo "ensure-chromium: $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM installed")" >&2
