"""egca.integrations.verl against verl's own registries and DataProto, with the real engine (no rollout engine).

verl is installed by setup.sh (`pip install --no-deps verl==0.9.1` plus the extra `verl`)."""

from __future__ import annotations

import asyncio
import json

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("verl")

import numpy as np  # noqa: E402

from egca import datasets  # noqa: E402

TASK = "HumanEval/0"


@pytest.fixture(scope="module")
def verl_mod():
    import egca.integrations.verl as mod
    return mod


@pytest.fixture(scope="module")
def tok():
    from egca.train.tiny import build_tokenizer, corpus_from_datasets
    return build_tokenizer(corpus_from_datasets(("humaneval",)), vocab_size=512)


def _data(tok, rows):
    """A verl batch: (uid, problem, response text) per row, prompts left-padded and responses
    right-padded as verl's rollout leaves them, the dataset's columns in non_tensor_batch."""
    from verl import DataProto

    from egca.integrations.verl import make_rows
    prompts = [tok(p.prompt)["input_ids"] for _, p, _ in rows]
    responses = [tok(text)["input_ids"] + [tok.eos_token_id] for _, _, text in rows]
    P, R = max(map(len, prompts)), max(map(len, responses))
    pad = tok.pad_token_id
    prompt_ids = torch.tensor([[pad] * (P - len(x)) + x for x in prompts])
    response_ids = torch.tensor([x + [pad] * (R - len(x)) for x in responses])
    prompt_mask = torch.tensor([[0] * (P - len(x)) + [1] * len(x) for x in prompts])
    response_mask = torch.tensor([[1] * len(x) + [0] * (R - len(x)) for x in responses])
    dataset_rows = [make_rows([p], dataset="humaneval")[0] for _, p, _ in rows]
    return DataProto.from_dict(
        tensors={"prompts": prompt_ids, "responses": response_ids, "response_mask": response_mask,
                 "input_ids": torch.cat([prompt_ids, response_ids], 1),
                 "attention_mask": torch.cat([prompt_mask, response_mask], 1)},
        non_tensors={"uid": np.array([u for u, _, _ in rows], dtype=object),
                     "data_source": np.array([r["data_source"] for r in dataset_rows], dtype=object),
                     "reward_model": np.array([r["reward_model"] for r in dataset_rows], dtype=object),
                     "extra_info": np.array([r["extra_info"] for r in dataset_rows], dtype=object)})


def _groups():
    p0 = datasets.get("humaneval", TASK)
    p1 = datasets.get("humaneval", "HumanEval/4")
    logic = p0.reference.replace("< threshold", "> threshold")
    # Group "a": the flipped comparison passes 4 of 7 tests (fraction reward) against two syntax errors:
    # a failing candidate ABOVE its group's mean. Group "b": the same candidate below two correct ones.
    # Group "c" (another problem) is interleaved with the others: grouping is by uid, not by position.
    return [("a", p0, logic), ("b", p0, logic), ("c", p1, p1.reference), ("a", p0, "    return (\n"),
            ("b", p0, p0.reference), ("a", p0, "    for x in numbers:\n        return (\n"), ("b", p0, p0.reference),
            ("c", p1, "    return 0\n")]


def test_registered_in_verls_registries(verl_mod):
    from verl.experimental.reward_loop.reward_manager import get_reward_manager_cls as reward_loop_cls
    from verl.experimental.reward_loop.reward_manager.base import RewardManagerBase
    from verl.trainer.ppo.core_algos import get_adv_estimator_fn
    from verl.workers.reward_manager import get_reward_manager_cls
    from verl.workers.reward_manager.abstract import AbstractRewardManager
    assert get_adv_estimator_fn("egca_grpo") is verl_mod.compute_egca_grpo_advantage
    assert get_reward_manager_cls("egca") is verl_mod.EGCARewardManager
    assert issubclass(verl_mod.EGCARewardManager, AbstractRewardManager)
    assert reward_loop_cls("egca") is verl_mod.EGCARewardLoopManager
    assert issubclass(verl_mod.EGCARewardLoopManager, RewardManagerBase)
    # Outside verl's trainer process the trainer hook has nothing to patch.
    assert verl_mod.install_trainer_hook() is False


@pytest.fixture(scope="module")
def scored(verl_mod, tok, engine):
    from verl.workers.reward_manager import get_reward_manager_cls
    manager = get_reward_manager_cls("egca")(tok, num_examine=0, engine=engine, test_reward="fraction")
    data = _data(tok, _groups())
    return data, manager(data, return_dict=True)


def test_reward_manager_scores_groups_and_returns_token_weights(scored):
    data, out = scored
    reward, info = out["reward_tensor"], out["reward_extra_info"]
    rows = _groups()
    lengths = data.batch["response_mask"].sum(-1).tolist()
    assert reward.shape == data.batch["responses"].shape
    for i, ((uid, problem, text), n) in enumerate(zip(rows, lengths)):
        # The reward sits on the last response token, as verl's own managers put it.
        assert torch.count_nonzero(reward[i, :n - 1]) == 0 and torch.count_nonzero(reward[i, n:]) == 0
        assert reward[i].sum().item() == pytest.approx(info["acc"][i])
    assert info["egca_mode"] == ["logic", "logic", "correct", "syntax", "correct", "syntax", "correct", "constraint"]
    assert 0 < info["acc"][0] < 1 and info["acc"][2] == 1.0
    for i in (0, 1):
        weights = json.loads(info["egca_token_weights"][i])
        assert len(weights) == lengths[i] and sum(weights) == pytest.approx(1.0)
        start, end = json.loads(info["egca_span"][i])
        assert ">" in rows[i][2].encode()[start:end].decode()
        assert info["egca_reason"][i]
    assert info["egca_token_weights"][2] == ""   # correct: uniform


def test_estimator_is_sign_aware_and_conserves_grpos_total(scored, verl_mod):
    """Through egca's compute_advantage (verl's, plus the weights): the failing candidate above its
    group's mean gets no credit on its span; below the mean, all its credit is on the span; each
    sequence's total equals verl's own GRPO estimator's."""
    from verl.trainer.config import AlgoConfig
    from verl.trainer.ppo.core_algos import compute_grpo_outcome_advantage
    data, out = scored
    data.batch["token_level_rewards"] = out["reward_tensor"]
    data.non_tensor_batch.update({k: np.array(v, dtype=object) for k, v in out["reward_extra_info"].items()})
    config = AlgoConfig(adv_estimator="egca_grpo")
    data = verl_mod.compute_advantage(data, "egca_grpo", config=config)
    adv, mask = data.batch["advantages"], data.batch["response_mask"]
    grpo, _ = compute_grpo_outcome_advantage(out["reward_tensor"], mask, data.non_tensor_batch["uid"])
    assert torch.allclose(adv.sum(-1), grpo.sum(-1), atol=1e-5)
    assert torch.all(adv[mask == 0] == 0)
    rows = _groups()
    for i in (0, 1):
        weights = torch.tensor(json.loads(out["reward_extra_info"]["egca_token_weights"][i]))
        span = torch.zeros_like(mask[i], dtype=torch.bool)
        span[:len(weights)] = weights > 0
        A = grpo[i, 0].item()
        if rows[i][0] == "a":
            assert A > 0
            assert torch.all(adv[i][span] == 0) and torch.all(adv[i][mask[i].bool() & ~span] > 0)
        else:
            assert A < 0
            assert torch.all(adv[i][span] < 0) and torch.all(adv[i][~span] == 0)
    # Uniform rows are exactly GRPO's.
    assert torch.allclose(adv[2], grpo[2]) and torch.allclose(adv[4], grpo[4])
    # `positive_credit: uniform`: the positive row is plain GRPO's too.
    data.non_tensor_batch["egca_positive_credit"] = np.array(["uniform"] * len(data), dtype=object)
    adv_u, _ = verl_mod.compute_egca_grpo_advantage(out["reward_tensor"], mask, data.non_tensor_batch["uid"],
                                                    config=config, non_tensor_batch=data.non_tensor_batch)
    assert torch.allclose(adv_u[0], grpo[0], atol=1e-6)


def test_estimator_refuses_to_run_without_the_weights(scored):
    from verl.trainer.ppo.core_algos import get_adv_estimator_fn
    data, out = scored
    with pytest.raises(ValueError, match="egca_token_weights"):
        get_adv_estimator_fn("egca_grpo")(token_level_rewards=out["reward_tensor"],
                                          response_mask=data.batch["response_mask"],
                                          index=data.non_tensor_batch["uid"], config=None)


def test_reward_loop_manager_scores_one_sample_like_the_batch_manager(verl_mod, tok, engine, scored):
    """verl 0.9's reward loop calls run_single on one-sample DataProtos; same reward and weights."""
    from omegaconf import OmegaConf
    from verl.experimental.reward_loop.reward_manager import get_reward_manager_cls
    config = OmegaConf.create({"reward": {"reward_kwargs": {"test_reward": "fraction"}}})
    manager = get_reward_manager_cls("egca")(config=config, tokenizer=tok, compute_score=None, engine=engine)
    data, out = scored
    for i in (0, 2, 3):
        got = asyncio.run(manager.run_single(data[i:i + 1]))
        assert got["reward_score"] == pytest.approx(out["reward_extra_info"]["acc"][i])
        for key in ("egca_mode", "egca_span", "egca_token_weights"):
            assert got["reward_extra_info"][key] == out["reward_extra_info"][key][i]
