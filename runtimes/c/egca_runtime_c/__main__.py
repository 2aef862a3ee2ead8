"""`python -m egca_runtime_c --host 127.0.0.1 --port 0`: serve the C Tracer.

The first line on stdout is `PORT <n>` (the engine's launcher reads it)."""

from __future__ import annotations

import argparse
import logging
import os
import sys

# The sandbox forks from this multi-threaded server; gRPC's fork handlers then run
# in the child (before exec) and can crash it. The server never needs gRPC after a fork.
os.environ.setdefault("GRPC_ENABLE_FORK_SUPPORT", "false")

from egca.rpc import make_server, serve_until_signalled
from egca.v1 import tracer_pb2, tracer_pb2_grpc
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
    serve_until_signalled(server)
    return 0


if __name__ == "__main__":
    sys.exit(main())
