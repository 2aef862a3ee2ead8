"""`EGCATrainer`: TRL's GRPOTrainer with per-token advantages from the engine.

One step, top to bottom (`_generate_and_score_completions`):
1. TRL samples G completions per prompt and calls the reward functions. The engine's
   (`EngineReward`, listed as `"egca"`) maps tokens to byte ranges and runs the engine
   once per candidate: the unit-test reward and the mode/span come from that one run.
   It reports its metrics and the completions table's mode/reason/span columns through
   TRL's public reward-function hooks (`log_metric`, `log_extra`).
2. TRL combines every reward function with `reward_weights` and turns the rewards into
   group-normalised sequence advantages A_i.
3. Here: weights w_{i,t}, sign-aware (egca.train.weights.sign_aware_weights): the
   engine's span weights where A_i < 0; for A_i > 0 the complement of the span (or
   uniform, `positive_credit`); uniform for correct/constraint/unanalysable. The (B, T)
   advantage A_i · w_{i,t} · T_i keeps each sequence's total credit equal to GRPO's under
   every supported loss type. `method="grpo"` leaves TRL's A_i as is.

Overriding `_generate_and_score_completions` (private) is the way TRL's maintainers
point to for custom advantages: its output dict is the batch the loss reads, TRL
carries any (B, T) tensor in it through shuffling and splitting, and `_compute_loss`
accepts (B, T) advantages. Tested against trl 1.16.
"""

from __future__ import annotations

import json
import os
from typing import Any

import torch
from trl import GRPOTrainer

from egca.problem import Problem
from egca.train.config import EGCATrainConfig
from egca.train.reward import LOCALIZED_MODES, LOGGED_MODES, EngineBackend, EngineReward, Scored, make_backend
from egca.train.weights import (sign_aware_weights, span_token_indices, span_weights, token_advantages,
                                weights_matrix)

__all__ = ["EGCATrainer", "ENGINE_REWARD", "LOCALIZED_MODES", "LOGGED_MODES"]

ENGINE_REWARD = "egca"   # the name under which the engine's reward is listed in `reward_funcs`


def _as_list(x) -> list:
    if x is None:
        return []
    return list(x) if isinstance(x, (list, tuple)) else [x]


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
        reward_funcs: as for GRPOTrainer. The string `"egca"` stands for the engine's unit-test
            reward (binary or fraction, `args.test_reward`), listed like any other reward function,
            with its own entry in `args.reward_weights` and `reward_processing_classes`. Default:
            `["egca"]`. Without `"egca"` in the list, the trainer runs in credit-only mode: the
            rewards are the user's alone (weights, processing classes unchanged) and the engine
            supplies only the per-token credit (it is appended as a reward function that returns
            `None`, TRL's "does not apply", with weight 0).
        Everything else goes to GRPOTrainer.
    """

    def __init__(self, model, args: EGCATrainConfig, train_dataset, problems: dict[str, Problem],
                 engine: EngineBackend | None = None, reward_funcs=None, **kwargs: Any):
        if not isinstance(args, EGCATrainConfig):
            raise TypeError("EGCATrainer needs an EGCATrainConfig")
        funcs = _as_list(reward_funcs) or [ENGINE_REWARD]
        listed = [i for i, f in enumerate(funcs) if (isinstance(f, str) and f == ENGINE_REWARD)
                  or isinstance(f, EngineReward)]
        if len(listed) > 1:
            raise ValueError(f"the engine's reward ({ENGINE_REWARD!r}) is listed {len(listed)} times in reward_funcs")
        credit_only = not listed
        # Plain GRPO on the user's own rewards needs no engine at all.
        uses_engine = not (credit_only and args.method == "grpo")
        self._owns_engine = engine is None and uses_engine
        self.engine_reward: EngineReward | None = None
        if uses_engine:
            if listed and isinstance(funcs[listed[0]], EngineReward):
                self.engine_reward = funcs[listed[0]]
                self._owns_engine = False
            else:
                backend = engine if engine is not None else make_backend(args.engine_address, args.runtimes)
                self.engine_reward = EngineReward(backend, problems, weighting=args.weighting,
                                                  test_reward=args.test_reward, workers=args.engine_workers,
                                                  localize=args.method == "egca", credit_only=credit_only)
            if listed:
                funcs[listed[0]] = self.engine_reward
        self._analyses: list[dict] = []   # the latest generation batch's records, until the next log()
        try:
            super().__init__(model=model, reward_funcs=funcs, args=args, train_dataset=train_dataset, **kwargs)
            if credit_only and self.engine_reward is not None:
                # Appended after TRL checked the user's reward_weights / reward_processing_classes
                # against the user's reward_funcs (as TRL itself appends environment rewards).
                self.reward_funcs.append(self.engine_reward)
                self.reward_func_names.append(self.engine_reward.__name__)
                self.reward_processing_classes.append(None)
                self.reward_weights = torch.cat([self.reward_weights, torch.zeros(1)])
        except BaseException:
            self.close()
            raise
        if self.engine_reward is not None:
            self.engine_reward.tokenizer = self._tokenizer
        if args.check_eval_overlap and self.accelerator.is_main_process:
            from egca.train.data import warn_eval_overlap
            warn_eval_overlap(problems.values())

    @property
    def credit_only(self) -> bool:
        return self.engine_reward is not None and self.engine_reward.credit_only

    def close(self) -> None:
        """Stop the engine (and the local runtimes it started) if this trainer created it."""
        if self._owns_engine and self.engine_reward is not None:
            self.engine_reward.backend.close()
            self._owns_engine = False

    def __enter__(self) -> "EGCATrainer":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- the private hook: per-token advantages --------------------------------------------------------

    def _generate_and_score_completions(self, inputs):
        if self.engine_reward is None:   # credit-only plain GRPO: nothing of ours to do
            return super()._generate_and_score_completions(inputs)
        self.engine_reward.last = None
        output = super()._generate_and_score_completions(inputs)
        scored = self.engine_reward.last
        if scored is None:
            raise RuntimeError("the engine reward was not computed for this batch")
        mask = output["completion_mask"] if "tool_mask" not in output else output["completion_mask"] * output["tool_mask"]
        advantages = output["advantages"]
        if self.args.method == "egca":
            weights = self.credit_weights(scored, advantages, mask)
            output["advantages"] = token_advantages(advantages, weights, mask)
        self._log_credit_metrics(scored, advantages)
        if self.args.analyses_log:
            self._keep_analyses(scored, advantages)
        return output

    def credit_weights(self, scored: Scored, advantages: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """(B, T) weights, Σ_t = 1 over the mask: the engine's span weights where A_i < 0, the
        `positive_credit` policy where A_i > 0 and the engine blamed a span, uniform elsewhere."""
        W = weights_matrix(self._weight_rows(scored), mask)
        span = torch.zeros_like(mask, dtype=torch.bool)
        T = mask.shape[1]
        for i, (a, offsets) in enumerate(zip(scored.analyses, scored.offsets)):
            if a.mode in LOCALIZED_MODES and a.span is not None:
                hits = [t for t in span_token_indices(a.span.completion, offsets) if t < T]
                span[i, hits] = True
        return sign_aware_weights(W, span & mask.bool(), advantages, mask, self.args.positive_credit)

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

    def _log_credit_metrics(self, scored: Scored, advantages: torch.Tensor) -> None:
        # Known only once TRL has combined the rewards into advantages, i.e. after the reward
        # hooks have been flushed: these go where TRL's own metrics go (`_metrics`), averaged
        # over processes like TRL's. Everything known at reward time goes through log_metric.
        mode = "train" if self.model.training else "eval"
        localized = [a.mode in LOCALIZED_MODES and a.span is not None for a in scored.analyses]
        positive = [loc and float(adv) > 0 for loc, adv in zip(localized, advantages.tolist())]
        stats = torch.tensor([float(sum(positive)), float(sum(localized))], device=self.accelerator.device)
        total_pos, total_loc = self.accelerator.gather(stats).view(-1, 2).sum(dim=0).tolist()
        if total_loc:
            self._metrics[mode]["egca/frac_localized_positive"].append(total_pos / total_loc)

    # --- analyses log ------------------------------------------------------------------------------------

    def _keep_analyses(self, scored: Scored, advantages: torch.Tensor) -> None:
        """One record per candidate (the `egca analyze --json` object plus the context `egca report` reads)."""
        from accelerate.utils import gather_object
        step = self.state.global_step + 1   # the training step this generation batch is for
        records = []
        for tid, text, a, offsets, adv in zip(scored.task_ids, scored.texts, scored.analyses, scored.offsets,
                                              advantages.tolist()):
            problem = self.engine_reward.problems[tid]
            rec = a.to_dict()
            rec.update(step=step, task_id=tid, language=problem.language, prompt=problem.prompt,
                       completion=text, reference=problem.reference, tokens=[[s, e] for s, e in offsets],
                       advantage=float(adv))
            records.append(rec)
        records = gather_object(records)
        # Like TRL's completions table: the latest generation batch is what a logging step shows.
        self._analyses = records if self.accelerator.is_main_process else []

    def _flush_analyses(self) -> None:
        path = self.args.analyses_log_path
        if not (path and self._analyses and self.accelerator.is_main_process):
            self._analyses.clear()
            return
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        with open(path, "a", encoding="utf-8") as f:
            for rec in self._analyses:
                f.write(json.dumps(rec, ensure_ascii=False) + "\n")
        self._analyses.clear()

    def log(self, logs: dict[str, float], start_time: float | None = None) -> None:
        super().log(logs, start_time)
        if self.args.analyses_log:
            self._flush_analyses()
