"""Reaching the language runtimes: local processes (the embedded default) or
configured gRPC addresses, with retries on another replica.

A runtime failure is an `InfrastructureError`, never a candidate's failure.
"""

from __future__ import annotations

import atexit
import itertools
import json
import logging
import os
import subprocess
import threading
import time
from typing import Sequence

import grpc

from egca.errors import InfrastructureError, InvalidInput
from egca.plugin import get_adapter
from egca.trace import CompactEvents
from egca_kit.server import CHANNEL_OPTIONS, EXIT_WITH_STDIN_ENV, wait_until_serving
from egca_kit.v1 import tracer_pb2, tracer_pb2_grpc

log = logging.getLogger(__name__)

# Codes that say "this replica could not do it", so another replica may.
_RETRYABLE = {grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED, grpc.StatusCode.RESOURCE_EXHAUSTED,
              grpc.StatusCode.INTERNAL, grpc.StatusCode.UNKNOWN, grpc.StatusCode.CANCELLED}
# Time a call may take beyond the sandbox's own wall-clock limit (queueing, compiling, transfer).
CALL_MARGIN_S = 30.0
DEFAULT_RUN_TIMEOUT_S = 10.0
# Each address may be a DNS name with several replicas behind it (a headless Service,
# a compose service with replicas, `dns:///name:port`): the channel connects to every
# address it resolves to and spreads calls over them round-robin.
_BALANCED = json.dumps({"loadBalancingConfig": [{"round_robin": {}}]})
# Attempts per call, at least: a failed call on a balanced channel is retried on the
# same channel too, which sends it to another of the name's replicas.
MIN_ATTEMPTS = 3


class LocalRuntime:
    """A runtime started as a child process of this one, on a free loopback port."""

    def __init__(self, language: str):
        argv = get_adapter(language).local_runtime_command(0)
        log.info("starting local %s runtime: %s", language, " ".join(argv))
        try:
            # gRPC's C core logs every fork of a sandbox child at INFO: keep the user's terminal quiet.
            # Runtimes fork sandbox children from a threaded gRPC server: gRPC's fork handlers
            # must stay off there (they crash the child).
            # Its stdin is a pipe only we hold: when this process ends, however it ends, the
            # runtime sees the end of stdin and stops (egca_kit.server, EGCA_EXIT_WITH_STDIN).
            env = {**os.environ, "GRPC_VERBOSITY": os.environ.get("GRPC_VERBOSITY", "ERROR"),
                   "GRPC_ENABLE_FORK_SUPPORT": "false", EXIT_WITH_STDIN_ENV: "1"}
            self.process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=None, stdin=subprocess.PIPE,
                                            start_new_session=True, env=env)
        except OSError as e:
            raise InfrastructureError(f"cannot start the local {language} runtime ({argv[0]}): {e}") from e
        line = self.process.stdout.readline().decode(errors="replace").strip()
        if not line.startswith("PORT "):
            self.stop()
            raise InfrastructureError(f"the local {language} runtime did not start (said {line!r}); see its log above")
        self.address = f"127.0.0.1:{int(line.split()[1])}"
        # Keep draining stdout so the child never blocks on a full pipe.
        threading.Thread(target=self.process.stdout.read, daemon=True).start()
        try:
            wait_until_serving(self.address, timeout_s=60)
        except TimeoutError as e:
            self.stop()
            raise InfrastructureError(f"the local {language} runtime is not healthy: {e}") from e
        atexit.register(self.stop)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()


class TracerClient:
    """Calls one language's Tracer service, spreading calls over its replicas and
    retrying a failed call on the next replica."""

    def __init__(self, language: str, addresses: Sequence[str]):
        if not addresses:
            raise InfrastructureError(f"no address configured for the {language} runtime")
        self.language = language
        self.addresses = list(addresses)
        options = CHANNEL_OPTIONS + [("grpc.service_config", _BALANCED)]
        self._channels = [grpc.insecure_channel(a, options=options) for a in self.addresses]
        self._stubs = [tracer_pb2_grpc.TracerStub(c) for c in self._channels]
        self._next = itertools.count()
        self._info: tracer_pb2.InfoResponse | None = None

    def _attempts(self):
        start = next(self._next)
        for i in range(max(MIN_ATTEMPTS, len(self._stubs))):
            k = (start + i) % len(self._stubs)
            yield self.addresses[k], self._stubs[k]

    def _call(self, what: str, fn):
        errors = []
        for attempt, (address, stub) in enumerate(self._attempts()):
            if attempt:   # give a balanced channel a moment to notice a replica that died
                time.sleep(min(1.0, 0.1 * 2 ** attempt))
            try:
                return fn(stub)
            except grpc.RpcError as e:
                if e.code() == grpc.StatusCode.INVALID_ARGUMENT:
                    raise InvalidInput(e.details()) from None
                if e.code() not in _RETRYABLE:
                    raise InfrastructureError(f"{self.language} runtime at {address}: {what} failed: "
                                              f"{e.code().name}: {e.details()}") from None
                errors.append(f"{address}: {e.code().name}: {e.details()}")
                log.warning("%s runtime at %s failed %s (%s); trying another replica", self.language, address,
                            what, e.code().name)
        raise InfrastructureError(f"{self.language} runtime unavailable for {what}: " + "; ".join(errors))

    def info(self) -> tracer_pb2.InfoResponse:
        if self._info is None:
            self._info = self._call("Info", lambda s: s.Info(tracer_pb2.InfoRequest(), timeout=CALL_MARGIN_S))
        return self._info

    def run(self, program: str, tests, limits: tracer_pb2.Limits | None = None,
            entry_points: Sequence[str] = (), trace_failure: bool = False) -> tracer_pb2.RunResponse:
        """`trace_failure`: also trace the failing test inside the run where the runtime can
        (RunResponse.failure_trace; `failure_trace` reads it)."""
        req = tracer_pb2.RunRequest(program=program, limits=limits or tracer_pb2.Limits(),
                                    tests=[test_pb(t) for t in tests],
                                    entry_points=[e for e in entry_points if e], trace_failure=trace_failure)
        return self._call("Run", lambda s: s.Run(req, timeout=_deadline(req.limits, req.tests)))

    def trace(self, program: str, test, limits: tracer_pb2.Limits | None = None, compact: bool = True):
        """The trace of one test: `CompactEvents` (the compact wire form, decoded in bulk by
        egca.trace.from_events; indexing it gives typed events), or with `compact=False` the
        typed TraceEvents as a list."""
        req = tracer_pb2.TraceRequest(program=program, test=test_pb(test),
                                      limits=limits or tracer_pb2.Limits(), compact=compact)
        # The whole stream is collected inside one attempt so a replica dying mid-stream is retried whole.
        if compact:
            return self._call("Trace", lambda s: CompactEvents.from_chunks(
                list(s.Trace(req, timeout=_deadline(req.limits)))))
        return self._call("Trace", lambda s: [e for chunk in s.Trace(req, timeout=_deadline(req.limits))
                                              for e in chunk.events])

    @staticmethod
    def failure_trace(run: tracer_pb2.RunResponse, test_id: str) -> CompactEvents | None:
        """The trace of test `test_id` the run made (RunRequest.trace_failure), as `trace` returns
        it; None where it made none of that test, or where the trace did not end as the run's
        test did (out of the time the tests left it, or a failure that depends on what the
        earlier tests did): a Trace call of its own says what a fresh run does."""
        if not run.HasField("failure_trace") or run.failure_trace.test_id != test_id:
            return None
        events = CompactEvents.from_chunks([run.failure_trace.trace])
        result = next((r for r in run.results if r.id == test_id), None)
        if not isinstance(events, CompactEvents) or events.end is None or result is None \
                or events.end.status != result.status:
            return None
        return events

    def close(self) -> None:
        for c in self._channels:
            c.close()


def _serving(address: str) -> bool:
    try:
        wait_until_serving(address, timeout_s=2.0)
        return True
    except TimeoutError:
        return False


def _deadline(limits: tracer_pb2.Limits, tests=()) -> float:
    timeout = limits.timeout_s or DEFAULT_RUN_TIMEOUT_S
    if tests and tests[0].HasField("stdin"):   # program tests: one run of the program each
        return sum(t.time_limit_s or timeout for t in tests) + CALL_MARGIN_S
    return timeout + CALL_MARGIN_S


def test_pb(t) -> tracer_pb2.TestCase:
    """The wire form of a test (egca.problem.TestCase): code, or a program test's stdin, expected
    stdout, check and limits."""
    if isinstance(t, tracer_pb2.TestCase):
        return t
    if t.stdin is None:
        return tracer_pb2.TestCase(id=t.id, code=t.code)
    pb = tracer_pb2.TestCase(id=t.id, stdin=t.stdin, expected_stdout=t.stdout or "",
                             time_limit_s=t.time_limit_s or 0.0, memory_bytes=t.memory_bytes or 0)
    if t.check is not None:
        pb.check.mode, pb.check.float_tol = t.check.mode, t.check.float_tol
    return pb


class RuntimePool:
    """One TracerClient per language: configured addresses, or a local runtime started on first use."""

    def __init__(self, addresses: dict[str, Sequence[str]] | None = None):
        self._addresses = {k: list(v) for k, v in (addresses or {}).items()}
        for key, value in os.environ.items():   # EGCA_RUNTIME_<LANGUAGE>=host:port,host:port
            if key.startswith("EGCA_RUNTIME_") and value and key[13:].lower() not in self._addresses:
                self._addresses[key[13:].lower()] = [a.strip() for a in value.split(",") if a.strip()]
        self._clients: dict[str, TracerClient] = {}
        self._local: list[LocalRuntime] = []
        self._lock = threading.Lock()

    def client(self, language: str) -> TracerClient:
        with self._lock:
            if language not in self._clients:
                addresses = self._addresses.get(language)
                if not addresses:
                    local = LocalRuntime(language)
                    self._local.append(local)
                    addresses = [local.address]
                self._clients[language] = TracerClient(language, addresses)
            return self._clients[language]

    def healthy(self) -> dict[str, bool]:
        """For each runtime in use: does at least one of its replicas answer SERVING?"""
        with self._lock:
            clients = dict(self._clients)
        return {lang: any(_serving(a) for a in c.addresses) for lang, c in clients.items()}

    def close(self) -> None:
        for c in self._clients.values():
            c.close()
        for r in self._local:
            r.stop()
        self._clients.clear()
        self._local.clear()
