"""The Java runtime through a real gRPC server, real sandboxes and real JVMs: the values
that cross between the trusted harness and the candidate, copy-back of mutated arguments,
seeded randomness, compile errors located by javac, tests the program cannot satisfy,
candidates that die or hang, and traces of the instrumented program."""

from __future__ import annotations

import subprocess

import grpc
import pytest

from egca.plugin import get_adapter
from egca_kit.server import CHANNEL_OPTIONS, wait_until_serving
from egca_kit.v1 import tracer_pb2 as T
from egca_kit.v1 import tracer_pb2_grpc

EV = T.TraceEvent


@pytest.fixture(scope="module")
def stub():
    proc = subprocess.Popen(get_adapter("java").local_runtime_command(0), stdout=subprocess.PIPE,
                            stdin=subprocess.DEVNULL)
    try:
        port = int(proc.stdout.readline().split()[1])
        wait_until_serving(f"127.0.0.1:{port}", timeout_s=120)
        with grpc.insecure_channel(f"127.0.0.1:{port}", options=CHANNEL_OPTIONS) as channel:
            yield tracer_pb2_grpc.TracerStub(channel)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def main(body: str, imports: str = "import java.util.*;\n") -> str:
    lines = "\n".join("        " + ln for ln in body.strip().split("\n"))
    return f"{imports}\npublic class Main {{\n    public static void main(String[] args) throws Exception {{\n{lines}\n    }}\n}}\n"


def run(stub, program, tests, **limits):
    limits.setdefault("timeout_s", 10)
    return stub.Run(T.RunRequest(program=program, tests=[T.TestCase(id=str(i), code=c) for i, c in enumerate(tests)],
                                 limits=T.Limits(**limits)), timeout=300)


def statuses(reply):
    return [T.TestStatus.Name(r.status) for r in reply.results]


def trace(stub, program, test, **limits):
    limits.setdefault("timeout_s", 10)
    req = T.TraceRequest(program=program, test=T.TestCase(id="0", code=test), limits=T.Limits(**limits))
    return [e for chunk in stub.Trace(req, timeout=300) for e in chunk.events]


VALUES = """import java.util.*;
class Solution {
    public List<Integer> list(int n) { List<Integer> xs = new ArrayList<>(); for (int i = 0; i < n; i++) xs.add(i * i); return xs; }
    public Map<String, List<Integer>> map() { Map<String, List<Integer>> m = new HashMap<>(); m.put("a", List.of(1, 2)); return m; }
    public int[][] grid() { return new int[][]{{1, 2}, {3}}; }
    public Optional<String> first(List<String> xs) { return xs.isEmpty() ? Optional.empty() : Optional.of(xs.get(0)); }
    public long big() { return 1L << 60; }
    public char letter(int i) { return (char) ('a' + i); }
    public double half(int x) { return x / 2.0; }
    public Object mixed() { return Arrays.asList(1, 2.5, "x", 3L, 'c', null); }
    public String echo(String s) { return s; }
    public Set<Integer> set() { return new TreeSet<>(Arrays.asList(3, 1, 2)); }
}
"""


def test_values_cross_exactly(stub):
    checks = [
        "if (!new Solution().list(4).equals(Arrays.asList(0, 1, 4, 9))) throw new AssertionError();",
        "if (!new Solution().map().equals(Map.of(\"a\", Arrays.asList(1, 2)))) throw new AssertionError();",
        "if (!Arrays.deepEquals(new Solution().grid(), new int[][]{{1, 2}, {3}})) throw new AssertionError();",
        "if (!new Solution().first(List.of(\"q\", \"r\")).get().equals(\"q\") || new Solution().first(List.of()).isPresent()) throw new AssertionError();",
        "if (new Solution().big() != 1L << 60) throw new AssertionError();",
        "if (new Solution().letter(2) != 'c') throw new AssertionError();",
        "if (new Solution().half(3) != 1.5) throw new AssertionError();",
        "if (!new Solution().mixed().equals(Arrays.asList(1, 2.5, \"x\", 3L, 'c', null))) throw new AssertionError(String.valueOf(new Solution().mixed()));",
        "String s = \"héllo \\u2603 \\\"q\\\"\\n\"; if (!new Solution().echo(s).equals(s)) throw new AssertionError();",
        "if (!new Solution().set().equals(Set.of(1, 2, 3))) throw new AssertionError();",
    ]
    reply = run(stub, VALUES, [main(c) for c in checks])
    assert statuses(reply) == ["PASS"] * len(checks), [(r.id, r.error.message) for r in reply.results]


def test_mutated_arguments_are_copied_back(stub):
    program = ("import java.util.*;\nclass Solution {\n    void fill(int[] xs, List<String> out, Map<String, Integer> m) {\n"
               "        Arrays.fill(xs, 7);\n        out.add(\"z\");\n        m.put(\"k\", 1);\n    }\n}\n")
    test = main("int[] xs = new int[2];\nList<String> out = new ArrayList<>();\nMap<String, Integer> m = new HashMap<>();\n"
                "new Solution().fill(xs, out, m);\n"
                "if (xs[1] != 7 || !out.equals(List.of(\"z\")) || m.get(\"k\") != 1) throw new AssertionError();")
    assert statuses(run(stub, program, [test])) == ["PASS"]


def test_seeded_randomness_is_the_same_for_candidate_and_reference(stub):
    program = ("import java.util.*;\nclass Solution {\n    int roll() {\n        return new Random().nextInt(1000) + (int) (Math.random() * 1000) * 1000;\n    }\n}\n")
    test = main("int want = new Random(0L).nextInt(1000) + (int) (new Random(0L).nextDouble() * 1000) * 1000;\n"
                "if (new Solution().roll() != want) throw new AssertionError(new Solution().roll() + \" \" + want);")
    assert statuses(run(stub, program, [test, test])) == ["PASS", "PASS"]


def test_compile_error_is_javacs_first_error(stub):
    program = "class Solution {\n    int f(int x) {\n        int y = x\n        return y;\n    }\n}\n"
    reply = run(stub, program, [main("new Solution().f(1);")])
    assert reply.status == T.COMPILE_ERROR
    assert reply.compile_error.has_location and reply.compile_error.location.start_line == 3, reply.compile_error
    assert "';' expected" in reply.compile_error.message


def test_bad_test_is_invalid_argument_and_a_missing_method_is_the_programs_error(stub):
    with pytest.raises(grpc.RpcError) as e:
        run(stub, "class Solution { int f() { return 1; } }\n", [main("if (new Solution().f() != 1) throw new AssertionError(")])
    assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    reply = run(stub, "class Solution { int f() { return 1; } }\n",
                [main("if (new Solution().g() != 1) throw new AssertionError();"), main("new Solution().f();")])
    assert statuses(reply) == ["ERROR", "PASS"]
    assert "does not compile against the program" in reply.results[0].error.message


def test_exception_is_located_and_can_be_expected(stub):
    program = "class Solution {\n    int f(int[] xs) {\n        int t = 0;\n        return xs[3];\n    }\n}\n"
    expected = main("try { new Solution().f(new int[1]); throw new AssertionError(); } catch (ArrayIndexOutOfBoundsException e) { }")
    reply = run(stub, program, [main("new Solution().f(new int[1]);"), expected])
    assert statuses(reply) == ["ERROR", "PASS"]
    err = reply.results[0].error
    assert err.kind == "ArrayIndexOutOfBoundsException" and err.has_location and err.location.start_line == 4


def test_a_candidate_that_exits_or_hangs_loses_its_test_and_the_rest(stub):
    exits = "class Solution { int f(int x) { if (x == 1) System.exit(0); return x; } }\n"
    reply = run(stub, exits, [main("new Solution().f(0);"), main("new Solution().f(1);"), main("new Solution().f(2);")])
    assert statuses(reply) == ["PASS", "ERROR", "NOT_RUN"]
    # x stays in 1..7: the loop never ends (x++ would wrap around after 2^31 steps, about a second of JIT)
    hangs = "class Solution {\n    int f(int x) {\n        while (x > 0) {\n            x = x % 7 + 1;\n        }\n        return x;\n    }\n}\n"
    reply = run(stub, hangs, [main("new Solution().f(1);"), main("new Solution().f(0);")], timeout_s=2)
    assert statuses(reply) == ["TIMEOUT", "NOT_RUN"]
    assert reply.results[0].error.location.start_line in (3, 4)


def test_trace_of_the_instrumented_program(stub):
    program = ("import java.util.*;\nclass Solution {\n    List<Integer> evens(int[] xs) {\n        List<Integer> out = new ArrayList<>();\n"
               "        for (int x : xs) {\n            if (x % 2 == 0) {\n                out.add(x);\n            }\n        }\n        return out;\n    }\n}\n")
    events = trace(stub, program, main("if (!new Solution().evens(new int[]{1, 2}).equals(List.of(2))) throw new AssertionError();"))
    kinds = [EV.Kind.Name(e.kind) for e in events]
    assert kinds[0] == "CALL" and events[0].function == "evens" and kinds[-1] == "END" and events[-1].status == T.PASS
    assert [e.taken for e in events if e.kind == EV.BRANCH and e.range.start_line == 6] == [False, True]
    assert [e.taken for e in events if e.kind == EV.BRANCH and e.range.start_line == 5] == [True, True, False]
    ret = next(e for e in events if e.kind == EV.RETURN)
    assert [int(v.int_value) for v in ret.value.list_value.items] == [2]
    steps = [e for e in events if e.kind == EV.STEP and e.range.start_line == 7]
    assert [b.name for b in steps[0].bindings] == ["out"]
