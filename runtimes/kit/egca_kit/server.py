"""gRPC plumbing shared by every runtime and the Engine service.

Every server gets standard health checking that tells the truth (NOT_SERVING
until `start`, and again while draining on shutdown) and server reflection
(v1 and v1alpha); the domain servicers stay free of transport code.

Launcher contract of every runtime (`serve_main`): `--port 0` picks a free
port; the first line on stdout is `PORT <n>` (flushed) once the server is
listening; logs go to stderr; SIGINT/SIGTERM drain and stop it, and so does the
end of stdin when the environment has EGCA_EXIT_WITH_STDIN=1 (a parent that started
the server holds the pipe's other end: the server ends with it, however it ended).
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
import time
from concurrent import futures
from typing import Callable, Iterable, Iterator

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection, reflection_pb2

# Messages carry whole programs and traces; 64 MiB leaves room for capped traces.
MAX_MESSAGE_BYTES = 64 * 1024 * 1024
# Set by a parent that starts a server on a pipe as stdin (egca.runtimes.LocalRuntime).
EXIT_WITH_STDIN_ENV = "EGCA_EXIT_WITH_STDIN"
# "Unbounded" for grpc: the largest value the option takes (about 24.8 days).
MAX_CONNECTION_AGE_GRACE_MS = 2**31 - 1
# Calls that are safe to repeat (every egca.v1 call is: Run, Trace, Info, Analyze are functions of
# their request) are retried by the channel itself when the server was UNAVAILABLE (a replica
# restarting, a connection going away); `retry_service_config` is the service config that says so.
RETRY_POLICY = {"maxAttempts": 5, "initialBackoff": "0.2s", "maxBackoff": "5s", "backoffMultiplier": 2,
                "retryableStatusCodes": ["UNAVAILABLE"]}


def retry_service_config(*services: str, balanced: bool = False) -> str:
    """A gRPC service config (JSON) retrying UNAVAILABLE on `services` (full names), round-robin
    over the addresses a name resolves to when `balanced`."""
    import json

    config: dict = {"methodConfig": [{"name": [{"service": s} for s in services], "retryPolicy": RETRY_POLICY}]}
    if balanced:
        config["loadBalancingConfig"] = [{"round_robin": {}}]
    return json.dumps(config)


CHANNEL_OPTIONS = [
    ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
    ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
    # A replica that hangs (frozen container, stuck host) stops answering pings: its calls
    # fail within ~15 s and are retried elsewhere instead of waiting out the deadline.
    ("grpc.keepalive_time_ms", 10_000),
    ("grpc.keepalive_timeout_ms", 5_000),
    ("grpc.keepalive_permit_without_calls", 1),
    ("grpc.http2.max_pings_without_data", 0),
]
SERVER_OPTIONS = [
    ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
    ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
    # Accept the clients' keepalive pings.
    ("grpc.keepalive_permit_without_calls", 1),
    ("grpc.http2.min_ping_interval_without_data_ms", 5_000),
    ("grpc.http2.max_ping_strikes", 0),
    # Clients reconnect now and then, re-resolving DNS: replicas added by an autoscaler get traffic.
    # At the age the server only asks for a new connection (GOAWAY): calls already on the old one
    # run to their end however long they take (the grace is unbounded; a deadline is the caller's
    # business), and calls not yet started go on the new one, so an age never fails a call.
    ("grpc.max_connection_age_ms", 300_000),
    ("grpc.max_connection_age_grace_ms", MAX_CONNECTION_AGE_GRACE_MS),
]


# grpc.reflection.v1 has the same messages as v1alpha (same fields, new package name), so
# one servicer answers both; grpcio-reflection ships only the v1alpha stubs.
REFLECTION_V1 = "grpc.reflection.v1.ServerReflection"


def _add_reflection_v1(server: grpc.Server, servicer) -> None:
    handler = grpc.stream_stream_rpc_method_handler(
        servicer.ServerReflectionInfo,
        request_deserializer=reflection_pb2.ServerReflectionRequest.FromString,
        response_serializer=reflection_pb2.ServerReflectionResponse.SerializeToString)
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(
        REFLECTION_V1, {"ServerReflectionInfo": handler}),))


class Server:
    """A gRPC server with health and reflection whose health follows its life:
    NOT_SERVING until `start()`, SERVING while up, NOT_SERVING while draining."""

    def __init__(self, registrations: Iterable[tuple[Callable, object, str]], address: str, max_workers: int = 16):
        self.grpc = grpc.server(futures.ThreadPoolExecutor(max_workers=max_workers), options=SERVER_OPTIONS)
        self.health = health.HealthServicer()
        health_pb2_grpc.add_HealthServicer_to_server(self.health, self.grpc)
        self.names = [health_pb2.DESCRIPTOR.services_by_name["Health"].full_name]
        for add_fn, servicer, name in registrations:
            add_fn(servicer, self.grpc)
            self.names.append(name)
        reflection.enable_server_reflection(self.names + [reflection.SERVICE_NAME, REFLECTION_V1], self.grpc)
        _add_reflection_v1(self.grpc, reflection.ReflectionServicer(self.names + [reflection.SERVICE_NAME,
                                                                                   REFLECTION_V1]))
        self.port = self.grpc.add_insecure_port(address)
        if self.port == 0:
            raise OSError(f"cannot bind gRPC server to {address}")
        self.set_serving(False)

    def set_serving(self, serving: bool) -> None:
        status = health_pb2.HealthCheckResponse.SERVING if serving else health_pb2.HealthCheckResponse.NOT_SERVING
        for name in ["", *self.names]:
            self.health.set(name, status)

    def start(self) -> "Server":
        self.grpc.start()
        self.set_serving(True)
        return self

    def drain_and_stop(self, grace_s: float = 5.0) -> None:
        """NOT_SERVING first (load balancers stop sending), then let in-flight calls finish."""
        self.set_serving(False)
        self.grpc.stop(grace=grace_s).wait()


def make_server(registrations: Iterable[tuple[Callable, object, str]], address: str,
                max_workers: int = 16) -> tuple[grpc.Server, int, health.HealthServicer]:
    """Build a server with the given (add_fn, servicer, full service name) triples,
    health and reflection; returns (server, bound port, health servicer). Not started:
    health says NOT_SERVING until the caller sets SERVING (`Server.start` does both)."""
    s = Server(registrations, address, max_workers)
    s.set_serving(True)   # callers of this older form start the server themselves right after
    return s.grpc, s.port, s.health


# Events per Trace message: big enough to amortise gRPC's per-message cost.
TRACE_CHUNK_EVENTS = 512


def chunk_trace(events: Iterable, size: int = TRACE_CHUNK_EVENTS, max_delay_s: float = 0.05) -> Iterator:
    """Group a runtime's TraceEvent generator into TraceEvents messages: a chunk goes out
    when full, or when `max_delay_s` passed since the last one (checked as events arrive)."""
    from egca_kit.v1 import tracer_pb2

    chunk, last = tracer_pb2.TraceEvents(), time.monotonic()
    for event in events:
        chunk.events.append(event)
        if len(chunk.events) >= size or time.monotonic() - last >= max_delay_s:
            yield chunk
            chunk, last = tracer_pb2.TraceEvents(), time.monotonic()
    if chunk.events:
        yield chunk


def _stop_at_end_of_stdin(stop: threading.Event) -> None:
    # The raw fd, not sys.stdin: a daemon thread blocked inside a buffered reader holds its
    # lock, and the interpreter's shutdown then aborts trying to take it.
    try:
        while os.read(0, 65536):
            pass
    except OSError:
        pass
    stop.set()


def serve_until_signalled(server, on_stop: Callable[[], None] | None = None, grace_s: float = 5.0) -> None:
    """Block until SIGINT/SIGTERM, then drain (NOT_SERVING) and stop gracefully.
    `server` is a `Server` or a plain grpc.Server."""
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    if os.environ.get(EXIT_WITH_STDIN_ENV) == "1":
        # A parent killed outright (SIGKILL, an unhandled SIGTERM) runs no atexit hook:
        # the pipe it held closing is what tells us.
        threading.Thread(target=_stop_at_end_of_stdin, args=(stop,), daemon=True, name="exit-with-stdin").start()
    # Wait in slices: a signal that lands on one of gRPC's threads only runs its Python
    # handler when the main thread next wakes up, so a wait without timeout could miss it.
    while not stop.wait(0.5):
        pass
    if isinstance(server, Server):
        server.drain_and_stop(grace_s)
    else:
        server.stop(grace=grace_s).wait()
    if on_stop:
        on_stop()


def serve_main(name: str, make_servicer: Callable[[], object], argv: list[str] | None = None,
               before_start: Callable[[], None] | None = None) -> int:
    """The `__main__` of a runtime: parse --host/--port/--workers/--log-level, serve
    egca.v1.Tracer with `make_servicer()`, print `PORT <n>`, run until signalled."""
    from egca_kit.v1 import tracer_pb2, tracer_pb2_grpc

    parser = argparse.ArgumentParser(prog=name, description=f"{name}: the egca.v1.Tracer service")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, required=True, help="port to listen on; 0 picks a free one")
    parser.add_argument("--workers", type=int, default=8, help="parallel Run/Trace calls (default 8)")
    parser.add_argument("--log-level", default="WARNING")
    args = parser.parse_args(argv)
    logging.basicConfig(stream=sys.stderr, level=args.log_level.upper(),
                        format=f"%(asctime)s {name} %(levelname)s %(message)s")
    from egca_kit import sandbox
    sandbox.isolation()   # probe the sandbox now, so a broken one shows at start-up
    if before_start:
        before_start()
    servicer = make_servicer()
    service = tracer_pb2.DESCRIPTOR.services_by_name["Tracer"].full_name
    server = Server([(tracer_pb2_grpc.add_TracerServicer_to_server, servicer, service)],
                    f"{args.host}:{args.port}", max_workers=args.workers).start()
    sys.stdout.write(f"PORT {server.port}\n")
    sys.stdout.flush()
    logging.getLogger(name).info("serving on %s:%d, isolation %s", args.host, server.port, sandbox.isolation())
    serve_until_signalled(server)
    return 0


def wait_until_serving(address: str, timeout_s: float = 30.0, service: str = "") -> None:
    """Poll the health service at `address` until it reports SERVING."""
    deadline = time.monotonic() + timeout_s
    last_error: Exception | None = None
    with grpc.insecure_channel(address) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        while time.monotonic() < deadline:
            try:
                reply = stub.Check(health_pb2.HealthCheckRequest(service=service), timeout=2)
                if reply.status == health_pb2.HealthCheckResponse.SERVING:
                    return
            except grpc.RpcError as e:
                last_error = e
            time.sleep(0.05)
    raise TimeoutError(f"no SERVING health reply from {address} within {timeout_s:.0f}s ({last_error})")
