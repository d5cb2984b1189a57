#!/usr/bin/env bash
# The pull-request job: benchmark the head, compare it with the last published run of the same
# series (read from the data branch, never written), write the comparison as a comment body
# (pr-comment.md, posted by pr-comment.sh where the token allows) and the step summary. Deploys
# nothing; safe for forks (needs no secret and no write permission).
#
# With BASE_KB (the base branch's build of kokoro-bench), the head is also measured *side by
# side* with the base: both engines as workers (`kokoro-bench worker`), interleaved trial by trial
# in one run, judged pair by pair (`compare --side-by-side`). That verdict holds on a shared
# runner, where a separate run's machine moves every trial together; it decides the job.
# SIDE_TRIALS (default 10) pairs per case: the sign test then tolerates one pair that goes the
# other way (with 6 pairs, one contrary pair already makes p = 0.22; docs/measurements.md).
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
if [ -n "${BASE_KB:-}" ]; then
  {
    echo
    echo "### Side by side: the base branch's build and this one, interleaved in one run"
    echo
  } >>"$BODY"
  if ! "$BASE_KB" worker --help >/dev/null 2>&1; then
    echo "The base build has no \`kokoro-bench worker\` yet: no side-by-side verdict for this pull request." >>"$BODY"
  else
    SIDE="$OUT/../side-by-side"
    mkdir -p "$SIDE"
    # The voice the head's own run used (the engine picks one from its pack; a worker is sent
    # whatever the run says, and the protocol's default need not be in this pack).
    voice=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["plan"]["voice"])' "$bundle")
    set +e
    "$KB" run --out "$SIDE" --quiet-machine wait --quiet-timeout 2m --save-audio none -q \
      --preset "${SIDE_PRESET:-short,medium,long}" --trials "${SIDE_TRIALS:-10}" --suite ttfa,rtf,streaming,versus \
      --voice "$voice" --target command --worker --command "$BASE_KB worker" \
      --versus "head=--target command --worker --command '$KB worker'"
    s=$?
    set -e
    side=$(ls "$SIDE"/runs/*/bundle.json 2>/dev/null | sort | tail -1)
    if [ "$s" -gt 1 ] || [ -z "$side" ]; then
      echo "The side-by-side run failed (exit $s): see the job log." >>"$BODY"
      status=1
    else
      set +e
      "$KB" compare --side-by-side --markdown "$side" >>"$BODY"
      c=$?
      set -e
      [ "$c" = 0 ] || status=1
      if [ "$c" = 1 ]; then "$KB" compare --side-by-side --annotations "$side" | grep '^::error' || true; fi
    fi
  fi
fi
[ "$rc" = 1 ] && status=1 && echo "**A gate failed** (see the job's annotations)." >>"$BODY"
summary <"$BODY"
say "pull request: comment body in $BODY; status $status"
exit "$status"
