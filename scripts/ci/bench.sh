#!/usr/bin/env bash
# The bench job: set up, run the benchmark with the gates, keep the run's exit code for the
# publish job to judge (a failed gate still publishes its run; only "nothing measured" or bad
# input fails here), and show the run's summary on the job page.
#
#   bash scripts/ci/bench.sh OUT [run flags…]     (KOKORO_BENCH_MACHINE_LABEL names the series)
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/ci/lib.sh
OUT=${1:?usage: bench.sh OUT [run flags…]}
shift
need_kb
mkdir -p "$OUT"
retry 3 "$KB" setup
set +e
"$KB" run --out "$OUT" --quiet-machine wait --quiet-timeout 2m \
  --export-benchmark "$OUT/benchmark.json" --export-bmf "$OUT/bmf.json" --export-junit "$OUT/gates.junit.xml" \
  "$@"
rc=$?
set -e
echo "$rc" >"$OUT/run-exit-code"
latest=$(ls -d "$OUT"/runs/*/ 2>/dev/null | sort | tail -1)
if [ -n "$latest" ] && [ -f "$latest/summary.md" ]; then
  { echo "## Benchmark run (exit $rc)"; echo; cat "$latest/summary.md"; } | summary
  "$KB" export --bundle "$latest/bundle.json" --format annotations || true
fi
case $rc in
  0 | 1) say "run exit $rc (1: a gate failed; the publish job reports it)"; exit 0 ;;
  *) error "benchmark" "the run measured nothing or could not start (exit $rc)"; exit "$rc" ;;
esac
