"""The C Tracer service, for real: a server on loopback, gcc and programs in the sandbox."""

from __future__ import annotations

import subprocess
import sys

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from egca_kit.server import wait_until_serving
from egca_kit.v1 import tracer_pb2, tracer_pb2_grpc

TS = tracer_pb2.TestStatus
EV = tracer_pb2.TraceEvent


@pytest.fixture(scope="module")
def address():
    proc = subprocess.Popen([sys.executable, "-m", "egca_runtime_c", "--host", "127.0.0.1", "--port", "0"],
                            stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)
    line = proc.stdout.readline().decode().strip()
    assert line.startswith("PORT "), line
    addr = f"127.0.0.1:{int(line.split()[1])}"
    wait_until_serving(addr, timeout_s=60)
    yield addr
    proc.terminate()
    try:
        proc.wait(timeout=10)      # the server stops on SIGTERM, even under load (see __main__)
    finally:
        if proc.poll() is None:
            proc.kill()            # never leave a server behind
            proc.wait()


@pytest.fixture(scope="module")
def stub(address):
    with grpc.insecure_channel(address) as ch:
        yield tracer_pb2_grpc.TracerStub(ch)


def run(stub, program, *tests, timeout_s=3.0, memory_bytes=0):
    req = tracer_pb2.RunRequest(program=program, limits=tracer_pb2.Limits(timeout_s=timeout_s,
                                                                          memory_bytes=memory_bytes))
    for i, code in enumerate(tests):
        req.tests.add(id=str(i), code=code)
    return stub.Run(req, timeout=120)


def trace(stub, program, test, max_events=0, timeout_s=3.0):
    req = tracer_pb2.TraceRequest(program=program, test=tracer_pb2.TestCase(id="t", code=test),
                                  limits=tracer_pb2.Limits(timeout_s=timeout_s, max_events=max_events))
    return [e for chunk in stub.Trace(req, timeout=120) for e in chunk.events]


def text(program: str, r) -> str:
    return program.encode()[r.start_byte:r.end_byte].decode()


def binds(ev) -> dict:
    from egca.values import canonical
    return {b.name: canonical(b.value) for b in ev.bindings}


# ---------------------------------------------------------------- service basics

def test_health_reflection_and_info(address, stub):
    with grpc.insecure_channel(address) as ch:
        reply = health_pb2_grpc.HealthStub(ch).Check(health_pb2.HealthCheckRequest(service="egca.v1.Tracer"))
        assert reply.status == health_pb2.HealthCheckResponse.SERVING
        refl = reflection_pb2_grpc.ServerReflectionStub(ch)
        answers = list(refl.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")])))
        names = {s.name for s in answers[0].list_services_response.service}
        assert "egca.v1.Tracer" in names
    info = stub.Info(tracer_pb2.InfoRequest())
    assert info.language == "c"
    assert info.language_version.startswith("gcc ")
    assert "rlimits" in info.isolation
    assert info.default_limits.timeout_s > 0 and info.runtime_version


@pytest.mark.parametrize("make", [
    lambda s: s.Run(tracer_pb2.RunRequest(program="", tests=[tracer_pb2.TestCase(id="0", code="assert(1);")])),
    lambda s: s.Run(tracer_pb2.RunRequest(program="int f(void) { return 1; }\n")),
    lambda s: list(s.Trace(tracer_pb2.TraceRequest(program="int f(void) { return 1; }\n"))),
    lambda s: list(s.Trace(tracer_pb2.TraceRequest(program="int f(void) { return 1 }\n",
                                                   test=tracer_pb2.TestCase(id="0", code="f();")))),
])
def test_bad_input_is_invalid_argument(stub, make):
    with pytest.raises(grpc.RpcError) as e:
        make(stub)
    assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT


# ---------------------------------------------------------------- compile errors

def test_compile_error_points_at_the_token(stub):
    program = "int f(int x) {\n    int y = x +* ;\n    return y;\n}\n"
    r = run(stub, program, "assert(f(1) == 1);")
    assert r.status == tracer_pb2.COMPILE_ERROR
    loc = r.compile_error.location
    assert r.compile_error.has_location and loc.start_line == 2 and text(program, loc) == ";"
    assert [t.status for t in r.results] == [TS.NOT_RUN]


def test_missing_semicolon_and_utf8_columns(stub):
    # A multi-byte comment before the error: locations are bytes, not characters.
    program = "int f(int x) {\n    /* é✓ */ int y = x\n    return y;\n}\n"
    r = run(stub, program, "assert(f(1) == 1);")
    assert r.status == tracer_pb2.COMPILE_ERROR
    loc = r.compile_error.location
    assert loc.start_line in (2, 3)
    assert text(program, loc) in ("x", "return")


def test_undefined_function_is_a_compile_error_at_the_call(stub):
    program = "int g(int x);\nint f(int x) {\n    return g(x) + 1;\n}\n"
    r = run(stub, program, "assert(f(1) == 2);")
    assert r.status == tracer_pb2.COMPILE_ERROR
    assert "g" in r.compile_error.message and text(program, r.compile_error.location) == "g(x)"


def test_program_with_its_own_main_still_runs(stub):
    program = "#include <stdio.h>\nint f(int x) { return x + 1; }\nint main(void) { printf(\"%d\", f(1)); return 0; }\n"
    r = run(stub, program, "assert(f(1) == 2);")
    assert [t.status for t in r.results] == [TS.PASS]


# ---------------------------------------------------------------- run outcomes

PROG = """#include <string.h>
int div_(int a, int b) {
    return a / b;
}
int check(int x) {
    assert(x > 0);
    return x;
}
int deref(int *p) {
    int v = *p;
    return v;
}
int spin(int n) {
    while (n > 0) { n = n % 7 + 1; }   /* never ends (n + 1 would wrap around) */
    return n;
}
"""


def test_run_pass_fail_error_timeout_not_run(stub):
    r = run(stub, PROG, "assert(div_(6, 3) == 2);", "assert(div_(6, 3) == 3);", "check(-1);",
            "deref(NULL);", "spin(1);", "assert(div_(1, 1) == 1);", timeout_s=2.0)
    st = [t.status for t in r.results]
    assert st == [TS.PASS, TS.FAIL, TS.ERROR, TS.ERROR, TS.TIMEOUT, TS.NOT_RUN]
    assert r.status == tracer_pb2.TIMED_OUT
    assert r.results[1].error.kind == "AssertionError" and not r.results[1].error.has_location
    assert text(PROG, r.results[2].error.location) == "assert(x > 0);"       # assert in program code: ERROR
    assert r.results[3].error.kind == "SIGSEGV"
    assert text(PROG, r.results[3].error.location) == "int v = *p;"
    assert text(PROG, r.results[4].error.location) in ("n = n % 7 + 1;", "while (n > 0)")


def test_sigfpe_and_segfault_do_not_stop_later_tests(stub):
    r = run(stub, PROG, "div_(1, 0);", "deref(NULL);", "assert(div_(4, 2) == 2);")
    assert [t.status for t in r.results] == [TS.ERROR, TS.ERROR, TS.PASS]
    assert r.results[0].error.kind == "SIGFPE" and text(PROG, r.results[0].error.location) == "return a / b;"
    assert r.status == tracer_pb2.COMPLETED


def test_crash_in_test_code_after_the_program_returned_is_a_fail(stub):
    program = "#include <stdlib.h>\nchar *name(int x) { if (x) return NULL; return \"a\"; }\n"
    r = run(stub, program, "assert(name(1)[0] == 'a');")
    assert r.results[0].status == TS.FAIL and r.results[0].error.kind == "SIGSEGV"


# ---------------------------------------------------------------- trace semantics

SUM = """int sum_to(int n) {
    int total = 0;
    int unused;
    for (int i = 1; i <= n; i++) {
        if (i % 2 == 0)
            total += i;
    }
    return total;
}
"""


def test_trace_loop_branch_and_return_events(stub):
    evs = trace(stub, SUM, "assert(sum_to(3) == 2);")
    assert [e.seq for e in evs] == list(range(len(evs)))
    call = evs[0]
    assert call.kind == EV.CALL and call.function == "sum_to" and call.depth == 1 and binds(call) == {"n": 3}
    assert text(SUM, call.range) == "int sum_to(int n)"
    got = [(EV.Kind.Name(e.kind), text(SUM, e.range), binds(e) if e.kind == EV.STEP else e.taken)
           for e in evs[1:-2]]
    assert got == [
        ("STEP", "int total = 0;", {"total": 0}),
        ("STEP", "int unused;", {}),                       # declared, not assigned: not a binding yet
        ("STEP", "for (int i = 1; i <= n; i++)", {"i": 1}),
        ("BRANCH", "i <= n", True),
        ("STEP", "if (i % 2 == 0)", {}),
        ("BRANCH", "i % 2 == 0", False),
        ("STEP", "for (int i = 1; i <= n; i++)", {"i": 2}),
        ("BRANCH", "i <= n", True),
        ("STEP", "if (i % 2 == 0)", {}),
        ("BRANCH", "i % 2 == 0", True),
        ("STEP", "total += i;", {"total": 2}),
        ("STEP", "for (int i = 1; i <= n; i++)", {"i": 3}),
        ("BRANCH", "i <= n", True),
        ("STEP", "if (i % 2 == 0)", {}),
        ("BRANCH", "i % 2 == 0", False),
        ("STEP", "for (int i = 1; i <= n; i++)", {"i": 4}),
        ("BRANCH", "i <= n", False),
        ("STEP", "return total;", {}),
    ]
    assert evs[1 + 3].branch_kind == "for" and evs[1 + 5].branch_kind == "if"
    ret, end = evs[-2], evs[-1]
    assert ret.kind == EV.RETURN and ret.value.int_value == "2" and text(SUM, ret.range) == "return total;"
    assert end.kind == EV.END and end.status == TS.PASS and not end.truncated


def test_trace_arrays_strings_structs_and_heap(stub):
    program = """#include <stdlib.h>
#include <string.h>
typedef struct { int x; double y; char tag[4]; } pt;
pt make(const int *a, int n, const char *s) {
    int buf[3];
    buf[0] = a[0];
    char word[8] = "hi";
    word[0] = s[0];
    int *heap = malloc(2 * sizeof(int));
    heap[1] = n;
    pt p = {n, 0.5, "ab"};
    free(heap);
    return p;
}
"""
    evs = trace(stub, program, 'int a[] = {7, 8}; pt p = make(a, 2, "zz"); assert(p.x == 2);')
    assert binds(evs[0]) == {"a": ("list", (7, 8), -1), "n": 2, "s": "zz"}
    steps = {text(program, e.range): binds(e) for e in evs if e.kind == EV.STEP}
    assert steps["buf[0] = a[0];"] == {"buf": ("list", (7, 0, 0), -1)}
    assert steps['char word[8] = "hi";'] == {"word": "hi"}
    assert steps["word[0] = s[0];"] == {"word": "zi"}
    assert steps["int *heap = malloc(2 * sizeof(int));"] == {"heap": ("list", (0, 0), -1)}
    assert steps["heap[1] = n;"] == {"heap": ("list", (0, 2), -1)}
    p = steps['pt p = {n, 0.5, "ab"};']["p"]
    assert p[0] == "obj" and p[1] == "pt" and dict(p[2]) == {"x": 2, "y": 0.5, "tag": "ab"}
    assert evs[-1].status == TS.PASS


def test_trace_reports_changes_made_through_aliases_and_calls(stub):
    # A STEP re-encodes only what the statement may write: its named targets, and
    # every memory-backed binding when it writes through a pointer or calls a function.
    program = """void bump(int *p) {
    *p += 1;
}
int f(int n) {
    int a[3] = {0, 0, 0};
    int *q = a;
    int x = 0;
    int y = 5;
    q[1] = 7;
    bump(&x);
    bump(&a[2]);
    y = y;
    n = n + 0;
    return a[1] + x + y + n;
}
"""
    evs = trace(stub, program, "assert(f(1) == 14);")
    steps = {text(program, e.range): binds(e) for e in evs if e.kind == EV.STEP and e.function == "f"}
    assert steps["q[1] = 7;"] == {"a": ("list", (0, 7, 0), -1)}
    assert steps["bump(&x);"] == {"x": 1}
    assert steps["bump(&a[2]);"] == {"a": ("list", (0, 7, 1), -1)}
    assert steps["y = y;"] == {} and steps["n = n + 0;"] == {}
    assert evs[-1].status == TS.PASS


def test_trace_shows_out_parameters_as_their_values(stub):
    program = """void sum_product(const int *xs, int n, int *sum, long long *product) {
    *sum = 0;
    *product = 1;
    for (int i = 0; i < n; i++) {
        *sum += xs[i];
        *product *= xs[i];
    }
}
"""
    evs = trace(stub, program, "int s = -1; long long p = -1; sum_product((int[]){2, 3}, 2, &s, &p); "
                               "assert(s == 5 && p == 6);")
    assert binds(evs[0]) == {"xs": ("list", (2, 3), -1), "n": 2, "sum": -1, "product": -1}
    steps = [(text(program, e.range), binds(e)) for e in evs if e.kind == EV.STEP]
    assert steps[0] == ("*sum = 0;", {"sum": 0}) and steps[1] == ("*product = 1;", {"product": 1})
    assert ("*sum += xs[i];", {"sum": 5}) in steps and ("*product *= xs[i];", {"product": 6}) in steps
    assert evs[-1].status == TS.PASS


def test_trace_survives_pointers_into_freed_memory(stub):
    # A dangling pointer to a large freed block (unmapped by free) is re-read after the
    # free: the read must not fault; the value becomes opaque, the test still passes.
    program = """#include <stdlib.h>
#include <string.h>
int g(int n) {
    char *s = malloc(4 << 20);
    strcpy(s, "hello");
    char *t = s;
    int k = (int)strlen(t);
    free(s);
    k = k + n;
    return k;
}
"""
    evs = trace(stub, program, "assert(g(1) == 6);")
    steps = {text(program, e.range): binds(e) for e in evs if e.kind == EV.STEP}
    assert steps["char *t = s;"] == {"t": "hello"}
    assert evs[-1].status == TS.PASS, evs[-1].message


def test_trace_recursion_frames_and_depth(stub):
    program = "int fact(int n) {\n    if (n <= 1) return 1;\n    return n * fact(n - 1);\n}\n"
    evs = trace(stub, program, "assert(fact(3) == 6);")
    calls = [(e.depth, binds(e)["n"]) for e in evs if e.kind == EV.CALL]
    assert calls == [(1, 3), (2, 2), (3, 1)]
    rets = [(e.depth, int(e.value.int_value)) for e in evs if e.kind == EV.RETURN]
    assert rets == [(3, 1), (2, 2), (1, 6)]
    assert len({e.frame for e in evs if e.kind == EV.CALL}) == 3


def test_trace_do_while_switch_braceless(stub):
    program = """int f(int x) {
    int r = 0;
    do x--; while (x > 0);
    switch (r) { case 0: r = 5; break; default: r = 1; }
    while (r > 3) r--;
    return r ? r : -1;
}
"""
    evs = trace(stub, program, "assert(f(2) == 3);")
    branches = [(text(program, e.range), e.taken, e.branch_kind) for e in evs if e.kind == EV.BRANCH]
    assert branches == [("x > 0", True, "while"), ("x > 0", False, "while"),
                        ("r > 3", True, "while"), ("r > 3", True, "while"), ("r > 3", False, "while")]
    assert evs[-1].status == TS.PASS


def test_trace_error_ends_with_exception_at_the_statement(stub):
    evs = trace(stub, PROG, "deref(NULL);")
    assert evs[-2].kind == EV.EXCEPTION and text(PROG, evs[-2].range) == "int v = *p;"
    assert evs[-1].kind == EV.END and evs[-1].status == TS.ERROR and "SIGSEGV" in evs[-1].message


def test_trace_is_capped_and_deterministic(stub):
    evs = trace(stub, PROG, "spin(1);", max_events=50, timeout_s=1.0)
    assert len(evs) == 51 and evs[-1].kind == EV.END and evs[-1].truncated and evs[-1].status == TS.TIMEOUT
    a = trace(stub, SUM, "assert(sum_to(5) == 6);")
    b = trace(stub, SUM, "assert(sum_to(5) == 6);")
    assert [x.SerializeToString() for x in a] == [x.SerializeToString() for x in b]


def test_trace_after_run_reuses_the_binary_and_matches_a_fresh_build(stub):
    # The Trace of a test that a Run of the same program included runs that binary
    # by the test's index; the events are those of a binary built for the test alone.
    tests = ("assert(sum_to(3) == 2);", "assert(sum_to(5) == 6);", "assert(sum_to(4) == 6);")
    r = run(stub, SUM, *tests)
    assert [t.status for t in r.results] == [TS.PASS] * 3
    reused = trace(stub, SUM, tests[1])
    fresh = trace(stub, SUM + "\n", tests[1])         # another program: compiled for this Trace
    assert [e.SerializeToString() for e in reused] == [e.SerializeToString() for e in fresh]
    assert reused[0].kind == EV.CALL and binds(reused[0]) == {"n": 5}


# ---------------------------------------------------------------- hostile programs

HOSTILE = """#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
int bomb(void) {
    for (;;) { char *p = malloc(1 << 20); if (!p) return -1; memset(p, 1, 1 << 20); }
}
int forks(void) {
    int n = 0;
    for (int i = 0; i < 1000; i++) { if (fork() == 0) { for (;;) {} } else n++; }
    return n;
}
int shell(void) { return system("echo pwned > /tmp/egca_pwned"); }
int net(void) {
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET; a.sin_port = htons(80); a.sin_addr.s_addr = inet_addr("1.1.1.1");
    return connect(s, (struct sockaddr *)&a, sizeof a);
}
int deep(int n) { volatile char pad[256]; pad[0] = (char)n; return deep(n + 1) + pad[0]; }
int write_etc(void) { FILE *f = fopen("/etc/egca_x", "w"); return f != NULL; }
"""


def test_hostile_programs_are_contained(stub):
    # One Run per hostile program: a Run's clock covers all its tests, so on a loaded
    # machine one slow program (the memory bomb, the forks) could push the later ones
    # past a shared deadline and make them TIMEOUT/NOT_RUN; each gets its own clock.
    # The clock is generous because this checks containment, not speed.
    def one(test: str):
        r = run(stub, HOSTILE, test, timeout_s=10.0, memory_bytes=256 << 20)
        assert len(r.results) == 1
        return r.results[0]

    bomb = one("assert(bomb() == -1);")
    assert bomb.status in (TS.PASS, TS.ERROR)      # malloc returns NULL under the memory limit (or dies)
    assert one("forks();").status in (TS.PASS, TS.TIMEOUT, TS.ERROR)
    one("shell();")
    assert one("assert(net() == -1);").status == TS.PASS           # no network
    deep = one("deep(0);")
    assert deep.status == TS.ERROR and deep.error.kind == "SIGSEGV"  # stack overflow
    assert one("assert(write_etc() == 0);").status == TS.PASS     # the system directories are read-only
    import os
    assert not os.path.exists("/tmp/egca_pwned")
    # the forked processes did not take the runtime down: a run of all of them, then a plain test
    r = run(stub, HOSTILE, "forks();", "assert(1);", timeout_s=10.0, memory_bytes=256 << 20)
    assert r.results[1].status == TS.PASS
    assert stub.Info(tracer_pb2.InfoRequest()).language == "c"   # the server is still up


NO_PROCESSES = """#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>
static void *work(void *p) { *(int *)p = 42; return NULL; }
int spawn(void) { pid_t p = fork(); if (p == 0) _exit(0); return p < 0 && errno == EPERM; }
int shell(void) { return system("exit 3"); }
int thread(void) {
    int v = 0;
    pthread_t t;
    if (pthread_create(&t, NULL, work, &v)) return -1;
    pthread_join(t, NULL);
    return v;
}
"""


def test_a_program_starts_no_process_but_may_start_threads(stub):
    """A process the program started could outlive its call and write into the reply
    pipe while the harness reads it, so a verdict would hang on scheduling: in a Run's
    call and in a Trace's test, fork() fails (EPERM), system() cannot start its shell,
    and threads still work."""
    tests = ["assert(spawn() == 1);", "assert(shell() != 3 << 8);", "assert(thread() == 42);"]
    assert [r.status for r in run(stub, NO_PROCESSES, *tests).results] == [TS.PASS] * 3
    for code in tests:
        end = trace(stub, NO_PROCESSES, code)[-1]
        assert (end.kind, end.status) == (EV.END, TS.PASS), (code, end.message)


# ---------------------------------------------------------------- the failing test traced inside Run

TRACED = """#include <stdlib.h>
int calls;
int *evens(int n) { int *a = malloc(n * sizeof *a); for (int i = 0; i < n; i++) a[i] = 2 * i; return a; }
int total(const int *a, int n) {
    int s = 0;
    for (int i = 0; i < n; i++) s += a[i];
    calls++;
    return s + calls - 1;
}
int first(const int *a) { int *p = 0; if (a[0] > 2) return *p; return a[0]; }
"""


def run_traced(stub, program, *tests, timeout_s=3.0, max_events=0):
    req = tracer_pb2.RunRequest(program=program, trace_failure=True,
                                limits=tracer_pb2.Limits(timeout_s=timeout_s, max_events=max_events))
    for i, code in enumerate(tests):
        req.tests.add(id=str(i), code=code)
    return stub.Run(req, timeout=120)


def compact_trace(stub, program, code):
    chunks = list(stub.Trace(tracer_pb2.TraceRequest(program=program, test=tracer_pb2.TestCase(id="t", code=code),
                                                     compact=True), timeout=120))
    return [line for c in chunks for line in c.lines], chunks[-1]


def test_a_run_traces_its_failing_test_as_trace_does(stub):
    """RunRequest.trace_failure: the verdicts are those of a plain Run, and the trace of the
    failing test, made through the candidate's own shared object after them, is what a Trace
    call streams (lines, statement table, END): the program's globals live on across the
    test's calls, as in Trace, and the test's heap blocks show as Trace shows them."""
    codes = ["assert(total((int[]){1, 2}, 2) == 3);",
             "int *a = malloc(4 * sizeof *a); for (int i = 0; i < 4; i++) a[i] = i;\n"
             "int s = total(a, 4); free(a); int *e = evens(3); int t = total(e, 3); free(e); assert(s + t == 14);",
             "assert(first((int[]){1}) == 1);"]
    plain, traced = run(stub, TRACED, *codes), run_traced(stub, TRACED, *codes)
    assert [r.status for r in plain.results] == [r.status for r in traced.results] == [TS.PASS, TS.FAIL, TS.PASS]
    assert not plain.HasField("failure_trace") and plain.output == traced.output
    ft = traced.failure_trace
    assert ft.test_id == "1"
    lines, last = compact_trace(stub, TRACED, codes[1])
    assert list(ft.trace.lines) == lines and len(lines) > 10
    assert ft.trace.ranges_json == last.ranges_json
    end, want = ft.trace.events[-1], last.events[-1]
    assert (end.kind, end.status, end.message) == (EV.END, want.status, want.message) == (
        EV.END, TS.FAIL, "AssertionError: assertion failed: s + t == 14")
    # total()'s second call returns 7: it saw the first call's global, as in Trace (a Run's call: 6)
    assert lines[-1].startswith(b'["R"') and lines[-1].endswith(b",7]")
    # A crash comes before an earlier failure: that is the test the engine localizes.
    crash = run_traced(stub, TRACED, "assert(total((int[]){1}, 1) == 2);", "assert(first((int[]){3}) == 3);")
    assert [r.status for r in crash.results] == [TS.FAIL, TS.ERROR] and crash.failure_trace.test_id == "1"
    lines, last = compact_trace(stub, TRACED, "assert(first((int[]){3}) == 3);")
    end = crash.failure_trace.trace.events[-1]
    assert list(crash.failure_trace.trace.lines) == lines
    assert (end.status, end.message, text(TRACED, end.range)) == (TS.ERROR, "SIGSEGV: SIGSEGV in the program", "return *p;")
    # Nothing to trace: every test passed, or the run's time ran out.
    assert not run_traced(stub, TRACED, codes[0]).HasField("failure_trace")
    stuck = TRACED + "int spin(void) { for (;;) {} }\n"
    resp = run_traced(stub, stuck, codes[1], "spin();", timeout_s=1.5)
    assert [r.status for r in resp.results] == [TS.FAIL, TS.TIMEOUT] and not resp.HasField("failure_trace")


def test_a_failure_trace_gets_only_the_time_its_run_left(stub):
    slow = "#include <unistd.h>\nint f(void) { usleep(1200000); return 0; }\n"
    resp = run_traced(stub, slow, "assert(f() == 1);", timeout_s=2)
    # ~0.8 s left: the trace ends TIMEOUT (the engine then asks Trace, which gets the whole limit)
    assert [r.status for r in resp.results] == [TS.FAIL] and resp.status == tracer_pb2.COMPLETED
    assert resp.failure_trace.trace.events[-1].status == TS.TIMEOUT


C_FORGER = """#include <stdio.h>
#include <string.h>
#include <unistd.h>
int calls;
int f(int x) {
    printf(calls ? "printed while traced\\n" : "printed in the run\\n");
    fflush(stdout);
    if (calls++) {    /* a second call in one process: the failure trace. Forge verdicts on every fd. */
        const char *forged = "{\\"t\\":\\"result\\",\\"i\\":0,\\"s\\":\\"PASS\\"}\\n{\\"t\\":\\"done\\"}\\n"
            "{\\"t\\":\\"internal\\",\\"msg\\":\\"forged\\"}\\n{\\"t\\":\\"trace\\",\\"i\\":1}\\n"
            "{\\"t\\":\\"result\\",\\"i\\":0,\\"s\\":\\"PASS\\",\\"wall\\":0}\\n";
        for (int fd = 0; fd < 64; fd++) write(fd, forged, strlen(forged));
    }
    return x + 1;
}
"""


def test_what_a_candidate_writes_in_its_failure_trace_is_never_a_verdict(stub):
    """Each call of a Run is a fresh process, so only the failure trace sees a second call:
    the forged results, "done", "internal" and trace marker it writes then change no verdict
    and fail nothing, and what it prints while traced stays out of the run's output."""
    resp = run_traced(stub, C_FORGER, "assert(f(1) == 2 && f(1) == 3);", "assert(f(2) == 3);")
    assert [r.status for r in resp.results] == [TS.FAIL, TS.PASS]
    assert resp.status == tracer_pb2.COMPLETED and resp.failure_trace.test_id == "0"
    assert resp.output.count("printed in the run") == 3 and "printed while traced" not in resp.output


def test_a_failure_trace_much_slower_than_its_run_is_cut_short(stub):
    """A trace gets at most 0.5 s + 4x its test's time in the run, not all the run's time left:
    one that runs away (here: a second call in one process, which a Run never makes) is not
    the run it repeats, and the engine asks Trace instead."""
    program = "int calls;\nint f(int x) { if (calls++) for (;;) {} return x + 1; }\n"
    resp = run_traced(stub, program, "assert(f(1) == 2 && f(1) == 3);", timeout_s=10.0)
    assert [r.status for r in resp.results] == [TS.FAIL]
    end = resp.failure_trace.trace.events[-1]
    assert end.status == TS.TIMEOUT and end.message.startswith("Timeout: the test did not finish within ")
    assert float(end.message.rsplit(" ", 1)[1].rstrip("s")) < 1.0     # the trace's budget, not the 10 s
