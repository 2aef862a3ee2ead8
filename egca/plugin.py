"""The public plug-in interface for languages.

A language is added by shipping a `LanguageAdapter` subclass and registering
it under the `egca.adapters` entry-point group:

    [project.entry-points."egca.adapters"]
    mylang = "egca_mylang:MyLangAdapter"

The in-repo adapters (adapters/<language>) use exactly this, so adding a
language never means editing the engine: everything the engine knows about a
language (node types, comment and fence syntax, prompt preambles, datasets,
the runtime and its container image) comes from the attributes and methods
below. The base class does the tree-sitter work that is the same for every
language, driven by the node-type sets each adapter declares. The hooks are
listed in docs/ENGINE_API.md ("Writing a language adapter").
"""

from __future__ import annotations

from pathlib import Path

import difflib
import functools
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass
from importlib.metadata import entry_points
from importlib.resources.abc import Traversable
from typing import Callable, ClassVar, Iterator

import tree_sitter

from egca import datafiles
from egca.core import Constraints, GateConfig, Range
from egca.errors import InvalidInput
from egca.problem import Problem

# Range, GateConfig and Constraints live in egca.core; they are re-exported here because
# adapters written against this module import them from it (and, until the runtimes stop
# importing the engine, a runtime does too).
__all__ = ["ENTRY_POINT_GROUP", "Constraints", "GateConfig", "LanguageAdapter", "Range", "RuntimeImage",
           "available_adapters", "get_adapter", "preorder"]


@dataclass(frozen=True)
class RuntimeImage:
    """How `egca runtimes` builds and runs a language's runtime as a container.

    Paths are relative to the repository root (the build context)."""

    dockerfile: str                  # e.g. runtimes/<language>/Dockerfile
    port: int                        # the Tracer service's port inside the container
    health: tuple[str, ...]          # the image's health-check command (also run by `egca runtimes status`)
    packages: tuple[str, ...] = ()   # local packages the images install (built into the wheelhouse)
    context: tuple[str, ...] = ()    # other paths the image build needs

ENTRY_POINT_GROUP = "egca.adapters"


class LanguageAdapter(ABC):
    """Engine-side knowledge of one language. Subclasses fill the class attributes."""

    name: ClassVar[str]                          # language id used in problems (Problem.language)
    # tree-sitter node types that are statements (the unit a span snaps to).
    statement_types: ClassVar[frozenset[str]]
    # node type -> field name of its condition, for branch divergences.
    condition_fields: ClassVar[dict[str, str]] = {}
    loop_types: ClassVar[frozenset[str]] = frozenset()
    function_types: ClassVar[frozenset[str]] = frozenset()
    call_types: ClassVar[frozenset[str]] = frozenset()
    # Markdown fence info strings that mean "this language".
    fence_names: ClassVar[tuple[str, ...]] = ()

    # --- node types the engine asks about (defaults: the usual tree-sitter conventions) ---
    # Names of variables, functions and parameters.
    identifier_types: ClassVar[frozenset[str]] = frozenset({"identifier"})
    comment_types: ClassVar[frozenset[str]] = frozenset({"comment"})
    # Return statements (a returned variable decides the result).
    return_types: ClassVar[frozenset[str]] = frozenset()
    # node type -> field holding what it writes: assignments, declarators with a value,
    # for-in loops, updates (`i++`), named expressions. An identifier inside that field
    # (possibly nested in `target_container_types`) is written.
    write_fields: ClassVar[dict[str, str]] = {}
    # Nodes an assignment target may be nested in: subscripts, destructuring patterns,
    # parenthesised targets, array declarators, field accesses (`xs[i] = ...` writes xs).
    target_container_types: ClassVar[frozenset[str]] = frozenset()
    # Member accesses with an `object` field: `xs.append(...)` mutates xs.
    member_types: ClassVar[frozenset[str]] = frozenset()
    # Parentheses a condition field may hold (`if (x < y)`): the condition is what they hold.
    condition_wrapper_types: ClassVar[frozenset[str]] = frozenset()
    # Besides comments and identifiers, named nodes that say nothing about a program's
    # structure (string contents) and are left out of the similarity of syntax trees.
    shape_noise_types: ClassVar[frozenset[str]] = frozenset()
    # Statements that declare, define or import something.
    declaration_types: ClassVar[frozenset[str]] = frozenset()
    # Expression statements, and string literals (an expression statement holding only a
    # string is a docstring or a directive).
    expression_statement_types: ClassVar[frozenset[str]] = frozenset()
    string_types: ClassVar[frozenset[str]] = frozenset()
    # Literals: decimal number and boolean node types.
    number_types: ClassVar[frozenset[str]] = frozenset()
    boolean_types: ClassVar[frozenset[str]] = frozenset()
    # Declarator nodes (a declared name, a pointer/array/function declarator), whose `name`
    # or `declarator` field holds what they declare.
    declarator_types: ClassVar[frozenset[str]] = frozenset()
    # Destructuring targets (tuple and list patterns) whose identifiers are all written.
    pattern_types: ClassVar[frozenset[str]] = frozenset()
    # Fields whose identifier names something other than a variable: a callee, a declared
    # name, a type (and, where the grammar has one, an attribute).
    name_fields: ClassVar[tuple[str, ...]] = ("function", "name", "type")

    # --- source text -----------------------------------------------------------------
    # What starts a line comment (constraints injected into a completion prompt).
    line_comment: ClassVar[str] = "#"
    # Regex (multi-line mode) of the prompt lines a chat answer that rewrites the whole
    # function still needs (imports, includes); None: none are kept.
    preamble_pattern: ClassVar[str | None] = None

    # --- containers ----------------------------------------------------------------------
    # The runtime's container image (`egca runtimes`); None: no image.
    runtime_image: ClassVar[RuntimeImage | None] = None

    @functools.cached_property
    def preamble(self) -> re.Pattern | None:
        return re.compile(self.preamble_pattern, re.MULTILINE) if self.preamble_pattern else None

    # --- composing a chat answer with its prompt (egca/compose.py) -------------------------
    # Top-level node types that define or import something a program may need: functions,
    # classes, imports, includes, macros, constants. Empty: `declaration_types | function_types`.
    definition_types: ClassVar[frozenset[str]] = frozenset()

    def top_level_definitions(self, program: bytes) -> list[tuple[int, int, frozenset[str]]]:
        """(start byte, end byte, names defined) of each top-level definition that parses
        cleanly, in order. Imports and includes define no name (an empty set); a statement
        that defines nothing (a call, a `__main__` block) is not listed. A `;` the grammar
        leaves next to a definition (`struct s {...};`) belongs to it."""
        types = self.definition_types or (self.declaration_types | self.function_types)
        out = []
        for node in self.parse(program).root_node.children:
            if not node.is_named or node.has_error or node.type not in types:
                continue
            names = self.defined_names(node, program)
            if names is None:
                continue
            end = node.end_byte
            nxt = node.next_sibling
            if nxt is not None and not nxt.is_named and nxt.type == ";":
                end = nxt.end_byte
            out.append((node.start_byte, end, frozenset(names)))
        return out

    def defined_names(self, node: tree_sitter.Node, program: bytes) -> set[str] | None:
        """The names a top-level definition binds (empty for an import or include), or None
        when the node defines nothing. Default: a function's name, else the identifiers
        that the node's `name` field or its declarators' chain of `name`/`declarator`
        fields lead to (`int x = 1, *y;` -> x, y; a prototype -> its function)."""
        if node.type in self.function_types:
            name = self.function_name(node, program)
            return {name} if name else set()
        names: set[str] = set()
        stack = [c for f in ("name", "declarator") for c in node.children_by_field_name(f)]
        stack += [c for c in node.named_children if c.type in self.declarator_types]
        while stack:
            n = stack.pop()
            if n.type in self.identifier_types or n.type.endswith("identifier"):
                names.add(n.text.decode())
                continue
            stack += [c for f in ("name", "declarator") for c in n.children_by_field_name(f)]
        return names

    # --- parsing -----------------------------------------------------------------
    @abstractmethod
    def ts_language(self) -> tree_sitter.Language:
        """The tree-sitter grammar (from its PyPI package)."""

    @functools.cached_property
    def _parser(self) -> tree_sitter.Parser:
        return tree_sitter.Parser(self.ts_language())

    def parse(self, program: bytes) -> tree_sitter.Tree:
        """The program's tree. Trees are read, never edited, so the recent ones are kept: the
        gate, the aligner and the span code ask about the same candidate and reference many times."""
        return _parse(self, program)

    # --- datasets ------------------------------------------------------------------
    # Built-in datasets: name -> (file, converter of one raw row given (row, parse) into a
    # Problem, one-line description). Files are found by `dataset_file` (by default in the
    # data folder egca ships). Override the methods below for datasets that live elsewhere.
    builtin_datasets: ClassVar[dict[str, tuple[str, Callable[[dict, Callable], Problem], str]]] = {}
    # The dataset benchmarks use when none is named (None: the first of dataset_names()).
    default_dataset: ClassVar[str | None] = None

    def dataset_file(self, filename: str) -> Traversable:
        """Where a built-in dataset's raw file is: egca's shipped data folder by default;
        an adapter that ships its own data returns a path in its own package."""
        return datafiles.data_path(filename)

    def dataset_names(self) -> list[str]:
        """Built-in datasets this adapter ships."""
        return list(self.builtin_datasets)

    def dataset_description(self, name: str) -> str:
        """One line about a built-in dataset (source, size), for `egca datasets`."""
        return self.builtin_datasets[name][2] if name in self.builtin_datasets else ""

    def split_test_code(self, test: str, entry_point: str, task_id: str = "?") -> tuple:
        """HumanEval-style test code (a `check` function, a test function of asserts) as one
        `TestCase` per check, for importing such datasets (egca.formats.humaneval)."""
        raise InvalidInput(f"the {self.name} adapter cannot split HumanEval-style test code into test cases")

    def load_dataset(self, name: str) -> list[Problem]:
        """Convert a shipped dataset's raw upstream rows into problems (the problem format:
        docs/ENGINE_API.md, "Problems")."""
        if name not in self.builtin_datasets:
            raise InvalidInput(f"unknown dataset '{name}' ({self.name} adapter has: "
                               f"{', '.join(self.builtin_datasets) or 'none'})")
        filename, convert, _ = self.builtin_datasets[name]
        return [convert(row, self.parse) for row in datafiles.read_rows(self.dataset_file(filename))]

    # --- gate: syntax ---------------------------------------------------------------
    def syntax_error(self, program: bytes) -> Range | None:
        """The first ERROR or MISSING node, or None when the program parses."""
        root = self.parse(program).root_node
        if not root.has_error:
            return None
        for node in _preorder(root):
            if node.is_error or node.is_missing:
                if node.is_missing or node.end_byte == node.start_byte:
                    return self.statement_range(program, Range.of_node(node))
                return Range.of_node(node)
        return Range.of_node(root)

    # --- gate: constraints ------------------------------------------------------------
    def extract_constraints(self, reference_program: bytes, entry_point: str) -> Constraints:
        root = self.parse(reference_program).root_node
        return Constraints(loop_depth=self._max_loop_depth(root),
                           recursive=self._is_recursive(root, reference_program, entry_point),
                           uses_parameters=self._uses_parameters(root, reference_program, entry_point))

    def check_constraints(self, constraints: Constraints, reference_program: bytes, candidate_program: bytes,
                          entry_point: str, config: GateConfig = GateConfig()) -> list[str]:
        """Violations (empty list when the candidate is admissible for trace alignment)."""
        root = self.parse(candidate_program).root_node
        violations = []
        depth = self._max_loop_depth(root)
        if depth > constraints.loop_depth + config.max_extra_loop_depth:
            violations.append(f"loop nesting depth {depth} exceeds the reference's {constraints.loop_depth} "
                              f"by more than {config.max_extra_loop_depth}")
        if config.check_recursion:
            recursive = self._is_recursive(root, candidate_program, entry_point)
            if recursive != constraints.recursive:
                violations.append("uses recursion where the reference does not" if recursive
                                  else "does not use recursion where the reference does")
        if (config.check_parameters_used and constraints.uses_parameters
                and self._uses_parameters(root, candidate_program, entry_point) is False):
            violations.append(f"{entry_point} never reads its parameters (the reference's does)")
        similarity = self.similarity(reference_program, candidate_program)
        if similarity < config.min_similarity:
            violations.append(f"structurally not comparable to the reference "
                              f"(similarity {similarity:.2f} < {config.min_similarity})")
        return violations

    def similarity(self, a: bytes, b: bytes) -> float:
        """Similarity of the normalised syntax trees (named node types in preorder).

        Only the part of the programs where they can differ is compared: the shared prompt
        (signature, docstring, helpers given before it) would otherwise make a `return 0`
        stub look 40% like any reference. Both are cut at the start of the body of the
        outermost function that contains their first differing byte (the whole body stays,
        so a one-line change at the end of a long body still scores high), or at the start
        of that byte's line when it lies outside any function.
        """
        if a == b:
            return 1.0
        offset = _common_prefix_length(a, b)
        sa, sb = self._shape(a, self._comparable_start(a, offset)), self._shape(b, self._comparable_start(b, offset))
        if not sa and not sb:
            return 1.0
        return difflib.SequenceMatcher(None, sa, sb, autojunk=False).ratio()

    def _comparable_start(self, program: bytes, offset: int) -> int:
        root = self.parse(program).root_node
        # A program that is a prefix of the other (a deleted final statement) differs at its
        # very end, past the function: look from its last real byte instead.
        while offset > 0 and (offset >= len(program) or program[offset:offset + 1].isspace()):
            offset -= 1
        node = root.descendant_for_byte_range(offset, offset)
        start = None
        while node is not None:
            if node.type in self.function_types and node.start_byte < offset:
                body = self.body_node(node)
                if body is not None and body.start_byte <= offset:
                    start = body.start_byte  # keeps climbing: the outermost function wins
            node = node.parent
        return start if start is not None else program.rfind(b"\n", 0, offset) + 1

    def _shape(self, program: bytes, start: int = 0) -> list[str]:
        """Named node types in preorder of the nodes that begin at or after byte `start`."""
        noise = self.comment_types | self.identifier_types | self.shape_noise_types
        return [n.type for n in _preorder(self.parse(program).root_node)
                if n.start_byte >= start and n.is_named and n.type not in noise]

    def _max_loop_depth(self, node: tree_sitter.Node, depth: int = 0) -> int:
        here = depth + (node.type in self.loop_types)
        return max([here] + [self._max_loop_depth(c, here) for c in node.named_children])

    def _is_recursive(self, root: tree_sitter.Node, program: bytes, entry_point: str) -> bool:
        """Does any function of the program call itself (directly)?"""
        for fn in _preorder(root):
            if fn.type in self.function_types:
                name = self.function_name(fn, program)
                if name and any(self.callee_name(c, program) == name
                                for c in _preorder(fn) if c.type in self.call_types):
                    return True
        return False

    def _uses_parameters(self, root: tree_sitter.Node, program: bytes, entry_point: str) -> bool | None:
        """Does the entry function read any of its parameters? None when it cannot tell."""
        fns = [n for n in _preorder(root)
               if n.type in self.function_types and self.function_name(n, program) == entry_point]
        if not fns:
            return None
        fn = fns[-1]  # a later redefinition is the one that runs
        names, body = self.parameter_names(fn, program), self.body_node(fn)
        if not names or body is None:
            return None
        return any(n.type in self.identifier_types and n.text.decode() in names for n in _preorder(body))

    def parameter_names(self, fn: tree_sitter.Node, program: bytes) -> set[str]:
        """Names of a function's parameters (identifiers of its parameter list; grammars with
        declarators keep the list inside the function's declarator)."""
        params = fn.child_by_field_name("parameters")
        declarator = fn.child_by_field_name("declarator")
        if params is None and declarator is not None:
            params = next((n.child_by_field_name("parameters") for n in _preorder(declarator)
                           if n.child_by_field_name("parameters") is not None), None)
        if params is None:
            return set()
        return {n.text.decode() for n in _preorder(params) if n.type in self.identifier_types}

    def function_name(self, fn: tree_sitter.Node, program: bytes) -> str | None:
        node = fn.child_by_field_name("name")
        return node.text.decode() if node is not None else None

    def callee_name(self, call: tree_sitter.Node, program: bytes) -> str | None:
        node = call.child_by_field_name("function")
        return node.text.decode() if node is not None and node.type in self.identifier_types else None

    # --- spans ------------------------------------------------------------------------
    def statement_range(self, program: bytes, rng: Range) -> Range:
        """The smallest statement enclosing `rng` (a compound statement is cut to its header)."""
        root = self.parse(program).root_node
        node = root.descendant_for_byte_range(rng.start_byte, max(rng.start_byte, rng.end_byte))
        while node is not None and node.type not in self.statement_types:
            node = node.parent
        if node is None:
            return rng
        return self.header_range(program, node)

    def header_range(self, program: bytes, node: tree_sitter.Node) -> Range:
        """A compound statement's header (up to its body); a do-while's `while (...)` after its
        body; a simple statement whole."""
        body = self.body_node(node)
        if body is None:
            return Range.of_node(node)
        tail = self.trailing_header(program, node)
        if tail is not None:
            return tail
        end = body.start_byte
        while end > node.start_byte and program[end - 1:end] in (b" ", b"\n", b"\t", b"\r", b"{", b":"):
            end -= 1
        return Range.of_bytes(program, node.start_byte, end)

    def trailing_header(self, program: bytes, node: tree_sitter.Node) -> Range | None:
        """A construct whose condition follows its body (do-while): `while (...)`, else None."""
        field = self.condition_fields.get(node.type)
        cond = node.child_by_field_name(field) if field else None
        body = self.body_node(node)
        if cond is None or body is None or cond.start_byte < body.end_byte:
            return None
        tail = next(c for c in node.children if c.start_byte >= body.end_byte)
        return Range.of_bytes(program, tail.start_byte, cond.end_byte)

    def body_node(self, node: tree_sitter.Node) -> tree_sitter.Node | None:
        """The body of a compound statement (`body`, or an if's `consequence`), else None."""
        for name in ("body", "consequence"):
            body = node.child_by_field_name(name)
            if body is not None:
                return body
        return None

    def condition_range(self, program: bytes, rng: Range) -> Range:
        """For a branch divergence: the condition expression of the construct at `rng`."""
        root = self.parse(program).root_node
        node = root.descendant_for_byte_range(rng.start_byte, max(rng.start_byte, rng.end_byte))
        while node is not None:
            cond_field = self.condition_fields.get(node.type)
            if cond_field:
                cond = node.child_by_field_name(cond_field)
                if cond is not None:
                    # `if (x < y)`: the condition is what the parentheses hold.
                    inner = [c for c in cond.named_children if c.type not in self.comment_types]
                    if cond.type in self.condition_wrapper_types and len(inner) == 1:
                        cond = inner[0]
                    return Range.of_node(cond)
            elif node.type in self.loop_types:
                # A loop without a condition expression (for-in/for-of): its header decides.
                return self.header_range(program, node)
            if node.type in self.statement_types and node.type not in self.condition_fields:
                break
            node = node.parent
        return self.statement_range(program, rng)

    def error_range(self, program: bytes, line: int) -> Range:
        """The statement at a 1-based line (runtimes report error locations by line).

        The innermost statement enclosing the line's first non-blank byte (so on
        `a = f(); b = g()` it is the first statement, on a continuation line the statement
        it continues), cut to its header. A blank line or a line past the end is moved to
        the nearest line with text above it, so a stale line number still points into the
        program.
        """
        lines = program.split(b"\n")
        index = min(max(line, 1), len(lines)) - 1
        while index > 0 and not lines[index].strip():
            index -= 1
        start = sum(len(x) + 1 for x in lines[:index])
        text = lines[index]
        lo = start + (len(text) - len(text.lstrip()))
        hi = start + len(text.rstrip())
        if hi <= lo:
            return Range.of_bytes(program, 0, len(program))
        return self.statement_range(program, Range.of_bytes(program, lo, lo + 1))

    # --- runtime ----------------------------------------------------------------------
    @abstractmethod
    def local_runtime_command(self, port: int) -> list[str]:
        """argv that starts this language's Tracer service as a local process on `port`."""

    def conformance_suite(self) -> "Path | None":
        """The runtime's conformance suite file (egca_kit.conformance; docs/RUNTIMES.md), if it has one."""
        return None


def _common_prefix_length(a: bytes, b: bytes) -> int:
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:  # binary search on slice equality: native-speed compares
        mid = (lo + hi + 1) // 2
        if a[:mid] == b[:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _preorder(node: tree_sitter.Node) -> Iterator[tree_sitter.Node]:
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(reversed(n.children))



@functools.lru_cache(maxsize=None)
def available_adapters() -> dict[str, type[LanguageAdapter]]:
    """Every adapter registered under the `egca.adapters` entry-point group."""
    found = {}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        cls = ep.load()
        found[getattr(cls, "name", ep.name)] = cls
    return found


@functools.lru_cache(maxsize=None)
def get_adapter(language: str) -> LanguageAdapter:
    adapters = available_adapters()
    if language not in adapters:
        known = ", ".join(sorted(adapters)) or "none installed"
        raise InvalidInput(f"unknown language '{language}' (installed: {known})")
    return adapters[language]()


@functools.lru_cache(maxsize=256)
def _parse(adapter: "LanguageAdapter", program: bytes) -> tree_sitter.Tree:
    return adapter._parser.parse(program)


def preorder(node: tree_sitter.Node) -> Iterator[tree_sitter.Node]:
    """Public alias: adapters walk trees with it."""
    return _preorder(node)
