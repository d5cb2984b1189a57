#!/usr/bin/env bash
# Shared by the CI scripts (the workflow and scripts/rehearse-workflow.sh call the same ones):
# the binary, retries with backoff, the step summary and annotations.
# Outside GitHub Actions, GITHUB_STEP_SUMMARY and GITHUB_OUTPUT may point at local files.

KB=${KB:-./target/release/kokoro-bench}
DATA_BRANCH=${DATA_BRANCH:-bench-data}
DATA_REMOTE=${DATA_REMOTE:-origin}

say() { echo "ci: $*" >&2; }

# retry N CMD…: runs CMD until it succeeds, at most N times, waiting 2, 4, 8 … s between tries
# (RETRY_BASE_S overrides the 2 for rehearsals). Returns the last exit code.
retry() {
  local n=$1 i=1 rc=0 wait=${RETRY_BASE_S:-2}
  shift
  while true; do
    "$@" && return 0
    rc=$?
    [ "$i" -ge "$n" ] && return "$rc"
    say "attempt $i of $n failed (exit $rc): retrying in ${wait} s: $*"
    sleep "$wait"
    i=$((i + 1))
    wait=$((wait * 2))
  done
}

# Appends stdin to the job's step summary (GitHub renders it on the run page), when there is one.
summary() {
  if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then cat >>"$GITHUB_STEP_SUMMARY"; else cat >/dev/null; fi
}

# error TITLE MESSAGE: a GitHub error annotation (also readable in a plain log).
error() { echo "::error title=$1::$2"; }

# The runner binary: the one given by KB, built if missing.
need_kb() {
  if [ ! -x "$KB" ]; then
    say "building the runner ($KB is missing)"
    cargo build --release -q -p kokoro-bench
  fi
}
