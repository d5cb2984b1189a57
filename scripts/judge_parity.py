"""DNSMOS parity: the runner's Rust DNSMOS (`kokoro-bench judge`) against Microsoft's `speechmos`
package (librosa features, Python onnxruntime) on the same 16 kHz audio.

Usage: python judge_parity.py KOKORO_BENCH WAV...   (a venv with speechmos, librosa, soundfile)

Each WAV is resampled to 16 kHz by librosa (soxr) and written as float WAV, so both sides hear
identical samples; the runner's own resampling (rubato, from the original rate) is shown beside.
Exits 1 when a score differs by more than 0.01.
"""
import json
import subprocess
import sys
import tempfile

import librosa
import numpy as np
import soundfile as sf
from speechmos import dnsmos

KEYS = [("sig", "sig_mos"), ("bak", "bak_mos"), ("ovrl", "ovrl_mos"), ("p808", "p808_mos")]


def rust(bench, path):
    out = subprocess.run([bench, "judge", "--json", path], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)["files"][0]["dnsmos"]


def main():
    bench, wavs = sys.argv[1], sys.argv[2:]
    worst = 0.0
    print(f"{'file':40} {'score':5} {'speechmos':>9} {'rust':>7} {'diff':>8} {'rust (rubato)':>13}")
    for w in wavs:
        y, sr = sf.read(w, dtype="float32")
        y16 = librosa.resample(y, orig_sr=sr, target_sr=16000) if sr != 16000 else y
        with tempfile.NamedTemporaryFile(suffix=".wav") as t:
            sf.write(t.name, y16, 16000, subtype="FLOAT")
            ref = dnsmos.run(y16.clip(-1, 1), 16000)
            ours = rust(bench, t.name)
        native = rust(bench, w)
        for k, rk in KEYS:
            d = abs(ours[k] - float(ref[rk]))
            worst = max(worst, d)
            print(f"{w[-40:]:40} {k:5} {float(ref[rk]):9.4f} {ours[k]:7.4f} {d:8.5f} {native[k]:13.4f}")
    print(f"largest difference: {worst:.5f}")
    sys.exit(0 if worst <= 0.01 else 1)


if __name__ == "__main__":
    main()
