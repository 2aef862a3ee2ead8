"""Hand-written failing completions for HumanEval/MBPP problems, each with the
mode and the span a person debugging it would point at. Real runtimes, real
tree-sitter, real sandboxed runs and traces."""

from __future__ import annotations

import pytest

from egca import datasets
from tests.conftest import check_candidate, span_text

# (task, completion, expected mode, expected span text or None for no span)
CASES = [
    # wrong comparison
    ("HumanEval/0", """    for idx, elem in enumerate(numbers):
        for idx2, elem2 in enumerate(numbers):
            if idx != idx2:
                distance = abs(elem - elem2)
                if distance > threshold:
                    return True

    return False
""", "logic", "distance > threshold"),
    # wrong comparison, for->while rewrite and renamed variables
    ("HumanEval/3", """    bal = 0
    i = 0
    while i < len(operations):
        bal = bal + operations[i]
        if bal <= 0:
            return True
        i += 1
    return False
""", "logic", "bal <= 0"),
    # wrong initial value
    ("HumanEval/3", """    balance = 1

    for op in operations:
        balance += op
        if balance < 0:
            return True

    return False
""", "logic", "balance = 1"),
    # README, Alignment: a wrong value feeding a later decision: blame the assignment
    ("HumanEval/13", """    while b:
        a, b = b, a // b
    return a
""", "logic", "a, b = b, a // b"),
    # README, Alignment: renamed variables, wrong condition
    ("HumanEval/35", """    best = l[0]
    for x in l:
        if x < best:
            best = x
    return best
""", "logic", "x < best"),
    # README, Alignment: a helper loop computes the same intermediate differently; the bug is the test after it
    ("HumanEval/12", """    if not strings:
        return None
    longest_len = 0
    for x in strings:
        if len(x) > longest_len:
            longest_len = len(x)
    for s in strings:
        if len(s) > longest_len:
            return s
""", "logic", "len(s) > longest_len"),
    # off-by-one in a loop bound
    ("HumanEval/18", """    times = 0

    for i in range(len(string) - len(substring)):
        if string[i:i+len(substring)] == substring:
            times += 1

    return times
""", "logic", "for i in range(len(string) - len(substring))"),
    # wrong arithmetic operator inside a condition of a triple loop
    ("HumanEval/40", """    for i in range(len(l)):
        for j in range(i + 1, len(l)):
            for k in range(j + 1, len(l)):
                if l[i] + l[j] - l[k] == 0:
                    return True
    return False
""", "logic", "l[i] + l[j] - l[k] == 0"),
    # off-by-one loop bound, the loop ends early
    ("HumanEval/49", """    ret = 1
    for i in range(n - 1):
        ret = (2 * ret) % p
    return ret
""", "logic", "for i in range(n - 1)"),
    # wrong initial value
    ("HumanEval/49", """    ret = 0
    for i in range(n):
        ret = (2 * ret) % p
    return ret
""", "logic", "ret = 0"),
    # wrong initial value in a list
    ("HumanEval/46", """    results = [0, 0, 2, 1]
    if n < 4:
        return results[n]

    for _ in range(4, n + 1):
        results.append(results[-1] + results[-2] + results[-3] + results[-4])
        results.pop(0)

    return results[-1]
""", "logic", "results = [0, 0, 2, 1]"),
    # missing statement: the delimiter is never appended; a missing statement has no
    # span of its own, so credit goes to the first write that differs (the next append)
    ("HumanEval/5", """    if not numbers:
        return []

    result = []

    for n in numbers[:-1]:
        result.append(n)

    result.append(numbers[-1])

    return result
""", "logic", "result.append(n)"),
    # wrong function
    ("HumanEval/9", """    running_max = None
    result = []

    for n in numbers:
        if running_max is None:
            running_max = n
        else:
            running_max = min(running_max, n)

        result.append(running_max)

    return result
""", "logic", "running_max = min(running_max, n)"),
    # wrong return value
    ("HumanEval/24", """    for i in reversed(range(n)):
        if n % i == 0:
            return n // i
""", "logic", "return n // i"),
    # wrong comparison operator
    ("HumanEval/52", """    for e in l:
        if e > t:
            return False
    return True
""", "logic", "e > t"),
    # wrong recursive call
    ("HumanEval/55", """    if n == 0:
        return 0
    if n == 1:
        return 1
    return fib(n - 1) + fib(n - 1)
""", "logic", "return fib(n - 1) + fib(n - 1)"),
    # wrong arithmetic operator
    ("HumanEval/2", "    return number // 1.0\n", "logic", "return number // 1.0"),
    # wrong return expression
    ("HumanEval/23", "    return len(string) - 1\n", "logic", "return len(string) - 1"),
    # wrong update in an accumulation (renamed accumulator)
    ("HumanEval/49", """    acc = 1
    for _ in range(n):
        acc = (acc * 3) % p
    return acc
""", "logic", "acc = (acc * 3) % p"),
    # syntax: missing colon
    ("HumanEval/52", """    for e in l
        if e >= t:
            return False
    return True
""", "syntax", "for e in l"),
    # syntax: unbalanced parenthesis
    ("HumanEval/23", "    return len(string\n", "syntax", "return len(string"),
    # run-time crash: index out of range
    ("HumanEval/35", """    m = l[len(l)]
    for e in l:
        if e > m:
            m = e
    return m
""", "syntax", "m = l[len(l)]"),
    # run-time crash: name error
    ("HumanEval/23", "    return lenght(string)\n", "syntax", "return lenght(string)"),
    # timeout: an infinite loop
    ("HumanEval/13", """    while b:
        a, b = b, a
    return a
""", "syntax", "while b"),
    # constraint: a stub that ignores its input
    ("HumanEval/35", "    return 0\n", "constraint", None),
    # correct, with a built-in where the reference loops
    ("HumanEval/35", "    return max(l)\n", "correct", None),
    ("HumanEval/0", """    s = sorted(numbers)
    for a, b in zip(s, s[1:]):
        if b - a < threshold:
            return True
    return False
""", "correct", None),
]


@pytest.mark.parametrize("task,completion,mode,expected", CASES, ids=[f"{c[0]}-{c[2]}-{i}" for i, c in enumerate(CASES)])
def test_python_candidate(engine, task, completion, mode, expected):
    check_candidate(engine, datasets.get("humaneval", task), completion, mode, expected)


# MBPP: the completion is the whole program (the prompt is a comment header).
MBPP_CASES = [
    # wrong condition
    ("Mbpp/3", """import math
def is_not_prime(n):
    result = False
    for i in range(2,int(math.sqrt(n)) + 1):
        if n % i == 1:
            result = True
    return result
""", "logic", "n % i == 1"),
    # wrong update
    ("Mbpp/66", """def pos_count(list):
  pos_count= 0
  for num in list:
    if num >= 0:
      pos_count += 2
  return pos_count
""", "logic", "pos_count += 2"),
    # wrong arithmetic operator
    ("Mbpp/57", """def find_Max_Num(arr) :
    n = len(arr)
    arr.sort(reverse = True)
    num = arr[0]
    for i in range(1,n) :
        num = num * 10 - arr[i]
    return num
""", "logic", "num = num * 10 - arr[i]"),
    # wrong argument of a recursive call: blame the call site
    ("Mbpp/65", """def recursive_list_sum(data_list):
	total = 0
	for element in data_list:
		if type(element) == type([]):
			total = total + recursive_list_sum(element[1:])
		else:
			total = total + element
	return total
""", "logic", "total = total + recursive_list_sum(element[1:])"),
    # wrong initial value
    ("Mbpp/83", """def get_Char(strr):
    summ = 1
    for i in range(len(strr)):
        summ += (ord(strr[i]) - ord('a') + 1)
    if (summ % 26 == 0):
        return ord('z')
    else:
        summ = summ % 26
        return chr(ord('a') + summ - 1)
""", "logic", "summ = 1"),
]


@pytest.mark.parametrize("task,completion,mode,expected", MBPP_CASES, ids=[c[0] for c in MBPP_CASES])
def test_mbpp_candidate(engine, task, completion, mode, expected):
    check_candidate(engine, datasets.get("mbpp", task), completion, mode, expected)


def test_chat_completion_in_fences(engine):
    """A chat answer rewriting the whole function inside a Markdown fence: the span is
    reported in the completion's own bytes."""
    problem = datasets.get("humaneval", "HumanEval/52")
    completion = ("Here is the function:\n\n```python\ndef below_threshold(l: list, t: int):\n"
                  "    for e in l:\n        if e > t:\n            return False\n    return True\n```\n"
                  "It checks every element.\n")
    result = engine.analyze(problem, [completion])[0]
    assert result.mode == "logic"
    assert span_text(problem, result, completion) == "e > t"


def test_group_weights_sum_to_one(engine):
    problem = datasets.get("humaneval", "HumanEval/52")
    good = problem.reference
    bad = "    for e in l:\n        if e > t:\n            return False\n    return True\n"
    offsets = [[(i, min(i + 3, len(c.encode()))) for i in range(0, len(c.encode()), 3)] for c in (good, bad)]
    results = engine.analyze(problem, [good, bad], token_offsets=offsets)
    assert [r.mode for r in results] == ["correct", "logic"]
    for r, offs in zip(results, offsets):
        assert abs(sum(r.token_weights) - 1.0) < 1e-9 and len(r.token_weights) == len(offs)
    assert len(set(results[0].token_weights)) == 1                      # uniform for correct
    s, e = results[1].span.completion
    on = [w for (a, b), w in zip(offsets[1], results[1].token_weights) if a < e and b > s]
    assert on and all(w > 0 for w in on) and abs(sum(on) - 1.0) < 1e-9  # all mass on the span


# --- sub-statement spans and crash causes ---------------------------------------------------------

def _text(completion: str, span) -> str:
    s, e = span.completion
    return completion.encode("utf-8")[s:e].decode("utf-8")


@pytest.mark.parametrize("task,completion,statement,narrowed", [
    # one wrong operator on a one-line completion: the operator with its operands
    ("HumanEval/53", "    return x - y\n", "return x - y", "x - y"),
    # one element of a parallel assignment
    ("HumanEval/13", "    while b:\n        a, b = b, a // b\n    return a\n", "a, b = b, a // b", "a // b"),
    # a loop bound: the argument that differs
    ("HumanEval/18", """    times = 0

    for i in range(len(string) - len(substring)):
        if string[i:i+len(substring)] == substring:
            times += 1

    return times
""", "for i in range(len(string) - len(substring))", "len(string) - len(substring)"),
    # another function called: the call
    ("HumanEval/9", """    running_max = None
    result = []

    for n in numbers:
        if running_max is None:
            running_max = n
        else:
            running_max = min(running_max, n)

        result.append(running_max)

    return result
""", "running_max = min(running_max, n)", "min(running_max, n)"),
])
def test_narrowed_span_is_the_part_that_differs(engine, task, completion, statement, narrowed):
    problem = datasets.get("humaneval", task)
    offsets = [(i, i + 1) for i in range(len(completion.encode()))]
    result = engine.analyze(problem, [completion], token_offsets=[offsets], weighting="narrow")[0]
    assert result.mode == "logic"
    assert _text(completion, result.span) == statement
    assert _text(completion, result.narrowed) == narrowed
    # `narrow`: all the credit on the narrowed part; the JSON carries both spans.
    s, e = result.narrowed.completion
    assert abs(sum(w for (a, b), w in zip(offsets, result.token_weights) if s <= a and b <= e) - 1.0) < 1e-9
    d = result.to_dict()
    assert d["span"]["completion"] == {"start_byte": result.span.completion[0], "end_byte": result.span.completion[1]}
    assert d["narrowed"]["completion"] == {"start_byte": s, "end_byte": e}
    assert d["narrowed"]["program"]["start_byte"] >= d["span"]["program"]["start_byte"]


def test_narrow_mix_weighting_splits_credit_between_narrowed_and_statement(engine):
    problem, completion = datasets.get("humaneval", "HumanEval/53"), "    return x - y\n"
    offsets = [(i, i + 1) for i in range(len(completion.encode()))]
    result = engine.analyze(problem, [completion], token_offsets=[offsets], weighting="narrow_mix")[0]
    w = result.token_weights
    assert abs(sum(w) - 1.0) < 1e-9
    on_narrow = [w[i] for i in range(len(w)) if 11 <= i < 16]     # `x - y`
    on_rest = [w[i] for i in range(len(w)) if 4 <= i < 11]        # `return `
    assert min(on_narrow) > max(on_rest) > 0 and all(x == 0 for x in w[:4])


def test_identical_statement_keeps_the_statement_as_narrowed(engine):
    """A wrong value flowing into an unchanged statement: nothing narrower is justified."""
    problem = datasets.get("humaneval", "HumanEval/3")
    completion = "    balance = 1\n\n    for op in operations:\n        balance += op\n        if balance < 0:\n" \
                 "            return True\n\n    return False\n"
    result = engine.analyze(problem, [completion])[0]
    assert _text(completion, result.span) == "balance = 1"
    assert _text(completion, result.narrowed) == "1"


def test_crash_caused_by_a_wrong_loop_bound_is_blamed_on_the_bound(engine):
    """The loop runs one index too far; the element comparison then raises IndexError."""
    problem = datasets.get("humaneval", "HumanEval/48")
    completion = "    for i in range(len(text) + 1):\n        if text[i] != text[len(text) - 1 - i]:\n" \
                 "            return False\n    return True\n"
    result = engine.analyze(problem, [completion])[0]
    assert result.mode == "syntax"
    assert _text(completion, result.span) == "for i in range(len(text) + 1)"
    assert _text(completion, result.narrowed) == "len(text) + 1"
    d = result.to_dict()["divergence"]
    assert d["kind"] in ("branch", "value") and "later crashed at `if text[i] != text[len(text) - 1 - i]`" in d["reason"]
    assert "IndexError" in d["reason"] and d["crash"]["start_line"] == result.divergence.candidate.start_line + 1


def test_crash_with_nothing_earlier_keeps_the_crash_site(engine):
    problem = datasets.get("humaneval", "HumanEval/35")
    completion = "    m = l[len(l)]\n    for e in l:\n        if e > m:\n            m = e\n    return m\n"
    result = engine.analyze(problem, [completion])[0]
    assert result.mode == "syntax" and result.divergence.kind == "error" and result.divergence.crash is None
    assert _text(completion, result.span) == "m = l[len(l)]"


def test_analyze_json_narrows_a_one_line_wrong_operator(tmp_path):
    """Acceptance: `egca analyze --json` on a one-line completion with one wrong operator."""
    import json
    import subprocess
    import sys

    cand = tmp_path / "c.txt"
    cand.write_text("    return x - y\n")
    out = subprocess.run([sys.executable, "-m", "egca.cli", "analyze", "--dataset", "humaneval", "--task",
                          "HumanEval/53", "--candidate", str(cand), "--json", "--weighting", "narrow"],
                         capture_output=True, text=True, check=True)
    d = json.loads(out.stdout)
    n, s = d["narrowed"]["completion"], d["span"]["completion"]
    assert "    return x - y\n"[n["start_byte"]:n["end_byte"]] == "x - y"
    assert "    return x - y\n"[s["start_byte"]:s["end_byte"]] == "return x - y"


def test_a_failing_candidate_is_traced_inside_its_test_run(engine, monkeypatch):
    """The candidate's trace comes with its test run (RunRequest.trace_failure): one sandboxed
    run, not two; the analysis is the one a Trace call of its own gives (trace_in_run=False)."""
    from egca.compose import compose
    from egca.plugin import get_adapter

    cases = [("HumanEval/3", CASES[2][1]),      # logic: wrong initial value
             ("HumanEval/48", "    for i in range(len(text) + 1):\n        if text[i] != text[len(text) - 1 - i]:\n"
                              "            return False\n    return True\n")]      # crash caused earlier
    client = engine.runtimes.client("python")
    real, traced = client.trace, []

    def counting_trace(program, test, limits=None, compact=True):   # the real call, counted
        traced.append(program)
        return real(program, test, limits, compact)

    monkeypatch.setattr(client, "trace", counting_trace)
    for task, completion in cases:
        problem = datasets.get("humaneval", task)
        program = compose(get_adapter("python"), problem, completion)[0]
        fused = engine.analyze(problem, [completion])[0]
        assert fused.mode in ("logic", "syntax") and fused.span is not None and program not in traced
        engine.config.trace_in_run = False
        try:
            separate = engine.analyze(problem, [completion])[0]
        finally:
            engine.config.trace_in_run = True
        assert program in traced
        assert (fused.mode, fused.span, fused.narrowed, fused.divergence.reason) == \
            (separate.mode, separate.span, separate.narrowed, separate.divergence.reason)
