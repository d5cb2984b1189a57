#!/usr/bin/env bash
# Lighthouse (from the npm registry) on a published site served by `kokoro-bench view`: mobile
# (Lighthouse's default: a mid-range phone on a throttled 4G link) and desktop, for the run list,
# a run and a comparison. Prints one table row per page and form factor (performance,
# accessibility, best practices, LCP, CLS, TBT); the reports are in target/lighthouse/.
#
#   bash scripts/lighthouse.sh [SITE]      (default target/e2e/site, which the browser test leaves)
set -euo pipefail
cd "$(dirname "$0")/.."
SITE=${1:-target/e2e/site}
[ -f "$SITE/data/index.json" ] || { echo "lighthouse: no published site in $SITE (run report-ui/tests/e2e.sh first, or publish one)" >&2; exit 2; }
BROWSER=$(bash report-ui/tests/browser.sh) || { echo "lighthouse: no Chromium (scripts/bootstrap.sh browser)" >&2; exit 2; }
export CHROME_PATH=$(echo "$BROWSER" | sed -n 1p)
LH=.ci-cache/lighthouse
# 12.8.2: the newest Lighthouse that runs on Debian 12's Node 20 (13.x needs Node 22.19). Its own
# package.json, so npm does not add it to a parent folder's.
if [ ! -x "$LH/node_modules/.bin/lighthouse" ]; then
  mkdir -p "$LH" && [ -f "$LH/package.json" ] || echo '{"private": true}' > "$LH/package.json"
  npm install --prefix "$LH" --no-audit --no-fund -q lighthouse@12.8.2 >/dev/null
fi
OUT=target/lighthouse
mkdir -p "$OUT"
PORT=8770
./target/release/kokoro-bench view "$SITE" --port $PORT >/dev/null 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/" >/dev/null && break; sleep 0.1; done
RUNS=$(python3 -c "import json,sys; print(' '.join(r['path'] for r in json.load(open(sys.argv[1]))['runs'][-2:]))" "$SITE/data/index.json")
A=data/$(echo "$RUNS" | cut -d' ' -f1); B=data/$(echo "$RUNS" | cut -d' ' -f2)
echo "| page | form factor | performance | accessibility | best practices | LCP | CLS | TBT |"
echo "|---|---|---|---|---|---|---|---|"
for page in "runs:" "run:?view=run&bundle=$B" "compare:?view=compare&bundle=$A&bundle=$B"; do
  for form in mobile desktop; do
    extra=(); [ "$form" = desktop ] && extra=(--preset=desktop)
    f="$OUT/${page%%:*}-$form.json"
    "$LH/node_modules/.bin/lighthouse" "http://127.0.0.1:$PORT/${page#*:}" --quiet ${extra[@]+"${extra[@]}"} \
      --chrome-flags="--headless --no-sandbox --disable-gpu" \
      --only-categories=performance,accessibility,best-practices --output=json --output-path="$f" >/dev/null 2>&1 \
      || { echo "lighthouse failed on ${page%%:*} ($form)" >&2; continue; }
    python3 - "$f" "${page%%:*}" "$form" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
c, a = r["categories"], r["audits"]
s = lambda k: round(c[k]["score"] * 100)
print(f"| {sys.argv[2]} | {sys.argv[3]} | {s('performance')} | {s('accessibility')} | {s('best-practices')} | "
      f"{a['largest-contentful-paint']['displayValue']} | {a['cumulative-layout-shift']['displayValue']} | {a['total-blocking-time']['displayValue']} |")
PY
  done
done
