"""The runtime conformance suite: language-neutral checks of any egca.v1.Tracer.

    python -m egca_kit.conformance --suite runtimes/<lang>/conformance/suite.json --address HOST:PORT
    egca runtimes conformance --language L [--address HOST:PORT]     (the engine's CLI; starts the local runtime)

A language supplies a suite file (JSON) with its own small programs; this module
checks semantics, not bytes: a step with the binding it changed, call and return
values, a branch outcome and a loop, an exception and a compile error located on
the expected line, a timeout that says where it was stuck, the output, event and
memory caps, INVALID_ARGUMENT for bad requests, determinism (the same program
traced twice gives the same events; seeded randomness), a language-coverage
corpus (one program per construct: it runs, traces, and a seeded bug in it fails)
and the hostile and reward-hacking corpora (never a PASS where the answer is wrong).
The suite file's format is documented in docs/RUNTIMES.md.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import grpc

from egca_kit import protocol
from egca_kit.server import CHANNEL_OPTIONS
from egca_kit.v1 import tracer_pb2, tracer_pb2_grpc

T = tracer_pb2
EV = tracer_pb2.TraceEvent
CALL_TIMEOUT_S = 120.0


@dataclass
class Check:
    name: str
    ok: bool
    detail: str = ""


class Tracer:
    """A thin client of one Tracer address."""

    def __init__(self, address: str):
        self.channel = grpc.insecure_channel(address, options=CHANNEL_OPTIONS)
        self.stub = tracer_pb2_grpc.TracerStub(self.channel)
        self.traces_failures = False     # whether its Run traces a failing test (seen in check_exception)

    def run(self, program: str, tests: list[str] | list[dict], limits: dict | None = None,
            entry_points: list[str] = (), trace_failure: bool = False) -> T.RunResponse:
        cases = [T.TestCase(id=str(i), code=t) if isinstance(t, str) else T.TestCase(id=str(t.get("id", i)), code=t["code"])
                 for i, t in enumerate(tests)]
        return self.stub.Run(T.RunRequest(program=program, tests=cases, limits=T.Limits(**(limits or {})),
                                          entry_points=list(entry_points), trace_failure=trace_failure),
                             timeout=CALL_TIMEOUT_S)

    def trace(self, program: str, test: str, limits: dict | None = None) -> list[T.TraceEvent]:
        req = T.TraceRequest(program=program, test=T.TestCase(id="0", code=test), limits=T.Limits(**(limits or {})))
        return [e for chunk in self.stub.Trace(req, timeout=CALL_TIMEOUT_S) for e in chunk.events]

    def close(self) -> None:
        self.channel.close()


# ---------------------------------------------------------------- helpers

def _plain(v) -> object:
    """A wire Value -> comparable Python data (ints as ints, lists as lists)."""
    k = v.WhichOneof("kind")
    if k == "int_value":
        return int(v.int_value)
    if k == "list_value":
        return [_plain(x) for x in v.list_value.items]
    if k == "map_value":
        return {json.dumps(_plain(e.key)): _plain(e.value) for e in v.map_value.entries}
    if k == "object_value":
        return {f.name: _plain(f.value) for f in v.object_value.fields}
    if k == "null_value":
        return None
    return getattr(v, k) if k else None


def _end(events):
    return events[-1] if events and events[-1].kind == EV.END else None


def _status(resp) -> list[str]:
    return [T.TestStatus.Name(r.status) for r in resp.results]


def _events_key(events) -> list:
    return [(e.kind, e.range.start_byte, e.range.end_byte, e.function, e.depth, e.taken,
             [(b.name, b.value.SerializeToString(deterministic=True)) for b in e.bindings],
             e.value.SerializeToString(deterministic=True), e.status) for e in events]


# ---------------------------------------------------------------- checks

def check_step(t: Tracer, c: dict) -> Check:
    ev = t.trace(c["program"], c["test"])
    want = c["binding"]
    hits = [e for e in ev if e.kind == EV.STEP and e.range.start_line == c.get("line", e.range.start_line)
            and any(b.name == want["name"] and _plain(b.value) == want["value"] for b in e.bindings)]
    return Check("step with the binding it changed", bool(hits), "" if hits else f"no STEP binding {want} in {len(ev)} events")


def check_call_return(t: Tracer, c: dict) -> Check:
    ev = t.trace(c["program"], c["test"])
    calls = [e for e in ev if e.kind == EV.CALL and e.function == c["function"]]
    rets = [e for e in ev if e.kind == EV.RETURN and e.function == c["function"]]
    args_ok = bool(calls) and [_plain(b.value) for b in calls[0].bindings] == c["args"]
    ret_ok = bool(rets) and _plain(rets[0].value) == c["returns"]
    return Check("call arguments and return value", args_ok and ret_ok,
                 "" if args_ok and ret_ok else f"calls {[[_plain(b.value) for b in e.bindings] for e in calls[:2]]} "
                                                f"returns {[_plain(e.value) for e in rets[:2]]}")


def check_branch(t: Tracer, c: dict) -> Check:
    ev = t.trace(c["program"], c["test"])
    outcomes = [e.taken for e in ev if e.kind == EV.BRANCH and e.range.start_line == c["line"]]
    ok = outcomes[:len(c["taken"])] == c["taken"]
    return Check(c.get("what", "branch outcome"), ok, "" if ok else f"outcomes on line {c['line']}: {outcomes[:10]}")


def _failure_trace(resp: T.RunResponse) -> list[T.TraceEvent]:
    """RunResponse.failure_trace as typed events, END last."""
    trace = resp.failure_trace.trace
    msgs = [protocol.parse(line) for line in trace.lines]
    return protocol.typed_events(msgs, json.loads(trace.ranges_json or "[]")) + list(trace.events)


def check_exception(t: Tracer, c: dict) -> Check:
    """Located by Run, traced by Trace; and a runtime that traces the failing test inside its
    Run (RunRequest.trace_failure) keeps the verdicts and sends what Trace streams."""
    resp = t.run(c["program"], [c["test"]])
    r = resp.results[0]
    ok = r.status == T.ERROR and r.error.has_location and r.error.location.start_line == c["line"]
    ev = t.trace(c["program"], c["test"])
    end = _end(ev)
    ok_trace = end is not None and end.status == T.ERROR and any(e.kind == EV.EXCEPTION for e in ev)
    fused = t.run(c["program"], [c["test"]], trace_failure=True)
    t.traces_failures = fused.HasField("failure_trace")
    ok_fused = _status(fused) == _status(resp) and (not fused.HasField("failure_trace") or (
        fused.failure_trace.test_id == "0" and _events_key(_failure_trace(fused)) == _events_key(ev)))
    return Check("exception located (Run) and traced (Trace, and inside Run where the runtime does)",
                 ok and ok_trace and ok_fused,
                 ("traced inside Run as Trace traces it" if t.traces_failures else "")
                 if ok and ok_trace and ok_fused else f"run {_status(resp)} at line {r.error.location.start_line}; "
                                                         f"trace end {end and T.TestStatus.Name(end.status)}; "
                                                         f"trace inside Run as Trace's: {ok_fused}")


def check_compile_error(t: Tracer, c: dict) -> Check:
    resp = t.run(c["program"], [c["test"]])
    ok = resp.status == T.COMPILE_ERROR and resp.compile_error.has_location and \
        resp.compile_error.location.start_line == c["line"]
    return Check("compile error located", ok, "" if ok else
                 f"{T.RunStatus.Name(resp.status)} line {resp.compile_error.location.start_line}: {resp.compile_error.message}")


def check_timeout(t: Tracer, c: dict) -> Check:
    resp = t.run(c["program"], [c["test"], c["test"]], {"timeout_s": 2.0})
    r = resp.results[0]
    ok = r.status == T.TIMEOUT and resp.results[1].status == T.NOT_RUN and \
        (not c.get("located", True) or (r.error.has_location and r.error.location.start_line in c["lines"]))
    return Check("timeout says where it was stuck", ok,
                 "" if ok else f"{_status(resp)} at line {r.error.location.start_line} ({r.error.message})")


def check_output_cap(t: Tracer, c: dict) -> Check:
    resp = t.run(c["program"], [c["test"]], {"max_output_bytes": 4096})
    ok = resp.output_truncated and len(resp.output.encode()) <= 4096 + 16
    return Check("output cap", ok, "" if ok else f"truncated={resp.output_truncated} kept {len(resp.output)} chars")


def check_event_cap(t: Tracer, c: dict) -> Check:
    ev = t.trace(c["program"], c["test"], {"max_events": 100})
    end = _end(ev)
    ok = end is not None and end.truncated and len(ev) <= 101 + 1
    return Check("event cap with its truncation flag", ok, "" if ok else f"{len(ev)} events, END {end}")


def check_memory_cap(t: Tracer, c: dict) -> Check:
    resp = t.run(c["program"], [c["test"]], {"memory_bytes": 256 << 20, "timeout_s": 10})
    ok = resp.results[0].status in (T.ERROR, T.FAIL, T.TIMEOUT) and resp.status != T.COMPILE_ERROR
    return Check("memory cap", ok, "" if ok else f"{_status(resp)} {resp.results[0].error.message}")


def check_invalid(t: Tracer, c: dict) -> Check:
    bad = [("", [c["test"]]), (c["program"], []), (c["program"], [" "]), ("x" * ((1 << 20) + 10), [c["test"]])]
    wrong = []
    for program, tests in bad:
        try:
            t.run(program, tests)
            wrong.append("accepted")
        except grpc.RpcError as e:
            if e.code() != grpc.StatusCode.INVALID_ARGUMENT:
                wrong.append(e.code().name)
    return Check("INVALID_ARGUMENT for bad requests", not wrong, ", ".join(wrong))


def check_determinism(t: Tracer, c: dict) -> Check:
    a = t.trace(c["program"], c["test"])
    b = t.trace(c["program"], c["test"])
    same_trace = _events_key(a) == _events_key(b)
    r1 = t.run(c["program"], [c["test"]])
    r2 = t.run(c["program"], [c["test"]])
    same_run = _status(r1) == _status(r2) == ["PASS"]
    return Check("determinism: seeded randomness, the same trace twice", same_trace and same_run,
                 "" if same_trace and same_run else f"traces equal: {same_trace}; runs {_status(r1)} {_status(r2)}")


def check_coverage(t: Tracer, c: dict) -> Check:
    """One construct: runs and passes, traces to a PASS END, and a seeded bug in it fails a test."""
    name = f"coverage: {c['name']}"
    resp = t.run(c["program"], c["tests"], entry_points=c.get("entry_points", []))
    if _status(resp) != ["PASS"] * len(c["tests"]):
        return Check(name, False, f"program: {_status(resp)} {[r.error.message for r in resp.results if r.error.message][:1]}")
    test = c["tests"][0] if isinstance(c["tests"][0], str) else c["tests"][0]["code"]
    end = _end(t.trace(c["program"], test))
    if end is None or end.status != T.PASS:
        return Check(name, False, f"trace END {end and T.TestStatus.Name(end.status)}: {end and end.message}")
    bug = t.run(c["mutant"], c["tests"], entry_points=c.get("entry_points", []))
    if all(s == "PASS" for s in _status(bug)):
        return Check(name, False, "the seeded bug passes every test")
    return Check(name, True)


def check_never_passes(t: Tracer, c: dict, kind: str) -> Check:
    """A hostile or reward-hacking program: no PASS on a test whose answer it gets wrong,
    and never every test, and nothing escapes (the run ends within its limits)."""
    limits = {"timeout_s": float(c.get("timeout_s", 5))}
    statuses = _status(t.run(c["program"], c["tests"], limits, c.get("entry_points", [])))
    ok = bool(statuses) and not all(s == "PASS" for s in statuses)
    # Asked to trace its failure too, the run reaches the same verdicts (what a candidate
    # writes in its trace is never one); a runtime that does not trace inside Run ignores it.
    traced = _status(t.run(c["program"], c["tests"], limits, c.get("entry_points", []), trace_failure=True)) \
        if t.traces_failures else statuses
    ok_traced = [s == "PASS" for s in traced] == [s == "PASS" for s in statuses]
    return Check(f"{kind}: {c['name']}", ok and ok_traced,
                 "" if ok and ok_traced else f"every test passed: {statuses}" if not ok else
                 f"verdicts differ when the run also traces its failure: {statuses} vs {traced}")


CHECKS: dict[str, Callable[[Tracer, dict], Check]] = {
    "step": check_step, "call_return": check_call_return, "branch": check_branch, "loop": check_branch,
    "exception": check_exception, "compile_error": check_compile_error, "timeout": check_timeout,
    "output_cap": check_output_cap, "event_cap": check_event_cap, "memory_cap": check_memory_cap,
    "invalid": check_invalid, "determinism": check_determinism,
}


def load_suite(path: str | Path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def run_suite(address: str, suite: dict, on_check: Callable[[Check], None] | None = None) -> list[Check]:
    """Every check of `suite` against the Tracer at `address`; a failing call is a failed check."""
    t = Tracer(address)
    results = []
    try:
        for item in _items(suite):
            name, fn, case = item
            try:
                check = fn(t, case)
            except grpc.RpcError as e:
                check = Check(name, False, f"{e.code().name}: {e.details()}")
            results.append(check)
            if on_check:
                on_check(check)
    finally:
        t.close()
    return results


def _items(suite: dict) -> Iterator[tuple[str, Callable, dict]]:
    for key, fn in CHECKS.items():
        if key in suite:
            yield key, fn, suite[key]
    for case in suite.get("coverage", []):
        yield f"coverage: {case['name']}", check_coverage, case
    for kind in ("hostile", "hacks"):
        for case in suite.get(kind, []):
            yield f"{kind}: {case['name']}", (lambda t, c, k=kind: check_never_passes(t, c, k)), case
