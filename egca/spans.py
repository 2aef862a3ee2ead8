"""From a divergence to token weights: source range -> statement or condition
(tree-sitter) -> program bytes -> completion bytes -> tokens -> weights.
"""

from __future__ import annotations

from dataclasses import dataclass

from egca.plugin import LanguageAdapter, Range

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
    """The smallest enclosing statement, or the condition expression for a branch divergence."""
    if kind in ("branch", "missing"):
        return adapter.condition_range(program, rng)
    return adapter.statement_range(program, rng)


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
    s, e = span
    hit = [i for i, (a, b) in enumerate(token_offsets) if a < e and b > s]
    if not hit:
        return uniform
    on_span = [0.0] * n
    for i in hit:
        on_span[i] = 1.0 / len(hit)
    if weighting == "span":
        return on_span
    return [SPAN_MIX_SHARE * w + (1 - SPAN_MIX_SHARE) / n for w in on_span]
