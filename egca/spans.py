"""From a divergence to token weights: source range -> statement or condition
(tree-sitter) -> program bytes -> completion bytes -> tokens -> weights.

The span weighting (which tokens a span covers, and their weights) is implemented
here only; the trainer (egca.train.weights) uses these functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from egca.core import DECISION_KINDS, Range
from egca.plugin import LanguageAdapter

WEIGHTINGS = ("span", "span_mix", "uniform", "narrow", "narrow_mix")
# `span_mix` keeps this share of the credit on the span and spreads the rest
# uniformly: an ablation between EGCA (1.0) and plain GRPO (0.0).
SPAN_MIX_SHARE = 0.8
# `narrow_mix` puts this share of the credit on the narrowed sub-statement span and the
# rest on the whole statement span (which contains it).
NARROW_MIX_SHARE = 0.5


@dataclass(frozen=True)
class Layout:
    """Where the completion's code sits in the program: program bytes
    [prefix_len, prefix_len + code_len) are completion bytes [code_start, ...)."""

    prefix_len: int
    code_start: int
    code_len: int

    def to_completion(self, start: int, end: int) -> tuple[int, int] | None:
        """Clip a program byte range to the completion; None when it lies outside it."""
        lo, hi = max(start, self.prefix_len), min(end, self.prefix_len + self.code_len)
        if hi <= lo:
            return None
        return lo - self.prefix_len + self.code_start, hi - self.prefix_len + self.code_start


def snap(adapter: LanguageAdapter, program: bytes, rng: Range, kind: str) -> Range:
    """The smallest enclosing statement, or the condition expression for a divergence at a
    decision (branch, missing)."""
    if kind in DECISION_KINDS:
        return adapter.condition_range(program, rng)
    return adapter.statement_range(program, rng)


def span_token_indices(span: tuple[int, int], token_offsets: Sequence[tuple[int, int]]) -> list[int]:
    """The tokens whose byte range overlaps the span."""
    start, end = span
    return [i for i, (a, b) in enumerate(token_offsets) if a < end and b > start]


def span_weights(span: tuple[int, int], token_offsets: Sequence[tuple[int, int]]) -> list[float] | None:
    """1/|S| on the tokens S overlapping the span, 0 elsewhere; None when no token overlaps it."""
    hits = span_token_indices(span, token_offsets)
    if not hits:
        return None
    weights = [0.0] * len(token_offsets)
    for i in hits:
        weights[i] = 1.0 / len(hits)
    return weights


def token_weights(span: tuple[int, int] | None, token_offsets: list[tuple[int, int]],
                  weighting: str = "span", narrowed: tuple[int, int] | None = None) -> list[float]:
    """Weights over the completion's tokens with sum 1.

    `span` (the paper): 1/|S| on the tokens S overlapping the statement span, 0 elsewhere;
    `span_mix`: SPAN_MIX_SHARE of the mass on S, the rest uniform; `uniform`: 1/T;
    `narrow`: 1/|N| on the tokens N overlapping the narrowed sub-statement span (the part
    of the statement that differs from the reference, `narrow`), else as `span`;
    `narrow_mix`: NARROW_MIX_SHARE of the mass as `narrow`, the rest as `span`.
    With no span (correct / constraint modes) or no token overlapping it: uniform.
    """
    if weighting not in WEIGHTINGS:
        raise ValueError(f"unknown weighting '{weighting}' (choose from {', '.join(WEIGHTINGS)})")
    n = len(token_offsets)
    if n == 0:
        return []
    uniform = [1.0 / n] * n
    if span is None or weighting == "uniform":
        return uniform
    on_span = span_weights(span, token_offsets)
    if on_span is None:
        return uniform
    if weighting == "span":
        return on_span
    if weighting == "span_mix":
        return [SPAN_MIX_SHARE * w + (1 - SPAN_MIX_SHARE) / n for w in on_span]
    on_narrow = span_weights(narrowed, token_offsets) if narrowed is not None else None
    if on_narrow is None:
        return on_span
    if weighting == "narrow":
        return on_narrow
    return [NARROW_MIX_SHARE * a + (1 - NARROW_MIX_SHARE) * b for a, b in zip(on_narrow, on_span)]


# --- narrowing a statement to the part that differs ---------------------------------------

def narrow(adapter: LanguageAdapter, program: bytes, rng: Range, ref_program: bytes | None,
           ref_rng: Range | None, rename: dict[str, str] | None = None) -> tuple[Range, Range | None] | None:
    """The part of the candidate's divergent statement (or condition) `rng` that differs from
    its counterpart `ref_rng` in the reference, read off the two syntax trees; None when
    nothing narrower than `rng` can be justified.

    The two trees are walked together. Two nodes are equal when they have the same type and
    equal children, identifiers compared through `rename` (candidate name -> reference name:
    the aligner's variable and function matching), other leaves by their text. Where exactly
    one child differs the walk descends into it; it stops at the node itself when an
    operator or keyword differs (the operator with its operands: `a - b` for `a + b`), when
    a callee differs (the whole call: `min(a, b)` for `max(a, b)`), when several children
    differ (`b - a` for `a - b`), or when the node types or child counts differ (`n` for
    `n + 1`). Only the part of each tree inside the statement's range counts (a compound
    statement's header, not its body). Returns the candidate range and the reference's
    counterpart range."""
    if ref_program is None or ref_rng is None:
        return None
    c = _window_node(adapter, program, rng)
    r = _window_node(adapter, ref_program, ref_rng)
    if c is None or r is None:
        return None
    differ = _Differ(adapter, rename or {}, (rng.start_byte, rng.end_byte), (ref_rng.start_byte, ref_rng.end_byte))
    found = differ.narrow(c, r)
    if found is None:
        return None
    cn, rn = found
    lo, hi = max(cn.start_byte, rng.start_byte), min(cn.end_byte, rng.end_byte)
    if hi <= lo or (lo, hi) == (rng.start_byte, rng.end_byte):
        return None
    rlo, rhi = max(rn.start_byte, ref_rng.start_byte), min(rn.end_byte, ref_rng.end_byte)
    ref_out = Range.of_bytes(ref_program, rlo, rhi) if rhi > rlo else None
    return Range.of_bytes(program, lo, hi), ref_out


def _window_node(adapter: LanguageAdapter, program: bytes, rng: Range):
    """The smallest syntax node covering `rng` (a header's statement node: its body is cut off
    by the window)."""
    root = adapter.parse(program).root_node
    node = root.descendant_for_byte_range(rng.start_byte, max(rng.start_byte, rng.end_byte))
    while node is not None and not (node.start_byte <= rng.start_byte and node.end_byte >= rng.end_byte):
        node = node.parent
    return node


class _Differ:
    def __init__(self, adapter: LanguageAdapter, rename: dict[str, str], cwin: tuple[int, int],
                 rwin: tuple[int, int], loose: bool = False):
        self.adapter, self.rename, self.cwin, self.rwin = adapter, rename, cwin, rwin
        # Loose: two names neither of which the renaming knows (a comprehension's variable on
        # each side) are taken to be the same variable; callees still compare by name.
        self.loose = loose
        self.known = set(rename.values())

    def _children(self, node, win: tuple[int, int]) -> list:
        return [c for c in node.children if c.type not in self.adapter.comment_types
                and c.end_byte > win[0] and c.start_byte < win[1]]

    def equal(self, c, r) -> bool:
        if c.type != r.type:
            return False
        if c.child_count == 0 or r.child_count == 0:
            if c.child_count != r.child_count:
                return False
            ct, rt = c.text.decode("utf-8", "replace"), r.text.decode("utf-8", "replace")
            if c.type in self.adapter.identifier_types:
                if self.rename.get(ct, ct) == rt:
                    return True
                return self.loose and ct not in self.rename and rt not in self.known and not self._is_callee(c)
            return ct == rt
        cc, rc = self._children(c, self.cwin), self._children(r, self.rwin)
        return len(cc) == len(rc) and all(self.equal(x, y) for x, y in zip(cc, rc))

    def _is_callee(self, node) -> bool:
        parent = node.parent
        if parent is None or parent.type not in self.adapter.call_types:
            return False
        fn = parent.child_by_field_name("function")
        return fn is not None and fn.id == node.id

    def narrow(self, c, r):
        """(candidate node, reference node) of the smallest justified differing part, or None
        when the two are equal."""
        if self.equal(c, r):
            return None
        while True:
            if c.type != r.type or c.child_count == 0 or r.child_count == 0:
                return c, r
            cc, rc = self._children(c, self.cwin), self._children(r, self.rwin)
            if len(cc) != len(rc):
                return c, r
            diffs = [(x, y) for x, y in zip(cc, rc) if not self.equal(x, y)]
            if len(diffs) != 1:
                return c, r
            x, y = diffs[0]
            if not x.is_named or not y.is_named:
                return c, r          # an operator or keyword: the expression with its operands
            if self._is_callee(x):
                return c, r          # another function called: the call
            c, r = x, y


def calls_compared(adapter: LanguageAdapter, program: bytes, rng: Range, ref_program: bytes, ref_within: Range,
                   rename: dict[str, str] | None = None) -> tuple[Range, Range] | None:
    """A call inside `rng` (of the candidate) to a function that the reference also calls
    inside `ref_within`, with as many arguments, where the reference never makes an equal
    call (names compared through `rename`): (candidate call, reference call); else None."""
    rename = rename or {}
    mine = _calls(adapter, program, rng.start_byte, rng.end_byte)
    if not mine:
        return None
    theirs = _calls(adapter, ref_program, ref_within.start_byte, ref_within.end_byte)
    differ = _Differ(adapter, rename, (0, len(program)), (0, len(ref_program)), loose=True)
    for call, name, args in mine:
        same = [(c, a) for c, n, a in theirs if n == rename.get(name, name) and len(a) == len(args)]
        if not same or any(differ.equal(call, c) for c, _ in same):
            continue
        return Range.of_node(call), Range.of_node(same[0][0])
    return None


def _calls(adapter: LanguageAdapter, program: bytes, lo: int, hi: int) -> list:
    """(call node, callee name, argument nodes) of the calls to a named function in [lo, hi)."""
    root = adapter.parse(program).root_node
    out = []
    stack = [root]
    while stack:
        node = stack.pop()
        if node.end_byte <= lo or node.start_byte >= hi:
            continue
        if node.type in adapter.call_types and node.start_byte >= lo and node.end_byte <= hi:
            name = adapter.callee_name(node, program)
            args = node.child_by_field_name("arguments")
            if name and args is not None:
                out.append((node, name, [a for a in args.named_children if a.type not in adapter.comment_types]))
        stack.extend(reversed(node.children))
    return out
