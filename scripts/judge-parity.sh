#!/usr/bin/env bash
# DNSMOS parity: the runner's Rust DNSMOS against Microsoft's speechmos (librosa, Python
# onnxruntime) on the same 16 kHz audio: a run's kept WAVs, white noise and a tone.
# Usage: bash scripts/judge-parity.sh [WAV…]   (default: a fresh short/medium/long run)
set -euo pipefail
cd "$(dirname "$0")/.."
CACHE=${KOKORO_BENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kokoro-bench}
VENV="$CACHE/speechmos-venv"
[ -x "$VENV/bin/python" ] || { python3 -m venv "$VENV" && "$VENV/bin/pip" install -q speechmos==0.0.1.1 librosa soundfile onnxruntime==1.31.1 requests; }
cargo build --release -q -p kokoro-bench
BENCH=./target/release/kokoro-bench
$BENCH setup --judges
OUT=$(mktemp -d)
WAVS=("$@")
if [ ${#WAVS[@]} -eq 0 ]; then
  $BENCH run --preset short,medium,long --warmup 1 --trials 1 --suite ttfa,quality -q --out "$OUT/run" >/dev/null
  mapfile -t WAVS < <(find "$OUT/run" -name '*.wav' | sort)
fi
"$VENV/bin/python" - "$OUT" <<'PY'
import sys, numpy as np, soundfile as sf
out = sys.argv[1]
rng = np.random.default_rng(1)
sf.write(f"{out}/white-noise-16k.wav", (0.3 * rng.standard_normal(64000)).clip(-1, 1).astype("float32"), 16000, subtype="FLOAT")
t = np.arange(72000) / 24000
sf.write(f"{out}/tone-300hz-24k.wav", (0.3 * np.sin(2 * np.pi * 300 * t)).astype("float32"), 24000, subtype="PCM_16")
PY
"$VENV/bin/python" scripts/judge_parity.py "$BENCH" "${WAVS[@]}" "$OUT/white-noise-16k.wav" "$OUT/tone-300hz-24k.wav"
