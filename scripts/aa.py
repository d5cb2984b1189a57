#!/usr/bin/env python3
"""A/A and A/B experiments for kokoro-bench's verdicts (standard library only).

  aa.py run     --bin B --dir D --pairs N [--b-flags "…"] [--a-flags "…"] -- RUN FLAGS…
  aa.py analyse --bin B --dir D [--ab D2] [--allow-different] [--floor-out F] [--markdown F]
  aa.py side    --bin B --dir D --runs N --versus "NAME=FLAGS"… [--markdown F] -- RUN FLAGS…

`run` makes N pairs of runs in D/pair-NN/{A,B} (each run in its own artifacts folder, so no
comparison borrows another pair's history). A/A: both runs with the same flags, A first. A/B:
B adds --b-flags, and the order alternates (A B, B A, …) so a drift of the machine does not
favour either side.

`analyse` reads the A/A pairs of D:
 1. compares each pair with `--noise-floor none` (each run's own rounds only) and estimates the
    run-to-run floor per metric: σ_run² = mean(d²)/2 − mean(σ_e²), d the log change of the
    case median between the two runs, σ_e what the two runs' own intervals hold (the largest
    over the cases);
 2. judges every pair with a floor estimated from the *other* pairs (leave one out), with the
    full rule: exit codes and flagged (regressed or improved) rows;
 3. with --ab D2, judges the A/B pairs of D2 with the floor of all A/A pairs and counts how
    often each headline metric was caught regressed.
It writes the floor (--floor-out, the file `compare --noise-floor` reads) and a Markdown report.

`side` makes N runs in D/run-NN, each measuring the run's own target and the --versus one
interleaved trial by trial (`--suite …,versus`), and judges each with `compare --side-by-side`
(pair by pair: no run-to-run floor is needed, the machine's state is shared by each pair). With
the versus target the same as the run's own it is an A/A experiment (every flagged row is a false
alarm); with a slower one an A/B (how often each headline metric is caught regressed).
"""

import argparse
import datetime
import json
import math
import os
import shlex
import subprocess
import sys
import tempfile

HEADLINE = ["heard_ms", "ttfa_ms", "rtf"]


def sh(cmd, **kw):
    return subprocess.run(cmd, text=True, capture_output=True, **kw)


def bundle_of(run_dir):
    runs = os.path.join(run_dir, "runs")
    ids = sorted(os.listdir(runs)) if os.path.isdir(runs) else []
    if not ids:
        return None
    return os.path.join(runs, ids[-1], "bundle.json")


def cmd_run(a, run_flags):
    os.makedirs(a.dir, exist_ok=True)
    flags_a = shlex.split(a.a_flags or "")
    flags_b = shlex.split(a.b_flags or "")
    for i in range(a.pairs):
        pair = os.path.join(a.dir, f"pair-{i + 1:02d}")
        order = ["A", "B"] if (not a.b_flags or i % 2 == 0) else ["B", "A"]
        for side in order:
            out = os.path.join(pair, side)
            if bundle_of(out):
                continue  # resumable: a finished run is kept
            extra = flags_b if side == "B" else flags_a
            cmd = [a.bin, "run", *run_flags, *extra, "--out", out, "--save-audio", "none", "-q"]
            t0 = datetime.datetime.now()
            r = sh(cmd)
            mins = (datetime.datetime.now() - t0).total_seconds() / 60
            print(f"pair {i + 1}/{a.pairs} {side}: exit {r.returncode} in {mins:.1f} min", flush=True)
            if r.returncode not in (0, 1):
                sys.stderr.write(r.stderr)
                sys.exit(f"a run failed: {' '.join(cmd)}")


def pairs_of(d):
    out = []
    for name in sorted(os.listdir(d)):
        a, b = bundle_of(os.path.join(d, name, "A")), bundle_of(os.path.join(d, name, "B"))
        if a and b:
            out.append((name, a, b))
    return out


def compare(binary, a, b, floor, allow_different):
    cmd = [binary, "compare", a, b, "--json"] + (["--noise-floor", floor] if floor else [])
    if allow_different:
        cmd.append("--allow-different")
    r = sh(cmd)
    if r.returncode not in (0, 1):
        sys.exit(f"compare failed: {r.stderr}")
    return r.returncode, json.loads(r.stdout)[0]


RUN_LEVEL = {"peak_rss_mb", "capacity_sustainable_level", "soak_ttfa_drift_pct"}


def relative_rows(c):
    """Rows a relative floor describes: (metric, case, log change, σ_e of the change). Run-level
    values (one per run, no interval: peak RSS) count with σ_e = 0."""
    for row in c["rows"]:
        ci, rel = row.get("ci"), row.get("change_rel")
        if rel is None or rel <= -1:
            continue
        if row["metric"] in RUN_LEVEL and row["case"] is None:
            yield row["metric"], "run", math.log1p(rel), 0.0
            continue
        if not row.get("relative") or ci is None or row["case"] is None or ci["lo"] <= -1:
            continue
        d = math.log1p(rel)
        half = (math.log1p(ci["hi"]) - math.log1p(ci["lo"])) / 2
        yield row["metric"], row["case"], d, half / 1.96


def estimate_floor(comparisons):
    """metric → run-to-run relative sd (the largest over cases)."""
    acc = {}
    for c in comparisons:
        for metric, case, d, se in relative_rows(c):
            acc.setdefault((metric, case), []).append((d, se))
    floor = {}
    for (metric, case), v in acc.items():
        if len(v) < 2:
            continue
        total = sum(d * d for d, _ in v) / len(v) / 2  # Var(d) = 2 σ_tot²
        within = sum(se * se for _, se in v) / len(v) / 2  # the change's σ² = 2 σ_e²
        sd = math.sqrt(max(0.0, total - within))
        floor[metric] = max(floor.get(metric, 0.0), sd)
    return floor


def floor_file(floor, machine, measured, path):
    with open(path, "w") as f:
        json.dump({"machine": machine, "measured": measured, "rel_sd": floor}, f, indent=2, sort_keys=True)


def flagged(c):
    return [(r["metric"], r["case"]) for r in c["rows"] if r["verdict"] in ("regressed", "improved")]


def minutes(bundle_path):
    b = json.load(open(bundle_path))
    trials = sum(1 for c in b["cases"] for t in c["trials"] if t["kind"] == "warm")
    end = b["run"].get("finished_unix_ms") or b["run"]["started_unix_ms"]
    probe = next((p for p in b.get("probes", []) if p["kind"] == "engine"), None)
    return trials, (end - b["run"]["started_unix_ms"]) / 60000, probe


def median(v):
    v = sorted(v)
    n = len(v)
    return None if n == 0 else (v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2)


def cmd_analyse(a):
    pairs = pairs_of(a.dir)
    if len(pairs) < (1 if a.builtin_floor else 3):
        sys.exit(f"need at least 3 finished A/A pairs in {a.dir}, found {len(pairs)}")
    raw = [compare(a.bin, x, y, "none", a.allow_different)[1] for _, x, y in pairs]
    full = estimate_floor(raw)
    today = datetime.date.today().isoformat()
    measured = f"scripts/aa.sh, {today}, {len(pairs)} A/A pairs"
    if a.floor_out:
        floor_file(full, a.machine, measured, a.floor_out)
    lines = [f"### A/A: {len(pairs)} pairs of runs of the same build ({a.dir})", ""]
    lines.append("Run-to-run floor estimated from all pairs (relative sd of a case median beyond its own interval, the largest case):")
    lines.append("")
    lines.append("| metric | floor |")
    lines.append("|---|---|")
    for k in sorted(full):
        lines.append(f"| `{k}` | ±{full[k] * 100:.1f} % |")
    how = "the floor kokoro-bench ships" if a.builtin_floor else "the floor of the *other* pairs (leave one out)"
    lines += ["", f"Each pair judged with {how}:", ""]
    lines.append("| pair | trials/run | minutes/run | engine probe A → B | compare exit | rows flagged | which |")
    lines.append("|---|---|---|---|---|---|---|")
    exits, flags, rows_total, by_metric = 0, 0, 0, {}
    with tempfile.TemporaryDirectory() as tmp:
        for i, (name, x, y) in enumerate(pairs):
            if a.builtin_floor:
                code, c = compare(a.bin, x, y, None, a.allow_different)
            else:
                others = raw[:i] + raw[i + 1:]
                path = os.path.join(tmp, f"floor-{i}.json")
                floor_file(estimate_floor(others), a.machine, "leave-one-out", path)
                code, c = compare(a.bin, x, y, path, a.allow_different)
            f = flagged(c)
            exits += code == 1
            flags += len(f)
            rows_total += len(c["rows"])
            for m, _ in f:
                by_metric[m] = by_metric.get(m, 0) + 1
            (ta, ma, pa), (_, mb, pb) = minutes(x), minutes(y)
            probe = "—"
            if pa and pb:
                ra, rb = median(pa["duration_ms"]), median(pb["duration_ms"])
                probe = f"{ra:.0f} → {rb:.0f} ms ({(rb / ra - 1) * 100:+.0f} %)"
            which = ", ".join(f"{m} {cs}" for m, cs in f) or "—"
            lines.append(f"| {name} | {ta} | {ma:.1f} / {mb:.1f} | {probe} | {code} | {len(f)} of {len(c['rows'])} | {which} |")
    lines += ["", f"**compare exited 1 in {exits} of {len(pairs)} pairs; {flags} of {rows_total} rows ({flags / max(rows_total, 1) * 100:.1f} %) were flagged**"
              + (f" ({', '.join(f'{m}: {n}' for m, n in sorted(by_metric.items()))})." if by_metric else "."), ""]
    if a.ab:
        lines += ab_report(a, full)
    text = "\n".join(lines) + "\n"
    if a.markdown:
        with open(a.markdown, "w") as f:
            f.write(text)
    print(text)
    share = flags / max(rows_total, 1) * 100
    if a.check_exits is not None and exits >= a.check_exits:
        sys.exit(f"A/A check failed: compare exited 1 in {exits} of {len(pairs)} pairs of runs of the same build")
    if a.check_flagged is not None and share > a.check_flagged:
        sys.exit(f"A/A check failed: {share:.1f} % of rows were flagged in runs of the same build (limit {a.check_flagged} %)")


def ab_report(a, floor):
    pairs = pairs_of(a.ab)
    lines = [f"### A/B: {len(pairs)} pairs, B with `{a.b_label}` ({a.ab}); judged with the A/A floor above", ""]
    lines.append("| pair | " + " | ".join(f"{m} change (median of cases) | caught" for m in HEADLINE) + " |")
    lines.append("|---|" + "---|---|" * len(HEADLINE))
    caught = {m: 0 for m in HEADLINE}
    changes = {m: [] for m in HEADLINE}
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "floor.json")
        floor_file(floor, a.machine, "all A/A pairs", path)
        for name, x, y in pairs:
            _, c = compare(a.bin, x, y, path, a.allow_different)
            cells = []
            for m in HEADLINE:
                rows = [r for r in c["rows"] if r["metric"] == m and r.get("change_rel") is not None]
                med = median([r["change_rel"] for r in rows])
                hit = any(r["verdict"] == "regressed" for r in rows)
                caught[m] += hit
                if med is not None:
                    changes[m].append(med)
                cells.append(f"{med * 100:+.0f} %" if med is not None else "—")
                cells.append("yes" if hit else "no")
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines.append("")
    for m in HEADLINE:
        med = median(changes[m])
        lines.append(f"- `{m}`: median change {med * 100:+.0f} %, caught regressed (in at least one case) in {caught[m]} of {len(pairs)} pairs" if med is not None else f"- `{m}`: no values")
    return lines + [""]


def cmd_side(a, run_flags):
    os.makedirs(a.dir, exist_ok=True)
    versus = [x for v in a.versus for x in ("--versus", v)]
    for i in range(a.runs):
        out = os.path.join(a.dir, f"run-{i + 1:02d}")
        if bundle_of(out):
            continue
        cmd = [a.bin, "run", *run_flags, *versus, "--out", out, "--save-audio", "none", "-q"]
        t0 = datetime.datetime.now()
        r = sh(cmd)
        mins = (datetime.datetime.now() - t0).total_seconds() / 60
        print(f"side {i + 1}/{a.runs}: exit {r.returncode} in {mins:.1f} min", flush=True)
        if r.returncode not in (0, 1):
            sys.stderr.write(r.stderr)
            sys.exit(f"a run failed: {' '.join(cmd)}")
    runs = [b for b in (bundle_of(os.path.join(a.dir, n)) for n in sorted(os.listdir(a.dir))) if b]
    judged = []
    for path in runs:
        r = sh([a.bin, "compare", "--side-by-side", "--json", path])
        if r.returncode not in (0, 1):
            sys.exit(f"compare --side-by-side failed: {r.stderr}")
        judged.append((path, json.loads(r.stdout)[0]["targets"]))
    names = [t["variant"] for t in judged[0][1]] if judged else []
    text = "\n".join(side_table(a, name, len(names), judged) for name in names)
    if a.markdown:
        with open(a.markdown, "w") as fh:
            fh.write(text)
    print(text)


def side_table(a, name, n_targets, judged):
    """One target's table: every run's rows for `name` against the run's own target. With several
    --versus targets, "compare exit" is what `compare --side-by-side` would return for this target
    alone (1 when a row of it regressed)."""
    spec = next((v for v in a.versus if v.split("=", 1)[0] == name), name)
    lines = [f"### Side by side: {len(judged)} runs, the run's own target against `{spec}` interleaved"
             f" ({a.dir}{f', one of {n_targets} targets' if n_targets > 1 else ''})", ""]
    lines.append("| run | pairs/case | minutes | compare exit | rows flagged | " + " | ".join(f"{m} change (median of cases)" for m in HEADLINE) + " | which |")
    lines.append("|---|---|---|---|---|" + "---|" * len(HEADLINE) + "---|")
    exits = flags = total = 0
    caught = {m: 0 for m in HEADLINE}
    changes = {m: [] for m in HEADLINE}
    for path, targets in judged:
        rows = [row for t in targets if t["variant"] == name for row in t["rows"]]
        f = [(x["metric"], x["case"]) for x in rows if x["verdict"] in ("regressed", "improved")]
        code = int(any(x["verdict"] == "regressed" for x in rows))
        exits += code
        flags += len(f)
        total += len(rows)
        cells = []
        for m in HEADLINE:
            mr = [x for x in rows if x["metric"] == m and x.get("change_rel") is not None]
            med = median([x["change_rel"] for x in mr])
            caught[m] += any(x["verdict"] == "regressed" for x in mr)
            if med is not None:
                changes[m].append(med)
            cells.append(f"{med * 100:+.1f} %" if med is not None else "—")
        b = json.load(open(path))
        pairs = min((x["new"]["n"] for x in rows if x.get("new")), default=0)
        mins = ((b["run"].get("finished_unix_ms") or b["run"]["started_unix_ms"]) - b["run"]["started_unix_ms"]) / 60000
        which = ", ".join(f"{m} {c}" for m, c in f) or "—"
        lines.append(f"| {b['run']['id']} | {pairs} | {mins:.1f} | {code} | {len(f)} of {len(rows)} | " + " | ".join(cells) + f" | {which} |")
    lines += ["", f"**compare --side-by-side exited 1 in {exits} of {len(judged)} runs; {flags} of {total} rows ({flags / max(total, 1) * 100:.1f} %) were flagged.**", ""]
    for m in HEADLINE:
        med = median(changes[m])
        if med is not None:
            lines.append(f"- `{m}`: median change {med * 100:+.1f} %, caught regressed (in at least one case) in {caught[m]} of {len(judged)} runs")
    return "\n".join(lines) + "\n"


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("--bin", required=True)
    r.add_argument("--dir", required=True)
    r.add_argument("--pairs", type=int, default=10)
    r.add_argument("--a-flags", default="")
    r.add_argument("--b-flags", default="")
    an = sub.add_parser("analyse")
    an.add_argument("--bin", required=True)
    an.add_argument("--dir", required=True)
    an.add_argument("--ab")
    an.add_argument("--b-label", default="B")
    an.add_argument("--allow-different", action="store_true")
    an.add_argument("--machine", default="this machine")
    an.add_argument("--floor-out")
    an.add_argument("--markdown")
    an.add_argument("--builtin-floor", action="store_true",
                    help="judge each pair with the floor kokoro-bench ships (no leave-one-out)")
    an.add_argument("--check-exits", type=int,
                    help="exit 1 when at least this many pairs made compare exit 1")
    an.add_argument("--check-flagged", type=float,
                    help="exit 1 when more than this percentage of rows were flagged")
    sd = sub.add_parser("side")
    sd.add_argument("--bin", required=True)
    sd.add_argument("--dir", required=True)
    sd.add_argument("--runs", type=int, default=10)
    sd.add_argument("--versus", required=True, action="append",
                    help="NAME=FLAGS of a target measured beside the run's own (repeatable: each gets its own table)")
    sd.add_argument("--markdown")
    argv = sys.argv[1:]
    rest = []
    if "--" in argv:
        k = argv.index("--")
        argv, rest = argv[:k], argv[k + 1:]
    a = p.parse_args(argv)
    if a.cmd == "run":
        cmd_run(a, rest)
    elif a.cmd == "side":
        cmd_side(a, rest)
    else:
        cmd_analyse(a)


if __name__ == "__main__":
    main()
