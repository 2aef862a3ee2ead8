"""`egca serve` health follows its runtimes: NOT_SERVING while one it uses is down."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc


def _start(argv, env=None):
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, start_new_session=True)
    line = p.stdout.readline().decode()
    assert line.startswith("PORT "), line
    return p, f"127.0.0.1:{int(line.split()[1])}"


def _status(address):
    with grpc.insecure_channel(address) as ch:
        try:
            return health_pb2_grpc.HealthStub(ch).Check(health_pb2.HealthCheckRequest(service="egca.v1.Engine"),
                                                        timeout=5).status
        except grpc.RpcError:
            return None


def _wait_for(address, status, limit_s=60):
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        if _status(address) == status:
            return True
        time.sleep(0.2)
    return False


def test_engine_not_serving_while_its_runtime_is_down():
    runtime, rt_address = _start([sys.executable, "-m", "egca_runtime_python", "--port", "0"])
    env = {**os.environ, "EGCA_RUNTIME_PYTHON": rt_address}
    engine = None
    try:
        engine, address = _start([sys.executable, "-m", "egca.cli", "serve", "--port", "0"], env)
        assert _wait_for(address, health_pb2.HealthCheckResponse.SERVING)
        runtime.terminate()
        runtime.wait(timeout=30)
        assert _wait_for(address, health_pb2.HealthCheckResponse.NOT_SERVING)
    finally:
        for p in (runtime, engine):
            if p is not None and p.poll() is None:
                p.kill()
                p.wait()
