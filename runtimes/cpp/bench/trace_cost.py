"""Tracing cost of the C++ runtime: the same programs run plain and traced, in the same run.

    .venv/bin/python runtimes/cpp/bench/trace_cost.py [--repeat 5]

The C runtime's bench (runtimes/c/bench/trace_cost.py) adapted to C++: each program
and its test are compiled twice, as the runtime's Trace compiles them (g++ in the
sandbox with the precompiled prelude, egca_rt.cc's runner): instrumented
(Builder.build_trace) and plain (the same unit without instrumentation, the build
Trace falls back on). Both binaries then run here, directly (these are our own
programs, not candidates), as `prog trace <deadline_ms> <max_events> 0` with events
uncapped and fd 3 going to a temporary file, so only the in-process cost of the
tracer is measured. Reports, per program: events, plain and traced wall (min of
--repeat runs, from the runner's own per-test clock), µs per event in-process
((traced - plain) / events) and the traced/plain ratio.

The second table is what the engine pays per call, through the kit's servicer
(egca_kit.tracer.TracerService with the C++ Language, no gRPC): Run (the trusted
harness and the candidate's shared object in the sandbox; a call child per call of
a program function) against Trace (the traced binary in the sandbox, events capped at
the default 20000, compact form). Builds are cached by the Builder, so the timed
calls (min of --repeat, after one warm-up) pay the sandbox, not g++.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path

from egca_kit import limits, sandbox
from egca_runtime_cpp import harness
from egca_runtime_cpp.build import GXX, Builder
from egca_runtime_cpp.service import Cpp

# The measuring is the C bench's (the same runner protocol): loaded from its file.
_C_BENCH = Path(__file__).resolve().parents[2] / "c" / "bench" / "trace_cost.py"
_spec = importlib.util.spec_from_file_location("c_trace_cost", _C_BENCH)
c_bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(c_bench)

# (name, program, test): typical HumanEval-X-style C++ (vectors, strings, branches,
# helper calls), each test repeating the work so a run lasts ~0.1-1 s traced.
PROGRAMS = [
    ("vector loop", """#include <vector>
#include <cmath>
bool has_close(std::vector<double> xs, double t) {
    for (int i = 0; i < (int)xs.size(); i++) {
        for (int j = 0; j < (int)xs.size(); j++) {
            if (i != j) {
                double d = std::fabs(xs[i] - xs[j]);
                if (d < t) return true;
            }
        }
    }
    return false;
}
""", "std::vector<double> xs; for (int i = 0; i < 40; i++) xs.push_back(i * 1.5); "
     "for (int k = 0; k < 4; k++) assert(!has_close(xs, 0.5));"),
    ("bubble sort", """#include <vector>
std::vector<int> sort_copy(std::vector<int> a) {
    std::vector<int> b = a;
    int n = b.size();
    for (int i = 0; i < n; i++) {
        for (int j = 0; j + 1 < n - i; j++) {
            if (b[j] > b[j + 1]) {
                int t = b[j];
                b[j] = b[j + 1];
                b[j + 1] = t;
            }
        }
    }
    return b;
}
""", "std::vector<int> a; for (int i = 0; i < 30; i++) a.push_back((i * 7919) % 31); "
     "for (int k = 0; k < 10; k++) { std::vector<int> b = sort_copy(a); assert(b[0] <= b[1]); }"),
    ("string build", """#include <string>
std::string flip_case(std::string s) {
    std::string out = "";
    int vowels = 0;
    for (int i = 0; i < (int)s.size(); i++) {
        char c = s[i];
        if (c >= 'a' && c <= 'z') out += (char)(c - 32);
        else if (c >= 'A' && c <= 'Z') out += (char)(c + 32);
        else out += c;
        if (c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u') vowels++;
    }
    return out;
}
""", 'for (int k = 0; k < 300; k++) { std::string r = flip_case("Hello, World! The quick brown fox."); '
     "assert(r[0] == 'h'); }"),
    c_bench.SCALAR,                # the same program is C and C++
]


def build_plain(builder: Builder, program: str, test: str) -> bytes:
    """The trace unit without instrumentation (what Builder._build_trace compiles when
    instrumenting fails): the same runner and test, the program as written."""
    builder.runtime()
    unit = harness.trace_unit(program, [test], None).encode("utf-8", "surrogateescape")
    cmd = f"{GXX} {builder.flags} -o prog prog.cc {builder.dir}/egca_rt.o -lm && cat prog"
    res = sandbox.run_sandboxed(["/bin/sh", "-c", cmd], limits=limits.COMPILE_LIMITS, files={"prog.cc": unit},
                                ro_binds=[builder.dir])
    if res.returncode != 0 or not res.stdout:
        raise SystemExit(f"plain build failed: {res.stderr.decode(errors='replace')[-1000:]}")
    return res.stdout


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    c_bench.measure(Cpp(), PROGRAMS, build_plain, args.repeat)


if __name__ == "__main__":
    sys.exit(main())
