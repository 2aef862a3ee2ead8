"""Whole-program problems (stdin/stdout tests) end to end: real runtimes run each test as a
whole program in the sandbox, the kit judges stdout in the server, and the engine localizes
a wrong candidate against the reference's trace on the first failing input (Python, C and
JavaScript references and candidates)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from egca.cli import main
from egca.formats import load_file
from egca.problem import Problem
from egca_kit.v1 import tracer_pb2 as T
from tests.conftest import check_candidate, span_text

FIXTURES = Path(__file__).parent / "fixtures" / "formats"
# At least k: the first test has an element equal to k (a `>` for `>=` fails it).
TESTS = [{"id": "0", "stdin": "3 2\n1 2 3\n", "stdout": "2\n"},
         {"id": "1", "stdin": "4 5\n4 6 1 9\n", "stdout": "2\n"},
         {"id": "2", "stdin": "1 0\n7\n", "stdout": "1\n"}]

PY_REF = """n, k = map(int, input().split())
xs = list(map(int, input().split()))
count = 0
for x in xs:
    if x >= k:
        count += 1
print(count)
"""
C_REF = """#include <stdio.h>
int main(void) {
    int n, k;
    if (scanf("%d %d", &n, &k) != 2) return 1;
    int count = 0;
    for (int i = 0; i < n; i++) {
        int x;
        scanf("%d", &x);
        if (x >= k) count++;
    }
    printf("%d\\n", count);
    return 0;
}
"""
JS_REF = """const data = require('fs').readFileSync(0, 'utf8').split(/\\s+/).filter(Boolean).map(Number);
const n = data[0], k = data[1];
let count = 0;
for (let i = 0; i < n; i++) {
  if (data[2 + i] >= k) count++;
}
console.log(count);
"""
PROMPTS = {"python": "# Read n and k, then n integers: print how many are at least k.\n",
           "c": "/* Read n and k, then n integers: print how many are at least k. */\n",
           "javascript": "// Read n and k, then n integers: print how many are at least k.\n"}
REFS = {"python": PY_REF, "c": C_REF, "javascript": JS_REF}


def problem(language: str, **extra) -> Problem:
    return Problem.from_dict({"task_id": f"prog/at-least-{language}", "language": language, "kind": "program",
                              "prompt": PROMPTS[language], "reference": REFS[language], "entry_point": "",
                              "tests": TESTS, **extra})


@pytest.mark.parametrize("language", ["python", "c", "javascript"])
def test_a_wrong_comparison_is_localized_and_a_correct_program_is_correct(engine, language):
    p = problem(language)
    ref = REFS[language]
    check_candidate(engine, p, ref, "correct", None)
    wrong = ref.replace(">= k", "> k")
    result = check_candidate(engine, p, wrong, "logic", None)
    assert result.failing_test == "0" and result.tests_passed == 2
    assert "> k" in span_text(p, result, wrong), result.to_dict()
    assert result.divergence.kind == "branch"


def test_the_cli_analyzes_a_program_row_with_a_python_reference(tmp_path, capsys):
    row = tmp_path / "row.json"
    row.write_text(json.dumps(problem("python").to_dict()))
    good, bad = tmp_path / "good.py", tmp_path / "bad.py"
    good.write_text(PY_REF)
    bad.write_text(PY_REF.replace("x >= k", "x > k"))
    assert main(["analyze", "--problem", str(row), "--candidate", str(good), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["mode"] == "correct" and out["reward"] == 1.0
    assert main(["analyze", "--problem", str(row), "--candidate", str(bad), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    s, e = out["span"]["completion"]["start_byte"], out["span"]["completion"]["end_byte"]
    assert out["mode"] == "logic" and bad.read_bytes()[s:e].decode() == "x > k"


def test_a_codecontests_row_with_python_references(engine):
    p = load_file(FIXTURES / "codecontests.jsonl").problems[0]
    assert p.kind == "program"
    check_candidate(engine, p, "a, b = map(int, input().split())\nprint(a + b)\n", "correct", None)
    result = engine.analyze(p, ["a, b = map(int, input().split())\ns = a - b\nprint(s)\n"])[0]
    assert result.mode == "logic" and result.reward == 0.0


def test_run_verdicts_of_whole_programs(engine):
    """Wrong answer (a short diff), runtime error located, timeout, exact mode's presentation
    error, and a presentation-only difference that still passes in tokens mode."""
    client = engine.runtimes.client("python")
    p = problem("python")
    run = client.run(p.program(PY_REF.replace("print(count)", "print(count + 1)")), p.tests, engine._limits())
    r = run.results[0]
    assert r.status == T.FAIL and r.error.kind == "WrongAnswer"
    assert r.error.message == "wrong answer: line 1, token 1: expected '2', got '3'"
    crash = PY_REF.replace("count = 0\n", "count = 0\nfirst = xs[n]\n")
    run = client.run(crash, p.tests, engine._limits())
    r = run.results[0]
    assert r.status == T.ERROR and r.error.kind == "IndexError" and r.error.has_location
    assert crash.encode()[r.error.location.start_byte:r.error.location.end_byte] == b"first = xs[n]"
    run = client.run(PY_REF.replace("print(count)", "print(count, end='  \\n\\n')"), p.tests, engine._limits())
    assert [x.status for x in run.results] == [T.PASS] * 3 and run.results[0].error.kind == ""
    run = client.run(PY_REF.replace("print(count)", "print('', count)"), p.tests, engine._limits())
    assert [x.status for x in run.results] == [T.PASS] * 3
    assert run.results[0].error.kind == "PresentationDiffers"
    exact = problem("python", check={"mode": "exact"})
    run = client.run(PY_REF.replace("print(count)", "print('', count)"), exact.tests, engine._limits())
    assert run.results[0].status == T.FAIL and run.results[0].error.kind == "PresentationError"
    slow = problem("python", time_limit_s=1.0)
    run = client.run("while True:\n    pass\n", slow.tests[:1], engine._limits())
    assert run.results[0].status == T.TIMEOUT


def test_a_c_crash_is_located_from_the_trace(engine):
    p = problem("c")
    crash = C_REF.replace("int count = 0;", "int count = 0;\n    int *none = 0;\n    if (k == 2) *none = n;")
    result = engine.analyze(p, [crash])[0]
    assert result.mode == "syntax" and result.failing_test == "0"
    assert "*none = n" in span_text(p, result, crash), result.to_dict()


def test_a_program_cannot_read_the_expected_output(engine):
    """The expected output is never written into the sandbox: a program that looks for it
    everywhere it could be (its directory, /tmp, the other processes, inherited fds) finds
    nothing and passes only the test whose answer it guessed ("2")."""
    guesser = r'''import os, sys, glob
sys.stdin.read()
found = []
for pattern in ("*", ".*", "/tmp/*", "/scratch/*", "../*", "/proc/*/cmdline", "/proc/*/environ", "/proc/*/fd/*",
                "/dev/shm/*", "/var/tmp/*", "/egca*"):
    for path in glob.glob(pattern):
        try:
            with open(path, "rb") as f:
                found.append(f.read(1 << 16))
        except OSError:
            pass
for fd in range(3, 64):
    try:
        found.append(os.read(fd, 1 << 16))
    except OSError:
        pass
blob = b"\n".join(found)
print(3 if b"EXPECTED-3" in blob else 2)
'''
    p = Problem.from_dict({"task_id": "prog/guess", "language": "python", "kind": "program", "prompt": "",
                           "reference": "print(2)\n", "entry_point": "",
                           "tests": [{"id": "0", "stdin": "x\n", "stdout": "2\n"},
                                     {"id": "1", "stdin": "y\n", "stdout": "EXPECTED-3\n"}]})
    run = engine.runtimes.client("python").run(guesser, p.tests, engine._limits())
    assert [r.status for r in run.results] == [T.PASS, T.FAIL], run
    assert run.results[1].error.kind == "WrongAnswer"


@pytest.mark.parametrize("language", ["python", "c", "javascript"])
def test_the_shipped_program_problems_references_pass(engine, language):
    """egca bench localize --programs: every reference passes its stdin/stdout tests."""
    from egca.bench import programs
    from tests.conftest import reference_failures

    problems = programs.load(language)
    assert len(problems) == 15
    assert reference_failures(engine, language, problems) == {}
