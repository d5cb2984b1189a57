#!/usr/bin/env bash
# Same-run peer comparison for the reference engine: this engine (adaptive schedule, natural
# joins) against its old fixed schedule with raw joins, whole-text synthesis, kokoro-onnx's
# `create_stream` (command worker) and fastkokoro's chunk mode (HTTP), all on the same cached int8
# model and voice, interleaved trial by trial in one versus run; then the ratios of
# docs/measurements.md ("The reference engine against its peers").
#
# Usage: scripts/peers.sh [--trials N] [--threads N] [--preset LIST] [--no-fastkokoro] [--agent PACE]
#   --threads 1 slows the engine (≈ 1.5–1.8× on 2 cores): the schedule must still not stall.
#   --agent 40tok/s: voice-agent turns instead — the agent-sized `turns` preset with text arriving
#   at PACE (a rate or trace:FILE), this engine against kokoro-onnx and fastkokoro under the same
#   token stream, judged by `compare --side-by-side` (docs/measurements.md, "Voice-agent turns").
# Needs: `kokoro-bench setup` done; installs kokoro-onnx and fastkokoro venvs once (PyPI).
set -euo pipefail
cd "$(dirname "$0")/.."
TRIALS=5 THREADS=2 PRESET=short,medium,long FAST=1 AGENT=
while [ $# -gt 0 ]; do
  case "$1" in
    --trials) TRIALS=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    --preset) PRESET=$2; shift 2 ;;
    --no-fastkokoro) FAST=0; shift ;;
    --agent) AGENT=$2; PRESET=turns; shift 2 ;;
    *) echo "peers.sh: unknown argument \`$1\` (see the usage at the top of $0)" >&2; exit 2 ;;
  esac
done

cargo build --release -q -p kokoro-bench
BIN=target/release/kokoro-bench
ONNX=$(scripts/kokoro-onnx.sh)
VERSUS=(--versus "kokoro-onnx=--target command --worker --command '$ONNX'")
SUITES=(--suite versus)
if [ -n "$AGENT" ]; then
  SUITES=(--suite ttfa,streaming,agent,versus --text-arrival "$AGENT")
else
  VERSUS+=(
    --versus "fixed-raw=--target engine --strategy progressive --joins raw --threads $THREADS"
    --versus "whole=--target engine --strategy whole --threads $THREADS"
  )
fi

LOG=$(mktemp -t peers-fastkokoro.XXXXXX)
SERVER=
cleanup() { [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM
if [ "$FAST" = 1 ]; then
  PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  FASTKOKORO_STREAM_STRATEGY=chunk scripts/fastkokoro.sh "$PORT" > "$LOG" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 240); do
    python3 -c "import urllib.request as u; u.urlopen('http://127.0.0.1:$PORT/health', timeout=1)" 2>/dev/null && break
    kill -0 "$SERVER" 2>/dev/null || { echo "peers.sh: fastkokoro exited; its log: $LOG" >&2; exit 1; }
    sleep 0.5
  done
  VERSUS+=(--versus "fastkokoro-chunk=--target http --url http://127.0.0.1:$PORT/v1/audio/speech --server-pid $SERVER --payload-extra '{\"voice\": \"bench_alpha\"}'")
fi

OUT=artifacts/peers${AGENT:+-agent}
mkdir -p "$OUT"
$BIN run --out "$OUT" "${SUITES[@]}" --quiet-machine wait --voice jf_alpha --preset "$PRESET" --warmup 1 --trials "$TRIALS" \
  --threads "$THREADS" "${VERSUS[@]}" --json > "$OUT/last-run.json" || [ $? -eq 1 ]
BUNDLE=$(python3 -c "import json; print(json.load(open('$OUT/last-run.json'))['bundle'])")
if [ -n "$AGENT" ]; then
  $BIN compare --side-by-side "$BUNDLE" || [ $? -eq 1 ]
else
  python3 scripts/peers_ratios.py "$BUNDLE"
fi
