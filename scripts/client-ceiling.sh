#!/usr/bin/env bash
# The load generator's own ceiling: capacity sweeps against a local server that never slows down
# (runner/examples/steady_server.rs: first byte after 200 ms, 4 s of audio at 2× real time,
# a sleeping thread per connection), so any latency above the server's 200 ms and any CPU the
# runner uses are the client's. Prints a Markdown table (docs/measurements.md keeps it).
#
#   bash scripts/client-ceiling.sh                 levels 256 1024 4096
#   LEVELS="256 1024" bash scripts/client-ceiling.sh
#
# Needs: cargo, python3. Nothing else may run meanwhile (the client's CPU is the measurement).
set -euo pipefail
cd "$(dirname "$0")/.."
LEVELS=${LEVELS:-"256 1024 4096"}
PORT=${PORT:-18990}
OUT=${OUT:-$(mktemp -d /tmp/client-ceiling.XXXXXX)}
cargo build --release -q -p kokoro-bench --bin kokoro-bench --example steady_server
target/release/examples/steady_server --port "$PORT" --ttfb-ms 200 --audio-ms 4000 2>"$OUT/server.log" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break
  sleep 0.1
done
for n in $LEVELS; do
  # Two rounds of every listener measured, after one round of warm-up.
  target/release/kokoro-bench run --target http --url "http://127.0.0.1:$PORT/v1/audio/speech" \
    --voice steady --preset short --suite capacity --levels "$n" --level-requests $((2 * n)) \
    --keep-alive --slo 'heard<=1000ms' --quiet-machine warn --out "$OUT/$n" >"$OUT/$n.log" 2>&1 \
    || { echo "level $n failed: see $OUT/$n.log" >&2; tail -5 "$OUT/$n.log" >&2; exit 1; }
done
python3 - "$OUT" $LEVELS <<'PY'
import glob, json, statistics, sys
out, levels = sys.argv[1], sys.argv[2:]
print(f"| listeners | requests measured | heard p50 / p95 / max, ms | TTFA p50, ms | added to the server's 200 ms (p50 / p95) | client CPU, % of one core | client CPU per request | server CPU | failed |")
print("|---|---|---|---|---|---|---|---|---|")
for n in levels:
    b = json.load(open(glob.glob(f"{out}/{n}/runs/*/bundle.json")[0]))
    l = b["capacity"]["levels"][0]
    heard = sorted(r["heard_ms"] for r in l["requests"] if r.get("heard_ms") is not None)
    ttfa = [r["ttfa_ms"] for r in l["requests"] if r.get("ttfa_ms") is not None]
    q = lambda v, p: v[min(len(v) - 1, int(p * len(v)))]
    p50, p95 = q(heard, 0.5), q(heard, 0.95)
    cpu = l.get("cpu_percent_mean")
    print(f"| {n} | {len(l['requests'])} | {p50:.0f} / {p95:.0f} / {heard[-1]:.0f} | {statistics.median(ttfa):.0f} "
          f"| +{p50 - 200:.0f} / +{p95 - 200:.0f} ms | {l.get('client_cpu_percent', 0):.0f} % "
          f"| {l.get('client_cpu_ms_per_request', 0):.2f} ms | {'—' if cpu is None else f'{cpu:.0f} %'} | {l['failed']} |")
print(f"\nbundles: {out}")
PY
