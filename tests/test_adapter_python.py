"""PythonAdapter on real tree-sitter-python: spans, syntax errors, test splitting, the gate.

Split test cases are only compile()d here, never executed: running them is the sandboxed
runtime's job.
"""

import re
import sys
import warnings

import pytest

import egca.datasets as datasets
from egca.errors import InvalidInput
from egca.core import GateConfig, Range
from egca.plugin import available_adapters, get_adapter, preorder
from egca_python import PythonAdapter
from egca_python.datasets import split_humaneval_tests


@pytest.fixture(scope="module")
def py():
    return get_adapter("python")


def text(program: bytes, rng: Range) -> bytes:
    return program[rng.start_byte:rng.end_byte]


def span(program: bytes, needle: bytes, length: int | None = None) -> Range:
    i = program.index(needle)
    return Range.of_bytes(program, i, i + (len(needle) if length is None else length))


# --- registration -----------------------------------------------------------------------------

def test_registered_through_the_entry_point(py):
    assert available_adapters()["python"] is PythonAdapter
    assert isinstance(py, PythonAdapter) and py.name == "python"
    assert "py" in py.fence_names
    assert py.local_runtime_command(5071) == [sys.executable, "-m", "egca_runtime_python",
                                              "--host", "127.0.0.1", "--port", "5071"]


def test_declared_node_types_exist_in_the_grammar(py):
    lang = py.ts_language()
    for kind in py.statement_types | py.loop_types | py.function_types | py.call_types | set(py.condition_fields):
        assert lang.id_for_node_kind(kind, True) is not None, kind


# --- spans ------------------------------------------------------------------------------------

PROGRAM = (b"def f(x):  # c\n"          # 0..14
           b"    if x > 1:  # why\n"    # 15..35   `if` at 19
           b"        return 1\n"        # 36..52   `return 1` at 44..52
           b"    elif x < 0: return 2\n"
           b"    else:\n"
           b"        pass\n"
           b"    for i in range(3):\n"
           b"        x += i\n"
           b"    while x: x -= 1\n"
           b"    y = 1 if x > 2 else 2\n"
           b"    a = 1; b = 2\n"
           b"    return (x +\n"
           b"            y)\n")


def test_statement_range_of_body_statement_and_header(py):
    r = py.statement_range(PROGRAM, Range.of_bytes(PROGRAM, 51, 52))  # the `1` of `return 1`
    assert (r.start_byte, r.end_byte, r.start_line, r.end_line) == (44, 52, 3, 3)
    r = py.statement_range(PROGRAM, Range.of_bytes(PROGRAM, 44, 52))  # exactly the statement
    assert (r.start_byte, r.end_byte) == (44, 52)
    r = py.statement_range(PROGRAM, Range.of_bytes(PROGRAM, 22, 27))  # `x > 1`
    assert (r.start_byte, r.end_byte, r.start_line) == (19, 27, 2)
    assert text(PROGRAM, r) == b"if x > 1"


@pytest.mark.parametrize("needle, header", [
    (b"elif", b"elif x < 0"),
    (b"else:", b"else"),
    (b"for i", b"for i in range(3)"),
    (b"while", b"while x"),
    (b"def", b"def f(x)"),
    (b"a = 1", b"a = 1"),
])
def test_headers_stop_before_the_colon(py, needle, header):
    assert text(PROGRAM, py.statement_range(PROGRAM, span(PROGRAM, needle))) == header


def test_multiline_statement_is_whole(py):
    r = py.statement_range(PROGRAM, span(PROGRAM, b"y)"))
    assert text(PROGRAM, r) == b"return (x +\n            y)" and (r.start_line, r.end_line) == (12, 13)


@pytest.mark.parametrize("needle, condition", [
    (b"if x > 1", b"x > 1"),
    (b"elif x < 0", b"x < 0"),
    (b"while x", b"x"),
    (b"for i in range(3)", b"for i in range(3)"),   # no condition expression: the header
    (b"range(3)", b"for i in range(3)"),
    (b"1 if x > 2 else 2", b"x > 2"),               # conditional expression
    (b"return 1", b"return 1"),                     # not a branch: the statement
])
def test_condition_range(py, needle, condition):
    assert text(PROGRAM, py.condition_range(PROGRAM, span(PROGRAM, needle))) == condition


def test_condition_range_exact_bytes(py):
    r = py.condition_range(PROGRAM, Range.of_bytes(PROGRAM, 19, 27))
    assert (r.start_byte, r.end_byte, r.start_line, r.end_line) == (22, 27, 2, 2)


def test_decorated_definition_header(py):
    src = b"@cache\ndef g(n):\n    return n\n"
    assert text(src, py.statement_range(src, span(src, b"cache"))) == b"@cache\ndef g(n)"


@pytest.mark.parametrize("line, expected", [
    (1, b"def f(x)"), (2, b"if x > 1"), (3, b"return 1"), (5, b"else"), (8, b"x += i"),
    (11, b"a = 1"),                       # first statement of a line with two
    (13, b"return (x +\n            y)"),  # continuation line: the statement it continues
    (14, b"return (x +\n            y)"),  # past the end: the last line with text
    (99, b"return (x +\n            y)"),
])
def test_error_range_by_line(py, line, expected):
    assert text(PROGRAM, py.error_range(PROGRAM, line)) == expected


# --- syntax errors ----------------------------------------------------------------------------

@pytest.mark.parametrize("program, expected", [
    (b"def f(x)\n    return x\n", b"def f(x)"),                                     # missing colon
    (b"def f(x):\n    for i in range(x)\n        print(i)\n    return x\n", b"for i in range(x)"),
    (b"def f(x):\n    return (x + 1\n", b"return (x + 1"),                         # unbalanced paren
    (b"def f(x):\n    return x)\n", b"return x)"),
    (b"def f(x):\n    s = \"abc\n    return s\n", b"\""),                          # unterminated string
    (b"def f(x):\n  if x == 1:\n    return 1\n  else\n    return 2\n", b"else"),
    (b"def f(x):\n    return x +\n", b"return x +"),
])
def test_syntax_error_spans(py, program, expected):
    r = py.syntax_error(program)
    assert r is not None and text(program, r) == expected
    assert r.start_line == r.end_line


def test_valid_programs_have_no_syntax_error(py):
    assert py.syntax_error(PROGRAM) is None
    assert py.syntax_error(b"def f(x):\n    retrun = x\n    return retrun\n") is None


# --- HumanEval splitting ----------------------------------------------------------------------

def test_every_humaneval_test_case_compiles_and_counts_are_sensible(py):
    problems = datasets.load("humaneval")
    counts = [len(p.tests) for p in problems]
    for p in problems:
        compile(p.reference_program, p.task_id, "exec")
        for t in p.tests:
            compile(t.code, f"{p.task_id} test {t.id}", "exec")
            assert f"candidate = {p.entry_point}\n" in t.code
            assert "assert True" not in t.code
        assert [t.id for t in p.tests] == [str(i) for i in range(len(p.tests))]
    print(f"\nHumanEval: {sum(counts)} tests, {sum(c == 1 for c in counts)} problems with 1 test, max {max(counts)}")
    assert sum(counts) == 1133 and min(counts) == 1 and sum(c == 1 for c in counts) == 4


def test_humaneval_case_layout():
    test = ("\n\nMETADATA = {}\n\n\ndef check(candidate):\n    import math\n    xs = [1, 2]\n"
            "    assert candidate(xs) == 3\n    # a comment\n    assert True, \"debug\"\n"
            "    for x in xs:\n        assert candidate([x]) == x\n")
    cases = split_humaneval_tests(test, "total", get_adapter("python").parse)
    assert [c.code for c in cases] == [
        "METADATA = {}\ncandidate = total\nimport math\nxs = [1, 2]\nassert candidate(xs) == 3\n",
        "METADATA = {}\ncandidate = total\nimport math\nxs = [1, 2]\nfor x in xs:\n    assert candidate([x]) == x\n",
    ]


def test_dedent_keeps_multiline_strings(py):
    test = 'def check(candidate):\n    assert candidate("""a\n  b""") == 1\n'
    (case,) = split_humaneval_tests(test, "f", py.parse)
    assert case.code.endswith('assert candidate("""a\n  b""") == 1\n')


def test_loop_with_setup_and_helpers_is_one_case(py):
    p = datasets.get("humaneval", "HumanEval/32")
    (case,) = p.tests
    assert case.code.startswith("METADATA = {}\ncandidate = find_zero\nimport math\nimport random\n")
    assert "\nfor _ in range(100):\n    ncoeff" in case.code


def test_split_needs_check(py):
    with pytest.raises(InvalidInput, match="no check"):
        split_humaneval_tests("assert f(1) == 2\n", "f", py.parse, "X/1")


# --- MBPP ---------------------------------------------------------------------------------------

def test_mbpp_problems(py):
    problems = datasets.load("mbpp")
    assert sum(len(p.tests) for p in problems) == 1324
    for p in problems:
        program = p.reference_program
        with warnings.catch_warnings():  # upstream code has "\w" in a plain string (Mbpp/305)
            warnings.simplefilter("ignore", DeprecationWarning)
            compile(program, p.task_id, "exec")
        assert py.syntax_error(program.encode()) is None
        assert re.search(rf"^(def|class) {p.entry_point}\b", p.reference, re.M), p.task_id
        assert p.reference.endswith("\n") and "\r" not in p.reference
        for t in p.tests:
            compile(t.code, p.task_id, "exec")
    p = datasets.get("mbpp", "Mbpp/2")
    assert p.entry_point == "similar_elements"  # not `set`, the first callee of the assert
    assert p.prompt.startswith("# Write a function to find the shared elements from the given two lists.\n"
                               "# Your code should pass these tests:\n# assert set(similar_elements(")
    assert p.tests[0].code == "assert set(similar_elements((3, 4, 5, 6),(5, 7, 4, 10))) == set((4, 5))\n"
    math_test = datasets.get("mbpp", "Mbpp/98").tests[0].code
    assert math_test.startswith("import math\nassert math.isclose(multiply_num(")


# --- constraint gate ----------------------------------------------------------------------------

def for_to_while(py, program: bytes) -> bytes | None:
    """Rewrite the first multi-line `for x in it:` as an index-based `while` (a correct rewrite)."""
    for n in preorder(py.parse(program).root_node):
        body = n.child_by_field_name("body")
        if n.type != "for_statement" or n.child_by_field_name("alternative") or body.start_point[0] == n.start_point[0]:
            continue
        ind = program[n.start_byte - n.start_point[1]:n.start_byte]
        bind = program[body.start_byte - body.start_point[1]:body.start_byte]
        left, right = n.child_by_field_name("left").text, n.child_by_field_name("right").text
        head = (b"_it = list(" + right + b")\n" + ind + b"_i = 0\n" + ind + b"while _i < len(_it):\n"
                + bind + left + b" = _it[_i]\n" + bind + b"_i += 1\n" + bind)
        return program[:n.start_byte] + head + program[body.start_byte:]
    return None


def test_references_and_for_while_rewrites_pass_stubs_fail(py):
    rewrites = stubs_flagged = 0
    lowest = 1.0
    for p in datasets.load("humaneval"):
        ref = p.reference_program.encode()
        c = py.extract_constraints(ref, p.entry_point)
        assert py.check_constraints(c, ref, ref, p.entry_point) == [], p.task_id
        rw = for_to_while(py, ref)
        if rw is not None:
            compile(rw, p.task_id, "exec")
            rewrites += 1
            lowest = min(lowest, py.similarity(ref, rw))
            assert py.check_constraints(c, ref, rw, p.entry_point) == [], p.task_id
        stub = p.program("    return 0\n").encode()
        stubs_flagged += bool(py.check_constraints(c, ref, stub, p.entry_point))
    print(f"\n{rewrites} for->while rewrites, lowest similarity {lowest:.2f}; {stubs_flagged}/164 stubs flagged")
    assert rewrites > 50 and stubs_flagged == 164


@pytest.mark.parametrize("task, completion", [
    (23, "    n = 0\n    for _ in string:\n        n += 1\n    return n\n"),          # len() -> loop
    (35, "    return max(l)\n"),                                                       # loop -> max()
    (34, "    out = []\n    for x in l:\n        if x not in out:\n            out.append(x)\n"
         "    out.sort()\n    return out\n"),
    (29, "    out = []\n    for s in strings:\n        if s.startswith(prefix):\n            out.append(s)\n"
         "    return out\n"),                                                          # comprehension -> loop
    (12, "    if not strings:\n        return None\n    best = strings[0]\n    for s in strings:\n"
         "        if len(s) > len(best):\n            best = s\n    return best\n"),
])
def test_correct_rewrites_are_admissible(py, task, completion):
    p = datasets.get("humaneval", f"HumanEval/{task}")
    ref, cand = p.reference_program.encode(), p.program(completion).encode()
    assert py.check_constraints(py.extract_constraints(ref, p.entry_point), ref, cand, p.entry_point) == []


@pytest.mark.parametrize("task, completion, reason", [
    (23, "    c = 0\n    for i in range(len(string)):\n        for j in range(len(string)):\n"
         "            for k in range(len(string)):\n                c += 1\n    return c\n", "loop nesting depth 3"),
    (0, "    return 0\n", "never reads its parameters"),
    (12, "    pass\n", "not comparable"),
    (4, "    import random\n    return random.random()\n", "never reads its parameters"),
    (13, "    return a if b == 0 else greatest_common_divisor(b, a % b)\n", "uses recursion"),
])
def test_unrelated_programs_are_flagged(py, task, completion, reason):
    p = datasets.get("humaneval", f"HumanEval/{task}")
    ref, cand = p.reference_program.encode(), p.program(completion).encode()
    violations = py.check_constraints(py.extract_constraints(ref, p.entry_point), ref, cand, p.entry_point)
    assert any(reason in v for v in violations), violations


def test_gate_switches(py):
    p = datasets.get("humaneval", "HumanEval/0")
    ref, stub = p.reference_program.encode(), p.program("    return 0\n").encode()
    c = py.extract_constraints(ref, p.entry_point)
    off = GateConfig(min_similarity=0.0, check_parameters_used=False)
    assert py.check_constraints(c, ref, stub, p.entry_point, off) == []


def test_loop_depth_counts_comprehensions_and_features(py):
    src = b"def f(xs):\n    return sorted({y for x in xs for y in x})\n"
    c = py.extract_constraints(src, "f")
    assert c.loop_depth == 2 and not c.recursive and c.uses_parameters
    assert c.features["uses_sort"] is True and c.features["data_structures"] == ["set"]
    assert "sorted" in c.features["builtins_called"]
    assert py.extract_constraints(b"def f(n):\n    return 1 if n < 2 else n * f(n - 1)\n", "f").recursive


def test_similarity_ignores_the_shared_prompt(py):
    p = datasets.get("humaneval", "HumanEval/0")
    ref = p.reference_program.encode()
    assert py.similarity(ref, ref) == 1.0
    assert py.similarity(ref, p.program("    return 0\n").encode()) < 0.1
    # a one-line change at the very end keeps the whole body in view
    assert py.similarity(ref, ref.replace(b"return False", b"return not True")) > 0.9
