#!/usr/bin/env bash
# Rebuilds the site from the durable copy alone (a deleted or broken Pages deployment): the data
# branch into a freshly built site, nothing measured. The workflow runs it for
# `workflow_dispatch` with `rebuild_only: true`; locally: bash scripts/ci/rebuild.sh dist
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/ci/lib.sh
SITE=${1:-dist}
HIST=${2:-$SITE/../published}
bash scripts/ci/history.sh fetch "$HIST"
[ -f "$HIST/FIRST_PUBLISH" ] && { error "rebuild" "nothing has been published ($DATA_BRANCH does not exist): nothing to rebuild"; exit 1; }
need_kb
"$KB" publish --site "$SITE" --merge-from "$HIST"
say "rebuilt $SITE from $DATA_BRANCH"
