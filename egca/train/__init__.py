"""EGCA-GRPO training on TRL: per-token advantages from the engine's spans.

    from egca.train import EGCATrainer, EGCATrainConfig

`EGCATrainer` is a drop-in `trl.GRPOTrainer` (trl >=1.10,<2: it overrides the private
`_generate_and_score_completions`) whose advantages are a_{i,t} = A_i * w_{i,t}, w from
the engine's span, sign-aware (the span takes negative advantages only). The engine's
unit-test reward is the reward function "egca", weighted like any other; without it the
engine supplies only the credit for the user's rewards. `method="grpo"` spreads A_i
uniformly, for A/B runs. docs/TRAINING.md has the details.

Imports are lazy so that `import egca.train` does not pull in torch.
"""

from __future__ import annotations

__all__ = ["EGCATrainConfig", "EGCATrainer", "PAPER_PRESET", "run_from_config"]


def __getattr__(name):
    if name in ("EGCATrainConfig", "PAPER_PRESET"):
        from egca.train import config
        return getattr(config, name)
    if name == "EGCATrainer":
        from egca.train.trainer import EGCATrainer
        return EGCATrainer
    if name == "run_from_config":
        from egca.train.cli import run_from_config
        return run_from_config
    raise AttributeError(name)
