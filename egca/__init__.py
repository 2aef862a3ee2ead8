"""EGCA: execution-grounded credit assignment for GRPO on code.

    import egca
    result = egca.analyze(problem, completion)          # one candidate
    results = egca.analyze_group(problem, completions)  # a GRPO group

See docs/ENGINE_API.md; `egca.engine.Engine` gives control over runtimes and caching.
"""

from __future__ import annotations

from typing import Sequence

__version__ = "0.1.0"


def analyze(problem, completion: str, **kwargs):
    """Analyse one completion of `problem` with the process-wide engine."""
    return analyze_group(problem, [completion], **kwargs)[0]


def analyze_group(problem, completions: Sequence[str], token_offsets=None, weighting: str = "span",
                  reward: str = "binary"):
    """Analyse a GRPO group of completions of one problem (a Problem, or (dataset, task_id))."""
    from egca import datasets
    from egca.engine import default_engine

    if isinstance(problem, tuple):
        problem = datasets.get(*problem)
    return default_engine().analyze(problem, completions, token_offsets=token_offsets, weighting=weighting,
                                    reward=reward)
