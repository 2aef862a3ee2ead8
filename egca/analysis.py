"""What the engine says about one candidate (the JSON of `egca analyze --json`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from egca.core import DivergenceKind, Mode, Range

MODES = tuple(Mode)   # in the order the engine decides them


@dataclass(frozen=True)
class Divergence:
    candidate: Range                 # in the candidate program
    reference: Range | None          # in the reference program (None for syntax)
    reason: str
    kind: DivergenceKind             # a str: "value", "branch", "return", "missing", "error", "compile", ...

    def to_dict(self) -> dict:
        return {"candidate": self.candidate.to_dict(),
                "reference": self.reference.to_dict() if self.reference else None,
                "reason": self.reason, "kind": self.kind}


@dataclass(frozen=True)
class Span:
    program: tuple[int, int]         # bytes in prompt + completion
    completion: tuple[int, int]      # bytes in the completion text

    def to_dict(self) -> dict:
        return {"program": {"start_byte": self.program[0], "end_byte": self.program[1]},
                "completion": {"start_byte": self.completion[0], "end_byte": self.completion[1]}}


@dataclass
class Analysis:
    mode: Mode                       # a str: "syntax" | "constraint" | "correct" | "logic"
    reward: float
    tests_passed: int
    tests_total: int
    failing_test: str | None = None
    divergence: Divergence | None = None
    span: Span | None = None
    token_weights: list[float] | None = None
    constraint_violations: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    # Aligned trace steps around the divergence (egca/report/window.py), only when
    # EngineConfig.trace_window asks for them.
    trace: dict | None = None
    # What the analysis could not do and why, in words (no reference solution: not localized).
    notes: list[str] = field(default_factory=list)

    def to_dict(self, timings: bool = False) -> dict:
        """The JSON of `egca analyze --json`; stage timings only on request (they vary run to run)."""
        d = {"mode": self.mode, "reward": self.reward, "tests_passed": self.tests_passed,
             "tests_total": self.tests_total, "failing_test": self.failing_test,
             "divergence": self.divergence.to_dict() if self.divergence else None,
             "span": self.span.to_dict() if self.span else None,
             "constraint_violations": list(self.constraint_violations)}
        if timings:
            d["timings"] = {k: round(v, 6) for k, v in self.timings.items()}
        if self.token_weights is not None:
            d["token_weights"] = list(self.token_weights)
        if self.trace is not None:
            d["trace"] = self.trace
        if self.notes:
            d["notes"] = list(self.notes)
        return d
