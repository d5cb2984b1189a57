#!/usr/bin/env bash
# The last step of the publish job, after the deploy: red when publish.sh recorded a failed gate
# or a regression against the previous run of a series (the runs are published either way).
#   bash scripts/ci/verdict.sh [VERDICT_FILE]
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/ci/lib.sh
f=${1:-${VERDICT_FILE:-dist/../ci-verdict}}
v=$(cat "$f" 2>/dev/null || echo missing)
case "$v" in
  0) say "verdict: nothing regressed, every gate passed" ;;
  1) error "verdict" "a gate failed or a metric regressed against the previous run of its series (see the job summary)"; exit 1 ;;
  *) error "verdict" "no verdict was recorded ($f): the publish step did not finish"; exit 1 ;;
esac
