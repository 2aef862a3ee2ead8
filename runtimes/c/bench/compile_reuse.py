"""Effect of reusing the Run's binary for the Trace of one of its tests.

    .venv/bin/python runtimes/c/bench/compile_reuse.py [--problems 8]

Starts the C Tracer server, and for each of the first humaneval-c problems: Run the
reference on all tests, then Trace test 0 of the same program (the binary is reused),
and Trace test 0 of the same program plus a trailing comment (a new program: compiled
for the Trace, as every Trace was before). Prints the mean wall time of each call.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

import grpc

from egca import datasets
from egca_kit.server import wait_until_serving
from egca_kit.v1 import tracer_pb2, tracer_pb2_grpc


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--problems", type=int, default=8)
    args = ap.parse_args()
    proc = subprocess.Popen([sys.executable, "-m", "egca_runtime_c", "--host", "127.0.0.1", "--port", "0"],
                            stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        addr = f"127.0.0.1:{int(proc.stdout.readline().split()[1])}"
        wait_until_serving(addr, timeout_s=60)
        runs, reused, fresh = [], [], []
        with grpc.insecure_channel(addr) as ch:
            stub = tracer_pb2_grpc.TracerStub(ch)
            for p in datasets.load("humaneval-c")[: args.problems]:
                limits = tracer_pb2.Limits(timeout_s=10)
                t0 = time.perf_counter()
                stub.Run(tracer_pb2.RunRequest(program=p.reference_program, tests=[
                    tracer_pb2.TestCase(id=t.id, code=t.code) for t in p.tests], limits=limits), timeout=120)
                t1 = time.perf_counter()
                test = tracer_pb2.TestCase(id="0", code=p.tests[0].code)
                list(stub.Trace(tracer_pb2.TraceRequest(program=p.reference_program, test=test, limits=limits),
                                timeout=120))
                t2 = time.perf_counter()
                list(stub.Trace(tracer_pb2.TraceRequest(program=p.reference_program + "/* new */\n", test=test,
                                                        limits=limits), timeout=120))
                t3 = time.perf_counter()
                runs.append(t1 - t0)
                reused.append(t2 - t1)
                fresh.append(t3 - t2)
        print(f"problems: {len(runs)}")
        print(f"Run (compile + all tests):        {statistics.mean(runs) * 1e3:7.0f} ms")
        print(f"Trace, binary of the Run reused:  {statistics.mean(reused) * 1e3:7.0f} ms")
        print(f"Trace, compiled for the Trace:    {statistics.mean(fresh) * 1e3:7.0f} ms")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
