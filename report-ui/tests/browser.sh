#!/usr/bin/env bash
# Prints the Chromium binary and its WebDriver, one per line (CHROMIUM / CHROMEDRIVER override),
# found the platform's way: Debian's chromium, Fedora's chromium-browser, Homebrew's cask on
# macOS. Exit 1 when either is missing (bootstrap.sh then installs them).
set -u
find_first() { for c in "$@"; do [ -n "$c" ] && [ -x "$c" ] && { echo "$c"; return 0; }; done; return 1; }
browser=$(find_first "${CHROMIUM:-}" "$(command -v chromium 2>/dev/null)" "$(command -v chromium-browser 2>/dev/null)" \
  "/Applications/Chromium.app/Contents/MacOS/Chromium" "$(command -v google-chrome 2>/dev/null)") || exit 1
driver=$(find_first "${CHROMEDRIVER:-}" "$(command -v chromedriver 2>/dev/null)" "/usr/lib/chromium/chromedriver") || exit 1
echo "$browser"
echo "$driver"
