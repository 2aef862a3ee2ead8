"""JavaScriptAdapter: what the engine needs to know about JavaScript, read off
tree-sitter-javascript trees, and where the Node.js Tracer service lives."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import tree_sitter
import tree_sitter_javascript

from egca.errors import InfrastructureError
from egca.core import Range
from egca.plugin import LanguageAdapter, RuntimeImage
from egca_kit.healthcheck import image_command
from egca_javascript import datasets

_SIMPLE_STATEMENTS = frozenset({
    "expression_statement", "variable_declaration", "lexical_declaration", "return_statement",
    "throw_statement", "break_statement", "continue_statement", "empty_statement", "debugger_statement",
    "import_statement", "export_statement",
})
_COMPOUND_STATEMENTS = frozenset({
    "if_statement", "for_statement", "for_in_statement", "while_statement", "do_statement", "switch_statement",
    "try_statement", "labeled_statement", "with_statement", "function_declaration",
    "generator_function_declaration", "class_declaration",
})
# Functions whose name is the binding they are assigned to (`const f = (x) => ...`).
_ANONYMOUS_FUNCTIONS = frozenset({"arrow_function", "function_expression", "generator_function", "function"})

_DATASETS = {
    "humaneval-js": ("humaneval_js.jsonl.gz", datasets.humaneval_js_problem,
                     "HumanEval-X JavaScript, 164 problems (Apache-2.0); console.assert tests made to throw"),
}


def _runtime_dir() -> Path:
    """runtimes/javascript of this checkout, or EGCA_JS_RUNTIME_DIR."""
    env = os.environ.get("EGCA_JS_RUNTIME_DIR")
    if env:
        return Path(env).resolve()
    return Path(__file__).resolve().parents[3] / "runtimes" / "javascript"


class JavaScriptAdapter(LanguageAdapter):
    """JavaScript via tree-sitter-javascript 0.25.

    Spans: a compound statement's header stops before its body (`if (x > 1)`,
    `for (let i = 0; i < n; i++)`, `function f(a, b)`); a do-while's header is its
    `while (cond);` tail, where the condition is decided (as the runtime reports it).
    Branch divergences give the condition expression (with its parentheses, as the
    grammar has them) or, for `for ... of/in`, the header.
    """

    name = "javascript"
    statement_types = _SIMPLE_STATEMENTS | _COMPOUND_STATEMENTS
    condition_fields = {"if_statement": "condition", "while_statement": "condition", "do_statement": "condition",
                        "for_statement": "condition", "ternary_expression": "condition"}
    loop_types = frozenset({"for_statement", "for_in_statement", "while_statement", "do_statement"})
    function_types = frozenset({"function_declaration", "generator_function_declaration", "function_expression",
                                "function", "arrow_function", "generator_function", "method_definition"})
    call_types = frozenset({"call_expression"})
    fence_names = ("javascript", "js", "node", "nodejs", "jsx")
    builtin_datasets = _DATASETS
    default_dataset = "humaneval-js"

    return_types = frozenset({"return_statement"})
    write_fields = {"assignment_expression": "left", "augmented_assignment_expression": "left",
                    "variable_declarator": "name", "for_in_statement": "left", "update_expression": "argument"}
    target_container_types = frozenset({"subscript_expression", "array_pattern", "parenthesized_expression"})
    member_types = frozenset({"member_expression"})
    condition_wrapper_types = frozenset({"parenthesized_expression"})
    declaration_types = frozenset({"variable_declaration", "lexical_declaration", "import_statement",
                                   "function_declaration", "generator_function_declaration", "class_declaration"})
    expression_statement_types = frozenset({"expression_statement"})
    string_types = frozenset({"string"})
    number_types = frozenset({"number"})
    boolean_types = frozenset({"true", "false"})
    name_fields = ("function", "attribute", "name", "type")
    declarator_types = frozenset({"variable_declarator"})
    pattern_types = frozenset({"pattern", "array_pattern", "object_pattern", "assignment_pattern",
                               "object_assignment_pattern", "pair_pattern", "rest_pattern", "regex_pattern",
                               "shorthand_property_identifier_pattern"})

    line_comment = "//"
    preamble_pattern = r"^(import |const \w+ = require\().*$"
    runtime_image = RuntimeImage(
        "runtimes/javascript/Dockerfile", 50062, image_command(50062),
        packages=("runtimes/javascript", "adapters/javascript"),
        context=("runtimes/javascript/package.json", "runtimes/javascript/package-lock.json",
                 "runtimes/javascript/src", "runtimes/javascript/node_modules"))

    def ts_language(self) -> tree_sitter.Language:
        return tree_sitter.Language(tree_sitter_javascript.language())

    # --- importing datasets ----------------------------------------------------------------------
    def split_test_code(self, test: str, entry_point: str, task_id: str = "?") -> tuple:
        return datasets.split_tests(test, self.parse, task_id)

    # --- names --------------------------------------------------------------------------------
    def function_name(self, fn: tree_sitter.Node, program: bytes) -> str | None:
        node = fn.child_by_field_name("name")
        if node is not None:
            return node.text.decode()
        parent = fn.parent
        if fn.type in _ANONYMOUS_FUNCTIONS and parent is not None:
            if parent.type == "variable_declarator" and parent.child_by_field_name("value") == fn:
                name = parent.child_by_field_name("name")
                return name.text.decode() if name is not None and name.type == "identifier" else None
            if parent.type == "assignment_expression" and parent.child_by_field_name("right") == fn:
                left = parent.child_by_field_name("left")
                if left is not None and left.type == "identifier":
                    return left.text.decode()
                if left is not None and left.type == "member_expression":
                    prop = left.child_by_field_name("property")
                    return prop.text.decode() if prop is not None else None
            if parent.type == "pair" and parent.child_by_field_name("value") == fn:
                key = parent.child_by_field_name("key")
                return key.text.decode() if key is not None else None
        return None

    # --- spans ------------------------------------------------------------------------------
    def header_range(self, program: bytes, node: tree_sitter.Node) -> Range:
        """Up to (not including) the body; a do-while's `while (...)` tail; simple statements whole."""
        tail = self.trailing_header(program, node)
        if tail is not None:
            return tail
        if node.type == "labeled_statement":
            body = node.child_by_field_name("body")
            return self.header_range(program, body) if body is not None else Range.of_node(node)
        body = None
        for field in ("consequence", "body"):
            body = node.child_by_field_name(field)
            if body is not None:
                break
        if node.type == "try_statement":
            body = node.child_by_field_name("body")
        if body is None or node.type in _SIMPLE_STATEMENTS:
            return Range.of_node(node)
        end = _trim_end(program, node.start_byte, body.start_byte)
        return Range.of_bytes(program, node.start_byte, max(end, node.start_byte + 1))

    # --- runtime ------------------------------------------------------------------------------
    def conformance_suite(self):
        """runtimes/javascript/conformance/suite.json of this checkout."""
        path = Path(__file__).resolve().parents[3] / "runtimes" / "javascript" / "conformance" / "suite.json"
        return path if path.is_file() else None

    def local_runtime_command(self, port: int) -> list[str]:
        # The server is Python (egca_runtime_javascript, on the kit); the programs run in Node.
        # EGCA_JS_RUNTIME_DIR, when set, is passed on: where src/ and node_modules/ are.
        child = _runtime_dir() / "src" / "child.js"
        if not child.is_file():
            raise InfrastructureError(f"the JavaScript runtime is not at {child.parent.parent} (set EGCA_JS_RUNTIME_DIR)")
        if not (child.parent.parent / "node_modules").is_dir():
            raise InfrastructureError(f"the JavaScript runtime's packages are not installed: run `npm ci` in "
                                      f"{child.parent.parent}")
        return [sys.executable, "-m", "egca_runtime_javascript", "--host", "127.0.0.1", "--port", str(port)]


def _trim_end(program: bytes, start: int, end: int) -> int:
    while end > start and program[end - 1:end] in (b" ", b"\n", b"\t", b"\r"):
        end -= 1
    return end
