"""The engine on Java: hand-written failing completions of humaneval-java problems, each
checked for its mode and for the text under its span (tests/conftest.py's check_candidate),
through the real Java runtime (javac and JVMs in the sandbox); and the acceptance on Java/0
through `egca analyze --json`."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from egca import datasets
from tests.conftest import check_candidate


def mutate(task: str, old: str, new: str) -> str:
    reference = datasets.get("humaneval-java", task).reference
    assert reference.count(old) == 1, (task, old)
    return reference.replace(old, new)


# (task, completion, expected mode, exact text under the span, or None when no span is owed)
CASES = [
    # logic: wrong comparison / operator
    ("Java/0", mutate("Java/0", "distance < threshold", "distance > threshold"), "logic", "distance > threshold"),
    ("Java/3", mutate("Java/3", "balance += op;", "balance -= op;"), "logic", "balance -= op;"),
    ("Java/52", mutate("Java/52", "e >= t", "e > t"), "logic", "e > t"),
    ("Java/24", mutate("Java/24", "n % i == 0", "n % i != 0"), "logic", "n % i != 0"),
    ("Java/48", mutate("Java/48", "text.charAt(i) != text.charAt(text.length() - 1 - i)",
                       "text.charAt(i) != text.charAt(text.length() - i)"), "syntax",
     "if (text.charAt(i) != text.charAt(text.length() - i))"),
    ("Java/12", mutate("Java/12", "s.length() > longest.length()", "s.length() >= longest.length()"), "logic",
     "s.length() >= longest.length()"),
    ("Java/59", mutate("Java/59", "Math.max(largest, j)", "Math.min(largest, j)"), "logic",
     "largest = Math.min(largest, j);"),
    ("Java/2", mutate("Java/2", "number % 1.0", "number % 2.0"), "logic", "return number % 2.0;"),
    # logic: off-by-one
    ("Java/43", mutate("Java/43", "int j = i + 1", "int j = i"), "logic", "for (int j = i; j < l.size(); j++)"),
    ("Java/60", mutate("Java/60", "i <= n", "i < n"), "logic", "i < n"),
    # logic: wrong initial value
    ("Java/49", mutate("Java/49", "int ret = 1;", "int ret = 0;"), "logic", "int ret = 0;"),
    ("Java/46", mutate("Java/46", "results.add(2);", "results.add(1);"), "logic", "results.add(1);"),
    # logic: a wrong value feeding a later decision (gcd)
    ("Java/13", mutate("Java/13", "return a + b;", "return a * b;"), "logic", "return a * b;"),
    # logic: wrong return
    ("Java/55", mutate("Java/55", "if (n == 1) {\n            return 1;", "if (n == 1) {\n            return 0;"), "logic",
     "return 0;"),
    ("Java/63", mutate("Java/63", "fibfib(n - 3)", "fibfib(n - 2)"), "logic",
     "return fibfib(n - 1) + fibfib(n - 2) + fibfib(n - 2);"),
    ("Java/53", "        return x - y;\n    }\n}\n", "logic", "return x - y;"),
    ("Java/23", "        return string.length() - 1;\n    }\n}\n", "logic", "return string.length() - 1;"),
    # syntax: does not compile (the compiler's first error), crashes, runs forever
    ("Java/28", "        return String.join(\"\", strings\n    }\n}\n", "syntax", None),
    ("Java/23", "        return string.size();\n    }\n}\n", "syntax", "string.size"),
    ("Java/35", "        return l.get(l.size());\n    }\n}\n", "syntax", "return l.get(l.size());"),
    ("Java/49", mutate("Java/49", "i++", "i--"), "syntax", None),
    ("Java/60", "        int result = 0;\n        for (int i = 1; i <= n; i--) {\n            result += i;\n        }\n"
                "        return result;\n    }\n}\n", "syntax", None),
    # correct: the reference and a different correct implementation
    ("Java/0", datasets.get("humaneval-java", "Java/0").reference, "correct", None),
    ("Java/53", "        int s = x;\n        s += y;\n        return s;\n    }\n}\n", "correct", None),
]


@pytest.mark.parametrize("task, completion, mode, expected", CASES,
                         ids=[f"{c[0].split('/')[1]}-{c[2]}-{i}" for i, c in enumerate(CASES)])
def test_mode_and_span(engine, task, completion, mode, expected):
    problem = datasets.get("humaneval-java", task)
    check_candidate(engine, problem, completion, mode, expected)


def test_compile_error_is_located_at_the_compilers_first_error(engine):
    problem = datasets.get("humaneval-java", "Java/23")
    completion = "        int n = string.length()\n        return n;\n    }\n}\n"
    result = check_candidate(engine, problem, completion, "syntax", None)
    program = problem.program(completion).encode()
    line = program[:result.span.program[0]].count(b"\n") + 1
    assert line == program[:program.index(b"int n = string.length()")].count(b"\n") + 1, result.to_dict()


def test_crash_and_infinite_loop_are_contained_and_located(engine):
    problem = datasets.get("humaneval-java", "Java/60")
    crash = "        int[] xs = new int[n];\n        return xs[n];\n    }\n}\n"
    check_candidate(engine, problem, crash, "syntax", "return xs[n];")
    forever = "        int result = 0;\n        while (n > 0) {\n            result += n;\n        }\n        return result;\n    }\n}\n"
    result = check_candidate(engine, problem, forever, "syntax", None)
    program = problem.program(forever).encode()
    s, e = result.span.program
    loop = program.index(b"while (n > 0)")
    assert s <= loop < e or loop <= s < program.index(b"return result;"), program[s:e].decode()


def test_acceptance_analyze_json(tmp_path):
    """`egca analyze --dataset humaneval-java --task Java/0 --candidate F --json` with one wrong
    comparison: mode logic, the span on that comparison."""
    completion = mutate("Java/0", "distance < threshold", "distance > threshold")
    f = tmp_path / "candidate.java"
    f.write_text(completion)
    out = subprocess.run([sys.executable, "-m", "egca.cli", "analyze", "--dataset", "humaneval-java", "--task", "Java/0",
                          "--candidate", str(f), "--json"], capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    result = json.loads(out.stdout)
    assert result["mode"] == "logic", result
    s, e = result["span"]["completion"]["start_byte"], result["span"]["completion"]["end_byte"]
    assert completion.encode()[s:e].decode() == "distance > threshold"
