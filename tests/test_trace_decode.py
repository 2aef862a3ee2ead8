"""egca.trace.from_compact, the engine's bulk decoding of a runtime's compact trace lines:
the events written out by hand, the views `build` (the reference indexing) makes of them,
the typed decoding of the same lines, and malformed lines dropped as before."""

import copy
import dataclasses
import gc
import json
import math
import pickle

import pytest

from egca.core import Range
from egca.trace import CompactEvents, Event, Write, _canonical_float, build, from_compact, from_events
from egca.values import Tagged, canonical_float
from egca_kit.v1 import tracer_pb2 as T

TABLE = [[0, 10, 1, 1, 0, 10], [11, 20, 2, 2, 4, 13], [21, 30, 3, 3, 4, 13], [0, 0, 0, 0, 0, 0],
         [31, 40, 4, 5, 8, 2], [41, 45, 6, 6, 4, 8]]
R0, R1, R2, R4, R5 = (Range(*TABLE[i][:4]) for i in (0, 1, 2, 4, 5))
END = T.TraceEvent(kind=T.TraceEvent.END, status=T.FAIL, truncated=True, message="stopped")


def lines(*msgs) -> list[bytes]:
    return [json.dumps(m, separators=(",", ":")).encode() for m in msgs]


def decode(msgs, end=END):
    return from_compact(CompactEvents(lines(*msgs) if msgs and not isinstance(msgs[0], bytes) else list(msgs),
                                      TABLE, end))


# A loop, a repeated line, a recursive call (another frame of the same function), every kind
# of event and the value forms the canonical decoding turns into something else.
MSGS = [
    ["C", 0, 1, 1, "walk", [["n", 3], ["xs", ["l", "list", 2, [1, 2.5]]]]],
    ["S", 1, 1, 1, [["s", 0]]],
    ["S", 1, 1, 1, [["s", 0]]],
    ["B", 2, 1, 1, True, "for"],
    ["S", 4, 1, 1, [["s", 1.5], ["w", ["s", "ab", 2]]]],
    ["S", 5, 1, 1, []],
    ["B", 2, 1, 1, 1, "for"],
    ["S", 4, 1, 1, [["s", 3.0], ["w", "b"]]],
    ["C", 0, 2, 2, "walk", [["n", 0], ["xs", ["l", "list", 9, [None, ["i", "123456789012345678901"]]]]]],
    ["S", 1, 2, 2, [["s", 0]]],
    ["B", 2, 2, 2, False, "for"],
    ["R", 3, 2, 2, 0],
    ["B", 2, 1, 1, False, "for"],
    ["C", 5, 3, 2, "helper", []],
    ["X", [50, 60, 6, 6, 0, 1], 3, 2, "ValueError: x"],
    ["R", None, 3, 2, None],
    ["S", 1, 1, 1, [["t", True], ["f", ["f", "nan"]], ["m", ["m", "dict", 1, [["k", 1.0]]]]]],
    ["R", 3, 1, 1, ["l", "tuple", 2, [3.0, "z"]]],
]

NAN = Tagged(("float", "nan"))
EXPECTED = [
    Event(0, "call", R0, "walk", 1, 1, (("n", 3), ("xs", Tagged(("list", (1, 2.5), -1))))),
    Event(1, "step", R1, "walk", 1, 1, (("s", 0),)),
    Event(2, "step", R1, "walk", 1, 1, (("s", 0),)),
    Event(3, "branch", R2, "walk", 1, 1, taken=True, branch_kind="for"),
    Event(4, "step", R4, "walk", 1, 1, (("s", 1.5), ("w", "ab"))),
    Event(5, "step", R5, "walk", 1, 1, ()),
    Event(6, "branch", R2, "walk", 1, 1, taken=True, branch_kind="for"),
    Event(7, "step", R4, "walk", 1, 1, (("s", 3), ("w", "b"))),
    Event(8, "call", R0, "walk", 2, 2, (("n", 0), ("xs", Tagged(("list", (None, 123456789012345678901), 9))))),
    Event(9, "step", R1, "walk", 2, 2, (("s", 0),)),
    Event(10, "branch", R2, "walk", 2, 2, taken=False, branch_kind="for"),
    Event(11, "return", None, "walk", 2, 2, value=0),
    Event(12, "branch", R2, "walk", 1, 1, taken=False, branch_kind="for"),
    Event(13, "call", R5, "helper", 3, 2, ()),
    Event(14, "exception", Range(50, 60, 6, 6), "helper", 3, 2, message="ValueError: x"),
    Event(15, "return", None, "helper", 3, 2, value=None),
    Event(16, "step", R1, "walk", 1, 1, (("t", Tagged(("bool", True))), ("f", NAN),
                                         ("m", Tagged(("map", ((("k"), 1),)))))),
    Event(17, "return", None, "walk", 1, 1, value=Tagged(("list", (3, "z"), -1))),
]


def views(trace):
    return trace.writes, trace.branches, trace.returns, trace.params, trace.steps


def test_events_are_the_ones_written_out():
    trace = decode(MSGS)
    assert trace.events == EXPECTED
    assert [type(e) for e in trace.events] == [Event] * len(EXPECTED)
    assert (trace.status, trace.truncated, trace.end_message) == (T.FAIL, True, "stopped")
    # their instance dicts too, in the order this decoding has always filled them (function last)
    assert [vars(e) for e in trace.events] == [vars(e) for e in EXPECTED]
    order = ["idx", "kind", "range", "frame", "depth", "bindings", "value", "taken", "message", "branch_kind", "function"]
    assert [list(vars(e)) for e in trace.events] == [order] * len(EXPECTED)


def test_views_are_those_build_makes_of_the_events():
    trace, ref = decode(MSGS), build(EXPECTED, status=T.FAIL, truncated=True, end_message="stopped")
    assert views(trace) == views(ref)
    for mine, theirs in zip(views(trace), views(ref)):
        assert list(mine) == list(theirs)                       # same keys in the same order
        assert type(mine) is dict and all(type(v) is list for v in mine.values())
    assert list(trace.writes) == [("walk", "n"), ("walk", "xs"), ("walk", "s"), ("walk", "w"), ("walk", "t"),
                                  ("walk", "f"), ("walk", "m")]
    assert trace.params == {"walk": ["n", "xs"], "helper": []}
    assert [w.event for w in trace.writes[("walk", "s")]] == [1, 2, 4, 7, 9]
    assert [w.event for w in trace.history("walk", "s")] == [1, 4, 7, 9]     # a repeat in one frame is no new value
    assert trace.functions() == ["walk", "helper"]
    # the views hold the trace's own Event objects
    ids = {id(e) for e in trace.events}
    assert all(id(e) in ids for view in (trace.branches, trace.returns, trace.steps)
               for evs in view.values() for e in evs)


def test_same_trace_as_the_typed_decoding_of_the_same_lines():
    compact = CompactEvents(lines(*MSGS), TABLE, END)
    typed, bulk = from_events(compact.typed()), from_compact(compact)
    assert typed.events == bulk.events and views(typed) == views(bulk)
    assert (typed.status, typed.truncated, typed.end_message) == (bulk.status, bulk.truncated, bulk.end_message)


def test_events_and_writes_are_plain_frozen_dataclasses():
    trace = decode(MSGS)
    e, w = trace.events[4], trace.writes[("walk", "w")][0]
    assert type(w) is Write and w == Write(4, "walk", "w", "ab", R4, 1)
    assert vars(w) == vars(Write(4, "walk", "w", "ab", R4, 1))
    for obj in (e, w):
        with pytest.raises(dataclasses.FrozenInstanceError):
            obj.frame = 9
        assert hash(obj) == hash(dataclasses.replace(obj))
        assert pickle.loads(pickle.dumps(obj)) == obj and copy.deepcopy(obj) == obj
        assert repr(obj) == repr(dataclasses.replace(obj))
    assert dataclasses.replace(e, idx=40) == Event(40, "step", R4, "walk", 1, 1, (("s", 1.5), ("w", "ab")))
    assert dataclasses.asdict(e)["bindings"] == (("s", 1.5), ("w", "ab"))


def test_repeated_lines_are_separate_events():
    trace = decode(MSGS[:2] * 3)
    assert [e.idx for e in trace.events] == list(range(6))
    assert len({id(e) for e in trace.events}) == 6
    assert [e.frame for e in trace.events] == [1] * 6
    assert [w.event for w in trace.writes[("walk", "n")]] == [0, 2, 4]


BAD = [
    ["C", 0, 1, 1, "walk", [["n", 3]]],
    ["Q", 1, 1, 1, []],                          # no such kind
    ["S", 1, 1, 1],                              # no bindings
    ["S", 1, [1], 1, []],                        # a frame that is no key
    ["S", 99, 1, 1, []],                         # past the statement table
    ["S", 1, 1, 1, [["a", 1, 2]]],               # a binding that is no pair
    ["C", 0, 7, 2, "helper", "xyz"],             # bindings that are no list: dropped, but it names frame 7
    ["S", 1, 7, 2, [["a", 1]]],
    ["B", 2, 1, 1, True],                        # no branch kind
    ["R", 3, 1, 1, 5],
]
BAD_KEPT = [
    Event(0, "call", R0, "walk", 1, 1, (("n", 3),)),
    Event(1, "step", R1, "helper", 7, 2, (("a", 1),)),
    Event(2, "return", None, "walk", 1, 1, value=5),
]


@pytest.mark.parametrize("torn", [False, True])
def test_malformed_events_are_dropped_and_leave_no_trace_in_the_views(torn, caplog):
    raw = lines(*BAD)
    if torn:   # a child killed mid-write: the bulk parse fails, the lines are read one by one
        raw.insert(3, b'["S",1,1,')
    trace = decode(raw + raw[-3:-1] * 2)         # repeated malformed lines are dropped every time
    assert trace.events == BAD_KEPT + [Event(3, "step", R1, "helper", 7, 2, (("a", 1),)),
                                       Event(4, "step", R1, "helper", 7, 2, (("a", 1),))]
    assert views(trace) == views(build(trace.events, status=T.FAIL, truncated=True, end_message="stopped"))
    dropped = [r for r in caplog.records if "malformed trace event dropped" in r.getMessage()]
    assert len(dropped) == 7 + 2
    assert any("malformed trace line dropped" in r.getMessage() for r in caplog.records) == torn


def test_no_lines_and_no_end():
    trace = from_compact(CompactEvents([], TABLE, None))
    assert trace.events == [] and views(trace) == ({}, {}, {}, {}, {})
    assert (trace.status, trace.truncated, trace.end_message) == (T.TEST_STATUS_UNSPECIFIED, False, "")


def test_the_cyclic_collector_is_left_as_it_was():
    assert gc.isenabled()
    decode(MSGS)
    assert gc.isenabled()
    with pytest.raises(TypeError):
        from_compact(CompactEvents(["not bytes"], TABLE, END))
    assert gc.isenabled()
    gc.disable()
    try:
        decode(MSGS)
        assert not gc.isenabled()
    finally:
        gc.enable()


@pytest.mark.parametrize("x", [0.0, -0.0, 1.0, -7.0, 0.5, 0.1, 1 / 3, 2.0 ** 53, -(2.0 ** 53), 2.0 ** 53 - 1,
                               2.0 ** 60, 1e300, -1e-300, 5e-324, 123456789.123, 1234567891.0,
                               math.nan, math.inf, -math.inf])
def test_fast_canonical_float_is_canonical_float(x):
    a, b = _canonical_float(x), canonical_float(x)
    assert type(a) is type(b) and repr(a) == repr(b)
