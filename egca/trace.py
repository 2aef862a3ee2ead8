"""Traces as the engine sees them: wire `TraceEvent`s turned into plain events
with canonical values, plus the per-function views alignment works on.

Language neutral by construction: everything here reads only the event model
of docs/EVENTS.md.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from egca.core import Range
from egca.values import canonical
from egca_kit.v1 import tracer_pb2

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


def from_events(events: list[tracer_pb2.TraceEvent]) -> Trace:
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


def _index(trace: Trace) -> None:
    writes: dict[tuple[str, str], list[Write]] = defaultdict(list)
    branches: dict[tuple[str, int], list[Event]] = defaultdict(list)
    returns: dict[str, list[Event]] = defaultdict(list)
    steps: dict[int, list[Event]] = defaultdict(list)
    for e in trace.events:
        if e.kind in ("step", "call"):
            for name, value in e.bindings:
                writes[(e.function, name)].append(Write(e.idx, e.function, name, value, e.range, e.frame))
            if e.kind == "call" and e.function not in trace.params:
                trace.params[e.function] = [n for n, _ in e.bindings]
            if e.kind == "step":
                steps[e.frame].append(e)
        elif e.kind == "branch" and e.range is not None:
            branches[(e.function, e.range.start_byte)].append(e)
        elif e.kind == "return":
            returns[e.function].append(e)
    trace.writes, trace.branches, trace.returns, trace.steps = dict(writes), dict(branches), dict(returns), dict(steps)
