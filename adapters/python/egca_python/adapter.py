"""PythonAdapter: what the engine needs to know about Python, read off tree-sitter-python trees."""

from __future__ import annotations

from pathlib import Path

import sys

import tree_sitter
import tree_sitter_python

from egca.core import Constraints, Range
from egca_kit.healthcheck import image_command
from egca.plugin import LanguageAdapter, RuntimeImage, preorder
from egca_python import datasets

_SIMPLE_STATEMENTS = frozenset({
    "expression_statement", "return_statement", "assert_statement", "pass_statement", "break_statement",
    "continue_statement", "delete_statement", "raise_statement", "global_statement", "nonlocal_statement",
    "import_statement", "import_from_statement", "future_import_statement", "print_statement",
    "exec_statement", "type_alias_statement",
})
# Clauses (elif/else/except/finally/case) count as statements: a span on `else:` is that clause.
_COMPOUND_STATEMENTS = frozenset({
    "if_statement", "elif_clause", "else_clause", "for_statement", "while_statement", "try_statement",
    "except_clause", "finally_clause", "with_statement", "function_definition", "class_definition",
    "decorated_definition", "match_statement", "case_clause",
})
# Besides comments and identifiers: string contents say nothing about structure.
_STRING_PARTS = frozenset({"string_content", "string_start", "string_end"})
_COMPREHENSIONS = frozenset({"list_comprehension", "set_comprehension", "dictionary_comprehension",
                             "generator_expression"})

_DATASETS = {
    "humaneval": ("HumanEval.jsonl.gz", datasets.humaneval_problem,
                  "OpenAI HumanEval, 164 Python problems (MIT)"),
    "mbpp": ("mbpp_sanitized.jsonl.gz", datasets.mbpp_problem,
             "MBPP sanitized split, 427 Python problems (CC-BY-4.0)"),
}


class PythonAdapter(LanguageAdapter):
    """Python via tree-sitter-python 0.25.

    Spans: a compound statement's header stops before its `:` (`if x > 1`, `for x in xs`,
    `else`, `def f(x) -> int`); a branch on an `if`/`elif`/`while` gives its condition, on a
    `for` (which has no condition expression) its header `for x in xs`, on a conditional
    expression `a if c else b` the condition `c`.

    Constraints: loop depth counts comprehensions (`[y for x in xs for y in x]` is depth 2),
    so a built-in-free rewrite of a comprehension is not a complexity change. Features
    (reported, not gated): `uses_sort`, `data_structures`, `builtins_called`.
    """

    name = "python"
    statement_types = _SIMPLE_STATEMENTS | _COMPOUND_STATEMENTS
    condition_fields = {"if_statement": "condition", "elif_clause": "condition", "while_statement": "condition"}
    loop_types = frozenset({"for_statement", "while_statement"})
    function_types = frozenset({"function_definition"})
    call_types = frozenset({"call"})
    fence_names = ("python", "py", "python3")
    builtin_datasets = _DATASETS
    default_dataset = "humaneval"

    return_types = frozenset({"return_statement"})
    write_fields = {"assignment": "left", "augmented_assignment": "left", "for_statement": "left",
                    "named_expression": "name"}
    target_container_types = frozenset({"subscript", "pattern_list", "tuple_pattern", "list_pattern",
                                        "parenthesized_expression"})
    member_types = frozenset({"attribute"})
    condition_wrapper_types = frozenset({"parenthesized_expression"})
    shape_noise_types = _STRING_PARTS
    declaration_types = frozenset({"import_statement", "import_from_statement", "future_import_statement",
                                   "function_definition", "class_definition", "decorated_definition"})
    expression_statement_types = frozenset({"expression_statement"})
    string_types = frozenset({"string"})
    number_types = frozenset({"integer"})
    boolean_types = frozenset({"true", "false"})
    name_fields = ("function", "attribute", "name", "type")
    pattern_types = frozenset({"pattern", "pattern_list", "tuple_pattern", "list_pattern", "list_splat_pattern",
                               "dictionary_splat_pattern", "splat_pattern", "as_pattern", "as_pattern_target",
                               "case_pattern", "class_pattern", "complex_pattern", "dict_pattern",
                               "keyword_pattern", "union_pattern", "tuple", "list"})

    line_comment = "#"
    preamble_pattern = r"^(import |from \S+ import ).*$"
    runtime_image = RuntimeImage("runtimes/python/Dockerfile", 50061, image_command(50061),
                                 packages=("runtimes/python", "adapters/python"))

    def ts_language(self) -> tree_sitter.Language:
        return tree_sitter.Language(tree_sitter_python.language())

    # --- gate: syntax -------------------------------------------------------------------------
    def syntax_error(self, program: bytes) -> Range | None:
        """The first ERROR/MISSING node, cut to its first line.

        tree-sitter-python swallows the rest of a block into one ERROR when a header lacks
        its `:` (`for i in xs` then the body): the broken line is the first one. It accepts
        some programs CPython rejects (bad indentation); the runtime reports those.
        """
        rng = super().syntax_error(program)
        if rng is None or rng.start_line == rng.end_line:
            return rng
        end = program.find(b"\n", rng.start_byte, rng.end_byte)
        end = rng.start_byte + len(program[rng.start_byte:end].rstrip())
        return Range.of_bytes(program, rng.start_byte, max(end, rng.start_byte + 1))

    # --- importing datasets ----------------------------------------------------------------------
    def split_test_code(self, test: str, entry_point: str, task_id: str = "?") -> tuple:
        return datasets.split_humaneval_tests(test, entry_point, self.parse, task_id)

    # --- composing a chat answer with its prompt ------------------------------------------------
    definition_types = declaration_types | frozenset({"expression_statement", "type_alias_statement"})

    def defined_names(self, node: tree_sitter.Node, program: bytes) -> set[str] | None:
        """Imports define no name; functions, classes (decorated or not) and type aliases
        their name; a top-level assignment (`FIX = ...`, `a, b = 1, 2`) its targets; any
        other expression statement (a call, a docstring) nothing."""
        if node.type in ("import_statement", "import_from_statement", "future_import_statement"):
            return set()
        if node.type == "decorated_definition":
            node = node.child_by_field_name("definition") or node
        if node.type in ("function_definition", "class_definition"):
            name = node.child_by_field_name("name")
            return {name.text.decode()} if name is not None else set()
        if node.type == "type_alias_statement":
            left = node.child_by_field_name("left")
            return {n.text.decode() for n in preorder(left) if n.type == "identifier"} if left is not None else None
        assignment = node.named_children[0] if node.named_children else None
        if assignment is None or assignment.type not in ("assignment", "augmented_assignment"):
            return None
        left = assignment.child_by_field_name("left")
        names = set()
        for n in preorder(left) if left is not None else ():
            if n.type == "identifier" and (n.parent is left or n.parent.type in self.pattern_types
                                           or n.parent.type == "pattern_list"):
                names.add(n.text.decode())
        return names or None

    # --- spans ------------------------------------------------------------------------------
    def header_range(self, program: bytes, node: tree_sitter.Node) -> Range:
        """Up to (not including) the `:` that opens the block; comments after it are not header."""
        if node.type == "decorated_definition":
            definition = node.child_by_field_name("definition")
            if definition is not None:
                inner = self.header_range(program, definition)
                return Range.of_bytes(program, node.start_byte, inner.end_byte)
        colon = None
        for child in node.children:
            if child.type == "block":
                break
            if child.type == ":":
                colon = child
        else:
            return Range.of_node(node)  # no block: a simple statement (or a broken one)
        end = colon.start_byte if colon is not None else child.start_byte
        while end > node.start_byte and program[end - 1:end] in (b" ", b"\t", b"\n", b"\r", b"\\"):
            end -= 1
        return Range.of_bytes(program, node.start_byte, end)

    def condition_range(self, program: bytes, rng: Range) -> Range:
        root = self.parse(program).root_node
        node = root.descendant_for_byte_range(rng.start_byte, max(rng.start_byte, rng.end_byte))
        while node is not None and node.type not in self.statement_types:
            if node.type == "conditional_expression" and len(node.named_children) == 3:
                return Range.of_node(node.named_children[1])  # body if CONDITION else alternative
            node = node.parent
        return super().condition_range(program, rng)

    # --- constraints --------------------------------------------------------------------------
    def _shape(self, program: bytes, start: int = 0) -> list[str]:
        """The base shape without docstrings: the prompt's docstring is shared by every
        candidate and would make a stub look like the reference."""
        docstrings = set()
        root = self.parse(program).root_node
        for node in preorder(root):
            if node.type in ("block", "module"):
                first = next((c for c in node.named_children if c.type != "comment"), None)
                if (first is not None and first.type == "expression_statement"
                        and [c.type for c in first.named_children] == ["string"]):
                    docstrings.add((first.start_byte, first.end_byte))
        noise = self.comment_types | self.identifier_types | self.shape_noise_types
        return [n.type for n in preorder(root)
                if n.start_byte >= start and n.is_named and n.type not in noise
                and not any(s <= n.start_byte < e for s, e in docstrings)]

    def parameter_names(self, fn: tree_sitter.Node, program: bytes) -> set[str]:
        """Parameter names only: `xs: List[int] = None` holds the identifiers List and int too."""
        params = fn.child_by_field_name("parameters")
        names = set()
        for node in params.named_children if params is not None else ():
            if node.type in ("default_parameter", "typed_default_parameter"):
                node = node.child_by_field_name("name")
            if node is not None and node.type == "typed_parameter" and node.named_children:
                node = node.named_children[0]
            if node is not None and node.type in ("list_splat_pattern", "dictionary_splat_pattern") \
                    and node.named_children:
                node = node.named_children[0]
            if node is not None and node.type == "identifier":
                names.add(node.text.decode())
        return names

    def _max_loop_depth(self, node: tree_sitter.Node, depth: int = 0) -> int:
        here = depth + (node.type in self.loop_types)
        if node.type in _COMPREHENSIONS:
            here += sum(c.type == "for_in_clause" for c in node.named_children)
        return max([here] + [self._max_loop_depth(c, here) for c in node.named_children])

    def extract_constraints(self, reference_program: bytes, entry_point: str) -> Constraints:
        constraints = super().extract_constraints(reference_program, entry_point)
        constraints.features.update(self.features(reference_program))
        return constraints

    def features(self, program: bytes) -> dict[str, object]:
        """Cheap facts about the program's algorithm (reported, not gated by default)."""
        structures, builtins_called, uses_sort = set(), set(), False
        literal = {"list": "list", "list_comprehension": "list", "dictionary": "dict",
                   "dictionary_comprehension": "dict", "set": "set", "set_comprehension": "set", "tuple": "tuple"}
        by_call = {"list": "list", "dict": "dict", "set": "set", "frozenset": "set", "tuple": "tuple",
                   "deque": "deque", "Counter": "dict", "defaultdict": "dict", "OrderedDict": "dict",
                   "heappush": "heap", "heapify": "heap"}
        for node in preorder(self.parse(program).root_node):
            if node.type in literal:
                structures.add(literal[node.type])
            elif node.type == "call":
                fn = node.child_by_field_name("function")
                name = None
                if fn is not None and fn.type == "identifier":
                    name = fn.text.decode()
                    if name in datasets._BUILTINS:
                        builtins_called.add(name)
                elif fn is not None and fn.type == "attribute":
                    name = fn.child_by_field_name("attribute").text.decode()
                if name in by_call:
                    structures.add(by_call[name])
                uses_sort = uses_sort or name in ("sorted", "sort")
        return {"uses_sort": uses_sort, "data_structures": sorted(structures),
                "builtins_called": sorted(builtins_called)}

    # --- runtime ------------------------------------------------------------------------------
    def conformance_suite(self):
        """runtimes/python/conformance/suite.json of this checkout."""
        path = Path(__file__).resolve().parents[3] / "runtimes" / "python" / "conformance" / "suite.json"
        return path if path.is_file() else None

    def local_runtime_command(self, port: int) -> list[str]:
        return [sys.executable, "-m", "egca_runtime_python", "--host", "127.0.0.1", "--port", str(port)]
