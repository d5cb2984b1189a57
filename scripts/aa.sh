#!/usr/bin/env bash
# A/A and A/B experiments: are kokoro-bench's verdicts quiet on two runs of the same build, and do
# they catch a slowdown that is really there? Writes the run-to-run floor (`compare --noise-floor`
# reads it) and the tables in docs/measurements.md. Resumable: finished runs are kept.
#
#   bash scripts/aa.sh engine [PAIRS]   A/A on the in-process engine, then A/B where B runs on one
#                                       intra-op thread fewer (--threads 1; measured 2026-12-06:
#                                       heard speech about +70 %, RTF about +20 %). Turning ONNX
#                                       Runtime's graph optimisations off was the first choice; on the
#                                       int8 model it changed nothing measurable (+0.7 to +3 %).
#   bash scripts/aa.sh http [PAIRS]     the same on fastkokoro 0.7.0 (scripts/fastkokoro.sh), B a
#                                       second server with FASTKOKORO_ONNX_GRAPH_OPTIMIZATION_LEVEL=disable
#   bash scripts/aa.sh side [RUNS]      side by side: RUNS runs each interleaving the engine with
#                                       itself (A/A), then RUNS with the engine against a slower one
#                                       (A/B, SIDE_B flags, default --threads 1: one intra-op thread fewer), each
#                                       judged pair by pair by `compare --side-by-side`
#   bash scripts/aa.sh cpu [RUNS]       side by side, three workers of this build in every run: the
#                                       run's own, the same again (A/A) and one held to CPU_LIMIT cores
#                                       (default 1.75 of 2) by a Linux cgroup CPU quota — what a
#                                       container's CPU limit does (Kubernetes `limits.cpu: 1750m`).
#                                       A slowdown of the work itself, not of the plan, that can be
#                                       dialled: at 1.75 cores, 10 runs measured heard speech
#                                       +18 % and RTF +17 % (medians; docs/measurements.md).
#                                       Linux, as root (writes /sys/fs/cgroup)
#   bash scripts/aa.sh small            CI's small A/A: 3 pairs of short engine runs judged with the
#                                       floor kokoro-bench ships; fails when 2 or more comparisons exit
#                                       1 or more than 10 % of rows are flagged
#
# Environment: AA_DIR (default /tmp/kokoro-aa), RUN_FLAGS (extra `run` flags, e.g. --preset short);
# for cpu: CPU_LIMIT (cores, default 1.75), VOICE (default jf_alpha, the registry model's voice).
set -euo pipefail
cd "$(dirname "$0")/.."
MODE=${1:-engine}
PAIRS=${2:-10}
DIR=${AA_DIR:-/tmp/kokoro-aa}
BIN=./target/release/kokoro-bench
[ -x "$BIN" ] || cargo build --release -q -p kokoro-bench
"$BIN" setup >/dev/null
read -r -a EXTRA <<<"${RUN_FLAGS:-}"
RUN=(--quiet-machine wait ${EXTRA[@]+"${EXTRA[@]}"})
AN=(python3 scripts/aa.py analyse --bin "$BIN" --machine "$(uname -sm), $(nproc) cores")
t0=$(date +%s)
# A cgroup whose processes share LIMIT cores (CFS quota over a 100 ms period, as container
# runtimes set it); prints its folder. cgroup v2 (cpu.max) or v1 (cpu.cfs_quota_us).
cpu_cgroup() {
  local quota_us
  quota_us=$(python3 -c "import sys; q = round(float(sys.argv[1]) * 100000); assert q >= 1000; print(q)" "$1" 2>/dev/null) || {
    echo "aa: CPU_LIMIT=$1 is not a number of cores of at least 0.01 (e.g. 1.75)" >&2; exit 2; }
  if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
    local cg=/sys/fs/cgroup/kokoro-aa-cpu
    echo +cpu >/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null || true
    mkdir -p "$cg" && echo "$quota_us 100000" >"$cg/cpu.max"
  else
    local cg=/sys/fs/cgroup/cpu/kokoro-aa-cpu
    mkdir -p "$cg" && echo 100000 >"$cg/cpu.cfs_period_us" && echo "$quota_us" >"$cg/cpu.cfs_quota_us"
  fi 2>/dev/null || {
    echo "aa: cannot make a CPU-limited cgroup under /sys/fs/cgroup (Linux only, as root, with the cpu controller): run as root or use another mode" >&2
    exit 2
  }
  echo "$cg"
}
say() { echo "aa: $* ($(( $(date +%s) - t0 )) s)" >&2; }

case "$MODE" in
  engine)
    python3 scripts/aa.py run --bin "$BIN" --dir "$DIR/engine-aa" --pairs "$PAIRS" -- "${RUN[@]}"
    say "engine A/A done"
    python3 scripts/aa.py run --bin "$BIN" --dir "$DIR/engine-ab" --pairs "$PAIRS" \
      --b-flags "--threads 1" -- "${RUN[@]}"
    say "engine A/B done"
    "${AN[@]}" --dir "$DIR/engine-aa" --ab "$DIR/engine-ab" --b-label "--threads 1" \
      --floor-out "$DIR/engine-floor.json" --markdown "$DIR/engine.md"
    ;;
  http)
    PORT_A=18880 PORT_B=18881
    bash scripts/fastkokoro.sh "$PORT_A" >"$DIR-fastkokoro-a.log" 2>&1 &
    A_PID=$!
    FASTKOKORO_ONNX_GRAPH_OPTIMIZATION_LEVEL=disable bash scripts/fastkokoro.sh "$PORT_B" >"$DIR-fastkokoro-b.log" 2>&1 &
    B_PID=$!
    trap 'kill $A_PID $B_PID 2>/dev/null || true' EXIT
    for port in $PORT_A $PORT_B; do
      for _ in $(seq 1 300); do curl -sf -o /dev/null -m 2 -X POST "http://127.0.0.1:$port/v1/audio/speech" \
        -H 'Content-Type: application/json' -d '{"input": "Ready.", "voice": "bench_alpha"}' && break; sleep 2; done
    done
    say "fastkokoro servers up"
    URL() { echo "--target http --url http://127.0.0.1:$1/v1/audio/speech --voice bench_alpha"; }
    python3 scripts/aa.py run --bin "$BIN" --dir "$DIR/http-aa" --pairs "$PAIRS" \
      --a-flags "$(URL $PORT_A)" --b-flags "$(URL $PORT_A)" -- "${RUN[@]}"
    say "http A/A done"
    python3 scripts/aa.py run --bin "$BIN" --dir "$DIR/http-ab" --pairs "$PAIRS" \
      --a-flags "$(URL $PORT_A)" --b-flags "$(URL $PORT_B)" -- "${RUN[@]}"
    say "http A/B done"
    "${AN[@]}" --dir "$DIR/http-aa" --ab "$DIR/http-ab" --allow-different \
      --b-label "FASTKOKORO_ONNX_GRAPH_OPTIMIZATION_LEVEL=disable" \
      --floor-out "$DIR/http-floor.json" --markdown "$DIR/http.md"
    ;;
  side)
    SIDE=(python3 scripts/aa.py side --bin "$BIN" --runs "$PAIRS")
    "${SIDE[@]}" --dir "$DIR/side-aa" --versus "same=--target engine" --markdown "$DIR/side-aa.md" -- \
      "${RUN[@]}" --suite ttfa,rtf,streaming,versus
    say "side-by-side A/A done"
    "${SIDE[@]}" --dir "$DIR/side-ab" --versus "slower=--target engine ${SIDE_B:---threads 1}" \
      --markdown "$DIR/side-ab.md" -- "${RUN[@]}" --suite ttfa,rtf,streaming,versus
    say "side-by-side A/B done"
    cat "$DIR/side-aa.md" "$DIR/side-ab.md" >"$DIR/side.md"
    ;;
  cpu)
    CG=$(cpu_cgroup "${CPU_LIMIT:-1.75}")
    say "workers held to ${CPU_LIMIT:-1.75} cores by $CG"
    WORKER="--target command --worker --command '$PWD/$BIN worker'"
    LIMITED="sh -c \"echo \$\$ > $CG/cgroup.procs && exec $PWD/$BIN worker\""
    python3 scripts/aa.py side --bin "$BIN" --runs "$PAIRS" --dir "$DIR/side-cpu" \
      --versus "same=$WORKER" --versus "limited=--target command --worker --command '$LIMITED'" \
      --markdown "$DIR/cpu.md" -- "${RUN[@]}" --voice "${VOICE:-jf_alpha}" --suite versus \
      --target command --worker --command "$PWD/$BIN worker"
    ;;
  small)
    rm -rf "$DIR/small"
    python3 scripts/aa.py run --bin "$BIN" --dir "$DIR/small" --pairs 3 -- \
      "${RUN[@]}" --preset short --trials 4 --rounds 2 --suite ttfa,rtf,streaming
    "${AN[@]}" --dir "$DIR/small" --markdown "$DIR/small.md" --builtin-floor --check-exits 2 --check-flagged 10
    ;;
  *) echo "usage: scripts/aa.sh engine|http|side|cpu|small [PAIRS]" >&2; exit 2 ;;
esac
say "report: $DIR/$MODE.md"
