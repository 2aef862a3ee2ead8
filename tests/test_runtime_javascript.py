"""The JavaScript Tracer service (runtimes/javascript), started through the adapter's launcher as
the real server on loopback (Python on the kit; the programs run in Node.js): Run/Trace semantics
(docs/EVENTS.md), hostile programs, health, reflection, bad input."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from egca.plugin import get_adapter
from egca_kit.server import CHANNEL_OPTIONS, wait_until_serving
from egca.values import canonical
from egca_kit.v1 import tracer_pb2, tracer_pb2_grpc

FAST = tracer_pb2.Limits(timeout_s=3)


@pytest.fixture(scope="module")
def channel():
    proc = subprocess.Popen(get_adapter("javascript").local_runtime_command(0), stdout=subprocess.PIPE,
                            stdin=subprocess.DEVNULL)
    try:
        line = proc.stdout.readline().decode()
        assert line.startswith("PORT "), line
        address = f"127.0.0.1:{int(line.split()[1])}"
        wait_until_serving(address, timeout_s=30)
        with grpc.insecure_channel(address, options=CHANNEL_OPTIONS) as ch:
            yield ch
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def stub(channel):
    return tracer_pb2_grpc.TracerStub(channel)


def run(stub, program, *tests, limits=FAST):
    req = tracer_pb2.RunRequest(program=program, limits=limits,
                                tests=[tracer_pb2.TestCase(id=str(i), code=c) for i, c in enumerate(tests)])
    return stub.Run(req, timeout=60)


def trace(stub, program, test, limits=FAST):
    req = tracer_pb2.TraceRequest(program=program, test=tracer_pb2.TestCase(id="t", code=test), limits=limits)
    return [e for chunk in stub.Trace(req, timeout=60) for e in chunk.events]


def status(r):
    return tracer_pb2.TestStatus.Name(r.status)


def kinds(events):
    return [tracer_pb2.TraceEvent.Kind.Name(e.kind) for e in events]


def text(program: str, rng) -> str:
    return program.encode()[rng.start_byte:rng.end_byte].decode()


def bindings(event) -> dict:
    return {b.name: canonical(b.value) for b in event.bindings}


# --- service plumbing ------------------------------------------------------------------------

def test_info(stub):
    info = stub.Info(tracer_pb2.InfoRequest())
    assert info.language == "javascript"
    assert info.language_version.startswith("Node v")
    assert info.runtime_version.startswith("egca-js/")
    assert "rlimits" in info.isolation
    assert "bwrap" in info.isolation and "netns" in info.isolation  # this machine has bubblewrap
    assert info.default_limits.timeout_s > 0 and info.default_limits.max_events > 0


def test_health_and_reflection(channel):
    health = health_pb2_grpc.HealthStub(channel)
    for service in ("", "egca.v1.Tracer"):
        assert health.Check(health_pb2.HealthCheckRequest(service=service)).status == \
            health_pb2.HealthCheckResponse.SERVING
    refl = reflection_pb2_grpc.ServerReflectionStub(channel)
    reply = next(refl.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")])))
    names = {s.name for s in reply.list_services_response.service}
    assert "egca.v1.Tracer" in names


@pytest.mark.parametrize("request_, fragment", [
    (tracer_pb2.RunRequest(program="", tests=[tracer_pb2.TestCase(id="0", code="1")]), "empty"),
    (tracer_pb2.RunRequest(program="const f = 1", tests=[]), "no test"),
    (tracer_pb2.RunRequest(program="x" * (1100 * 1024), tests=[tracer_pb2.TestCase(id="0", code="1")]), "larger than"),
    (tracer_pb2.RunRequest(program="const f = 1", tests=[tracer_pb2.TestCase(id="0", code="1")],
                           limits=tracer_pb2.Limits(timeout_s=-1)), "non-negative"),
    (tracer_pb2.RunRequest(program="const f = 1", tests=[tracer_pb2.TestCase(id="0", code="  ")]), "no code"),
])
def test_bad_input_is_invalid_argument(stub, request_, fragment):
    with pytest.raises(grpc.RpcError) as e:
        stub.Run(request_, timeout=30)
    assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert fragment in e.value.details()


def test_trace_without_test_is_invalid_argument(stub):
    with pytest.raises(grpc.RpcError) as e:
        list(stub.Trace(tracer_pb2.TraceRequest(program="const f = 1"), timeout=30))
    assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT


# --- Run ---------------------------------------------------------------------------------------

PROGRAM = """// naïve ünïcode comment: bytes and characters differ
const add = (a, b) => {
  let s = a;
  for (let i = 0; i < b; i++) { s += 1; }
  if (s > 100) throw new TypeError("too big");
  return s;
}
"""


def test_run_statuses_and_locations(stub):
    reply = run(stub, PROGRAM,
                "if (add(1, 2) !== 3) throw new Error('x')",
                "if (add(1, 2) !== 4) throw new Error('assertion failed')",
                "add(200, 1)",
                "while (true) {}",
                "add(1, 1)",
                limits=tracer_pb2.Limits(timeout_s=2))
    assert [status(r) for r in reply.results] == ["PASS", "FAIL", "ERROR", "TIMEOUT", "NOT_RUN"]
    assert tracer_pb2.RunStatus.Name(reply.status) == "TIMED_OUT"
    fail, error = reply.results[1].error, reply.results[2].error
    assert fail.message == "Error: assertion failed" and not fail.has_location
    assert error.kind == "TypeError" and error.message == "TypeError: too big"
    assert error.has_location
    assert text(PROGRAM, error.location) == 'throw new TypeError("too big");'
    assert error.location.start_line == 5
    assert [r.id for r in reply.results] == ["0", "1", "2", "3", "4"]


def test_compile_error_has_byte_location(stub):
    program = "// é\nconst f = (x) => {\n  return x +* 2;\n}\n"
    reply = run(stub, program, "f(1)")
    assert tracer_pb2.RunStatus.Name(reply.status) == "COMPILE_ERROR"
    assert reply.compile_error.kind == "SyntaxError"
    loc = reply.compile_error.location
    assert loc.start_line == 3
    assert program.encode()[loc.start_byte:loc.start_byte + 1] == b"*"
    assert [status(r) for r in reply.results] == ["NOT_RUN"]


def test_top_level_exception_fails_every_test_as_error(stub):
    reply = run(stub, "const f = (x) => x;\nnull.boom;\n", "f(1)", "f(2)")
    assert [status(r) for r in reply.results] == ["ERROR", "ERROR"]
    assert text("const f = (x) => x;\nnull.boom;\n", reply.results[0].error.location) == "null.boom;"


def test_output_is_captured_and_capped(stub):
    reply = run(stub, "const f = () => { console.log('x'.repeat(5000)); }", "f()",
                limits=tracer_pb2.Limits(timeout_s=3, max_output_bytes=1000))
    assert status(reply.results[0]) == "PASS"
    assert reply.output.startswith("xxx") and len(reply.output) <= 1000 and reply.output_truncated


# --- hostile programs: contained, reported, the server stays up ------------------------------

HOSTILE = {
    "busy_loop": ("const f = () => { while (true) {} }", "TIMEOUT"),
    "allocation_bomb": ("const f = () => { const a = []; while (true) a.push(new Array(1e6).fill(1.5)); }", "ERROR"),
    "buffer_bomb": ("const f = () => { const a = []; while (true) a.push(Buffer.alloc(64 * 1024 * 1024, 1)); }",
                    "ERROR"),
    "exec": ("const f = () => require('child_process').execSync('id').toString()", "ERROR"),
    "socket": ("const f = () => { require('net').connect(80, '1.1.1.1'); }", "ERROR"),
    "fetch": ("const f = () => { fetch('http://1.1.1.1/'); }", "ERROR"),
    "exit": ("const f = () => { process.exit(0); }", "ERROR"),
    "binding": ("const f = () => process.binding('spawn_sync')", "ERROR"),
    "write_outside": ("const f = () => require('fs').writeFileSync('/etc/egca-was-here', 'x')", "ERROR"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_program_is_contained(stub, name):
    program, expected = HOSTILE[name]
    reply = run(stub, program, "f()", "f()", limits=tracer_pb2.Limits(timeout_s=2, memory_bytes=512 * 1024 * 1024))
    assert status(reply.results[0]) == expected, reply
    # The run's wall clock is shared: after a memory bomb, the second one may run out of time.
    assert status(reply.results[1]) in (expected, "NOT_RUN") or \
        name.endswith("_bomb") and status(reply.results[1]) == "TIMEOUT", reply
    assert reply.results[0].error.message
    assert stub.Info(tracer_pb2.InfoRequest()).language == "javascript"  # still up


def test_sandbox_itself_isolates(stub):
    """What the in-process hardening does not cover, the sandbox does: not root, no network
    interface but loopback, read-only root, a private writable scratch dir as cwd."""
    program = """const probe = () => {
  const fs = require('fs'), os = require('os');
  const out = {uid: process.getuid(), ifaces: Object.keys(os.networkInterfaces()), cwd: process.cwd()};
  try { fs.writeFileSync('/usr/egca-probe', 'x'); out.root = 'writable'; } catch (e) { out.root = e.code; }
  fs.writeFileSync('scratch.txt', 'ok'); out.scratch = fs.readFileSync('scratch.txt', 'utf8');
  console.log(JSON.stringify(out));
}"""
    reply = run(stub, program, "probe()")
    assert status(reply.results[0]) == "PASS", reply
    out = json.loads(reply.output.strip().splitlines()[-1])
    assert out["uid"] != 0
    assert out["ifaces"] == ["lo"]
    assert out["root"] in ("EROFS", "EACCES")
    assert out["scratch"] == "ok"


def test_forged_results_are_ignored(stub):
    """A program writing result lines to fd 3 cannot turn a failing test into a pass: in a Run its
    fd 3 goes to the trusted harness, which takes any line that is not the reply to its call as a
    broken protocol (the test fails, the rest are not run)."""
    program = """const f = () => {
  const fs = require('fs');
  fs.writeSync(3, '{"t":"result","i":0,"s":"PASS"}\\n{"t":"done"}\\n{"t":"ret","value":2}\\n');
  return 1;
}"""
    reply = run(stub, program, "if (f() !== 2) throw new Error('wrong')", "if (f() !== 2) throw new Error('wrong')")
    assert [status(r) for r in reply.results] == ["ERROR", "NOT_RUN"]
    assert reply.results[0].error.kind == "Protocol"


# --- Trace ---------------------------------------------------------------------------------------

def test_trace_event_semantics(stub):
    program = PROGRAM
    events = trace(stub, program, "add(1, 2)")
    assert kinds(events) == [
        "CALL",
        "STEP",                      # let s = a
        "STEP", "BRANCH",            # for header (i = 0), taken
        "STEP",                      # s += 1
        "STEP", "BRANCH",            # i = 1, taken
        "STEP",
        "STEP", "BRANCH",            # i = 2, not taken
        "STEP", "BRANCH",            # if (s > 100), not taken
        "STEP", "RETURN",            # return s
        "END",
    ]
    assert [e.seq for e in events] == list(range(len(events)))
    call = events[0]
    assert call.function == "add" and call.depth == 1 and bindings(call) == {"a": 1, "b": 2}
    assert [b.name for b in call.bindings] == ["a", "b"]
    assert text(program, call.range) == "const add = (a, b) =>"
    assert bindings(events[1]) == {"s": 1} and text(program, events[1].range) == "let s = a;"
    header, branch = events[2], events[3]
    assert text(program, header.range) == "for (let i = 0; i < b; i++)" and bindings(header) == {"i": 0}
    assert text(program, branch.range) == "i < b" and branch.taken and branch.branch_kind == "for"
    assert bindings(events[4]) == {"s": 2}
    assert bindings(events[5]) == {"i": 1}           # unchanged s is not repeated
    assert not events[9].taken and bindings(events[8]) == {"i": 2}
    assert text(program, events[10].range) == "if (s > 100)" and text(program, events[11].range) == "s > 100"
    assert events[11].branch_kind == "if" and not events[11].taken
    ret = events[13]
    assert canonical(ret.value) == 3 and text(program, ret.range) == "return s;"
    end = events[-1]
    assert tracer_pb2.TestStatus.Name(end.status) == "PASS" and not end.truncated
    assert all(e.frame == call.frame for e in events[:-1])
    # Byte offsets: the comment's non-ASCII characters take two bytes each.
    assert header.range.start_byte == program.encode().index(b"for (")
    assert header.range.start_line == 4 and header.range.start_col == 2


def test_trace_recursion_lambdas_and_expression_bodies(stub):
    program = """function fact(n) {
  if (n <= 1) return 1;
  return n * fact(n - 1);
}
const double = (x) => x * 2;
const run = (xs) => {
  const ys = xs.map((v) => double(v));
  const t = ys.length > 1 ? 'many' : 'one';
  return [fact(3), ys, t];
}
"""
    events = trace(stub, program, "run([1, 2])")
    calls = [e for e in events if kinds([e]) == ["CALL"]]
    assert [c.function for c in calls] == ["run", "double", "double", "fact", "fact", "fact"]
    assert [c.depth for c in calls] == [1, 2, 2, 2, 3, 4]
    assert len({c.frame for c in calls}) == len(calls)
    # The arrow callback passed to map is part of its statement: no CALL of its own.
    assert not any(c.function == "" for c in calls)
    ret_double = next(e for e in events if kinds([e]) == ["RETURN"] and e.function == "double")
    assert canonical(ret_double.value) == 2 and text(program, ret_double.range) == "x * 2"
    ternary = next(e for e in events if e.branch_kind == "ternary")
    assert text(program, ternary.range) == "ys.length > 1" and ternary.taken
    final = [e for e in events if kinds([e]) == ["RETURN"]][-1]
    assert final.function == "run"
    items = final.value.list_value.items
    assert items[0].int_value == "6" and [i.int_value for i in items[1].list_value.items] == ["2", "4"]
    assert items[2].str_value == "many"


def test_trace_for_of_loop_end_and_tdz(stub):
    program = """const count = (xs) => {
  let n = 0;
  for (const x of xs) {
    if (x > 1) n += 1;
    let late = x;
  }
  return n;
}
"""
    events = trace(stub, program, "count([1, 2])")
    headers = [i for i, e in enumerate(events) if e.range.start_byte == program.index("for (") and kinds([e]) == ["STEP"]]
    assert len(headers) == 3                      # two iterations + the loop running out
    assert [bindings(events[i]) for i in headers[:2]] == [{"x": 1}, {"x": 2}]
    outcomes = [events[i + 1].taken for i in headers]
    assert outcomes == [True, True, False]
    assert all(events[i + 1].branch_kind == "for" for i in headers)
    # `late` is in its TDZ at the header: tracing must neither crash nor report it there.
    assert "late" not in bindings(events[headers[1]])
    assert tracer_pb2.TestStatus.Name(events[-1].status) == "PASS"


def test_trace_values_are_canonical(stub):
    program = """class P { constructor() { this.x = 1; } }
const vals = () => {
  const a = [NaN, -0, 2 ** 60, 1.5, 12345678901234567890n];
  const m = new Map([['k', [1, 2]]]);
  const s = new Set([3, 1, 2]);
  const o = {b: null, c: undefined};
  const p = new P();
  const big = Array.from({length: 100}, (_, i) => i);
  const str = 'é'.repeat(2000);
  return 0;
}
"""
    events = trace(stub, program, "vals()")
    steps = [e for e in events if kinds([e]) == ["STEP"]]
    by_name = {b.name: b.value for e in steps for b in e.bindings}
    a = by_name["a"].list_value.items
    assert a[0].float_value != a[0].float_value                   # NaN
    assert a[1].int_value == "0"                                  # -0 -> 0
    assert a[2].WhichOneof("kind") == "float_value"               # not a safe integer
    assert a[3].float_value == 1.5 and a[4].int_value == "12345678901234567890"
    assert by_name["m"].map_value.type_name == "Map"
    assert [int(i.int_value) for i in by_name["s"].list_value.items] == [1, 2, 3]   # sorted
    o = by_name["o"].map_value
    assert [e.key.str_value for e in o.entries] == ["b", "c"] and all(e.value.null_value for e in o.entries)
    assert by_name["p"].object_value.type_name == "P" and by_name["p"].object_value.fields[0].name == "x"
    big = by_name["big"]
    assert big.truncated and big.list_value.length == 100 and len(big.list_value.items) == 64
    assert len(by_name["str"].str_value) == 1000 and by_name["str"].truncated


def test_trace_exception_and_error_end(stub):
    program = """const inner = (x) => {
  const y = x.foo.bar;
  return y;
}
const outer = (x) => {
  const r = inner(x);
  return r;
}
"""
    events = trace(stub, program, "outer({})")
    exc = [e for e in events if kinds([e]) == ["EXCEPTION"]]
    assert [e.function for e in exc] == ["inner", "outer"]
    assert text(program, exc[0].range) == "const y = x.foo.bar;"
    assert text(program, exc[1].range) == "const r = inner(x);"
    assert exc[0].message.startswith("TypeError: ")
    end = events[-1]
    assert tracer_pb2.TestStatus.Name(end.status) == "ERROR" and end.message.startswith("TypeError")


def test_trace_caps_events(stub):
    program = "const spin = (n) => {\n  let s = 0;\n  for (let i = 0; i < n; i++) s += i;\n  return s;\n}\n"
    events = trace(stub, program, "spin(1000)", limits=tracer_pb2.Limits(timeout_s=5, max_events=50))
    assert len(events) == 51 and kinds(events)[-1] == "END"
    assert events[-1].truncated and tracer_pb2.TestStatus.Name(events[-1].status) == "PASS"


def test_trace_timeout_ends_with_timeout(stub):
    program = "const spin = () => {\n  let i = 0;\n  while (true) { i++; }\n}\n"
    events = trace(stub, program, "spin()", limits=tracer_pb2.Limits(timeout_s=1, max_events=100))
    assert tracer_pb2.TestStatus.Name(events[-1].status) == "TIMEOUT"
    assert events[-1].truncated and len(events) == 101
    assert events[-1].range.start_line == 3          # where it was stuck: the loop


def test_trace_of_non_compiling_program_ends_with_error(stub):
    events = trace(stub, "const f = (x) => {", "f(1)")
    assert kinds(events) == ["END"] and tracer_pb2.TestStatus.Name(events[0].status) == "ERROR"
    assert "SyntaxError" in events[0].message


# --- trusted verdicts: the harness decides, the candidate only answers calls -------------------------

def test_values_cross_exactly_and_mutations_come_back(stub):
    program = """const vals = () => [-0, NaN, Infinity, -Infinity, undefined, null, 2n ** 70n, 'é', 1.5, 2 ** 60,
  new Map([[1, [2]]]), new Set([3, 1]), {a: {b: [true]}}, new Int32Array([7])];
const mutate = (xs, o, m) => { xs.push(4); xs[0] = 9; o.k = 1; delete o.gone; m.set('x', 1); return xs.length; };
class P { constructor() { this.x = 1; } }
const make = () => new P();
"""
    test = """const v = vals();
if (!Object.is(v[0], -0) || !Number.isNaN(v[1]) || v[2] !== Infinity || v[3] !== -Infinity) throw new Error('numbers');
if (v[4] !== undefined || v[5] !== null || v[6] !== 2n ** 70n || v[7] !== 'é' || v[8] !== 1.5 || v[9] !== 2 ** 60) throw new Error('scalars');
if (!(v[10] instanceof Map) || JSON.stringify([...v[10]]) !== '[[1,[2]]]') throw new Error('map');
if (!(v[11] instanceof Set) || JSON.stringify([...v[11]]) !== '[3,1]') throw new Error('set order');
if (JSON.stringify(v[12]) !== '{"a":{"b":[true]}}' || !(v[13] instanceof Int32Array) || v[13][0] !== 7) throw new Error('nested');
const xs = [1, 2, 3], o = {gone: 1}, m = new Map();
if (mutate(xs, o, m) !== 4 || JSON.stringify(xs) !== '[9,2,3,4]' || JSON.stringify(o) !== '{"k":1}' || m.get('x') !== 1)
  throw new Error('copy back');
const p = make();
if (p.x !== 1 || p instanceof Function || typeof p.constructor !== 'function') throw new Error('object');
"""
    reply = run(stub, program, test)
    assert status(reply.results[0]) == "PASS", reply


def test_randomness_and_clock_are_the_same_in_harness_candidate_and_trace(stub):
    program = "const pick = () => [Math.random(), Math.random(), Date.now(), new Date().getTime()];\n"
    test = ("const got = pick();\nconst want = [Math.random(), Math.random(), Date.now(), new Date().getTime()];\n"
            "if (JSON.stringify(got) !== JSON.stringify(want)) throw new Error(JSON.stringify([got, want]));\n")
    reply = run(stub, program, test, test)
    assert [status(r) for r in reply.results] == ["PASS", "PASS"], reply
    ends = [trace(stub, program, "pick()")[-1] for _ in range(2)]
    returns = [[e for e in trace(stub, program, "pick()") if kinds([e]) == ["RETURN"]] for _ in range(2)]
    assert all(tracer_pb2.TestStatus.Name(e.status) == "PASS" for e in ends)
    assert canonical(returns[0][0].value) == canonical(returns[1][0].value)


@pytest.mark.parametrize("body, kind", [
    ("Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0)", "TIMEOUT"),   # stops answering, unstoppable
    ("process.mainModule.require('child_process').execSync('kill -9 ' + process.pid)", "ERROR"),  # kills itself
])
def test_a_candidate_that_dies_or_hangs_fails_its_test_and_the_rest_do_not_run(stub, body, kind):
    reply = run(stub, f"const f = (x) => {{ if (x === 2) {body}; return x; }}\n",
                "if (f(1) !== 1) throw new Error('x')", "f(2)", "f(3)", limits=tracer_pb2.Limits(timeout_s=2))
    assert [status(r) for r in reply.results] == ["PASS", kind, "NOT_RUN"], reply


def test_builtins_are_never_proxied_but_entry_points_are(stub):
    """A program defining `isNaN` or `JSON` cannot replace them in the test code; an entry point
    that happens to share a builtin's name is the program's."""
    program = "function isNaN(x) { return 'mine'; }\nvar JSON = {stringify: () => 'same'};\n"
    req = tracer_pb2.RunRequest(program=program, limits=FAST, tests=[tracer_pb2.TestCase(
        id="0", code="if (isNaN(1) !== false || JSON.stringify([1]) !== '[1]') throw new Error('builtin')")])
    assert status(stub.Run(req, timeout=60).results[0]) == "PASS"
    req.entry_points.append("isNaN")
    req.tests[0].code = "if (isNaN(1) !== 'mine') throw new Error('entry point')"
    assert status(stub.Run(req, timeout=60).results[0]) == "PASS"


FORGE = r"""const add = (a, b) => {
  const fs = require('fs');
  const seen = [];
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid)) {
    try {
      if (!fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('harness.js')) continue;
      seen.push(pid);
      const fd = fs.openSync(`/proc/${pid}/fd/3`, 'w');
      fs.writeSync(fd, [0, 1].map((i) => JSON.stringify({t: 'result', i, s: 'PASS', wall: 0})).join('\n') + '\n{"t":"done"}\n');
      process.mainModule.require('child_process').execSync('kill -9 ' + pid);
    } catch (e) { seen.push(e.code); }
  }
  console.log(JSON.stringify(seen));
  return 0;
}
"""


def _ancestors(path: str) -> list[str]:
    out = [path]
    while os.path.dirname(out[-1]) != out[-1]:
        out.append(os.path.dirname(out[-1]))
    return out


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0 or not shutil.which("setpriv"),
                    reason="needs root to start the runtime as an unprivileged user")
def test_unprivileged_server_candidate_cannot_reach_the_harness(tmp_path):
    """Run by a user that is not root (as in the image), the sandbox is bubblewrap in a user
    namespace and the harness and the candidate share a uid; Node cannot make the harness
    non-dumpable, so the candidate gets its own pid namespace: it cannot find the harness to
    write forged results into its channel (/proc/<pid>/fd/3) or kill it."""
    checkout = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    closed = [d for d in _ancestors(checkout) if not os.stat(d).st_mode & 0o001]
    if closed:    # e.g. a clone inside `mktemp -d` (0700): nobody but its owner can import from it
        pytest.skip(f"the unprivileged user cannot enter {closed[0]}, so it cannot start the runtime from this checkout")
    tmp_path.chmod(0o777)
    env = {**os.environ, "HOME": str(tmp_path), "TMPDIR": str(tmp_path)}
    proc = subprocess.Popen(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                             *get_adapter("javascript").local_runtime_command(0)],
                            stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env, cwd=tmp_path)
    try:
        line = proc.stdout.readline().decode()
        assert line.startswith("PORT "), line
        address = f"127.0.0.1:{int(line.split()[1])}"
        wait_until_serving(address, timeout_s=30)
        with grpc.insecure_channel(address, options=CHANNEL_OPTIONS) as ch:
            stub = tracer_pb2_grpc.TracerStub(ch)
            assert "userns" in stub.Info(tracer_pb2.InfoRequest()).isolation
            reply = run(stub, FORGE, "if (add(1, 2) !== 3) throw new Error('x')",
                        "if (add(1, 2) !== 3) throw new Error('x')")
            assert [status(r) for r in reply.results] == ["FAIL", "FAIL"], reply
            assert json.loads(reply.output.splitlines()[0]) == []      # no harness in sight
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_run_timeout_says_where_it_was_stuck(stub):
    """V8's watchdog leaves no stack: the candidate runs the stuck call again for a moment under
    the sampling profiler, and the TIMEOUT is located on the loop; likewise a program stuck
    while it loads."""
    program = "const spin = (n) => {\n  let i = n;\n  while (true) {\n    i += 1;\n  }\n}\n"
    reply = run(stub, program, "spin(1)", "spin(2)", limits=tracer_pb2.Limits(timeout_s=2))
    assert [status(r) for r in reply.results] == ["TIMEOUT", "NOT_RUN"], reply
    assert reply.results[0].error.has_location and reply.results[0].error.location.start_line in (3, 4), reply
    stuck = "const f = () => 1;\nlet i = 0;\nwhile (i >= 0) {\n  i += 1;\n}\n"
    reply = run(stub, stuck, "f()", "f()", limits=tracer_pb2.Limits(timeout_s=2))
    assert [status(r) for r in reply.results] == ["TIMEOUT", "NOT_RUN"], reply
    assert reply.results[0].error.location.start_line in (3, 4), reply
