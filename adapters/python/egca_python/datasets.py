"""HumanEval and MBPP (sanitized) rows -> Problems, test code split into test cases.

All reading of the test code is done on tree-sitter-python trees (never `ast`, never
exec): the split test cases are checked to be valid Python by the adapter's tests.
"""

from __future__ import annotations

from typing import Callable, Iterable

import tree_sitter

from egca.errors import InvalidInput
from egca.plugin import preorder
from egca.problem import Problem, TestCase

Parse = Callable[[bytes], tree_sitter.Tree]

# Modules MBPP's asserts use without importing them (upstream's separate `test_imports`
# field is missing from this copy of the sanitized split: 14 problems use `math.isclose`).
_STDLIB_FOR_TESTS = ("math", "cmath", "re", "collections", "itertools", "heapq", "string", "sys")

_BUILTINS = frozenset(dir(__import__("builtins")))



# --- HumanEval ------------------------------------------------------------------------------

def humaneval_problem(row: dict, parse: Parse) -> Problem:
    return Problem(
        task_id=row["task_id"], language="python", prompt=row["prompt"],
        reference=row["canonical_solution"], entry_point=row["entry_point"],
        tests=split_humaneval_tests(row["test"], row["entry_point"], parse, row["task_id"]))


def split_humaneval_tests(test: str, entry_point: str, parse: Parse, task_id: str = "?") -> tuple[TestCase, ...]:
    """One test case per top-level statement of `check`'s body that asserts on the candidate.

    Each case is self-contained: module-level code of `test` other than `def check` (the
    prelude: METADATA, imports, helpers), `candidate = <entry_point>`, the assert-free
    statements of `check` that precede it (setup: imports, assignments, helper defs), then
    the statement itself, all dedented. `candidate` is bound before the setup so setup code
    may call it. Asserts that never mention the candidate (`assert True, "..."`) are dropped.
    """
    src = test.encode("utf-8")
    root = parse(src).root_node
    prelude: list[str] = []
    check = None
    for node in root.named_children:
        if node.type == "comment":
            continue
        if node.type == "function_definition" and _name(node) == "check" and check is None:
            check = node
        else:
            prelude.append(_dedented(src, node))
    if check is None:
        raise InvalidInput(f"{task_id}: test code defines no check(candidate) function")
    params = [p for p in check.child_by_field_name("parameters").named_children if p.type == "identifier"]
    candidate = params[0].text.decode() if params else "candidate"
    setup: list[str] = []
    tests: list[TestCase] = []
    for stmt in check.child_by_field_name("body").named_children:
        if stmt.type == "comment":
            continue
        code = _dedented(src, stmt)
        if not any(n.type == "assert_statement" for n in preorder(stmt)):
            setup.append(code)
        elif any(n.type == "identifier" and n.text.decode() == candidate for n in preorder(stmt)):
            parts = prelude + [f"{candidate} = {entry_point}"] + setup + [code]
            tests.append(TestCase(id=str(len(tests)), code="\n".join(parts) + "\n"))
    if not tests:
        raise InvalidInput(f"{task_id}: check() holds no assert on the candidate")
    return tuple(tests)


def _name(node: tree_sitter.Node) -> str | None:
    name = node.child_by_field_name("name")
    return name.text.decode() if name is not None else None


def _dedented(src: bytes, node: tree_sitter.Node) -> str:
    """The node's source with its indentation removed from every line, except lines that
    start inside a multi-line string (their leading spaces are part of the value)."""
    col = node.start_point[1]
    strings = [(n.start_byte, n.end_byte) for n in preorder(node)
               if n.type == "string" and n.start_point[0] != n.end_point[0]]
    lines = src[node.start_byte:node.end_byte].split(b"\n")
    out = [lines[0]]
    pos = node.start_byte + len(lines[0]) + 1
    for line in lines[1:]:
        if not any(s < pos < e for s, e in strings):
            out.append(line[min(col, len(line) - len(line.lstrip(b" \t"))):])
        else:
            out.append(line)
        pos += len(line) + 1
    return b"\n".join(out).decode("utf-8")


# --- MBPP (sanitized) --------------------------------------------------------------------------

def mbpp_problem(row: dict, parse: Parse) -> Problem:
    task_id = f"Mbpp/{row['task_id']}"
    text = row.get("prompt") or row.get("text") or ""
    asserts = [t.replace("\r\n", "\n").strip() for t in row["test_list"]]
    header = [f"# {line}".rstrip() for line in text.replace("\r\n", "\n").strip().split("\n")]
    header.append("# Your code should pass these tests:")
    header += [f"# {line}".rstrip() for a in asserts for line in a.split("\n")]
    reference = row["code"].replace("\r\n", "\n").rstrip() + "\n"
    entry_point = mbpp_entry_point(reference, asserts[0], parse, task_id)
    setup = [*(row.get("test_imports") or [])]
    if row.get("test_setup_code", "").strip():
        setup.append(row["test_setup_code"].replace("\r\n", "\n").strip())
    tests = []
    for i, a in enumerate(asserts):
        imports = [f"import {m}" for m in _unimported_modules(a, setup, parse)]
        tests.append(TestCase(id=str(i), code="\n".join(imports + setup + [a]) + "\n"))
    return Problem(task_id=task_id, language="python", prompt="\n".join(header) + "\n",
                   reference=reference, entry_point=entry_point, tests=tuple(tests))


def mbpp_entry_point(code: str, first_assert: str, parse: Parse, task_id: str = "?") -> str:
    """The function the first test assert calls: the first callee defined at the top level
    of the reference, else the first callee that is not a built-in."""
    defined = {_name(n) for n in parse(code.encode()).root_node.named_children
               if n.type in ("function_definition", "class_definition")}
    callees = [c.child_by_field_name("function") for c in preorder(parse(first_assert.encode()).root_node)
               if c.type == "call"]
    names = [f.text.decode() for f in callees if f is not None and f.type == "identifier"]
    for name in names:
        if name in defined:
            return name
    for name in names:
        if name not in _BUILTINS:
            return name
    raise InvalidInput(f"{task_id}: cannot tell which function the tests call")


def _unimported_modules(test: str, setup: Iterable[str], parse: Parse) -> list[str]:
    setup_text = "\n".join(setup)
    used = []
    for n in preorder(parse(test.encode()).root_node):
        if n.type == "attribute":
            obj = n.child_by_field_name("object")
            name = obj.text.decode() if obj is not None and obj.type == "identifier" else None
            if name in _STDLIB_FOR_TESTS and name not in used and f"import {name}" not in setup_text:
                used.append(name)
    return used
