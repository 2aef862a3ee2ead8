"""Tree-sitter questions the engine asks about a program, for any adapter.

All answers come from the adapter's grammar and node-type sets, so they are
language neutral. Trees are cached per program (the reference is asked again
and again during training).
"""

from __future__ import annotations

import functools

import tree_sitter

from egca.plugin import LanguageAdapter, Range, preorder


@functools.lru_cache(maxsize=256)
def _tree(adapter: LanguageAdapter, program: bytes) -> tree_sitter.Tree:
    return adapter.parse(program)


def _node_at(adapter: LanguageAdapter, program: bytes, rng: Range) -> tree_sitter.Node | None:
    root = _tree(adapter, program).root_node
    return root.descendant_for_byte_range(rng.start_byte, max(rng.start_byte, rng.end_byte))


def construct_range(adapter: LanguageAdapter, program: bytes, rng: Range) -> Range | None:
    """The whole branching construct (if / loop statement) whose condition or header is at `rng`."""
    node = _node_at(adapter, program, rng)
    while node is not None:
        if node.type in adapter.condition_fields or node.type in adapter.loop_types:
            return Range.of_node(node)
        node = node.parent
    return None


def statements_with_identifier(adapter: LanguageAdapter, program: bytes, name: str,
                               within: Range | None = None) -> list[Range]:
    """The innermost statements that mention identifier `name` (optionally inside `within`)."""
    root = _tree(adapter, program).root_node
    found: list[Range] = []
    for node in preorder(root):
        if node.type != "identifier" or node.text != name.encode():
            continue
        if within and not (within.start_byte <= node.start_byte < within.end_byte):
            continue
        stmt = node.parent
        while stmt is not None and stmt.type not in adapter.statement_types:
            stmt = stmt.parent
        if stmt is not None:
            rng = adapter.header_range(program, stmt)
            if rng not in found:
                found.append(rng)
    return found


def enclosing_condition(adapter: LanguageAdapter, program: bytes, rng: Range) -> Range | None:
    """The condition of the innermost branching construct strictly enclosing the statement at `rng`."""
    node = _node_at(adapter, program, rng)
    while node is not None:
        field = adapter.condition_fields.get(node.type)
        if field or node.type in adapter.loop_types:
            cond = node.child_by_field_name(field) if field else None
            header = Range.of_node(cond) if cond is not None else adapter.header_range(program, node)
            if not (header.start_byte <= rng.start_byte < header.end_byte):
                return header
        node = node.parent
    return None


def text(program: bytes, rng: Range) -> str:
    return program[rng.start_byte:rng.end_byte].decode("utf-8", "replace")


def function_range(adapter: LanguageAdapter, program: bytes, name: str) -> Range | None:
    root = _tree(adapter, program).root_node
    for node in preorder(root):
        if node.type in adapter.function_types and adapter.function_name(node, program) == name:
            return Range.of_node(node)
    return None
