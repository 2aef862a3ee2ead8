"""`python -m egca_runtime_python --port N [--host H]`: serve egca.v1.Tracer.

Launcher contract: with `--port 0` the OS picks a free port; the first line on
stdout is always `PORT <n>` (flushed) once the server is listening. Nothing
else goes to stdout; logs go to stderr. SIGINT/SIGTERM stop it gracefully.
"""

from __future__ import annotations

import argparse
import logging
import sys

from egca import rpc, sandbox
from egca.v1 import tracer_pb2, tracer_pb2_grpc

from egca_runtime_python.service import PythonTracer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="egca-runtime-python", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, required=True, help="port to listen on; 0 picks a free one")
    parser.add_argument("--workers", type=int, default=8, help="parallel Run/Trace calls (default 8)")
    parser.add_argument("--log-level", default="WARNING")
    args = parser.parse_args(argv)
    logging.basicConfig(stream=sys.stderr, level=args.log_level.upper(),
                        format="%(asctime)s egca-runtime-python %(levelname)s %(message)s")
    sandbox.isolation()   # probe the sandbox now, so a broken one shows at start-up
    servicer = PythonTracer()
    name = tracer_pb2.DESCRIPTOR.services_by_name["Tracer"].full_name
    server, port, _ = rpc.make_server([(tracer_pb2_grpc.add_TracerServicer_to_server, servicer, name)],
                                      f"{args.host}:{args.port}", max_workers=args.workers)
    server.start()
    sys.stdout.write(f"PORT {port}\n")
    sys.stdout.flush()
    logging.getLogger(__name__).info("serving on %s:%d, isolation %s", args.host, port, sandbox.isolation())
    rpc.serve_until_signalled(server)
    return 0


if __name__ == "__main__":
    sys.exit(main())
