"""The C++ Tracer service, for real: a server on loopback, g++ and programs in the sandbox,
the trusted Run harness (values across the call boundary, copy-back, seeded randomness,
candidates that die, hang or crash) and Trace (events with structured STL values)."""

from __future__ import annotations

import json
import subprocess
import sys

import grpc
import pytest

from egca_kit.conformance import _plain
from egca_kit.server import wait_until_serving
from egca_kit.v1 import tracer_pb2, tracer_pb2_grpc

TS = tracer_pb2.TestStatus
EV = tracer_pb2.TraceEvent
H = "#include <vector>\n#include <string>\n#include <map>\n#include <set>\nusing namespace std;\n"


@pytest.fixture(scope="module")
def address():
    proc = subprocess.Popen([sys.executable, "-m", "egca_runtime_cpp", "--host", "127.0.0.1", "--port", "0"],
                            stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)
    line = proc.stdout.readline().decode().strip()
    assert line.startswith("PORT "), line
    addr = f"127.0.0.1:{int(line.split()[1])}"
    wait_until_serving(addr, timeout_s=120)
    yield addr
    proc.terminate()
    try:
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def stub(address):
    with grpc.insecure_channel(address) as ch:
        yield tracer_pb2_grpc.TracerStub(ch)


def run(stub, program, *tests, timeout_s=5.0):
    req = tracer_pb2.RunRequest(program=program, limits=tracer_pb2.Limits(timeout_s=timeout_s))
    for i, code in enumerate(tests):
        req.tests.add(id=str(i), code=code)
    return stub.Run(req, timeout=180)


def statuses(resp) -> list[str]:
    return [TS.Name(r.status) for r in resp.results]


def trace(stub, program, test, max_events=0, timeout_s=5.0):
    req = tracer_pb2.TraceRequest(program=program, test=tracer_pb2.TestCase(id="t", code=test),
                                  limits=tracer_pb2.Limits(timeout_s=timeout_s, max_events=max_events))
    return [e for chunk in stub.Trace(req, timeout=180) for e in chunk.events]


def text(program: str, r) -> str:
    return program.encode()[r.start_byte:r.end_byte].decode()


def test_info(stub):
    info = stub.Info(tracer_pb2.InfoRequest(), timeout=30)
    assert info.language == "cpp" and info.language_version.startswith("g++")
    assert info.runtime_version.startswith("0.1.0+")


def test_structured_values_cross_the_harness_exactly(stub):
    program = H + """#include <tuple>
vector<vector<int>> grid(int n) { return vector<vector<int>>(n, vector<int>(n, n)); }
map<string, vector<double>> table() { return {{"a", {0.5, -1.25}}, {"b", {}}}; }
pair<long long, string> big() { return {1LL << 60, string("x\\0y", 3)}; }
tuple<bool, char, float> flags() { return make_tuple(true, 'q', 0.1f); }
set<int> uniq(vector<int> v) { return set<int>(v.begin(), v.end()); }
"""
    resp = run(stub, program,
               "assert(grid(2) == vector<vector<int>>({{2, 2}, {2, 2}}));",
               'map<string, vector<double>> w = {{"a", {0.5, -1.25}}, {"b", {}}};\nassert(table() == w);',
               'assert(big().first == (1LL << 60) && big().second == string("x\\0y", 3));',
               "assert(get<0>(flags()) && get<1>(flags()) == 'q' && get<2>(flags()) == 0.1f);",
               "assert(uniq({3, 1, 3}) == set<int>({1, 3}));",
               "assert(grid(1) == vector<vector<int>>({{2}}));")
    assert statuses(resp) == ["PASS"] * 5 + ["FAIL"], [r.error.message for r in resp.results]


def test_reference_parameters_are_copied_back_and_inputs_are_not(stub):
    program = H + """void fill(vector<int>& out, int n) { out.clear(); for (int i = 0; i < n; i++) out.push_back(i); }
int consume(vector<int> v) { v.push_back(9); return (int)v.size(); }
void swap_first(string& a, string& b) { char t = a[0]; a[0] = b[0]; b[0] = t; }
"""
    resp = run(stub, program,
               "vector<int> v = {7, 7, 7, 7};\nfill(v, 2);\nassert(v == vector<int>({0, 1}));",
               "vector<int> v = {1};\nassert(consume(v) == 2);\nassert(v.size() == 1);",
               'string a = "xa", b = "yb";\nswap_first(a, b);\nassert(a == "ya" && b == "xb");')
    assert statuses(resp) == ["PASS"] * 3, [r.error.message for r in resp.results]


def test_random_numbers_are_seeded_identically(stub):
    program = "#include <cstdlib>\nint first() { return rand(); }\nint second() { rand(); return rand(); }\n"
    resp = run(stub, program, "assert(first() == rand());", "int a = rand(); int b = rand();\nassert(second() == b && a != b);")
    assert statuses(resp) == ["PASS", "PASS"]


def test_candidates_that_exit_crash_or_throw_fail_located(stub):
    program = H + """#include <cstdlib>
#include <stdexcept>
int quits(int x) {
    if (x > 0)
        exit(0);
    return x;
}
int crashes(vector<int> v) {
    int* p = nullptr;
    return v[0] + *p;
}
int throws(int x) {
    int y = x * 2;
    throw std::runtime_error("boom " + std::to_string(y));
}
"""
    resp = run(stub, program, "assert(quits(1) == 1);", "assert(crashes({1}) == 1);", "assert(throws(2) == 4);",
               "assert(quits(0) == 0);")
    assert statuses(resp) == ["ERROR", "ERROR", "ERROR", "PASS"], [r.error.message for r in resp.results]
    assert text(program, resp.results[0].error.location) == "exit(0);"
    assert text(program, resp.results[1].error.location) == "return v[0] + *p;"
    assert "boom 4" in resp.results[2].error.message
    assert text(program, resp.results[2].error.location).startswith("throw std::runtime_error")


def test_a_candidate_that_hangs_times_out_and_later_tests_do_not_run(stub):
    program = "int spin(int n) {\n    while (n > 0)\n        n = n % 7 + 1;\n    return n;\n}\n"   # never ends
    resp = run(stub, program, "assert(spin(1) == 0);", "assert(spin(0) == 0);", timeout_s=2.0)
    assert statuses(resp) == ["TIMEOUT", "NOT_RUN"]
    assert resp.results[0].error.location.start_line in (2, 3)


NO_PROCESSES = """#include <cerrno>
#include <cstdlib>
#include <thread>
#include <unistd.h>
bool spawn() { pid_t p = fork(); if (p == 0) _exit(0); return p < 0 && errno == EPERM; }
int shell() { return system("exit 3"); }
int in_thread() { int v = 0; std::thread t([&v] { v = 42; }); t.join(); return v; }
"""


def test_a_program_starts_no_process_but_may_start_threads(stub):
    """As in C: in a Run's call and in a Trace's test, fork() fails (EPERM), system()
    cannot start its shell, and std::thread still works."""
    tests = ["assert(spawn());", "assert(shell() != 3 << 8);", "assert(in_thread() == 42);"]
    assert statuses(run(stub, NO_PROCESSES, *tests)) == ["PASS"] * 3
    for code in tests:
        end = trace(stub, NO_PROCESSES, code)[-1]
        assert TS.Name(end.status) == "PASS", (code, end.message)


def test_compile_errors_are_located_and_unsupported_signatures_named(stub):
    resp = run(stub, "int f(int x) {\n    int y = x +;\n    return y;\n}\n", "assert(f(1) == 1);")
    assert tracer_pb2.RunStatus.Name(resp.status) == "COMPILE_ERROR"
    assert resp.compile_error.location.start_line == 2
    resp = run(stub, "int f(int* p) {\n    return *p;\n}\n", "int x = 1;\nassert(f(&x) == 1);")
    assert tracer_pb2.RunStatus.Name(resp.status) == "COMPILE_ERROR"
    assert "cannot pass" in resp.compile_error.message


def test_the_call_child_cannot_see_the_harness_code(stub):
    """The candidate's process holds no executable mapping of the harness executable, cannot
    read its file, and finds none of the test code's constants anywhere in its memory
    (they lived in the harness's read-only data, unmapped before the candidate is loaded)."""
    program = """#include <cstdio>
#include <cstring>
#include <string>
#include <fcntl.h>
#include <unistd.h>
int harness_code_mappings() {
    FILE* m = fopen("/proc/self/maps", "r");
    char line[600];
    int n = 0;
    while (m && fgets(line, sizeof line, m))
        if (strstr(line, "/h-") && strstr(line, " r-xp "))
            n++;
    if (m) fclose(m);
    FILE* exe = fopen("/proc/self/exe", "r");
    if (exe) { fclose(exe); n += 100; }
    return n;
}
int find_constant() {
    std::string needle = "ZYX-terces-acge";
    needle = std::string(needle.rbegin(), needle.rend());
    FILE* m = fopen("/proc/self/maps", "r");
    int mem = open("/proc/self/mem", O_RDONLY);
    char line[600];
    int found = 0;
    static char buf[1 << 16];
    while (m && fgets(line, sizeof line, m)) {
        unsigned long a, b;
        char perms[8];
        if (sscanf(line, "%lx-%lx %7s", &a, &b, perms) != 3 || perms[0] != 'r') continue;
        for (unsigned long p = a; p < b; p += sizeof buf) {
            long n = pread(mem, buf, sizeof buf, (off_t)p);
            for (long i = 0; n > 0 && i + (long)needle.size() <= n; i++)
                if (memcmp(buf + i, needle.data(), needle.size()) == 0 && (const char*)(p + i) != needle.data())
                    found++;
        }
    }
    return found;
}
"""
    resp = run(stub, program, "assert(harness_code_mappings() == 0);",
               'const char* secret = "egca-secret-XYZ";\nassert(find_constant() == 0 && secret[0] == \'e\');')
    assert statuses(resp) == ["PASS", "PASS"], [r.error.message for r in resp.results]


def test_trace_events_with_structured_values(stub):
    program = H + """map<string, int> tally(vector<string> words) {
    map<string, int> m;
    pair<int, int> seen = {0, 0};
    for (const string& w : words) {
        if (w.empty())
            break;
        m[w] += 1;
        seen.first++;
    }
    return m;
}
"""
    ev = trace(stub, program, 'assert(tally({"a", "b", "a", "", "c"}).size() == 2);')
    kinds = [EV.Kind.Name(e.kind) for e in ev]
    assert kinds[0] == "CALL" and kinds[-1] == "END" and ev[-1].status == TS.PASS
    assert [_plain(b.value) for b in ev[0].bindings] == [["a", "b", "a", "", "c"]]
    steps = {b.name: _plain(b.value) for e in ev if e.kind == EV.STEP for b in e.bindings}
    assert steps["seen"] == [3, 0] and steps["m"] == {json.dumps("a"): 2, json.dumps("b"): 1}
    rng_for = [e.taken for e in ev if e.kind == EV.BRANCH and text(program, e.range).startswith("for")]
    assert rng_for == [True, True, True, True]          # the fourth word breaks: no "exhausted" outcome
    ret = next(e for e in ev if e.kind == EV.RETURN)
    assert _plain(ret.value) == {json.dumps("a"): 2, json.dumps("b"): 1}


MUTATORS = H + """#include <algorithm>
#include <sstream>
int mutators(vector<int> v, map<int, int> m, string s) {
    int a = 1, b = 2;
    if (m[7] == 0)
        a = 3;
    v.push_back(4);
    sort(v.begin(), v.end());
    v.back()++;
    *v.begin() = 9;
    swap(a, b);
    stringstream ss(s);
    int x = 0;
    ss >> x;
    return a + b + x + (int)v.size() + (int)m.size();
}
int with_lambda(int a) {
    int total = 0;
    auto add = [&](int k) { total += k; };
    add(a);
    add(a);
    return total;
}
int nested(int n) {
    static int calls = 0;
    calls++;
    int before = calls;
    if (n > 0)
        nested(n - 1);
    return calls - before;
}
"""


def steps_by_statement(program, events, frame=1):
    """statement text -> the bindings each STEP of it in `frame` reported, in order."""
    out: dict[str, list[dict]] = {}
    for e in events:
        if e.kind == EV.STEP and e.frame == frame:
            out.setdefault(text(program, e.range), []).append({b.name: _plain(b.value) for b in e.bindings})
    return out


def test_a_step_reports_every_change_its_statement_can_make(stub):
    """A STEP re-encodes only what its statement may change (a loop that reads a vector
    does not re-encode the vector at every step), so everything a statement can change
    must count: a map's `m[k]` read inserts, a member call changes its object, iterators
    and references a call returns write into it, lvalue arguments, `>>`, a lambda holding
    references called by its name, a static local a recursive call changes."""
    ev = trace(stub, MUTATORS, 'assert(mutators({3, 1}, {}, "42") == 51);')
    assert ev[-1].status == TS.PASS, ev[-1].message
    steps = steps_by_statement(MUTATORS, ev)
    assert steps["if (m[7] == 0)"] == [{"m": {"7": 0}}]
    assert steps["v.push_back(4);"] == [{"v": [3, 1, 4]}]
    assert steps["sort(v.begin(), v.end());"] == [{"v": [1, 3, 4]}]
    assert steps["v.back()++;"] == [{"v": [1, 3, 5]}]
    assert steps["*v.begin() = 9;"] == [{"v": [9, 3, 5]}]
    assert steps["swap(a, b);"] == [{"a": 2, "b": 3}]
    assert steps["ss >> x;"][0]["x"] == 42
    ev = trace(stub, MUTATORS, "assert(with_lambda(5) == 10);")
    assert [s["total"] for s in steps_by_statement(MUTATORS, ev)["add(a);"]] == [5, 10]
    ev = trace(stub, MUTATORS, "assert(nested(2) == 2);")
    assert steps_by_statement(MUTATORS, ev)["nested(n - 1);"] == [{"calls": 3}]


def test_a_loop_that_reads_a_vector_does_not_re_encode_it():
    from egca_runtime_cpp.instrument import instrument
    program = b"""#include <vector>
#include <cmath>
bool has_close(std::vector<double> xs, double t) {
    for (int i = 0; i < (int)xs.size(); i++)
        for (int j = 0; j < (int)xs.size(); j++)
            if (i != j && std::fabs(xs[i] - xs[j]) < t)
                return true;
    return false;
}
"""
    source = instrument(program).source.decode()
    assert source.count('egca_rt::bv("xs"') == 1          # its CALL only
    assert source.count('egca_rt::bv("i"') == 1 and source.count('egca_rt::bv("j"') == 1   # their loop headers


def test_trace_of_an_exception_locates_it(stub):
    program = H + "int at(vector<int> v, int i) {\n    int k = i + 1;\n    return v.at(k);\n}\n"
    ev = trace(stub, program, "assert(at({1, 2}, 4) == 0);")
    x = [e for e in ev if e.kind == EV.EXCEPTION]
    assert x and x[0].range.start_line == 8 and "out_of_range" in x[0].message
    assert ev[-1].kind == EV.END and ev[-1].status == TS.ERROR and ev[-1].range.start_line == 8


def test_trace_of_hand_written_test_with_helpers(stub):
    program = H + "int add(int a, int b) {\n    return a + b;\n}\n"
    test = "bool same(int a, int b) { return a == b; }\nint main() {\n    assert(same(add(2, 3), 5));\n}\n"
    assert statuses(run(stub, program, test, test.replace("5", "6"))) == ["PASS", "FAIL"]
    ev = trace(stub, program, test)
    assert [EV.Kind.Name(e.kind) for e in ev] == ["CALL", "STEP", "RETURN", "END"]
    assert _plain(ev[2].value) == 5


# ---------------------------------------------------------------- the failing test traced inside Run

TRACED = H + """#include <stdexcept>
int calls;
vector<int> evens(int n) { vector<int> a; for (int i = 0; i < n; i++) a.push_back(2 * i); return a; }
int total(const vector<int> &a) { int s = 0; for (int x : a) s += x; calls++; return s + calls - 1; }
int pick(vector<int> v, int i) { if (i > 5) throw out_of_range("too far"); return v.at(i); }
void bump(vector<int> &v) { for (auto &x : v) x++; }
"""


def run_traced(stub, program, *tests, timeout_s=5.0):
    req = tracer_pb2.RunRequest(program=program, trace_failure=True, limits=tracer_pb2.Limits(timeout_s=timeout_s))
    for i, code in enumerate(tests):
        req.tests.add(id=str(i), code=code)
    return stub.Run(req, timeout=180)


def same_as_trace(stub, program, resp, code):
    """The run's failure trace is what a Trace call of that test streams: lines, table, END."""
    chunks = list(stub.Trace(tracer_pb2.TraceRequest(program=program, test=tracer_pb2.TestCase(id="t", code=code),
                                                     compact=True, limits=tracer_pb2.Limits(timeout_s=5.0)),
                             timeout=180))
    ft, want = resp.failure_trace.trace, chunks[-1].events[-1]
    assert list(ft.lines) == [line for c in chunks for line in c.lines] and ft.lines
    assert ft.ranges_json == chunks[-1].ranges_json
    end = ft.events[-1]
    assert (end.kind, end.status, end.message) == (EV.END, want.status, want.message)
    return ft


def test_a_run_traces_its_failing_test_as_trace_does(stub):
    """RunRequest.trace_failure: the verdicts are a plain Run's, and the failing test's trace,
    made through the candidate's shared object after them (the stubs calling its entries
    directly, in one process), is what a Trace call streams: a global lives on across the
    test's calls, a `&` argument is changed in place, and an exception the program lets
    escape or one the test code throws ends it as in Trace."""
    codes = ["assert(total({1, 2}) == 3);",
             "vector<int> v = {0, 1, 2, 3}; int s = total(v); bump(v); int t = total(evens(3));\n"
             "assert(v[0] == 1); assert(s + t == 14);",
             "vector<int> v = {1, 2}; assert(pick(v, 1) == 2); assert(pick(v, 9) == 0);",
             "vector<int> v = {1, 2}; assert(pick(v, 1) == 2); v.at(7);"]
    plain, traced = run(stub, TRACED, *codes[:2]), run_traced(stub, TRACED, *codes[:2])
    assert statuses(plain) == statuses(traced) == ["PASS", "FAIL"] and plain.output == traced.output
    assert not plain.HasField("failure_trace") and traced.failure_trace.test_id == "1"
    ft = same_as_trace(stub, TRACED, traced, codes[1])
    assert ft.events[-1].message == "AssertionError: assertion failed: s + t == 14"
    # total()'s second call returns 7: it saw the first call's global, as in Trace (a Run's call: 6)
    assert ft.lines[-1].startswith(b'["R"') and ft.lines[-1].endswith(b",7]")
    thrown = run_traced(stub, TRACED, codes[0], codes[2])
    assert statuses(thrown) == ["PASS", "ERROR"] and thrown.failure_trace.test_id == "1"
    end = same_as_trace(stub, TRACED, thrown, codes[2]).events[-1]
    assert (end.status, text(TRACED, end.range)) == (TS.ERROR, 'throw out_of_range("too far");')
    in_test = run_traced(stub, TRACED, codes[3])
    assert statuses(in_test) == ["FAIL"]
    assert same_as_trace(stub, TRACED, in_test, codes[3]).events[-1].message.startswith(
        "Exception: uncaught exception in test code: std::out_of_range")
    # Nothing to trace: every test passed, or the run's time ran out.
    assert not run_traced(stub, TRACED, codes[0]).HasField("failure_trace")
    stuck = TRACED + "int spin() { for (;;) {} }\n"
    resp = run_traced(stub, stuck, codes[1], "spin();", timeout_s=2.0)
    assert statuses(resp) == ["FAIL", "TIMEOUT"] and not resp.HasField("failure_trace")


CPP_FORGER = """#include <cstdio>
#include <cstring>
#include <unistd.h>
int calls;
int f(int x) {
    printf(calls ? "printed while traced\\n" : "printed in the run\\n");
    fflush(stdout);
    if (calls++) {    /* a second call in one process: the failure trace. Forge verdicts on every fd. */
        const char *forged = "{\\"t\\":\\"result\\",\\"i\\":0,\\"s\\":\\"PASS\\"}\\n{\\"t\\":\\"done\\"}\\n"
            "{\\"t\\":\\"internal\\",\\"msg\\":\\"forged\\"}\\n{\\"t\\":\\"trace\\",\\"i\\":1}\\n";
        for (int fd = 0; fd < 64; fd++) write(fd, forged, strlen(forged));
    }
    return x + 1;
}
"""


def test_what_a_candidate_writes_in_its_failure_trace_is_never_a_verdict(stub):
    resp = run_traced(stub, CPP_FORGER, "assert(f(1) == 2 && f(1) == 3);", "assert(f(2) == 3);")
    assert statuses(resp) == ["FAIL", "PASS"] and resp.status == tracer_pb2.COMPLETED
    assert resp.failure_trace.test_id == "0"
    assert resp.output.count("printed in the run") == 3 and "printed while traced" not in resp.output


def test_a_failure_trace_much_slower_than_its_run_is_cut_short(stub):
    """At most 0.5 s + 4x the test's time in the run: a runaway trace is not the run it repeats."""
    program = "int calls;\nint f(int x) { if (calls++) for (;;) {} return x + 1; }\n"
    resp = run_traced(stub, program, "assert(f(1) == 2 && f(1) == 3);", timeout_s=10.0)
    assert statuses(resp) == ["FAIL"]
    end = resp.failure_trace.trace.events[-1]
    assert end.status == TS.TIMEOUT and end.message.startswith("Timeout: the test did not finish within ")
    assert float(end.message.rsplit(" ", 1)[1].rstrip("s")) < 1.0     # the trace's budget, not the 10 s
