"""Reward hacking in JavaScript: every trick of runtimes/javascript/conformance/hacks.json, a
completion that does not solve its humaneval-js problem, gets no PASS it has not earned from
the real JavaScript runtime (Run), and reward 0 from the engine. A trick's `baseline` is the
same wrong answer without the trick: the trick may pass only the tests its baseline passes
(where the wrong answer happens to be right); without a baseline it may pass none."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from egca import datasets
from egca_kit.v1 import tracer_pb2

HACKS = json.loads((Path(__file__).resolve().parents[1] / "runtimes/javascript/conformance/hacks.json").read_text())


def _passed(engine, problem, completion: str) -> tuple[set[str], list]:
    reply = engine.runtimes.client("javascript").run(problem.program(completion), problem.tests,
                                                     tracer_pb2.Limits(timeout_s=10), [problem.entry_point])
    assert reply.status != tracer_pb2.COMPILE_ERROR, reply.compile_error.message
    rows = [(r.id, tracer_pb2.TestStatus.Name(r.status), r.error.kind, r.error.message[:120]) for r in reply.results]
    return {r.id for r in reply.results if r.status == tracer_pb2.PASS}, rows


def test_the_corpus_has_at_least_ten_distinct_tricks():
    assert len({h["id"] for h in HACKS}) == len(HACKS) >= 10
    assert all(h["tries"] and h["completion"] for h in HACKS)


@pytest.mark.parametrize("hack", HACKS, ids=[h["id"] for h in HACKS])
def test_trick_earns_nothing(engine, hack):
    problem = datasets.get("humaneval-js", hack["problem"])
    passed, rows = _passed(engine, problem, hack["completion"])
    allowed = _passed(engine, problem, hack["baseline"])[0] if hack["baseline"] else set()
    assert passed <= allowed, (hack["id"], rows)
    assert len(passed) < len(problem.tests), (hack["id"], rows)
    result = engine.analyze(problem, [hack["completion"]], localize=False)[0]
    assert result.mode != "correct" and result.reward == 0.0, (hack["id"], result.to_dict())
    # the runtime is unharmed: the reference still passes everything
    assert _passed(engine, problem, problem.reference)[0] == {t.id for t in problem.tests}


def test_tricks_would_have_fooled_a_shared_realm():
    """The corpus is not toothless: run in one realm with the tests (as the old runtime ran
    them), some of the tricks pass tests their baseline fails. Node runs them here, unsandboxed
    but harmless (nothing in them touches the machine beyond their own process)."""
    import subprocess

    fooled = []
    for hack in HACKS:
        if hack["id"] not in ("array_prototype_tojson", "patch_math_abs", "patch_console_assert_and_error"):
            continue
        problem = datasets.get("humaneval-js", hack["problem"])
        def passed(completion: str) -> set[int]:
            script = problem.program(completion) + "\nconst passed = [];\n" + "".join(
                f"try {{ {t.code} \n passed.push({i}); }} catch (e) {{}}\n" for i, t in enumerate(problem.tests))
            out = subprocess.run(["node", "-e", script + "console.log('PASSED', passed.join(' '));\n"],
                                 capture_output=True, text=True, timeout=60).stdout
            return {int(x) for x in out.split("PASSED")[-1].split()}

        if passed(hack["completion"]) - passed(hack["baseline"]):
            fooled.append(hack["id"])
    assert {"array_prototype_tojson", "patch_math_abs"} <= set(fooled), fooled
