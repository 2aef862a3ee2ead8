"""Tracing cost of the Python runtime's child, in one process, on the same programs:
each test run plain and under the child's Tracer, in the same run.

    .venv/bin/python runtimes/python/bench/trace_cost.py [--repeat 5]

The programs are those of the JavaScript bench (runtimes/javascript/bench/trace_cost.js)
written in Python, plus a list loop and a bubble sort. The traced run is what trace mode
does for a test (child.trace_tests): sys.settrace(Tracer(...).global_trace), events
written as the channel writes them (FLUSH_EVERY lines at a time), to /dev/null instead of
fd 3. These are our own programs, run here without a sandbox. Reports, per program:
events, plain and traced ms (min of --repeat), the ratio, and µs per event of overhead
((traced - plain) / events), traced with the C hooks (_lines.c) and, in the same run,
without it (the tracer in Python alone).

The last row is real code: every HumanEval problem's reference solution (the dataset the
project ships) on each of its tests, summed, each test's trace capped at the runtime's
default 20000 events (the rest of a test runs untraced, as in the runtime).
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from egca.bench.common import load_problems
from egca.compose import compose
from egca.plugin import get_adapter
from egca_runtime_python import child

MAX_EVENTS = 20000          # the runtime's default cap per test (egca_kit.limits)

PROGRAMS = {
    "sum_loop": ("def f(n):\n    s = 0\n    for i in range(n):\n        s += i % 7\n    return s\n", "f(20000)"),
    "gcd": ("def gcd(a, b):\n    while b != 0:\n        t = a\n        a = b\n        b = t % b\n    return a\n\n"
            "def g(n):\n    s = 0\n    for i in range(1, n):\n        s += gcd(i * 7919, 104729)\n    return s\n", "g(3000)"),
    "fib_rec": ("def fib(n):\n    if n < 2:\n        return n\n    return fib(n - 1) + fib(n - 2)\n", "fib(18)"),
    "list_append": ("def f(n):\n    xs = []\n    for i in range(n):\n        if i % 3 == 0:\n            xs.append(i)\n"
                    "    return len(xs)\n", "f(20000)"),
    "string_build": ("def f(n):\n    s = ''\n    for i in range(n):\n        s += chr(97 + i % 26)\n    return len(s)\n",
                     "f(5000)"),
    "list_read": ("def f(xs):\n    best = xs[0]\n    for x in xs:\n        if x > best:\n            best = x\n    return best\n",
                  "f([(i * 37) % 101 for i in range(40)] * 250)"),
    "bubble_sort": ("def sort(xs):\n    xs = list(xs)\n    n = len(xs)\n    for i in range(n):\n        for j in range(n - 1 - i):\n"
                    "            if xs[j] > xs[j + 1]:\n                xs[j], xs[j + 1] = xs[j + 1], xs[j]\n    return xs\n",
                    "sort([(i * 37) % 101 for i in range(60)])"),
}


def run(prog, ns, test, traced, max_events=10 ** 9):
    """One test, plain or traced as trace_tests traces it; returns (seconds, events)."""
    test_ns = dict(ns)
    tracer = child.Tracer(prog, max_events) if traced else None
    t0 = time.perf_counter()
    if traced:
        sys.settrace(tracer.global_trace)
        try:
            child.run_test(test, test_ns)
        finally:
            sys.settrace(None)
        child.flush()
    else:
        child.run_test(test, test_ns)
    return time.perf_counter() - t0, tracer.count if traced else 0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    child._chan = os.open(os.devnull, os.O_WRONLY)
    sys.setrecursionlimit(10000)
    hook = child._CHooks
    if hook is None:
        print("note: the C hooks are not built here (egca_runtime_python/_lines.c): both columns are Python")
    print(f"{'program':14} {'events':>8} {'plain ms':>9} {'traced ms':>10} {'ratio':>7} {'us/event':>9}"
          f" {'Python alone: ms':>17} {'us/event':>9}")

    def traced(test, prog, ns, line_hook, max_events):
        child._CHooks = line_hook
        try:
            runs = [run(prog, ns, test, True, max_events) for _ in range(args.repeat)]
        finally:
            child._CHooks = hook
        return min(t for t, _ in runs), runs[0][1]

    def measure(source, calls, max_events=10 ** 9):
        """(events, plain s, traced s with the hook, traced s without) of `calls` on `source`."""
        prog = child.Program(source)
        ns = {"__builtins__": __builtins__, "__name__": "__program__"}
        exec(compile(source, "<program>", "exec"), ns)
        out = [0, 0.0, 0.0, 0.0]
        for call in calls:
            test = compile(call, "<test>", "exec")
            out[1] += min(run(prog, ns, test, False)[0] for _ in range(args.repeat))
            with_c, events = traced(test, prog, ns, hook, max_events)
            alone, events_alone = traced(test, prog, ns, None, max_events)
            assert events == events_alone, (source, call, events, events_alone)
            out[0] += events
            out[2] += with_c
            out[3] += alone
        return out

    def row(name, events, plain, with_c, alone):
        print(f"{name:14} {events:8d} {plain * 1e3:9.2f} {with_c * 1e3:10.2f} {with_c / plain:6.1f}x "
              f"{(with_c - plain) * 1e6 / events:9.2f} {alone * 1e3:17.2f} {(alone - plain) * 1e6 / events:9.2f}")

    total = [0, 0.0, 0.0, 0.0]
    for name, (source, call) in PROGRAMS.items():
        m = measure(source, [call])
        total = [a + b for a, b in zip(total, m)]
        row(name, *m)
    row("all above", *total)
    adapter = get_adapter("python")
    humaneval = [0, 0.0, 0.0, 0.0]
    for problem in load_problems("python", None)[1]:
        program, _ = compose(adapter, problem, problem.reference)
        m = measure(program, [t.code for t in problem.tests], MAX_EVENTS)
        humaneval = [a + b for a, b in zip(humaneval, m)]
    row("HumanEval refs", *humaneval)


if __name__ == "__main__":
    main()
