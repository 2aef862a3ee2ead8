"""The runtime conformance suite (egca_kit.conformance) against every language's real runtime,
and the trusted-verdict and fail-closed guarantees it rests on."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from egca.plugin import available_adapters, get_adapter

from egca_kit.conformance import load_suite, run_suite

LANGUAGES = sorted(n for n in available_adapters() if get_adapter(n).conformance_suite())
ROOT = Path(__file__).resolve().parent.parent
TRACE_IN_RUN = {"python", "c", "cpp"}     # runtimes whose Language.traces_failures is set


def test_every_in_repo_runtime_has_a_suite():
    assert {"python", "c", "javascript"} <= set(LANGUAGES)


def test_suites_hacks_are_built_from_the_corpora(tmp_path):
    """tools/build_conformance_hacks.py --check: every committed suite's "hacks" is what its
    language's hacks.json makes of the dataset; a suite whose hacks differ is stale (exit 1)."""
    tool = [sys.executable, str(ROOT / "tools" / "build_conformance_hacks.py")]
    p = subprocess.run([*tool, "--check"], capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert p.returncode == 0, p.stderr
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import build_conformance_hacks as build
    finally:
        sys.path.remove(str(ROOT / "tools"))
    assert {"c", "javascript"} <= set(build.languages())
    for language in build.languages():
        hacks = load_suite(build.suite_path(language))["hacks"]
        assert len(hacks) == len(json.loads(build.corpus_path(language).read_text())) >= 10
        assert all(h["program"] and h["tests"] and h["entry_points"] for h in hacks)
    # a stale suite (one trick dropped) is caught, and rewriting it restores exactly the hacks
    stale = tmp_path / "runtimes"
    for language in build.languages():
        (stale / language / "conformance").mkdir(parents=True)
        suite = load_suite(build.suite_path(language))
        (stale / language / "conformance" / "hacks.json").write_text(build.corpus_path(language).read_text())
        build.write_suite(stale / language / "conformance" / "suite.json", {**suite, "hacks": suite["hacks"][1:]})
    build.RUNTIMES, saved = stale, build.RUNTIMES
    try:
        assert build.main(["--check"]) == 1
        assert build.main([]) == 0 and build.main(["--check"]) == 0
        for language in build.languages():
            rebuilt = load_suite(stale / language / "conformance" / "suite.json")
            assert rebuilt == load_suite(saved / language / "conformance" / "suite.json")
    finally:
        build.RUNTIMES = saved


@pytest.mark.parametrize("language", LANGUAGES)
def test_conformance(engine, language):
    address = engine.runtimes.client(language).addresses[0]
    checks = run_suite(address, load_suite(get_adapter(language).conformance_suite()))
    suite = load_suite(get_adapter(language).conformance_suite())
    assert len(suite.get("hacks", [])) >= 10, "every language brings at least 10 reward-hacking tricks"
    failed = [f"{c.name}: {c.detail}" for c in checks if not c.ok]
    assert not failed, "\n".join(failed)
    # The runtimes that trace a failing test inside Run are checked at it (hostile corpora included).
    assert any(c.detail == "traced inside Run as Trace traces it" for c in checks) == (language in TRACE_IN_RUN)


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
