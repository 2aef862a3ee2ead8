"""CppAdapter: what the engine needs to know about C++, read off tree-sitter-cpp trees,
and where the C++ Tracer service lives (runtimes/cpp)."""

from __future__ import annotations

import sys
from pathlib import Path

import tree_sitter
import tree_sitter_cpp

from egca.core import Range
from egca.plugin import LanguageAdapter, RuntimeImage
from egca_cpp import datasets
from egca_kit.healthcheck import image_command

_DATASETS = {
    "humaneval-cpp": ("humaneval_cpp.jsonl.gz", datasets.humaneval_cpp_problem,
                      "HumanEval-X C++, 164 problems (Apache-2.0); one test case per assert of main()"),
}
PORT = 50064


class CppAdapter(LanguageAdapter):
    """C++ via tree-sitter-cpp 0.23.

    Spans: a compound statement's header stops before its body (`if (x > 1)`,
    `for (int i = 0; i < n; i++)`, `for (int x : v)`); a do-while's header is its
    `while (...)` tail, where the condition is decided (as the runtime reports it);
    a for's init declaration belongs to the for header. Branch divergences give the
    condition expression (inside its parentheses).
    """

    name = "cpp"
    statement_types = frozenset({
        "expression_statement", "declaration", "return_statement", "if_statement", "while_statement",
        "do_statement", "for_statement", "for_range_loop", "switch_statement", "break_statement",
        "continue_statement", "goto_statement", "throw_statement", "try_statement",
    })
    condition_fields = {"if_statement": "condition", "while_statement": "condition",
                        "do_statement": "condition", "for_statement": "condition",
                        "conditional_expression": "condition", "switch_statement": "condition"}
    loop_types = frozenset({"for_statement", "for_range_loop", "while_statement", "do_statement"})
    function_types = frozenset({"function_definition"})
    call_types = frozenset({"call_expression"})
    fence_names = ("cpp", "c++", "cxx", "cc", "hpp", "C++")
    builtin_datasets = _DATASETS
    default_dataset = "humaneval-cpp"

    return_types = frozenset({"return_statement"})
    write_fields = {"assignment_expression": "left", "init_declarator": "declarator", "update_expression": "argument",
                    "for_range_loop": "declarator"}
    target_container_types = frozenset({"subscript_expression", "parenthesized_expression", "array_declarator",
                                        "field_expression", "reference_declarator", "pointer_declarator",
                                        "pointer_expression"})
    condition_wrapper_types = frozenset({"parenthesized_expression", "condition_clause"})
    shape_noise_types = frozenset({"string_content", "namespace_identifier"})
    declaration_types = frozenset({"declaration"})
    expression_statement_types = frozenset({"expression_statement"})
    string_types = frozenset({"string_literal", "raw_string_literal"})
    number_types = frozenset({"number_literal"})
    boolean_types = frozenset({"true", "false"})
    declarator_types = frozenset({"init_declarator", "pointer_declarator", "array_declarator", "function_declarator",
                                  "parenthesized_declarator", "attributed_declarator", "reference_declarator",
                                  "abstract_pointer_declarator", "abstract_array_declarator",
                                  "abstract_function_declarator", "abstract_parenthesized_declarator",
                                  "abstract_reference_declarator"})
    pattern_types = frozenset({"structured_binding_declarator"})

    line_comment = "//"
    preamble_pattern = r"^(#include|using ).*$"
    definition_types = frozenset({"declaration", "function_definition", "preproc_include", "preproc_def",
                                  "preproc_function_def", "type_definition", "struct_specifier", "class_specifier",
                                  "enum_specifier", "union_specifier", "template_declaration", "alias_declaration",
                                  "using_declaration", "namespace_definition"})
    runtime_image = RuntimeImage("runtimes/cpp/Dockerfile", PORT, image_command(PORT),
                                 packages=("runtimes/cpp", "adapters/cpp"))

    def ts_language(self) -> tree_sitter.Language:
        return tree_sitter.Language(tree_sitter_cpp.language())

    # --- importing datasets -----------------------------------------------------------
    def split_test_code(self, test: str, entry_point: str, task_id: str = "?") -> tuple:
        return datasets.split_tests(test, self.parse, task_id)

    # --- names: a function's name lives under its declarator (`A::f` -> `f`) -------------
    def function_name(self, fn: tree_sitter.Node, program: bytes) -> str | None:
        d = fn.child_by_field_name("declarator")
        while d is not None and d.type in ("pointer_declarator", "reference_declarator", "parenthesized_declarator",
                                           "attributed_declarator"):
            d = d.child_by_field_name("declarator") or (d.named_children[0] if d.named_children else None)
        if d is None or d.type != "function_declarator":
            return None
        name = d.child_by_field_name("declarator")
        while name is not None and name.type == "qualified_identifier":
            name = name.child_by_field_name("name")
        if name is not None and name.type == "template_function":
            name = name.child_by_field_name("name")
        return " ".join(name.text.decode().split()) if name is not None else None

    # --- spans -------------------------------------------------------------------------
    def statement_range(self, program: bytes, rng: Range) -> Range:
        """As the base class, but a for's init declaration belongs to the for header."""
        root = self.parse(program).root_node
        node = root.descendant_for_byte_range(rng.start_byte, max(rng.start_byte, rng.end_byte))
        while node is not None and (node.type not in self.statement_types
                                    or (node.parent is not None and node.parent.type == "for_statement"
                                        and node.parent.child_by_field_name("body") != node)):
            node = node.parent
        if node is None:
            return rng
        return self.header_range(program, node)

    def header_range(self, program: bytes, node: tree_sitter.Node) -> Range:
        if node.type == "try_statement":
            body = node.child_by_field_name("body")
            end = body.start_byte if body is not None else node.end_byte
            while end > node.start_byte and program[end - 1:end] in b" \t\r\n":
                end -= 1
            return Range.of_bytes(program, node.start_byte, max(end, node.start_byte + 1))
        return super().header_range(program, node)

    # --- gate: a missing token belongs to the statement it is missing from ----------
    def syntax_error(self, program: bytes) -> Range | None:
        root = self.parse(program).root_node
        if not root.has_error:
            return None
        stack = [root]
        while stack:
            node = stack.pop()
            if node.is_missing and node.parent is not None:
                owner = node.parent
                while owner is not None and owner.type not in self.statement_types:
                    owner = owner.parent
                return self.header_range(program, owner) if owner is not None else super().syntax_error(program)
            if node.is_error:
                return super().syntax_error(program)
            stack.extend(reversed(node.children))
        return super().syntax_error(program)

    # --- runtime --------------------------------------------------------------------------
    def local_runtime_command(self, port: int) -> list[str]:
        return [sys.executable, "-m", "egca_runtime_cpp", "--host", "127.0.0.1", "--port", str(port)]

    def conformance_suite(self):
        """runtimes/cpp/conformance/suite.json of this checkout."""
        path = Path(__file__).resolve().parents[3] / "runtimes" / "cpp" / "conformance" / "suite.json"
        return path if path.is_file() else None
