"""JavaAdapter: what the engine needs to know about Java, read off tree-sitter-java trees,
and where the Java Tracer service lives (runtimes/java)."""

from __future__ import annotations

import sys
from importlib import resources
from pathlib import Path

import tree_sitter
import tree_sitter_java

from egca.core import Range
from egca.plugin import LanguageAdapter, RuntimeImage, preorder
from egca_java import datasets
from egca_kit.healthcheck import image_command

_DATASETS = {
    "humaneval-java": ("humaneval_java.jsonl.gz", datasets.humaneval_java_problem,
                       "HumanEval-X Java, 164 problems (Apache-2.0); one test case per check of Main"),
}
PORT = 50065


class JavaAdapter(LanguageAdapter):
    """Java via tree-sitter-java 0.23.

    Spans: a compound statement's header stops before its body (`if (x > 1)`,
    `for (int i = 0; i < n; i++)`, `for (int x : xs)`, a method's signature); a
    do-while's header is its `while (...);` tail, where the condition is decided (as the
    runtime reports it). Branch divergences give the condition expression (inside its
    parentheses).
    """

    name = "java"
    statement_types = frozenset({
        "expression_statement", "local_variable_declaration", "return_statement", "if_statement",
        "while_statement", "do_statement", "for_statement", "enhanced_for_statement", "break_statement",
        "continue_statement", "throw_statement", "try_statement", "try_with_resources_statement",
        "switch_expression", "synchronized_statement", "labeled_statement", "assert_statement", "yield_statement",
        "method_declaration", "constructor_declaration", "class_declaration",
    })
    condition_fields = {"if_statement": "condition", "while_statement": "condition", "do_statement": "condition",
                        "for_statement": "condition", "ternary_expression": "condition"}
    loop_types = frozenset({"for_statement", "enhanced_for_statement", "while_statement", "do_statement"})
    function_types = frozenset({"method_declaration", "constructor_declaration", "lambda_expression"})
    call_types = frozenset({"method_invocation"})
    fence_names = ("java",)
    builtin_datasets = _DATASETS
    default_dataset = "humaneval-java"

    return_types = frozenset({"return_statement"})
    write_fields = {"assignment_expression": "left", "variable_declarator": "name", "enhanced_for_statement": "name"}
    target_container_types = frozenset({"array_access", "parenthesized_expression", "field_access"})
    member_types = frozenset({"method_invocation", "field_access"})
    condition_wrapper_types = frozenset({"parenthesized_expression"})
    shape_noise_types = frozenset({"string_fragment", "type_identifier"})
    declaration_types = frozenset({"local_variable_declaration", "field_declaration", "import_declaration",
                                   "class_declaration", "interface_declaration", "enum_declaration",
                                   "record_declaration", "method_declaration"})
    definition_types = frozenset({"import_declaration", "class_declaration", "interface_declaration",
                                  "enum_declaration", "record_declaration"})
    expression_statement_types = frozenset({"expression_statement"})
    string_types = frozenset({"string_literal"})
    number_types = frozenset({"decimal_integer_literal", "decimal_floating_point_literal"})
    boolean_types = frozenset({"true", "false"})
    name_fields = ("name", "type", "field")
    declarator_types = frozenset({"variable_declarator"})

    line_comment = "//"
    preamble_pattern = r"^import .*$"
    runtime_image = RuntimeImage("runtimes/java/Dockerfile", PORT, image_command(PORT),
                                 packages=("runtimes/java", "adapters/java"))

    def ts_language(self) -> tree_sitter.Language:
        return tree_sitter.Language(tree_sitter_java.language())

    def dataset_file(self, filename: str):
        return resources.files("egca_java").joinpath("data", filename)

    # --- importing datasets ----------------------------------------------------------------------
    def split_test_code(self, test: str, entry_point: str, task_id: str = "?") -> tuple:
        return datasets.split_tests(test, self.parse, task_id)

    # --- names ---------------------------------------------------------------------------------
    def function_name(self, fn: tree_sitter.Node, program: bytes) -> str | None:
        node = fn.child_by_field_name("name")
        return node.text.decode() if node is not None else None

    def callee_name(self, call: tree_sitter.Node, program: bytes) -> str | None:
        """`f(x)` or `this.f(x)`: f (a call on another object is not a call of the program's f)."""
        obj = call.child_by_field_name("object")
        if obj is not None and obj.type != "this":
            return None
        name = call.child_by_field_name("name")
        return name.text.decode() if name is not None else None

    def parameter_names(self, fn: tree_sitter.Node, program: bytes) -> set[str]:
        params = fn.child_by_field_name("parameters")
        if params is None:
            return set()
        out = set()
        for p in params.named_children:
            name = p.child_by_field_name("name")
            if name is None:
                decl = next((c for c in p.named_children if c.type == "variable_declarator"), None)
                name = decl.child_by_field_name("name") if decl is not None else None
            if name is None and p.type == "identifier":
                name = p
            if name is not None:
                out.add(name.text.decode())
        return out

    # --- spans ---------------------------------------------------------------------------------
    def header_range(self, program: bytes, node: tree_sitter.Node) -> Range:
        """Up to (not including) the body; a do-while's `while (...);` tail; a labeled
        statement's inner statement's header; simple statements whole."""
        tail = self.trailing_header(program, node)
        if tail is not None:
            return tail
        if node.type == "labeled_statement" and node.named_children:
            return self.header_range(program, node.named_children[-1])
        body = None
        if node.type in ("try_statement", "try_with_resources_statement", "synchronized_statement"):
            body = node.child_by_field_name("body") or next((c for c in node.children if c.type == "block"), None)
        elif node.type not in ("expression_statement", "local_variable_declaration", "return_statement",
                               "throw_statement", "assert_statement", "yield_statement"):
            body = self.body_node(node)
        if body is None:
            return Range.of_node(node)
        end = body.start_byte
        while end > node.start_byte and program[end - 1:end] in (b" ", b"\n", b"\t", b"\r", b"{"):
            end -= 1
        return Range.of_bytes(program, node.start_byte, max(end, node.start_byte + 1))

    def syntax_error(self, program: bytes) -> Range | None:
        """The first ERROR or MISSING node; a missing token (`;`) is charged to the statement
        it belongs to, not to whatever statement encloses its zero-width position."""
        root = self.parse(program).root_node
        if not root.has_error:
            return None
        for node in preorder(root):
            if node.is_missing:
                owner = node.parent
                while owner is not None and owner.type not in self.statement_types:
                    owner = owner.parent
                return self.header_range(program, owner) if owner is not None else Range.of_node(node)
            if node.is_error:
                break
        return super().syntax_error(program)

    # --- runtime -------------------------------------------------------------------------------
    def local_runtime_command(self, port: int) -> list[str]:
        # The server is Python (egca_runtime_java, on the kit); programs run in JVMs in the sandbox.
        return [sys.executable, "-m", "egca_runtime_java", "--host", "127.0.0.1", "--port", str(port)]

    def conformance_suite(self):
        """runtimes/java/conformance/suite.json of this checkout."""
        path = Path(__file__).resolve().parents[3] / "runtimes" / "java" / "conformance" / "suite.json"
        return path if path.is_file() else None
