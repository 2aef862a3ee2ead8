"""The child line protocol: what every runtime's sandboxed processes write on fd 3,
and its one decoder. Specified in docs/RUNTIMES.md; in short:

Each line is one JSON value. Objects are control messages (`"t"` says which):

    {"t": "ready"}                            the child/harness is up
    {"t": "ranges", "ranges": [[sb, eb, sl, el, sc, ec], ...]}   statement table
    {"t": "program"}                          the program is being loaded
    {"t": "start", "i": n}                    test n starts
    {"t": "result", "i": n, "s": "PASS"|"FAIL"|"ERROR"|"TIMEOUT", "kind": str,
     "msg": str, "loc": RANGE, "wall": seconds, "truncated": bool, "exited": bool}
    {"t": "compile_error", "kind": str, "msg": str, "loc": RANGE}
    {"t": "bad_test", "msg": str}            a test case that cannot run (the caller's fault)
    {"t": "internal", "msg": str}            the runtime's own machinery failed
    {"t": "done"}                             every test ran

Arrays are trace events: [KIND, RANGE, frame, depth, ...] with KIND one of
    "S" step:      [..., [[name, VALUE], ...]]      bindings the statement changed
    "C" call:      [..., function, [[name, VALUE], ...]]   arguments in order
    "R" return:    [..., VALUE]
    "X" exception: [..., message]
    "B" branch:    [..., taken, branch_kind]
RANGE is null, an index into the statement table (sent by the child as "ranges",
or supplied by the language from its own instrumentation), or an explicit
[sb, eb, sl, el, sc, ec] (bytes, 1-based lines, byte columns).

VALUE (compact, JSON): null, true/false, a JSON int (|n| < 2**53), a JSON float,
a JSON string, or a tagged array: ["i", "digits"] big int; ["f", "nan"|"inf"|"-inf"];
["s", prefix, length] cut string; ["b", hex, length] bytes; ["l", type, length,
[items]] list/tuple/set/array; ["m", type, length, [[k, v], ...]] map;
["o", type, [[field, v], ...]] object/struct; ["x", "text"] opaque.

In a Run, the result lines come from the trusted harness only (see
egca_kit.sandbox: the candidate process has no fd 3 to the server).
"""

from __future__ import annotations

import json
import signal

from egca_kit.v1 import tracer_pb2, values_pb2

TS = tracer_pb2
KIND = {"S": TS.TraceEvent.STEP, "C": TS.TraceEvent.CALL, "R": TS.TraceEvent.RETURN,
        "X": TS.TraceEvent.EXCEPTION, "B": TS.TraceEvent.BRANCH}
STATUS = {"PASS": TS.PASS, "FAIL": TS.FAIL, "ERROR": TS.ERROR, "TIMEOUT": TS.TIMEOUT}
SIGNAL_HINTS = {"SIGXCPU": "CPU time limit", "SIGXFSZ": "file size limit", "SIGKILL": "killed",
                "SIGSEGV": "segmentation fault"}


def parse(line: bytes):
    """One line -> its JSON value, or None for a line the child did not finish."""
    try:
        return json.loads(line)
    except ValueError:
        return None


# ---------------------------------------------------------------- values

def value_pb(j, out: values_pb2.Value | None = None) -> values_pb2.Value:
    """A compact JSON VALUE -> egca.v1.Value (filled in place: building and copying
    messages is what makes decoding long traces expensive)."""
    v = out if out is not None else values_pb2.Value()
    t = type(j)
    if t is int:
        v.int_value = str(j)
    elif t is str:
        v.str_value = j
    elif j is None:
        v.null_value = True
    elif t is bool:
        v.bool_value = j
    elif t is float:
        v.float_value = j
    elif t is list and j:
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
            lv = v.list_value
            lv.type_name = j[1]
            lv.length = j[2]
            add = lv.items.add
            for item in j[3]:
                it = type(item)
                if it is int:
                    add(int_value=str(item))
                elif it is str:
                    add(str_value=item)
                else:
                    value_pb(item, add())
            v.truncated = len(j[3]) < j[2]
        elif tag == "m":
            mv = v.map_value
            mv.type_name = j[1]
            mv.length = j[2]
            for k, x in j[3]:
                e = mv.entries.add()
                value_pb(k, e.key)
                value_pb(x, e.value)
            v.truncated = len(j[3]) < j[2]
        elif tag == "o":
            v.object_value.type_name = j[1]
            add = v.object_value.fields.add
            for name, x in j[2]:
                value_pb(x, add(name=name).value)
        else:
            v.opaque = str(j[1]) if len(j) > 1 else "<value>"
    else:
        v.opaque = "<value>"
    return v


# ---------------------------------------------------------------- ranges and diagnostics

def range_pb(r, out) -> None:
    """An explicit [sb, eb, sl, el, sc, ec] into a SourceRange."""
    out.start_byte, out.end_byte, out.start_line, out.end_line, out.start_col, out.end_col = r[:6]


def resolve(ref, ranges):
    """A RANGE (null, table index, or explicit list) -> explicit list or None."""
    if ref is None:
        return None
    if type(ref) is int:
        return ranges[ref] if 0 <= ref < len(ranges) else None
    return ref


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


# ---------------------------------------------------------------- events

class EventDecoder:
    """Trace event arrays -> TraceEvent messages, with the function of each frame
    (taken from its CALL) and ranges resolved against the statement table."""

    def __init__(self, ranges: list | None = None):
        self.ranges = ranges or []
        self.frames: dict[int, str] = {}
        self._pb_cache: dict = {}

    def fill(self, msg: list, ev: tracer_pb2.TraceEvent) -> None:
        kind = msg[0]
        ev.kind, ev.frame, ev.depth = KIND[kind], msg[2], msg[3]
        ref = msg[1]
        if ref is not None:
            r = self.ranges[ref] if type(ref) is int else ref
            rr = ev.range
            rr.start_byte, rr.end_byte, rr.start_line, rr.end_line, rr.start_col, rr.end_col = r[:6]
        if kind == "S":
            add = ev.bindings.add
            for name, val in msg[4]:
                value_pb(val, add(name=name).value)
        elif kind == "C":
            self.frames[msg[2]] = msg[4]
            add = ev.bindings.add
            for name, val in msg[5]:
                value_pb(val, add(name=name).value)
        elif kind == "R":
            value_pb(msg[4], ev.value)
        elif kind == "X":
            ev.message = msg[4]
        elif kind == "B":
            ev.taken = bool(msg[4])
            ev.branch_kind = msg[5]
        ev.function = self.frames.get(msg[2], "")


def typed_events(msgs, ranges: list | None) -> list[tracer_pb2.TraceEvent]:
    """Parsed compact event arrays (TraceEvents.lines) as typed TraceEvents numbered in order;
    a malformed one (a child killed mid-write) is dropped."""
    decoder = EventDecoder(ranges)
    out = []
    for msg in msgs:
        ev = TS.TraceEvent()
        try:
            decoder.fill(msg, ev)
        except (IndexError, KeyError, TypeError, ValueError):
            continue
        ev.seq = len(out)
        out.append(ev)
    return out


# ---------------------------------------------------------------- the report of a run

class Report:
    """Collects the control messages of one run; afterwards says what happened to each test."""

    def __init__(self, ranges: list | None = None):
        self.ready = False
        self.results: dict[int, dict] = {}
        self.running: int | None = None
        self.loading = False
        self.done = False
        self.compile_error: dict | None = None
        self.bad_test: str | None = None
        self.internal: str | None = None
        self.ranges: list = ranges or []
        self.exited = False

    def take(self, msg) -> bool:
        """Consume a control message (dict); False for anything else (a trace event)."""
        if type(msg) is not dict:
            return False
        t = msg.get("t")
        if t == "ready":
            self.ready = True
        elif t == "ranges":
            self.ranges = msg.get("ranges") or []
        elif t == "program":
            self.loading = True
        elif t == "start":
            self.loading = False
            self.running = msg.get("i")
        elif t == "result" and isinstance(msg.get("i"), int) and msg.get("s") in STATUS:
            self.results[msg["i"]] = msg
            self.loading = False
            self.running = None
            self.exited = self.exited or bool(msg.get("exited"))
        elif t == "compile_error":
            self.compile_error = msg
        elif t == "bad_test":
            self.bad_test = str(msg.get("msg", "bad test case"))
        elif t == "internal":
            self.internal = str(msg.get("msg", "internal error"))
        elif t == "done":
            self.done = True
        return True

    def loc(self, msg: dict):
        return resolve(msg.get("loc"), self.ranges)

    def unfinished(self, res, timeout_s: float) -> tuple[int, int, str, str]:
        """(index of the test that was running, TestStatus, kind, message) when the run ended early."""
        if self.exited or any(r["s"] == "TIMEOUT" for r in self.results.values()):
            return -1, TS.NOT_RUN, "", ""   # the test that ended it is reported, the rest NOT_RUN
        idx = self.running if self.running is not None else (0 if self.loading or not self.results else None)
        if idx is None:
            idx = max(self.results) + 1 if self.results else 0
        if res.timed_out:
            return idx, TS.TIMEOUT, "Timeout", f"wall clock limit of {timeout_s:g}s exceeded"
        if res.signal is not None:
            name = signal_name(res.signal)
            hint = SIGNAL_HINTS.get(name)
            return idx, TS.ERROR, name, f"killed by {name}" + (f" ({hint})" if hint else "")
        return idx, TS.ERROR, "Exit", f"program exited with status {res.returncode}"
