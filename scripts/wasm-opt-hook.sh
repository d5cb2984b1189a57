#!/usr/bin/env bash
# Trunk post-build hook (report-ui/Trunk.toml): shrinks the site's wasm with wasm-opt -Oz in a
# release build. Finds the project's own wasm-opt (scripts/bootstrap.sh installs it under
# .ci-cache/), then $WASM_OPT, then one on PATH; without one the site still builds, larger, and
# says so. Trunk's built-in wasm-opt step is off (index.html) because with --offline it would
# accept a wasm-opt on PATH only and fail otherwise.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
[ "${TRUNK_PROFILE:-release}" = release ] || exit 0
opt=""
for c in "${WASM_OPT:-}" "$root/.ci-cache/node_modules/.bin/wasm-opt" "$(command -v wasm-opt || true)"; do
  if [ -n "$c" ] && [ -x "$c" ]; then opt="$c"; break; fi
done
if [ -z "$opt" ]; then
  echo "warning: wasm-opt not found (bash scripts/bootstrap.sh site installs it): the site's wasm is not size-optimised" >&2
  exit 0
fi
shopt -s nullglob
for w in "${TRUNK_STAGING_DIR:?TRUNK_STAGING_DIR is set by trunk}"/*_bg.wasm; do
  before=$(stat -c %s "$w" 2>/dev/null || stat -f %z "$w")
  "$opt" -Oz "$w" -o "$w.opt"
  mv "$w.opt" "$w"
  after=$(stat -c %s "$w" 2>/dev/null || stat -f %z "$w")
  echo "wasm-opt -Oz: $(basename "$w") $before → $after bytes ($opt)" >&2
done
