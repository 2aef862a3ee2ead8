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
    # The part of `candidate` that differs from its counterpart (egca.spans.narrow), and that
    # counterpart's part of `reference`; None: nothing narrower than the statement.
    narrowed: Range | None = None
    narrowed_reference: Range | None = None
    # A run-time error blamed on an earlier divergence (its cause): where the program crashed.
    crash: Range | None = None

    def to_dict(self) -> dict:
        d = {"candidate": self.candidate.to_dict(),
             "reference": self.reference.to_dict() if self.reference else None,
             "reason": self.reason, "kind": self.kind}
        if self.crash is not None:
            d["crash"] = self.crash.to_dict()
        return d


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
    # The sub-statement part of `span` that differs from the reference (the whole span when
    # nothing narrower can be justified); None when there is no span.
    narrowed: Span | None = None
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
             "narrowed": self._narrowed_dict(),
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

    def _narrowed_dict(self) -> dict | None:
        """`narrowed` has the shape of `span` (program and completion bytes) plus, when the
        reference has a counterpart part, its program bytes under `reference`."""
        if self.narrowed is None:
            return None
        d = self.narrowed.to_dict()
        ref = self.divergence.narrowed_reference if self.divergence is not None else None
        if ref is not None:
            d["reference"] = {"start_byte": ref.start_byte, "end_byte": ref.end_byte}
        return d
