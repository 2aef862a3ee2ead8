"""Traces as the engine sees them: wire `TraceEvent`s turned into plain events
with canonical values, plus the per-function views alignment works on.

Two wire forms arrive here: typed `TraceEvent`s (any Tracer), or the compact form
(`TraceRequest.compact`): the child's own protocol lines, which `CompactEvents` holds
and `from_events` decodes in bulk (one JSON parse for the whole trace, ranges and values
decoded straight into canonical form, no protobuf message per event).

Language neutral by construction: everything here reads only the event model
of docs/EVENTS.md.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import gc
import json
import logging

from egca.core import Range
from egca.values import FLOAT_DIGITS, Tagged, canonical, canonical_float
from egca_kit.v1 import tracer_pb2

log = logging.getLogger(__name__)

_KINDS = {tracer_pb2.TraceEvent.STEP: "step", tracer_pb2.TraceEvent.CALL: "call",
          tracer_pb2.TraceEvent.RETURN: "return", tracer_pb2.TraceEvent.EXCEPTION: "exception",
          tracer_pb2.TraceEvent.BRANCH: "branch", tracer_pb2.TraceEvent.END: "end"}


@dataclass(frozen=True)
class Event:
    idx: int
    kind: str
    range: Range | None
    function: str
    frame: int
    depth: int
    bindings: tuple[tuple[str, Any], ...] = ()
    value: Any = None
    taken: bool = False
    message: str = ""
    branch_kind: str = ""


@dataclass(frozen=True)
class Write:
    """A binding that took a new value: at a STEP (statement) or a CALL (argument)."""

    event: int
    function: str
    name: str
    value: Any
    range: Range | None
    frame: int


@dataclass
class Trace:
    events: list[Event]
    status: int = tracer_pb2.TEST_STATUS_UNSPECIFIED
    truncated: bool = False
    end_message: str = ""
    # Derived views, per function (recursion and repeated calls are concatenated in time order).
    writes: dict[tuple[str, str], list[Write]] = field(default_factory=dict)
    branches: dict[tuple[str, int], list[Event]] = field(default_factory=dict)
    returns: dict[str, list[Event]] = field(default_factory=dict)
    params: dict[str, list[str]] = field(default_factory=dict)
    steps: dict[int, list[Event]] = field(default_factory=dict)   # frame -> STEP events

    @property
    def passed(self) -> bool:
        return self.status == tracer_pb2.PASS

    def functions(self) -> list[str]:
        seen = []
        for e in self.events:
            if e.kind == "call" and e.function not in seen:
                seen.append(e.function)
        return seen

    def history(self, function: str, name: str) -> list[Write]:
        """The values one variable took, in time order. A repeat within one frame is
        not a new value; every call's argument is (fib(1) called twice is two events)."""
        out: list[Write] = []
        for w in self.writes.get((function, name), []):
            prev = out[-1] if out else None
            if prev is None or prev.value != w.value or prev.frame != w.frame or self.events[w.event].kind == "call":
                out.append(w)
        return out


def build(events: list[Event], status: int = tracer_pb2.FAIL, truncated: bool = False,
          end_message: str = "") -> Trace:
    """A Trace of plain events (their `idx` must be their position), with its derived views:
    what `from_events` makes of a runtime's stream, for traces written by hand (tests)."""
    trace = Trace(events=list(events), status=status, truncated=truncated, end_message=end_message)
    _index(trace)
    return trace


def _range(pb: tracer_pb2.TraceEvent) -> Range | None:
    r = pb.range
    if r.end_byte == 0 and r.start_byte == 0 and r.start_line == 0:
        return None
    return Range(r.start_byte, r.end_byte, r.start_line, r.end_line)


def from_events(events) -> Trace:
    """A Trace from typed TraceEvents, or from `CompactEvents` (decoded in bulk)."""
    if isinstance(events, CompactEvents):
        return from_compact(events)
    out: list[Event] = []
    status, truncated, end_message = tracer_pb2.TEST_STATUS_UNSPECIFIED, False, ""
    for pb in events:
        kind = _KINDS.get(pb.kind)
        if kind is None:
            continue
        if kind == "end":
            status, truncated, end_message = pb.status, pb.truncated, pb.message
            continue
        out.append(Event(idx=len(out), kind=kind, range=_range(pb), function=pb.function, frame=pb.frame,
                         depth=pb.depth, bindings=tuple((b.name, canonical(b.value)) for b in pb.bindings),
                         value=canonical(pb.value) if pb.HasField("value") else None, taken=pb.taken,
                         message=pb.message, branch_kind=pb.branch_kind))
    trace = Trace(events=out, status=status, truncated=truncated, end_message=end_message)
    _index(trace)
    return trace


_new = object.__new__
_set = object.__setattr__


def _index(trace: Trace) -> None:
    writes: dict[tuple[str, str], list[Write]] = defaultdict(list)
    branches: dict[tuple[str, int], list[Event]] = defaultdict(list)
    returns: dict[str, list[Event]] = defaultdict(list)
    steps: dict[int, list[Event]] = defaultdict(list)
    for e in trace.events:
        if e.kind in ("step", "call"):
            for name, value in e.bindings:
                w = _new(Write)
                _set(w, "__dict__", {"event": e.idx, "function": e.function, "name": name, "value": value,
                                     "range": e.range, "frame": e.frame})
                writes[(e.function, name)].append(w)
            if e.kind == "call" and e.function not in trace.params:
                trace.params[e.function] = [n for n, _ in e.bindings]
            if e.kind == "step":
                steps[e.frame].append(e)
        elif e.kind == "branch" and e.range is not None:
            branches[(e.function, e.range.start_byte)].append(e)
        elif e.kind == "return":
            returns[e.function].append(e)
    trace.writes, trace.branches, trace.returns, trace.steps = dict(writes), dict(branches), dict(returns), dict(steps)


# ---------------------------------------------------------------- the compact form

class CompactEvents:
    """A trace as the runtime sent it in compact form: the child's event lines, the
    statement table and the typed END. `from_events` decodes it in bulk; indexing or
    iterating it yields typed `TraceEvent`s (built on demand), for code that wants those."""

    def __init__(self, lines: list[bytes], ranges: list, end: tracer_pb2.TraceEvent | None):
        self.lines, self.ranges, self.end = lines, ranges, end
        self._typed: list | None = None

    @classmethod
    def from_chunks(cls, chunks):
        """The stream of a compact Trace call. A runtime that ignores `compact` (it predates
        it) sends typed events: those are returned as they came, a list."""
        lines: list[bytes] = []
        typed: list = []
        ranges: list = []
        end = None
        for chunk in chunks:
            lines.extend(chunk.lines)
            if chunk.ranges_json:
                ranges = json.loads(chunk.ranges_json)
            for e in chunk.events:
                if e.kind == tracer_pb2.TraceEvent.END:
                    end = e
                typed.append(e)
        if not lines and len(typed) > (end is not None):
            return typed
        return cls(lines, ranges, end)

    def typed(self) -> list[tracer_pb2.TraceEvent]:
        if self._typed is None:
            from egca_kit import protocol
            out = protocol.typed_events(_parse_lines(self.lines), self.ranges)
            if self.end is not None:
                out.append(self.end)
            self._typed = out
        return self._typed

    def __len__(self) -> int:
        return len(self.typed())

    def __getitem__(self, i):
        return self.typed()[i]

    def __iter__(self):
        return iter(self.typed())

    def __reversed__(self):
        return reversed(self.typed())


def _parse_lines(lines: list[bytes]) -> list:
    """Every line's JSON value, in one parse; a malformed line (a child killed mid-write) is dropped."""
    if not lines:
        return []
    try:
        return json.loads(b"[" + b",".join(lines) + b"]")
    except ValueError:
        out = []
        for line in lines:
            try:
                out.append(json.loads(line))
            except ValueError:
                log.warning("malformed trace line dropped: %r", line[:200])
        return out


_COMPACT_KINDS = {"S": "step", "C": "call", "R": "return", "X": "exception", "B": "branch"}
_OPAQUE_VALUE = Tagged(("opaque", "<value>"))


_FLOAT_SPEC = f".{FLOAT_DIGITS}g"
_EXACT_INT_FLOAT = float(2 ** 53)


def _canonical_float(x: float):
    """canonical_float(x), the same value, its common cases first (no isnan/isinf calls,
    a format spec built once)."""
    if x.is_integer():                      # finite and whole
        if -_EXACT_INT_FLOAT < x < _EXACT_INT_FLOAT:
            return int(x)
    elif x - x != 0.0:                      # nan, +-inf
        return canonical_float(x)
    return float(format(x, _FLOAT_SPEC))


def canonical_json(j):
    """The canonical value of a compact VALUE: the same as canonical(protocol.value_pb(j))."""
    t = type(j)
    if t is int or t is str or j is None:
        return j
    if t is float:
        return _canonical_float(j)
    if t is bool:
        return Tagged(("bool", j))
    if t is not list or not j:
        return _OPAQUE_VALUE
    tag = j[0]
    if tag == "l":
        items = j[3]
        return Tagged(("list", tuple([i if type(i) is int or type(i) is str else canonical_json(i) for i in items]),
                       j[2] if len(items) < j[2] else -1))
    if tag == "s":
        return j[1]
    if tag == "i":
        try:
            return int(j[1])
        except ValueError:
            return Tagged(("opaque", j[1]))
    if tag == "f":
        return _canonical_float(float(j[1]))
    if tag == "m":
        return Tagged(("map", tuple(sorted([(canonical_json(k), canonical_json(x)) for k, x in j[3]], key=repr))))
    if tag == "o":
        return Tagged(("obj", j[1], tuple((name, canonical_json(x)) for name, x in j[2])))
    if tag == "b":
        return Tagged(("bytes", bytes.fromhex(j[1])))
    return Tagged(("opaque", str(j[1]) if len(j) > 1 else "<value>"))


def _range_of(table: list, ref) -> Range | None:
    """The Range of a compact RANGE: an index into the statement table, or inline [sb, eb, sl, el]."""
    if ref is None:
        return None
    r = table[ref] if type(ref) is int else ref
    return None if (r[0] == 0 and r[1] == 0 and r[2] == 0) else Range(r[0], r[1], r[2], r[3])


_MISSING = object()
_STEP, _CALL, _RETURN, _BRANCH = (_COMPACT_KINDS[k] for k in "SCRB")


def _decode(msgs, table: list) -> list[tuple]:
    """Each message as (kind, range, frame, depth, a, b): a step's (bindings, None), a call's
    (bindings, function), a return's (value, None), an exception's (message, None), a branch's
    (taken, branch_kind). A malformed message is (None, msg, None, None, None, b): b is
    (frame, function) for a call whose frame was named before the rest failed (as the
    runtime's own decoding would have named it), else None. Values are canonical;
    `from_compact` makes the events. A message is malformed exactly when the former
    per-event decoding dropped it (the same parts read, the same exceptions caught)."""
    try:
        by_index = [_MISSING] * len(table)      # statement-table index -> Range | None, filled on use
    except TypeError:
        by_index = []
    by_inline: dict = {}                        # inline range, as a tuple -> Range | None
    canon, cfloat, kinds, missing = canonical_json, _canonical_float, _COMPACT_KINDS, _MISSING
    STEP, CALL, RETURN, BRANCH = _STEP, _CALL, _RETURN, _BRANCH
    out: list[tuple] = []
    append = out.append
    for msg in msgs:
        callee = missing
        try:
            kind = kinds[msg[0]]
            ref = msg[1]
            if type(ref) is int:
                rg = by_index[ref]
                if rg is missing:
                    rg = by_index[ref] = _range_of(table, ref)
            elif ref is None:
                rg = None
            else:
                key = tuple(ref)
                rg = by_inline.get(key, missing)
                if rg is missing:
                    rg = by_inline[key] = _range_of(table, ref)
            frame = msg[2]
            depth = msg[3]
            if type(frame) is not int:
                hash(frame)                     # the events' views key on it
            if kind is STEP:
                raw = msg[4]
            elif kind is BRANCH:
                append((kind, rg, frame, depth, bool(msg[4]), msg[5]))
                continue
            elif kind is CALL:
                callee = msg[4]
                raw = msg[5]
            elif kind is RETURN:
                v = msg[4]
                t = type(v)
                append((kind, rg, frame, depth,
                        v if t is int or t is str or v is None else cfloat(v) if t is float else canon(v), None))
                continue
            else:
                append((kind, rg, frame, depth, msg[4], None))
                continue
            n = len(raw) if type(raw) is list else -1
            if n == 1:
                name, v = raw[0]
                t = type(v)
                bindings = ((name, v if t is int or t is str or v is None else cfloat(v) if t is float else canon(v)),)
            elif n == 0:
                bindings = ()
            else:
                bindings = tuple([(name, v if type(v) is int or type(v) is str or v is None else canon(v))
                                  for name, v in raw])
            append((kind, rg, frame, depth, bindings, None if callee is missing else callee))
        except (IndexError, KeyError, TypeError, ValueError):
            append((None, msg, None, None, None, None if callee is missing else (frame, callee)))
    return out


def _protos(compact: CompactEvents) -> list | map:
    """Every line's `_decode`d message, in order. A line repeated (a loop that comes back to
    a statement in the same state, a branch taken again) is parsed and decoded once."""
    lines = compact.lines
    if not lines:
        return []
    try:
        unique = list(dict.fromkeys(lines))
        msgs = json.loads(b"[" + b",".join(unique) + b"]")
    except (TypeError, ValueError):
        msgs = None
    if msgs is None or len(msgs) != len(unique):
        # a malformed line (a child killed mid-write): line by line, as _parse_lines drops it
        return _decode(_parse_lines(lines), compact.ranges)
    return map(dict(zip(unique, _decode(msgs, compact.ranges))).__getitem__, lines)


def from_compact(compact: CompactEvents) -> Trace:
    """Decode the child's lines and index them in one pass (what `_index` does for `build`).

    Events and Writes are filled as shells (`_EventShell`) with plain attribute stores (an
    Event's in the order this decoding always filled its instance dict: `function` last),
    then given their class: no per-field frozen __setattr__, no dict built and swapped in.
    A malformed event is dropped before it reaches the views.

    The cyclic collector is paused meanwhile: the objects made here hold no cycles, and a
    trace of n events makes several n of them, each of which would otherwise be traversed
    again by every collection the allocations trigger, the whole heap's included."""
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        return _from_compact(compact)
    finally:
        if paused:
            gc.enable()


class _EventShell:
    """An Event's layout (a plain instance dict) without the frozen __setattr__: `from_compact`
    sets a shell's attributes with ordinary stores, then makes it an Event by assigning its
    __class__. Event and Write must stay plain dataclasses (no __slots__) for that."""


class _WriteShell:
    """A Write's, likewise."""


def _from_compact(compact: CompactEvents) -> Trace:
    frames: dict = {}
    fget = frames.get
    out: list[Event] = []
    append = out.append
    writes: dict[tuple[str, str], list[Write]] = {}
    wget = writes.get
    branches: dict[tuple[str, int], list[Event]] = {}
    returns: dict[str, list[Event]] = {}
    params: dict[str, list[str]] = {}
    steps: dict[int, list[Event]] = {}
    sget = steps.get
    EventT, WriteT, EShell, WShell = Event, Write, _EventShell, _WriteShell
    STEP, CALL, RETURN, BRANCH = _STEP, _CALL, _RETURN, _BRANCH
    idx = 0
    for kind, rg, frame, depth, a, b in _protos(compact):
        if kind is STEP or kind is CALL:
            if kind is CALL:
                frames[frame] = function = b
            else:
                function = fget(frame, "")
            e = EShell()
            e.idx = idx
            e.kind = kind
            e.range = rg
            e.frame = frame
            e.depth = depth
            e.bindings = a
            e.value = None
            e.taken = False
            e.message = ""
            e.branch_kind = ""
            e.function = function
            e.__class__ = EventT
            append(e)
            for name, v in a:
                w = WShell()
                w.event = idx
                w.function = function
                w.name = name
                w.value = v
                w.range = rg
                w.frame = frame
                w.__class__ = WriteT
                key = (function, name)
                lst = wget(key)
                if lst is None:
                    writes[key] = [w]
                else:
                    lst.append(w)
            if kind is STEP:
                lst = sget(frame)
                if lst is None:
                    steps[frame] = [e]
                else:
                    lst.append(e)
            elif function not in params:
                params[function] = [n for n, _ in a]
        elif kind is None:
            if b is not None:
                frames[b[0]] = b[1]
            log.warning("malformed trace event dropped: %r", rg)
            continue
        else:
            function = fget(frame, "")
            e = EShell()
            e.idx = idx
            e.kind = kind
            e.range = rg
            e.frame = frame
            e.depth = depth
            e.bindings = ()
            if kind is BRANCH:
                e.value = None
                e.taken = a
                e.message = ""
                e.branch_kind = b
                e.function = function
                e.__class__ = EventT
                append(e)
                if rg is not None:
                    key = (function, rg.start_byte)
                    lst = branches.get(key)
                    if lst is None:
                        branches[key] = [e]
                    else:
                        lst.append(e)
            elif kind is RETURN:
                e.value = a
                e.taken = False
                e.message = ""
                e.branch_kind = ""
                e.function = function
                e.__class__ = EventT
                append(e)
                lst = returns.get(function)
                if lst is None:
                    returns[function] = [e]
                else:
                    lst.append(e)
            else:
                e.value = None
                e.taken = False
                e.message = a
                e.branch_kind = ""
                e.function = function
                e.__class__ = EventT
                append(e)
        idx += 1
    end = compact.end
    trace = Trace(events=out, status=end.status if end is not None else tracer_pb2.TEST_STATUS_UNSPECIFIED,
                  truncated=end.truncated if end is not None else False,
                  end_message=end.message if end is not None else "")
    trace.writes, trace.branches, trace.returns, trace.params, trace.steps = writes, branches, returns, params, steps
    return trace
