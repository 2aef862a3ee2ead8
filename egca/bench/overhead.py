"""`egca bench overhead`: what EGCA adds to the reward path.

The reward path alone is running every test of a candidate (Tracer.Run); EGCA is
Engine.analyze (gate, the same run, and for `logic` candidates the traces,
alignment and span mapping). Both are timed on the same candidates (the failing
mutants of `egca bench localize` plus their problems' references), interleaved
candidate by candidate with the order flipped every other candidate, for several
repetitions. The first repetition starts with an empty reference-trace cache
(as the first epoch of training would); it is reported separately too.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections import Counter

from egca.bench.common import FailingMutants, languages, load_problems, progress, quantiles, table
from egca.engine import Engine, EngineConfig

STAGES = ("gate", "run", "trace", "align", "span")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="egca bench overhead", description=__doc__.split("\n\n")[0])
    p.add_argument("--language", help="comma-separated languages (default: every installed adapter)")
    p.add_argument("--dataset", help="dataset (default: the language's HumanEval port)")
    p.add_argument("--limit", type=int, default=40, help="failing mutants per language (default 40)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--reps", type=int, default=5, help="repetitions over all candidates (default 5)")
    p.add_argument("--timeout", type=float, default=10.0, help="sandbox wall-clock limit per run, s")
    p.add_argument("--json", action="store_true")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    return p


def measure(engine: Engine, picker: FailingMutants, candidates, reps: int, bar=None) -> dict:
    client, limits = picker.client, picker.limits()
    per_rep = []
    stage_totals = Counter()
    modes = Counter()
    for rep in range(reps):
        t_run = t_egca = 0.0
        rep_stages = Counter()
        for i, (problem, completion) in enumerate(candidates):
            program = problem.program(completion)
            for step in ((0, 1) if (rep + i) % 2 == 0 else (1, 0)):
                start = time.perf_counter()
                if step == 0:
                    client.run(program, problem.tests, limits, [problem.entry_point])
                    t_run += time.perf_counter() - start
                else:
                    analysis = engine.analyze(problem, [completion])[0]
                    t_egca += time.perf_counter() - start
                    rep_stages.update(analysis.timings)
                    rep_stages["wall"] += time.perf_counter() - start
                    if rep == 0:
                        modes[analysis.mode] += 1
            if bar is not None:
                bar.update(1)
        per_rep.append({"reward_s": t_run, "egca_s": t_egca, "ratio": t_egca / t_run if t_run else None,
                        "stages_s": {k: rep_stages.get(k, 0.0) for k in STAGES}})
        if rep > 0 or reps == 1:
            stage_totals.update(rep_stages)
    n = len(candidates)
    warm = per_rep[1:] or per_rep
    counted = len(warm)
    stages_ms = {k: 1000 * stage_totals.get(k, 0.0) / (n * counted) for k in STAGES}
    stages_ms["other"] = 1000 * (stage_totals.get("wall", 0.0) - sum(stage_totals.get(k, 0.0) for k in STAGES)) \
        / (n * counted)
    own = {k: v for k, v in stages_ms.items() if k != "run"}
    own_total = sum(own.values())
    return {
        "candidates": n, "modes": dict(modes), "reps": reps,
        "ratio_all_reps": quantiles([r["ratio"] for r in per_rep]),
        "ratio_cold_rep": per_rep[0]["ratio"],
        "ratio_warm_reps": quantiles([r["ratio"] for r in warm]),
        "throughput_per_s": {"reward_path": statistics.median(n / r["reward_s"] for r in warm),
                             "reward_plus_egca": statistics.median(n / r["egca_s"] for r in warm)},
        "ms_per_candidate": {"reward_path": statistics.median(1000 * r["reward_s"] / n for r in warm),
                             "reward_plus_egca": statistics.median(1000 * r["egca_s"] / n for r in warm)},
        "egca_stages_ms_per_candidate": {k: round(v, 3) for k, v in stages_ms.items()},
        "egca_own_share": {k: round(v / own_total, 4) if own_total else 0.0 for k, v in own.items()},
        "per_rep": per_rep,
    }


def run(args) -> dict:
    result = {"benchmark": "overhead", "seed": args.seed, "limit": args.limit, "reps": args.reps,
              "note": "serial, one candidate at a time; analyze includes its own test run (the reward path); "
                      "stage split from Analysis.timings over the warm reps; 'other' = analyze wall time "
                      "not in a stage (composing, thread hand-off)",
              "languages": {}}
    langs = languages(args.language)
    with Engine(EngineConfig(timeout_s=args.timeout, workers=1)) as engine:
        for language in langs:
            dataset, problems = load_problems(language, args.dataset)
            picker = FailingMutants(engine, language, problems, args.seed)
            with progress(args.limit, f"overhead {language}: mutants", not args.quiet) as bar:
                kept = picker.take(args.limit, bar=bar)
            candidates = [(p, m.completion) for p, m, _ in kept]
            seen = []
            for p, _, _ in kept:
                if p.task_id not in {q.task_id for q in seen}:
                    seen.append(p)
            candidates += [(p, p.reference) for p in seen]
            with progress(len(candidates) * args.reps, f"overhead {language}: timing", not args.quiet) as bar:
                out = measure(engine, picker, candidates, args.reps, bar)
            out.update({"dataset": dataset, "mutants": len(kept), "references": len(seen)})
            result["languages"][language] = out
    return result


def render(result: dict) -> str:
    lines = [f"egca bench overhead (seed {result['seed']}, {result['limit']} mutants + their references per "
             f"language, {result['reps']} reps)", result["note"], ""]
    rows = []
    for language, r in result["languages"].items():
        w, c = r["ratio_warm_reps"], r["ratio_cold_rep"]
        rows.append([language, r["candidates"], ", ".join(f"{k} {v}" for k, v in sorted(r["modes"].items())),
                     f"{r['ms_per_candidate']['reward_path']:.1f}", f"{r['ms_per_candidate']['reward_plus_egca']:.1f}",
                     f"{w['median']:.3f} [{w['min']:.3f}, {w['max']:.3f}]", f"{c:.3f}",
                     f"{r['throughput_per_s']['reward_path']:.1f}", f"{r['throughput_per_s']['reward_plus_egca']:.1f}"])
    lines.append(table(["language", "cands", "modes", "reward ms/cand", "reward+EGCA ms/cand",
                        "ratio median [min, max] (warm reps)", "ratio cold rep", "reward cand/s",
                        "reward+EGCA cand/s"], rows))
    lines.append("")
    lines.append("EGCA's own time per candidate (ms; share of EGCA's own time, i.e. without the test run)")
    rows = []
    for language, r in result["languages"].items():
        ms, share = r["egca_stages_ms_per_candidate"], r["egca_own_share"]
        rows.append([language, f"{ms['run']:.1f}"] +
                    [f"{ms[k]:.2f} ({100 * share[k]:.0f}%)" for k in ("gate", "trace", "align", "span", "other")])
    lines.append(table(["language", "run (reward path)", "gate", "trace", "align", "span", "other"], rows))
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    if args.reps < 1 or args.limit < 1:
        raise SystemExit("egca bench overhead: --reps and --limit must be >= 1")
    result = run(args)
    print(json.dumps(result, indent=1) if args.json else render(result))
    return 0
