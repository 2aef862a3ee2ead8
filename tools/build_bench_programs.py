"""Compute the expected outputs of the benchmarks' whole-program problems
(egca/datasets/data/bench_programs.jsonl, used by `egca bench localize --programs`).

    python tools/build_bench_programs.py           # run the references, check they agree, rewrite the stdouts
    python tools/build_bench_programs.py --check   # exit 1 if the file's stdouts are not what the references print

The file holds one row per (problem, language) in the problem format (docs/PROBLEMS.md:
`kind: "program"`, tests `{id, stdin, stdout}`); the rows of one problem share its task id,
its statement and its tests. It is the source of the problems: edit a statement, a
reference or a test's stdin there, then run this tool, which fills in every test's
`stdout`. No language is privileged: each test's stdout is what every language's
reference prints on its stdin, run through that language's real runtime (the engine's
local runtimes, sandboxed as for any candidate); the references must agree byte for byte,
else the tool names the disagreement and writes nothing. Finally each reference is run on
the finished tests as the benchmark runs it (program tests, the problem's check) and must
pass. Every row's language must be installed (adapter and runtime). The problems and
their references are this project's own code (egca/datasets/LICENSES.md).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "egca" / "datasets" / "data" / "bench_programs.jsonl"
# Never printed by a reference: each capture run fails with WrongAnswer, and the runtime
# returns the program's stdout in the Run's `output` ("--- test ID: stdout ---" section).
SENTINEL = "\0egca: capture this test's stdout\0"
CAP = 2000            # the runtime kit keeps this many bytes of a failing test's stdout


def _stdout(client, limits, program: str, test) -> str:
    """What `program` prints on the test's stdin (one Run of that one test)."""
    from egca.problem import Check
    from egca_kit.v1 import tracer_pb2

    probe = dataclasses.replace(test, stdout=SENTINEL, check=Check(mode="exact"))
    reply = client.run(program, [probe], limits)
    result = reply.results[0] if reply.results else None
    if reply.status != tracer_pb2.COMPLETED or result is None or result.error.kind != "WrongAnswer":
        why = reply.compile_error.message if reply.status == tracer_pb2.COMPILE_ERROR else \
            (f"{result.error.kind}: {result.error.message}" if result is not None else "no result")
        raise SystemExit(f"test {test.id}: the program did not run to an answer "
                         f"({tracer_pb2.RunStatus.Name(reply.status)}; {why[:300]})")
    head = f"--- test {test.id}: stdout ---\n"
    if not reply.output.startswith(head):
        raise SystemExit(f"test {test.id}: unexpected runtime output {reply.output[:200]!r}")
    out = reply.output[len(head):].split("\n--- stderr ---\n", 1)[0]
    if len(out.encode("utf-8")) >= CAP:
        raise SystemExit(f"test {test.id}: the output is too long to capture (at least {CAP} bytes)")
    return out


def compute(rows: list[dict], engine) -> list[dict]:
    """The rows with every test's stdout set to what all the problem's references print."""
    from egca.formats import convert_row
    from egca_kit.v1 import tracer_pb2

    limits = tracer_pb2.Limits(timeout_s=30, cpu_s=30)
    by_task: dict[str, list[int]] = defaultdict(list)
    for i, row in enumerate(rows):
        by_task[row["task_id"]].append(i)
    out = [dict(row) for row in rows]
    for task, indices in by_task.items():
        problems = [convert_row(rows[i], "egca", i) for i in indices]
        inputs = [[(t.id, t.stdin) for t in p.tests] for p in problems]
        if any(x != inputs[0] for x in inputs):
            raise SystemExit(f"{task}: its rows do not share the same tests (ids and stdins)")
        expected: dict[str, tuple[str, str]] = {}
        for p in problems:
            client = engine.runtimes.client(p.language)
            for t in p.tests:
                got = _stdout(client, limits, p.reference_program, t)
                if t.id not in expected:
                    expected[t.id] = (p.language, got)
                elif expected[t.id][1] != got:
                    raise SystemExit(f"{task} test {t.id}: the references disagree: {expected[t.id][0]} prints "
                                     f"{expected[t.id][1]!r}, {p.language} prints {got!r}")
        for i in indices:
            out[i]["tests"] = [{**t, "stdout": expected[t["id"]][1]} for t in rows[i]["tests"]]
        for i in indices:    # as the benchmark runs them: program tests with the problem's check
            p = convert_row(out[i], "egca", i)
            reply = engine.runtimes.client(p.language).run(p.reference_program, p.tests, limits)
            bad = [r.id for r in reply.results if r.status != tracer_pb2.PASS]
            if reply.status != tracer_pb2.COMPLETED or bad or len(reply.results) != len(p.tests):
                raise SystemExit(f"{task} ({p.language}): the reference fails its finished tests {bad}")
        print(f"{task}: {len(problems)} references agree on {len(expected)} tests "
              f"({', '.join(p.language for p in problems)})", file=sys.stderr)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="exit 1 if the file is stale; write nothing")
    args = ap.parse_args(argv)
    from egca.datasets import read_rows
    from egca.engine import Engine, EngineConfig

    rows = read_rows(DATA)
    with Engine(EngineConfig(timeout_s=30.0, workers=1)) as engine:
        rows_out = compute(rows, engine)
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows_out)
    current = DATA.read_text(encoding="utf-8")
    if args.check:
        if text != current:
            print(f"{DATA.relative_to(ROOT)} is stale: run tools/build_bench_programs.py", file=sys.stderr)
            return 1
        print(f"{DATA.relative_to(ROOT)} is up to date ({len(rows_out)} rows)")
        return 0
    if text != current:
        DATA.write_text(text, encoding="utf-8")
    print(f"wrote {DATA.relative_to(ROOT)} ({len(rows_out)} rows)" if text != current
          else f"{DATA.relative_to(ROOT)} unchanged ({len(rows_out)} rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
