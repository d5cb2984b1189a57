#!/usr/bin/env bash
# The durable home of published runs: a data branch (default `bench-data`) holding the site's
# data folder (index.json, runs/<id>/, pins.json). The site is rebuilt from it on every publish,
# so a lost or deleted Pages deployment loses nothing.
#
#   bash scripts/ci/history.sh fetch DIR     check out the branch into DIR (read-only use is fine)
#   bash scripts/ci/history.sh push DIR MSG  commit DIR's changes to the branch and push
#
# With DATA_CACHE (a folder the workflow keeps between runs with actions/cache), fetch downloads
# only what is new: the objects of earlier fetches are kept there, lent to this checkout as git
# alternates and offered to the remote as already present, so a week's publish transfers that
# week's runs, not every run and WAV ever published.
#
# fetch distinguishes the first publish (the branch does not exist: said so, DIR left empty with
# a FIRST_PUBLISH marker) from a failure to read what is published (after retries: exit 1, and
# the job must deploy nothing — else a site with only this week's runs would replace history).
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/ci/lib.sh
ACTION=${1:?usage: history.sh fetch|push DIR [message]}
DIR=${2:?usage: history.sh fetch|push DIR [message]}

lookup() { # exit 0: the branch exists; 2: it does not; anything else: could not tell
  git ls-remote --exit-code "$DATA_REMOTE" "refs/heads/$DATA_BRANCH" >/dev/null 2>&1
}

ref="refs/remotes/kokoro-bench/$DATA_BRANCH"

cached="refs/kokoro-bench/cached-$DATA_BRANCH"

# DATA_CACHE's objects become this checkout's (alternates), and its newest tip a local ref, so
# the fetch's negotiation tells the remote they are here and only newer objects are sent.
lend_cache() {
  [ -n "${DATA_CACHE:-}" ] || return 0
  [ -d "$DATA_CACHE/objects" ] || git init -q --bare "$DATA_CACHE"
  local objects alt
  objects=$(cd "$DATA_CACHE" && pwd)/objects
  alt=$(git rev-parse --git-path objects/info/alternates)
  mkdir -p "$(dirname "$alt")"
  grep -qxF "$objects" "$alt" 2>/dev/null || echo "$objects" >>"$alt"
  local tip
  if tip=$(git --git-dir="$DATA_CACHE" rev-parse -q --verify "refs/heads/$DATA_BRANCH^{commit}"); then
    # The cache is shallow (depth 1): its commits' parents are not there, and this checkout must
    # know that, or git walks into the missing parents.
    if [ -f "$DATA_CACHE/shallow" ]; then
      local sh
      sh=$(git rev-parse --git-path shallow)
      { cat "$DATA_CACHE/shallow"; cat "$sh" 2>/dev/null || true; } | sort -u >"$sh.new"
      mv "$sh.new" "$sh"
    fi
    git update-ref "$cached" "$tip"
    say "history: $(git --git-dir="$DATA_CACHE" count-objects -v | awk '/^(count|in-pack):/ {n += $2} END {print n}') objects of earlier fetches cached in $DATA_CACHE; fetching only what is new"
  fi
}

# The new tip's objects go into DATA_CACHE (a local copy), for the next run to lend.
keep_in_cache() {
  [ -n "${DATA_CACHE:-}" ] || return 0
  git --git-dir="$DATA_CACHE" fetch -q --depth 1 "$PWD" "+$ref:refs/heads/$DATA_BRANCH" ||
    say "history: could not update the cache in $DATA_CACHE (the next fetch downloads everything again)"
}

# A worktree of this repository, so fetching and pushing use the checkout's own remote and
# credentials (a fresh clone would not have them on a private repository).
case "$ACTION" in
  fetch)
    git worktree remove --force "$DIR" 2>/dev/null || rm -rf "$DIR"
    git worktree prune
    rc=0
    for attempt in 1 2 3 4; do
      set +e; lookup; rc=$?; set -e
      if [ "$rc" = 0 ] || [ "$rc" = 2 ]; then break; fi # merge-guard: only "found" or "absent" are answers
      say "cannot reach $DATA_REMOTE to look for $DATA_BRANCH (attempt $attempt, exit $rc)"
      [ "$attempt" = 4 ] || sleep $(( ${RETRY_BASE_S:-2} << (attempt - 1) ))
    done
    if [ "$rc" = 2 ]; then
      git worktree add -q --force --detach "$DIR" HEAD
      git -C "$DIR" checkout -q --orphan "kokoro-bench-new-$DATA_BRANCH"
      git -C "$DIR" rm -rfq . >/dev/null
      touch "$DIR/FIRST_PUBLISH"
      say "no published history yet ($DATA_REMOTE has no branch $DATA_BRANCH): this is the first publish"
      echo "First publish: no earlier runs (the \`$DATA_BRANCH\` branch is created now)." | summary
      exit 0
    fi
    if [ "$rc" != 0 ]; then # merge-guard
      error "history" "cannot read the published runs from $DATA_REMOTE ($DATA_BRANCH): deploying now would replace every earlier run and share link, so nothing is deployed"
      exit 1
    fi
    lend_cache
    retry 4 git fetch -q --depth 1 "$DATA_REMOTE" "+refs/heads/$DATA_BRANCH:$ref" || {
      error "history" "the $DATA_BRANCH branch exists but could not be fetched: nothing is deployed"
      exit 1
    }
    keep_in_cache
    git worktree add -q --force --detach "$DIR" "$ref"
    n=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['runs']))" "$DIR/index.json" 2>/dev/null || echo "?")
    say "history: $n published run(s) from $DATA_BRANCH"
    ;;
  push)
    MSG=${3:-"publish runs"}
    rm -f "$DIR/FIRST_PUBLISH"
    git -C "$DIR" add -A
    if git -C "$DIR" diff --cached --quiet; then
      say "history: nothing new to push"
      exit 0
    fi
    git -C "$DIR" -c user.name="kokoro-bench" -c user.email="kokoro-bench@users.noreply.github.com" commit -q -m "$MSG"
    retry 4 git -C "$DIR" push -q "$DATA_REMOTE" "HEAD:refs/heads/$DATA_BRANCH" || {
      error "history" "could not push the new runs to $DATA_BRANCH: nothing is deployed (re-run the job; published runs are safe on the branch)"
      exit 1
    }
    say "history: pushed to $DATA_BRANCH"
    ;;
  *) echo "usage: history.sh fetch|push DIR [message]" >&2; exit 2 ;;
esac
