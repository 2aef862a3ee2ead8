"""`EGCATrainer`: TRL's GRPOTrainer with per-token advantages from the engine.

One step, top to bottom (`_generate_and_score_completions`):
1. TRL samples G completions per prompt and calls the reward functions; ours
   (`EngineReward`) maps tokens to byte ranges and runs the engine once per
   candidate: the unit-test reward and the mode/span come from that one run.
2. TRL turns rewards into group-normalised sequence advantages A_i.
3. Here: weights w_{i,t} (the engine's token weights; uniform for correct/
   constraint/unanalysable) and the (B, T) advantage A_i · w_{i,t} · T_i that
   keeps each sequence's total credit equal to GRPO's under every supported
   loss type (egca.train.weights). `method="grpo"` leaves TRL's A_i as is.
TRL carries any (B, T) tensor through its shuffling and splitting, and its
`_compute_loss` accepts (B, T) advantages (trl==1.16.0, private hook).
"""

from __future__ import annotations

from typing import Any

import torch
from trl import GRPOTrainer

from egca.problem import Problem
from egca.train.config import EGCATrainConfig
from egca.train.reward import UNANALYSABLE, EngineBackend, EngineReward, Scored, make_backend
from egca.train.weights import span_token_indices, span_weights, token_advantages, weights_matrix

LOCALIZED_MODES = ("syntax", "logic")
LOGGED_MODES = ("syntax", "constraint", "correct", "logic", UNANALYSABLE)


class EGCATrainer(GRPOTrainer):
    """A drop-in `trl.GRPOTrainer`.

    Args:
        model: a model id/path or a `PreTrainedModel` (as for GRPOTrainer).
        args: `EGCATrainConfig`.
        train_dataset: rows with `prompt` (text or chat messages) and `task_id`.
        problems: task_id -> `Problem` for every task in the data (egca.train.data builds both).
        engine: an engine backend; by default the in-process engine, or the gRPC service at
            `args.engine_address`. The trainer closes an engine it created in `close()` (or on
            leaving `with EGCATrainer(...) as trainer:`); a backend passed in stays open.
        reward_funcs: extra reward functions added to the engine's unit-test reward.
        Everything else goes to GRPOTrainer.
    """

    def __init__(self, model, args: EGCATrainConfig, train_dataset, problems: dict[str, Problem],
                 engine: EngineBackend | None = None, reward_funcs=None, **kwargs: Any):
        if not isinstance(args, EGCATrainConfig):
            raise TypeError("EGCATrainer needs an EGCATrainConfig")
        self._owns_engine = engine is None
        backend = engine if engine is not None else make_backend(args.engine_address, args.runtimes)
        self.engine_reward = EngineReward(backend, problems, weighting=args.weighting,
                                          test_reward=args.test_reward, workers=args.engine_workers,
                                          localize=args.method == "egca")
        extra = list(reward_funcs) if isinstance(reward_funcs, (list, tuple)) else ([reward_funcs] if reward_funcs else [])
        try:
            super().__init__(model=model, reward_funcs=[self.engine_reward, *extra], args=args,
                             train_dataset=train_dataset, **kwargs)
        except BaseException:
            self.close()
            raise
        self.engine_reward.tokenizer = self._tokenizer

    def close(self) -> None:
        """Stop the engine (and the local runtimes it started) if this trainer created it."""
        if self._owns_engine and self.engine_reward is not None:
            self.engine_reward.backend.close()
            self._owns_engine = False

    def __enter__(self) -> "EGCATrainer":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _generate_and_score_completions(self, inputs):
        self.engine_reward.last = None
        output = super()._generate_and_score_completions(inputs)
        scored = self.engine_reward.last
        if scored is None:
            raise RuntimeError("the engine reward was not computed for this batch")
        mask = output["completion_mask"] if "tool_mask" not in output else output["completion_mask"] * output["tool_mask"]
        weights = weights_matrix(self._weight_rows(scored), mask)
        if self.args.method == "egca":
            output["advantages"] = token_advantages(output["advantages"], weights, mask)
        self._log_engine_metrics(scored, weights, mask)
        return output

    def _weight_rows(self, scored: Scored) -> list[list[float] | None]:
        """Per row: the engine's token weights for localized modes, None (uniform) otherwise."""
        rows: list[list[float] | None] = []
        for a, offsets in zip(scored.analyses, scored.offsets):
            if a.mode not in LOCALIZED_MODES or a.span is None:
                rows.append(None)
            elif a.token_weights is not None:
                if len(a.token_weights) != len(offsets):
                    raise RuntimeError(f"engine returned {len(a.token_weights)} token weights for "
                                       f"{len(offsets)} tokens")
                rows.append(list(a.token_weights))
            else:  # an engine that returns spans only: compute the span weights here
                rows.append(span_weights(a.span.completion, offsets))
        return rows

    def _log_engine_metrics(self, scored: Scored, weights: torch.Tensor, mask: torch.Tensor) -> None:
        mode = "train" if self.model.training else "eval"
        n = len(scored.analyses)
        metrics = self._metrics[mode]
        for m in LOGGED_MODES:
            metrics[f"egca/frac_{m}"].append(sum(a.mode == m for a in scored.analyses) / n)
        # Span size: fraction of a localized candidate's real tokens that carry its credit
        # (plain GRPO spreads credit over every token: 1.0 by construction).
        fracs = [] if self.args.method == "egca" else [1.0]
        for i, (a, offsets) in enumerate(zip(scored.analyses, scored.offsets)):
            if self.args.method != "egca":
                break
            if a.mode in LOCALIZED_MODES and a.span is not None:
                real = int(mask[i].sum().item())
                if real:
                    fracs.append(len([t for t in span_token_indices(a.span.completion, offsets) if t < real]) / real)
        if fracs:
            metrics["egca/span_frac_tokens"].append(sum(fracs) / len(fracs))
        metrics["egca/engine_time_s"].append(scored.engine_seconds)
        for stage, secs in scored.stage_seconds.items():
            metrics[f"egca/engine_stage_s/{stage}"].append(secs)
