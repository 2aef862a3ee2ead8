"""The Tracer service for C: Info, Run (all tests, one sandboxed run), Trace.

The server never runs candidate code itself: gcc and the program both run
through `egca_kit.sandbox.run_sandboxed`. Inside the program's run, the harness
forks one child per test (egca_rt.c) and writes one result line per test and
the trace events on fd 3; this module turns those lines into protobufs.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import queue
import signal as signals
import threading
from dataclasses import dataclass
from importlib import resources

import grpc

from egca_kit import sandbox
from egca.errors import InfrastructureError, InvalidInput
from egca.plugin import Range
from egca.problem import MAX_SOURCE_BYTES
from egca_kit.server import chunk_trace
from egca_kit.v1 import tracer_pb2, tracer_pb2_grpc, values_pb2
from egca_runtime_c import __version__
from egca_runtime_c.build import Binary, BuildError, Builder, CompileError, gcc_version
from egca_runtime_c.instrument import Instrumented

log = logging.getLogger(__name__)

DEFAULT_MAX_EVENTS = 20000
# The sandbox's clock runs this much longer than the harness's own deadline, so
# the harness can report which test timed out and where.
SANDBOX_GRACE_S = 2.0
RUN_PROG = ["/bin/sh", "-c", 'chmod 700 prog && exec ./prog "$@"', "sh"]

TS = tracer_pb2.TestStatus
EV = tracer_pb2.TraceEvent


def runtime_version() -> str:
    """Changes whenever the instrumentation or the event encoding changes (reference-trace cache key)."""
    h = hashlib.sha256()
    for name in ("egca_rt.c", "egca_rt.h", "egca_test.h", "instrument.py", "harness.py", "service.py"):
        h.update(resources.files("egca_runtime_c").joinpath(name).read_bytes())
    return f"{__version__}+{h.hexdigest()[:12]}"


# ---------------------------------------------------------------- values

def to_value(j) -> values_pb2.Value:
    """The runtime's JSON value encoding -> wire Value."""
    v = values_pb2.Value()
    _fill(v, j)
    return v


def _fill(v: values_pb2.Value, j) -> None:
    """Write the value into `v` in place (filling messages in place, not building and
    copying them, is what keeps decoding a 20000-event trace affordable)."""
    t = type(j)
    if t is int:
        v.int_value = str(j)
    elif t is str:
        v.str_value = j
    elif j is None:
        v.null_value = True
    elif t is bool:
        v.bool_value = j
    elif t is dict:
        if "o" in j:
            v.object_value.type_name = j["o"]
            add = v.object_value.fields.add
            for name, val in j.get("f", []):
                _fill(add(name=name).value, val)
        elif "f" in j:
            v.float_value = float(j["f"])
        elif "l" in j:
            lv = v.list_value
            lv.type_name = "array"
            items = j["l"]
            lv.length = int(j.get("n", len(items)))
            add = lv.items.add
            for item in items:
                it = type(item)
                if it is int:
                    add(int_value=str(item))
                elif it is str:
                    add(str_value=item)
                else:
                    _fill(add(), item)
            v.truncated = lv.length > len(items)
        else:
            v.opaque = str(j.get("p", "<value>"))
    else:
        v.opaque = "<value>"


@functools.lru_cache(maxsize=65536)
def _range_pb_cached(r: Range) -> tracer_pb2.SourceRange:
    """The same few statement ranges recur in every event of a trace: build each once."""
    return _range_pb(r)


def _range_pb(r: Range | None) -> tracer_pb2.SourceRange:
    out = values_pb2.SourceRange()
    if r is not None:
        out.start_byte, out.end_byte, out.start_line, out.end_line = r.start_byte, r.end_byte, r.start_line, r.end_line
    return out


def _diagnostic(message: str, kind: str, loc: Range | None) -> tracer_pb2.Diagnostic:
    d = tracer_pb2.Diagnostic(message=message, kind=kind)
    if loc is not None:
        d.has_location = True
        d.location.CopyFrom(_range_pb(loc))
    return d


# ---------------------------------------------------------------- outcomes

@dataclass
class Outcome:
    status: int
    kind: str = ""
    message: str = ""
    location: Range | None = None
    wall_s: float = 0.0
    truncated: bool = False


def _signame(n: int) -> str:
    try:
        return signals.Signals(n).name
    except ValueError:
        return f"signal {n}"


def outcome_of(fields: list[str], info: Instrumented | None, timeout_s: float) -> Outcome:
    """One `#T` line of the harness -> the test's outcome."""
    _, _idx, how, code, last, depth, where, _aline, wall, trunc, *rest = fields + [""] * 11
    code, last, depth, where = int(code or 0), int(last or -1), int(depth or 0), int(where or 0)
    msg = rest[0] if rest else ""
    loc = info.stmts[last].range if info is not None and 0 <= last < len(info.stmts) else None
    in_program = depth > 0
    o = Outcome(TS.PASS, wall_s=float(wall or 0), truncated=trunc == "1")
    if how == "timeout":
        o.status, o.kind, o.message = TS.TIMEOUT, "Timeout", f"the test did not finish within {timeout_s:g}s"
        o.location = loc if in_program else None
    elif how == "forkfail":
        o.status, o.kind, o.message = TS.ERROR, "ForkFailed", "the harness could not start the test (process limit)"
    elif how == "signal":
        name = _signame(code)
        if code == signals.SIGABRT and where == 2:
            o.status, o.kind, o.message = TS.FAIL, "AssertionError", f"assertion failed: {msg}"
        elif code == signals.SIGABRT and where == 1:
            o.status, o.kind, o.message, o.location = TS.ERROR, "AssertionError", \
                f"assertion failed in the program: {msg}", loc
        elif in_program:
            o.status, o.kind, o.message, o.location = TS.ERROR, name, f"{name} in the program", loc
        else:
            o.status, o.kind, o.message = TS.FAIL, name, f"{name} in test code (after the program returned)"
    elif how == "exit" and code != 0:
        if in_program:
            o.status, o.kind, o.message, o.location = TS.ERROR, "Exit", f"the program exited with status {code}", loc
        else:
            o.status, o.kind, o.message = TS.FAIL, "Exit", f"the test exited with status {code}"
    return o


# ---------------------------------------------------------------- servicer

class CTracer(tracer_pb2_grpc.TracerServicer):
    def __init__(self) -> None:
        self.builder = Builder()
        self._version = runtime_version()

    # ------------------------------------------------------------------ Info
    def Info(self, request, context):
        resp = tracer_pb2.InfoResponse(language="c", runtime_version=self._version, language_version=gcc_version())
        resp.isolation.extend(sandbox.isolation())
        sandbox.SandboxLimits().to_proto(resp.default_limits)
        resp.default_limits.max_events = DEFAULT_MAX_EVENTS
        return resp

    # ------------------------------------------------------------------ Run
    def Run(self, request, context):
        try:
            _check_program(request.program)
            if not request.tests:
                raise InvalidInput("Run needs at least one test case")
            tests = [_check_test(t) for t in request.tests]
            return self._run(request.program, request.tests, tests, request.limits)
        except InvalidInput as e:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, str(e))
        except BuildError as e:
            context.abort(grpc.StatusCode.INTERNAL, str(e))
        except InfrastructureError as e:
            context.abort(grpc.StatusCode.UNAVAILABLE, str(e))

    def _build(self, program: str, tests: list[str]) -> Binary | CompileError:
        return self.builder.build(program, tests)

    def _run(self, program, test_msgs, tests, limits_pb):
        limits = sandbox.SandboxLimits.from_proto(limits_pb)
        built = self._build(program, tests)
        resp = tracer_pb2.RunResponse()
        if isinstance(built, CompileError):
            resp.status = tracer_pb2.COMPILE_ERROR
            resp.compile_error.CopyFrom(_diagnostic(built.message, "CompileError", built.location))
            for t in test_msgs:
                resp.results.add(id=t.id, status=TS.NOT_RUN)
            return resp
        lines: dict[int, list[str]] = {}
        started = []

        def on_line(raw: bytes) -> None:
            if raw.startswith(b"#T\t"):
                f = raw.decode("utf-8", "replace").split("\t")
                lines[int(f[1])] = f
            elif raw.startswith(b"#R"):
                started.append(True)

        res = self._exec(built, "run", limits, 0, list(range(len(tests))), on_line)
        resp.wall_s = res.wall_s
        out = res.stdout + res.stderr
        resp.output = out[: limits.max_output_bytes].decode("utf-8", "replace")
        resp.output_truncated = res.output_truncated
        ended_early = False
        status = tracer_pb2.COMPLETED
        for i, t in enumerate(test_msgs):
            r = resp.results.add(id=t.id)
            if i in lines:
                o = outcome_of(lines[i], built.info, limits.timeout_s)
            elif ended_early:
                o = Outcome(TS.NOT_RUN)
            else:
                ended_early = True
                o = self._missing(res, limits)
                status = tracer_pb2.TIMED_OUT if o.status == TS.TIMEOUT else tracer_pb2.CRASHED
            if o.status == TS.TIMEOUT:
                status = tracer_pb2.TIMED_OUT
                ended_early = True
            r.status, r.wall_s = o.status, o.wall_s
            if o.status not in (TS.PASS, TS.NOT_RUN):
                r.error.CopyFrom(_diagnostic(o.message, o.kind, o.location))
        resp.status = status
        return resp

    @staticmethod
    def _missing(res: sandbox.SandboxResult, limits) -> Outcome:
        if res.timed_out:
            return Outcome(TS.TIMEOUT, "Timeout", f"the run did not finish within {limits.timeout_s:g}s")
        why = f"killed by {_signame(res.signal)}" if res.signal else f"exit status {res.returncode}"
        return Outcome(TS.ERROR, "Crash", f"the test process ended abnormally ({why})")

    def _exec(self, built: Binary, mode: str, limits: sandbox.SandboxLimits, max_events: int,
              indices: list[int], on_line) -> sandbox.SandboxResult:
        run_limits = sandbox.SandboxLimits(**{**limits.__dict__, "timeout_s": limits.timeout_s + SANDBOX_GRACE_S})
        argv = RUN_PROG + [mode, str(int(limits.timeout_s * 1000)), str(max_events)] + [str(i) for i in indices]
        started = []

        def wrapped(raw: bytes) -> None:
            if raw.startswith(b"#R"):
                started.append(True)
            on_line(raw)

        res = sandbox.run_sandboxed(argv, files={"prog": built.data}, limits=run_limits, on_channel_line=wrapped)
        if not started and not res.timed_out and res.returncode in (126, 127):
            raise sandbox.SandboxError("the compiled program could not be started in the sandbox: "
                                       + res.stderr.decode(errors="replace")[-500:])
        return res

    # ------------------------------------------------------------------ Trace
    def Trace(self, request, context):
        try:
            _check_program(request.program)
            if not request.HasField("test"):
                raise InvalidInput("Trace needs a test case")
            code = _check_test(request.test)
            built, index = self.builder.for_test(request.program, code)
            if isinstance(built, CompileError):
                raise InvalidInput(f"the program does not compile: {built.message}")
            if built.info is None:
                raise BuildError("no instrumented build")
        except InvalidInput as e:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, str(e))
        except BuildError as e:
            context.abort(grpc.StatusCode.INTERNAL, str(e))
        except InfrastructureError as e:
            context.abort(grpc.StatusCode.UNAVAILABLE, str(e))
        yield from chunk_trace(self._trace(built, index, request.limits, context))

    def _trace(self, built: Binary, index: int, limits_pb, context):
        limits = sandbox.SandboxLimits.from_proto(limits_pb)
        max_events = (limits_pb.max_events if limits_pb is not None and limits_pb.max_events else DEFAULT_MAX_EVENTS)
        info = built.info
        q: queue.Queue = queue.Queue(maxsize=10000)
        box: dict = {}

        def on_line(raw: bytes) -> None:
            q.put(raw)

        def worker() -> None:
            try:
                box["res"] = self._exec(built, "trace", limits, max_events, [index], on_line)
            except BaseException as e:  # noqa: B036 - handed to the streaming thread
                box["err"] = e
            finally:
                q.put(None)

        threading.Thread(target=worker, daemon=True).start()
        seq = 0
        last_n = -1
        result_fields = None
        while True:
            raw = q.get()
            if raw is None:
                break
            if raw.startswith(b"#"):
                if raw.startswith(b"#T\t"):
                    result_fields = raw.decode("utf-8", "replace").split("\t")
                continue
            ev, n = self._event(raw, info)
            if ev is None or n <= last_n:
                continue                     # a chunk flushed twice (child killed mid-write)
            last_n = n
            ev.seq = seq
            seq += 1
            yield ev
        if "err" in box:
            err = box["err"]
            code = grpc.StatusCode.UNAVAILABLE if isinstance(err, InfrastructureError) else grpc.StatusCode.INTERNAL
            context.abort(code, f"trace failed: {err}")
        res = box["res"]
        if result_fields is not None:
            o = outcome_of(result_fields, info, limits.timeout_s)
        else:
            o = self._missing(res, limits)
        if o.status == TS.ERROR and o.location is not None:
            ex = EV(kind=EV.EXCEPTION, seq=seq, message=f"{o.kind}: {o.message}")
            ex.range.CopyFrom(_range_pb(o.location))
            seq += 1
            yield ex
        yield EV(kind=EV.END, seq=seq, status=o.status, message=f"{o.kind}: {o.message}" if o.kind else "",
                 truncated=o.truncated or res.channel_truncated)

    @staticmethod
    def _event(raw: bytes, info: Instrumented) -> tuple[EV | None, int]:
        try:
            n, kind, ident, frame, depth, payload = raw.decode("utf-8", "replace").split("\t", 5)
            n, ident, frame, depth = int(n), int(ident), int(frame), int(depth)
            data = json.loads(payload)
        except ValueError:
            log.warning("malformed trace line dropped: %r", raw[:200])
            return None, -1
        ev = EV(frame=frame, depth=depth)
        if kind == "C" or kind == "E":
            fn = info.funcs[ident]
            ev.kind = EV.CALL if kind == "C" else EV.RETURN
            ev.function = fn.name
            ev.range.CopyFrom(_range_pb_cached(fn.range))
            if kind == "C":
                add = ev.bindings.add
                for name, val in data:
                    _fill(add(name=name).value, val)
            else:
                ev.value.null_value = True
            return ev, n
        st = info.stmts[ident]
        ev.function = st.function
        if kind == "S":
            ev.kind = EV.STEP
            ev.range.CopyFrom(_range_pb_cached(st.range))
            add = ev.bindings.add
            for name, val in data:
                _fill(add(name=name).value, val)
        elif kind == "B":
            ev.kind = EV.BRANCH
            ev.range.CopyFrom(_range_pb_cached(st.cond or st.range))
            ev.taken = bool(data[0])
            ev.branch_kind = st.branch_kind or "if"
        elif kind == "R":
            ev.kind = EV.RETURN
            ev.range.CopyFrom(_range_pb_cached(st.range))
            _fill(ev.value, data[0] if data else None)
        else:
            return None, -1
        return ev, n


def _check_program(program: str) -> None:
    if not program.strip():
        raise InvalidInput("program is empty")
    size = len(program.encode("utf-8", "surrogatepass"))
    if size > MAX_SOURCE_BYTES:
        raise InvalidInput(f"program is {size} bytes; the limit is {MAX_SOURCE_BYTES}")
    if "\x00" in program:
        raise InvalidInput("program contains a NUL character")


def _check_test(t) -> str:
    if not t.code.strip():
        raise InvalidInput(f"test case {t.id!r} is empty")
    if len(t.code.encode("utf-8", "surrogatepass")) > MAX_SOURCE_BYTES:
        raise InvalidInput(f"test case {t.id!r} is too large")
    return t.code
