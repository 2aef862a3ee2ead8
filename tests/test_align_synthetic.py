"""The aligner's rules on hand-written traces (egca.trace objects built here, no sandbox, no
runtime): which divergence each rule reports, pinned down independently of the runtimes.
Programs are real text parsed by the Python adapter's tree-sitter grammar (the aligner asks
it what a statement writes and which condition guards it); the events are what any runtime
reports for them (docs/EVENTS.md)."""

from __future__ import annotations

import pytest

from egca.align import Side, find_crash_cause, find_divergence
from egca.core import Range
from egca.plugin import available_adapters, get_adapter
from egca.spans import narrow, token_weights
from egca.trace import Event, build
from egca.values import Tagged
from egca_kit.v1 import tracer_pb2

pytestmark = pytest.mark.skipif("python" not in available_adapters(), reason="python adapter not installed")


def L(*items):
    """A list value as the engine holds it (canonical, not truncated)."""
    return Tagged(("list", tuple(items), -1))


class Recorder:
    """Writes the events of one run of `program` by hand: each method appends one event
    whose range is the (first, or `nth`) occurrence of a piece of the program's text."""

    def __init__(self, program: str, function: str = "f"):
        self.program = program.encode()
        self.function = function
        self.events: list[Event] = []

    def at(self, text: str, nth: int = 0) -> Range:
        start = -1
        for _ in range(nth + 1):
            start = self.program.index(text.encode(), start + 1)
        return Range.of_bytes(self.program, start, start + len(text.encode()))

    def _add(self, kind, text=None, **kw):
        rng = self.at(text) if text else None
        self.events.append(Event(len(self.events), kind, rng, self.function, 1, 1, **kw))
        return self

    def call(self, **args):
        return self._add("call", f"def {self.function}", bindings=tuple(args.items()))

    def step(self, text, **bindings):
        return self._add("step", text, bindings=tuple(bindings.items()))

    def branch(self, text, taken, kind="if"):
        return self._add("branch", text, taken=taken, branch_kind=kind)

    def ret(self, value):
        return self._add("return", None, value=value)

    def exception(self, text, message):
        return self._add("exception", text, message=message)

    def side(self, status=tracer_pb2.FAIL) -> Side:
        return Side(build(self.events, status), self.program)


ADAPTER = get_adapter("python") if "python" in available_adapters() else None


def text(side: Side, rng: Range | None) -> str:
    return side.program[rng.start_byte:rng.end_byte].decode()


# --- a wrong result built by a loop where the reference has a comprehension ------------------------

COMPREHENSION_REF = "def f(l):\n    return [e for e in l if e > 0]\n"


def _reference(values, result) -> Side:
    return Recorder(COMPREHENSION_REF).call(l=L(*values)).step("return [e for e in l if e > 0]") \
        .ret(result).side(tracer_pb2.PASS)


FILTER_LOOP = """def f(l):
    out = []
    for e in l:
        if e >= 0:
            out.append(e)
    return out
"""


def _filter_run(values, keep) -> Side:
    """The candidate's run over `values`, `keep(e)` deciding the condition."""
    r = Recorder(FILTER_LOOP).call(l=L(*values)).step("out = []", out=L())
    out = []
    for e in values:
        r.step("for e in l", e=e).branch("for e in l", True, "for").step("if e >= 0").branch("e >= 0", keep(e))
        if keep(e):
            out.append(e)
            r.step("out.append(e)", out=L(*out))
    return r.step("for e in l").branch("for e in l", False, "for").step("return out").ret(L(*out)).side()


def test_an_element_the_result_cannot_hold_is_blamed_on_the_condition_that_let_it_in():
    cand = _filter_run([1, 0, 2], lambda e: e >= 0)
    hit = find_divergence(ADAPTER, cand, _reference([1, 0, 2], L(1, 2)), "f")
    assert hit.kind == "branch" and text(cand, hit.candidate) == "e >= 0"
    assert cand.trace.events[hit.event].kind == "branch" and cand.trace.events[hit.event].taken
    # the second decision (e = 0), not the first (e = 1, which the result does begin with)
    assert [e.idx for e in cand.trace.events if e.kind == "branch" and e.branch_kind == "if"][1] == hit.event
    assert "cannot be reached" in hit.reason


def test_the_legacy_rules_blame_the_return():
    cand = _filter_run([1, 0, 2], lambda e: e >= 0)
    hit = find_divergence(ADAPTER, cand, _reference([1, 0, 2], L(1, 2)), "f", legacy=True)
    assert hit.kind == "return" and text(cand, hit.candidate) == "return out"


MAP_LOOP = """def f(l):
    out = []
    for e in l:
        out.append(e + 2)
    return out
"""


def test_a_wrong_element_without_a_condition_is_blamed_on_its_write():
    r = Recorder(MAP_LOOP).call(l=L(1, 2)).step("out = []", out=L())
    r.step("for e in l", e=1).branch("for e in l", True, "for").step("out.append(e + 2)", out=L(3))
    r.step("for e in l", e=2).branch("for e in l", True, "for").step("out.append(e + 2)", out=L(3, 4))
    cand = r.step("for e in l").branch("for e in l", False, "for").step("return out").ret(L(3, 4)).side()
    ref = Recorder("def f(l):\n    return [e + 1 for e in l]\n").call(l=L(1, 2)) \
        .step("return [e + 1 for e in l]").ret(L(2, 3)).side(tracer_pb2.PASS)
    hit = find_divergence(ADAPTER, cand, ref, "f")
    assert hit.kind == "value" and text(cand, hit.candidate) == "out.append(e + 2)"
    assert hit.event == next(e.idx for e in cand.trace.events if e.kind == "step" and e.bindings == (("out", L(3)),))


def test_a_result_that_never_grew_is_blamed_on_the_condition_that_kept_its_writes_out():
    cand = _filter_run([1, 2], lambda e: False)    # `e >= 0` read as always false: nothing kept
    hit = find_divergence(ADAPTER, cand, _reference([1, 2], L(1, 2)), "f")
    assert hit.kind == "missing" and text(cand, hit.candidate) == "e >= 0"


def test_a_result_built_back_to_front_is_not_blamed_for_its_order():
    """Prepending reaches the reference's result as well as appending does: `[2]` is a
    suffix of `[1, 2]`, not a wrong state."""
    program = "def f(l):\n    out = []\n    for e in l:\n        out = [e] + out\n    return out\n"
    r = Recorder(program).call(l=L(3, 2, 1)).step("out = []", out=L())
    r.step("for e in l", e=3).branch("for e in l", True, "for").step("out = [e] + out", out=L(3))
    r.step("for e in l", e=2).branch("for e in l", True, "for").step("out = [e] + out", out=L(2, 3))
    cand = r.step("for e in l").branch("for e in l", False, "for").step("return out").ret(L(2, 3)).side()
    ref = _reference([3, 2, 1], L(1, 2, 3))
    hit = find_divergence(ADAPTER, cand, ref, "f")
    assert hit.kind == "return"   # nothing earlier can be justified: the return stays


def test_a_call_the_reference_makes_with_other_arguments_is_blamed():
    """A loop where the reference sums a range: the loop's `range(n)` is the reference's
    `range(n + 1)` with another argument."""
    program = "def f(n):\n    total = 0\n    for i in range(n):\n        total += i\n    return total\n"
    r = Recorder(program).call(n=2).step("total = 0", total=0)
    r.step("for i in range(n)", i=0).branch("for i in range(n)", True, "for").step("total += i")
    r.step("for i in range(n)", i=1).branch("for i in range(n)", True, "for").step("total += i", total=1)
    cand = r.step("for i in range(n)").branch("for i in range(n)", False, "for").step("return total").ret(1).side()
    ref = Recorder("def f(n):\n    return sum(range(n + 1))\n").call(n=2).step("return sum(range(n + 1))") \
        .ret(3).side(tracer_pb2.PASS)
    hit = find_divergence(ADAPTER, cand, ref, "f")
    assert hit.kind == "call" and text(cand, hit.candidate) == "for i in range(n)"
    assert text(ref, hit.reference) == "range(n + 1)"


# --- crash causes ----------------------------------------------------------------------------------

INDEX_LOOP = """def f(l):
    m = l[0]
    for i in range(len(l) + 1):
        if l[i] > m:
            m = l[i]
    return m
"""
INDEX_REF = """def f(l):
    m = l[0]
    for i in range(len(l)):
        if l[i] > m:
            m = l[i]
    return m
"""


def _index_run(program, n_iter, crash=False, status=tracer_pb2.FAIL) -> Side:
    header = "for i in range(len(l) + 1)" if "+ 1" in program else "for i in range(len(l))"
    r = Recorder(program).call(l=L(1, 2)).step("m = l[0]", m=1)
    values = [1, 2]
    for i in range(n_iter):
        r.step(header, i=i).branch(header, True, "for").step("if l[i] > m")
        if i >= len(values):
            return r.exception("if l[i] > m", "IndexError: list index out of range").side()
        r.branch("l[i] > m", values[i] > 1 and i == 1)
        if i == 1:
            r.step("m = l[i]", m=2)
    return r.step(header).branch(header, False, "for").step("return m").ret(2).side(status)


def test_a_crash_is_blamed_on_the_earlier_divergence_that_caused_it():
    cand, ref = _index_run(INDEX_LOOP, 3), _index_run(INDEX_REF, 2, status=tracer_pb2.PASS)
    crash = cand.trace.events[-1].range
    hit = find_crash_cause(ADAPTER, cand, ref, "f", crash)
    assert hit is not None and text(cand, hit.candidate) == "for i in range(len(l) + 1)"
    assert hit.event < len(cand.trace.events) - 1


def test_a_crash_with_nothing_earlier_keeps_its_site():
    program = "def f(l):\n    m = l[len(l)]\n    return m\n"
    cand = Recorder(program).call(l=L(1, 2)).exception("m = l[len(l)]", "IndexError").side()
    ref = Recorder("def f(l):\n    m = max(l)\n    return m\n").call(l=L(1, 2)).step("m = max(l)", m=2) \
        .step("return m").ret(2).side(tracer_pb2.PASS)
    assert find_crash_cause(ADAPTER, cand, ref, "f", cand.trace.events[-1].range) is None


def test_values_the_crashed_candidate_had_not_reached_yet_are_no_divergence():
    """A truncated trace: a helper value on its way to the reference's is not a fault."""
    program = "def f(l):\n    m = l[0]\n    for x in l:\n        if x > m:\n            m = x\n    return l[9]\n"
    r = Recorder(program).call(l=L(1, 3)).step("m = l[0]", m=1)
    r.step("for x in l", x=1).branch("for x in l", True, "for").step("if x > m").branch("x > m", False)
    cand = r.exception("return l[9]", "IndexError").side()
    ref = Recorder("def f(l):\n    m = max(l)\n    return m\n").call(l=L(1, 3)).step("m = max(l)", m=3) \
        .step("return m").ret(3).side(tracer_pb2.PASS)
    assert find_crash_cause(ADAPTER, cand, ref, "f", cand.trace.events[-1].range) is None


def test_a_decision_taken_on_an_input_that_was_already_wrong_blames_its_write():
    """`i = 1` for `i = 2`: the crashed run never wrote `i` again (it may look "on its way"),
    but at the first decision that went the other way the two `i` must agree."""
    program = "def f(n):\n    out = []\n    i = 1\n    while i * i <= n:\n        out.append(i)\n    return out\n"
    r = Recorder(program).call(n=2).step("out = []", out=L()).step("i = 1", i=1).step("while i * i <= n")
    r.branch("i * i <= n", True, "while").step("out.append(i)", out=L(1))
    cand = r.exception("out.append(i)", "MemoryError").side()
    ref_program = program.replace("i = 1", "i = 2")
    ref = Recorder(ref_program).call(n=2).step("out = []", out=L()).step("i = 2", i=2) \
        .step("while i * i <= n").branch("i * i <= n", False, "while").step("return out").ret(L()) \
        .side(tracer_pb2.PASS)
    hit = find_crash_cause(ADAPTER, cand, ref, "f", cand.trace.events[-1].range)
    assert hit is not None and hit.kind == "value" and text(cand, hit.candidate) == "i = 1"


def test_a_crash_on_a_value_that_was_already_wrong_blames_its_write():
    """A list built one element short, then indexed: the statement that crashed read it."""
    program = "def f(n):\n    a = list(range(n - 1))\n    return a[n - 1]\n"
    cand = Recorder(program).call(n=2).step("a = list(range(n - 1))", a=L(0)) \
        .exception("return a[n - 1]", "IndexError: list index out of range").side()
    ref_program = program.replace("n - 1))", "n))")
    ref = Recorder(ref_program).call(n=2).step("a = list(range(n))", a=L(0, 1)).step("return a[n - 1]") \
        .ret(1).side(tracer_pb2.PASS)
    hit = find_crash_cause(ADAPTER, cand, ref, "f", cand.trace.events[-1].range)
    assert hit is not None and hit.kind == "value" and text(cand, hit.candidate) == "a = list(range(n - 1))"


def test_a_stale_input_of_a_decision_is_not_blamed_at_its_last_write():
    """The update `balance += op` is missing: `balance = 0` agrees with the reference's first
    value, so the decision that read the stale value stays the span."""
    program = "def f(ops):\n    balance = 0\n    for op in ops:\n        if balance < 0:\n" \
              "            return True\n    return False\n"
    ref_program = program.replace("    for op in ops:\n", "    for op in ops:\n        balance += op\n")
    r = Recorder(program).call(ops=L(-1)).step("balance = 0", balance=0)
    r.step("for op in ops", op=-1).branch("for op in ops", True, "for").step("if balance < 0")
    cand = r.branch("balance < 0", False).step("for op in ops").branch("for op in ops", False, "for") \
        .step("return False").ret(False).side()
    q = Recorder(ref_program).call(ops=L(-1)).step("balance = 0", balance=0)
    q.step("for op in ops", op=-1).branch("for op in ops", True, "for").step("balance += op", balance=-1)
    ref = q.step("if balance < 0").branch("balance < 0", True).step("return True").ret(True).side(tracer_pb2.PASS)
    hit = find_divergence(ADAPTER, cand, ref, "f")
    assert hit is not None and hit.kind == "branch" and text(cand, hit.candidate) == "balance < 0"


SEARCH_LOOP = """def f(l, t):
    i = 0
    while i < len(l) and not l[i] > t:
        i += 1
    return i == len(l)
"""
SEARCH_REF = """def f(l, t):
    for i in range(len(l)):
        if l[i] >= t:
            return False
    return True
"""


def test_a_loop_that_ran_once_more_is_blamed_on_the_condition_that_let_it():
    """A search loop where the reference returns early: the index took every value the
    reference's did, then one more. The write `i += 1` only did what the loop said; the
    condition that held once too often (`not l[i] > t` at l[i] == t) is the fault."""
    cond = "i < len(l) and not l[i] > t"
    r = Recorder(SEARCH_LOOP).call(l=L(1, 2), t=2).step("i = 0", i=0)
    for i, holds in ((0, True), (1, True), (2, False)):
        r.step("while " + cond).branch(cond, holds, "while")
        if holds:
            r.step("i += 1", i=i + 1)
    cand = r.step("return i == len(l)").ret(True).side()
    q = Recorder(SEARCH_REF).call(l=L(1, 2), t=2)
    for i, found in ((0, False), (1, True)):
        q.step("for i in range(len(l))", i=i).branch("for i in range(len(l))", True, "for")
        q.step("if l[i] >= t").branch("l[i] >= t", found)
    ref = q.step("return False").ret(False).side(tracer_pb2.PASS)
    hit = find_divergence(ADAPTER, cand, ref, "f")
    assert hit is not None and hit.kind == "branch" and text(cand, hit.candidate) == cond
    assert cand.trace.events[hit.event].taken and hit.event == [e.idx for e in cand.trace.events
                                                                if e.kind == "branch"][1]


RECURSION = "def f(n):\n    if n == 1:\n        return 1\n    return f({arg}) + 1\n"


def _recursion_run(args: list[int], returns: bool) -> Side:
    """f called with `args` in nested frames (as a runtime that records a `return` statement
    after evaluating it: no step of the caller before the inner call); `returns`: the last
    activation hits the base case and every frame returns, else the run dies of recursion."""
    program = RECURSION.format(arg="n - 1" if returns else "1 - n").encode()
    events: list[Event] = []

    def add(kind, text_, frame, **kw):
        start = program.index(text_.encode()) if text_ else -1
        rng = Range.of_bytes(program, start, start + len(text_.encode())) if text_ else None
        events.append(Event(len(events), kind, rng, "f", frame, frame, **kw))

    for frame, n in enumerate(args, start=1):
        add("call", "def f", frame, bindings=(("n", n),))
        add("step", "if n == 1", frame)
        add("branch", "n == 1", frame, taken=n == 1, branch_kind="if")
    if not returns:
        add("exception", "return f(1 - n) + 1", len(args), message="RecursionError")
        return Side(build(events, tracer_pb2.FAIL), program)
    add("step", "return 1", len(args))
    add("return", None, len(args), value=1)
    for frame in range(len(args) - 1, 0, -1):
        add("step", "return f(n - 1) + 1", frame)
        add("return", None, frame, value=len(args) - frame + 1)
    return Side(build(events, tracer_pb2.PASS), program)


def test_an_endless_recursion_is_blamed_on_the_call_that_passed_the_wrong_argument():
    cand, ref = _recursion_run([3, -2, 3, -2], returns=False), _recursion_run([3, 2, 1], returns=True)
    hit = find_crash_cause(ADAPTER, cand, ref, "f", cand.trace.events[-1].range)
    assert hit is not None and hit.kind == "call"
    assert text(cand, hit.candidate) == "return f(1 - n) + 1"   # the caller never resumed


# --- narrowing --------------------------------------------------------------------------------------

@pytest.mark.parametrize("cand,ref,rename,expected", [
    ("x = a - b", "x = a + b", {}, "a - b"),                     # an operator: with its operands
    ("x = b - a", "x = a - b", {}, "b - a"),                     # both operands moved
    ("x = f(a, c)", "x = f(a, b)", {}, "c"),                     # one operand
    ("x = min(a, b)", "x = max(a, b)", {}, "min(a, b)"),         # another function: the call
    ("y = p * 2 + q", "x = a * 3 + b", {"y": "x", "p": "a", "q": "b"}, "2"),   # through the renaming
    ("x = g(n)", "x = g(n + 1)", {}, "n"),                       # a wrapper missing: what it wraps
    ("x = a + b", "x = a + b", {}, None),                        # equal: nothing narrower
    ("x = a + b", "x = q", {}, "a + b"),                         # the whole value, not the target
])
def test_narrowing_follows_the_one_part_that_differs(cand, ref, rename, expected):
    prefix = "def f(a, b, c, n, p, q):\n    "
    cp, rp = (prefix + cand + "\n").encode(), (prefix + ref + "\n").encode()
    crng = Range.of_bytes(cp, len(prefix), len(prefix) + len(cand))
    rrng = Range.of_bytes(rp, len(prefix), len(prefix) + len(ref))
    found = narrow(ADAPTER, cp, crng, rp, rrng, rename)
    got = cp[found[0].start_byte:found[0].end_byte].decode() if found else None
    assert got == expected


def test_narrowing_a_header_ignores_the_body():
    cp = b"def f(n):\n    for i in range(n - 1):\n        x = 1\n"
    rp = b"def f(n):\n    for i in range(n):\n        x = 2\n"
    crng, rrng = Range.of_bytes(cp, 14, 36), Range.of_bytes(rp, 14, 32)
    found = narrow(ADAPTER, cp, crng, rp, rrng, {})
    assert cp[found[0].start_byte:found[0].end_byte] == b"n - 1"
    assert rp[found[1].start_byte:found[1].end_byte] == b"n"


def test_narrow_weightings():
    offsets = [(i, i + 1) for i in range(10)]
    w = token_weights((2, 8), offsets, "narrow", (4, 6))
    assert w[4] == w[5] == 0.5 and sum(w) == pytest.approx(1.0)
    w = token_weights((2, 8), offsets, "narrow_mix", (4, 6))
    assert w[4] == pytest.approx(0.5 / 2 + 0.5 / 6) and w[2] == pytest.approx(0.5 / 6) and w[0] == 0
    assert token_weights((2, 8), offsets, "narrow", None) == token_weights((2, 8), offsets, "span")
    assert sum(token_weights((2, 8), offsets, "narrow_mix", (4, 6))) == pytest.approx(1.0)
