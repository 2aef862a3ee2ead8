"""Token weights and per-token advantages (README, "Training").

w_{i,t}: how sequence i's advantage is spread over its completion tokens,
Σ_t w_{i,t} = 1 over the tokens TRL trains on (completion_mask):
- localized modes (syntax, logic with a span): 1/|span tokens| on the tokens
  whose byte range overlaps the engine's span, 0 elsewhere;
- uniform modes (correct, constraint, unanalysable, or a span that hits no
  completion token): 1/T_i.

TRL's losses normalise the per-token term differently (`grpo`: 1/T_i per
sequence; `dapo`/`bnpo`/`cispo`: 1/tokens in batch; `dr_grpo`: 1/(B·max_len)).
Plain GRPO puts A_i on every token and lets that normaliser act. To move
credit without changing any sequence's total under *every* loss type, the
tensor handed to TRL is A_i · w_{i,t} · T_i: with uniform w it is exactly
GRPO's A_i, and for any w its sum over the sequence equals GRPO's (A_i · T_i),
so each loss type's normaliser sees the same total it would under GRPO.
Under `loss_type="grpo"` the effective per-token advantage is a_{i,t} = A_i · w_{i,t}.

Sign-aware credit (`sign_aware_weights`): the span is where the engine says the
candidate went wrong, so only a *negative* advantage is localized there. A failing
candidate can still score above its group's mean (`test_reward: fraction`, or any
extra reward), and its positive advantage must not reinforce the blamed statement:
`positive_credit="complement"` (default) spreads it uniformly over the tokens *outside*
the span, `"uniform"` over every token (plain GRPO for that row). Either way Σ_t w = 1,
so conservation holds under every loss type.
"""

from __future__ import annotations

from typing import Sequence

import torch

from egca.core import Mode
# The span weighting has one implementation, the engine's (egca.spans.token_weights uses it too).
from egca.spans import span_token_indices, span_weights

__all__ = ["POSITIVE_CREDIT", "UNIFORM_MODES", "sign_aware_weights", "span_mask_from_weights", "span_token_indices",
           "span_weights", "token_advantages", "uniform_weights", "weights_matrix"]

UNIFORM_MODES = (Mode.CORRECT, Mode.CONSTRAINT)
POSITIVE_CREDIT = ("complement", "uniform")


def uniform_weights(n: int) -> list[float]:
    return [1.0 / n] * n if n else []


def weights_matrix(rows: Sequence[Sequence[float] | None], mask: torch.Tensor) -> torch.Tensor:
    """(B, T) weights from per-sequence lists (None = uniform), restricted to `mask` and renormalised.

    A row whose weights all fall outside the mask (e.g. a truncated completion TRL masks out)
    becomes uniform over the mask, so Σ_t w = 1 wherever the mask has tokens."""
    B, T = mask.shape
    maskf = mask.to(torch.float32)
    out = torch.zeros(B, T, dtype=torch.float32, device=mask.device)
    for i, row in enumerate(rows):
        if row is not None and len(row):
            n = min(len(row), T)
            out[i, :n] = torch.as_tensor(list(row[:n]), dtype=torch.float32, device=mask.device)
    out = out.clamp(min=0.0) * maskf
    total = out.sum(dim=1, keepdim=True)
    uniform = maskf / maskf.sum(dim=1, keepdim=True).clamp(min=1.0)
    return torch.where(total > 0, out / total.clamp(min=1e-12), uniform)


def token_advantages(advantages: torch.Tensor, weights: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """The (B, T) advantage tensor for TRL: A_i · w_{i,t} · T_i (see the module docstring)."""
    lengths = mask.to(weights.dtype).sum(dim=1, keepdim=True)
    return advantages.reshape(-1, 1).to(weights.dtype) * weights * lengths


def span_mask_from_weights(weights: torch.Tensor, mask: torch.Tensor, tol: float = 1e-6) -> torch.Tensor:
    """(B, T) bool: the tokens a localized weight row singles out (w above the row's minimum
    over the mask; `span` and `span_mix` weightings both). All False for a uniform row."""
    maskb = mask.bool()
    big = torch.finfo(weights.dtype).max
    low = torch.where(maskb, weights, torch.full_like(weights, big)).min(dim=1, keepdim=True).values
    return maskb & (weights > low + tol)


def sign_aware_weights(weights: torch.Tensor, span_mask: torch.Tensor, advantages: torch.Tensor,
                       mask: torch.Tensor, positive: str = "complement") -> torch.Tensor:
    """Localized weights only where the advantage is negative (see the module docstring).

    weights: (B, T) from `weights_matrix` (Σ_t = 1 over the mask); span_mask: (B, T) bool, the span's
    tokens (rows without a span: all False); advantages: (B,) sequence advantages A_i.
    Rows with A_i > 0 and a span get uniform weights over the complement of the span
    (`positive="complement"`; uniform over the mask when the span covers every token) or over
    the whole mask (`"uniform"`). Every other row keeps its weights."""
    if positive not in POSITIVE_CREDIT:
        raise ValueError(f"positive_credit must be one of {POSITIVE_CREDIT}, got {positive!r}")
    maskb = mask.bool()
    spanb = span_mask.bool() & maskb
    localized = spanb.any(dim=1)
    flip = localized & (advantages.reshape(-1).to(weights.device) > 0)
    if not bool(flip.any()):
        return weights
    maskf = maskb.to(weights.dtype)
    uniform = maskf / maskf.sum(dim=1, keepdim=True).clamp(min=1.0)
    if positive == "uniform":
        target = uniform
    else:
        comp = (maskb & ~spanb).to(weights.dtype)
        n = comp.sum(dim=1, keepdim=True)
        target = torch.where(n > 0, comp / n.clamp(min=1.0), uniform)
    return torch.where(flip[:, None], target, weights)
