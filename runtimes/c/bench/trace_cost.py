"""Tracing cost of the C runtime: the same programs run plain and traced, in the same run.

    .venv/bin/python runtimes/c/bench/trace_cost.py [--repeat 5]

Each program is built once by the runtime's own Builder (gcc in the sandbox), then
the binary runs here, directly (these are our own programs, not candidates), in
"run" mode (instrumented, events off) and "trace" mode (events on, uncapped), with
fd 3 going to /dev/null, so only the in-process cost of the tracer is measured.
Reports, per program: events, plain and traced wall (min of --repeat runs, from
the harness's own per-test clock), µs per event and the traced/plain ratio. The
plain runs are short (a fork and well under a millisecond of work), so that ratio
is large for any tracer; the second table is what the engine pays per call: the
sandboxed run of the binary (as Run does) against the sandboxed trace capped at the
default 20000 events, each event decoded into a protobuf (as Trace does).
"""

from __future__ import annotations

import argparse
import os
import stat
import subprocess
import sys
import tempfile
import time

from egca_kit import sandbox
from egca_runtime_c.build import Binary, Builder
from egca_runtime_c.service import DEFAULT_MAX_EVENTS, CTracer

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
    ("scalar arithmetic", """int collatz_steps(int n) {
    int steps = 0;
    long long x = n;
    while (x != 1) {
        if (x % 2 == 0) x = x / 2;
        else x = 3 * x + 1;
        steps++;
    }
    return steps;
}
""", "long t = 0; for (int k = 1; k < 2500; k++) t += collatz_steps(k); assert(t > 0);"),
]


def run_binary(path: str, mode: str) -> tuple[float, int]:
    """(per-test wall s, events) of one run of the binary, fd 3 -> a temp file."""
    with tempfile.TemporaryFile() as chan:
        proc = subprocess.run([path, mode, "600000", "100000000", "0"], pass_fds=(chan.fileno(),),
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              preexec_fn=lambda fd=chan.fileno(): os.dup2(fd, 3), timeout=600)
        chan.seek(0)
        data = chan.read()
    lines = data.split(b"\n")
    res = [ln for ln in lines if ln.startswith(b"#T\t")]
    if proc.returncode != 0 or not res:
        raise SystemExit(f"bench program failed: rc={proc.returncode} {proc.stderr[-500:]!r} {res!r}")
    f = res[0].decode().split("\t")
    if f[2] != "exit" or f[3] != "0":
        raise SystemExit(f"bench test did not pass: {res[0]!r}")
    events = sum(1 for ln in lines if ln and not ln.startswith(b"#"))
    return float(f[8]), events


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    builder = Builder()
    tot_plain = tot_traced = tot_events = 0.0
    print(f"{'program':20} {'events':>9} {'plain ms':>9} {'traced ms':>10} {'us/event':>9} {'ratio':>7}")
    with tempfile.TemporaryDirectory() as d:
        for name, program, test in PROGRAMS:
            built = builder.build(program, [test])
            if not isinstance(built, Binary):
                raise SystemExit(f"{name}: does not compile: {built}")
            path = os.path.join(d, "prog")
            with open(path, "wb") as f:
                f.write(built.data)
            os.chmod(path, stat.S_IRWXU)
            plain = min(run_binary(path, "run")[0] for _ in range(args.repeat))
            traced_runs = [run_binary(path, "trace") for _ in range(args.repeat)]
            traced = min(w for w, _ in traced_runs)
            events = traced_runs[0][1]
            us = (traced - plain) / max(1, events) * 1e6
            print(f"{name:20} {events:9d} {plain * 1e3:9.2f} {traced * 1e3:10.2f} {us:9.3f} {traced / plain:7.2f}")
            tot_plain += plain
            tot_traced += traced
            tot_events += events
    print(f"{'all':20} {int(tot_events):9d} {tot_plain * 1e3:9.2f} {tot_traced * 1e3:10.2f} "
          f"{(tot_traced - tot_plain) / tot_events * 1e6:9.3f} {tot_traced / tot_plain:7.2f}")
    end_to_end(builder, args.repeat)


def end_to_end(builder: Builder, repeat: int) -> None:
    tracer = CTracer()
    limits = sandbox.SandboxLimits(timeout_s=60.0)
    print(f"\nsandboxed, as the engine calls it (events capped at {DEFAULT_MAX_EVENTS})")
    print(f"{'program':20} {'events':>9} {'run ms':>9} {'trace ms':>10} {'ratio':>7}")
    for name, program, test in PROGRAMS:
        built = builder.build(program, [test])
        walls = {}
        for mode in ("run", "trace"):
            best = None
            for _ in range(repeat):
                events = []

                def on_line(raw: bytes, events=events) -> None:
                    if not raw.startswith(b"#"):
                        ev, _n = tracer._event(raw, built.info)
                        events.append(ev)

                t0 = time.perf_counter()
                tracer._exec(built, mode, limits, DEFAULT_MAX_EVENTS, [0], on_line)
                wall = time.perf_counter() - t0
                best = wall if best is None else min(best, wall)
            walls[mode] = (best, len(events))
        (run_s, _), (trace_s, n) = walls["run"], walls["trace"]
        print(f"{name:20} {n:9d} {run_s * 1e3:9.1f} {trace_s * 1e3:10.1f} {trace_s / run_s:7.2f}")


if __name__ == "__main__":
    sys.exit(main())
