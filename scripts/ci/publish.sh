#!/usr/bin/env bash
# The publish job, after `history.sh fetch`: the site's data rebuilt from the published runs (the
# data branch) plus the new ones, old runs and old WAVs pruned, the durable copy updated, and the
# verdicts written — each new run's gates and its comparison with the previous run of its series
# (machine label · target · configuration). It neither pushes nor deploys (the steps after it
# do), and never fails on a verdict: it records one for `verdict.sh`, which runs after the deploy,
# so a regression is published *and* turns the job red.
#
#   bash scripts/ci/publish.sh SITE HISTORY [INCOMING…]
# Environment: KEEP_LAST (runs per series, default 200), KEEP_AUDIO_LAST (runs per series that keep
# their WAVs, default 20), PIN (space-separated run ids kept forever), VERDICT_FILE.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/ci/lib.sh
SITE=${1:?usage: publish.sh SITE HISTORY [INCOMING…]}
HIST=${2:?usage: publish.sh SITE HISTORY [INCOMING…]}
shift 2
VERDICT_FILE=${VERDICT_FILE:-$SITE/../ci-verdict}
need_kb
[ -d "$HIST" ] || { error "publish" "no history checkout at $HIST: run history.sh fetch first"; exit 1; }
args=(--site "$SITE" --keep-last "${KEEP_LAST:-200}" --keep-audio-last "${KEEP_AUDIO_LAST:-20}")
[ -f "$HIST/FIRST_PUBLISH" ] || args+=(--merge-from "$HIST")
new=()
for d in "$@"; do
  [ -f "$d/index.json" ] || continue
  args+=(--artifacts "$d")
  while IFS= read -r b; do new+=("$b"); done < <(ls "$d"/runs/*/bundle.json 2>/dev/null)
done
for p in ${PIN:-}; do args+=(--pin "$p"); done
"$KB" publish "${args[@]}"
# The durable copy is exactly the site's data folder.
find "$HIST" -mindepth 1 -maxdepth 1 ! -name .git ! -name FIRST_PUBLISH -exec rm -rf {} +
cp -R "$SITE/data/." "$HIST/"

verdict=0
{
  echo "## Published"
  echo
  echo "The site holds $(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['runs']))" "$SITE/data/index.json") run(s)."
  echo
} | summary
for b in ${new[@]+"${new[@]}"}; do
  dir=$(dirname "$b")
  rc=$(cat "$dir/../../run-exit-code" 2>/dev/null || echo 0)
  if [ "$rc" = 1 ]; then
    verdict=1
    "$KB" export --bundle "$b" --format annotations || true
  fi
  set +e
  "$KB" compare --previous --history "$SITE/data" --markdown "$b" >"$dir/ci-compare.md"
  c=$?
  set -e
  [ "$c" = 0 ] || [ "$c" = 1 ] || { error "compare" "could not compare $b (exit $c)"; verdict=1; }
  [ "$c" = 1 ] && verdict=1 && "$KB" compare --previous --history "$SITE/data" --annotations "$b" || true
  { echo "### $(basename "$dir"): gates $([ "$rc" = 1 ] && echo FAILED || echo passed) · against the previous run of its series"; echo; cat "$dir/ci-compare.md"; echo; } | summary
done
echo "$verdict" >"$VERDICT_FILE"
say "published; verdict $verdict (1: a gate failed or a comparison regressed — verdict.sh turns the job red after the deploy)"
