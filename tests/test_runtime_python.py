"""The Python runtime (egca.v1.Tracer) as a real server on loopback, with real sandboxed runs."""

import os
import subprocess
import sys
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from egca_kit.v1 import tracer_pb2 as T
from egca_kit.v1 import tracer_pb2_grpc
from egca.values import canonical

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def server():
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(ROOT / "runtimes" / "python"), env.get("PYTHONPATH", "")])
    proc = subprocess.Popen([sys.executable, "-m", "egca_runtime_python", "--host", "127.0.0.1", "--port", "0"],
                            stdout=subprocess.PIPE, text=True, env=env)
    try:
        first = proc.stdout.readline()
        assert first.startswith("PORT "), first
        address = f"127.0.0.1:{int(first.split()[1])}"
        with grpc.insecure_channel(address) as channel:
            yield address, tracer_pb2_grpc.TracerStub(channel), channel
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def run(server, program, *codes, **limits):
    _, stub, _ = server
    tests = [T.TestCase(id=str(i), code=c) for i, c in enumerate(codes)]
    return stub.Run(T.RunRequest(program=program, tests=tests, limits=T.Limits(**limits)), timeout=60)


def trace(server, program, code, **limits):
    _, stub, _ = server
    return [e for chunk in stub.Trace(T.TraceRequest(program=program, test=T.TestCase(id="t", code=code),
                                                     limits=T.Limits(**limits)), timeout=60)
            for e in chunk.events]


def text(program, rng):
    return program.encode()[rng.start_byte:rng.end_byte].decode()


def statuses(resp):
    return [T.TestStatus.Name(r.status) for r in resp.results]


PROG = """def add(a, b):
    return a + b

def div(a, b):
    q = a // b
    return q
"""


def test_health_reflection_info(server):
    address, stub, channel = server
    health = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service="egca.v1.Tracer"))
    assert health.status == health_pb2.HealthCheckResponse.SERVING
    refl = reflection_pb2_grpc.ServerReflectionStub(channel)
    reply = next(refl.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")])))
    assert "egca.v1.Tracer" in [s.name for s in reply.list_services_response.service]
    info = stub.Info(T.InfoRequest())
    assert info.language == "python" and info.language_version.startswith("CPython 3.")
    assert info.runtime_version and "rlimits" in info.isolation and info.default_limits.timeout_s > 0


def test_run_pass_fail_error(server):
    resp = run(server, PROG, "assert add(1, 2) == 3", "assert add(1, 2) == 4", "assert div(1, 0) == 0",
               "assert add(1, 'x') == 1", "assert sorted(div(4, 2)) == [2]")
    assert resp.status == T.COMPLETED
    assert statuses(resp) == ["PASS", "FAIL", "ERROR", "ERROR", "FAIL"]
    err = resp.results[2].error
    assert err.kind == "ZeroDivisionError" and err.has_location
    assert text(PROG, err.location) == "q = a // b" and err.location.start_line == 5
    assert resp.results[1].error.kind == "AssertionError"
    assert text(PROG, resp.results[3].error.location) == "return a + b"
    assert resp.results[4].error.kind == "TypeError"     # the test's own use of a wrong type: FAIL


def test_compile_error(server):
    program = "def f(x):\n    return x +\n"
    resp = run(server, program, "assert f(1) == 1")
    assert resp.status == T.COMPILE_ERROR and statuses(resp) == ["NOT_RUN"]
    ce = resp.compile_error
    assert ce.kind == "SyntaxError" and ce.has_location and ce.location.start_line == 2
    assert program.encode()[ce.location.start_byte:].startswith(b"\n") or ce.location.start_col >= 4


def test_program_level_exception_errors_every_test(server):
    program = "def f():\n    return 1\nraise ValueError('boom')\n"
    resp = run(server, program, "assert f() == 1", "assert f() == 2")
    assert statuses(resp) == ["ERROR", "ERROR"]
    assert resp.results[0].error.kind == "ValueError" and text(program, resp.results[0].error.location) == "raise ValueError('boom')"


def test_timeout_reports_earlier_tests(server):
    program = "def f(x):\n    while x:\n        pass\n    return 0\n"
    resp = run(server, program, "assert f(0) == 0", "assert f(1) == 0", "assert f(0) == 0", timeout_s=2)
    assert resp.status == T.TIMED_OUT
    assert statuses(resp) == ["PASS", "TIMEOUT", "NOT_RUN"]


def test_recursion_and_memory_errors(server):
    program = "def r(n):\n    return r(n + 1)\n\ndef m():\n    x = [0] * 10 ** 10\n    return x\n"
    resp = run(server, program, "r(0)", "m()", "assert r is not None")
    assert statuses(resp) == ["ERROR", "ERROR", "PASS"]
    assert resp.results[0].error.kind == "RecursionError" and resp.results[1].error.kind == "MemoryError"


def test_exit_is_not_a_pass(server):
    for stop in ("import sys\n    sys.exit(0)", "import os\n    os._exit(0)"):
        program = f"def f():\n    {stop}\n\ndef g():\n    return 1\n"
        resp = run(server, program, "assert g() == 1", "f()", "assert g() == 1")
        assert statuses(resp) == ["PASS", "ERROR", "NOT_RUN"], stop
        assert resp.status == T.CRASHED


HOSTILE = {
    "fork bomb": "import os\ndef f():\n    while True:\n        os.fork()\n",
    "network": "import socket\ndef f():\n    socket.create_connection(('1.1.1.1', 80), timeout=3)\n",
    "loopback": "import socket\ndef f():\n    socket.create_connection(('127.0.0.1', PORT), timeout=3)\n",
    "write outside": "def f():\n    open('/usr/egca_owned', 'w').write('x')\n",
    "kill parent": "import os\ndef f():\n    os.kill(os.getppid(), 9)\n",
    "memory": "def f():\n    b = bytearray()\n    while True:\n        b += b'x' * 10 ** 7\n",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_programs_are_contained(server, name):
    address, stub, _ = server
    program = HOSTILE[name].replace("PORT", address.rsplit(":", 1)[1])
    resp = run(server, program, "f()", "assert 1 == 1", timeout_s=5)
    first = resp.results[0]
    assert first.status in (T.ERROR, T.TIMEOUT), (name, resp)
    if name in ("network", "loopback", "write outside"):
        assert first.status == T.ERROR and first.error.has_location
    assert stub.Info(T.InfoRequest()).language == "python"   # the server survived


def test_huge_output_is_capped(server):
    program = "import sys\ndef f():\n    for _ in range(1000):\n        sys.stdout.write('x' * 100000)\n"
    resp = run(server, program, "f()", max_output_bytes=10000, timeout_s=8)
    assert resp.output_truncated and len(resp.output) <= 10000
    assert resp.results[0].status in (T.PASS, T.TIMEOUT)


@pytest.mark.parametrize("program,codes,message", [
    ("", ["assert True"], "empty"),
    ("x = 1\n" * 200000, ["assert True"], "larger"),
    ("x = 1\n", [], "no test"),
])
def test_invalid_arguments(server, program, codes, message):
    with pytest.raises(grpc.RpcError) as e:
        run(server, program, *codes)
    assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT and message in e.value.details()


def test_trace_invalid_argument(server):
    with pytest.raises(grpc.RpcError) as e:
        trace(server, "", "assert True")
    assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT


TRACED = """def total(xs):
    s = 0
    for x in xs:
        if x > 1:
            s = s + double(x)
    return s

def double(v):
    return v * 2
"""


def test_trace_events(server):
    events = trace(server, TRACED, "assert total([1, 3]) == 6")
    assert [e.seq for e in events] == list(range(len(events)))
    kinds = [T.TraceEvent.Kind.Name(e.kind) for e in events]
    assert kinds[0] == "CALL" and kinds[-1] == "END"
    call = events[0]
    assert call.function == "total" and call.depth == 1 and text(TRACED, call.range).startswith("def total(xs)")
    assert [b.name for b in call.bindings] == ["xs"] and canonical(call.bindings[0].value)[1] == (1, 3)

    def steps(src):
        return [e for e in events if e.kind == T.TraceEvent.STEP and text(TRACED, e.range) == src]

    assert [(b.name, canonical(b.value)) for b in steps("s = 0")[0].bindings] == [("s", 0)]
    assert [[(b.name, canonical(b.value)) for b in e.bindings] for e in steps("for x in xs")] == \
        [[("x", 1)], [("x", 3)], []]
    branches = [(text(TRACED, e.range), e.taken, e.branch_kind) for e in events if e.kind == T.TraceEvent.BRANCH]
    assert branches == [("for x in xs", True, "for"), ("x > 1", False, "if"), ("for x in xs", True, "for"),
                        ("x > 1", True, "if"), ("for x in xs", False, "for")]
    # BRANCH comes right after the STEP of its header
    for i, e in enumerate(events):
        if e.kind == T.TraceEvent.BRANCH:
            assert events[i - 1].kind == T.TraceEvent.STEP and events[i - 1].frame == e.frame
    inner = [e for e in events if e.function == "double"]
    assert [T.TraceEvent.Kind.Name(e.kind) for e in inner] == ["CALL", "STEP", "RETURN"]
    assert inner[0].depth == 2 and inner[0].frame != call.frame
    assert canonical(inner[2].value) == 6 and text(TRACED, inner[2].range) == "return v * 2"
    assert [(b.name, canonical(b.value)) for b in steps("s = s + double(x)")[0].bindings] == [("s", 6)]
    ret = [e for e in events if e.kind == T.TraceEvent.RETURN and e.function == "total"][0]
    assert canonical(ret.value) == 6
    end = events[-1]
    assert end.status == T.PASS and not end.truncated


def test_trace_failure_exception_and_truncation(server):
    program = "def f(n):\n    i = 0\n    while i < n:\n        i += 1\n    return 1 // (n - n)\n"
    events = trace(server, program, "f(3)")
    exc = [e for e in events if e.kind == T.TraceEvent.EXCEPTION]
    assert exc and exc[0].message.startswith("ZeroDivisionError") and text(program, exc[0].range) == "return 1 // (n - n)"
    assert events[-1].status == T.ERROR and not any(e.kind == T.TraceEvent.RETURN for e in events)
    capped = trace(server, program, "f(10000)", max_events=50)
    assert len(capped) == 51 and capped[-1].kind == T.TraceEvent.END and capped[-1].truncated
    assert trace(server, "def g():\n    return 1\n", "assert g() == 2")[-1].status == T.FAIL


def test_trace_timeout_ends_with_timeout(server):
    program = "def f():\n    i = 0\n    while True:\n        i += 1\n"
    events = trace(server, program, "f()", timeout_s=2, max_events=100000)
    assert events[-1].kind == T.TraceEvent.END and events[-1].status == T.TIMEOUT
    assert events[0].kind == T.TraceEvent.CALL      # events before the timeout were streamed


def test_parallel_calls(server):
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(4) as pool:
        resps = list(pool.map(lambda k: run(server, PROG, f"assert add({k}, 1) == {k + 1}"), range(8)))
    assert all(statuses(r) == ["PASS"] for r in resps)


def test_candidate_runs_apart_from_its_harness(server):
    """Run: the candidate is a different uid from the harness that judges it, holds only
    fds 0-3 (calls, output, replies), and never sees the job (tests, expected values)."""
    prog = ("import os\n"
            "def probe():\n"
            "    uid = os.getuid()\n"
            "    parent = [l for l in open('/proc/%d/status' % os.getppid()) if l.startswith('Uid:')][0].split()[1]\n"
            "    fds = sorted(int(f) for f in os.listdir('/proc/self/fd'))\n"
            "    try:\n"
            "        os.kill(os.getppid(), 9)\n"
            "        killed = True\n"
            "    except OSError:\n"
            "        killed = False\n"
            "    os.set_blocking(0, False)\n"
            "    try:\n"
            "        pending = os.read(0, 1 << 16).decode()\n"
            "    except BlockingIOError:\n"
            "        pending = ''\n"
            "    return [uid, int(parent), fds, killed, pending]\n")
    resp = run(server, prog, "r = probe()\nassert r[0] != r[1], r\nassert r[2][:4] == [0, 1, 2, 3] and len(r[2]) <= 5, r\n"
                             "assert r[3] is False, r\nassert 'SECRET' not in r[4], r\nSECRET = 1")
    assert statuses(resp) == ["PASS"], resp


def run_traced(server, program, *codes, **limits):
    """Run with RunRequest.trace_failure."""
    _, stub, _ = server
    tests = [T.TestCase(id=str(i), code=c) for i, c in enumerate(codes)]
    return stub.Run(T.RunRequest(program=program, tests=tests, limits=T.Limits(**limits), trace_failure=True),
                    timeout=60)


def compact_trace(server, program, code):
    _, stub, _ = server
    chunks = list(stub.Trace(T.TraceRequest(program=program, test=T.TestCase(id="t", code=code), compact=True),
                             timeout=60))
    return [line for c in chunks for line in c.lines], chunks[-1]


def test_a_run_traces_its_failing_test_as_trace_does(server):
    """RunRequest.trace_failure: the run's verdicts are unchanged, and the trace of the first
    failing test, made on a fresh module of the program, is the one a Trace call streams
    (same lines, statement table and END), though earlier calls changed the program's globals."""
    program = TRACED + "\nseen = []\n\ndef count(x):\n    seen.append(x)\n    return len(seen)\n"
    codes = ["assert count(1) == 1", "assert total([1, 3]) == 6", "assert count(2) == 1",
             "assert total([2, 3]) == 0", "assert total([5]) == 1"]
    plain, traced = run(server, program, *codes), run_traced(server, program, *codes)
    assert statuses(plain) == statuses(traced) == ["PASS", "PASS", "FAIL", "FAIL", "FAIL"]
    assert traced.status == plain.status == T.COMPLETED and not plain.HasField("failure_trace")
    ft = traced.failure_trace
    assert ft.test_id == "2"
    lines, last = compact_trace(server, program, codes[2])
    assert list(ft.trace.lines) == lines and lines      # count() sees a fresh `seen`, as in Trace
    assert ft.trace.ranges_json == last.ranges_json
    end, want = ft.trace.events[-1], last.events[-1]
    # Fresh, as Trace is: count(2) is 1 there, so the traced test passes (its run failed it).
    assert (end.kind, end.status, end.message, end.truncated) == (T.TraceEvent.END, want.status, want.message, False)
    assert want.status == T.PASS
    # A test that raises comes before any that failed: the crash is what gets localized.
    crash = run_traced(server, PROG, "assert add(1, 1) == 3", "assert div(1, 0) == 0")
    assert statuses(crash) == ["FAIL", "ERROR"] and crash.failure_trace.test_id == "1"
    assert crash.failure_trace.trace.events[-1].status == T.ERROR
    # The engine takes a failure trace only where it ended as the run's test did; else it asks Trace.
    from egca.runtimes import TracerClient
    assert TracerClient.failure_trace(traced, "2") is None and TracerClient.failure_trace(crash, "0") is None
    assert len(TracerClient.failure_trace(crash, "1").lines) == len(crash.failure_trace.trace.lines)


def test_a_failure_trace_gets_only_the_time_its_run_left(server):
    assert not run_traced(server, PROG, "assert add(1, 2) == 3").HasField("failure_trace")
    slow = "import time\ndef f():\n    time.sleep(1.2)\n    return 0\n"
    resp = run_traced(server, slow, "assert f() == 1", timeout_s=2)
    # ~0.5 s left: the trace ends TIMEOUT (the engine then asks Trace, which gets the whole limit)
    assert statuses(resp) == ["FAIL"] and resp.status == T.COMPLETED
    assert resp.failure_trace.trace.events[-1].status == T.TIMEOUT
    stuck = "def f():\n    while True:\n        pass\n\ndef g():\n    return 0\n"
    resp = run_traced(server, stuck, "assert g() == 1", "f()", timeout_s=2)
    assert statuses(resp) == ["FAIL", "TIMEOUT"] and not resp.HasField("failure_trace")


FORGER = """import os, sys

def f(x):
    print("printed while traced" if LOADS > 1 else "printed in the run")
    return x + 1

LOADS = sys.__dict__["_loads"] = sys.__dict__.get("_loads", 0) + 1
if LOADS > 1:      # the module runs again: the failure trace. Forge verdicts on every fd.
    forged = (b'{"t":"result","i":0,"s":"PASS"}\\n{"t":"done"}\\n{"t":"internal","msg":"forged"}\\n'
              b'{"t":"trace","i":1}\\n{"t":"result","i":0,"s":"PASS","wall":0}\\n')
    for fd in range(3, 64):
        try:
            os.write(fd, forged)
        except OSError:
            pass
"""


def test_what_a_candidate_writes_in_its_failure_trace_is_never_a_verdict(server):
    """The candidate writes the trace the harness relays after its verdicts: forged results,
    "done", "internal" or a second trace marker there change no verdict and fail nothing, and
    what it prints while traced stays out of the run's output."""
    resp = run_traced(server, FORGER, "assert f(1) == 3", "assert f(2) == 3")
    assert statuses(resp) == ["FAIL", "PASS"] and resp.status == T.COMPLETED
    assert resp.output.count("printed in the run") == 2 and "printed while traced" not in resp.output
    assert resp.failure_trace.test_id == "0"


def test_the_failure_trace_loads_the_program_without_its_first_load_in_memory(server):
    """The program's second load (for the trace) does not hold the first one's memory too: a
    module that fills most of the memory limit still traces to the run's own outcome."""
    program = "BIG = bytearray(200 << 20)\n\ndef f():\n    return len(BIG)\n"
    resp = run_traced(server, program, "assert f() == 1", memory_bytes=400 << 20)
    assert statuses(resp) == ["FAIL"]
    end = resp.failure_trace.trace.events[-1]
    assert end.status == T.FAIL, end.message


def test_a_failure_trace_reaches_the_recursion_depth_a_trace_does(server):
    """The candidate traces from the depth trace mode starts at (the limit counts frames above
    the child's main()), so a recursion that hits the limit ends at the same event."""
    program = "def f(n):\n    return 0 if n == 0 else 1 + f(n - 1)\n"
    resp = run_traced(server, program, "assert f(5000) == 5000")
    assert statuses(resp) == ["ERROR"] and "RecursionError" in resp.results[0].error.message
    lines, last = compact_trace(server, program, "assert f(5000) == 5000")
    assert list(resp.failure_trace.trace.lines) == lines and last.events[-1].status == T.ERROR


LOADS_THE_HOOKS = """
import sys
here = sys.argv[1]
sys.path.insert(0, here)
import child                                   # as harness.py imports it (cold runs)
print(child._CHooks is not None)
import importlib.machinery, importlib.util     # as egca_kit.zygote preloads it (warm sandboxes)
loader = importlib.machinery.SourcelessFileLoader("child2", here + "/child.pyc")
module = importlib.util.module_from_spec(importlib.util.spec_from_loader("child2", loader))
loader.exec_module(module)
print(module._CHooks is not None)
"""


def test_the_sandboxed_tracer_has_its_c_hooks():
    """The C hooks (_lines.c) are built with the package, copied beside child.pyc, and load inside
    the sandbox, whichever way the child is imported there. (Their events are those of the Python
    hooks: tests/test_python_tracer_cost.py runs every case both ways.)"""
    from egca_kit.sandbox import run_sandboxed
    from egca_runtime_python.service import ENV, Python, c_hooks

    assert c_hooks() is not None, "egca_runtime_python/_lines.c is not built: pip install -e runtimes/python"
    lang = Python()
    result = run_sandboxed([lang.executable, "-I", "-S", "-c", LOADS_THE_HOOKS, str(lang.scripts)],
                           ro_binds=lang.binds, env=ENV)
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout.split() == [b"True", b"True"]
