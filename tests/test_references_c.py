"""Every humaneval-c reference passes its own tests through the real C runtime."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from egca import datasets
from egca.v1 import tracer_pb2

# Problems whose reference cannot pass through the sandboxed runtime, with the reason.
KNOWN_FAILURES: dict[str, str] = {}


def test_every_c_reference_passes(engine):
    problems = datasets.load("humaneval-c")
    client = engine.runtimes.client("c")

    def run(problem):
        # One Run per problem (all its tests); generous limits: this checks correctness, not speed.
        reply = client.run(problem.reference_program, problem.tests, tracer_pb2.Limits(timeout_s=60, cpu_s=60))
        bad = [(r.id, tracer_pb2.TestStatus.Name(r.status), r.error.message[:200]) for r in reply.results
               if r.status != tracer_pb2.PASS]
        if reply.status == tracer_pb2.COMPILE_ERROR:
            bad.append(("compile", reply.compile_error.message[:200]))
        return problem.task_id, tracer_pb2.RunStatus.Name(reply.status), bad

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = list(pool.map(run, problems))
    failures = {task: (status, bad) for task, status, bad in outcomes if bad or status != "COMPLETED"}
    unexpected = {t: f for t, f in failures.items() if t not in KNOWN_FAILURES}
    assert not unexpected, unexpected
    passing = len(problems) - len(failures)
    assert passing > 0
    print(f"humaneval-c: {passing}/{len(problems)} references pass through the runtime")
