#!/usr/bin/env bash
# How big a published site grows: one real run (default plan, the workflow's presets, WAVs kept
# as the workflow keeps them) replicated into N runs of one series (new ids and times, the same
# numbers), published with the workflow's retention (--keep-last N, --keep-audio-last 20).
# Prints the data folder's size, its file count and what one run costs with and without audio.
#
#   bash scripts/site-budget.sh [N]        (default 1000; about 2 minutes plus one run)
#   SEED=artifacts bash scripts/site-budget.sh 1000   (replicate the newest run of an existing
#                                                     artifacts folder instead of running one)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000}
BIN=./target/release/kokoro-bench
[ -x "$BIN" ] || cargo build --release -q -p kokoro-bench
W=$(mktemp -d "${TMPDIR:-/tmp}/kokoro-budget.XXXXXX")
trap 'rm -rf "$W"' EXIT
if [ -n "${SEED:-}" ]; then
  [ -f "$SEED/index.json" ] || { echo "site-budget: SEED=$SEED has no index.json (give an artifacts folder)" >&2; exit 2; }
else
  "$BIN" run --out "$W/seed" --preset short,medium,long -q >/dev/null || [ $? -eq 1 ]
fi
python3 - "${SEED:-$W/seed}" "$W/art" "$N" <<'PY'
import copy, hashlib, json, os, shutil, sys
seed, art, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
index = json.load(open(os.path.join(seed, "index.json")))
entry = max(index["runs"], key=lambda e: e["started_unix_ms"])
src = os.path.join(seed, os.path.dirname(entry["path"]))
bundle = json.load(open(os.path.join(src, "bundle.json")))
runs = []
for i in range(n):
    rid = f"{entry['id']}-{i:04d}"
    dest = os.path.join(art, "runs", rid)
    shutil.copytree(src, dest)
    b = copy.deepcopy(bundle)
    b["run"]["id"] = rid
    b["run"]["started_unix_ms"] = bundle["run"]["started_unix_ms"] + i * 3_600_000
    raw = json.dumps(b).encode()
    open(os.path.join(dest, "bundle.json"), "wb").write(raw)
    e = copy.deepcopy(entry)
    e.update(id=rid, path=f"runs/{rid}/bundle.json", sha256=hashlib.sha256(raw).hexdigest(),
             started_unix_ms=b["run"]["started_unix_ms"])
    runs.append(e)
index["runs"] = runs
json.dump(index, open(os.path.join(art, "index.json"), "w"))
PY
[ -f dist/index.html ] || { echo "site-budget: no built site in dist/ (cd report-ui && trunk build --release --offline)" >&2; exit 2; }
cp -R dist "$W/site" && rm -rf "$W/site/data"
t0=$(date +%s)
"$BIN" publish --artifacts "$W/art" --site "$W/site" --keep-last "$N" --keep-audio-last 20 >/dev/null
t1=$(date +%s)
python3 - "$W/site/data" "$N" "$((t1 - t0))" <<'PY'
import os, sys
root, n, secs = sys.argv[1], int(sys.argv[2]), sys.argv[3]
total = files = wav = gz = 0
for d, _, fs in os.walk(root):
    for f in fs:
        s = os.path.getsize(os.path.join(d, f))
        total += s; files += 1
        wav += s if f.endswith(".wav") else 0
        gz += s if f.endswith(".gz") else 0
mb = lambda b: f"{b / 1e6:.1f} MB"
print(f"site-budget: {n} runs of one series, WAVs kept for the newest 20: data/ holds {mb(total)} in {files} files "
      f"(WAVs {mb(wav)}, precompressed .gz {mb(gz)}, everything else {mb(total - wav - gz)}); "
      f"{mb((total - wav) / n)} per run without audio; published in {secs} s")
PY
python3 - "${SEED:-$W/seed}" <<'PY'
import json, os, sys
seed = sys.argv[1]
index = json.load(open(os.path.join(seed, "index.json")))
e = max(index["runs"], key=lambda e: e["started_unix_ms"])
d = os.path.join(seed, os.path.dirname(e["path"]))
wav = sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(d) for f in fs if f.endswith(".wav"))
print(f"site-budget: the replicated run is {e['id']} ({wav / 1e6:.1f} MB of WAVs)")
PY
