"""Every built-in Python reference passes its own tests through the real runtime."""

from __future__ import annotations

import pytest

from egca import datasets
from tests.conftest import reference_failures

# Problems whose reference cannot pass through the sandboxed runtime, with the reason.
KNOWN_FAILURES: dict[str, str] = {}


@pytest.mark.parametrize("name", ["humaneval", "mbpp"])
def test_every_reference_passes(engine, name):
    problems = datasets.load(name)
    failures = reference_failures(engine, "python", problems)
    unexpected = {t: f for t, f in failures.items() if t not in KNOWN_FAILURES}
    assert not unexpected, unexpected
    passing = len(problems) - len(failures)
    print(f"{name}: {passing}/{len(problems)} references pass through the runtime")
