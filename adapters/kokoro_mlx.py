#!/usr/bin/env python3
"""A kokoro-bench worker for Kokoro on Apple silicon through MLX (mlx-audio's KokoroPipeline):
loads the model once, then answers each request with one audio frame per segment the pipeline
yields. Protocol: docs/worker-protocol.md (the same as adapters/kokoro_onnx_worker.py).

    python3 adapters/kokoro_mlx.py [--model prince-canuma/Kokoro-82M] [--lang-code a]

Needs macOS on arm64 and `pip install mlx-audio`. HONESTLY: it is written against the
KokoroPipeline API mlx-audio documents (`pipeline(text, voice=, speed=, split_pattern=)` yielding
(graphemes, phonemes, audio)) and is only syntax-checked and started without MLX in this
repository's tests (Linux CI has no MLX); run it on a Mac before trusting its numbers.
"""

import argparse
import importlib.metadata
import json
import platform
import struct
import sys

HELLO, AUDIO, END, ERROR = b"H", b"A", b"E", b"X"
SAMPLE_RATE_HZ = 24000


def frame(out, kind, payload=b""):
    """One frame: type byte, little-endian u32 length, payload."""
    out.write(kind + struct.pack("<I", len(payload)) + payload)
    out.flush()


def version(dist):
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="prince-canuma/Kokoro-82M", help="MLX Kokoro weights (repo id or folder)")
    parser.add_argument("--lang-code", default="a", help="Kokoro pipeline language: a (US English), b (British) …")
    args = parser.parse_args()

    out = sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print() must never corrupt the frames

    if sys.platform != "darwin" or platform.machine() != "arm64":
        print(f"kokoro_mlx: MLX needs macOS on Apple silicon; this is {sys.platform} {platform.machine()}", file=sys.stderr)
        sys.exit(2)
    try:
        import numpy as np
        from mlx_audio.tts.models.kokoro import KokoroPipeline
        from mlx_audio.tts.utils import load_model
    except ImportError as error:
        print(f"kokoro_mlx: {error}; install it with `pip install mlx-audio`", file=sys.stderr)
        sys.exit(2)

    model = load_model(args.model)
    pipeline = KokoroPipeline(lang_code=args.lang_code, model=model, repo_id=args.model)
    hello = {
        "protocol": 1,
        "sample_rate_hz": SAMPLE_RATE_HZ,
        "sample_format": "f32le",
        "engine": "mlx-audio KokoroPipeline",
        "version": version("mlx-audio"),
        "mlx": version("mlx"),
        "python": platform.python_version(),
        "model": args.model,
        "lang_code": args.lang_code,
    }
    frame(out, HELLO, json.dumps(hello).encode())
    for line in sys.stdin.buffer:
        if not line.strip():
            continue
        try:
            request = json.loads(line)
            segments = pipeline(request["text"], voice=request["voice"], speed=float(request.get("speed", 1.0)), split_pattern=r"\n+")
            for _, _, audio in segments:
                samples = np.asarray(audio, dtype="<f4").reshape(-1)
                frame(out, AUDIO, samples.tobytes())
            frame(out, END, b"{}")
        except Exception as error:  # the worker stays up: the error belongs to this request
            frame(out, ERROR, f"{type(error).__name__}: {error}".encode())


if __name__ == "__main__":
    main()
