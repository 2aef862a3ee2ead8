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
