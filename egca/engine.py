"""The divergence engine: one candidate through the pipeline (README, "How a candidate
is analysed"):

    compose program -> 1 gate (syntax, constraints) -> 2 run tests (Tracer.Run)
    -> 3 trace candidate and reference on the first failing test (Tracer.Trace; the
       candidate's inside its Run where the runtime can: RunRequest.trace_failure)
    -> 4 align, earliest divergence -> 5 span (tree-sitter) -> 6 token weights

`classify` decides the mode from the gate and the run alone; the engine then looks for
where the candidate went wrong only for the modes that put credit on a span.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Sequence

from egca import syntax
from egca.align import Found, Side, find_crash_cause, find_divergence
from egca.analysis import Analysis, Divergence, Span
from egca.errors import InvalidInput
from egca.compose import compose  # noqa: F401  (egca.engine.compose: its old home)
from egca.core import Constraints, DivergenceKind, GateConfig, Mode, Range
from egca.plugin import LanguageAdapter, get_adapter
from egca.problem import Problem, TestCase, validate_completion
from egca.references import ReferenceChooser
from egca.runtimes import RuntimePool
from egca.spans import WEIGHTINGS, Layout, narrow, snap, token_weights
from egca.trace import Trace, from_events
from egca_kit.v1 import tracer_pb2

REWARDS = ("binary", "fraction")
# Whether the runtimes' wire carries stdin/stdout tests (whole-program problems): it does
# (egca.v1.TestCase.stdin; the runtime kit runs and judges them, egca_kit.programs).
RUNTIMES_RUN_PROGRAM_TESTS = "stdin" in tracer_pb2.TestCase.DESCRIPTOR.fields_by_name
# Wall clock of the extra trace that locates a timeout the runtime could not locate.
LOCATE_TIMEOUT_S = 2.0


@dataclass
class EngineConfig:
    # language -> Tracer addresses; languages not listed get a local runtime (the embedded default).
    runtimes: dict[str, Sequence[str]] = field(default_factory=dict)
    # Candidates of one group analysed at once (each is a sandboxed run in a runtime).
    workers: int = 4
    gate: GateConfig = field(default_factory=GateConfig)
    # Limits for test runs and traces; zero fields mean the runtime's defaults.
    timeout_s: float = 10.0
    max_events: int = 20000
    # Reference traces kept (per problem, test case, runtime version).
    reference_cache_size: int = 4096
    # Aligned trace steps kept each side of a logic divergence in `Analysis.trace` (0: none).
    trace_window: int = 0
    # The localization before sub-statement spans and crash causes (statement spans only, a
    # crash blamed where it happened, the earlier alignment rules): the "before" column of
    # `egca bench localize`.
    legacy_localization: bool = False
    # Ask the runtime to trace the failing test inside the test run (one sandboxed run, not
    # two) where it can; False: a separate Trace call, as runtimes without it get anyway.
    trace_in_run: bool = True


class Engine:
    """Analyses GRPO groups of candidates. Thread-safe; use as a context manager."""

    def __init__(self, config: EngineConfig | None = None):
        self.config = config or EngineConfig()
        self.runtimes = RuntimePool(self.config.runtimes)
        self._ref_traces: OrderedDict[tuple, Trace] = OrderedDict()
        self._constraints: dict[tuple, Constraints] = {}
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=max(1, self.config.workers), thread_name_prefix="egca")
        # Problems with several solutions per language: the passing one closest to each candidate.
        self.references = ReferenceChooser(self.runtimes, self._limits)

    def __enter__(self) -> "Engine":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        self.runtimes.close()

    def forget_reference_traces(self) -> None:
        """Drop the cached reference traces (a benchmark's paths each pay for their own)."""
        with self._lock:
            self._ref_traces.clear()

    # --- public API ------------------------------------------------------------------
    def analyze(self, problem: Problem, completions: Sequence[str],
                token_offsets: Sequence[Sequence[tuple[int, int]]] | None = None,
                weighting: str = "span", reward: str = "binary", localize: bool = True) -> list[Analysis]:
        """Analyse a group. `localize=False` stops at the mode and reward (no traces): the
        plain-GRPO baseline pays only for the reward path."""
        if weighting not in WEIGHTINGS:
            raise InvalidInput(f"unknown weighting '{weighting}' (choose from {', '.join(WEIGHTINGS)})")
        if reward not in REWARDS:
            raise InvalidInput(f"unknown reward '{reward}' (choose from {', '.join(REWARDS)})")
        if token_offsets is not None and len(token_offsets) != len(completions):
            raise InvalidInput("token_offsets must have one entry per completion")
        if not problem.tests:
            raise InvalidInput(f"problem {problem.task_id} has no tests")
        if problem.kind == "program" and not RUNTIMES_RUN_PROGRAM_TESTS:
            raise InvalidInput(f"problem {problem.task_id} is a whole-program problem (stdin/stdout tests); "
                               f"the {problem.language} runtime cannot run such tests yet")
        adapter = get_adapter(problem.language)
        completions = [validate_completion(c) for c in completions]
        futures = [self._pool.submit(self._analyze_one, adapter, problem, c,
                                     token_offsets[i] if token_offsets is not None else None, weighting, reward,
                                     localize)
                   for i, c in enumerate(completions)]
        return [f.result() for f in futures]

    # --- one candidate -----------------------------------------------------------------
    def _analyze_one(self, adapter: LanguageAdapter, problem: Problem, completion: str,
                     offsets: Sequence[tuple[int, int]] | None, weighting: str, reward_kind: str,
                     localize: bool = True) -> Analysis:
        timings: dict[str, float] = {}
        clock = _Clock(timings)
        program, layout = compose(adapter, problem, completion)
        program_bytes = program.encode("utf-8")
        total = len(problem.tests)
        notes: list[str] = []
        if problem.references.get(problem.language):
            with clock("reference"):
                choice = self.references.choose(problem, program_bytes)
            problem = choice.problem
            notes += [choice.note] if choice.note else []
        if not problem.has_reference and not notes:
            notes.append("the problem has no reference solution: mode and reward only, not localized")

        with clock("gate"):
            bad_syntax = adapter.syntax_error(program_bytes)
            violations = [] if bad_syntax or notes else self._check_constraints(adapter, problem, program_bytes)

        def finish(mode: Mode, passed: int, failing: str | None = None, div: Divergence | None = None) -> Analysis:
            span = narrowed = None
            if div is not None and mode in LOCALIZED_MODES:
                comp = layout.to_completion(div.candidate.start_byte, div.candidate.end_byte)
                if comp is not None:
                    span = narrowed = Span((div.candidate.start_byte, div.candidate.end_byte), comp)
                    n = div.narrowed
                    comp_n = layout.to_completion(n.start_byte, n.end_byte) if n is not None else None
                    if comp_n is not None:
                        narrowed = Span((n.start_byte, n.end_byte), comp_n)
            with clock("span"):
                weights = None if offsets is None else token_weights(
                    span.completion if span else None, list(offsets), weighting,
                    narrowed.completion if narrowed else None)
            reward = (1.0 if passed == total else 0.0) if reward_kind == "binary" else passed / total
            return Analysis(mode=mode, reward=reward, tests_passed=passed, tests_total=total, failing_test=failing,
                            divergence=div, span=span, narrowed=narrowed, token_weights=weights,
                            constraint_violations=violations, timings=timings, notes=notes)

        client = self.runtimes.client(problem.language)
        with clock("run"):
            run = client.run(program, problem.tests, self._limits(), [problem.entry_point],
                             trace_failure=localize and not notes and not violations and self.config.trace_in_run)
        passed = _passed(run)
        if bad_syntax is not None and run.status != tracer_pb2.COMPILE_ERROR and not notes:
            # The grammar's false alarm (newer syntax, a grammar gap): the compiler decides.
            violations = self._check_constraints(adapter, problem, program_bytes)
        mode = classify(run, violations, total)

        if mode is Mode.SYNTAX and run.status == tracer_pb2.COMPILE_ERROR:
            return finish(mode, 0, None, self._compile_error(adapter, program_bytes, bad_syntax, run.compile_error))
        if mode is Mode.SYNTAX:
            crashed = _crashed(run)
            if crashed is None:
                return finish(mode, passed, None, None)
            kind = DivergenceKind.TIMEOUT if crashed.status == tracer_pb2.TIMEOUT else DivergenceKind.ERROR
            error = crashed.error
            if kind is DivergenceKind.TIMEOUT and not error.has_location and localize:
                with clock("trace"):
                    error = self._last_statement(client, program, problem, crashed.id, error)
            div = self._diagnostic(adapter, program_bytes, error, kind)
            if kind is DivergenceKind.ERROR and localize and not notes and not self.config.legacy_localization:
                with clock("trace"):
                    div = self._crash_cause(adapter, problem, program_bytes, run, crashed.id, div)
            return finish(mode, passed, crashed.id, div)
        if mode is not Mode.LOGIC:
            return finish(mode, passed)
        failing = next(r for r in run.results if r.status != tracer_pb2.PASS)
        if not localize or notes:   # notes: no (passing) reference to compare with
            return finish(mode, passed, failing.id)

        test = next(t for t in problem.tests if t.id == failing.id)
        with clock("trace"):
            cand_trace = self._candidate_trace(client, run, program, test)
            ref_trace = self._reference_trace(adapter, problem, test)
        window: dict = {}
        with clock("align"):
            div = self._localize(adapter, problem, program_bytes, cand_trace, ref_trace, window)
        result = finish(mode, passed, failing.id, div)
        result.trace = window or None
        return result

    def _localize(self, adapter: LanguageAdapter, problem: Problem, program: bytes, cand: Trace,
                  ref: Trace, window: dict | None = None) -> Divergence | None:
        if not ref.passed:
            return None   # nothing sound to compare: the reference fails its own test
        if cand.passed and self.config.legacy_localization:
            return None
        ref_program = problem.reference_program.encode("utf-8")
        found = find_divergence(adapter, Side(cand, program), Side(ref, ref_program), problem.entry_point,
                                legacy=self.config.legacy_localization)
        if found is None or found.candidate is None:
            return None
        if window is not None and self.config.trace_window > 0:
            from egca.report.window import trace_window
            window.update(trace_window(cand, program, ref, ref_program, found, self.config.trace_window))
        # A traced run that passes the test its plain run failed: the result depends on what the
        # trace does not pin down (memory read out of bounds or uninitialised, time, chance). Where
        # its trace departs from the reference's is still where its behaviour does.
        reason = f"{found.reason} (the traced run passed this test: the program's result is not " \
                 f"deterministic, e.g. memory read out of bounds)" if cand.passed else None
        return self._divergence(adapter, program, ref_program, found, reason=reason)

    def _divergence(self, adapter: LanguageAdapter, program: bytes, ref_program: bytes, found: Found,
                    reason: str | None = None, crash: Range | None = None) -> Divergence:
        """An aligner's finding as a Divergence: snapped to its statement or condition, and
        narrowed to the part that differs from the reference's counterpart (egca.spans.narrow)."""
        cand_rng = snap(adapter, program, found.candidate, found.kind)
        ref_rng = snap(adapter, ref_program, found.reference, found.kind) if found.reference else None
        narrowed = None if self.config.legacy_localization else \
            narrow(adapter, program, cand_rng, ref_program, ref_rng, found.rename)
        return Divergence(cand_rng, ref_rng, reason or found.reason, found.kind,
                          narrowed=narrowed[0] if narrowed else None, narrowed_reference=narrowed[1] if narrowed else None,
                          crash=crash)

    def _crash_cause(self, adapter: LanguageAdapter, problem: Problem, program: bytes, run, test_id: str,
                     crash: Divergence | None) -> Divergence | None:
        """A run-time error caused earlier: the candidate traced up to the error and the reference
        on the same test; when they diverged before the error, the earliest divergence is
        blamed and the crash is kept in the reason (and `Divergence.crash`). Otherwise the
        crash site (`crash`) stays."""
        test = next(t for t in problem.tests if t.id == test_id)
        client = self.runtimes.client(problem.language)
        cand = self._candidate_trace(client, run, program.decode("utf-8"), test)
        if crash is None:
            crash = _traced_crash(adapter, program, cand)
        ref = self._reference_trace(adapter, problem, test)
        if not ref.passed or cand.passed:
            return crash
        ref_program = problem.reference_program.encode("utf-8")
        found = find_crash_cause(adapter, Side(cand, program), Side(ref, ref_program), problem.entry_point,
                                 crash.candidate if crash is not None else None)
        if found is None or found.candidate is None:
            return crash
        what = crash.reason if crash is not None else (cand.end_message or "an error")
        if crash is not None and crash.candidate.start_byte <= found.candidate.start_byte < crash.candidate.end_byte:
            where = " there"
        else:
            where = f" at `{syntax.text(program, crash.candidate)}`" if crash is not None else ""
        return self._divergence(adapter, program, ref_program, found,
                                reason=f"{found.reason}; the program later crashed{where} ({what})",
                                crash=crash.candidate if crash is not None else None)

    # --- helpers ----------------------------------------------------------------------------
    def _candidate_trace(self, client, run, program: str, test: TestCase) -> Trace:
        """The candidate's trace of `test`: the one its test run made, else a Trace call."""
        events = client.failure_trace(run, test.id)
        return from_events(events if events is not None else client.trace(program, test, self._limits()))

    def _limits(self) -> tracer_pb2.Limits:
        return tracer_pb2.Limits(timeout_s=self.config.timeout_s, max_events=self.config.max_events)

    def _check_constraints(self, adapter: LanguageAdapter, problem: Problem, program: bytes) -> list[str]:
        ref_program = problem.reference_program.encode("utf-8")
        key = (problem.language, problem.task_id, hashlib.sha256(ref_program).hexdigest())
        with self._lock:
            constraints = self._constraints.get(key)
        if constraints is None:
            constraints = adapter.extract_constraints(ref_program, problem.entry_point)
            with self._lock:
                self._constraints[key] = constraints
        return adapter.check_constraints(constraints, ref_program, program, problem.entry_point, self.config.gate)

    def _reference_trace(self, adapter: LanguageAdapter, problem: Problem, test: TestCase) -> Trace:
        client = self.runtimes.client(problem.language)
        ref_program = problem.reference_program
        key = (problem.language, client.info().runtime_version,
               hashlib.sha256(f"{ref_program}\0{_test_key(test)}".encode()).hexdigest())
        with self._lock:
            if key in self._ref_traces:
                self._ref_traces.move_to_end(key)
                return self._ref_traces[key]
        trace = from_events(client.trace(ref_program, test, self._limits()))
        with self._lock:
            self._ref_traces[key] = trace
            while len(self._ref_traces) > self.config.reference_cache_size:
                self._ref_traces.popitem(last=False)
        return trace

    def _last_statement(self, client, program: str, problem: Problem, test_id: str,
                        error: tracer_pb2.Diagnostic) -> tracer_pb2.Diagnostic:
        """Where a run that timed out without saying where was: the last statement its
        trace reached (the trace stops at the event cap or the clock, mid-loop)."""
        test = next(t for t in problem.tests if t.id == test_id)
        # A stuck loop fills the event cap at once: a short clock suffices to see where it is.
        limits = tracer_pb2.Limits(timeout_s=min(LOCATE_TIMEOUT_S, self.config.timeout_s),
                                   max_events=self.config.max_events)
        events = client.trace(program, test, limits)
        last = next((e for e in reversed(events) if e.kind in (tracer_pb2.TraceEvent.STEP,
                                                               tracer_pb2.TraceEvent.BRANCH)), None)
        if last is None:
            return error
        located = tracer_pb2.Diagnostic()
        located.CopyFrom(error)
        located.has_location = True
        located.location.CopyFrom(last.range)
        return located

    @classmethod
    def _compile_error(cls, adapter: LanguageAdapter, program: bytes, bad_syntax: Range | None,
                       diag: tracer_pb2.Diagnostic) -> Divergence | None:
        """Where a program the compiler rejected went wrong. Both the compiler and the
        grammar say where; the earlier error is the better guess (the compiler's on a tie)."""
        found = [] if bad_syntax is None else [Divergence(bad_syntax, None, "the program does not parse here",
                                                          DivergenceKind.SYNTAX)]
        located = cls._diagnostic(adapter, program, diag, DivergenceKind.COMPILE)
        found += [located] if located is not None else []
        return min(found, key=lambda d: (d.candidate.start_byte, d.kind != DivergenceKind.COMPILE), default=None)

    @staticmethod
    def _diagnostic(adapter: LanguageAdapter, program: bytes, diag: tracer_pb2.Diagnostic,
                    kind: DivergenceKind) -> Divergence | None:
        if not diag.has_location:
            return None   # nothing to point at: uniform credit
        loc = diag.location
        rng = Range(loc.start_byte, max(loc.end_byte, loc.start_byte), loc.start_line, loc.end_line or loc.start_line)
        if kind is DivergenceKind.TIMEOUT:
            # Where the clock ran out varies run to run; the loop that never ended does not.
            rng = syntax.enclosing_loop(adapter, program, rng) or adapter.statement_range(program, rng)
        elif kind is not DivergenceKind.COMPILE:
            rng = adapter.statement_range(program, rng)
        elif rng.end_byte <= rng.start_byte:
            rng = _line_range(program, rng.start_line)   # a point ("expected ':'"): its line's code
        what = f"{diag.kind}: {diag.message}" if diag.kind and diag.kind not in diag.message else diag.message
        return Divergence(rng, None, what.strip() or kind, kind)


# Modes whose credit goes on a span (when one is found); the others spread it uniformly.
LOCALIZED_MODES = frozenset({Mode.SYNTAX, Mode.LOGIC})


def classify(run, violations: Sequence[str], total: int) -> Mode:
    """The mode of a candidate, from its test run (`Tracer.Run`'s reply) and the constraint
    gate's violations, in order: it does not compile, crashes or times out -> syntax; it
    violates a constraint or is not comparable -> constraint; it passes every test ->
    correct; else logic. (A program the grammar cannot parse but the compiler accepts is
    not a syntax error: the runtime decides.)"""
    if run.status == tracer_pb2.COMPILE_ERROR:
        return Mode.SYNTAX
    if _crashed(run) is not None or (run.status in (tracer_pb2.CRASHED, tracer_pb2.TIMED_OUT)
                                     and _passed(run) < total):
        return Mode.SYNTAX
    if violations:
        return Mode.CONSTRAINT
    if all(r.status == tracer_pb2.PASS for r in run.results):
        return Mode.CORRECT
    return Mode.LOGIC


def _traced_crash(adapter: LanguageAdapter, program: bytes, trace: Trace) -> Divergence | None:
    """Where a run that crashed without saying where (a whole program killed by a signal: the
    executable has no launcher) crashed: the statement of its trace's last EXCEPTION."""
    x = next((e for e in reversed(trace.events) if e.kind == "exception" and e.range is not None), None)
    if x is None:
        return None
    return Divergence(adapter.statement_range(program, x.range), None, x.message or trace.end_message or "an error",
                      DivergenceKind.ERROR)


def _test_key(test: TestCase) -> str:
    """What makes a test what it is (the reference-trace cache key): its code, or a program test's input."""
    return test.code if test.stdin is None else f"\0stdin\0{test.stdin}\0{test.stdout}"


def _passed(run) -> int:
    return sum(r.status == tracer_pb2.PASS for r in run.results)


def _crashed(run):
    """The first test that raised or timed out, or None."""
    return next((r for r in run.results if r.status in (tracer_pb2.ERROR, tracer_pb2.TIMEOUT)), None)


def _line_range(program: bytes, line: int) -> Range:
    """The non-blank text of a 1-based line."""
    starts = [0] + [i + 1 for i, b in enumerate(program) if b == 0x0A]
    lo = starts[min(max(line, 1), len(starts)) - 1]
    hi = program.find(b"\n", lo)
    hi = len(program) if hi < 0 else hi
    text = program[lo:hi]
    lo, hi = lo + len(text) - len(text.lstrip()), lo + len(text.rstrip())
    return Range(lo, max(lo, hi), line, line)


class _Clock:
    """Adds the time spent in each `with clock(stage):` block to `timings[stage]`."""

    def __init__(self, timings: dict[str, float]):
        self.timings = timings

    @contextlib.contextmanager
    def __call__(self, name: str):
        start = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - start


_default_engine: Engine | None = None
_default_lock = threading.Lock()


def default_engine() -> Engine:
    """A process-wide engine with local runtimes, for `egca.analyze`."""
    global _default_engine
    with _default_lock:
        if _default_engine is None:
            _default_engine = Engine()
        return _default_engine
