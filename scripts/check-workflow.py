#!/usr/bin/env python3
"""Checks the committed GitHub workflow: it parses as YAML, has the jobs and permissions Pages
deployment needs, every file it names exists, and every `kokoro-bench` command line in it is
accepted by the binary (run with `--help` appended: clap rejects unknown flags before printing).

Usage: scripts/check-workflow.py [path/to/kokoro-bench]
"""
import os
import re
import shlex
import subprocess
import sys

try:
    import yaml
except ImportError:  # pragma: no cover
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "pyyaml"], check=True)
    import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORKFLOW = os.path.join(ROOT, ".github", "workflows", "bench.yml")
BIN = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "target", "release", "kokoro-bench")


def fail(msg):
    print(f"workflow check FAILED: {msg}", file=sys.stderr)
    sys.exit(1)


with open(WORKFLOW, encoding="utf-8") as f:
    wf = yaml.safe_load(f)
on = wf.get("on", wf.get(True))  # YAML 1.1 reads a bare `on:` as True
if not on or "workflow_dispatch" not in on or "schedule" not in on:
    fail("needs workflow_dispatch and schedule triggers")
jobs = wf.get("jobs") or {}
for name in ("bench", "publish"):
    if name not in jobs:
        fail(f"no `{name}` job")
matrix = jobs["bench"]["strategy"]["matrix"]["include"]
if not any("macos" in m["os"] for m in matrix) or not any("ubuntu" in m["os"] for m in matrix):
    fail("the bench matrix needs a macOS and a Linux runner")
perms = jobs["publish"].get("permissions", {})
if perms.get("pages") != "write" or perms.get("id-token") != "write":
    fail("the publish job needs pages: write and id-token: write")
if "bench" not in str(jobs["publish"].get("needs")):
    fail("publish must wait for bench")

runs = []
for job in jobs.values():
    for step in job.get("steps", []):
        if "run" in step:
            runs.append(step["run"])
text = "\n".join(runs)
for path in set(re.findall(r"(?:scripts|docs)/[\w./-]+", text)):
    if not os.path.exists(os.path.join(ROOT, path)):
        fail(f"names {path}, which does not exist")
checked = 0
for line in text.splitlines():
    line = line.strip()
    m = re.match(r"\./target/release/kokoro-bench (\w+)(.*)", line)
    if not m:
        continue
    cmd = m.group(1) + m.group(2)
    cmd = cmd.split("||")[0]
    words = [w for w in shlex.split(cmd) if "$" not in w]
    r = subprocess.run([BIN, *words, "--help"], capture_output=True, text=True, cwd=ROOT)
    if r.returncode != 0:
        fail(f"`kokoro-bench {' '.join(words)}` is rejected: {r.stderr.strip()}")
    checked += 1
if checked < 3:
    fail(f"expected the setup, run and publish commands, found {checked}")
print(f"workflow ok: {len(jobs)} jobs, {checked} kokoro-bench command lines accepted")
