"""HumanEval-X (Java) rows -> Problems, the test `Main` split into test cases.

HumanEval-X Java tests are a class `Main` whose `main` builds a `Solution` and a list of
boolean checks, then throws when one is false:

    public class Main {
        public static void main(String[] args) {
            Solution s = new Solution();
            List<Boolean> correct = Arrays.asList(
                    s.hasCloseElements(...),
                    !s.hasCloseElements(...)
            );
            if (correct.contains(false)) {
                throw new AssertionError();
            }
        }
    }

A test case is a complete compilation unit (the prompt's imports, then `Main` with its other
members and one check): each element of a `List<Boolean> correct = Arrays.asList(...)`
becomes `if (!(CHECK)) throw new AssertionError("check failed: CHECK");`, the
`correct.contains(false)` test is dropped; every other statement of `main` that checks
(it throws an AssertionError or is an `assert`, e.g. a loop over random inputs) is a test
case of its own, with `assert C;` made to throw (the JVM runs without -ea); the statements
that check nothing are setup, kept in the test cases after them. Everything is read off
tree-sitter-java trees.
"""

from __future__ import annotations

import json
from typing import Callable

import tree_sitter

from egca.errors import InvalidInput
from egca.plugin import preorder
from egca.problem import Problem, TestCase

Parse = Callable[[bytes], tree_sitter.Tree]


def humaneval_java_problem(row: dict, parse: Parse) -> Problem:
    task_id = row["task_id"]
    return Problem(task_id=task_id, language="java", prompt=row["prompt"], reference=row["canonical_solution"],
                   entry_point=entry_point(row["declaration"], parse, task_id),
                   tests=split_tests(row["test"], parse, task_id, imports(row["prompt"], parse)))


def entry_point(declaration: str, parse: Parse, task_id: str = "?") -> str:
    """The method the declaration opens (its last method)."""
    root = parse((declaration + "\n}\n}\n").encode("utf-8")).root_node
    names = [n.child_by_field_name("name").text.decode() for n in preorder(root) if n.type == "method_declaration"]
    if not names:
        raise InvalidInput(f"{task_id}: cannot find the method in its declaration")
    return names[-1]


def imports(prompt: str, parse: Parse) -> str:
    """The prompt's import declarations (the test file shares them in HumanEval-X)."""
    root = parse(prompt.encode("utf-8")).root_node
    return "".join(n.text.decode() + "\n" for n in root.named_children if n.type == "import_declaration")


def _check(cond: str) -> str:
    text = " ".join(cond.split())
    return f"if (!({cond})) throw new AssertionError({json.dumps('check failed: ' + text, ensure_ascii=False)});"


def _checks(node: tree_sitter.Node) -> bool:
    """Does a statement check something (throw an AssertionError, or assert)?"""
    for n in preorder(node):
        if n.type == "assert_statement":
            return True
        if n.type == "object_creation_expression" and n.child_by_field_name("type") is not None \
                and n.child_by_field_name("type").text == b"AssertionError":
            return True
    return False


def _asserts_throwing(src: bytes, node: tree_sitter.Node) -> str:
    """The statement's text with every `assert C;` turned into a throwing check."""
    edits = []
    for n in preorder(node):
        if n.type == "assert_statement":
            cond = n.named_children[0]
            edits.append((n.start_byte, n.end_byte, _check(cond.text.decode())))
    out, pos = [], node.start_byte
    for s, e, text in sorted(edits):
        out += [src[pos:s].decode(), text]
        pos = e
    out.append(src[pos:node.end_byte].decode())
    return "".join(out)


def _correct_list(node: tree_sitter.Node) -> list[str] | None:
    """The checks of `List<Boolean> correct = Arrays.asList(...)`, else None."""
    if node.type != "local_variable_declaration":
        return None
    decls = node.children_by_field_name("declarator")
    if len(decls) != 1:
        return None
    value = decls[0].child_by_field_name("value")
    if value is None or value.type != "method_invocation" or value.child_by_field_name("name").text != b"asList":
        return None
    if not node.child_by_field_name("type").text.replace(b" ", b"").startswith(b"List<Boolean>"):
        return None
    args = value.child_by_field_name("arguments")
    return [a.text.decode() for a in args.named_children if a.type not in ("comment", "line_comment", "block_comment")]


def _is_contains_false(node: tree_sitter.Node) -> bool:
    if node.type != "if_statement":
        return False
    cond = node.child_by_field_name("condition")
    return cond is not None and b".contains(false)" in cond.text


def split_tests(test: str, parse: Parse, task_id: str = "?", imports_text: str = "") -> tuple[TestCase, ...]:
    src = test.encode("utf-8")
    root = parse(src).root_node
    if root.has_error:
        raise InvalidInput(f"{task_id}: test code does not parse")
    main_cls = next((n for n in root.named_children if n.type == "class_declaration"
                     and n.child_by_field_name("name").text == b"Main"), None)
    if main_cls is None:
        raise InvalidInput(f"{task_id}: test code has no class Main")
    body = main_cls.child_by_field_name("body")
    main = next((m for m in body.named_children if m.type == "method_declaration"
                 and m.child_by_field_name("name").text == b"main"), None)
    if main is None:
        raise InvalidInput(f"{task_id}: class Main has no main method")
    mbody = main.child_by_field_name("body")
    head = src[main_cls.start_byte:body.start_byte + 1].decode()
    members = [src[m.start_byte:m.end_byte].decode() for m in body.named_children
               if m is not main and m.type not in ("line_comment", "block_comment")]
    main_head = src[main.start_byte:mbody.start_byte + 1].decode()
    prefix = (imports_text or "import java.util.*;\nimport java.lang.*;\n") + "\n" + head + "\n"
    prefix += "".join("    " + m + "\n" for m in members) + "    " + main_head + "\n"
    suffix = "    }\n}\n"
    setup: list[str] = []
    checks: list[str] = []
    for stmt in mbody.named_children:
        if stmt.type in ("line_comment", "block_comment"):
            continue
        listed = _correct_list(stmt)
        if listed is not None:
            checks += ["\n".join(setup + [_check(c)]) for c in listed]
        elif _is_contains_false(stmt):
            continue
        elif _checks(stmt):
            checks.append("\n".join(setup + [_asserts_throwing(src, stmt)]))
        else:
            setup.append(src[stmt.start_byte:stmt.end_byte].decode())
    if not checks:
        raise InvalidInput(f"{task_id}: the test's main checks nothing")
    cases = []
    for i, body_text in enumerate(checks):
        lines = "\n".join("        " + ln for ln in body_text.split("\n"))
        cases.append(TestCase(id=str(i), code=prefix + lines + "\n" + suffix))
    return tuple(cases)
