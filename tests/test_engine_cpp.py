"""Hand-written failing completions for humaneval-cpp problems, each with the mode and
the span a person debugging it would point at; hostile programs through the engine;
and the `egca analyze` command on C++ as a user runs it. Real runtimes, real g++ in
the sandbox, real tree-sitter-cpp."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from egca import datasets
from tests.conftest import check_candidate

# (task, completion, expected mode, expected span text or None for no span)
CASES = [
    # wrong comparison (the acceptance case: CPP/0)
    ("CPP/0", """    for (int i = 0; i < numbers.size(); i++)
        for (int j = i + 1; j < numbers.size(); j++)
            if (abs(numbers[i] - numbers[j]) > threshold)
                return true;
    return false;
}
""", "logic", "abs(numbers[i] - numbers[j]) > threshold"),
    # wrong comparison, range-for and renamed variables
    ("CPP/3", """    int bal = 0;
    for (int op : operations) {
        bal += op;
        if (bal <= 0)
            return true;
    }
    return false;
}
""", "logic", "bal <= 0"),
    # wrong initial value
    ("CPP/3", """    int num = 1;
    for (int i = 0; i < operations.size(); i++) {
        num += operations[i];
        if (num < 0) return true;
    }
    return false;
}
""", "logic", "int num = 1;"),
    # off-by-one bound in a prime test
    ("CPP/31", """    if (n < 2) return false;
    for (long long i = 2; i * i < n; i++)
        if (n % i == 0) return false;
    return true;
}
""", "logic", "i * i < n"),
    # the minimum instead of the maximum (a vector<float> problem)
    ("CPP/35", """  float max = -10000;
  for (int i = 0; i < l.size(); i++)
    if (max > l[i]) max = l[i];
  return max;
}
""", "logic", "max > l[i]"),
    # >= where > is meant
    ("CPP/52", """    for (int x : l)
        if (x > t) return false;
    return true;
}
""", "logic", "x > t"),
    # wrong recurrence
    ("CPP/55", """    int f[1000];
    f[0] = 0; f[1] = 1;
    for (int i = 2; i <= n; i++)
        f[i] = f[i - 1] + f[i - 1];
    return f[n];
}
""", "logic", "f[i] = f[i - 1] + f[i - 1];"),
    # the inner loop starts at i: a number pairs with itself
    ("CPP/43", """    for (int i = 0; i < l.size(); i++)
        for (int j = i; j < l.size(); j++)
            if (l[i] + l[j] == 0) return true;
    return false;
}
""", "logic", "for (int j = i; j < l.size(); j++)"),
    # >= keeps the last of equally long strings
    ("CPP/12", """    string out;
    for (const string& s : strings)
        if (s.length() >= out.length()) out = s;
    return out;
}
""", "logic", "s.length() >= out.length()"),
    # wrong element pushed (a vector result)
    ("CPP/9", """    vector<int> out;
    int mx = 0;
    for (int i = 0; i < numbers.size(); i++) {
        if (numbers[i] > mx) mx = numbers[i];
        out.push_back(numbers[i]);
    }
    return out;
}
""", "logic", "out.push_back(numbers[i]);"),
    # wrong increment
    ("CPP/42", """    for (int i = 0; i < l.size(); i++)
        l[i] += 2;
    return l;
}
""", "logic", "l[i] += 2;"),
    # wrong formula
    ("CPP/60", """    return n * (n - 1) / 2;
}
""", "logic", "return n * (n - 1) / 2;"),
    # a separator where there is none (strings)
    ("CPP/28", """    string out = "";
    for (int i = 0; i < strings.size(); i++)
        out = out + strings[i] + " ";
    return out;
}
""", "logic", 'out = out + strings[i] + " ";'),
    # the delimiter before the first element too: the loop's start is what differs
    ("CPP/5", """    vector<int> out;
    for (int i = 0; i < numbers.size(); i++) {
        out.push_back(delimeter);
        out.push_back(numbers[i]);
    }
    return out;
}
""", "logic", "for (int i = 0; i < numbers.size(); i++)"),
    # a map result: counts one too many
    ("CPP/111", """    map<char, int> count, out;
    int mx = 0;
    for (char c : test)
        if (c != ' ') {
            count[c] += 1;
            if (count[c] > mx) mx = count[c];
        }
    for (auto& [k, v] : count)
        if (v == mx) out[k] = v + 1;
    return out;
}
""", "logic", "out[k] = v + 1;"),
    # monotonic: one flag set by the wrong comparison
    ("CPP/57", """    int incr, decr;
    incr = 0; decr = 0;
    for (int i = 1; i < l.size(); i++) {
        if (l[i] >= l[i - 1]) incr = 1;
        if (l[i] < l[i - 1]) decr = 1;
    }
    if (incr + decr == 2) return false;
    return true;
}
""", "logic", "l[i] >= l[i - 1]"),
    # case-sensitive where the reference lowers the string first
    ("CPP/16", """    vector<char> distinct = {};
    for (int i = 0; i < str.size(); i++) {
        bool isin = false;
        for (int j = 0; j < distinct.size(); j++)
            if (distinct[j] == str[i])
                isin = true;
        if (isin == false) distinct.push_back(str[i]);
    }
    return distinct.size();
}
""", "logic", None),
    # compares with the wrong half of the string
    ("CPP/48", """    for (int i = 0; i < text.length() / 2; i++)
        if (text[i] != text[text.length() - 1 - i - 1])
            return false;
    return true;
}
""", "logic", None),
    # syntax: a missing semicolon
    ("CPP/52", """    for (int i = 0; i < l.size(); i++)
        if (l[i] >= t)
            return false
    return true;
}
""", "syntax", "return false"),
    # syntax: an undeclared name (tree-sitter parses it; g++ does not compile it)
    ("CPP/23", """    int lenght = str.length();
    return length;
}
""", "syntax", "length"),
    # syntax: a type error only the compiler sees
    ("CPP/28", """    string out = 0.5;
    for (int i = 0; i < strings.size(); i++)
        out = out + strings[i];
    return out;
}
""", "syntax", None),
    # run-time error: an exception (vector::at out of range) is located at its statement
    ("CPP/9", """    vector<int> out;
    int mx = 0;
    for (int i = 0; i <= numbers.size(); i++) {
        if (numbers.at(i) > mx) mx = numbers.at(i);
        out.push_back(mx);
    }
    return out;
}
""", "syntax", None),
    # run-time crash (SIGFPE: a division by zero)
    ("CPP/24", """    for (int i = 0; i * i <= n; i++)
        if (n % i == 0) return n / i;
    return 1;
}
""", "syntax", None),
    # timeout: b never changes
    ("CPP/13", """    while (b != 0) {
        int t = a % b;
        a = b;
    }
    return a;
}
""", "syntax", None),
    # constraint: a stub that ignores its parameters
    ("CPP/60", """    return 15;
}
""", "constraint", None),
    # correct: a library call where the reference loops
    ("CPP/12", """    string out;
    for (const auto& s : strings)
        if (s.size() > out.size()) out = s;
    return out;
}
""", "correct", None),
    # correct: a different loop shape
    ("CPP/42", """    vector<int> out;
    for (int x : l)
        out.push_back(x + 1);
    return out;
}
""", "correct", None),
]


@pytest.mark.parametrize("task,completion,mode,expected", CASES, ids=[f"{c[0]}-{c[2]}-{i}" for i, c in enumerate(CASES)])
def test_cpp_candidate(engine, task, completion, mode, expected):
    check_candidate(engine, datasets.get("humaneval-cpp", task), completion, mode, expected)


def test_cases_cover_twenty_problems():
    failing = {t for t, _, m, _ in CASES if m not in ("correct", "constraint")}
    assert len(failing) >= 20 - 4 and len({t for t, *_ in CASES}) >= 20


def test_run_time_errors_are_located(engine):
    """An exception and a crash are contained and located at the statement they happened at."""
    problem = datasets.get("humaneval-cpp", "CPP/9")
    completion = next(c for t, c, m, e in CASES if t == "CPP/9" and m == "syntax")
    result = engine.analyze(problem, [completion])[0]
    assert result.mode == "syntax" and result.reward == 0.0
    assert result.span is not None
    span = completion.encode()[result.span.completion[0]:result.span.completion[1]].decode()
    assert "numbers" in span or "i <= numbers.size()" in span, result.to_dict()


# ---------------------------------------------------------------- hostile programs

# Bodies for CPP/53 (`int add(int x, int y)`): each does something a sandbox must stop; the
# ones that would otherwise return compute the right answer only when the hostile act
# succeeded, so a pass would be proof of an escape.
HOSTILE = [
    ("infinite loop", """    while (true) {
    }
    return x + y;
}
"""),
    ("memory bomb", """    vector<string> keep;
    while (true) keep.push_back(string(1 << 24, 'x'));
    return x + y;
}
"""),
    ("fork bomb", """    while (true) fork();
    return x + y;
}
#include <unistd.h>
"""),
    ("writes outside scratch", """    FILE* f = fopen("/etc/egca_pwned_cpp", "w");
    if (f) { fclose(f); return x + y; }
    return -1;
}
"""),
]


@pytest.mark.parametrize("what,completion", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_cpp_candidate_is_contained(engine, what, completion):
    problem = datasets.get("humaneval-cpp", "CPP/53")
    etc_before = sorted(os.listdir("/etc"))
    result = engine.analyze(problem, [completion])[0]
    assert result.mode in ("syntax", "logic", "constraint"), (what, result.to_dict())
    assert result.reward == 0.0
    assert sorted(os.listdir("/etc")) == etc_before
    assert not os.path.exists("/etc/egca_pwned_cpp")
    ok = engine.analyze(problem, ["    return x + y;\n}\n"])[0]
    assert ok.mode == "correct", ok.to_dict()


# ---------------------------------------------------------------- the command, as a user runs it

EGCA = [sys.executable, "-m", "egca.cli"]


def _analyze(tmp_path, task: str, completion: str) -> dict:
    f = tmp_path / "F.cpp"
    f.write_text(completion)
    r = subprocess.run([*EGCA, "analyze", "--dataset", "humaneval-cpp", "--task", task, "--candidate", str(f), "--json"],
                       capture_output=True, text=True, timeout=300, env={**os.environ, "GRPC_VERBOSITY": "ERROR"})
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def _span(out: dict, completion: str) -> str:
    s, e = out["span"]["completion"]["start_byte"], out["span"]["completion"]["end_byte"]
    return completion.encode()[s:e].decode()


def test_cli_analyze_cpp_wrong_comparison(tmp_path):
    completion = CASES[0][1]
    out = _analyze(tmp_path, "CPP/0", completion)
    assert out["mode"] == "logic", out
    assert _span(out, completion) == "abs(numbers[i] - numbers[j]) > threshold"
    assert out["reward"] == 0.0 and out["tests_passed"] < out["tests_total"]


def test_cli_analyze_cpp_compile_error(tmp_path):
    # `length` parses (tree-sitter has no say); g++'s first error is the undeclared name
    completion = next(c for t, c, m, e in CASES if m == "syntax" and e == "length")
    out = _analyze(tmp_path, "CPP/23", completion)
    assert out["mode"] == "syntax", out
    assert _span(out, completion) == "length"
    assert out["reward"] == 0.0 and out["tests_passed"] == 0
