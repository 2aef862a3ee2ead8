"""The C adapter: tree-sitter-c node types, spans, the humaneval-c dataset, the local runtime."""

from __future__ import annotations

import sys
from pathlib import Path

import tree_sitter
import tree_sitter_c

from egca.core import Range
from egca_kit.healthcheck import image_command
from egca.plugin import LanguageAdapter, RuntimeImage
from egca.problem import Problem

# humaneval-c is written in the problem format already (tools/build_humaneval_c.py).
_DATASETS = {"humaneval-c": ("humaneval_c.jsonl", lambda row, parse: Problem.from_dict(row),
                             "HumanEval translated to C (EGCA's own translation; tests are C asserts)")}


class CAdapter(LanguageAdapter):
    name = "c"
    statement_types = frozenset({
        "expression_statement", "declaration", "return_statement", "if_statement", "while_statement",
        "do_statement", "for_statement", "switch_statement", "break_statement", "continue_statement",
        "goto_statement",
    })
    condition_fields = {"if_statement": "condition", "while_statement": "condition",
                        "do_statement": "condition", "for_statement": "condition",
                        "conditional_expression": "condition", "switch_statement": "condition"}
    loop_types = frozenset({"for_statement", "while_statement", "do_statement"})
    function_types = frozenset({"function_definition"})
    call_types = frozenset({"call_expression"})
    fence_names = ("c", "C", "h")
    builtin_datasets = _DATASETS
    default_dataset = "humaneval-c"

    return_types = frozenset({"return_statement"})
    write_fields = {"assignment_expression": "left", "init_declarator": "declarator", "update_expression": "argument"}
    target_container_types = frozenset({"subscript_expression", "parenthesized_expression", "array_declarator",
                                        "field_expression"})
    condition_wrapper_types = frozenset({"parenthesized_expression"})
    shape_noise_types = frozenset({"string_content"})
    declaration_types = frozenset({"declaration"})
    expression_statement_types = frozenset({"expression_statement"})
    number_types = frozenset({"number_literal"})
    boolean_types = frozenset({"true", "false"})
    declarator_types = frozenset({"init_declarator", "pointer_declarator", "array_declarator", "function_declarator",
                                  "parenthesized_declarator", "attributed_declarator", "abstract_pointer_declarator",
                                  "abstract_array_declarator", "abstract_function_declarator",
                                  "abstract_parenthesized_declarator"})

    line_comment = "//"
    preamble_pattern = r"^(#include|using ).*$"
    # Composing a chat answer with its prompt: what a prompt may give that an answer needs.
    definition_types = frozenset({"declaration", "function_definition", "preproc_include", "preproc_def",
                                  "preproc_function_def", "type_definition", "struct_specifier", "enum_specifier",
                                  "union_specifier"})
    runtime_image = RuntimeImage("runtimes/c/Dockerfile", 50063, image_command(50063),
                                 packages=("runtimes/c", "adapters/c"))

    def ts_language(self) -> tree_sitter.Language:
        return tree_sitter.Language(tree_sitter_c.language())

    # --- names: a C function's name lives under its declarator ---------------------
    def function_name(self, fn: tree_sitter.Node, program: bytes) -> str | None:
        d = fn.child_by_field_name("declarator")
        while d is not None and d.type in ("pointer_declarator", "parenthesized_declarator", "attributed_declarator"):
            d = d.child_by_field_name("declarator") or (d.named_children[0] if d.named_children else None)
        if d is None or d.type != "function_declarator":
            return None
        name = d.child_by_field_name("declarator")
        return name.text.decode() if name is not None and name.type == "identifier" else None

    # --- spans: a for's init declaration is part of the for header (as the runtime reports it) ---
    def statement_range(self, program: bytes, rng: Range) -> Range:
        root = self.parse(program).root_node
        node = root.descendant_for_byte_range(rng.start_byte, max(rng.start_byte, rng.end_byte))
        while node is not None and (node.type not in self.statement_types
                                    or (node.parent is not None and node.parent.type == "for_statement"
                                        and node.parent.child_by_field_name("body") != node)):
            node = node.parent
        if node is None:
            return rng
        return self.header_range(program, node)

    # --- spans: C keeps a condition's parentheses in the tree; the condition is what is inside ---
    # --- gate: a missing token belongs to the statement it is missing from ----------
    def syntax_error(self, program: bytes) -> Range | None:
        """As the base class, but a MISSING token (`return x` without `;`) is located at the
        statement that lacks it: tree-sitter places it after the whitespace that follows,
        where a byte-range lookup would find the enclosing block instead."""
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

    # --- runtime --------------------------------------------------------------------
    def conformance_suite(self):
        """runtimes/c/conformance/suite.json of this checkout."""
        path = Path(__file__).resolve().parents[3] / "runtimes" / "c" / "conformance" / "suite.json"
        return path if path.is_file() else None

    def local_runtime_command(self, port: int) -> list[str]:
        return [sys.executable, "-m", "egca_runtime_c", "--host", "127.0.0.1", "--port", str(port)]
