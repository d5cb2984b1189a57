#!/usr/bin/env bash
# Sets up everything and runs every check and test: formatting, lints (native and wasm), the
# real-model test suite, the macOS compile check, the site build and the browser end-to-end test.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.ci-cache/node_modules/.bin:$HOME/.cargo/bin:$PATH"
step() { echo; echo "=== $* ==="; }

step "bootstrap"
bash scripts/bootstrap.sh site browser engines mac

step "format"
cargo fmt --all -- --check

step "import circles (files and folders)"
python3 scripts/test_import_cycles.py
python3 scripts/import-cycles.py

step "no function over 150 lines (components included)"
python3 scripts/long-functions.py

step "clippy (native)"
cargo clippy --workspace --all-targets --all-features --release -- -D warnings

step "clippy (wasm: bundle crate and site)"
cargo clippy --release --target wasm32-unknown-unknown -p kokoro-bench-bundle -p kokoro-bench-report -- -D warnings

step "macOS compile check (runner)"
# Without the `tls` feature: ring would need a C compiler for macOS; the TLS code is the same on
# every platform and is checked (and tested) natively above.
cargo check --release --target aarch64-apple-darwin -p kokoro-bench --no-default-features

step "unit tests in the debug profile (overflow checks, debug assertions; no model needed)"
cargo test --workspace --lib --bins

step "model, runtime and judging models (cached after the first time)"
cargo run --release -q -p kokoro-bench -- setup --judges

step "tests (real model, real ONNX Runtime)"
cargo test --workspace --all-features --release

step "the committed GitHub workflow (actionlint; jobs, order, files it names, command lines it and scripts/ci run)"
cargo build --release -q -p kokoro-bench
bash scripts/lint-workflow.sh
python3 scripts/check-workflow.py

step "docs agree with the binary (every documented flag and variable exists, every help has an example)"
python3 scripts/check-docs.py

step "A/A: two runs of the same build must not be called different (small version of scripts/aa.sh)"
AA_DIR=target/aa-small bash scripts/aa.sh small

if [ -f report-ui/tests/e2e.sh ]; then
  step "site build and browser end-to-end test"
  bash report-ui/tests/e2e.sh
fi

step "the workflow's jobs rehearsed on this machine (first and second deploy, unreadable history, failed gate, pull request, retention, the merge guard)"
bash scripts/rehearse-workflow.sh
