"""HumanEval-X (C++) rows -> Problems, test code split into test cases.

HumanEval-X C++ tests look like

    #undef NDEBUG
    #include<assert.h>
    bool issame(vector<int> a, vector<int> b) { ... }
    int main(){
        vector<float> a={1.0, 2.0};
        assert (has_close_elements(a, 0.3)==true);
        assert (has_close_elements({1.0, 2.0}, 0.8) == false);
    }

A test case is one top-level statement of `main` that asserts (a bare `assert`, or a
loop of asserts), preceded by the assert-free statements before it (setup) and by the
test file's other top-level code (helpers such as `issame`); it keeps the shape
`<helpers> int main() { <setup> <the statement> }`, which the C++ runtime compiles in
its own namespace (runtimes/cpp/README.md, "Test-case format"). `#include` and
`NDEBUG` lines are dropped: the runtime's harness has its own `assert`. The published
task ids (`CPP/N`) are kept. Everything is read off tree-sitter-cpp trees.
"""

from __future__ import annotations

from typing import Callable

import tree_sitter

from egca.errors import InvalidInput
from egca.plugin import preorder
from egca.problem import Problem, TestCase

Parse = Callable[[bytes], tree_sitter.Tree]


def humaneval_cpp_problem(row: dict, parse: Parse) -> Problem:
    task_id = row["task_id"]
    return Problem(task_id=task_id, language="cpp", prompt=row["prompt"], reference=row["canonical_solution"],
                   entry_point=entry_point(row["declaration"], parse, task_id),
                   tests=split_tests(row["test"], parse, task_id))


def _function_name(node) -> str | None:
    d = node.child_by_field_name("declarator")
    while d is not None and d.type != "function_declarator":
        d = d.child_by_field_name("declarator") or next(iter(d.named_children), None)
    name = d.child_by_field_name("declarator") if d is not None else None
    return name.text.decode() if name is not None and name.type == "identifier" else None


def entry_point(declaration: str, parse: Parse, task_id: str = "?") -> str:
    """The last function the declaration opens (`bool has_close_elements(...){`)."""
    root = parse((declaration + "\n}\n").encode("utf-8")).root_node
    names = [_function_name(n) for n in root.named_children if n.type == "function_definition"]
    names = [n for n in names if n]
    if not names:
        raise InvalidInput(f"{task_id}: cannot find the function name in its declaration")
    return names[-1]


def _asserts(node) -> bool:
    for n in preorder(node):
        if n.type == "call_expression":
            f = n.child_by_field_name("function")
            if f is not None and f.type == "identifier" and f.text == b"assert":
                return True
    return False


def _dedent(text: str, col: int) -> str:
    lines = text.split("\n")
    return "\n".join([lines[0]] + [ln[min(col, len(ln) - len(ln.lstrip(" \t"))):] for ln in lines[1:]])


def split_tests(test: str, parse: Parse, task_id: str = "?") -> tuple[TestCase, ...]:
    src = test.encode("utf-8")
    root = parse(src).root_node
    main = None
    helpers: list[str] = []
    for node in root.named_children:
        if node.type == "function_definition" and _function_name(node) == "main":
            main = node
        elif node.type in ("preproc_include", "comment"):
            continue
        elif node.type in ("preproc_call", "preproc_def") and b"NDEBUG" in node.text:
            continue
        else:
            helpers.append(node.text.decode("utf-8").rstrip())
    if main is None or main.has_error:
        raise InvalidInput(f"{task_id}: test code has no main() that parses")
    body = main.child_by_field_name("body")
    setup: list[str] = []
    tests: list[TestCase] = []
    for stmt in body.named_children:
        if stmt.type == "comment":
            continue
        text = "    " + _dedent(stmt.text.decode("utf-8"), stmt.start_point[1])
        if _asserts(stmt):
            lines = helpers + ["int main() {"] + setup + [text, "}"]
            tests.append(TestCase(id=str(len(tests)), code="\n".join(lines) + "\n"))
        else:
            setup.append(text)
    if not tests:
        raise InvalidInput(f"{task_id}: main() holds no assert")
    return tuple(tests)
