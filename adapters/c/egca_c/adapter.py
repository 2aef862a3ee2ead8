"""The C adapter: tree-sitter-c node types, spans, the humaneval-c dataset, the local runtime."""

from __future__ import annotations

import json
import sys
from importlib import resources

import tree_sitter
import tree_sitter_c

from egca.errors import InfrastructureError, InvalidInput
from egca.plugin import LanguageAdapter, Range
from egca.problem import Problem

DATASET = "humaneval-c"
DATASET_FILE = "humaneval_c.jsonl"


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

    # --- datasets -------------------------------------------------------------------
    def _dataset_file(self):
        return resources.files("egca.datasets").joinpath("data", DATASET_FILE)

    def dataset_names(self) -> list[str]:
        try:
            return [DATASET] if self._dataset_file().is_file() else []
        except ModuleNotFoundError:
            return []

    def dataset_description(self, name: str) -> str:
        return "HumanEval translated to C (EGCA's own translation; tests are C asserts)"

    def load_dataset(self, name: str) -> list[Problem]:
        if name != DATASET or not self.dataset_names():
            raise InvalidInput(f"unknown dataset '{name}'")
        problems = []
        with self._dataset_file().open("r", encoding="utf-8") as f:
            for lineno, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    problems.append(Problem.from_dict(json.loads(line)))
                except (ValueError, InvalidInput) as e:
                    raise InfrastructureError(f"{DATASET_FILE} line {lineno} is malformed: {e}") from e
        return problems

    # --- runtime --------------------------------------------------------------------
    def local_runtime_command(self, port: int) -> list[str]:
        return [sys.executable, "-m", "egca_runtime_c", "--host", "127.0.0.1", "--port", str(port)]
