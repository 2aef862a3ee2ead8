"""The egca.v1.Tracer servicer for Python: validation, the sandboxed child, wire messages.

Untrusted code never runs here: each Run/Trace starts `child.py` in a fresh
sandbox (egca.sandbox) and turns the JSON lines it reports on fd 3 into
protobuf messages (the line protocol is described in child.py).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import platform
import queue
import signal
import sys
import threading
from pathlib import Path

import grpc

from egca import sandbox
from egca.rpc import TRACE_CHUNK_EVENTS
from egca.v1 import tracer_pb2, tracer_pb2_grpc, values_pb2

from egca_runtime_python import __version__

log = logging.getLogger(__name__)

MAX_PROGRAM_BYTES = 1 << 20
MAX_TESTS = 10_000
DEFAULT_MAX_EVENTS = 20_000
RECURSION_LIMIT = 3000
CHILD_SOURCE = (Path(__file__).parent / "child.py").read_text(encoding="utf-8")
RUNTIME_VERSION = f"{__version__}+{hashlib.sha256(CHILD_SOURCE.encode()).hexdigest()[:12]}"
DEFAULT_LIMITS = sandbox.SandboxLimits()

TS = tracer_pb2
KIND = {"S": TS.TraceEvent.STEP, "C": TS.TraceEvent.CALL, "R": TS.TraceEvent.RETURN,
        "E": TS.TraceEvent.EXCEPTION, "B": TS.TraceEvent.BRANCH}
STATUS = {"PASS": TS.PASS, "FAIL": TS.FAIL, "ERROR": TS.ERROR, "TIMEOUT": TS.TIMEOUT}


class InvalidRequest(Exception):
    pass


def child_argv() -> tuple[list[str], list[str]]:
    """The child's command line and the host paths it needs inside the sandbox.

    -I -S: no site-packages, no PYTHON* variables: the child needs only the stdlib,
    so only the interpreter's own prefix is mounted."""
    exe = os.path.realpath(sys.executable)
    return [exe, "-I", "-S", "-X", "utf8", "-c", CHILD_SOURCE], [sys.base_prefix]


# ---------------------------------------------------------------- values

def value_pb(j, out: values_pb2.Value | None = None) -> values_pb2.Value:
    """The child's compact JSON value -> egca.v1.Value."""
    v = out if out is not None else values_pb2.Value()
    if j is None:
        v.null_value = True
    elif j is True or j is False:
        v.bool_value = j
    elif isinstance(j, int):
        v.int_value = str(j)
    elif isinstance(j, float):
        v.float_value = j
    elif isinstance(j, str):
        v.str_value = j
    else:
        tag = j[0]
        if tag == "i":
            v.int_value = j[1]
        elif tag == "f":
            v.float_value = float(j[1])
        elif tag == "s":
            v.str_value = j[1]
            v.truncated = True
        elif tag == "b":
            v.bytes_value = bytes.fromhex(j[1])
            v.truncated = len(v.bytes_value) < j[2]
        elif tag == "l":
            v.list_value.type_name = j[1]
            v.list_value.length = j[2]
            for item in j[3]:
                value_pb(item, v.list_value.items.add())
            v.truncated = len(j[3]) < j[2]
        elif tag == "m":
            v.map_value.type_name = j[1]
            v.map_value.length = j[2]
            for k, x in j[3]:
                e = v.map_value.entries.add()
                value_pb(k, e.key)
                value_pb(x, e.value)
            v.truncated = len(j[3]) < j[2]
        elif tag == "o":
            v.object_value.type_name = j[1]
            for name, x in j[2]:
                f = v.object_value.fields.add()
                f.name = name
                value_pb(x, f.value)
        else:
            v.opaque = j[1]
    return v


def range_pb(r, out) -> None:
    out.start_byte, out.end_byte, out.start_line, out.end_line, out.start_col, out.end_col = r


def diagnostic(out: tracer_pb2.Diagnostic, kind: str, message: str, loc=None) -> None:
    out.kind = kind
    out.message = message
    if loc:
        out.has_location = True
        range_pb(loc, out.location)


def signal_name(sig: int) -> str:
    try:
        return signal.Signals(sig).name
    except ValueError:
        return f"signal {sig}"


SIGNAL_HINTS = {"SIGXCPU": "CPU time limit", "SIGXFSZ": "file size limit", "SIGKILL": "killed",
                "SIGSEGV": "segmentation fault"}


# ---------------------------------------------------------------- the child's report

class Report:
    """Collects the child's lines; after the run says what happened to each test."""

    def __init__(self, n_tests: int):
        self.n = n_tests
        self.ready = False
        self.results: dict[int, dict] = {}
        self.running: int | None = None
        self.loading = False
        self.done = False
        self.compile_error: dict | None = None
        self.bad_test: str | None = None
        self.internal: str | None = None
        self.ranges: list = []
        self.exited = False

    def take(self, msg) -> bool:
        """Consume a control message (dict); False for a trace event (list)."""
        if not isinstance(msg, dict):
            return False
        t = msg.get("t")
        if t == "ready":
            self.ready = True
        elif t == "ranges":
            self.ranges = msg["ranges"]
        elif t == "program":
            self.loading = True
        elif t == "start":
            self.loading = False
            self.running = msg["i"]
        elif t == "result":
            self.results[msg["i"]] = msg
            self.loading = False
            self.running = None
            self.exited = self.exited or bool(msg.get("exited"))
        elif t == "compile_error":
            self.compile_error = msg
        elif t == "bad_test":
            self.bad_test = msg["msg"]
        elif t == "internal":
            self.internal = msg["msg"]
        elif t == "done":
            self.done = True
        return True

    def check_infrastructure(self, res: sandbox.SandboxResult) -> None:
        if self.bad_test:
            raise InvalidRequest(self.bad_test)
        if self.internal:
            raise sandbox.SandboxError(f"python runtime child failed: {self.internal}")
        if not self.ready:
            why = res.stderr.decode(errors="replace").strip()[-500:]
            state = "timed out" if res.timed_out else f"exit {res.returncode} signal {res.signal}"
            raise sandbox.SandboxError(f"python runtime child did not start ({state}): {why}")

    def unfinished(self, res: sandbox.SandboxResult, limits: sandbox.SandboxLimits) -> tuple[int, int, str, str]:
        """(index of the test that was running, TestStatus, kind, message) when the run ended early."""
        if self.exited or any(r["s"] == "TIMEOUT" for r in self.results.values()):
            return -1, TS.NOT_RUN, "", ""   # sys.exit or the soft deadline: that test is reported, the rest NOT_RUN
        idx = self.running if self.running is not None else (0 if self.loading or not self.results else None)
        if idx is None:
            idx = max(self.results) + 1 if self.results else 0
        if res.timed_out:
            return idx, TS.TIMEOUT, "Timeout", f"wall clock limit of {limits.timeout_s:g}s exceeded"
        if res.signal is not None:
            name = signal_name(res.signal)
            hint = SIGNAL_HINTS.get(name)
            return idx, TS.ERROR, name, f"killed by {name}" + (f" ({hint})" if hint else "")
        return idx, TS.ERROR, "Exit", f"program exited with status {res.returncode}"


def job(mode: str, program: str, tests, max_events: int = 0, timeout_s: float = 0.0) -> bytes:
    # The child's own timer fires a little before the sandbox's hard limit, to report where it was.
    deadline = max(0.2, timeout_s - max(0.5, 0.1 * timeout_s)) if timeout_s else 0.0
    return json.dumps({"mode": mode, "program": program, "tests": [{"id": t.id, "code": t.code} for t in tests],
                       "max_events": max_events or DEFAULT_MAX_EVENTS, "recursion_limit": RECURSION_LIMIT,
                       "deadline_s": deadline}).encode()


def validate(program: str, tests) -> None:
    if not program.strip():
        raise InvalidRequest("program is empty")
    if len(program.encode("utf-8")) > MAX_PROGRAM_BYTES:
        raise InvalidRequest(f"program is larger than {MAX_PROGRAM_BYTES} bytes")
    if not tests:
        raise InvalidRequest("no test cases given")
    if len(tests) > MAX_TESTS:
        raise InvalidRequest(f"more than {MAX_TESTS} test cases")
    for t in tests:
        if not t.code.strip():
            raise InvalidRequest(f"test case {t.id!r} has no code")
        if len(t.code.encode("utf-8")) > MAX_PROGRAM_BYTES:
            raise InvalidRequest(f"test case {t.id!r} is larger than {MAX_PROGRAM_BYTES} bytes")


def _parse(line: bytes):
    try:
        return json.loads(line)
    except ValueError:
        return None   # a line the child did not finish (killed mid-write)


# ---------------------------------------------------------------- the service

class PythonTracer(tracer_pb2_grpc.TracerServicer):

    def Info(self, request, context):
        resp = TS.InfoResponse(language="python", runtime_version=RUNTIME_VERSION,
                               language_version=f"{platform.python_implementation()} {platform.python_version()}")
        resp.isolation.extend(sandbox.isolation())
        DEFAULT_LIMITS.to_proto(resp.default_limits)
        resp.default_limits.max_events = DEFAULT_MAX_EVENTS
        return resp

    def Run(self, request, context):
        try:
            validate(request.program, request.tests)
            return self._run(request)
        except InvalidRequest as e:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, str(e))
        except sandbox.SandboxError as e:
            log.error("Run: %s", e)
            context.abort(grpc.StatusCode.UNAVAILABLE, str(e))

    def _run(self, request) -> tracer_pb2.RunResponse:
        limits = sandbox.SandboxLimits.from_proto(request.limits)
        report = Report(len(request.tests))
        argv, binds = child_argv()

        def on_line(line: bytes) -> None:
            msg = _parse(line)
            if msg is not None:
                report.take(msg)

        res = sandbox.run_sandboxed(argv, stdin=job("run", request.program, request.tests, timeout_s=limits.timeout_s),
                                    limits=limits,
                                    ro_binds=binds, on_channel_line=on_line)
        report.check_infrastructure(res)
        resp = TS.RunResponse(wall_s=res.wall_s, output_truncated=res.output_truncated,
                              output=(res.stdout + res.stderr).decode("utf-8", errors="replace"))
        if report.compile_error:
            ce = report.compile_error
            resp.status = TS.COMPILE_ERROR
            diagnostic(resp.compile_error, ce["kind"], ce["msg"], ce.get("loc"))
            for t in request.tests:
                resp.results.add(id=t.id, status=TS.NOT_RUN)
            return resp
        stop = None
        if not report.done:
            stop = report.unfinished(res, limits)
        for i, t in enumerate(request.tests):
            r = resp.results.add(id=t.id)
            got = report.results.get(i)
            if got is not None:
                r.status = STATUS[got["s"]]
                r.wall_s = got.get("wall", 0.0)
                if got["s"] != "PASS":
                    diagnostic(r.error, got["kind"], got["msg"], got.get("loc"))
            elif stop is not None and i == stop[0]:
                r.status = stop[1]
                diagnostic(r.error, stop[2], stop[3])
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
        return resp

    def Trace(self, request, context):
        try:
            validate(request.program, [request.test] if request.HasField("test") else [])
        except InvalidRequest as e:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, str(e))
        limits = sandbox.SandboxLimits.from_proto(request.limits)
        max_events = request.limits.max_events or DEFAULT_MAX_EVENTS
        lines: queue.Queue = queue.Queue(maxsize=4096)
        cancelled = threading.Event()
        context.add_callback(cancelled.set)
        outcome: dict = {}
        argv, binds = child_argv()

        def on_line(line: bytes) -> None:
            if cancelled.is_set():
                raise ConnectionAbortedError("client went away")   # makes the sandbox kill the child
            while True:
                try:
                    lines.put(line, timeout=0.5)
                    return
                except queue.Full:
                    if cancelled.is_set():
                        raise ConnectionAbortedError("client went away")

        def work() -> None:
            try:
                outcome["res"] = sandbox.run_sandboxed(
                    argv, stdin=job("trace", request.program, [request.test], max_events, limits.timeout_s), limits=limits,
                    ro_binds=binds, on_channel_line=on_line)
            except BaseException as e:  # noqa: B036 - handed to the RPC thread
                outcome["error"] = e
            finally:
                lines.put(None)

        threading.Thread(target=work, name="trace-sandbox", daemon=True).start()
        report = Report(1)
        frames: dict[int, str] = {}
        seq = 0
        server_truncated = False
        chunk = TS.TraceEvents()
        while True:
            try:
                line = lines.get_nowait()
            except queue.Empty:
                if chunk.events:          # nothing more ready: send what we have, keep the stream live
                    yield chunk
                    chunk = TS.TraceEvents()
                line = lines.get()
            if line is None:
                break
            msg = _parse(line)
            if msg is None or report.take(msg):
                continue
            if seq >= max_events:
                server_truncated = True
                continue
            ev = chunk.events.add()
            self._event(msg, report.ranges, frames, ev)
            ev.seq = seq
            seq += 1
            if len(chunk.events) >= TRACE_CHUNK_EVENTS:
                yield chunk
                chunk = TS.TraceEvents()
        err = outcome.get("error")
        if isinstance(err, sandbox.SandboxError):
            log.error("Trace: %s", err)
            context.abort(grpc.StatusCode.UNAVAILABLE, str(err))
        if err is not None:
            if cancelled.is_set():
                return
            log.exception("Trace failed", exc_info=err)
            context.abort(grpc.StatusCode.INTERNAL, f"{type(err).__name__}: {err}")
        res = outcome["res"]
        try:
            report.check_infrastructure(res)
        except InvalidRequest as e:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, str(e))
        except sandbox.SandboxError as e:
            context.abort(grpc.StatusCode.UNAVAILABLE, str(e))
        end = chunk.events.add(kind=TS.TraceEvent.END, seq=seq)
        got = report.results.get(0)
        if report.compile_error:
            end.status = TS.ERROR
            end.message = report.compile_error["msg"]
            if report.compile_error.get("loc"):
                range_pb(report.compile_error["loc"], end.range)
        elif got is not None:
            end.status = STATUS[got["s"]]
            end.message = got.get("msg", "")
            if got.get("loc"):
                range_pb(got["loc"], end.range)
            end.truncated = bool(got.get("truncated")) or server_truncated
        else:
            _, status, kind, message = report.unfinished(res, limits)
            end.status = status
            end.message = message if kind in message else f"{kind}: {message}"
            end.truncated = server_truncated
        yield chunk

    @staticmethod
    def _event(msg: list, ranges: list, frames: dict[int, str],
               ev: tracer_pb2.TraceEvent | None = None) -> tracer_pb2.TraceEvent:
        """Fill `ev` (or a new event) from one child event line."""
        kind = msg[0]
        ev = ev if ev is not None else TS.TraceEvent()
        ev.kind, ev.frame, ev.depth = KIND[kind], msg[2], msg[3]
        if msg[1] is not None:
            range_pb(ranges[msg[1]], ev.range)
        if kind == "C":
            frames[msg[2]] = msg[4]
            for name, val in msg[5]:
                value_pb(val, ev.bindings.add(name=name).value)
        elif kind == "S":
            for name, val in msg[4]:
                value_pb(val, ev.bindings.add(name=name).value)
        elif kind == "R":
            value_pb(msg[4], ev.value)
        elif kind == "E":
            ev.message = msg[4]
        elif kind == "B":
            ev.taken = msg[4]
            ev.branch_kind = msg[5]
        ev.function = frames.get(msg[2], "")
        return ev
