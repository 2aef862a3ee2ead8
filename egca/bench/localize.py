"""`egca bench localize`: does EGCA's span land on the real fault, and how small is it?

Seeded single-fault mutants of each language's reference solutions (egca.bench.mutants)
that fail at least one test are analysed by the engine. Per mutation kind: the mode
distribution, and for `logic` candidates the hit rate (the span overlaps the mutated
statement) and the span size (fraction of completion tokens), for EGCA and for the
baselines of egca.bench.baselines on the same mutants.
"""

from __future__ import annotations

import argparse
import json
import statistics
from collections import Counter

from egca.analysis import MODES
from egca.core import Mode
from egca.bench import baselines
from egca.bench.common import (TOKENIZER, FailingMutants, languages, load_problems, progress, span_fraction,
                               table, tokens)
from egca.bench.mutants import KINDS, Mutant
from egca.engine import Engine, EngineConfig
from egca.problem import Problem
from egca.trace import from_events

COVERAGE = "statement coverage per test from Tracer.Trace of each test (STEP events)"
GROUND_TRUTH = ("the smallest statement enclosing the mutation (adapter.statement_range; a compound statement's "
                "header); a deleted statement: the statements before and after the gap and the enclosing header")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="egca bench localize", description=__doc__.split("\n\n")[0])
    p.add_argument("--language", help="comma-separated languages (default: every installed adapter)")
    p.add_argument("--dataset", help="dataset to mutate (default: the language's HumanEval port)")
    p.add_argument("--limit", type=int, default=100, help="failing mutants kept per language (default 100)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--jobs", type=int, default=2, help="mutants analysed in parallel (default 2)")
    p.add_argument("--timeout", type=float, default=10.0, help="sandbox wall-clock limit per run, s")
    p.add_argument("--json", action="store_true", help="print one JSON object (with every mutant)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    return p


def _overlaps(ranges, truth) -> bool:
    return any(s < t.end_byte and e > t.start_byte for s, e in ranges for t in truth)


def evaluate(engine: Engine, picker: FailingMutants, problem: Problem, mutant: Mutant) -> dict:
    """One failing mutant: EGCA's analysis and every baseline's span, scored."""
    analysis = engine.analyze(problem, [mutant.completion])[0]
    program = problem.program(mutant.completion).encode("utf-8")
    lo, hi = len(problem.prompt.encode("utf-8")), len(program)
    record = {"id": mutant.id, "task_id": problem.task_id, "kind": mutant.kind, "mutation": mutant.description,
              "mode": analysis.mode, "failing_test": analysis.failing_test,
              "truth": [{"start_byte": t.start_byte, "end_byte": t.end_byte, "start_line": t.start_line,
                         "text": program[t.start_byte:t.end_byte].decode("utf-8", "replace")} for t in mutant.truth]}
    if analysis.mode != Mode.LOGIC:
        return record
    toks = [(a + lo, b + lo) for a, b in tokens(program[lo:])]
    egca = [(analysis.span.completion[0] + lo, analysis.span.completion[1] + lo)] if analysis.span else []
    record["egca"] = {"span": list(egca[0]) if egca else None,
                      "text": program[egca[0][0]:egca[0][1]].decode("utf-8", "replace") if egca else None,
                      "divergence": analysis.divergence.kind if analysis.divergence else None,
                      "reason": analysis.divergence.reason if analysis.divergence else None}
    limits, client = picker.limits(), picker.client
    traces = {t.id: from_events(client.trace(problem.program(mutant.completion), t, limits)) for t in problem.tests}
    failing = traces.get(analysis.failing_test)
    spans = {
        "egca": egca,
        "uniform": None,
        "stepcoder": baselines.stepcoder(failing, lo, hi) if failing is not None else [],
        "ochiai": baselines.ochiai(list(traces.values()), lo, hi),
        "diff": baselines.diff_lines(mutant.completion, problem.reference, lo),
    }
    record["methods"] = {}
    for name, ranges in spans.items():
        if ranges is None:
            record["methods"][name] = {"hit": True, "size": 1.0}
        else:
            size = span_fraction(toks, ranges)
            record["methods"][name] = {"hit": _overlaps(ranges, mutant.truth), "size": round(size, 4)}
    record["methods"]["ochiai"]["statements"] = len(spans["ochiai"])
    return record


def summarize(records: list[dict]) -> dict:
    modes = Counter(r["mode"] for r in records)
    logic = [r for r in records if r["mode"] == Mode.LOGIC]
    out = {"kept": len(records), "modes": {m: modes.get(m, 0) for m in MODES}, "logic": len(logic),
           "egca_no_span": sum(1 for r in logic if not r["egca"]["span"])}
    out["methods"] = {}
    for name in baselines.METHODS:
        if logic:
            out["methods"][name] = {
                "hit_rate": round(sum(r["methods"][name]["hit"] for r in logic) / len(logic), 4),
                "span_size": round(statistics.mean(r["methods"][name]["size"] for r in logic), 4),
                "span_size_on_hits": _mean([r["methods"][name]["size"] for r in logic if r["methods"][name]["hit"]])}
    return out


def _mean(values):
    return round(statistics.mean(values), 4) if values else None


def run(args) -> dict:
    result = {"benchmark": "localize", "seed": args.seed, "limit": args.limit, "tokenizer": TOKENIZER,
              "sbfl_coverage": COVERAGE, "ground_truth": GROUND_TRUTH,
              "hit": "the span overlaps a ground-truth statement (bytes); an EGCA logic candidate without a "
                     "span is a miss with size 1.0 (its credit falls back to uniform)",
              "size": "tokens overlapping the span / completion tokens, mean over logic mutants",
              "languages": {}, "mutants": []}
    langs = languages(args.language)
    if args.dataset and len(langs) != 1:
        raise SystemExit("egca bench localize: --dataset needs exactly one --language")
    with Engine(EngineConfig(timeout_s=args.timeout, workers=1)) as engine:
        for language in langs:
            dataset, problems = load_problems(language, args.dataset)
            picker = FailingMutants(engine, language, problems, args.seed, jobs=args.jobs)
            with progress(args.limit, f"localize {language}", not args.quiet) as bar:
                kept = picker.take(args.limit, lambda p, m: evaluate(engine, picker, p, m), bar)
            records = [rec for _, _, rec in kept]
            for r in records:
                r["language"] = language
            per_kind = {k: summarize([r for r in records if r["kind"] == k]) for k in KINDS}
            result["languages"][language] = {
                "dataset": dataset, "mutants_tried": picker.tried, "mutants_kept": len(records),
                "problems_skipped_reference_fails": sorted(picker.skipped_problems),
                "kinds": {k: v for k, v in per_kind.items() if v["kept"]}, "total": summarize(records)}
            result["mutants"].extend(records)
    return result


def _pct(x) -> str:
    return "-" if x is None else f"{100 * x:.0f}%"


def render(result: dict) -> str:
    out = [f"egca bench localize (seed {result['seed']}, limit {result['limit']} per language)",
           f"tokenizer: {result['tokenizer']}", f"SBFL (Ochiai) coverage: {result['sbfl_coverage']}",
           f"ground truth: {result['ground_truth']}", ""]
    for language, lang in result["languages"].items():
        out.append(f"## {language} ({lang['dataset']}): {lang['mutants_kept']} failing mutants kept of "
                   f"{lang['mutants_tried']} tried")
        if lang["problems_skipped_reference_fails"]:
            out.append(f"(skipped, reference fails its tests: {', '.join(lang['problems_skipped_reference_fails'])})")
        rows_k = list(lang["kinds"].items()) + [("all", lang["total"])]
        out.append("")
        out.append("Mode distribution")
        failing_modes = [m for m in MODES if m != Mode.CORRECT]   # kept mutants fail a test by construction
        out.append(table(["kind", "kept"] + failing_modes,
                         [[k, s["kept"]] + [f"{s['modes'][m]} ({_pct(s['modes'][m] / s['kept'])})"
                                            for m in failing_modes] for k, s in rows_k]))
        out.append("")
        out.append("Logic candidates: hit rate / mean span size (fraction of completion tokens)")
        names = {"egca": "EGCA", "uniform": "uniform (GRPO)", "stepcoder": "StepCoder (executed)",
                 "ochiai": "SBFL Ochiai (top)", "diff": "diff vs reference"}
        rows = []
        for k, s in rows_k:
            if not s["logic"]:
                continue
            rows.append([k, s["logic"], s["egca_no_span"]] +
                        [f"{_pct(s['methods'][m]['hit_rate'])} / {s['methods'][m]['span_size']:.2f}"
                         for m in baselines.METHODS])
        out.append(table(["kind", "logic", "EGCA no span"] + [names[m] for m in baselines.METHODS], rows))
        out.append("")
    return "\n".join(out)


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    result = run(args)
    print(json.dumps(result, indent=1) if args.json else render(result))
    return 0
