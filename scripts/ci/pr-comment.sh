#!/usr/bin/env bash
# Posts (or updates) the single kokoro-bench comment on a pull request — the one whose body starts
# with `<!-- kokoro-bench -->`. Needs GH_TOKEN with pull-requests: write; on a fork's pull request
# the token is read-only, so this says so and leaves the step summary as the report.
#   bash scripts/ci/pr-comment.sh BODY_FILE PR_NUMBER REPO
set -euo pipefail
BODY=${1:?} PR=${2:?} REPO=${3:?}
id=$(gh api "repos/$REPO/issues/$PR/comments" --paginate \
  --jq '[.[] | select(.body | startswith("<!-- kokoro-bench -->"))][0].id // empty' 2>/dev/null || true)
if [ -n "$id" ]; then
  gh api -X PATCH "repos/$REPO/issues/comments/$id" -F "body=@$BODY" >/dev/null \
    || echo "ci: could not update the comment (read-only token on a fork?): the step summary has the comparison" >&2
else
  gh api -X POST "repos/$REPO/issues/$PR/comments" -F "body=@$BODY" >/dev/null \
    || echo "ci: could not comment (read-only token on a fork?): the step summary has the comparison" >&2
fi
