#!/usr/bin/env bash
# Installs what building the report site needs: the wasm32 target, trunk and wasm-bindgen-cli
# (the version in Cargo.lock), and wasm-opt. Prebuilt binaries first — `cargo binstall` when it
# is installed, else the projects' release archives, checked against their published SHA-256 —
# and `cargo install` (about 15 minutes on 2 cores, once, in a quick-to-build profile) where neither works (no internet
# beyond the package registries). Skips what is already there. Prints what it did and how long.
set -euo pipefail
cd "$(dirname "$0")/.."
say() { echo "site tools: $*" >&2; }
TRUNK=0.21.14
WBG=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/, ""); print; exit}' Cargo.lock)
BIN="$HOME/.cargo/bin"
mkdir -p "$BIN"
t0=$(date +%s)

rustup target list --installed | grep -q '^wasm32-unknown-unknown$' || { say "adding the wasm32 target"; rustup target add wasm32-unknown-unknown; }

triple() {
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) echo "x86_64-unknown-linux-gnu" ;;
    Linux-aarch64) echo "aarch64-unknown-linux-gnu" ;;
    Darwin-arm64) echo "aarch64-apple-darwin" ;;
    Darwin-x86_64) echo "x86_64-apple-darwin" ;;
    *) echo "" ;;
  esac
}

# Downloads URL to a file and checks it against the SHA-256 published at URL.sha256 (or the
# checksum file given); returns non-zero when either cannot be fetched or they differ.
fetch_checked() { # url out [checksum-url]
  local url=$1 out=$2 sums=${3:-$1.sha256}
  curl -sfL --max-time 120 "$url" -o "$out" || return 1
  local want
  want=$(curl -sfL --max-time 30 "$sums" | grep -Eo '[0-9a-f]{64}' | head -1) || return 1
  [ -n "$want" ] || return 1
  local got
  got=$( (sha256sum "$out" 2>/dev/null || shasum -a 256 "$out") | cut -d' ' -f1)
  [ "$got" = "$want" ] || { say "SHA-256 mismatch for $url (expected $want, got $got)"; return 1; }
}

# A build tool's own speed hardly matters (cargo, rustc and wasm-opt do the work), but its
# release profile does: trunk asks for fat LTO and one codegen unit, 25 minutes on 2 cores.
# Without them, at opt-level 1, it compiles in about 10 (measured here, docs/measurements.md).
fast_build() {
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    CARGO_PROFILE_RELEASE_OPT_LEVEL=1 CARGO_PROFILE_RELEASE_DEBUG=0 "$@"
}

# `cargo install --locked` builds the crate's own lockfile; a registry mirror can lack a version
# it pins (wasm-bindgen-cli 0.2.130 pins webpki-roots 1.0.11, absent here on 2026-12-02). Then
# resolve afresh within the crate's own semver ranges, and say so.
locked_or_fresh() { # crate version
  fast_build cargo install "$1" --version "$2" --locked && return 0
  say "$1 $2: its lockfile names a crate version this registry does not have; resolving its dependencies afresh"
  fast_build cargo install "$1" --version "$2"
}

install_trunk() {
  trunk --version 2>/dev/null | grep -q "$TRUNK" && return 0
  if command -v cargo-binstall >/dev/null && cargo binstall -y --no-confirm "trunk@$TRUNK" >/dev/null 2>&1; then
    say "trunk $TRUNK (cargo binstall)"; return 0
  fi
  local tr; tr=$(triple)
  if [ -n "$tr" ]; then
    local tmp; tmp=$(mktemp -d)
    local url="https://github.com/trunk-rs/trunk/releases/download/v$TRUNK/trunk-$tr.tar.gz"
    if fetch_checked "$url" "$tmp/t.tgz" && tar -xzf "$tmp/t.tgz" -C "$tmp" && install -m 755 "$tmp/trunk" "$BIN/trunk"; then
      say "trunk $TRUNK (release archive, SHA-256 checked)"; rm -rf "$tmp"; return 0
    fi
    rm -rf "$tmp"
  fi
  say "trunk $TRUNK: no prebuilt binary reachable, compiling it (about 10 minutes on 2 cores, once)"
  locked_or_fresh trunk "$TRUNK"
}

install_wasm_bindgen() {
  wasm-bindgen --version 2>/dev/null | grep -q "$WBG" && return 0
  if command -v cargo-binstall >/dev/null && cargo binstall -y --no-confirm "wasm-bindgen-cli@$WBG" >/dev/null 2>&1; then
    say "wasm-bindgen $WBG (cargo binstall)"; return 0
  fi
  local tr; tr=$(triple)
  case "$tr" in x86_64-unknown-linux-gnu) tr=x86_64-unknown-linux-musl ;; esac
  if [ -n "$tr" ]; then
    local tmp; tmp=$(mktemp -d)
    local name="wasm-bindgen-$WBG-$tr"
    local url="https://github.com/rustwasm/wasm-bindgen/releases/download/$WBG/$name.tar.gz"
    if fetch_checked "$url" "$tmp/w.tgz" && tar -xzf "$tmp/w.tgz" -C "$tmp" && install -m 755 "$tmp/$name/wasm-bindgen" "$BIN/wasm-bindgen"; then
      say "wasm-bindgen $WBG (release archive, SHA-256 checked)"; rm -rf "$tmp"; return 0
    fi
    rm -rf "$tmp"
  fi
  say "wasm-bindgen $WBG: no prebuilt binary reachable, compiling it (a few minutes on 2 cores, once)"
  locked_or_fresh wasm-bindgen-cli "$WBG"
}

install_wasm_opt() {
  { command -v wasm-opt >/dev/null || [ -x .ci-cache/node_modules/.bin/wasm-opt ]; } && return 0
  if command -v npm >/dev/null; then
    say "wasm-opt (npm binaryen)"
    mkdir -p .ci-cache && (cd .ci-cache && npm install --silent --no-audit --no-fund binaryen@132.0.0 >/dev/null 2>&1) \
      || say "binaryen unavailable: the site builds without wasm-opt (larger)"
  else
    say "no npm: the site builds without wasm-opt (larger)"
  fi
}

install_trunk
install_wasm_bindgen
install_wasm_opt
say "ready in $(( $(date +%s) - t0 )) s (trunk, wasm-bindgen in $BIN; wasm-opt under .ci-cache/)"
