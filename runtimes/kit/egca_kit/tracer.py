"""The base egca.v1.Tracer servicer. A runtime subclasses nothing: it hands a
`Language` (what differs) to `TracerService` (what every runtime does the same):

- request validation (sizes, counts, empty code) and the default limits;
- one mapping from errors to gRPC status codes: InvalidRequest -> INVALID_ARGUMENT,
  SandboxRefused -> FAILED_PRECONDITION, SandboxError -> UNAVAILABLE, anything
  else -> INTERNAL (logged);
- starting the sandboxed run the language describes, decoding the child protocol
  (egca_kit.protocol), and turning it into RunResponse / a chunked Trace stream.

A `Language` prepares or compiles a program and says which processes to start:
for Run, a trusted harness plus the candidate (`Process.candidate_argv`), so that
verdicts come only from the harness; for Trace, the tracing child.
"""

from __future__ import annotations

import collections
import json
import logging
import threading
from dataclasses import dataclass, field

import grpc

from egca_kit import limits as limits_mod
from egca_kit import programs, protocol, sandbox, warm
from egca_kit.errors import InvalidRequest, SandboxError, SandboxRefused
from egca_kit.v1 import tracer_pb2, tracer_pb2_grpc

log = logging.getLogger(__name__)
TS = tracer_pb2
# Events per Trace message: big enough to amortise gRPC's per-message cost.
TRACE_CHUNK_EVENTS = 512
TRACE_CHUNK_LINES = 4096          # compact form (TraceRequest.compact): raw lines are cheaper per event
TRACE_BACKLOG_LINES = 65536       # lines read from the sandbox but not yet sent before the drain waits
# A trace made inside a Run travels in its one reply; a bigger one is dropped (Trace streams it).
MAX_FAILURE_TRACE_BYTES = 16 << 20


class CompileFailed(Exception):
    """The program does not compile/parse: a COMPILE_ERROR (Run) or an END with ERROR (Trace)."""

    def __init__(self, message: str, kind: str = "CompileError", loc: list | None = None):
        super().__init__(message)
        self.message, self.kind, self.loc = message, kind, loc


@dataclass
class Process:
    """One sandboxed run a language asks for (see egca_kit.sandbox.run_sandboxed)."""
    argv: list[str]
    stdin: bytes = b""
    files: dict[str, bytes] = field(default_factory=dict)
    ro_binds: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    candidate_argv: list[str] | None = None   # Run: the untrusted program beside the trusted harness
    ranges: list | None = None                # statement table, when the language has it (else the child sends it)
    grace_s: float = 0.0                      # sandbox clock beyond the request's limit (the child's own deadline)
    limits: sandbox.SandboxLimits | None = None   # replaces the request's limits (an interpreter's floor, e.g. V8's)
    split_uids: bool = False                  # Run: the harness forks the candidate itself (egca_kit.sandbox)
    entry: str | None = None                  # warm sandboxes: the preloaded "module:function" to call (egca_kit.warm)
    says_ready: bool = True                   # program tests: whether it writes {"t": "ready"} (a launcher does,
                                              # a bare executable does not)


class Language:
    """What a runtime supplies. Override `run` and `trace`; the rest has defaults."""
    name = "?"
    # Whether `run` can also trace the failing test inside its run (RunRequest.trace_failure):
    # then `run` takes `trace_failure` (the trace's event cap; 0: no trace), and once every
    # verdict is out ("done") its harness writes {"t": "trace", "i": n} and relays the
    # candidate's trace of test n, as a Trace of it would write it (docs/RUNTIMES.md).
    traces_failures = False

    def language_version(self) -> str:
        return ""

    def runtime_version(self) -> str:
        return "0"

    def validate(self, program: str) -> None:
        """Extra checks of a program (raise InvalidRequest)."""

    def run(self, program: str, tests: list, limits: sandbox.SandboxLimits, entry_points: tuple = ()) -> Process:
        """The processes that run `tests` (egca.v1.TestCase) on `program`; raise CompileFailed.
        `entry_points`: the program names the tests call (RunRequest.entry_points); the
        harness lets these, and only these, shadow the language's builtins in test code."""
        raise NotImplementedError

    def trace(self, program: str, test, limits: sandbox.SandboxLimits, max_events: int) -> Process:
        """The process that traces one test of `program`; raise CompileFailed."""
        raise NotImplementedError

    def prepare_program(self, program: str, limits: sandbox.SandboxLimits):
        """Program tests (egca_kit.programs): compile or check `program` once for all its tests;
        what it returns is handed to `program_process`. Raise CompileFailed."""
        return program

    def program_process(self, prepared, stdin: bytes, limits: sandbox.SandboxLimits) -> Process:
        """Program tests: the process that runs the whole prepared program once with `stdin` as its
        standard input (its stdout is judged by the kit). A launcher may write the child protocol:
        {"t": "ready"}, {"t": "compile_error"}, and for an uncaught error {"t": "result", "i": 0,
        "s": "ERROR" | "TIMEOUT", "kind", "msg", "loc"} before exiting non-zero."""
        raise NotImplementedError(f"the {self.name} runtime does not run program tests")

    def warm(self) -> "warm.WarmSpec | None":
        """What to preload into warm sandboxes (egca_kit.warm), or None: every run cold."""
        return None


# ---------------------------------------------------------------- validation

def check_program(program: str) -> None:
    if not program.strip():
        raise InvalidRequest("program is empty")
    size = len(program.encode("utf-8", "surrogatepass"))
    if size > limits_mod.MAX_SOURCE_BYTES:
        raise InvalidRequest(f"program is larger than {limits_mod.MAX_SOURCE_BYTES} bytes ({size} bytes)")
    if "\x00" in program:
        raise InvalidRequest("program contains a NUL character")


def check_tests(tests) -> None:
    if not tests:
        raise InvalidRequest("no test cases given")
    if len(tests) > limits_mod.MAX_TESTS:
        raise InvalidRequest(f"more than {limits_mod.MAX_TESTS} test cases")
    program = [programs.is_program_test(t) for t in tests]
    if any(program) and not all(program):
        raise InvalidRequest("a request mixes program tests (stdin) with code tests")
    for t in tests:
        if programs.is_program_test(t):
            programs.check_test(t)
            continue
        if not t.code.strip():
            raise InvalidRequest(f"test case {t.id!r} has no code")
        if len(t.code.encode("utf-8", "surrogatepass")) > limits_mod.MAX_SOURCE_BYTES:
            raise InvalidRequest(f"test case {t.id!r} is larger than {limits_mod.MAX_SOURCE_BYTES} bytes")
        if "\x00" in t.code:
            raise InvalidRequest(f"test case {t.id!r} contains a NUL character")


def _abort(context, e: BaseException):
    if isinstance(e, InvalidRequest):
        context.abort(grpc.StatusCode.INVALID_ARGUMENT, str(e))
    if isinstance(e, SandboxRefused):
        context.abort(grpc.StatusCode.FAILED_PRECONDITION, str(e))
    if isinstance(e, SandboxError):
        log.error("%s", e)
        context.abort(grpc.StatusCode.UNAVAILABLE, str(e))
    log.error("internal error", exc_info=e)
    context.abort(grpc.StatusCode.INTERNAL, f"{type(e).__name__}: {e}")


def _check_infrastructure(report: protocol.Report, res: sandbox.SandboxResult, language: str) -> None:
    if report.bad_test:
        raise InvalidRequest(report.bad_test)
    if report.internal:
        raise SandboxError(f"{language} runtime child failed: {report.internal}")
    if not report.ready:
        why = res.stderr.decode(errors="replace").strip()[-500:]
        state = "timed out" if res.timed_out else f"exit {res.returncode} signal {res.signal}"
        raise SandboxError(f"{language} runtime child did not start ({state}): {why}")


def _start(proc: Process, limits: sandbox.SandboxLimits, on_line, pool: "warm.WarmPool | None" = None
           ) -> sandbox.SandboxResult:
    if proc.limits is not None:
        limits = proc.limits
    if proc.grace_s:
        limits = sandbox.SandboxLimits(**{**limits.__dict__, "timeout_s": limits.timeout_s + proc.grace_s})
    if pool is not None and not pool.disabled \
            and warm.fits(pool.spec, proc.entry, proc.ro_binds, proc.candidate_argv, proc.split_uids):
        try:
            return pool.run(proc.argv, files=proc.files, limits=limits, stdin=proc.stdin, env=proc.env,
                            on_channel_line=on_line, entry=proc.entry, candidate_argv=proc.candidate_argv,
                            split_uids=proc.split_uids)
        except SandboxError:
            if not pool.disabled:
                raise
            # the pool turned itself off (zygotes cannot start here): this run goes cold
    return sandbox.run_sandboxed(proc.argv, candidate_argv=proc.candidate_argv, split_uids=proc.split_uids,
                                 files=proc.files,
                                 limits=limits, stdin=proc.stdin, env=proc.env, ro_binds=proc.ro_binds,
                                 on_channel_line=on_line)


# ---------------------------------------------------------------- the servicer

class TracerService(tracer_pb2_grpc.TracerServicer):
    def __init__(self, language: Language, warm_sandboxes: int = 32):
        """`warm_sandboxes`: the most warm sandboxes kept (one per concurrent run; 0: every run
        cold). Used only when the language has a `warm()` spec and the sandbox allows it."""
        self.language = language
        spec = language.warm() if warm_sandboxes > 0 else None
        self.warm_pool = warm.WarmPool(spec, warm_sandboxes) if spec is not None and warm.enabled() else None

    def Info(self, request, context):
        resp = TS.InfoResponse(language=self.language.name, runtime_version=self.language.runtime_version(),
                               language_version=self.language.language_version())
        resp.isolation.extend(sandbox.isolation())
        limits_mod.fill_proto(resp.default_limits)
        return resp

    # ------------------------------------------------------------------ Run
    def Run(self, request, context):
        try:
            check_program(request.program)
            check_tests(request.tests)
            self.language.validate(request.program)
            return self.run(request.program, list(request.tests), request.limits, tuple(request.entry_points),
                            request.trace_failure)
        except Exception as e:  # noqa: BLE001 - every error gets its one status
            _abort(context, e)

    def run(self, program: str, tests: list, limits_pb=None, entry_points: tuple = (),
            trace_failure: bool = False) -> tracer_pb2.RunResponse:
        limits, max_events = limits_mod.from_proto(limits_pb)
        if programs.is_program_test(tests[0]):
            return programs.run_tests(self, program, tests, limits)
        resp = TS.RunResponse()
        want_trace = trace_failure and self.language.traces_failures
        try:
            proc = self.language.run(program, tests, limits, entry_points=entry_points,
                                     **({"trace_failure": max_events} if want_trace else {}))
        except CompileFailed as e:
            return self._compile_error(resp, e.kind, e.message, e.loc, tests)
        report = protocol.Report(proc.ranges)
        # A runtime that knows the statement table (C, C++) gives it here; its child sends none.
        traced = _TraceSection(max_events, proc.ranges) if want_trace else None

        def on_line(line: bytes) -> None:
            if traced is not None and traced.index is not None:
                traced.take(line)
                return
            msg = protocol.parse(line)
            if msg is None:
                return
            if traced is not None and report.done and type(msg) is dict and msg.get("t") == "trace":
                i = msg.get("i")                # the harness's last word: a trace follows, never a verdict
                traced.index = i if type(i) is int else -1
                return
            report.take(msg)

        res = _start(proc, limits, on_line, self.warm_pool)
        _check_infrastructure(report, res, self.language.name)
        resp.wall_s = res.wall_s
        resp.output_truncated = res.output_truncated
        resp.output = (res.stdout + res.stderr).decode("utf-8", errors="replace")
        if report.compile_error:
            ce = report.compile_error
            return self._compile_error(resp, ce.get("kind", "CompileError"), ce.get("msg", ""), report.loc(ce), tests)
        stop = None if report.done else report.unfinished(res, limits.timeout_s)
        for i, t in enumerate(tests):
            r = resp.results.add(id=t.id)
            got = report.results.get(i)
            if got is not None:
                r.status = protocol.STATUS[got["s"]]
                r.wall_s = float(got.get("wall") or 0.0)
                if got["s"] != "PASS":
                    protocol.diagnostic(r.error, str(got.get("kind", "")), str(got.get("msg", ""))[:4000],
                                        report.loc(got))
            elif stop is not None and i == stop[0]:
                r.status = stop[1]
                protocol.diagnostic(r.error, stop[2], stop[3])
            else:
                r.status = TS.NOT_RUN
        if any(r.status == TS.TIMEOUT for r in resp.results):
            resp.status = TS.TIMED_OUT
        elif report.done:
            resp.status = TS.COMPLETED
        elif res.timed_out:
            resp.status = TS.TIMED_OUT
        else:
            resp.status = TS.CRASHED
        if traced is not None:
            traced.attach(resp, tests, res.channel_truncated)
        return resp

    @staticmethod
    def _compile_error(resp, kind, message, loc, tests):
        resp.status = TS.COMPILE_ERROR
        protocol.diagnostic(resp.compile_error, kind, message, loc)
        for t in tests:
            resp.results.add(id=t.id, status=TS.NOT_RUN)
        return resp

    # ------------------------------------------------------------------ Trace
    def Trace(self, request, context):
        try:
            check_program(request.program)
            check_tests([request.test] if request.HasField("test") else [])
            self.language.validate(request.program)
            limits, max_events = limits_mod.from_proto(request.limits)
            if programs.is_program_test(request.test):
                limits = programs.test_limits(request.test, limits)
            try:
                proc = self.language.trace(request.program, request.test, limits, max_events)
            except CompileFailed as e:
                end = TS.TraceEvent(kind=TS.TraceEvent.END, seq=0, status=TS.ERROR, message=e.message)
                if e.loc:
                    protocol.range_pb(e.loc, end.range)
                yield TS.TraceEvents(events=[end])
                return
        except Exception as e:  # noqa: BLE001
            _abort(context, e)
        yield from self._trace(proc, limits, max_events, context, request.compact, request.test)

    @staticmethod
    def _pass_lines(events: list[bytes], seq: int, max_events: int, truncated: bool, chunk):
        """Compact events into chunks of TRACE_CHUNK_LINES, up to `max_events` in all (a generator:
        yields full chunks, returns (seq, truncated, the chunk being filled))."""
        take = events[:max(0, max_events - seq)]
        truncated = truncated or len(take) < len(events)
        while take:
            n = TRACE_CHUNK_LINES - len(chunk.lines)
            part, take = take[:n], take[n:]
            chunk.lines.extend(part)
            seq += len(part)
            if len(chunk.lines) >= TRACE_CHUNK_LINES:
                yield chunk
                chunk = TS.TraceEvents()
        return seq, truncated, chunk

    def _trace(self, proc: Process, limits, max_events: int, context, compact: bool = False, test=None):
        # The sandbox's drain thread appends lines; this (the RPC's) thread takes them in
        # batches. A deque costs a fraction of a queue per line; `ready` wakes this thread
        # when it waits, `room` holds the drain back while the client reads slowly.
        pending: collections.deque = collections.deque()
        ready, room = threading.Event(), threading.Event()
        room.set()
        cancelled = threading.Event()
        context.add_callback(cancelled.set)
        context.add_callback(room.set)
        outcome: dict = {}

        def on_line(line: bytes) -> None:
            if len(pending) >= TRACE_BACKLOG_LINES:
                room.clear()
                while len(pending) >= TRACE_BACKLOG_LINES and not cancelled.is_set():
                    room.wait(0.5)
            if cancelled.is_set():
                raise ConnectionAbortedError("client went away")   # makes the sandbox kill the child
            pending.append(line)
            if not ready.is_set():
                ready.set()

        def work() -> None:
            try:
                outcome["res"] = _start(proc, limits, on_line, self.warm_pool)
            except BaseException as e:  # noqa: B036 - handed to the RPC thread
                outcome["error"] = e
            finally:
                outcome["done"] = True
                ready.set()

        threading.Thread(target=work, name="trace-sandbox", daemon=True).start()
        report = protocol.Report(proc.ranges)
        decoder = protocol.EventDecoder(report.ranges)
        seq = 0
        truncated = False
        chunk = TS.TraceEvents()
        while True:
            if not pending:
                if chunk.events or chunk.lines:   # nothing more ready: send what we have, keep the stream live
                    yield chunk
                    chunk = TS.TraceEvents()
                ready.clear()
                if not pending:
                    if outcome.get("done") and not pending:
                        break
                    ready.wait(0.5)
                    continue
            batch = [pending.popleft() for _ in range(len(pending))]
            room.set()
            events: list[bytes] = []
            for line in batch:
                if compact and line[:1] == b"[":
                    events.append(line)   # an event, passed on as the child wrote it (decoded in bulk)
                    continue
                if not line.strip():
                    continue                  # a blank line (a runner ending a line its child cut) is no event
                if compact and not line.startswith(b"{"):
                    events.append(line)
                    continue
                if events:
                    seq, truncated, chunk = yield from self._pass_lines(events, seq, max_events, truncated, chunk)
                    events = []
                msg = protocol.parse(line)
                if msg is None or type(msg) is not list:
                    if msg is not None and report.take(msg) and msg.get("t") == "ranges":
                        decoder.ranges = report.ranges
                    continue
                if seq >= max_events:
                    truncated = True
                    continue
                try:
                    decoder.fill(msg, chunk.events.add())
                except (IndexError, KeyError, TypeError, ValueError):
                    del chunk.events[-1]       # a malformed line (a child killed mid-write): dropped
                    log.warning("malformed trace line dropped: %r", line[:200])
                    continue
                chunk.events[-1].seq = seq
                seq += 1
                if len(chunk.events) >= TRACE_CHUNK_EVENTS:
                    yield chunk
                    chunk = TS.TraceEvents()
            if events:
                seq, truncated, chunk = yield from self._pass_lines(events, seq, max_events, truncated, chunk)
        err = outcome.get("error")
        if err is not None:
            if cancelled.is_set():
                return
            _abort(context, err)
        res = outcome["res"]
        try:
            _check_infrastructure(report, res, self.language.name)
        except Exception as e:  # noqa: BLE001
            _abort(context, e)
        end = chunk.events.add(kind=TS.TraceEvent.END, seq=seq)
        if compact:
            chunk.ranges_json = json.dumps(report.ranges, separators=(",", ":"))
        got = report.results.get(0)
        if test is not None and programs.is_program_test(test):
            got = programs.judge_trace(test, res, got)
        if report.compile_error:
            end.status = TS.ERROR
            end.message = str(report.compile_error.get("msg", ""))
            loc = report.loc(report.compile_error)
            if loc:
                protocol.range_pb(loc, end.range)
        elif got is not None:
            _end_of(end, got, report, truncated or res.channel_truncated)
        else:
            _, status, kind, message = report.unfinished(res, limits.timeout_s)
            end.status = status
            end.message = message if kind in message else f"{kind}: {message}"
            end.truncated = truncated or res.channel_truncated
        yield chunk


def _end_of(end: tracer_pb2.TraceEvent, got: dict, report: protocol.Report, truncated: bool) -> None:
    """A trace's END from the "result" line of its test."""
    end.status = protocol.STATUS[got["s"]]
    end.message = str(got.get("msg", ""))
    loc = report.loc(got)
    if loc:
        protocol.range_pb(loc, end.range)
    end.truncated = bool(got.get("truncated")) or truncated


class _TraceSection:
    """What a Run's harness relays after {"t": "trace", "i": n} (RunRequest.trace_failure): the
    candidate's trace of test n, kept in the compact form of a Trace call. Only ever a trace:
    nothing in it reaches a verdict, and a trace that did not finish is dropped (the engine
    asks Trace instead)."""

    def __init__(self, max_events: int, ranges: list | None = None):
        self.max_events = max_events
        self.index = None              # set by the marker line
        self.lines: list[bytes] = []
        self.size = 0
        self.truncated = False
        self.report = protocol.Report(ranges)

    def take(self, line: bytes) -> None:
        if line[:1] == b"{":
            msg = protocol.parse(line)
            if msg is not None:
                self.report.take(msg)
        elif line.strip():
            if len(self.lines) < self.max_events:
                self.lines.append(line)
                self.size += len(line)
            else:
                self.truncated = True

    def attach(self, resp: tracer_pb2.RunResponse, tests: list, channel_truncated: bool) -> None:
        got = self.report.results.get(0)
        i = self.index
        if got is None or not 0 <= i < len(tests) or self.size > MAX_FAILURE_TRACE_BYTES:
            return
        out = resp.failure_trace
        out.test_id = tests[i].id
        out.trace.lines.extend(self.lines)
        out.trace.ranges_json = json.dumps(self.report.ranges, separators=(",", ":"))
        _end_of(out.trace.events.add(kind=TS.TraceEvent.END, seq=len(self.lines)), got, self.report,
                self.truncated or channel_truncated)
