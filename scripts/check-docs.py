#!/usr/bin/env python3
"""Checks that the docs and the binary agree: every `--flag` README.md and docs/usage.md name is a
flag some `kokoro-bench` command accepts, every `KOKORO_BENCH_*` variable they name is read by the
code, and every command's `--help` shows an example. Usage: scripts/check-docs.py [binary]"""
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "target", "release", "kokoro-bench")
# Flags of other programs the docs show beside kokoro-bench's.
FOREIGN = {"--stdout", "--headless", "--no-sandbox", "--release", "--offline", "--workspace", "--lib",
           "--bins", "--all-features", "--all-targets", "--help", "--version", "--locked", "--preset=desktop",
           # scripts/peers.sh's own flags
           "--agent", "--no-fastkokoro"}


def fail(msg):
    print(f"docs check FAILED: {msg}", file=sys.stderr)
    sys.exit(1)


# Every command the binary lists (so a new command cannot skip the checks).
top = subprocess.run([BIN, "--help"], capture_output=True, text=True).stdout
listed = top.split("Commands:", 1)[1].split("Options:", 1)[0] if "Commands:" in top else ""
COMMANDS = [m for m in re.findall(r"^  ([a-z][a-z-]*)  ", listed, re.M) if m != "help"]
if len(COMMANDS) < 10:
    fail(f"`kokoro-bench --help` lists only {COMMANDS}")

helps = {}
for c in COMMANDS:
    r = subprocess.run([BIN, c, "--help"], capture_output=True, text=True)
    if r.returncode != 0:
        fail(f"`kokoro-bench {c} --help` exits {r.returncode}")
    helps[c] = r.stdout
    if "Example" not in r.stdout:
        fail(f"`kokoro-bench {c} --help` shows no example")
known = set(re.findall(r"--[a-z][a-z0-9-]*", "\n".join(helps.values())))
docs = ""
for d in ("README.md", os.path.join("docs", "usage.md")):
    with open(os.path.join(ROOT, d), encoding="utf-8") as f:
        docs += f.read()
named = set(re.findall(r"(?<![\w-])--[a-z][a-z0-9-]*", docs)) - FOREIGN
missing = sorted(f for f in named if f not in known)
if missing:
    fail(f"the docs name flags no command accepts: {', '.join(missing)}")
code = ""
for base, _, files in os.walk(os.path.join(ROOT, "runner", "src")):
    for f in files:
        if f.endswith(".rs"):
            with open(os.path.join(base, f), encoding="utf-8") as fh:
                code += fh.read()
for var in sorted(set(re.findall(r"KOKORO_BENCH_[A-Z_]+", docs))):
    if var not in code and var != "KOKORO_BENCH_UPDATE_SCREENSHOTS":
        fail(f"the docs name {var}, which the code never reads")
print(f"docs ok: {len(named)} documented flags exist, every command's help ({len(helps)}) has an example")
