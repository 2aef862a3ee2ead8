"""Hand-written failing completions for humaneval-c problems, each with the mode and
the span a person debugging it would point at; hostile programs through the engine;
and the `egca analyze` command on C as a user runs it. Real runtimes, real gcc in the
sandbox, real tree-sitter-c."""

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
    # wrong comparison
    ("C/0", """    for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
            if (i != j) {
                double distance = fabs(numbers[i] - numbers[j]);
                if (distance > threshold)
                    return true;
            }
        }
    }
    return false;
}
""", "logic", "distance > threshold"),
    # wrong comparison, for->while rewrite and renamed variables
    ("C/3", """    int bal = 0;
    int k = 0;
    while (k < n) {
        bal = bal + operations[k];
        if (bal <= 0)
            return true;
        k++;
    }
    return false;
}
""", "logic", "bal <= 0"),
    # wrong initial value
    ("C/3", """    int balance = 1;
    for (int i = 0; i < n; i++) {
        balance += operations[i];
        if (balance < 0)
            return true;
    }
    return false;
}
""", "logic", "int balance = 1;"),
    # wrong arithmetic operator feeding a later decision: blame the assignment
    ("C/13", """    while (b != 0) {
        int t = a / b;
        a = b;
        b = t;
    }
    return a;
}
""", "logic", "int t = a / b;"),
    # wrong condition, renamed variables
    ("C/35", """    int best = l[0];
    for (int i = 1; i < n; i++) {
        if (l[i] < best)
            best = l[i];
    }
    return best;
}
""", "logic", "l[i] < best"),
    # off-by-one in a loop bound: the last position is never compared
    ("C/18", """    int len = strlen(str);
    int sub_len = strlen(substring);
    int count = 0;
    for (int i = 0; i + sub_len < len; i++) {
        if (strncmp(str + i, substring, sub_len) == 0)
            count++;
    }
    return count;
}
""", "logic", "i + sub_len < len"),
    # wrong arithmetic operator inside the condition of a triple loop
    ("C/40", """    for (int i = 0; i < n; i++) {
        for (int j = i + 1; j < n; j++) {
            for (int k = j + 1; k < n; k++) {
                if (l[i] + l[j] - l[k] == 0)
                    return true;
            }
        }
    }
    return false;
}
""", "logic", "l[i] + l[j] - l[k] == 0"),
    # off-by-one loop bound, the loop ends early
    ("C/49", """    int result = 1;
    for (int i = 0; i < n - 1; i++)
        result = (2 * result) % p;
    return result;
}
""", "logic", "i < n - 1"),
    # wrong initial value
    ("C/49", """    int result = 0;
    for (int i = 0; i < n; i++)
        result = (2 * result) % p;
    return result;
}
""", "logic", "int result = 0;"),
    # wrong initial value in an array
    ("C/46", """    int results[4] = {0, 0, 2, 1};
    if (n < 4)
        return results[n];
    for (int i = 4; i <= n; i++) {
        int next = results[0] + results[1] + results[2] + results[3];
        results[0] = results[1];
        results[1] = results[2];
        results[2] = results[3];
        results[3] = next;
    }
    return results[3];
}
""", "logic", "int results[4] = {0, 0, 2, 1};"),
    # wrong condition in a compound condition
    ("C/9", """    int *result = malloc(sizeof(int) * (n > 0 ? n : 1));
    int running_max = 0;
    for (int i = 0; i < n; i++) {
        if (i == 0 || numbers[i] < running_max)
            running_max = numbers[i];
        result[i] = running_max;
    }
    *out_n = n;
    return result;
}
""", "logic", "i == 0 || numbers[i] < running_max"),
    # wrong return value
    ("C/24", """    for (int i = n - 1; i > 0; i--) {
        if (n % i == 0)
            return n / i;
    }
    return 1;
}
""", "logic", "return n / i;"),
    # wrong comparison operator
    ("C/52", """    for (int i = 0; i < n; i++) {
        if (l[i] > t)
            return false;
    }
    return true;
}
""", "logic", "l[i] > t"),
    # wrong recursive call
    ("C/55", """    if (n == 0)
        return 0;
    if (n == 1)
        return 1;
    return fib(n - 1) + fib(n - 1);
}
""", "logic", "return fib(n - 1) + fib(n - 1);"),
    # wrong arithmetic operator in the returned expression
    ("C/2", """    int whole = (int)number;
    return number + whole;
}
""", "logic", "return number + whole;"),
    # wrong return expression
    ("C/23", """    int length = 0;
    while (str[length] != '\\0')
        length++;
    return length - 1;
}
""", "logic", "return length - 1;"),
    # wrong condition (zero counted as positive)
    ("C/30", """    int *result = malloc(sizeof(int) * (n > 0 ? n : 1));
    int count = 0;
    for (int i = 0; i < n; i++) {
        if (l[i] >= 0) {
            result[count] = l[i];
            count++;
        }
    }
    *out_n = count;
    return result;
}
""", "logic", "l[i] >= 0"),
    # inverted condition
    ("C/11", """    int len = strlen(a);
    char *result = malloc(len + 1);
    for (int i = 0; i < len; i++) {
        if (a[i] != b[i])
            result[i] = '0';
        else
            result[i] = '1';
    }
    result[len] = '\\0';
    return result;
}
""", "logic", "a[i] != b[i]"),
    # wrong comparison: a later string of the same length wins
    ("C/12", """    const char *best = NULL;
    int best_len = -1;
    for (int i = 0; i < n; i++) {
        int len = strlen(strings[i]);
        if (len >= best_len) {
            best = strings[i];
            best_len = len;
        }
    }
    return best;
}
""", "logic", "len >= best_len"),
    # missing statement: the index is not advanced after the delimiter, so the next
    # element overwrites it; a missing statement has no span, the first write that differs is blamed
    ("C/5", """    int *result = malloc(sizeof(int) * (n > 0 ? 2 * n - 1 : 1));
    int k = 0;
    for (int i = 0; i < n; i++) {
        if (i > 0) {
            result[k] = delimeter;
        }
        result[k] = numbers[i];
        k++;
    }
    *out_n = k;
    return result;
}
""", "logic", "result[k] = numbers[i];"),
    # missing statement in a shift register
    ("C/46", """    int results[4] = {0, 0, 2, 0};
    if (n < 4)
        return results[n];
    for (int i = 4; i <= n; i++) {
        int next = results[0] + results[1] + results[2] + results[3];
        results[1] = results[2];
        results[2] = results[3];
        results[3] = next;
    }
    return results[3];
}
""", "logic", "results[1] = results[2];"),
    # wrong count through an out-parameter (out-parameters are traced as the value they point to)
    ("C/30", """    int *result = malloc(sizeof(int) * (n > 0 ? n : 1));
    int count = 0;
    for (int i = 0; i < n; i++) {
        if (l[i] > 0) {
            result[count] = l[i];
            count++;
        }
    }
    *out_n = count - 1;
    return result;
}
""", "logic", "*out_n = count - 1;"),
    # wrong comparison inside a conditional expression (no BRANCH of its own: the statement)
    ("C/35", """    int max = l[0];
    for (int i = 1; i < n; i++)
        max = l[i] < max ? l[i] : max;
    return max;
}
""", "logic", "max = l[i] < max ? l[i] : max;"),
    # pointer walk instead of an index, wrong return
    ("C/23", """    const char *p = str;
    while (*p)
        p++;
    return (int)(p - str) - 1;
}
""", "logic", "return (int)(p - str) - 1;"),
    # syntax: a missing semicolon (gcc reports it at the next token, `}`; the statement lacking it is blamed)
    ("C/52", """    for (int i = 0; i < n; i++) {
        if (l[i] >= t)
            return false
    }
    return true;
}
""", "syntax", "return false"),
    # syntax: an undeclared name (tree-sitter parses it; gcc does not compile it)
    ("C/23", """    int length = 0;
    while (str[length] != '\\0')
        length++;
    return lenght;
}
""", "syntax", "lenght"),
    # syntax: a call error only the compiler sees
    ("C/35", """    int max = abs(l[0], 0);
    for (int i = 1; i < n; i++) {
        if (l[i] > max)
            max = l[i];
    }
    return max;
}
""", "syntax", "abs"),
    # run-time crash (SIGSEGV): the result array is never allocated; the crash's cause is
    # blamed (the NULL the reference's malloc'ed array never was), not the store that crashed
    ("C/9", """    int *result = NULL;
    int running_max = 0;
    for (int i = 0; i < n; i++) {
        if (i == 0 || numbers[i] > running_max)
            running_max = numbers[i];
        result[i] = running_max;
    }
    *out_n = n;
    return result;
}
""", "syntax", "int *result = NULL;"),
    # run-time crash (SIGFPE): the loop tests the wrong variable and divides by zero; the
    # crash's cause is blamed: the loop went on where the reference's stopped
    ("C/13", """    while (a != 0) {
        int t = a % b;
        a = b;
        b = t;
    }
    return a;
}
""", "syntax", "a != 0"),
    # timeout: b never changes
    ("C/13", """    while (b != 0) {
        int t = a % b;
        a = b;
    }
    return a;
}
""", "syntax", None),
    # constraint: a stub that ignores its parameters
    ("C/35", """    return 0;
}
""", "constraint", None),
    # correct: a library call where the reference loops
    ("C/23", """    return (int)strlen(str);
}
""", "correct", None),
    # correct: a different loop shape
    ("C/35", """    int best = l[n - 1];
    int i = n - 2;
    while (i >= 0) {
        if (l[i] > best)
            best = l[i];
        i--;
    }
    return best;
}
""", "correct", None),
    # wrong initial value of an accumulator
    ("C/4", """    double sum = 0.0;
    for (int i = 0; i < n; i++)
        sum += numbers[i];
    double mean = sum / n;
    double deviation = 1.0;
    for (int i = 0; i < n; i++)
        deviation += fabs(numbers[i] - mean);
    return deviation / n;
}
""", "logic", "double deviation = 1.0;"),
    # off-by-one start of an inner loop: a number pairs with itself
    ("C/43", """    for (int i = 0; i < n; i++) {
        for (int j = i; j < n; j++) {
            if (l[i] + l[j] == 0)
                return true;
        }
    }
    return false;
}
""", "logic", "for (int j = i; j < n; j++)"),
    # wrong condition in one of two flags
    ("C/57", """    bool increasing = true;
    bool decreasing = true;
    for (int i = 1; i < n; i++) {
        if (l[i] < l[i - 1])
            increasing = false;
        if (l[i] >= l[i - 1])
            decreasing = false;
    }
    return increasing || decreasing;
}
""", "logic", "l[i] >= l[i - 1]"),
]


@pytest.mark.parametrize("task,completion,mode,expected", CASES, ids=[f"{c[0]}-{c[2]}-{i}" for i, c in enumerate(CASES)])
def test_c_candidate(engine, task, completion, mode, expected):
    check_candidate(engine, datasets.get("humaneval-c", task), completion, mode, expected)


# ---------------------------------------------------------------- hostile programs

# Bodies for C/23 (`int string_length(const char *str)`). Each does something a
# sandbox must stop; the ones that would otherwise return normally compute the right
# answer only when the hostile act failed, so "correct" is proof of containment.
HOSTILE = [
    ("infinite loop", """    while (1) {
    }
    return (int)strlen(str);
}
""", ("syntax",)),
    ("malloc bomb", """    for (;;) {
        char *p = malloc(1 << 20);
        if (!p)
            return *(volatile int *)0;
        memset(p, 1, 1 << 20);
    }
    return (int)strlen(str);
}
""", ("syntax",)),
    ("fork bomb", """    int fork(void);
    for (int i = 0; i < 1000; i++) {
        if (fork() == 0) {
            for (;;) {
            }
        }
    }
    for (;;) {
    }
    return (int)strlen(str);
}
""", ("syntax",)),
    ("system", """    int r = system("echo pwned > /etc/egca_pwned_c; echo pwned > /tmp/egca_pwned_c");
    (void)r;
    return (int)strlen(str);
}
""", ("correct",)),
    ("socket", """    int socket(int domain, int type, int protocol);
    int connect(int fd, const void *addr, unsigned int len);
    unsigned char addr[16] = {2, 0, 0, 80, 1, 1, 1, 1};
    int s = socket(2, 1, 0);
    if (s >= 0 && connect(s, addr, sizeof addr) == 0)
        return -7;
    return (int)strlen(str);
}
""", ("correct",)),
    ("stack overflow", """    volatile char pad[256];
    pad[0] = str[0];
    return string_length(str) + pad[0];
}
""", ("syntax",)),
    ("write outside the scratch directory", """    FILE *f = fopen("/etc/egca_pwned_c", "w");
    if (f != NULL) {
        fputs("pwned", f);
        fclose(f);
        return -1;
    }
    FILE *g = fopen("../egca_pwned_c", "w");
    if (g != NULL) {
        fclose(g);
        return -2;
    }
    return (int)strlen(str);
}
""", ("correct",)),
]

PWNED = ("/etc/egca_pwned_c", "/tmp/egca_pwned_c")


@pytest.mark.parametrize("what,completion,modes", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_c_candidate_is_contained(engine, what, completion, modes):
    import time
    problem = datasets.get("humaneval-c", "C/23")
    etc_before = sorted(os.listdir("/etc"))
    t0 = time.monotonic()
    result = engine.analyze(problem, [completion])[0]
    elapsed = time.monotonic() - t0
    assert result.mode in modes, (what, result.to_dict())
    if result.mode == "syntax":
        assert result.reward == 0.0
    # The engine's runs have a 3 s clock (conftest); a generous bound only catches a hang.
    assert elapsed < 90, elapsed
    assert sorted(os.listdir("/etc")) == etc_before
    assert not any(os.path.exists(p) for p in PWNED)
    # the runtime is still healthy: a correct completion still runs and passes
    ok = engine.analyze(problem, ["    return (int)strlen(str);\n}\n"])[0]
    assert ok.mode == "correct", ok.to_dict()
    assert engine.runtimes.client("c").info().language == "c"


# ---------------------------------------------------------------- the command, as a user runs it

EGCA = [sys.executable, "-m", "egca.cli"]


def _analyze(tmp_path, task: str, completion: str) -> dict:
    f = tmp_path / "F.c"
    f.write_text(completion)
    r = subprocess.run([*EGCA, "analyze", "--dataset", "humaneval-c", "--task", task, "--candidate", str(f), "--json"],
                       capture_output=True, text=True, timeout=180, env={**os.environ, "GRPC_VERBOSITY": "ERROR"})
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def _span(out: dict, completion: str) -> str:
    s, e = out["span"]["completion"]["start_byte"], out["span"]["completion"]["end_byte"]
    return completion.encode()[s:e].decode()


def test_cli_analyze_c_wrong_comparison(tmp_path):
    completion = CASES[0][1]
    out = _analyze(tmp_path, "C/0", completion)
    assert out["mode"] == "logic", out
    assert _span(out, completion) == "distance > threshold"
    assert out["reward"] == 0.0 and out["tests_passed"] < out["tests_total"]
    assert out["divergence"]["candidate"]["start_line"] == out["divergence"]["candidate"]["end_line"]


def test_cli_analyze_c_compile_error(tmp_path):
    # `lenght` parses (tree-sitter has no say); gcc's first error is the undeclared name
    completion = next(c for t, c, m, e in CASES if m == "syntax" and e == "lenght")
    out = _analyze(tmp_path, "C/23", completion)
    assert out["mode"] == "syntax", out
    assert _span(out, completion) == "lenght"
    assert out["reward"] == 0.0 and out["tests_passed"] == 0
    assert "lenght" in out["divergence"]["reason"]


def test_crash_caused_by_a_wrong_loop_bound_is_blamed_on_the_bound(engine):
    """The loop starts at 0 where the reference's starts at 2: `n % k` then divides by zero
    (SIGFPE). The cause, the loop's bound, is blamed; the crash stays in the reason."""
    problem = datasets.get("humaneval-c", "C/31")
    completion = """    if (n < 2)
        return false;
    for (long long k = 0; k * k <= n; k++) {
        if (n % k == 0)
            return false;
    }
    return true;
}
"""
    result = engine.analyze(problem, [completion])[0]
    assert result.mode == "syntax"
    s, e = result.span.completion
    assert completion[s:e] == "for (long long k = 0; k * k <= n; k++)"
    s, e = result.narrowed.completion
    assert completion[s:e] == "0"
    assert "later crashed at `if (n % k == 0)`" in result.divergence.reason and result.divergence.crash is not None


def test_one_wrong_operator_is_narrowed_to_the_operation(engine):
    problem = datasets.get("humaneval-c", "C/53")
    completion = "    return x - y;\n}\n"
    result = engine.analyze(problem, [completion])[0]
    assert result.mode == "logic"
    s, e = result.narrowed.completion
    assert completion[s:e] == "x - y"
