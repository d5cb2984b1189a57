#!/usr/bin/env python3
"""Checks the committed GitHub workflow beyond what actionlint knows about this project: the jobs
and permissions the road to Pages needs, that pull requests can never deploy or push, that every
file it names exists, and that every `kokoro-bench` command line in it and in the scripts it calls
(scripts/ci/*.sh) is accepted by the binary (run with `--help` appended: clap rejects unknown
flags before printing).

Usage: scripts/check-workflow.py [path/to/kokoro-bench]
"""
import glob
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
for trigger in ("workflow_dispatch", "schedule", "pull_request"):
    if not on or trigger not in on:
        fail(f"needs the {trigger} trigger")
jobs = wf.get("jobs") or {}
for name in ("bench", "publish", "pull-request"):
    if name not in jobs:
        fail(f"no `{name}` job")
matrix = jobs["bench"]["strategy"]["matrix"]["include"]
if not any("macos" in m["os"] for m in matrix) or not any("ubuntu" in m["os"] for m in matrix):
    fail("the bench matrix needs a macOS and a Linux runner")
if not all(m.get("label") for m in matrix) or "KOKORO_BENCH_MACHINE_LABEL" not in str(jobs["bench"].get("env")):
    fail("each bench runner needs a machine label (series are keyed by label, not by the CPU a hosted runner gets)")
perms = jobs["publish"].get("permissions", {})
if perms.get("pages") != "write" or perms.get("id-token") != "write" or perms.get("contents") != "write":
    fail("the publish job needs pages: write, id-token: write and contents: write (the bench-data branch)")
if "bench" not in str(jobs["publish"].get("needs")):
    fail("publish must wait for bench")
pr = jobs["pull-request"]
pr_text = yaml.safe_dump(pr)
if "pages" in (pr.get("permissions") or {}) or "deploy-pages" in pr_text or "history.sh push" in pr_text:
    fail("a pull request must never deploy or push")
if "pull_request" not in str(jobs["publish"].get("if")):
    fail("the publish job must not run for pull requests")

steps = [s for job in jobs.values() for s in job.get("steps", [])]
order = [s.get("run", "") + str(s.get("uses", "")) for s in jobs["publish"]["steps"]]
def index_of(needle):
    return next((i for i, s in enumerate(order) if needle in s), None)
fetch, push, deploy, verdict = (index_of(k) for k in ("history.sh fetch", "history.sh push", "deploy-pages", "verdict.sh"))
if None in (fetch, push, deploy, verdict) or not fetch < push < deploy < verdict:
    fail("the publish job must fetch history, push it, deploy, then give the verdict — in that order")
text = "\n".join(s["run"] for s in steps if "run" in s)
for path in set(re.findall(r"(?:scripts|docs)/[\w./-]+", text)):
    if not os.path.exists(os.path.join(ROOT, path)):
        fail(f"names {path}, which does not exist")

# Command lines: the workflow's own and those of the scripts it calls.
lines = [l.strip() for l in text.splitlines()]
for script in glob.glob(os.path.join(ROOT, "scripts", "ci", "*.sh")):
    with open(script, encoding="utf-8") as f:
        lines += [l.strip() for l in f.read().replace("\\\n", " ").splitlines()]
checked = 0
for line in lines:
    m = re.match(r'(?:\./target/release/kokoro-bench|"\$KB") (\w+)(.*)', line)
    if not m:
        continue
    cmd = (m.group(1) + m.group(2)).split("||")[0].split(">")[0].split(";")[0]
    # A variable stands for a value (`--out "$OUT"` → `--out x`; `${N:-8}` → its default, `8`);
    # "$@" and arrays for more flags.
    def value(w):
        d = re.fullmatch(r"\$\{\w+:-([^}$]*)\}", w)
        return d.group(1) if d else ("x" if "$" in w else w)
    words = [value(w) for w in shlex.split(cmd) if not w.startswith("<") and "@" not in w]
    r = subprocess.run([BIN, *words, "--help"], capture_output=True, text=True, cwd=ROOT)
    if r.returncode != 0:
        fail(f"`kokoro-bench {' '.join(words)}` is rejected: {r.stderr.strip()}")
    checked += 1
if checked < 6:
    fail(f"expected the setup, run, export, compare and publish command lines, found {checked}")
print(f"workflow ok: {len(jobs)} jobs, publish in the order fetch → push → deploy → verdict, {checked} kokoro-bench command lines accepted")
