"""`python -m egca_runtime_c --host 127.0.0.1 --port 0`: serve the C Tracer.

The first line on stdout is `PORT <n>` (the engine's launcher reads it)."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading

# The sandbox forks from this multi-threaded server; gRPC's fork handlers then run
# in the child (before exec) and can crash it. The server never needs gRPC after a fork.
os.environ.setdefault("GRPC_ENABLE_FORK_SUPPORT", "false")

from egca_kit.server import make_server
from egca_kit.v1 import tracer_pb2, tracer_pb2_grpc
from egca_runtime_c.service import CTracer


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="egca_runtime_c", description="EGCA Tracer service for C")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--workers", type=int, default=8)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="egca-runtime-c: %(levelname)s %(message)s")
    servicer = CTracer()
    servicer.builder.runtime_object()       # compile the tracer runtime once, before serving
    name = tracer_pb2.DESCRIPTOR.services_by_name["Tracer"].full_name
    server, port, _ = make_server([(tracer_pb2_grpc.add_TracerServicer_to_server, servicer, name)],
                                  f"{args.host}:{args.port}", max_workers=args.workers)
    server.start()
    print(f"PORT {port}", flush=True)
    _serve_until_signalled(server)
    return 0


def _serve_until_signalled(server) -> None:
    """Block until SIGINT/SIGTERM, then stop gracefully.

    The main thread waits in short slices: a process-directed signal may be delivered
    to one of gRPC's threads, and then only sets Python's flag; a main thread blocked
    in an untimed wait would never run the handler (the server then ignored SIGTERM
    under load). Waking every slice runs it promptly.
    """
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    while not stop.wait(0.2):
        pass
    server.stop(grace=2).wait()


if __name__ == "__main__":
    sys.exit(main())
