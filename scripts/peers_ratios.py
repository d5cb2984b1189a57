"""The ratios of scripts/peers.sh from one versus bundle (standard library only).

Per case, medians over the measured trials of each target: heard-speech latency of this engine
against fastkokoro's chunk mode and kokoro-onnx, underruns, audio duration and time to the last
sample against whole-text synthesis, and the first sample against the first chunk's model time
(everything the harness and the engine add). Targets are the issue's; a ratio whose target is
missing from the run prints as "—".
Usage: python3 scripts/peers_ratios.py BUNDLE.json
"""

import json
import statistics
import sys

TARGETS = {
    "heard ÷ fastkokoro-chunk": 0.6,
    "audio ÷ whole": 1.05,
    "last sample ÷ whole": 1.10,
    "first sample ÷ first model time": 1.02,
}


def median(values):
    return statistics.median(values) if values else None


def main(path):
    with open(path, encoding="utf-8") as f:
        bundle = json.load(f)
    versus = bundle.get("versus") or {}
    targets = versus.get("targets") or []
    if not targets:
        sys.exit(f"{path}: no versus result (run with --suite versus)")
    own = targets[0]["label"]
    by_label = {t["label"]: {c["case"]: c for c in t["cases"]} for t in targets}
    for t in targets:
        if t.get("skipped"):
            print(f"{t['label']}: skipped ({t['skipped']})")

    def med(label, case, field):
        c = by_label.get(label, {}).get(case)
        return median(c.get(field, [])) if c else None

    def ratio(a, b):
        return a / b if a is not None and b else None

    def fmt(v, unit=""):
        return "—" if v is None else f"{v:.0f}{unit}" if unit else f"{v:.2f}"

    print(f"own target: {own}; targets: {', '.join(by_label)}")
    print("| case | heard: this engine | fixed-raw | kokoro-onnx | fastkokoro-chunk "
          "| heard ÷ fastkokoro-chunk (≤ 0.6) | underruns/trial: this engine (max) | fixed-raw (max) "
          "| audio ÷ whole (≤ 1.05) | last sample ÷ whole (≤ 1.10) "
          "| first sample ÷ first model time (≤ 1.02) |")
    print("|" + "---|" * 11)
    worst = {k: None for k in TARGETS}
    for case in by_label[own]:
        heard = {label: med(label, case, "heard_ms") for label in by_label}
        underruns = {
            label: max(by_label[label][case]["underruns"], default=None)
            for label in by_label if case in by_label[label]
        }
        c = by_label[own][case]
        first = median([a / m for a, m in zip(c["ttfa_ms"], c.get("first_inference_ms", [])) if m])
        row = {
            "heard ÷ fastkokoro-chunk": ratio(heard[own], heard.get("fastkokoro-chunk")),
            "audio ÷ whole": ratio(med(own, case, "audio_s"), med("whole", case, "audio_s")),
            "last sample ÷ whole": ratio(med(own, case, "total_ms"), med("whole", case, "total_ms")),
            "first sample ÷ first model time": first,
        }
        for k, v in row.items():
            if v is not None and (worst[k] is None or v > worst[k]):
                worst[k] = v
        print(f"| {case} | {fmt(heard[own], ' ms')} | {fmt(heard.get('fixed-raw'), ' ms')} "
              f"| {fmt(heard.get('kokoro-onnx'), ' ms')} | {fmt(heard.get('fastkokoro-chunk'), ' ms')} "
              f"| {fmt(row['heard ÷ fastkokoro-chunk'])} | {fmt(underruns.get(own), '')} "
              f"| {fmt(underruns.get('fixed-raw'), '')} | {fmt(row['audio ÷ whole'])} "
              f"| {fmt(row['last sample ÷ whole'])} | {fmt(row['first sample ÷ first model time'])} |")
    print()
    own_underruns = [u for c in by_label[own].values() for u in c["underruns"]]
    print(f"underruns at zero pre-buffer, this engine: {int(sum(own_underruns))} in "
          f"{len(own_underruns)} trial(s) (target: 0)")
    for k, limit in TARGETS.items():
        v = worst[k]
        verdict = "no data" if v is None else ("met" if v <= limit else "NOT met")
        print(f"{k}: worst case {fmt(v)} (target ≤ {limit}): {verdict}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
