"""Every humaneval-c reference passes its own tests through the real C runtime."""

from __future__ import annotations

from egca import datasets
from tests.conftest import reference_failures

# Problems whose reference cannot pass through the sandboxed runtime, with the reason.
KNOWN_FAILURES: dict[str, str] = {}


def test_every_c_reference_passes(engine):
    problems = datasets.load("humaneval-c")
    failures = reference_failures(engine, "c", problems)
    unexpected = {t: f for t, f in failures.items() if t not in KNOWN_FAILURES}
    assert not unexpected, unexpected
    passing = len(problems) - len(failures)
    assert passing > 0
    print(f"humaneval-c: {passing}/{len(problems)} references pass through the runtime")
