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
"""

from __future__ import annotations

from typing import Sequence

import torch

from egca.core import Mode
# The span weighting has one implementation, the engine's (egca.spans.token_weights uses it too).
from egca.spans import span_token_indices, span_weights

__all__ = ["UNIFORM_MODES", "span_token_indices", "span_weights", "token_advantages", "uniform_weights",
           "weights_matrix"]

UNIFORM_MODES = (Mode.CORRECT, Mode.CONSTRAINT)


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
