"""gRPC plumbing shared by the Engine and the Python-side runtimes.

Every server gets standard health checking and server reflection; the
domain servicers stay free of transport code.
"""

from __future__ import annotations

import signal
import threading
import time
from concurrent import futures
from typing import Callable, Iterable, Iterator

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

# Messages carry whole programs and traces; 64 MiB leaves room for capped traces.
MAX_MESSAGE_BYTES = 64 * 1024 * 1024
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
    ("grpc.max_connection_age_ms", 300_000),
    ("grpc.max_connection_age_grace_ms", 60_000),
]


def make_server(registrations: Iterable[tuple[Callable, object, str]], address: str,
                max_workers: int = 16) -> tuple[grpc.Server, int, health.HealthServicer]:
    """Build a server with the given (add_fn, servicer, full service name) triples,
    health and reflection; returns (server, bound port, health servicer). Not started."""
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=max_workers), options=SERVER_OPTIONS)
    health_servicer = health.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    names = [health_pb2.DESCRIPTOR.services_by_name["Health"].full_name, reflection.SERVICE_NAME]
    for add_fn, servicer, name in registrations:
        add_fn(servicer, server)
        names.append(name)
    reflection.enable_server_reflection(names, server)
    port = server.add_insecure_port(address)
    if port == 0:
        raise OSError(f"cannot bind gRPC server to {address}")
    for name in names:
        health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    health_servicer.set("", health_pb2.HealthCheckResponse.SERVING)
    return server, port, health_servicer


# Events per Trace message: big enough to amortise gRPC's per-message cost.
TRACE_CHUNK_EVENTS = 512


def chunk_trace(events: Iterable, size: int = TRACE_CHUNK_EVENTS, max_delay_s: float = 0.05) -> Iterator:
    """Group a runtime's TraceEvent generator into TraceEvents messages: a chunk goes out
    when full, or when `max_delay_s` passed since the last one (checked as events arrive)."""
    from egca.v1 import tracer_pb2

    chunk, last = tracer_pb2.TraceEvents(), time.monotonic()
    for event in events:
        chunk.events.append(event)
        if len(chunk.events) >= size or time.monotonic() - last >= max_delay_s:
            yield chunk
            chunk, last = tracer_pb2.TraceEvents(), time.monotonic()
    if chunk.events:
        yield chunk


def serve_until_signalled(server: grpc.Server, on_stop: Callable[[], None] | None = None) -> None:
    """Block until SIGINT/SIGTERM, then stop gracefully."""
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    # Wait in slices: a signal that lands on one of gRPC's threads only runs its Python
    # handler when the main thread next wakes up, so a wait without timeout could miss it.
    while not stop.wait(0.5):
        pass
    server.stop(grace=2).wait()
    if on_stop:
        on_stop()


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
