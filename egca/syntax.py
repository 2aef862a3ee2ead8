"""Tree-sitter questions the engine asks about a program, for any adapter.

All answers come from the adapter's grammar and node-type sets, so they are
language neutral. Trees are cached per program (the reference is asked again
and again during training).
"""

from __future__ import annotations

import functools

import tree_sitter

from egca.core import Range
from egca.plugin import LanguageAdapter, preorder


def _nodes(adapter: LanguageAdapter, program: bytes, within: Range | None = None):
    """The tree's nodes in preorder (source order); with `within`, only those that start inside
    it, and subtrees wholly outside it are not visited at all (the aligner asks about small
    constructs of a program many times)."""
    root = adapter.parse(program).root_node
    if within is None:
        yield from preorder(root)
        return
    lo, hi = within.start_byte, within.end_byte
    stack = [root]
    while stack:
        n = stack.pop()
        if n.start_byte >= hi or n.end_byte < lo:
            continue
        if n.start_byte >= lo:
            yield n
        stack.extend(reversed(n.children))


def _node_at(adapter: LanguageAdapter, program: bytes, rng: Range) -> tree_sitter.Node | None:
    root = adapter.parse(program).root_node
    return root.descendant_for_byte_range(rng.start_byte, max(rng.start_byte, rng.end_byte))


def construct_range(adapter: LanguageAdapter, program: bytes, rng: Range) -> Range | None:
    """The whole branching construct (if / loop statement) whose condition or header is at `rng`."""
    node = _node_at(adapter, program, rng)
    while node is not None:
        if node.type in adapter.condition_fields or node.type in adapter.loop_types:
            return Range.of_node(node)
        node = node.parent
    return None


def is_written(adapter: LanguageAdapter, node: tree_sitter.Node) -> bool:
    """Is this identifier assigned, updated, declared with a value, or mutated through a
    method call (`xs.append(...)`) or an element store (`xs[i] = ...`)? Read off the
    adapter's `write_fields`, `target_container_types`, `member_types` and `call_types`."""
    child, parent = node, node.parent
    while parent is not None:
        field = adapter.write_fields.get(parent.type)
        if field is not None:
            target = parent.child_by_field_name(field)
            return target is not None and target.start_byte <= node.start_byte < target.end_byte
        if parent.type in adapter.member_types:
            obj = parent.child_by_field_name("object")
            # `xs.append(...)` (a member inside a call) or `xs.add(...)` (a member call itself)
            return (obj is not None and obj.id == child.id
                    and (parent.type in adapter.call_types
                         or (parent.parent is not None and parent.parent.type in adapter.call_types)))
        if parent.type not in adapter.target_container_types:
            return False
        child, parent = parent, parent.parent
    return False


def written_names(adapter: LanguageAdapter, program: bytes, within: Range) -> set[str]:
    """Identifiers written anywhere inside `within` (statically: whether or not that code ran)."""
    return {n.text.decode() for n in _nodes(adapter, program, within)
            if n.type in adapter.identifier_types and is_written(adapter, n)}


def read_names(adapter: LanguageAdapter, program: bytes, within: Range) -> set[str]:
    """Identifiers read inside `within` (mentioned but not only written)."""
    return {n.text.decode() for n in _nodes(adapter, program, within)
            if n.type in adapter.identifier_types and not is_written(adapter, n)}


def contains_return(adapter: LanguageAdapter, program: bytes, within: Range) -> bool:
    """Does a return statement lie inside `within`?"""
    return any(n.type in adapter.return_types for n in _nodes(adapter, program, within))


@functools.lru_cache(maxsize=256)
def returned_identifiers(adapter: LanguageAdapter, program: bytes) -> frozenset[str]:
    """Variables returned as such somewhere (`return ok`): writing them decides the result."""
    out = set()
    for n in _nodes(adapter, program):
        if n.type in adapter.return_types:
            values = [c for c in n.named_children if c.type not in adapter.comment_types]
            if len(values) == 1 and values[0].type in adapter.identifier_types:
                out.add(values[0].text.decode())
    return frozenset(out)


def statements_writing(adapter: LanguageAdapter, program: bytes, name: str,
                       within: Range | None = None) -> list[Range]:
    """The innermost statements that write identifier `name` (optionally inside `within`)."""
    return _statements_holding(adapter, program, within, lambda n: n.type in adapter.identifier_types
                               and n.text == name.encode() and is_written(adapter, n))


def statements_calling(adapter: LanguageAdapter, program: bytes, name: str,
                       within: Range | None = None) -> list[Range]:
    """The innermost statements that call function `name` (optionally inside `within`), in
    source order."""
    return _statements_holding(adapter, program, within, lambda n: n.type in adapter.call_types
                               and adapter.callee_name(n, program) == name)


def _statements_holding(adapter: LanguageAdapter, program: bytes, within: Range | None, wanted) -> list[Range]:
    """The header ranges of the innermost statements around the nodes `wanted` accepts."""
    found: list[Range] = []
    for node in _nodes(adapter, program, within):
        if not wanted(node):
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


def enclosing_loop(adapter: LanguageAdapter, program: bytes, rng: Range) -> Range | None:
    """The header of the innermost loop around `rng`."""
    node = _node_at(adapter, program, rng)
    while node is not None:
        if node.type in adapter.loop_types:
            return adapter.header_range(program, node)
        node = node.parent
    return None


def text(program: bytes, rng: Range) -> str:
    return program[rng.start_byte:rng.end_byte].decode("utf-8", "replace")


def function_range(adapter: LanguageAdapter, program: bytes, name: str) -> Range | None:
    root = adapter.parse(program).root_node
    for node in preorder(root):
        if node.type in adapter.function_types and adapter.function_name(node, program) == name:
            return Range.of_node(node)
    return None
