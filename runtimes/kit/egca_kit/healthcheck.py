"""`python -m egca_kit.healthcheck HOST:PORT [SERVICE]`: exit 0 when the gRPC server
there answers the standard health check with SERVING, else 1 (with the reason
on stderr). The images' HEALTHCHECK and compose's healthcheck use it."""

from __future__ import annotations

import sys

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc


# The interpreter on the images' PATH (the virtual environment the Dockerfiles create).
IMAGE_INTERPRETER = "python"


def image_command(port: int) -> tuple[str, ...]:
    """An image's health-check command for a gRPC service on `port` inside the container."""
    return (IMAGE_INTERPRETER, "-m", __name__, f"127.0.0.1:{port}")


def check(address: str, service: str = "", timeout_s: float = 3.0) -> str | None:
    """None when SERVING, else what was wrong."""
    with grpc.insecure_channel(address) as channel:
        try:
            reply = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service=service),
                                                              timeout=timeout_s)
        except grpc.RpcError as e:
            return f"{e.code().name}: {e.details()}"
    if reply.status != health_pb2.HealthCheckResponse.SERVING:
        return health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status)
    return None


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not 1 <= len(argv) <= 2:
        print("usage: python -m egca_kit.healthcheck HOST:PORT [SERVICE]", file=sys.stderr)
        return 2
    problem = check(argv[0], argv[1] if len(argv) > 1 else "")
    if problem:
        print(f"{argv[0]}: not serving: {problem}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
