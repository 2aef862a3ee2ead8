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
