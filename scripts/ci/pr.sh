#!/usr/bin/env bash
# The pull-request job: benchmark the head, compare it with the last published run of the same
# series (read from the data branch, never written), write the comparison as a comment body
# (pr-comment.md, posted by pr-comment.sh where the token allows) and the step summary. Deploys
# nothing; safe for forks (needs no secret and no write permission).
#
#   bash scripts/ci/pr.sh OUT [run flags…]
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/ci/lib.sh
OUT=${1:?usage: pr.sh OUT [run flags…]}
shift
HIST="$OUT/../published"
bash scripts/ci/bench.sh "$OUT" "$@"
rc=$(cat "$OUT/run-exit-code")
bundle=$(ls "$OUT"/runs/*/bundle.json | sort | tail -1)
BODY="$OUT/../pr-comment.md"
status=0
{
  echo "<!-- kokoro-bench -->"
  echo "## kokoro-bench: this pull request against the last published run"
  echo
} >"$BODY"
if ! bash scripts/ci/history.sh fetch "$HIST"; then
  echo "The published runs could not be read, so there is no baseline to compare with (the run's own numbers are in the job summary)." >>"$BODY"
  status=1
elif [ -f "$HIST/FIRST_PUBLISH" ]; then
  echo "Nothing is published yet: no baseline to compare with." >>"$BODY"
else
  set +e
  "$KB" compare --previous --history "$HIST" --markdown "$bundle" >>"$BODY"
  c=$?
  set -e
  [ "$c" = 0 ] || status=1
  [ "$c" = 1 ] && "$KB" compare --previous --history "$HIST" --annotations "$bundle" || true
fi
[ "$rc" = 1 ] && status=1 && echo "**A gate failed** (see the job's annotations)." >>"$BODY"
summary <"$BODY"
say "pull request: comment body in $BODY; status $status"
exit "$status"
