"""`egca bench load`: N concurrent `Engine.Analyze` calls from one client channel to an
Engine service (`egca serve`), on loopback only, counting errors and wrong answers.

It starts `--replicas` runtimes of `--language` (default: the language of the
`humaneval` dataset) and one Engine service that spreads over them (all on 127.0.0.1,
ports picked free), computes the expected reward of every distinct candidate with one
quiet call each, then sends `--calls` calls at once (each one candidate of a mix:
correct, buggy, infinite loop, memory bomb, does not parse; the last three are the
language's candidates in egca/examples/bench.json, and a kind the language has none of
is left out of the mix) through one `EngineClient` channel. With `--kill-replica` one
runtime replica is SIGKILLed when a third of the calls have finished. Bounded: at most
10 000 calls, and `--max-seconds` for the whole load (calls still open then are cancelled
and count as errors).
Exit status 0 only with no errors and no wrong rewards.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter

from egca.bench.common import bench_data, default_language, languages, load_problems, quantiles, table
from egca.bench.mutants import stream
from egca.plugin import get_adapter

HOST = "127.0.0.1"
MAX_CALLS = 10_000
# Per 100 calls.
MIX = (("correct", 47), ("buggy", 30), ("syntax", 15), ("memory", 4), ("loop", 4))
# Kinds whose candidates are the language's fixed completions (egca/examples/bench.json).
EXTRA = ("loop", "memory", "syntax")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="egca bench load", description=__doc__.split("\n\n")[0])
    p.add_argument("--calls", type=int, default=1000, help=f"concurrent Analyze calls (default 1000, at most {MAX_CALLS})")
    p.add_argument("--language", help="the language of the problems and runtimes (default: the language of the "
                                      "`humaneval` dataset, else the first installed adapter with a dataset)")
    p.add_argument("--problems", type=int, default=10,
                   help="problems of the language's HumanEval port the candidates come from (default 10)")
    p.add_argument("--replicas", type=int, default=2, help="runtime replicas of the language (default 2)")
    p.add_argument("--kill-replica", action="store_true", help="SIGKILL one replica when a third of the calls are done")
    p.add_argument("--timeout", type=float, default=1.0, help="sandbox wall clock per run, s (default 1)")
    p.add_argument("--engine-workers", type=int, default=4, help="the engine's candidate workers (default 4)")
    p.add_argument("--no-localize", action="store_true", help="reward path only (skip traces)")
    p.add_argument("--max-seconds", type=float, default=1800.0, help="bound on the whole load (default 1800)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", action="store_true")
    return p


def _start(argv: list[str], env: dict | None = None) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, start_new_session=True,
                            env={**os.environ, "GRPC_VERBOSITY": "ERROR", "GRPC_ENABLE_FORK_SUPPORT": "false",
                                 **(env or {})})
    line = proc.stdout.readline().decode(errors="replace").strip()
    if not line.startswith("PORT "):
        _stop(proc)
        raise RuntimeError(f"{argv[2]} did not start (said {line!r})")
    threading.Thread(target=proc.stdout.read, daemon=True).start()
    return proc, f"{HOST}:{int(line.split()[1])}"


def _stop(proc: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _candidates(language: str, problems, seed: int) -> list[tuple[str, object, str]]:
    """(kind, problem, completion): per problem one of each kind (a mutant for 'buggy'; without
    one, the language's fixed wrong answer, else the reference)."""
    mutants: dict[str, str] = {}
    for problem, mutant in stream(get_adapter(language), problems, seed):
        mutants.setdefault(problem.task_id, mutant.completion)
        if len(mutants) == len(problems):
            break
    fixed = bench_data(language).get("candidates", {})
    out = []
    for p in problems:
        out.append(("correct", p, p.reference))
        out.append(("buggy", p, mutants.get(p.task_id, fixed.get("buggy", p.reference))))
        for kind in EXTRA:
            if kind in fixed:
                out.append((kind, p, fixed[kind]))
    return out


def run(args) -> dict:
    from egca.service import EngineClient, from_proto

    calls = min(args.calls, MAX_CALLS)
    chosen = languages(args.language) if args.language else [default_language()]
    if len(chosen) != 1:
        raise SystemExit("egca bench load: --language takes one language")
    language = chosen[0]
    _, problems = load_problems(language, None)
    problems = [p for p in problems if p.has_reference][:args.problems]
    cands = _candidates(language, problems, args.seed)
    by_kind: dict[str, list] = {}
    for c in cands:
        by_kind.setdefault(c[0], []).append(c)
    mix = tuple((kind, share) for kind, share in MIX if kind in by_kind)
    # The mix, interleaved: any prefix of the calls has every kind in about its share.
    plan = [kind for _, kind in sorted(((j + 0.5) / share, kind) for kind, share in mix for j in range(share))]
    runtime = get_adapter(language).local_runtime_command(0) + ["--workers", "8"]
    replicas = [_start(runtime) for _ in range(max(1, args.replicas))]
    addresses = [a for _, a in replicas]
    engine = None
    result: dict = {"benchmark": "load", "calls": calls, "replicas": len(replicas), "timeout_s": args.timeout,
                    "kill_replica": args.kill_replica, "localize": not args.no_localize}
    try:
        engine, address = _start([sys.executable, "-m", "egca.bench.load", "--serve", json.dumps(
            {"runtimes": {language: addresses}, "timeout_s": args.timeout, "workers": args.engine_workers})])
        client = EngineClient(address, timeout_s=args.max_seconds)
        options = {"localize": not args.no_localize}
        expected = {}
        for kind, problem, text in cands:     # quiet, one at a time: the answers the load must give
            expected[(problem.task_id, text)] = client.analyze(problem, [text], **options)[0].reward
        schedule = []
        for i in range(calls):
            kind = plan[i % len(plan)]
            group = by_kind[kind]
            schedule.append(group[(i // len(plan)) % len(group)])
        done = threading.Semaphore(0)
        latencies: list[float] = []
        outcomes: Counter = Counter()
        wrong: list[dict] = []
        lock = threading.Lock()
        start = time.monotonic()

        def finished(future, kind, problem, text, t0):
            try:
                reply = future.result()
                reward = from_proto(reply.results[0]).reward
                ok = reward == expected[(problem.task_id, text)]
                with lock:
                    outcomes["ok" if ok else "wrong"] += 1
                    if not ok:
                        wrong.append({"kind": kind, "task": problem.task_id, "got": reward,
                                      "expected": expected[(problem.task_id, text)]})
            except Exception as e:  # noqa: BLE001 - every failure is counted by its code
                code = e.code().name if hasattr(e, "code") else type(e).__name__
                with lock:
                    outcomes[f"error {code}"] += 1
            with lock:
                latencies.append(time.monotonic() - t0)
            done.release()

        futures = []
        for kind, problem, text in schedule:
            t0 = time.monotonic()
            f = client.analyze_future(problem, [text], **options)
            f.add_done_callback(lambda fut, k=kind, p=problem, t=text, t0=t0: finished(fut, k, p, t, t0))
            futures.append(f)
        killed_at = None
        for n in range(calls):
            if not done.acquire(timeout=max(0.0, start + args.max_seconds - time.monotonic())):
                for f in futures:
                    f.cancel()
                for _ in range(n, calls):
                    done.acquire(timeout=30)
                break
            if args.kill_replica and killed_at is None and n + 1 >= calls // 3 and len(replicas) > 1:
                _stop(replicas[0][0], signal.SIGKILL)
                killed_at = n + 1
        wall = time.monotonic() - start
        result.update({"wall_s": wall, "calls_per_s": calls / wall if wall else 0.0, "outcomes": dict(outcomes),
                       "errors": sum(v for k, v in outcomes.items() if k.startswith("error")),
                       "wrong": len(wrong), "wrong_examples": wrong[:10], "latency_s": quantiles(latencies),
                       "killed_replica_after": killed_at,
                       "mix": {kind: sum(1 for k, _, _ in schedule if k == kind) for kind, _ in mix}})
        client.close()
    finally:
        if engine is not None:
            _stop(engine)
        for proc, _ in replicas:
            _stop(proc)
    return result


def render(r: dict) -> str:
    lat = r["latency_s"]
    rows = [[r["calls"], r["replicas"], "yes" if r["kill_replica"] else "no", f"{r['wall_s']:.1f}",
             f"{r['calls_per_s']:.1f}", f"{lat['median']:.2f} / {lat['p90']:.2f} / {lat['max']:.2f}",
             r["errors"], r["wrong"]]]
    lines = [f"egca bench load: {r['calls']} concurrent Engine.Analyze calls, one channel, loopback; mix "
             + ", ".join(f"{k} {v}" for k, v in r["mix"].items()) + f"; limit {r['timeout_s']:g} s; "
             f"{'full EGCA path' if r['localize'] else 'reward path'}", "",
             table(["calls", "replicas", "one killed", "wall s", "calls/s", "latency s median / p90 / max",
                    "errors", "wrong rewards"], rows)]
    if r["killed_replica_after"]:
        lines.append(f"replica killed after {r['killed_replica_after']} calls had finished")
    lines.append("outcomes: " + ", ".join(f"{k} {v}" for k, v in sorted(r["outcomes"].items())))
    for w in r["wrong_examples"]:
        lines.append(f"wrong: {w}")
    return "\n".join(lines)


def _serve(spec: str) -> int:
    """The Engine service of the benchmark (a child process): loopback, a free port."""
    from egca.engine import EngineConfig
    from egca.service import serve

    cfg = json.loads(spec)
    serve(HOST, 0, EngineConfig(runtimes=cfg["runtimes"], timeout_s=cfg["timeout_s"],
                                workers=cfg["workers"]))
    return 0


def main(argv: list[str]) -> int:
    if argv[:1] == ["--serve"]:
        return _serve(argv[1])
    args = build_parser().parse_args(argv)
    if not 1 <= args.calls <= MAX_CALLS or args.problems < 1:
        raise SystemExit(f"egca bench load: --calls must be 1..{MAX_CALLS}, --problems >= 1")
    result = run(args)
    print(json.dumps(result, indent=1) if args.json else render(result))
    return 0 if result["errors"] == 0 and result["wrong"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
