"""`python -m egca_runtime_javascript.healthcheck HOST:PORT`: exit 0 when the gRPC server there
answers the standard health check with SERVING, else 1 (the image's HEALTHCHECK)."""

from __future__ import annotations

import sys

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m egca_runtime_javascript.healthcheck HOST:PORT", file=sys.stderr)
        return 2
    with grpc.insecure_channel(argv[0]) as channel:
        try:
            reply = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=3)
        except grpc.RpcError as e:
            print(f"{argv[0]}: not serving: {e.code().name}: {e.details()}", file=sys.stderr)
            return 1
    if reply.status != health_pb2.HealthCheckResponse.SERVING:
        print(f"{argv[0]}: not serving: {health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status)}",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
