"""HumanEval-X (JavaScript) rows -> Problems, test code split into test cases.

HumanEval-X JS tests look like

    const testHasCloseElements = () => {
      console.assert(hasCloseElements([1.0, 2.0], 0.3) === true)
      ...
    }
    testHasCloseElements()

`console.assert` only prints in Node, so each assertion becomes a statement that throws:
`if (!(COND)) throw new Error("assertion failed: COND")`. A test case is one top-level
statement of the test function that asserts (a bare assert, or a loop of asserts), preceded
by the assert-free statements before it (setup: helpers, fixtures) and by the test file's
other top-level code. Everything is read off tree-sitter-javascript trees.
"""

from __future__ import annotations

import json
from typing import Callable

import tree_sitter

from egca.errors import InvalidInput
from egca.plugin import preorder
from egca.problem import Problem, TestCase

Parse = Callable[[bytes], tree_sitter.Tree]



def humaneval_js_problem(row: dict, parse: Parse) -> Problem:
    task_id = row["task_id"]
    return Problem(task_id=task_id, language="javascript", prompt=row["prompt"],
                   reference=row["canonical_solution"], entry_point=entry_point(row["declaration"], parse, task_id),
                   tests=split_tests(row["test"], parse, task_id))


def entry_point(declaration: str, parse: Parse, task_id: str = "?") -> str:
    """The name the declaration binds: `const f = (...) => {` or `function f(...) {`."""
    # The declaration is the function's opening line: close it so that it parses.
    root = parse((declaration + "\n}\n").encode("utf-8")).root_node
    for node in preorder(root):
        if node.type == "variable_declarator" and node.child_by_field_name("value") is not None \
                and node.child_by_field_name("value").type in ("arrow_function", "function_expression", "function"):
            return node.child_by_field_name("name").text.decode()
        if node.type == "function_declaration":
            return node.child_by_field_name("name").text.decode()
    raise InvalidInput(f"{task_id}: cannot find the function name in its declaration")


def _is_console_assert(node: tree_sitter.Node) -> bool:
    if node.type != "call_expression":
        return False
    fn = node.child_by_field_name("function")
    return fn is not None and fn.type == "member_expression" and fn.text == b"console.assert"


def _throwing(src: bytes, call: tree_sitter.Node) -> bytes:
    """`console.assert(COND, ...)` as `if (!(COND)) throw new Error("assertion failed: COND")`."""
    args = [a for a in call.child_by_field_name("arguments").named_children if a.type != "comment"]
    if not args:
        raise ValueError("console.assert() without a condition")
    cond = src[args[0].start_byte:args[0].end_byte]
    text = " ".join(cond.decode("utf-8").split())
    message = json.dumps("assertion failed: " + text, ensure_ascii=False)
    return b"if (!(" + cond + b")) throw new Error(" + message.encode("utf-8") + b")"


def _rewrite_asserts(src: bytes, node: tree_sitter.Node, task_id: str) -> str:
    """The node's source with every `console.assert(...)` statement turned into a throwing one."""
    edits = []
    for n in preorder(node):
        if _is_console_assert(n):
            stmt = n.parent
            if stmt is None or stmt.type != "expression_statement":
                raise InvalidInput(f"{task_id}: console.assert used as a value: {n.text.decode()[:80]}")
            end = stmt.end_byte - (1 if src[stmt.end_byte - 1:stmt.end_byte] == b";" else 0)
            edits.append((stmt.start_byte, end, _throwing(src, n)))
    out, pos = [], node.start_byte
    for start, end, text in sorted(edits):
        out += [src[pos:start], text]
        pos = end
    out.append(src[pos:node.end_byte])
    return _dedent(b"".join(out).decode("utf-8"), node.start_point[1])


def _dedent(text: str, col: int) -> str:
    lines = text.split("\n")
    return "\n".join([lines[0]] + [ln[min(col, len(ln) - len(ln.lstrip(" \t"))):] for ln in lines[1:]])


def split_tests(test: str, parse: Parse, task_id: str = "?") -> tuple[TestCase, ...]:
    src = test.encode("utf-8")
    root = parse(src).root_node
    if root.has_error:
        raise InvalidInput(f"{task_id}: test code does not parse")
    fn_name, body = None, None
    for node in root.named_children:
        if node.type == "lexical_declaration" and fn_name is None:
            decl = node.named_children[0]
            value = decl.child_by_field_name("value")
            if value is not None and value.type in ("arrow_function", "function_expression") \
                    and value.child_by_field_name("body").type == "statement_block":
                fn_name, body = decl.child_by_field_name("name").text.decode(), value.child_by_field_name("body")
                test_fn = node
    if body is None:
        raise InvalidInput(f"{task_id}: test code defines no test function")
    prelude = []
    for node in root.named_children:
        if node is test_fn or node.type == "comment":
            continue
        is_call = (node.type == "expression_statement" and node.named_children
                   and node.named_children[0].type == "call_expression"
                   and node.named_children[0].child_by_field_name("function").text.decode() == fn_name)
        if not is_call:
            prelude.append(_rewrite_asserts(src, node, task_id))
    setup: list[str] = []
    tests: list[TestCase] = []
    for stmt in body.named_children:
        if stmt.type == "comment":
            continue
        if any(_is_console_assert(n) for n in preorder(stmt)):
            code = "\n".join(prelude + setup + [_rewrite_asserts(src, stmt, task_id)]) + "\n"
            tests.append(TestCase(id=str(len(tests)), code=code))
        else:
            setup.append(_rewrite_asserts(src, stmt, task_id))
    if not tests:
        raise InvalidInput(f"{task_id}: the test function holds no console.assert")
    return tuple(tests)
