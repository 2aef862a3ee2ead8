"""The `egca` command as a user runs it: real subprocesses, real runtimes."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

EGCA = [sys.executable, "-m", "egca.cli"]
WRONG_COMPARISON_0 = """    for idx, elem in enumerate(numbers):
        for idx2, elem2 in enumerate(numbers):
            if idx != idx2:
                distance = abs(elem - elem2)
                if distance > threshold:
                    return True

    return False
"""


def egca(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([*EGCA, *args], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "GRPC_VERBOSITY": "ERROR"})


def test_analyze_wrong_comparison_json(tmp_path):
    f = tmp_path / "F.py"
    f.write_text(WRONG_COMPARISON_0)
    r = egca("analyze", "--dataset", "humaneval", "--task", "HumanEval/0", "--candidate", str(f), "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["mode"] == "logic"
    s, e = out["span"]["completion"]["start_byte"], out["span"]["completion"]["end_byte"]
    assert WRONG_COMPARISON_0.encode()[s:e].decode() == "distance > threshold"
    assert out["divergence"]["candidate"]["start_line"] == out["divergence"]["candidate"]["end_line"]
    assert set(out) >= {"mode", "reward", "tests_passed", "tests_total", "failing_test", "divergence", "span"}
    assert out["reward"] == 0.0 and out["tests_passed"] < out["tests_total"]


def test_analyze_human_readable_highlights_span(tmp_path):
    f = tmp_path / "F.py"
    f.write_text(WRONG_COMPARISON_0)
    r = egca("analyze", "--dataset", "humaneval", "--task", "HumanEval/0", "--candidate", str(f))
    assert r.returncode == 0, r.stderr
    assert "mode: logic" in r.stdout
    lines = r.stdout.splitlines()
    marked = next(i for i, line in enumerate(lines) if "|" in line and "distance > threshold" in line)
    assert set(lines[marked + 1].strip()) == {"^"} and len(lines[marked + 1].strip()) == len("distance > threshold")
    assert "reference:" in r.stdout and "distance < threshold" in r.stdout


def test_analyze_problem_file(tmp_path):
    problem = {"task_id": "add1", "language": "python", "prompt": "def f(x):\n", "reference": "    return x + 1\n",
               "entry_point": "f", "tests": [{"id": "0", "code": "assert f(1) == 2"}, {"id": "1", "code": "assert f(-1) == 0"}]}
    (tmp_path / "p.json").write_text(json.dumps(problem))
    (tmp_path / "c.py").write_text("    return x - 1\n")
    r = egca("analyze", "--problem", str(tmp_path / "p.json"), "--candidate", str(tmp_path / "c.py"), "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["mode"] == "logic" and out["failing_test"] == "0"
    assert out["span"]["completion"] == {"start_byte": 4, "end_byte": 16}


@pytest.mark.parametrize("case", ["unknown_language", "unknown_task", "unknown_dataset", "malformed_json",
                                  "non_utf8", "empty", "huge", "missing_file", "missing_fields"])
def test_bad_input_gets_one_line_error(tmp_path, case):
    cand = tmp_path / "c.py"
    cand.write_text("    return 1\n")
    problem = tmp_path / "p.json"
    good = {"task_id": "t", "language": "python", "prompt": "def f(x):\n", "reference": "    return x\n",
            "entry_point": "f", "tests": [{"id": "0", "code": "assert f(1) == 1"}]}
    args = ["analyze", "--problem", str(problem), "--candidate", str(cand)]
    if case == "unknown_language":
        problem.write_text(json.dumps({**good, "language": "cobol"}))
    elif case == "unknown_task":
        args = ["analyze", "--dataset", "humaneval", "--task", "HumanEval/999", "--candidate", str(cand)]
    elif case == "unknown_dataset":
        args = ["analyze", "--dataset", "nope", "--task", "x", "--candidate", str(cand)]
    elif case == "malformed_json":
        problem.write_text('{"task_id": "t", ')
    elif case == "missing_fields":
        problem.write_text(json.dumps({"task_id": "t"}))
    else:
        problem.write_text(json.dumps(good))
        if case == "non_utf8":
            cand.write_bytes(b"    return \xff\xfe\n")
        elif case == "empty":
            cand.write_text("  \n")
        elif case == "huge":
            cand.write_text("    x = 1\n" * (10 * 1024 * 1024 // 10))
        elif case == "missing_file":
            cand.unlink()
    r = egca(*args)
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert "Traceback" not in r.stderr
    lines = [line for line in r.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("egca: error: "), r.stderr


def test_datasets_listing_and_problem():
    r = egca("datasets", "--json")
    assert r.returncode == 0, r.stderr
    table = json.loads(r.stdout)
    assert table["humaneval"]["size"] == 164 and table["mbpp"]["size"] == 427
    r = egca("datasets", "humaneval", "HumanEval/3")
    problem = json.loads(r.stdout)
    assert problem["entry_point"] == "below_zero" and problem["language"] == "python" and problem["tests"]
