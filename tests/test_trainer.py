"""EGCATrainer: per-token advantages through TRL's real loss, the engine reward, and a training smoke test.

The gradient tests call TRL's own `GRPOTrainer._compute_loss` and take the gradient
with respect to the per-token log-probabilities (the model's forward pass is replaced
by a leaf tensor there, so the gradient is read off exactly; at the sampling policy
the ratio is 1 and no clipping applies).
"""

from __future__ import annotations

import os

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("trl")

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from egca import datasets  # noqa: E402
from egca.train.config import SUPPORTED_LOSS_TYPES, EGCATrainConfig  # noqa: E402
from egca.train.weights import (sign_aware_weights, span_weights, token_advantages,  # noqa: E402
                                weights_matrix)
from tests.torch_threads import one_torch_thread  # noqa: E402,F401 - the module's autouse fixture

TASK = "HumanEval/0"


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    from egca.train.tiny import build_tiny
    problem = datasets.get("humaneval", TASK)
    # Warm-started on the task's program so that samples parse and reach the engine's runtime.
    return build_tiny(tmp_path_factory.mktemp("tiny") / "model", datasets=("humaneval",), vocab_size=512,
                      warm_start_steps=40, warm_start_texts=[problem.prompt + problem.reference])


@pytest.fixture(scope="module")
def engine():
    from egca.engine import Engine
    backend = Engine()
    yield backend
    backend.close()


def _config(tmp_path, **kw) -> EGCATrainConfig:
    base = dict(output_dir=str(tmp_path / "out"), use_cpu=True, bf16=False, report_to="none", num_generations=4,
                per_device_train_batch_size=4, max_completion_length=24, beta=0.0, logging_steps=1,
                save_strategy="no", seed=0, disable_tqdm=True,
                gradient_checkpointing=None, activation_checkpointing=False)
    base.update(kw)
    return EGCATrainConfig(**base)


def _trainer(model_dir, engine, tmp_path, reward_funcs=None, reward_processing_classes=None, **kw):
    from transformers import AutoTokenizer

    from egca.train.data import build_dataset
    from egca.train.trainer import EGCATrainer
    problems = [datasets.get("humaneval", TASK)]
    dataset, by_id = build_dataset(problems)
    tok = AutoTokenizer.from_pretrained(model_dir)
    return EGCATrainer(model=str(model_dir), args=_config(tmp_path, **kw), train_dataset=dataset, problems=by_id,
                       engine=engine, processing_class=tok, reward_funcs=reward_funcs,
                       reward_processing_classes=reward_processing_classes)


def length_reward(completions, **kwargs):
    """A user's own reward function (TRL's signature), unrelated to the tests."""
    return [min(len(c), 200) / 200 for c in completions]


def _loss_grad(trainer, advantages, mask, loss_type):
    """d loss / d log pi(token) for every completion token, through TRL's _compute_loss."""
    B, T = mask.shape
    logps = (torch.randn(B, T, generator=torch.Generator().manual_seed(1)) * 0.1 - 2.0).requires_grad_()
    trainer.loss_type = loss_type
    trainer.current_gradient_accumulation_steps = 1
    trainer._get_per_token_logps_and_entropies = lambda *a, **k: (logps, torch.zeros(B, T), None)
    inputs = {"prompt_ids": torch.zeros(B, 1, dtype=torch.long), "prompt_mask": torch.ones(B, 1, dtype=torch.long),
              "completion_ids": torch.zeros(B, T, dtype=torch.long), "completion_mask": mask,
              "advantages": advantages, "num_items_in_batch": mask.sum()}
    trainer.model.train()
    trainer._compute_loss(trainer.model, inputs).backward()
    return logps.grad


def _batch():
    """4 sequences of different lengths: a span in the middle, a span at the start, two uniform."""
    lengths = [10, 7, 12, 5]
    T = max(lengths)
    mask = torch.tensor([[1] * n + [0] * (T - n) for n in lengths])
    offsets = [[(3 * t, 3 * t + 3) for t in range(n)] for n in lengths]
    rows = [span_weights((9, 17), offsets[0]), span_weights((0, 4), offsets[1]), None, None]
    A = torch.tensor([-1.2, 0.7, 1.5, -0.4])
    return A, mask, rows


@pytest.fixture
def math_trainer(model_dir, engine, tmp_path):
    # One per test: building any TrainingArguments resets accelerate's global state under a live trainer.
    return _trainer(model_dir, engine, tmp_path)


@pytest.mark.parametrize("loss_type", SUPPORTED_LOSS_TYPES)
def test_each_sequence_keeps_its_grpo_total_under_every_loss_type(math_trainer, loss_type):
    A, mask, rows = _batch()
    W = weights_matrix(rows, mask)
    egca = _loss_grad(math_trainer, token_advantages(A, W, mask), mask, loss_type)
    grpo = _loss_grad(math_trainer, A, mask, loss_type)
    # Conservation: credit moves between a sequence's tokens, its total is GRPO's.
    assert torch.allclose(egca.sum(dim=1), grpo.sum(dim=1), atol=1e-6)
    assert not torch.allclose(egca, grpo)
    # Credit sits exactly where the weights put it, in proportion to them.
    assert torch.all(egca[W == 0] == 0)
    ratio = egca / (W * grpo.sum(dim=1, keepdim=True))
    assert torch.allclose(ratio[W > 0], torch.ones_like(ratio[W > 0]), atol=1e-5)


def _span_mask(rows, mask):
    return torch.tensor([[bool(row and t < len(row) and row[t] > 0) for t in range(mask.shape[1])] for row in rows])


@pytest.mark.parametrize("loss_type", SUPPORTED_LOSS_TYPES)
@pytest.mark.parametrize("positive", ["complement", "uniform"])
def test_sign_aware_credit_keeps_positive_advantage_off_the_span_and_conserves(math_trainer, loss_type, positive):
    """Row 1 has a span and a *positive* advantage (a failing candidate above its group's mean):
    none of its credit may be concentrated on the span; every row keeps GRPO's total."""
    A, mask, rows = _batch()
    span = _span_mask(rows, mask)
    W = sign_aware_weights(weights_matrix(rows, mask), span, A, mask, positive)
    egca = _loss_grad(math_trainer, token_advantages(A, W, mask), mask, loss_type)
    grpo = _loss_grad(math_trainer, A, mask, loss_type)
    assert torch.allclose(egca.sum(dim=1), grpo.sum(dim=1), atol=1e-6)
    credit = -egca    # d loss / d logp = -(per-token advantage) * normaliser: positive credit <=> grad < 0
    # Row 0: negative advantage, localized on its span only.
    assert torch.all(credit[0][~span[0]] == 0) and torch.all(credit[0][span[0]] < 0)
    # Row 1: positive advantage with a span.
    on_span, off_span = credit[1][span[1]], credit[1][mask[1].bool() & ~span[1]]
    if positive == "complement":
        assert torch.all(on_span == 0) and torch.all(off_span > 0)
    else:   # plain GRPO's row: the span gets no more than any other token
        assert torch.allclose(credit[1][mask[1].bool()], grpo[1][mask[1].bool()].neg(), atol=1e-7)
    assert torch.all(on_span <= off_span.min() + 1e-7)


def test_positive_advantage_with_a_span_covering_every_token_falls_back_to_uniform():
    mask = torch.tensor([[1, 1, 1]])
    span = torch.tensor([[True, True, True]])
    W = sign_aware_weights(weights_matrix([[1 / 3] * 3], mask), span, torch.tensor([0.5]), mask, "complement")
    assert torch.allclose(W, torch.full((1, 3), 1 / 3))
    with pytest.raises(ValueError):
        sign_aware_weights(W, span, torch.tensor([0.5]), mask, "nope")


def test_grpo_loss_type_gives_a_times_w_per_token(math_trainer):
    A, mask, rows = _batch()
    W = weights_matrix(rows, mask)
    grad = _loss_grad(math_trainer, token_advantages(A, W, mask), mask, "grpo")
    # loss = -mean_i (1/T_i) Σ_t ratio·adv: the effective advantage of token t is a_{i,t} = A_i w_{i,t}.
    a = -grad * mask.shape[0]
    assert torch.allclose(a, A[:, None] * W, atol=1e-6)
    assert torch.allclose(a.sum(dim=1), A, atol=1e-6)


def test_uniform_weights_reproduce_grpo_exactly():
    A, mask, _ = _batch()
    W = weights_matrix([None] * 4, mask)
    assert torch.allclose(token_advantages(A, W, mask), A[:, None].expand_as(W) * mask)


def test_weights_ignore_padding_and_renormalise():
    mask = torch.tensor([[1, 1, 1, 0, 0]])
    W = weights_matrix([[0.0, 0.5, 0.0, 0.5, 0.0]], mask)   # half the mass on a padded token
    assert W.tolist() == [[0.0, 1.0, 0.0, 0.0, 0.0]]
    W = weights_matrix([[0.0, 0.0, 0.0, 1.0, 0.0]], mask)   # all of it: uniform over real tokens
    assert torch.allclose(W, torch.tensor([[1 / 3, 1 / 3, 1 / 3, 0.0, 0.0]]))


def test_egca_config_refuses_settings_that_undo_token_credit(tmp_path):
    for bad in ({"loss_type": "vespo"}, {"importance_sampling_level": "sequence", "loss_type": "grpo"},
                {"top_entropy_quantile": 0.2}):
        with pytest.raises(ValueError):
            _config(tmp_path, **bad)
    _config(tmp_path, method="grpo", top_entropy_quantile=0.2)   # plain GRPO may use them


def test_paper_preset_under_overrides(tmp_path):
    cfg = EGCATrainConfig.from_preset("paper", output_dir=str(tmp_path), use_cpu=True, bf16=False,
                                      per_device_train_batch_size=16, beta=0.1)
    assert (cfg.num_generations, cfg.learning_rate, cfg.beta, cfg.epsilon) == (16, 5e-7, 0.1, 0.2)
    with pytest.raises(ValueError):
        EGCATrainConfig.from_preset("nope", output_dir=str(tmp_path))


# --- with the real engine and the real Python runtime ---------------------------------------------

def _logic_candidate(problem) -> str:
    # Flips the comparison: runs, keeps the reference's structure, fails a test -> `logic`.
    assert "< threshold" in problem.reference
    return problem.reference.replace("< threshold", "> threshold")


@pytest.mark.parametrize("loss_type", ["grpo", "dapo"])
def test_logic_candidate_gradient_only_on_its_span(math_trainer, loss_type):
    problem = datasets.get("humaneval", TASK)
    tok = math_trainer.processing_class
    completions = [_logic_candidate(problem), problem.reference]
    ids = [tok(c)["input_ids"] + [tok.eos_token_id] for c in completions]
    reward = math_trainer.engine_reward
    reward([problem.prompt] * 2, completions, ids, [TASK] * 2)
    logic, correct = reward.last.analyses
    assert (logic.mode, correct.mode) == ("logic", "correct"), (logic.to_dict(), correct.to_dict())
    assert (logic.reward, correct.reward) == (0.0, 1.0)

    T = max(len(x) for x in ids)
    mask = torch.tensor([[1] * len(x) + [0] * (T - len(x)) for x in ids])
    W = weights_matrix(math_trainer._weight_rows(reward.last), mask)
    A = torch.tensor([-0.7, 0.7])
    grad = _loss_grad(math_trainer, token_advantages(A, W, mask), mask, loss_type)

    # The logic candidate: non-zero exactly on the tokens overlapping the engine's span,
    # and those tokens hold the comparison that was flipped.
    start, end = logic.span.completion
    on_span = [t for t, (s, e) in enumerate(reward.last.offsets[0]) if s < end and e > start]
    assert on_span and len(on_span) < len(ids[0]) // 2
    nonzero = torch.nonzero(grad[0]).flatten().tolist()
    assert nonzero == on_span
    assert torch.allclose(grad[0, on_span], grad[0, on_span[0]].expand(len(on_span)))
    assert ">" in completions[0].encode()[start:end].decode()
    # The correct candidate: uniform over its real tokens (EOS included), zero on padding.
    n = len(ids[1])
    assert torch.allclose(grad[1, :n], grad[1, 0].expand(n)) and grad[1, 0] != 0
    assert torch.all(grad[1, n:] == 0)


@pytest.mark.parametrize("loss_type", ["grpo", "dapo", "dr_grpo"])
def test_fraction_reward_failing_candidate_above_the_mean_is_not_reinforced_on_its_span(model_dir, engine, tmp_path,
                                                                                          loss_type):
    """The issue's case, with the real engine: under `test_reward: fraction` the flipped comparison
    passes 4 of 7 tests, beats its group's mean and gets a positive advantage. Its credit must
    not land on the span the engine blamed; the group's other rows keep theirs."""
    problem = datasets.get("humaneval", TASK)
    trainer = _trainer(model_dir, engine, tmp_path, test_reward="fraction")
    tok = trainer.processing_class
    completions = [_logic_candidate(problem), "    return (\n", "    for i in numbers:\n        return (\n"]
    ids = [tok(c)["input_ids"] + [tok.eos_token_id] for c in completions]
    rewards = trainer.engine_reward([problem.prompt] * 3, completions, ids, [TASK] * 3)
    scored = trainer.engine_reward.last
    logic = scored.analyses[0]
    assert logic.mode == "logic" and 0 < logic.reward < 1, logic.to_dict()
    r = torch.tensor(rewards)
    A = (r - r.mean()) / (r.std() + 1e-4)            # TRL's group normalisation
    assert A[0] > 0
    T = max(map(len, ids))
    mask = torch.tensor([[1] * len(x) + [0] * (T - len(x)) for x in ids])
    W = trainer.credit_weights(scored, A, mask)
    grad = _loss_grad(trainer, token_advantages(A, W, mask), mask, loss_type)
    start, end = logic.span.completion
    on_span = [t for t, (s, e) in enumerate(scored.offsets[0]) if s < end and e > start]
    assert on_span
    assert torch.all(grad[0, on_span] == 0)                          # nothing on the blamed statement
    off = [t for t in range(len(ids[0])) if t not in on_span]
    assert torch.all(grad[0, off] < 0)                               # the rest is reinforced
    grpo = _loss_grad(trainer, A, mask, loss_type)
    assert torch.allclose(grad.sum(dim=1), grpo.sum(dim=1), atol=1e-6)
    # With the candidate below its group's mean, the same span takes all of its (negative) credit.
    W = trainer.credit_weights(scored, -A, mask)
    grad = _loss_grad(trainer, token_advantages(-A, W, mask), mask, loss_type)
    assert torch.nonzero(grad[0]).flatten().tolist() == on_span


def test_chat_answer_in_a_fence_puts_credit_on_the_fenced_span(math_trainer):
    """Chat-template prompts: the answer wraps the code in a Markdown fence; credit lands on
    the same statement's tokens, shifted by the text before the fence."""
    from egca.train.data import chat_prompt
    problem = datasets.get("humaneval", TASK)
    tok = math_trainer.processing_class
    prompt_text = tok.apply_chat_template(chat_prompt(problem), add_generation_prompt=True, tokenize=False)
    assert problem.prompt in prompt_text and prompt_text.endswith("assistant\n")
    bare = _logic_candidate(problem)
    chat = "Sure, here it is:\n```python\n" + bare + "```\nThis compares every pair."
    im_end = tok.convert_tokens_to_ids("<|im_end|>")
    ids = [tok(c)["input_ids"] + [im_end] for c in (bare, chat)]
    reward = math_trainer.engine_reward
    reward([problem.prompt] * 2, [bare, chat], ids, [TASK] * 2)
    a_bare, a_chat = reward.last.analyses
    assert a_bare.mode == a_chat.mode == "logic"
    shift = len("Sure, here it is:\n```python\n".encode())
    assert a_chat.span.completion == (a_bare.span.completion[0] + shift, a_bare.span.completion[1] + shift)
    W = weights_matrix(math_trainer._weight_rows(reward.last), torch.ones(2, max(map(len, ids)), dtype=torch.long))
    for row, text, offsets in zip(W, (bare, chat), reward.last.offsets):
        covered = "".join(text.encode()[s:e].decode("utf-8", "replace") for t, (s, e) in enumerate(offsets)
                          if row[t] > 0)
        assert ">" in covered and "return" not in covered


def test_empty_completion_is_scored_without_the_engine(math_trainer):
    tok = math_trainer.processing_class
    reward = math_trainer.engine_reward
    rewards = reward(["p"], [""], [[tok.eos_token_id]], [TASK])
    assert rewards == [0.0] and reward.last.analyses[0].mode == "unanalysable"


@pytest.mark.parametrize("method", ["egca", "grpo"])
def test_training_smoke(model_dir, engine, tmp_path, method):
    """Two real optimisation steps on CPU with the real engine; the checkpoint reloads."""
    from transformers import AutoModelForCausalLM
    trainer = _trainer(model_dir, engine, tmp_path, method=method, max_steps=2, learning_rate=1e-2)
    before = {k: v.clone() for k, v in trainer.model.state_dict().items()}
    trainer.train()
    logs = {k for entry in trainer.state.log_history for k in entry}
    for key in ("reward", "egca/frac_syntax", "egca/frac_logic", "egca/frac_correct", "egca/engine_time_s",
                "step_time"):
        assert key in logs, key
    trainer.save_model(str(tmp_path / "ckpt"))
    reloaded = AutoModelForCausalLM.from_pretrained(str(tmp_path / "ckpt"))
    assert set(reloaded.state_dict()) == set(before)
    buffered = trainer._buffered_inputs[0]["advantages"]
    assert buffered.dim() == (2 if method == "egca" else 1)
    if method == "grpo":   # plain GRPO: credit on every token
        fracs = [e["egca/span_frac_tokens"] for e in trainer.state.log_history if "egca/span_frac_tokens" in e]
        assert fracs and all(f == 1.0 for f in fracs)


def test_credit_only_keeps_the_users_rewards_weights_and_logs_analyses(model_dir, engine, tmp_path):
    """A TRL script with reward_funcs=[my_reward], reward_weights=[1.0]: only the trainer class and
    the config class change. The reward is the user's alone; EGCA adds the credit, the completions
    table's mode/reason/span columns and (analyses_log) one JSON line per candidate."""
    import json
    trainer = _trainer(model_dir, engine, tmp_path, reward_funcs=[length_reward], reward_weights=[1.0],
                       max_steps=1, analyses_log=True)
    assert trainer.credit_only
    assert trainer.reward_func_names == ["length_reward", "egca_credit"]
    assert trainer.reward_weights.tolist() == [1.0, 0.0]
    trainer.train()
    step = next(e for e in trainer.state.log_history if "rewards/length_reward/mean" in e)
    assert step["reward"] == pytest.approx(step["rewards/length_reward/mean"])   # the engine adds no reward
    assert step["rewards/egca_credit/mean"] is None                                 # TRL: "did not apply"
    assert "egca/frac_logic" in step and "egca/engine_time_s" in step
    assert trainer._buffered_inputs[0]["advantages"].dim() == 2
    extra = trainer._logs["extra"]
    n = len(trainer._logs["prompt"])
    assert {"mode", "reason", "span"} <= set(extra) and all(len(extra[k]) == n for k in ("mode", "reason", "span"))
    assert set(extra["mode"]) <= {"syntax", "constraint", "correct", "logic", "unanalysable"}

    lines = (tmp_path / "out" / "analyses.jsonl").read_text().splitlines()
    records = [json.loads(line) for line in lines]
    assert len(records) == n == 4
    problem = datasets.get("humaneval", TASK)
    for rec, completion, adv, mode in zip(records, trainer._logs["completion"], trainer._logs["advantages"],
                                          extra["mode"]):
        assert {"mode", "reward", "tests_passed", "tests_total", "failing_test", "divergence", "span",
                "constraint_violations", "step", "task_id", "language", "prompt", "completion", "reference",
                "tokens", "advantage"} <= set(rec)
        assert (rec["step"], rec["task_id"], rec["language"]) == (1, TASK, "python")
        assert (rec["prompt"], rec["reference"]) == (problem.prompt, problem.reference)
        assert rec["completion"] == completion and rec["mode"] == mode
        assert rec["advantage"] == pytest.approx(adv)
        ends = [e for _, e in rec["tokens"]]
        assert ends == sorted(ends) and (not ends or ends[-1] == len(rec["completion"].encode()))
        if "token_weights" in rec:
            assert len(rec["token_weights"]) == len(rec["tokens"])


def test_engine_reward_listed_by_name_with_its_own_weight(model_dir, engine, tmp_path):
    trainer = _trainer(model_dir, engine, tmp_path, reward_funcs=["egca", length_reward],
                       reward_processing_classes=[None, None], reward_weights=[1.0, 0.5], max_steps=1)
    assert not trainer.credit_only
    assert trainer.reward_func_names == ["egca", "length_reward"]
    assert trainer.reward_weights.tolist() == [1.0, 0.5]
    trainer.train()
    step = next(e for e in trainer.state.log_history if "rewards/egca/mean" in e)
    assert step["reward"] == pytest.approx(step["rewards/egca/mean"] + 0.5 * step["rewards/length_reward/mean"])
    with pytest.raises(ValueError, match="listed 2 times"):
        _trainer(model_dir, engine, tmp_path, reward_funcs=["egca", "egca"])


def test_remote_engine_gives_the_same_analyses_as_the_in_process_one(engine, model_dir):
    """The trainer's gRPC backend against a real Engine service on loopback."""
    from transformers import AutoTokenizer

    from egca.engine import Engine
    from egca_kit.server import make_server
    from egca.service import EngineServicer
    from egca.tokens import token_byte_ranges
    from egca.service import EngineClient
    from egca_kit.v1 import engine_pb2, engine_pb2_grpc
    problem = datasets.get("humaneval", TASK)
    tok = AutoTokenizer.from_pretrained(model_dir)
    texts = [_logic_candidate(problem), problem.reference, "    return (\n"]
    offsets = [token_byte_ranges(tok, tok(t)["input_ids"] + [tok.eos_token_id], t) for t in texts]
    served = Engine()
    name = engine_pb2.DESCRIPTOR.services_by_name["Engine"].full_name
    server, port, _ = make_server([(engine_pb2_grpc.add_EngineServicer_to_server, EngineServicer(served), name)],
                                  "127.0.0.1:0")
    server.start()
    remote = EngineClient(f"127.0.0.1:{port}")
    try:
        got = remote.analyze(problem, texts, offsets, weighting="span", reward="binary")
    finally:
        remote.close()
        server.stop(None)
        served.close()
    want = engine.analyze(problem, texts, offsets, weighting="span", reward="binary")
    for g, w in zip(got, want):
        assert (g.mode, g.reward, g.span, g.token_weights) == (w.mode, w.reward, w.span, w.token_weights)


def test_cli_trains_from_the_example_yaml_and_saves_a_loadable_checkpoint(tmp_path, capsys, monkeypatch):
    """`egca train --config ... --set ...` through the main `egca` command (the --set options used to be
    refused there), with the user's reward function next to the engine's, each with its weight."""
    from pathlib import Path

    from transformers import AutoModelForCausalLM, AutoTokenizer

    from egca.cli import main
    example = Path(__file__).resolve().parents[1] / "examples" / "tiny-cpu.yaml"
    out = tmp_path / "out"
    (tmp_path / "my_rewards.py").write_text("def length_reward(completions, **kwargs):\n"
                                            "    return [min(len(c), 200) / 200 for c in completions]\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    rc = main(["train", "--config", str(example), "--set", f"model.path={tmp_path / 'model'}",
               "--set", "model.vocab_size=384", "--set", "model.warm_start_steps=0", "--set", "data.limit=1",
               "--set", f"train.output_dir={out}", "--set", "train.max_steps=1",
               "--set", "train.max_completion_length=16", "--set", "train.disable_tqdm=true",
               "--set", "train.reward_funcs=[egca, 'my_rewards:length_reward']",
               "--set", "train.reward_weights=[1.0, 0.5]", "--set", "train.analyses_log=true"])
    captured = capsys.readouterr()
    assert rc == 0, captured.err
    assert "rewards/length_reward/mean" in captured.out + captured.err
    assert AutoModelForCausalLM.from_pretrained(out).config.num_hidden_layers == 2
    assert len(AutoTokenizer.from_pretrained(out)) == 384
    assert (out / "analyses.jsonl").read_text().count("\n") == 4


def test_cli_exit_codes_bad_input_2_infrastructure_3(tmp_path, model_dir, capsys):
    from egca.cli import main
    bad = tmp_path / "bad.yaml"
    bad.write_text("train:\n  output_dir: x\n  no_such_setting: 1\n")
    assert main(["train", "--config", str(bad)]) == 2
    assert "no_such_setting" in capsys.readouterr().err
    assert main(["train", "--config", str(bad), "--set", "train.reward_funcs=['no_such_module:f']"]) == 2
    # No engine listens on port 1: the first reward call fails, and that is not the model's fault.
    cfg = tmp_path / "cfg.yaml"
    cfg.write_text(f"model: {{path: {model_dir}}}\ndata: {{datasets: [humaneval], limit: 1}}\n"
                   f"train: {{output_dir: {tmp_path / 'o'}, max_steps: 1, num_generations: 2, "
                   "per_device_train_batch_size: 2, max_completion_length: 8, use_cpu: true, bf16: false, "
                   "report_to: none, gradient_checkpointing: null, activation_checkpointing: false, "
                   "engine_address: '127.0.0.1:1', disable_tqdm: true}\n")
    assert main(["train", "--config", str(cfg)]) == 3
    assert "infrastructure error" in capsys.readouterr().err


def test_cli_reports_bad_config_in_one_line(tmp_path, capsys):
    from egca.train.cli import main
    bad = tmp_path / "bad.yaml"
    bad.write_text("train:\n  output_dir: x\n  no_such_setting: 1\n")
    assert main(["--config", str(bad)]) == 2
    assert "no_such_setting" in capsys.readouterr().err
    assert main(["--config", str(tmp_path / "missing.yaml")]) == 2


def test_reward_funcs_in_yaml_resolve_to_what_grpotrainer_takes():
    import trl.rewards

    from egca.train.cli import resolve_reward_funcs
    got = resolve_reward_funcs(["egca", "think_format_reward", "egca.train.data:build_rows", "org/reward-model"])
    assert got == ["egca", trl.rewards.think_format_reward, __import__("egca.train.data").train.data.build_rows,
                   "org/reward-model"]
    with pytest.raises(ValueError, match="cannot be imported"):
        resolve_reward_funcs(["egca.no_such_module:f"])
