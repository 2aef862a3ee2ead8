"""EGCA-GRPO training on TRL: per-token advantages from the engine's spans.

    from egca.train import EGCATrainer, EGCATrainConfig

`EGCATrainer` is a drop-in `trl.GRPOTrainer` (trl==1.16.0: it overrides a private
hook) whose reward is unit-test pass from the engine and whose advantages are
a_{i,t} = A_i * w_{i,t}, w from the engine's span. `method="grpo"` keeps the
engine reward and spreads A_i uniformly, for A/B runs.

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
