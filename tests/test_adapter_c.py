"""The C adapter through the public plug-in interface (entry point, tree-sitter-c, dataset)."""

from __future__ import annotations

import sys

from egca.core import Range
from egca.plugin import available_adapters, get_adapter

PROGRAM = b"""#include <stdlib.h>
static int *pick(const int *a, int n, int *out_n) {
    int *r = malloc(n * sizeof(int));
    int k = 0;
    for (int i = 0; i < n; i++)
        if (a[i] % 2 == 0) r[k++] = a[i];
    while (k > 100) k--;
    *out_n = k;
    return r;
}
"""


def text(rng: Range) -> str:
    return PROGRAM[rng.start_byte:rng.end_byte].decode()


def test_registered_under_the_entry_point():
    from egca_c import CAdapter
    assert available_adapters()["c"] is CAdapter
    a = get_adapter("c")
    assert a.fence_names == ("c", "C", "h")
    assert a.local_runtime_command(5000) == [sys.executable, "-m", "egca_runtime_c", "--host", "127.0.0.1",
                                             "--port", "5000"]


def test_function_name_lives_under_the_declarator():
    a = get_adapter("c")
    fn = a.parse(PROGRAM).root_node.named_children[1]
    assert a.function_name(fn, PROGRAM) == "pick"
    rec = b"int f(int n) { return n ? f(n - 1) : 0; }\n"
    assert a.extract_constraints(rec, "f").recursive
    assert not a.extract_constraints(PROGRAM, "pick").recursive
    assert a.extract_constraints(PROGRAM, "pick").loop_depth == 1


def test_statement_and_condition_ranges():
    a = get_adapter("c")
    at = PROGRAM.index(b"r[k++]")
    assert text(a.statement_range(PROGRAM, Range.of_bytes(PROGRAM, at, at + 1))) == "r[k++] = a[i];"
    at = PROGRAM.index(b"a[i] % 2")
    assert text(a.statement_range(PROGRAM, Range.of_bytes(PROGRAM, at, at + 1))) == "if (a[i] % 2 == 0)"
    # the condition without C's mandatory parentheses (the runtime's BRANCH range is the same)
    assert text(a.condition_range(PROGRAM, Range.of_bytes(PROGRAM, at, at + 1))) == "a[i] % 2 == 0"
    at = PROGRAM.index(b"k--")
    assert text(a.statement_range(PROGRAM, Range.of_bytes(PROGRAM, at, at + 1))) == "k--;"
    at = PROGRAM.index(b"int i = 0")
    assert text(a.statement_range(PROGRAM, Range.of_bytes(PROGRAM, at, at + 1))) == "for (int i = 0; i < n; i++)"


def test_syntax_errors_from_tree_sitter():
    a = get_adapter("c")
    assert a.syntax_error(PROGRAM) is None
    bad = b"int f(int x) {\n    int y = x +* ;\n    return y;\n}\n"
    err = a.syntax_error(bad)
    assert err is not None and err.start_line == 2
    missing = b"int f(int x) {\n    return x\n}\n"
    err = a.syntax_error(missing)
    assert err is not None and err.start_line == 2
    # tree-sitter puts the missing `;` before the next token; the statement lacking it is blamed
    nested = b"int f(int x) {\n    for (;;) {\n        if (x)\n            return x\n    }\n}\n"
    err = a.syntax_error(nested)
    assert nested[err.start_byte:err.end_byte] == b"return x"


def test_humaneval_c_dataset_loads():
    a = get_adapter("c")
    if "humaneval-c" not in a.dataset_names():
        import pytest
        pytest.skip("humaneval_c.jsonl is not shipped in this checkout")
    problems = a.load_dataset("humaneval-c")
    assert len(problems) >= 20
    for p in problems:
        assert p.language == "c" and p.tests and p.entry_point
        assert a.syntax_error(p.reference_program.encode()) is None, p.task_id
