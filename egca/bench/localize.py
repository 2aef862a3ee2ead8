"""`egca bench localize`: does EGCA's span land on the real fault, and how much credit does?

Seeded mutants of each language's reference solutions (egca.bench.mutants: single-fault
token, expression-level and multi-token operators, and two-fault mutants) that fail at
least one test are analysed by the engine; `--corpus alternatives` analyses instead the
shipped hand-written candidates whose algorithm differs from the reference's, one known
bug each (egca/bench/corpus). Scored: `logic` candidates, and candidates that crash at run
time (scored on the mutation, not on where they crashed). Per kind: the mode distribution,
the hit rate (the span overlaps a mutated statement), the span size (fraction of
completion tokens) and the credit on the fault (the share of the credit that lands on the
mutated tokens), for EGCA's narrowed span, its statement span, EGCA before sub-statement
spans (`EngineConfig.legacy_localization`, same run) and the baselines of
egca.bench.baselines, on the same candidates.
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import json
import statistics
from collections import Counter

from egca import datasets
from egca.analysis import MODES
from egca.bench import baselines, programs
from egca.bench.common import (TOKENIZER, FailingMutants, languages, load_problems, progress, span_fraction,
                               table, tokens)
from egca.bench.corpus import CORPORA, load_corpus
from egca.bench.mutants import KINDS, TWO_FAULTS, Mutant
from egca.core import DivergenceKind, Mode
from egca.engine import Engine, EngineConfig
from egca.plugin import get_adapter
from egca.problem import Problem
from egca.spans import token_weights
from egca.trace import from_events

COVERAGE = "statement coverage per test from Tracer.Trace of each test (STEP events)"
GROUND_TRUTH = ("the smallest statement enclosing the mutation (adapter.statement_range; a compound statement's "
                "header); a deleted statement: the statements before and after the gap and the enclosing header; "
                "two faults: both mutated statements")
FAULT_TOKENS = ("the tokens overlapping the mutated text (every fault's); for a deleted statement, the tokens of "
                "its ground-truth statements")
CREDIT = ("share of the candidate's credit (token weights, sum 1) on the fault tokens; EGCA narrowed: the `narrow` "
          "weighting, EGCA statement and before: `span`, baselines: uniform over their span (uniform: every token)")
SCORED = ("logic candidates, and candidates that raise or crash at run time (`syntax` mode with a failing test, "
          "not a timeout), scored on the fault, not on the crash site")
NAMES = {"egca_narrow": "EGCA narrowed", "egca_span": "EGCA statement", "egca_before": "EGCA before",
         "uniform": "uniform (GRPO)", "stepcoder": "StepCoder (executed)", "ochiai": "SBFL Ochiai (top)",
         "diff": "diff vs reference"}


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="egca bench localize", description=__doc__.split("\n\n")[0])
    p.add_argument("--language", help="comma-separated languages (default: every installed adapter)")
    p.add_argument("--dataset", help="dataset to mutate (default: the language's HumanEval port)")
    p.add_argument("--corpus", choices=CORPORA,
                   help="analyse a shipped corpus of hand-written buggy candidates instead of mutants "
                        "(alternatives: algorithms that differ from the reference's, one known bug each)")
    p.add_argument("--programs", action="store_true",
                   help="mutate whole programs: the shipped stdin/stdout problems of egca.bench.programs "
                        "(egca/datasets/data/bench_programs.jsonl: 15 per language it has references in)")
    p.add_argument("--kinds", help=f"comma-separated mutation kinds (default: all of {', '.join(KINDS)}, "
                                   f"{TWO_FAULTS})")
    p.add_argument("--limit", type=int, default=100, help="failing mutants kept per language (default 100)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--jobs", type=int, default=2, help="mutants analysed in parallel (default 2)")
    p.add_argument("--timeout", type=float, default=10.0, help="sandbox wall-clock limit per run, s")
    p.add_argument("--no-baselines", action="store_true", help="EGCA only (no per-test traces for the baselines)")
    p.add_argument("--json", action="store_true", help="print one JSON object (with every mutant)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    return p


def _overlaps(ranges, truth) -> bool:
    return any(s < t.end_byte and e > t.start_byte for s, e in ranges for t in truth)


def fault_tokens(toks: list[tuple[int, int]], mutant: Mutant) -> list[int]:
    """Indices of the tokens (program bytes) that the mutation made: those overlapping a
    mutated text; for a deletion, those of its ground-truth statements."""
    ranges = [s for s in mutant.fault_sites if s[1] > s[0]]
    if len(ranges) < len(mutant.fault_sites):
        ranges += [(t.start_byte, t.end_byte) for t in mutant.truth]
    return [i for i, (a, b) in enumerate(toks) if any(a < e and b > s for s, e in ranges)]


def _credit(weights: list[float], on: list[int]) -> float:
    return round(sum(weights[i] for i in on), 4) if weights else 0.0


def scored_as(analysis) -> str | None:
    """`logic`, `crash` (raised or crashed at run time) or None (not scored)."""
    if analysis.mode == Mode.LOGIC:
        return "logic"
    if analysis.mode == Mode.SYNTAX and analysis.failing_test is not None and analysis.divergence is not None \
            and analysis.divergence.kind not in (DivergenceKind.TIMEOUT, DivergenceKind.COMPILE,
                                                 DivergenceKind.SYNTAX):
        return "crash"
    return None


def legacy_engine(engine: Engine) -> Engine:
    """The same engine (runtimes, caches) localizing as before sub-statement spans."""
    before = copy.copy(engine)
    before.config = dataclasses.replace(engine.config, legacy_localization=True)
    return before


def evaluate(engine: Engine, before: Engine, picker: FailingMutants, problem: Problem, mutant: Mutant,
             with_baselines: bool = True) -> dict:
    """One failing mutant: EGCA's analysis (narrowed, statement, before) and every
    baseline's span, scored."""
    program = problem.program(mutant.completion).encode("utf-8")
    lo, hi = len(problem.prompt.encode("utf-8")), len(program)
    comp_toks = tokens(program[lo:])
    analysis = engine.analyze(problem, [mutant.completion], token_offsets=[comp_toks], weighting="narrow")[0]
    record = {"id": mutant.id, "task_id": problem.task_id, "kind": mutant.kind, "mutation": mutant.description,
              "mode": analysis.mode, "failing_test": analysis.failing_test,
              "truth": [{"start_byte": t.start_byte, "end_byte": t.end_byte, "start_line": t.start_line,
                         "text": program[t.start_byte:t.end_byte].decode("utf-8", "replace")} for t in mutant.truth],
              "sites": [list(s) for s in mutant.fault_sites]}
    scored = scored_as(analysis)
    record["scored"] = scored
    if scored is None:
        return record
    old = before.analyze(problem, [mutant.completion])[0]
    toks = [(a + lo, b + lo) for a, b in comp_toks]
    on_fault = fault_tokens(toks, mutant)
    record["fault_tokens"] = len(on_fault)

    def prog(span):
        return [(span.completion[0] + lo, span.completion[1] + lo)] if span else []

    def text(ranges):
        return program[ranges[0][0]:ranges[0][1]].decode("utf-8", "replace") if ranges else None

    egca, narrowed, legacy = prog(analysis.span), prog(analysis.narrowed), prog(old.span)
    div = analysis.divergence
    record["egca"] = {"span": list(egca[0]) if egca else None, "text": text(egca),
                      "narrowed": list(narrowed[0]) if narrowed else None, "narrowed_text": text(narrowed),
                      "divergence": div.kind if div else None, "reason": div.reason if div else None,
                      "is_return": _is_return(problem, program, egca)}
    record["egca_before"] = {"span": list(legacy[0]) if legacy else None, "text": text(legacy),
                             "divergence": old.divergence.kind if old.divergence else None,
                             "reason": old.divergence.reason if old.divergence else None,
                             "is_return": _is_return(problem, program, legacy)}
    spans = {"egca_narrow": narrowed, "egca_span": egca, "egca_before": legacy, "uniform": None}
    if with_baselines:
        limits, client = picker.limits(), picker.client
        traces = {t.id: from_events(client.trace(problem.program(mutant.completion), t, limits))
                  for t in problem.tests}
        failing = traces.get(analysis.failing_test)
        spans.update({
            "stepcoder": baselines.stepcoder(failing, lo, hi) if failing is not None else [],
            "ochiai": baselines.ochiai(list(traces.values()), lo, hi),
            "diff": baselines.diff_lines(mutant.completion, problem.reference, lo),
        })
        record["ochiai_statements"] = len(spans["ochiai"])
    record["methods"] = {}
    for name, ranges in spans.items():
        if ranges is None:
            weights = token_weights(None, toks, "uniform")
            record["methods"][name] = {"hit": True, "size": 1.0, "credit": _credit(weights, on_fault)}
            continue
        if name == "egca_narrow":
            weights = token_weights(egca[0] if egca else None, toks, "narrow", narrowed[0] if narrowed else None)
        else:
            weights = _weights_over(ranges, toks)
        size = span_fraction(toks, ranges) if ranges else 1.0   # no span: uniform credit
        record["methods"][name] = {"hit": bool(ranges) and _overlaps(ranges, mutant.truth), "size": round(size, 4),
                                   "credit": _credit(weights, on_fault)}
    return record


def _weights_over(ranges, toks) -> list[float]:
    """Uniform over the tokens overlapping any of the ranges; uniform over all without any."""
    on = [i for i, (a, b) in enumerate(toks) if any(a < e and b > s for s, e in ranges)]
    if not on:
        return [1.0 / len(toks)] * len(toks) if toks else []
    w = [0.0] * len(toks)
    for i in on:
        w[i] = 1.0 / len(on)
    return w


def _is_return(problem: Problem, program: bytes, ranges) -> bool:
    """Is the span a return statement?"""
    if not ranges:
        return False
    adapter = get_adapter(problem.language)
    node = adapter.parse(program).root_node.descendant_for_byte_range(ranges[0][0], max(ranges[0][0], ranges[0][1]))
    while node is not None and node.type not in adapter.statement_types:
        node = node.parent
    return node is not None and node.type in adapter.return_types


def summarize(records: list[dict]) -> dict:
    modes = Counter(r["mode"] for r in records)
    out = {"kept": len(records), "modes": {m: modes.get(m, 0) for m in MODES}}
    for group in ("logic", "crash", "scored"):
        rs = [r for r in records if r.get("scored") and (group == "scored" or r["scored"] == group)]
        out[group] = len(rs)
        out[f"{group}_methods"] = _method_stats(rs)
        if group == "logic":
            out["egca_no_span"] = sum(1 for r in rs if not r["egca"]["span"])
        if group == "scored":
            out["return_span"] = {"egca": _rate([r["egca"]["is_return"] for r in rs]),
                                  "egca_before": _rate([r["egca_before"]["is_return"] for r in rs])}
    # Backwards-compatible keys: the logic candidates' numbers.
    out["methods"] = out["logic_methods"]
    return out


def _method_stats(rs: list[dict]) -> dict:
    out = {}
    names = [m for m in ("egca_narrow", "egca_span", "egca_before", *baselines.METHODS) if rs and m in rs[0]["methods"]]
    for name in dict.fromkeys(names):
        vals = [r["methods"][name] for r in rs if name in r["methods"]]
        out[name] = {"hit_rate": _rate([v["hit"] for v in vals]),
                     "span_size": _mean([v["size"] for v in vals]),
                     "span_size_on_hits": _mean([v["size"] for v in vals if v["hit"]]),
                     "credit_on_fault": _mean([v["credit"] for v in vals])}
    return out


def _rate(values):
    return round(sum(values) / len(values), 4) if values else None


def _mean(values):
    return round(statistics.mean(values), 4) if values else None


def run(args) -> dict:
    result = {"benchmark": "localize", "seed": args.seed, "limit": args.limit, "corpus": args.corpus,
              "tokenizer": TOKENIZER, "sbfl_coverage": COVERAGE, "ground_truth": GROUND_TRUTH,
              "fault_tokens": FAULT_TOKENS, "credit": CREDIT, "scored": SCORED,
              "hit": "the span overlaps a ground-truth statement (bytes); an EGCA candidate without a span is a "
                     "miss with size 1.0 (its credit falls back to uniform)",
              "size": "tokens overlapping the span / completion tokens, mean over the scored candidates",
              "languages": {}, "mutants": []}
    langs = languages(args.language)
    if args.dataset and len(langs) != 1:
        raise SystemExit("egca bench localize: --dataset needs exactly one --language")
    kinds = tuple(k.strip() for k in args.kinds.split(",")) if args.kinds else KINDS + (TWO_FAULTS,)
    unknown = [k for k in kinds if k not in KINDS + (TWO_FAULTS,)]
    if unknown:
        raise SystemExit(f"egca bench localize: unknown kind(s) {', '.join(unknown)}")
    with Engine(EngineConfig(timeout_s=args.timeout, workers=1)) as engine:
        before = legacy_engine(engine)
        for language in langs:
            if args.corpus:
                items = load_corpus(args.corpus, language)
                if not items:
                    continue
                dataset, problems = args.corpus, sorted({p.task_id: p for p, _ in items}.values(),
                                                        key=lambda p: p.task_id)
                picker = FailingMutants(engine, language, problems, args.seed, jobs=args.jobs, source=items)
                kinds_here = tuple(dict.fromkeys(m.kind for _, m in items))
            else:
                if args.programs:
                    dataset, problems = "programs (stdin/stdout)", programs.load(language)
                    if not problems:
                        continue
                else:
                    dataset, problems = load_problems(language, args.dataset)
                picker = FailingMutants(engine, language, problems, args.seed, jobs=args.jobs, kinds=kinds)
                kinds_here = kinds
            with progress(args.limit, f"localize {language}", not args.quiet) as bar:
                kept = picker.take(args.limit, lambda p, m: evaluate(engine, before, picker, p, m,
                                                                     not args.no_baselines), bar)
            records = [rec for _, _, rec in kept]
            for r in records:
                r["language"] = language
            per_kind = {k: summarize([r for r in records if r["kind"] == k]) for k in kinds_here}
            result["languages"][language] = {
                "dataset": dataset, "mutants_tried": picker.tried, "mutants_kept": len(records),
                "problems_skipped_reference_fails": sorted(picker.skipped_problems),
                "kinds": {k: v for k, v in per_kind.items() if v["kept"]}, "total": summarize(records),
                "single_fault": summarize([r for r in records if r["kind"] != TWO_FAULTS])}
            result["mutants"].extend(records)
    return result


def _pct(x) -> str:
    return "-" if x is None else f"{100 * x:.0f}%"


def _cell(stats: dict, m: str, what: str) -> str:
    s = stats.get(m)
    if not s:
        return "-"
    if what == "credit":
        return f"{s['credit_on_fault']:.2f}"
    return f"{_pct(s['hit_rate'])} / {s['span_size']:.2f}"


def render(result: dict) -> str:
    out = [f"egca bench localize (seed {result['seed']}, limit {result['limit']} per language"
           + (f", corpus {result['corpus']}" if result.get("corpus") else "") + ")",
           f"tokenizer: {result['tokenizer']}", f"SBFL (Ochiai) coverage: {result['sbfl_coverage']}",
           f"ground truth: {result['ground_truth']}", f"fault tokens: {result['fault_tokens']}",
           f"credit on the fault: {result['credit']}", f"scored: {result['scored']}", ""]
    for language, lang in result["languages"].items():
        out.append(f"## {language} ({lang['dataset']}): {lang['mutants_kept']} failing candidates kept of "
                   f"{lang['mutants_tried']} tried")
        if lang["problems_skipped_reference_fails"]:
            out.append(f"(skipped, reference fails its tests: {', '.join(lang['problems_skipped_reference_fails'])})")
        rows_k = list(lang["kinds"].items()) + [("all", lang["total"])]
        if len(lang["kinds"]) > 1 and TWO_FAULTS in lang["kinds"]:
            rows_k.insert(-1, ("single-fault", lang["single_fault"]))
        methods = [m for m in NAMES if any(m in s["scored_methods"] for _, s in rows_k)]
        out += ["", "Mode distribution"]
        failing_modes = [m for m in MODES if m != Mode.CORRECT]   # kept candidates fail a test by construction
        out.append(table(["kind", "kept"] + failing_modes,
                         [[k, s["kept"]] + [f"{s['modes'][m]} ({_pct(s['modes'][m] / s['kept'])})"
                                            for m in failing_modes] for k, s in rows_k]))
        out += ["", "Credit on the fault (share of the credit on the mutated tokens), scored candidates "
                    "(logic + crash)"]
        out.append(table(["kind", "scored"] + [NAMES[m] for m in methods],
                         [[k, s["scored"]] + [_cell(s["scored_methods"], m, "credit") for m in methods]
                          for k, s in rows_k if s["scored"]]))
        for group, title in (("logic", "Logic candidates"), ("crash", "Crashing candidates (scored on the fault)")):
            rows = [[k, s[group]] + ([s["egca_no_span"]] if group == "logic" else [])
                    + [_cell(s[f"{group}_methods"], m, "hit") for m in methods] for k, s in rows_k if s[group]]
            if rows:
                out += ["", f"{title}: hit rate / mean span size (fraction of completion tokens)"]
                out.append(table(["kind", group] + (["EGCA no span"] if group == "logic" else [])
                                 + [NAMES[m] for m in methods], rows))
        t = lang["total"]
        out += ["", f"final `return` as the span (scored candidates): EGCA {_pct(t['return_span']['egca'])}, "
                    f"EGCA before {_pct(t['return_span']['egca_before'])}", ""]
    return "\n".join(out)


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    result = run(args)
    print(json.dumps(result, indent=1) if args.json else render(result))
    return 0
