"""Tracing cost of the C runtime: the same programs run plain and traced, in the same run.

    .venv/bin/python runtimes/c/bench/trace_cost.py [--repeat 5]

Each program and its test are compiled twice, as the runtime's Trace compiles them
(gcc in the sandbox, egca_rt.c's runner): instrumented (Builder.build_trace) and
plain (the same unit without instrumentation, the build Trace falls back on). Both
binaries then run here, directly (these are our own programs, not candidates), as
`prog trace <deadline_ms> <max_events> 0` with events uncapped and fd 3 going to a
temporary file, so only the in-process cost of the tracer is measured.
Reports, per program: events, plain and traced wall (min of --repeat runs, from the
runner's own per-test clock, the "wall" of its result line), µs per event in-process
((traced - plain) / events) and the traced/plain ratio. The plain runs are short
(well under a millisecond of work), so that ratio is large for any tracer.

The second table is what the engine pays per call, through the kit's servicer
(egca_kit.tracer.TracerService with the C runtime's Language, no gRPC): Run (the
trusted harness and the candidate's shared object in the sandbox) against Trace
(the traced binary in the sandbox, events capped at the default 20000, sent in the
compact form the engine asks for). Builds are cached by the Builder, so the timed
calls (min of --repeat, after one warm-up) pay the sandbox, not gcc. Run forks a
call child that dlopen()s the candidate for every call of a program function
(egca_harness.c), so Run grows with the calls a test makes, Trace with its events.
"""

from __future__ import annotations

import argparse
import json
import os
import stat
import subprocess
import sys
import tempfile
import time
from importlib import resources

from egca_kit import limits, sandbox
from egca_kit.tracer import TracerService
from egca_kit.v1 import tracer_pb2 as TS
from egca_runtime_c import harness
from egca_runtime_c.build import CFLAGS, GCC, Builder
from egca_runtime_c.service import C

# One (name, program, test) of PROGRAMS that the C++ bench (runtimes/cpp/bench/trace_cost.py)
# shares: it is valid C and C++ alike.
SCALAR = ("scalar arithmetic", """int collatz_steps(int n) {
    int steps = 0;
    long long x = n;
    while (x != 1) {
        if (x % 2 == 0) x = x / 2;
        else x = 3 * x + 1;
        steps++;
    }
    return steps;
}
""", "long t = 0; for (int k = 1; k < 2500; k++) t += collatz_steps(k); assert(t > 0);")

# (name, program, test): typical HumanEval-style code (loops over arrays and strings,
# branches, helper calls), each test repeating the work so a run lasts ~0.1-1 s traced.
PROGRAMS = [
    ("int-array loop", """#include <stdbool.h>
bool has_close(const double *xs, int n, double t) {
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
            if (i != j) {
                double d = xs[i] - xs[j];
                if (d < 0) d = -d;
                if (d < t) return true;
            }
        }
    }
    return false;
}
""", "double xs[40]; for (int i = 0; i < 40; i++) xs[i] = i * 1.5; "
     "for (int k = 0; k < 4; k++) assert(!has_close(xs, 40, 0.5));"),
    ("bubble sort", """#include <stdlib.h>
int *sort_copy(const int *a, int n) {
    int *b = malloc(n * sizeof(int));
    for (int i = 0; i < n; i++) b[i] = a[i];
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
""", "int a[30]; for (int i = 0; i < 30; i++) a[i] = (i * 7919) % 31; "
     "for (int k = 0; k < 10; k++) { int *b = sort_copy(a, 30); assert(b[0] <= b[1]); free(b); }"),
    ("string build", """#include <stdlib.h>
#include <string.h>
char *flip_case(const char *s) {
    int n = strlen(s);
    char *out = malloc(n + 1);
    int vowels = 0;
    for (int i = 0; i < n; i++) {
        char c = s[i];
        if (c >= 'a' && c <= 'z') out[i] = c - 32;
        else if (c >= 'A' && c <= 'Z') out[i] = c + 32;
        else out[i] = c;
        if (c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u') vowels++;
    }
    out[n] = 0;
    return out;
}
""", 'for (int k = 0; k < 300; k++) { char *r = flip_case("Hello, World! The quick brown fox."); '
     'assert(r[0] == \'h\'); free(r); }'),
    SCALAR,
]


def build_plain(builder: Builder, program: str, test: str) -> bytes:
    """The trace unit without instrumentation (what Builder._build_trace compiles when
    instrumenting fails): the same runner and test, the program as written."""
    unit = harness.trace_unit(program, [test], None).encode("utf-8", "surrogateescape")
    res = sandbox.run_sandboxed(["/bin/sh", "-c", f"{GCC} {' '.join(CFLAGS)} -o prog prog.c rt.o -lm && cat prog"],
                                limits=limits.COMPILE_LIMITS,
                                files={"prog.c": unit, "rt.o": builder.runtime()["rt.o"],
                                       "egca_rt.h": resources.files("egca_runtime_c").joinpath("egca_rt.h").read_bytes()})
    if res.returncode != 0 or not res.stdout:
        raise SystemExit(f"plain build failed: {res.stderr.decode(errors='replace')[-1000:]}")
    return res.stdout


def run_binary(path: str, max_events: int = 100_000_000) -> tuple[float, int]:
    """(per-test wall s, events) of one run of the binary, fd 3 -> a temp file."""
    with tempfile.TemporaryFile() as chan:
        proc = subprocess.run([path, "trace", "600000", str(max_events), "0"], pass_fds=(chan.fileno(),),
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              preexec_fn=lambda fd=chan.fileno(): os.dup2(fd, 3), timeout=600)
        chan.seek(0)
        lines = chan.read().split(b"\n")
    res = [json.loads(ln) for ln in lines if ln.startswith(b'{"t":"result"')]
    if proc.returncode != 0 or not res:
        raise SystemExit(f"bench program failed: rc={proc.returncode} {proc.stderr[-500:]!r}")
    if res[0]["s"] != "PASS" or res[0].get("truncated"):
        raise SystemExit(f"bench test did not pass: {res[0]!r}")
    events = sum(1 for ln in lines if ln.startswith(b"["))
    return float(res[0]["wall"]), events


def write_exe(d: str, name: str, data: bytes) -> str:
    path = os.path.join(d, name)
    with open(path, "wb") as f:
        f.write(data)
    os.chmod(path, stat.S_IRWXU)
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    measure(C(), PROGRAMS, build_plain, args.repeat)


def measure(lang, programs, build_plain, repeat: int) -> None:
    """Both tables for one runtime built on egca_rt's runner (C here; C++ reuses this:
    runtimes/cpp/bench/trace_cost.py)."""
    builder = lang.builder
    tot_plain = tot_traced = tot_events = 0.0
    print("in-process (runner's per-test wall, events uncapped)")
    print(f"{'program':20} {'events':>9} {'plain ms':>9} {'traced ms':>10} {'us/event':>9} {'ratio':>7}")
    with tempfile.TemporaryDirectory() as d:
        for name, program, test in programs:
            built = builder.build_trace(program, test)
            if getattr(built, "info", None) is None:   # (C++'s Binary is its own class)
                raise SystemExit(f"{name}: no instrumented build: {str(built)[:300]}")
            traced_path = write_exe(d, "traced", built.data)
            plain_path = write_exe(d, "plain", build_plain(builder, program, test))
            plain_runs = [run_binary(plain_path) for _ in range(repeat)]
            if any(n for _, n in plain_runs):
                raise SystemExit(f"{name}: the plain build wrote events")
            plain = min(w for w, _ in plain_runs)
            traced_runs = [run_binary(traced_path) for _ in range(repeat)]
            traced = min(w for w, _ in traced_runs)
            events = traced_runs[0][1]
            us = (traced - plain) / max(1, events) * 1e6
            print(f"{name:20} {events:9d} {plain * 1e3:9.2f} {traced * 1e3:10.2f} {us:9.3f} {traced / plain:7.1f}")
            tot_plain += plain
            tot_traced += traced
            tot_events += events
    print(f"{'all':20} {int(tot_events):9d} {tot_plain * 1e3:9.2f} {tot_traced * 1e3:10.2f} "
          f"{(tot_traced - tot_plain) / tot_events * 1e6:9.3f} {tot_traced / tot_plain:7.1f}")
    end_to_end(lang, programs, repeat)


class _Context:
    """The little of a grpc.ServicerContext that TracerService.Trace uses."""

    def add_callback(self, cb) -> None:
        pass

    def abort(self, code, details):
        raise RuntimeError(f"{code}: {details}")


def end_to_end(lang, programs, repeat: int) -> None:
    service = TracerService(lang)
    print(f"\nsandboxed, through TracerService as the engine calls it (Trace capped at {limits.DEFAULT_MAX_EVENTS} "
          f"events, compact form)")
    print(f"{'program':20} {'events':>9} {'run ms':>9} {'trace ms':>10} {'ratio':>7}")
    for name, program, test in programs:
        tc = TS.TestCase(id="t0", code=test)

        def run() -> None:
            resp = service.run(program, [tc], TS.Limits())
            if resp.status != TS.COMPLETED or resp.results[0].status != TS.PASS:
                raise SystemExit(f"{name}: Run did not pass: {resp}")

        def trace() -> int:
            n, end = 0, None
            for chunk in service.Trace(TS.TraceRequest(program=program, test=tc, compact=True), _Context()):
                n += len(chunk.lines)
                for ev in chunk.events:
                    if ev.kind == TS.TraceEvent.END:
                        end = ev
                    else:
                        n += 1
            if end is None or end.status != TS.PASS:
                raise SystemExit(f"{name}: Trace did not pass: {end}")
            return n

        walls = {}
        for mode, call in (("run", run), ("trace", trace)):
            call()   # warm-up: compiles (then cached)
            best, got = None, None
            for _ in range(repeat):
                t0 = time.perf_counter()
                got = call()
                wall = time.perf_counter() - t0
                best = wall if best is None else min(best, wall)
            walls[mode] = (best, got)
        (run_s, _), (trace_s, n) = walls["run"], walls["trace"]
        print(f"{name:20} {n:9d} {run_s * 1e3:9.1f} {trace_s * 1e3:10.1f} {trace_s / run_s:7.2f}")


if __name__ == "__main__":
    sys.exit(main())
