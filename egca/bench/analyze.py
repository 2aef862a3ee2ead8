"""`egca bench analyze`: wall time of Engine.analyze for one GRPO group.

A group is G completions of one problem: the reference plus G-1 seeded mutants
(every mutation kind, more seeds until there are enough, cycled if the reference
has fewer distinct mutants), not filtered, so some pass like real samples do.
Each of the first N problems of a dataset is analysed `--repeat` times: the first
call per problem starts with a cold reference-trace cache, later calls are warm.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import time
from collections import Counter

from egca import datasets
from egca.bench.common import progress, quantiles, table
from egca.bench.mutants import KINDS, mutate
from egca.engine import Engine, EngineConfig
from egca.errors import InvalidInput
from egca.plugin import get_adapter
from egca.problem import Problem

MAX_SEEDS = 8


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="egca bench analyze", description=__doc__.split("\n\n")[0])
    p.add_argument("--dataset", default="humaneval")
    p.add_argument("--group", type=int, default=16, help="G, completions per group (default 16)")
    p.add_argument("--tasks", type=int, default=20, help="problems, the dataset's first N (default 20)")
    p.add_argument("--repeat", type=int, default=3, help="calls per problem; the first is cold (default 3)")
    p.add_argument("--workers", type=int, default=EngineConfig.workers,
                   help=f"engine workers (default {EngineConfig.workers})")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--timeout", type=float, default=10.0, help="sandbox wall-clock limit per run, s")
    p.add_argument("--json", action="store_true")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    return p


def group_for(problem: Problem, size: int, seed: int) -> list[str]:
    adapter = get_adapter(problem.language)
    mutants: list[str] = []
    for s, kind in itertools.product(range(seed, seed + MAX_SEEDS), KINDS):
        if len(mutants) >= size - 1:
            break
        m = mutate(adapter, problem, kind, s)
        if m is not None and m.completion not in mutants:
            mutants.append(m.completion)
    if not mutants:
        return [problem.reference] * size
    return [problem.reference] + [mutants[i % len(mutants)] for i in range(size - 1)]


def run(args) -> dict:
    if args.group < 1 or args.tasks < 1 or args.repeat < 1:
        raise InvalidInput("--group, --tasks and --repeat must be >= 1")
    problems = datasets.load(args.dataset)[:args.tasks]
    cold, warm, modes = [], [], Counter()
    with Engine(EngineConfig(timeout_s=args.timeout, workers=args.workers)) as engine:
        for language in sorted({p.language for p in problems}):
            engine.runtimes.client(language).info()   # start the runtime before timing anything
        with progress(len(problems) * args.repeat, "analyze", not args.quiet) as bar:
            for problem in problems:
                group = group_for(problem, args.group, args.seed)
                for i in range(args.repeat):
                    start = time.perf_counter()
                    results = engine.analyze(problem, group)
                    (cold if i == 0 else warm).append(time.perf_counter() - start)
                    if i == 0:
                        modes.update(r.mode for r in results)
                    bar.update(1)
    to_ms = lambda q: {k: (round(1000 * v, 1) if k != "n" else v) for k, v in q.items()}
    return {"benchmark": "analyze", "dataset": args.dataset, "group": args.group, "tasks": len(problems),
            "repeat": args.repeat, "workers": args.workers, "seed": args.seed, "cpus": os.cpu_count(),
            "modes": dict(modes),
            "cold_ms": to_ms(quantiles(cold)), "warm_ms": to_ms(quantiles(warm)),
            "note": "wall time of one Engine.analyze call on a whole group; cold = first call per problem "
                    "(empty reference-trace and constraint caches), warm = later calls"}


def render(r: dict) -> str:
    rows = []
    for name in ("cold", "warm"):
        q = r[f"{name}_ms"]
        if q:
            rows.append([f"{name} ({'first call' if name == 'cold' else 'later calls'})", q["n"], q["median"],
                         q["p10"], q["p90"], round(q["median"] / r["group"], 1)])
    modes = ", ".join(f"{k} {v}" for k, v in sorted(r["modes"].items()))
    return "\n".join([
        f"egca bench analyze: {r['dataset']}, {r['tasks']} problems, G={r['group']}, {r['repeat']} calls per "
        f"problem, {r['workers']} engine workers, {r['cpus']} CPUs",
        f"modes of the first calls' candidates: {modes}", "",
        table(["calls", "n", "median ms", "p10 ms", "p90 ms", "median ms / candidate"], rows)])


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    result = run(args)
    print(json.dumps(result, indent=1) if args.json else render(result))
    return 0
