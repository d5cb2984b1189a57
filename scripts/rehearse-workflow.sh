#!/usr/bin/env bash
# Plays the workflow's jobs (.github/workflows/bench.yml) in order on this machine, against a local
# "GitHub": a bare git repository as the remote that holds the bench-data branch, and a folder as
# the Pages deployment. The steps are the workflow's own scripts (scripts/ci/*.sh), copied into a
# scratch repository so this one is never touched; the runs are real (the engine, short runs).
#
#   1 first deploy          the branch is created, "first publish" is said, the site holds 1 run
#   2 second deploy         every earlier run and share link survives (same bundle bytes)
#   2b/4b the data cache     fresh checkouts with DATA_CACHE: the second downloads only the run
#                           published since the first, not the whole branch
#   3 unreadable history    the remote cannot be read during the fetch step: red, nothing
#                           deployed, nothing pushed, the reason annotated
#   4 a failed gate         the run is published and deployed, the job is red, the summary and
#                           the annotations say which gate
#   5 a pull request        a comparison with the last published run as the comment body;
#                           nothing deployed, the branch untouched; side by side with a base
#                           build of the same code it stays green
#   5b a slower head        side by side with a head whose worker runs on 1 thread instead of 2:
#                           the comment says regressed and the job is red
#   6 retention             --keep-last drops the oldest unpinned run, --keep-audio-last strips
#                           older runs' WAVs and the index marks them
#   7 the merge guard       with the guard in history.sh mutated away, scenario 3's check fails
#
# Needs the release binary and a built site (dist/index.html: the browser test builds it).
# Usage: bash scripts/rehearse-workflow.sh          (about 3 minutes; prints each check)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export KB=$ROOT/target/release/kokoro-bench
[ -x "$KB" ] || (cd "$ROOT" && cargo build --release -q -p kokoro-bench)
[ -f "$ROOT/dist/index.html" ] || { echo "rehearsal: no built site in $ROOT/dist: build it first (cd report-ui && trunk build --release --offline)" >&2; exit 2; }
S=$(mktemp -d "${TMPDIR:-/tmp}/kokoro-rehearsal.XXXXXX")
trap 'rm -rf "$S"' EXIT
export RETRY_BASE_S=0 # no waiting between retries in a rehearsal
PAGES=$S/pages
checks=0
ok() { checks=$((checks + 1)); echo "rehearsal: ok — $*"; }
fail() { echo "rehearsal FAILED: $*" >&2; exit 1; }
runs_in() { python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['runs']))" "$1"; }
branch_head() { git --git-dir="$S/remote.git" rev-parse -q --verify refs/heads/bench-data || echo none; }

# A scratch repository with the CI scripts, whose origin is the local bare remote.
make_repo() {
  local dir=$1
  mkdir -p "$dir/scripts/ci" "$dir/docs"
  cp "$ROOT"/scripts/ci/*.sh "$dir/scripts/ci/"
  (cd "$dir" && git init -q -b main && git add -A && git -c user.name=r -c user.email=r@r commit -qm ci &&
    git remote add origin "file://$S/remote.git")
}
git init -q --bare "$S/remote.git"
make_repo "$S/repo"
RUN=(--preset short --trials 2 --rounds 1 --warmup 0 --suite ttfa,rtf,streaming)

# One workflow run: bench job, then the publish job's steps in order; a failing step stops it.
# workflow NAME REPO [extra run flags…]; its files are in $S/NAME, its exit code is returned.
workflow() {
  local name=$1 repo=$2
  shift 2
  local w=$S/$name
  mkdir -p "$w"
  export GITHUB_STEP_SUMMARY=$w/summary.md VERDICT_FILE=$w/verdict
  (
    cd "$repo"
    bash scripts/ci/bench.sh "$w/incoming/artifacts-linux" "${RUN[@]}" "$@"
    rm -rf "$w/dist" && cp -R "$ROOT/dist" "$w/dist" && rm -rf "$w/dist/data"
    [ -z "${BREAK_DURING_FETCH:-}" ] || mv "$S/remote.git" "$S/remote.away"
    fetched=0
    bash scripts/ci/history.sh fetch "$w/published" || fetched=$?
    [ -z "${BREAK_DURING_FETCH:-}" ] || mv "$S/remote.away" "$S/remote.git"
    [ "$fetched" = 0 ] || exit "$fetched"
    bash scripts/ci/publish.sh "$w/dist" "$w/published" "$w"/incoming/*
    bash scripts/ci/history.sh push "$w/published" "rehearsal $name"
    rm -rf "$PAGES" && cp -R "$w/dist" "$PAGES" # actions/deploy-pages
    bash scripts/ci/verdict.sh "$w/verdict"
  ) >"$S/$name.log" 2>&1
}

# 1 — first deploy.
workflow first "$S/repo" || fail "the first deploy failed: $(tail -5 "$S/first.log")"
[ "$(runs_in "$PAGES/data/index.json")" = 1 ] || fail "the first deploy should hold 1 run"
grep -q "First publish" "$S/first/summary.md" || fail "the first publish is not said in the summary"
[ "$(branch_head)" != none ] || fail "the bench-data branch was not created"
ok "first deploy: the branch is created, the site holds 1 run, the summary says first publish"
RUN1=$(python3 -c "import json; print(json.load(open('$PAGES/data/index.json'))['runs'][0]['id'])")
SHA1=$(sha256sum "$PAGES/data/runs/$RUN1/bundle.json" | cut -d' ' -f1)

# 2 — a second deploy keeps the first run, byte for byte, and compares with it.
workflow second "$S/repo" || fail "the second deploy failed: $(tail -5 "$S/second.log")"
[ "$(runs_in "$PAGES/data/index.json")" = 2 ] || fail "the second deploy should hold 2 runs"
[ "$(sha256sum "$PAGES/data/runs/$RUN1/bundle.json" | cut -d' ' -f1)" = "$SHA1" ] || fail "run $RUN1 changed: share links to it would say so"
grep -q "$RUN1 →" "$S/second/summary.md" || fail "the summary does not compare with the previous run ($RUN1)"
ok "second deploy: 2 runs, run $RUN1 byte-identical (share links survive), compared with it in the summary"

# 2b — a fresh checkout (as on a hosted runner) with the data cache fills it: everything is new.
own_objects() { git -C "$1" count-objects -v | awk '/^(count|in-pack):/ {n += $2} END {print n}'; }
make_repo "$S/fresh-a"
OWN0=$(own_objects "$S/fresh-a") # the scratch repository's own commit
(cd "$S/fresh-a" && DATA_CACHE=$S/data-cache bash scripts/ci/history.sh fetch "$S/fresh-a-pub") >"$S/fresh-a.log" 2>&1 ||
  fail "a fetch with an empty data cache failed: $(tail -3 "$S/fresh-a.log")"
OWN_A=$(( $(own_objects "$S/fresh-a") - OWN0 ))

# 3 — history cannot be read: red, nothing deployed or pushed, and why.
transient() { # transient REPO NAME: 0 when the job behaves as it must
  local before_pages before_branch rc=0
  before_pages=$(sha256sum "$PAGES/data/index.json" | cut -d' ' -f1)
  before_branch=$(branch_head)
  BREAK_DURING_FETCH=1 workflow "$2" "$1" || rc=$?
  [ "$rc" != 0 ] || { echo "the job went green with unreadable history" >&2; return 1; }
  [ "$(sha256sum "$PAGES/data/index.json" | cut -d' ' -f1)" = "$before_pages" ] || { echo "the site was deployed" >&2; return 1; }
  [ "$(branch_head)" = "$before_branch" ] || { echo "the branch was pushed" >&2; return 1; }
  grep -q "::error title=history::cannot read the published runs" "$S/$2.log" || { echo "no annotation says why" >&2; return 1; }
}
transient "$S/repo" unreadable || fail "unreadable history: $(tail -5 "$S/unreadable.log")"
ok "unreadable history: red, nothing deployed, nothing pushed, annotated"

# 4 — a failed gate: published and deployed, red, said.
echo '{"gates": [{"id": "impossible-heard", "metric": "heard_ms", "stat": "median", "max": 1}], "min_samples": 1}' >"$S/gates.json"
rc=0
workflow gate "$S/repo" --gates "$S/gates.json" || rc=$?
[ "$rc" = 1 ] || fail "a failed gate should turn the job red (exit 1), got $rc: $(tail -5 "$S/gate.log")"
[ "$(runs_in "$PAGES/data/index.json")" = 3 ] || fail "the run with a failed gate should still be published"
grep -q "gates FAILED" "$S/gate/summary.md" || fail "the summary does not say the gate failed"
grep -q "::error title=gate impossible-heard" "$S/gate.log" || fail "no annotation for the failed gate"
ok "failed gate: published (3 runs), red, summary and annotation name the gate"

# 4b — the next fresh checkout with the cache downloads only the runs published since (4: one).
make_repo "$S/fresh-b"
(cd "$S/fresh-b" && DATA_CACHE=$S/data-cache bash scripts/ci/history.sh fetch "$S/fresh-b-pub") >"$S/fresh-b.log" 2>&1 ||
  fail "a fetch with a filled data cache failed: $(tail -3 "$S/fresh-b.log")"
OWN_B=$(( $(own_objects "$S/fresh-b") - OWN0 ))
[ "$(runs_in "$S/fresh-b-pub/index.json")" = 3 ] || fail "the cached fetch does not hold the 3 published runs"
grep -q "fetching only what is new" "$S/fresh-b.log" || fail "the cached fetch did not use the cache: $(tail -3 "$S/fresh-b.log")"
[ "$OWN_B" -gt 0 ] && [ "$OWN_B" -lt "$OWN_A" ] || fail "the cached fetch downloaded $OWN_B objects, the first $OWN_A: it should fetch only what is new"
ok "merges fetch only what is new: a fresh checkout with the data cache downloaded $OWN_B objects for 1 new run (without: $OWN_A for 2)"

# 5 — a pull request: a comparison body, nothing deployed, the branch untouched.
before_pages=$(sha256sum "$PAGES/data/index.json" | cut -d' ' -f1)
before_branch=$(branch_head)
(cd "$S/repo" && BASE_KB=$KB SIDE_PRESET=short SIDE_TRIALS=6 GITHUB_STEP_SUMMARY=$S/pr-summary.md \
  bash scripts/ci/pr.sh "$S/pr/artifacts" "${RUN[@]}") >"$S/pr.log" 2>&1 || true
grep -q "<!-- kokoro-bench -->" "$S/pr/pr-comment.md" || fail "no comment body for the pull request: $(tail -5 "$S/pr.log")"
grep -q " → " "$S/pr/pr-comment.md" || fail "the comment does not compare with the last published run"
[ "$(sha256sum "$PAGES/data/index.json" | cut -d' ' -f1)" = "$before_pages" ] || fail "a pull request deployed"
[ "$(branch_head)" = "$before_branch" ] || fail "a pull request pushed to bench-data"
grep -q "Side by side" "$S/pr/pr-comment.md" || fail "no side-by-side section with BASE_KB set: $(tail -5 "$S/pr.log")"
if grep -q "badge regressed\|| regressed |" "$S/pr/pr-comment.md"; then fail "the same build side by side regressed: $(grep regressed "$S/pr/pr-comment.md" | head -3)"; fi
ok "pull request: comment body compares with the last published run and side by side with the base (same build: no regression); nothing deployed or pushed"

# 5b — a head slowed down (its worker on 1 intra-op thread, the base's on 2) is caught side by side.
SLOW=$S/slow-kb
printf '#!/bin/sh\nif [ "$1" = worker ]; then shift; exec "%s" worker --threads 1 "$@"; fi\nexec "%s" "$@"\n' "$KB" "$KB" >"$SLOW"
chmod +x "$SLOW"
rc=0
(cd "$S/repo" && BASE_KB=$KB KB=$SLOW SIDE_PRESET=short SIDE_TRIALS=6 GITHUB_STEP_SUMMARY=$S/pr2-summary.md \
  bash scripts/ci/pr.sh "$S/pr2/artifacts" "${RUN[@]}") >"$S/pr2.log" 2>&1 || rc=$?
[ "$rc" != 0 ] || fail "a head on 1 thread against a base on 2 left the pull-request job green: $(sed -n '/Side by side/,$p' "$S/pr2/pr-comment.md" | head -20)"
grep -q "| regressed |" "$S/pr2/pr-comment.md" || fail "the comment does not say regressed: $(sed -n '/Side by side/,$p' "$S/pr2/pr-comment.md" | head -20)"
ok "a slower head: side by side, the comment says regressed and the job is red"

# 6 — retention: keep the newest 2 runs and pinned ones; only the newest keeps its WAVs.
KEEP_LAST=2 KEEP_AUDIO_LAST=1 PIN=$RUN1 workflow retention "$S/repo" || fail "the retention publish failed: $(tail -5 "$S/retention.log")"
ids=$(python3 -c "import json; print(' '.join(r['id'] for r in json.load(open('$PAGES/data/index.json'))['runs']))")
[ "$(echo "$ids" | wc -w)" = 3 ] || fail "keep-last 2 plus the pinned run should leave 3 runs, found: $ids"
echo "$ids" | grep -q "$RUN1" || fail "the pinned run $RUN1 was dropped"
pruned=$(python3 -c "import json; print(sum(1 for r in json.load(open('$PAGES/data/index.json'))['runs'] if r.get('audio_pruned')))")
[ "$pruned" = 1 ] || fail "one unpinned older run should have lost its WAVs, $pruned did"
ok "retention: 2 newest + the pinned run kept; the older unpinned run lost its WAVs and is marked"

# 7 — the merge guard is what makes scenario 3 pass: mutated away, the check fails.
make_repo "$S/mutant"
sed -i.bak 's/if \[ "\$rc" = 0 \] || \[ "\$rc" = 2 \]; then break; fi # merge-guard.*/rc=2; break/' "$S/mutant/scripts/ci/history.sh"
grep -q 'rc=2; break' "$S/mutant/scripts/ci/history.sh" || fail "the mutation did not apply: the guard's line changed"
if transient "$S/mutant" mutant 2>/dev/null; then fail "with the merge guard removed, the unreadable-history check still passed: it tests nothing"; fi
ok "merge guard: removing it makes the unreadable-history check fail"

echo "rehearsal: $checks checks passed"
