"""The engine as TRL's reward function: one sandboxed run per candidate gives both
the reward (Analysis.reward) and the span/weights the trainer needs.

`EngineReward` is called by TRL with a generation batch; it maps each completion's
tokens to byte ranges (egca.tokens), sends each problem's group to the engine
(in-process `egca.engine.Engine`, or the Engine gRPC service), returns the
rewards, and keeps the analyses for the trainer to turn into token weights.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Protocol, Sequence

from egca.analysis import Analysis
from egca.errors import InfrastructureError, InvalidInput
from egca.problem import Problem
from egca.tokens import ByteRanges, completion_text, token_byte_ranges
from egca.train.weights import span_token_indices

UNANALYSABLE = "unanalysable"   # empty completions: not sent to the engine, reward 0, uniform credit
LOCALIZED_MODES = ("syntax", "logic")
LOGGED_MODES = ("syntax", "constraint", "correct", "logic", UNANALYSABLE)


def completion_columns(analyses: Sequence[Analysis]) -> dict[str, list]:
    """The completions table's EGCA columns: mode, the divergence's reason, and the span
    as [start, end] bytes of the completion (None where the engine blamed no span)."""
    return {"mode": [a.mode for a in analyses],
            "reason": [a.divergence.reason if a.divergence else None for a in analyses],
            "span": [list(a.span.completion) if a.span else None for a in analyses]}


class EngineBackend(Protocol):
    """`Engine.analyze`'s signature: the in-process engine or `egca.service.EngineClient`."""

    def analyze(self, problem: Problem, completions: list[str], token_offsets: list[ByteRanges] | None = None,
                weighting: str = "span", reward: str = "binary", localize: bool = True) -> list[Analysis]: ...

    def close(self) -> None: ...


def make_backend(engine_address: str | None, runtimes: dict[str, list[str]] | None = None) -> EngineBackend:
    """The Engine gRPC service at `engine_address`, or an engine in this process (starting local runtimes)."""
    if engine_address:
        from egca.service import EngineClient

        return EngineClient(engine_address)
    from egca.engine import Engine, EngineConfig

    return Engine(EngineConfig(runtimes=runtimes) if runtimes else EngineConfig())


@dataclass
class Scored:
    """What one call of the reward function leaves for the trainer, row-aligned with TRL's batch."""

    analyses: list[Analysis]
    offsets: list[ByteRanges]
    engine_seconds: float                       # wall time of the engine calls
    stage_seconds: dict[str, float] = field(default_factory=dict)   # summed Analysis.timings
    task_ids: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)


class EngineReward:
    """TRL reward function: unit-test reward from the engine, analyses kept for the trainer.

    Listed among `reward_funcs` like any other reward function (by the name `"egca"` in
    `EGCATrainer`), with its own entry in `reward_weights` and `reward_processing_classes`.
    With `credit_only=True` it still analyses every completion but returns `None` for each
    row (TRL's "does not apply"): the user's own reward functions make the reward and
    EGCA supplies only the credit.

    Per batch it reports through TRL's public reward-function hooks: `log_metric` (the
    `egca/*` scalars below) and `log_extra` (the completions table's `mode`, `reason` and
    `span` columns).
    """

    __name__ = "egca"   # TRL logs rewards/<name>/mean

    def __init__(self, backend: EngineBackend, problems: dict[str, Problem], tokenizer=None,
                 weighting: str = "span", test_reward: str = "binary", workers: int = 1, localize: bool = True,
                 credit_only: bool = False):
        self.backend, self.problems, self.tokenizer = backend, problems, tokenizer
        self.weighting, self.test_reward, self.workers = weighting, test_reward, workers
        # Plain GRPO needs only the reward: no traces, so the A/B timing is honest.
        self.localize = localize
        self.credit_only = credit_only
        if credit_only:
            self.__name__ = "egca_credit"
        self.last: Scored | None = None

    def __call__(self, prompts, completions, completion_ids, task_id, log_metric=None, log_extra=None,
                 **_) -> list[float | None]:
        if self.tokenizer is None:
            raise RuntimeError("EngineReward.tokenizer is not set (EGCATrainer sets it)")
        texts = [completion_text(self.tokenizer, ids) for ids in completion_ids]
        offsets = [token_byte_ranges(self.tokenizer, ids, text) for ids, text in zip(completion_ids, texts)]
        self.last = self.score(task_id, texts, offsets)
        self.last.task_ids, self.last.texts = list(task_id), texts
        if log_metric is not None:
            for name, value in self.metrics(self.last).items():
                log_metric(name, value)
        if log_extra is not None:
            for column, values in completion_columns(self.last.analyses).items():
                log_extra(column, values)
        if self.credit_only:
            return [None] * len(texts)
        return [float(a.reward) for a in self.last.analyses]

    def metrics(self, scored: Scored) -> dict[str, float]:
        """Per-batch scalars: the share of each mode, the span's share of a localized candidate's
        tokens (1.0 for plain GRPO: credit on every token), and the engine's wall and stage times."""
        n = len(scored.analyses)
        out = {f"egca/frac_{m}": sum(a.mode == m for a in scored.analyses) / n for m in LOGGED_MODES}
        fracs = []
        if not self.localize:
            fracs = [1.0]
        else:
            for a, offs in zip(scored.analyses, scored.offsets):
                if a.mode in LOCALIZED_MODES and a.span is not None and offs:
                    fracs.append(len(span_token_indices(a.span.completion, offs)) / len(offs))
        if fracs:
            out["egca/span_frac_tokens"] = sum(fracs) / len(fracs)
        out["egca/engine_time_s"] = scored.engine_seconds
        for stage, secs in scored.stage_seconds.items():
            out[f"egca/engine_stage_s/{stage}"] = secs
        out.update(self.language_metrics(scored))
        return out

    def language_metrics(self, scored: Scored) -> dict[str, float]:
        """Per language of the batch's problems: `egca/<language>/frac_<mode>` (the share of that
        language's candidates in each mode), `egca/<language>/reward` (their mean engine reward)
        and `egca/<language>/count` (how many). Only the languages present in the batch appear:
        TRL averages each name over the logging step's batches that logged it."""
        rows: dict[str, list[Analysis]] = {}
        for tid, a in zip(scored.task_ids, scored.analyses):
            problem = self.problems.get(tid)
            if problem is not None:
                rows.setdefault(problem.language, []).append(a)
        out: dict[str, float] = {}
        for language in sorted(rows):
            got = rows[language]
            n = len(got)
            for m in LOGGED_MODES:
                out[f"egca/{language}/frac_{m}"] = sum(a.mode == m for a in got) / n
            out[f"egca/{language}/reward"] = sum(float(a.reward) for a in got) / n
            out[f"egca/{language}/count"] = float(n)
        return out

    def score(self, task_ids: Sequence[str], texts: list[str], offsets: list[ByteRanges]) -> Scored:
        """Analyse every row; rows of one problem go to the engine as one group."""
        groups: dict[str, list[int]] = {}
        for row, tid in enumerate(task_ids):
            if tid not in self.problems:
                raise InvalidInput(f"task_id {tid!r} of the training data is not among the trainer's problems")
            groups.setdefault(tid, []).append(row)
        analyses: list[Analysis | None] = [None] * len(texts)
        t0 = time.perf_counter()

        def run(tid: str) -> None:
            rows = groups[tid]
            for row, a in zip(rows, self._analyze_group(self.problems[tid], [texts[r] for r in rows],
                                                        [offsets[r] for r in rows])):
                analyses[row] = a

        if self.workers > 1 and len(groups) > 1:
            with ThreadPoolExecutor(self.workers) as pool:
                list(pool.map(run, groups))
        else:
            for tid in groups:
                run(tid)
        stages: dict[str, float] = {}
        for a in analyses:
            for k, v in a.timings.items():
                stages[k] = stages.get(k, 0.0) + v
        return Scored(analyses, offsets, time.perf_counter() - t0, stages)

    def _analyze_group(self, problem: Problem, texts: list[str], offsets: list[ByteRanges]) -> list[Analysis]:
        out: list[Analysis | None] = [None] * len(texts)
        todo = [k for k, t in enumerate(texts) if t.strip()]
        for k in range(len(texts)):
            if k not in todo:
                # An empty completion is invalid input for the engine; it certainly fails every test.
                out[k] = Analysis(mode=UNANALYSABLE, reward=0.0, tests_passed=0, tests_total=len(problem.tests))
        if todo:
            try:
                got = self.backend.analyze(problem, [texts[k] for k in todo], [offsets[k] for k in todo],
                                           weighting=self.weighting, reward=self.test_reward,
                                           localize=self.localize)
            except InvalidInput:
                got = [self._analyze_one(problem, texts[k], offsets[k]) for k in todo]
            if len(got) != len(todo):
                raise InfrastructureError(f"engine returned {len(got)} results for {len(todo)} candidates")
            for k, a in zip(todo, got):
                out[k] = a
        return out

    def _analyze_one(self, problem: Problem, text: str, offsets: ByteRanges) -> Analysis:
        # Isolate which candidate the engine refuses; the others still get analysed.
        try:
            return self.backend.analyze(problem, [text], [offsets], weighting=self.weighting,
                                        reward=self.test_reward, localize=self.localize)[0]
        except InvalidInput as e:
            return Analysis(mode=UNANALYSABLE, reward=0.0, tests_passed=0, tests_total=len(problem.tests),
                            constraint_violations=[f"invalid input: {e}"])
