#!/usr/bin/env python3
"""A kokoro-bench worker for kokoro-onnx: loads the model once, then answers every request with
kokoro-onnx's own streaming API (`Kokoro.create_stream`), one audio frame per chunk it yields.

Protocol (docs/worker-protocol.md): JSON request lines on stdin; on stdout a hello frame once
the model is loaded, then per request audio frames (f32le, 24 kHz) and an end or error frame.
Anything printed goes to stderr, never into the frames.

    python3 adapters/kokoro_onnx_worker.py --model kokoro-v1.0.onnx --voices voices-v1.0.bin [--threads 2]

Needs `pip install kokoro-onnx` (tested with 0.6.1).
"""

import argparse
import asyncio
import importlib.metadata
import json
import os
import platform
import struct
import sys

HELLO, AUDIO, END, ERROR = b"H", b"A", b"E", b"X"


def frame(out, kind, payload=b""):
    """One frame: type byte, little-endian u32 length, payload."""
    out.write(kind + struct.pack("<I", len(payload)) + payload)
    out.flush()


def version(dist):
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def load(args):
    import onnxruntime as rt
    from kokoro_onnx import Kokoro

    if args.threads is None:
        return Kokoro(args.model, args.voices)
    options = rt.SessionOptions()
    options.intra_op_num_threads = args.threads
    options.inter_op_num_threads = 1
    session = rt.InferenceSession(args.model, sess_options=options, providers=["CPUExecutionProvider"])
    return Kokoro.from_session(session, args.voices)


async def speak(kokoro, out, request, sample_rate_hz):
    import numpy as np

    stream = kokoro.create_stream(
        request["text"], request["voice"], speed=float(request.get("speed", 1.0)), lang=request.get("lang", "en-us")
    )
    async for samples, rate in stream:
        if rate != sample_rate_hz:
            raise ValueError(f"kokoro-onnx yielded {rate} Hz audio; the hello said {sample_rate_hz} Hz")
        frame(out, AUDIO, np.asarray(samples, dtype="<f4").tobytes())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, help="Kokoro ONNX model file")
    parser.add_argument("--voices", required=True, help="voice pack (.bin / .npz)")
    parser.add_argument("--threads", type=int, help="ONNX Runtime intra-op threads (default: its own choice)")
    args = parser.parse_args()

    out = sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print() must never corrupt the frames

    kokoro = load(args)
    from kokoro_onnx.config import SAMPLE_RATE

    frame(
        out,
        HELLO,
        json.dumps(
            {
                "protocol": 1,
                "sample_rate_hz": SAMPLE_RATE,
                "sample_format": "f32le",
                "engine": "kokoro-onnx",
                "version": version("kokoro-onnx"),
                "onnxruntime": version("onnxruntime"),
                "numpy": version("numpy"),
                "python": platform.python_version(),
                "model": os.path.basename(args.model),
                "threads": str(args.threads) if args.threads else "onnxruntime default",
                "api": "Kokoro.create_stream",
            }
        ).encode(),
    )
    for line in sys.stdin.buffer:
        if not line.strip():
            continue
        try:
            request = json.loads(line)
            asyncio.run(speak(kokoro, out, request, SAMPLE_RATE))
            frame(out, END, b"{}")
        except Exception as error:  # the worker stays up: the error belongs to this request
            frame(out, ERROR, f"{type(error).__name__}: {error}".encode())


if __name__ == "__main__":
    main()
