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

WEIGHTINGS = ("span", "span_mix", "uniform")
# `span_mix` keeps this share of the credit on the span and spreads the rest
# uniformly: an ablation between EGCA (1.0) and plain GRPO (0.0).
SPAN_MIX_SHARE = 0.8


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
                  weighting: str = "span") -> list[float]:
    """Weights over the completion's tokens with sum 1.

    `span` (the paper): 1/|S| on the tokens S overlapping the span, 0 elsewhere;
    `span_mix`: SPAN_MIX_SHARE of the mass on S, the rest uniform; `uniform`: 1/T.
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
    return [SPAN_MIX_SHARE * w + (1 - SPAN_MIX_SHARE) / n for w in on_span]
