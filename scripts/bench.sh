#!/usr/bin/env bash
# Sets up and runs the main job: a real benchmark run on this machine, then the report site with
# the run published into dist/ (open it with `kokoro-bench view`).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.ci-cache/node_modules/.bin:$HOME/.cargo/bin:$PATH"
bash scripts/bootstrap.sh site
cargo build --release -p kokoro-bench
./target/release/kokoro-bench setup
./target/release/kokoro-bench run --preset short,medium,long,paragraph "$@" || test $? -eq 1
if [ -f report-ui/index.html ]; then
  (cd report-ui && trunk build --offline --release)
  ./target/release/kokoro-bench publish
  echo "report: ./target/release/kokoro-bench view   (serves dist/ on 127.0.0.1)"
fi
