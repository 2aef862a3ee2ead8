"""Shared fixtures: one real engine (with real local runtimes) per test session."""

from __future__ import annotations

import pytest

from egca.engine import Engine, EngineConfig


@pytest.fixture(scope="session")
def engine():
    # Short sandbox timeouts keep the hostile cases quick; real runs, real runtimes.
    with Engine(EngineConfig(timeout_s=3.0, workers=2)) as e:
        yield e


def span_text(problem, analysis, completion: str) -> str:
    """The completion text under the reported span."""
    assert analysis.span is not None, f"no span: {analysis.to_dict()}"
    s, e = analysis.span.completion
    return completion.encode("utf-8")[s:e].decode("utf-8")


def check_candidate(engine, problem, completion: str, mode: str, expected: str | None):
    """Analyse one hand-written candidate and check its mode, reward and span text
    (`expected`: the exact text under the span, or None when no particular span is owed)."""
    result = engine.analyze(problem, [completion])[0]
    assert result.mode == mode, result.to_dict()
    if mode in ("correct", "constraint"):
        assert result.span is None
        if mode == "correct":
            assert result.reward == 1.0
        return result
    assert result.reward == 0.0
    if expected is not None:
        assert span_text(problem, result, completion).strip() == expected, result.to_dict()
    if mode == "logic":
        assert result.divergence.reference is not None
        assert result.failing_test is not None
    return result


def reference_failures(engine, language: str, problems) -> dict:
    """Run every problem's reference on all its tests through the real runtime (one Run per
    problem, two at a time); {task_id: (run status, [(test, status, message)])} for those
    that do not pass. Generous limits: this checks correctness, not speed (Mbpp/123 sums
    amicable numbers below 10000, and the machine may be shared)."""
    from concurrent.futures import ThreadPoolExecutor

    from egca_kit.v1 import tracer_pb2

    client = engine.runtimes.client(language)

    def run(problem):
        reply = client.run(problem.reference_program, problem.tests, tracer_pb2.Limits(timeout_s=60, cpu_s=60),
                            [problem.entry_point])
        bad = [(r.id, tracer_pb2.TestStatus.Name(r.status), r.error.message[:200]) for r in reply.results
               if r.status != tracer_pb2.PASS]
        if reply.status == tracer_pb2.COMPILE_ERROR:
            bad.append(("compile", "", reply.compile_error.message[:200]))
        return problem.task_id, tracer_pb2.RunStatus.Name(reply.status), bad

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = list(pool.map(run, problems))
    return {task: (status, bad) for task, status, bad in outcomes if bad or status != "COMPLETED"}
