"""EGCA credit in verl (tested with verl 0.9.1): a reward manager and an advantage estimator.

    pip install -e ".[verl]" && pip install --no-deps verl==0.9.1      # setup.sh does both
    import egca.integrations.verl                                      # registers everything below

- Reward manager `egca`, in both of verl's registries:
  `verl.workers.reward_manager` (batch API, `EGCARewardManager`: rows grouped by prompt
  `uid`, one engine call per group) and the reward loop's
  `verl.experimental.reward_loop.reward_manager` (per sample, `EGCARewardLoopManager`: what
  verl 0.9's trainer calls). Each returns the unit-test reward (at the last response
  token, as verl's managers do) and, per sample in `reward_extra_info`: `egca_mode`,
  `egca_reason`, `egca_span`, and `egca_token_weights` (the engine's weights over the response
  tokens, JSON; "" = uniform). verl stores these in `non_tensor_batch`.
- Advantage estimator `egca_grpo` (`compute_egca_grpo_advantage`): verl's own GRPO
  advantage A_i (group-normalised over `index` = `uid`), then sign-aware weights w_{i,t}
  (egca.train.weights: the span where A_i < 0; its complement, or uniform, where A_i > 0)
  and the tensor A_i · w_{i,t} · T_i over `response_mask`: each sequence's sum equals
  GRPO's, so every `loss_agg_mode` sees GRPO's per-sequence total (conservation), and under
  `seq-mean-token-mean` the per-token advantage is A_i · w_{i,t}.
- verl's `compute_advantage` hands custom estimators only `token_level_rewards`,
  `response_mask`, `index` and `config`, and 0.9's reward loop streams one float per sample,
  so the weights cannot ride in the reward tensor. `compute_advantage` below is verl's
  function with one change: for `egca_grpo` it also passes `non_tensor_batch` (as verl does
  for its own `gdpo`). Importing this module inside verl's trainer process installs it
  (`install_trainer_hook`); docs/VERL.md has the config that makes verl import it there.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import threading
from collections import OrderedDict
from typing import Any, Sequence

import numpy as np
import torch

from egca.analysis import Analysis
from egca.problem import Problem
from egca.tokens import completion_text, token_byte_ranges
from egca.train.reward import UNANALYSABLE, EngineBackend, completion_columns, make_backend
from egca.train.weights import (POSITIVE_CREDIT, sign_aware_weights, span_mask_from_weights, token_advantages,
                                weights_matrix)

import verl
from verl import DataProto
from verl.trainer.ppo.core_algos import compute_grpo_outcome_advantage, register_adv_est
from verl.workers.reward_manager import register as register_batch_manager
from verl.workers.reward_manager.abstract import AbstractRewardManager

log = logging.getLogger(__name__)

TESTED_VERL = "0.9.1"
ESTIMATOR = "egca_grpo"
MANAGER = "egca"
EXTRA_KEYS = ("egca_mode", "egca_reason", "egca_span", "egca_token_weights", "egca_positive_credit", "acc")

if getattr(verl, "__version__", None) != TESTED_VERL:
    log.warning("egca.integrations.verl is tested with verl %s; this is verl %s", TESTED_VERL,
                getattr(verl, "__version__", "?"))

__all__ = ["EGCARewardLoopManager", "EGCARewardManager", "ESTIMATOR", "MANAGER", "compute_advantage",
           "compute_egca_grpo_advantage", "install_trainer_hook", "make_rows"]


# --- problems and rows ---------------------------------------------------------------------------------

def make_rows(problems: Sequence[Problem], dataset: str | None = None, prompt_style: str = "chat",
              inject_constraints: bool = False) -> list[dict]:
    """verl dataset rows (RLHFDataset's columns) for EGCA problems: `prompt` (chat messages, or the
    code prompt for base models), `data_source`, `reward_model.ground_truth` (the task id) and
    `extra_info` with `task_id` and, for problems that are no built-in dataset's, the whole problem."""
    from egca.train.data import chat_prompt, completion_prompt
    rows = []
    for k, p in enumerate(problems):
        prompt = chat_prompt(p, inject_constraints) if prompt_style == "chat" else \
            [{"role": "user", "content": completion_prompt(p, inject_constraints)}]
        extra = {"task_id": p.task_id, "index": k}
        if dataset:
            extra["dataset"] = dataset
        else:
            extra["problem"] = json.dumps(p.to_dict())
        rows.append({"data_source": f"egca/{dataset or p.language}", "prompt": prompt, "ability": "code",
                     "reward_model": {"style": "rule", "ground_truth": p.task_id}, "extra_info": extra})
    return rows


class _Problems:
    """Problem of a sample, from its `extra_info` (`problem` JSON, or `task_id` + `dataset`) or from
    `reward_model.ground_truth` + `data_source` ("egca/<dataset>"). Cached."""

    def __init__(self, size: int = 4096):
        self._cache: OrderedDict[str, Problem] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, extra_info: Any, reward_model: Any, data_source: Any) -> Problem:
        extra = extra_info if isinstance(extra_info, dict) else {}
        if extra.get("problem"):
            raw = extra["problem"]
            key = raw if isinstance(raw, str) else json.dumps(raw, sort_keys=True)
            return self._cached(key, lambda: Problem.from_dict(json.loads(raw) if isinstance(raw, str) else raw))
        task_id = extra.get("task_id") or (reward_model or {}).get("ground_truth")
        dataset = extra.get("dataset") or (str(data_source).split("/", 1)[1] if str(data_source).startswith("egca/")
                                           else data_source)
        if not task_id or not dataset:
            raise ValueError("a sample needs extra_info.problem, or a task id (extra_info.task_id or "
                             "reward_model.ground_truth) and a dataset (extra_info.dataset or data_source "
                             "'egca/<dataset>'); egca.integrations.verl.make_rows writes them")
        from egca import datasets
        return self._cached(f"{dataset}\0{task_id}", lambda: datasets.get(str(dataset), str(task_id)))

    def _cached(self, key: str, load) -> Problem:
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        problem = load()
        with self._lock:
            self._cache[key] = problem
            while len(self._cache) > self._size:
                self._cache.popitem(last=False)
        return problem


def _row(non_tensor_batch: dict, i: int, key: str, default=None):
    values = non_tensor_batch.get(key)
    return default if values is None else values[i]


def _valid_response(data: DataProto, i: int) -> list[int]:
    """The response's tokens, as verl's own managers take them (the attention mask's response part)."""
    responses = data.batch["responses"]
    n = int(data.batch["attention_mask"][i, -responses.shape[-1]:].sum())
    return responses[i, :n].tolist()


# --- the engine, shared ----------------------------------------------------------------------------------

class _Scorer:
    """Token ranges, engine analyses and the per-sample extra info (shared by both managers)."""

    def __init__(self, tokenizer, engine: EngineBackend | None = None, engine_address: str | None = None,
                 runtimes: dict | None = None, weighting: str = "span", test_reward: str = "binary",
                 positive_credit: str = "complement"):
        if positive_credit not in POSITIVE_CREDIT:
            raise ValueError(f"positive_credit must be one of {POSITIVE_CREDIT}, got {positive_credit!r}")
        self.tokenizer = tokenizer
        self.owns_engine = engine is None
        self.backend = engine if engine is not None else make_backend(engine_address, runtimes)
        self.weighting, self.test_reward, self.positive_credit = weighting, test_reward, positive_credit
        self.problems = _Problems()

    def analyse_group(self, problem: Problem, responses: list[list[int]]) -> list[tuple[Analysis, list]]:
        texts = [completion_text(self.tokenizer, ids) for ids in responses]
        offsets = [token_byte_ranges(self.tokenizer, ids, t) for ids, t in zip(responses, texts)]
        out: list[Analysis | None] = [None] * len(texts)
        todo = [k for k, t in enumerate(texts) if t.strip()]
        for k in set(range(len(texts))) - set(todo):
            out[k] = Analysis(mode=UNANALYSABLE, reward=0.0, tests_passed=0, tests_total=len(problem.tests))
        if todo:
            got = self.backend.analyze(problem, [texts[k] for k in todo], [offsets[k] for k in todo],
                                       weighting=self.weighting, reward=self.test_reward)
            for k, a in zip(todo, got):
                out[k] = a
        return list(zip(out, offsets))

    def extra(self, analysis: Analysis) -> dict[str, Any]:
        cols = completion_columns([analysis])
        localized = analysis.span is not None and analysis.token_weights is not None
        return {"egca_mode": str(analysis.mode), "egca_reason": cols["reason"][0] or "",
                "egca_span": json.dumps(cols["span"][0]) if cols["span"][0] else "",
                "egca_token_weights": json.dumps(list(analysis.token_weights)) if localized else "",
                "egca_positive_credit": self.positive_credit, "acc": float(analysis.reward)}

    def close(self) -> None:
        if self.owns_engine:
            self.backend.close()
            self.owns_engine = False


# --- reward managers ---------------------------------------------------------------------------------------

@register_batch_manager(MANAGER)
class EGCARewardManager(AbstractRewardManager):
    """verl's batch reward-manager API: `manager(data, return_dict=True)` -> reward tensor + extra info.

    Rows are grouped by `uid` (one GRPO group = one prompt) and each group goes to the engine in one
    call. Options (verl: `reward_model.reward_kwargs`): `engine_address` (an `egca serve`; default: an
    engine in this process), `runtimes`, `weighting`, `test_reward`, `positive_credit`; `engine`
    passes a backend object directly."""

    def __init__(self, tokenizer, num_examine: int = 0, compute_score=None, reward_fn_key: str = "data_source",
                 engine: EngineBackend | None = None, engine_address: str | None = None, runtimes: dict | None = None,
                 weighting: str = "span", test_reward: str = "binary", positive_credit: str = "complement",
                 **kwargs: Any):
        self.tokenizer, self.num_examine, self.reward_fn_key = tokenizer, num_examine, reward_fn_key
        self.scorer = _Scorer(tokenizer, engine, engine_address, runtimes, weighting, test_reward, positive_credit)

    def __call__(self, data: DataProto, return_dict: bool = False):
        n = len(data)
        nt = data.non_tensor_batch
        uids = nt["uid"] if "uid" in nt else np.arange(n)
        groups: dict[Any, list[int]] = {}
        for i in range(n):
            groups.setdefault(uids[i], []).append(i)
        reward = torch.zeros_like(data.batch["responses"], dtype=torch.float32)
        extra: list[dict | None] = [None] * n
        for rows in groups.values():
            i0 = rows[0]
            problem = self.scorer.problems.get(_row(nt, i0, "extra_info", {}), _row(nt, i0, "reward_model", {}),
                                               _row(nt, i0, "data_source"))
            responses = [_valid_response(data, i) for i in rows]
            for i, ids, (analysis, _) in zip(rows, responses, self.scorer.analyse_group(problem, responses)):
                if ids:
                    reward[i, len(ids) - 1] = float(analysis.reward)
                extra[i] = self.scorer.extra(analysis)
        info = {k: [e[k] for e in extra] for k in EXTRA_KEYS}
        return {"reward_tensor": reward, "reward_extra_info": info} if return_dict else reward

    def close(self) -> None:
        self.scorer.close()


def _register_reward_loop_manager():
    try:
        from verl.experimental.reward_loop.reward_manager import register
        from verl.experimental.reward_loop.reward_manager.base import RewardManagerBase
    except ImportError:   # a verl without the reward loop
        return None

    @register(MANAGER)
    class EGCARewardLoopManager(RewardManagerBase):
        """verl 0.9's reward loop: `run_single` scores one sample (the engine caches each problem's
        reference trace, so a group's samples cost what a grouped call costs). Options: verl's
        `reward.reward_kwargs` (`engine_address`, `runtimes`, `weighting`, `test_reward`,
        `positive_credit`). One engine (or client) per worker process."""

        _scorer: _Scorer | None = None

        def __init__(self, config, tokenizer, compute_score=None, reward_router_address=None,
                     reward_model_tokenizer=None, engine: EngineBackend | None = None):
            super().__init__(config, tokenizer, compute_score)
            if engine is not None or type(self)._scorer is None:
                opts = dict(_reward_kwargs(config))
                type(self)._scorer = _Scorer(tokenizer, engine, opts.get("engine_address"), opts.get("runtimes"),
                                             opts.get("weighting", "span"), opts.get("test_reward", "binary"),
                                             opts.get("positive_credit", "complement"))
            self.scorer = type(self)._scorer

        async def run_single(self, data: DataProto) -> dict:
            item = data[-1:]
            nt = item.non_tensor_batch
            problem = self.scorer.problems.get(_row(nt, 0, "extra_info", {}), _row(nt, 0, "reward_model", {}),
                                               _row(nt, 0, "data_source"))
            ids = _valid_response(item, 0)
            loop = asyncio.get_running_loop()
            (analysis, _), = await loop.run_in_executor(None, self.scorer.analyse_group, problem, [ids])
            return {"reward_score": float(analysis.reward), "reward_extra_info": self.scorer.extra(analysis)}

    EGCARewardLoopManager.__qualname__ = "EGCARewardLoopManager"
    return EGCARewardLoopManager


def _reward_kwargs(config) -> dict:
    try:
        reward = config.get("reward") or {}
        return dict(reward.get("reward_kwargs") or {})
    except AttributeError:
        return {}


EGCARewardLoopManager = _register_reward_loop_manager()


# --- the advantage estimator -------------------------------------------------------------------------------

def _weight_rows(values, width: int) -> list[list[float] | None]:
    """Per sample: the engine's weights over the response's tokens (positions 0..n-1), None = uniform.
    `weights_matrix` then keeps them on `response_mask` (multi-turn: the model's own tokens) and renormalises."""
    rows = []
    for v in values:
        if v is None or (isinstance(v, str) and not v):
            rows.append(None)
            continue
        row = json.loads(v) if isinstance(v, str) else list(v)
        rows.append(row if len(row) <= width else None)   # longer than the response: uniform, never misplaced
    return rows


@register_adv_est(ESTIMATOR)
def compute_egca_grpo_advantage(token_level_rewards: torch.Tensor, response_mask: torch.Tensor,
                                index: np.ndarray | None = None, epsilon: float = 1e-6,
                                norm_adv_by_std_in_grpo: bool | None = None, config=None,
                                non_tensor_batch: dict | None = None, **kwargs: Any):
    """GRPO's advantage with EGCA's sign-aware per-token credit; returns (advantages, returns)."""
    if index is None:
        raise ValueError(f"{ESTIMATOR} needs the GRPO groups (`index` = non_tensor_batch['uid'])")
    if non_tensor_batch is None or "egca_token_weights" not in non_tensor_batch:
        raise ValueError(f"{ESTIMATOR} needs the engine's token weights in non_tensor_batch['egca_token_weights']: "
                         f"use reward manager '{MANAGER}' and verl's compute_advantage through "
                         "egca.integrations.verl (docs/VERL.md)")
    if norm_adv_by_std_in_grpo is None:
        norm_adv_by_std_in_grpo = bool(config.get("norm_adv_by_std_in_grpo", True)) if config is not None else True
    grpo, _ = compute_grpo_outcome_advantage(token_level_rewards=token_level_rewards, response_mask=response_mask,
                                             index=index, epsilon=epsilon,
                                             norm_adv_by_std_in_grpo=norm_adv_by_std_in_grpo, config=config)
    mask = response_mask
    maskf = mask.to(torch.float32)
    A = (grpo.to(torch.float32) * maskf).sum(-1) / maskf.sum(-1).clamp(min=1.0)   # GRPO puts A_i on every token
    W = weights_matrix(_weight_rows(non_tensor_batch["egca_token_weights"], mask.shape[-1]), mask)
    policy = non_tensor_batch.get("egca_positive_credit")
    policy = str(policy[0]) if policy is not None and len(policy) else "complement"
    W = sign_aware_weights(W, span_mask_from_weights(W, mask), A, mask, policy)
    adv = token_advantages(A, W, mask).to(grpo.dtype)
    return adv, adv


# --- verl's compute_advantage, handing the estimator its weights ----------------------------------------------

_original_compute_advantage = None


def compute_advantage(data: DataProto, adv_estimator, gamma: float = 1.0, lam: float = 1.0, num_repeat: int = 1,
                      norm_adv_by_std_in_grpo: bool = True, config=None) -> DataProto:
    """verl.trainer.ppo.ray_trainer.compute_advantage, plus `non_tensor_batch` for `egca_grpo`."""
    name = getattr(adv_estimator, "value", adv_estimator)
    if name != ESTIMATOR:
        if _original_compute_advantage is None:
            raise RuntimeError("verl's compute_advantage is not hooked (install_trainer_hook)")
        return _original_compute_advantage(data, adv_estimator, gamma=gamma, lam=lam, num_repeat=num_repeat,
                                           norm_adv_by_std_in_grpo=norm_adv_by_std_in_grpo, config=config)
    if "response_mask" not in data.batch.keys():
        length = data.batch["responses"].size(1)
        data.batch["response_mask"] = data.batch["attention_mask"][:, -length:]
    norm = config.get("norm_adv_by_std_in_grpo", norm_adv_by_std_in_grpo) if config is not None \
        else norm_adv_by_std_in_grpo
    adv, ret = compute_egca_grpo_advantage(token_level_rewards=data.batch["token_level_rewards"],
                                           response_mask=data.batch["response_mask"],
                                           index=data.non_tensor_batch["uid"], norm_adv_by_std_in_grpo=norm,
                                           config=config, non_tensor_batch=data.non_tensor_batch)
    data.batch["advantages"] = adv
    data.batch["returns"] = ret
    return data


compute_advantage._egca = True


def install_trainer_hook() -> bool:
    """Route verl's trainer through `compute_advantage` above; True once installed. A no-op (False)
    in a process that has not imported verl's trainer (reward workers, tests)."""
    global _original_compute_advantage
    trainer = sys.modules.get("verl.trainer.ppo.ray_trainer")
    if trainer is None:
        return False
    current = getattr(trainer, "compute_advantage", None)
    if getattr(current, "_egca", False):
        return True
    _original_compute_advantage = current
    trainer.compute_advantage = compute_advantage
    return True


install_trainer_hook()
