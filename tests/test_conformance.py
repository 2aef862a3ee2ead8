"""The runtime conformance suite (egca_kit.conformance) against every language's real runtime,
and the trusted-verdict and fail-closed guarantees it rests on."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from egca.plugin import available_adapters, get_adapter

from egca_kit.conformance import load_suite, run_suite

LANGUAGES = sorted(n for n in available_adapters() if get_adapter(n).conformance_suite())
ROOT = Path(__file__).resolve().parent.parent


def test_every_in_repo_runtime_has_a_suite():
    assert {"python"} <= set(LANGUAGES)


@pytest.mark.parametrize("language", LANGUAGES)
def test_conformance(engine, language):
    address = engine.runtimes.client(language).addresses[0]
    checks = run_suite(address, load_suite(get_adapter(language).conformance_suite()))
    suite = load_suite(get_adapter(language).conformance_suite())
    assert len(suite.get("hacks", [])) >= 10, "every language brings at least 10 reward-hacking tricks"
    failed = [f"{c.name}: {c.detail}" for c in checks if not c.ok]
    assert not failed, "\n".join(failed)


def test_without_a_sandbox_analysis_refuses_and_names_the_opt_in(tmp_path):
    """No bubblewrap: the candidate is never run; one line naming the unsafe opt-in, exit 3."""
    marker = tmp_path / "ran"
    completion = f"    open({str(marker)!r}, 'w').write('x')\n    return False\n"
    cand = tmp_path / "c.py"
    cand.write_text(completion)
    env = {**os.environ, "EGCA_BWRAP": str(tmp_path / "no-bwrap-here")}
    env.pop("EGCA_UNSAFE_NO_SANDBOX", None)
    p = subprocess.run([sys.executable, "-m", "egca.cli", "analyze", "--dataset", "humaneval", "--task", "HumanEval/0",
                        "--candidate", str(cand)], capture_output=True, text=True, env=env, timeout=300, cwd=ROOT)
    assert p.returncode == 3, p.stderr
    lines = [ln for ln in p.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "EGCA_UNSAFE_NO_SANDBOX" in lines[0], p.stderr
    assert not marker.exists()
