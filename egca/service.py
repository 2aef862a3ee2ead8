"""The Engine gRPC service: transport only; the work is egca.engine.Engine."""

from __future__ import annotations

import logging
import sys
import threading

import grpc

from egca import datasets
from egca.analysis import Analysis, Divergence, Span
from egca.engine import Engine, EngineConfig
from egca.errors import InfrastructureError, InvalidInput
from egca.core import Mode, Range
from egca.plugin import available_adapters
from egca.problem import Problem
from egca_kit.server import CHANNEL_OPTIONS, Server, retry_service_config, serve_until_signalled
from egca_kit.v1 import engine_pb2, engine_pb2_grpc, values_pb2

log = logging.getLogger(__name__)

_MODES = {Mode.SYNTAX: engine_pb2.SYNTAX, Mode.CONSTRAINT: engine_pb2.CONSTRAINT, Mode.CORRECT: engine_pb2.CORRECT,
          Mode.LOGIC: engine_pb2.LOGIC}


class EngineServicer(engine_pb2_grpc.EngineServicer):
    def __init__(self, engine: Engine):
        self.engine = engine

    def Analyze(self, request: engine_pb2.AnalyzeRequest, context: grpc.ServicerContext):
        try:
            problem = _problem(request)
            if not request.candidates:
                raise InvalidInput("no candidates given")
            offsets = None
            if any(c.token_offsets for c in request.candidates):
                offsets = [[(o.start, o.end) for o in c.token_offsets] for c in request.candidates]
            results = self.engine.analyze(problem, [c.completion for c in request.candidates], token_offsets=offsets,
                                          weighting=request.options.weighting or "span",
                                          reward=request.options.reward or "binary",
                                          localize=not request.options.skip_localization)
        except InvalidInput as e:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, str(e))
        except InfrastructureError as e:
            context.abort(grpc.StatusCode.UNAVAILABLE, str(e))
        except Exception as e:  # a bug of ours: say so, keep serving
            log.exception("Analyze failed")
            context.abort(grpc.StatusCode.INTERNAL, f"internal error: {type(e).__name__}: {e}")
        return engine_pb2.AnalyzeResponse(task_id=problem.task_id, results=[to_proto(r) for r in results])


def _problem(request: engine_pb2.AnalyzeRequest) -> Problem:
    which = request.WhichOneof("source")
    if which == "problem_ref":
        return datasets.get(request.problem_ref.dataset, request.problem_ref.task_id)
    if which == "problem":
        p = request.problem
        return Problem.from_dict({"task_id": p.task_id, "language": p.language, "prompt": p.prompt,
                                  "reference": p.reference, "entry_point": p.entry_point,
                                  "tests": [{"id": t.id, "code": t.code} for t in p.tests]})
    raise InvalidInput("request has neither a problem nor a problem_ref")


def _range(r: Range) -> values_pb2.SourceRange:
    return values_pb2.SourceRange(start_byte=r.start_byte, end_byte=r.end_byte, start_line=r.start_line,
                                  end_line=r.end_line)


def to_proto(a: Analysis) -> engine_pb2.CandidateResult:
    out = engine_pb2.CandidateResult(mode=_MODES[a.mode], reward=a.reward, tests_passed=a.tests_passed,
                                     tests_total=a.tests_total, failing_test=a.failing_test or "",
                                     constraint_violations=a.constraint_violations, timings=a.timings)
    if a.divergence is not None:
        out.has_divergence = True
        out.divergence.candidate.CopyFrom(_range(a.divergence.candidate))
        if a.divergence.reference is not None:
            out.divergence.has_reference = True
            out.divergence.reference.CopyFrom(_range(a.divergence.reference))
        out.divergence.reason = a.divergence.reason
        out.divergence.kind = a.divergence.kind
        for name in ("narrowed", "narrowed_reference", "crash"):
            r = getattr(a.divergence, name)
            if r is not None:
                setattr(out.divergence, "has_" + name, True)
                getattr(out.divergence, name).CopyFrom(_range(r))
    if a.span is not None:
        out.has_span = True
        out.span.program.start, out.span.program.end = a.span.program
        out.span.completion.start, out.span.completion.end = a.span.completion
    if a.narrowed is not None:
        out.has_narrowed = True
        out.narrowed.program.start, out.narrowed.program.end = a.narrowed.program
        out.narrowed.completion.start, out.narrowed.completion.end = a.narrowed.completion
    out.notes.extend(a.notes)
    if a.token_weights is not None:
        out.token_weights.extend(a.token_weights)
    return out


def from_proto(r: engine_pb2.CandidateResult) -> Analysis:
    modes = {v: k for k, v in _MODES.items()}
    div = None
    if r.has_divergence:
        d = r.divergence
        optional = {name: _from_range(getattr(d, name)) if getattr(d, "has_" + name) else None
                    for name in ("narrowed", "narrowed_reference", "crash")}
        div = Divergence(_from_range(d.candidate), _from_range(d.reference) if d.has_reference else None,
                         d.reason, d.kind, **optional)
    span = narrowed = None
    if r.has_span:
        span = Span((r.span.program.start, r.span.program.end), (r.span.completion.start, r.span.completion.end))
    if r.has_narrowed:
        narrowed = Span((r.narrowed.program.start, r.narrowed.program.end),
                        (r.narrowed.completion.start, r.narrowed.completion.end))
    return Analysis(mode=modes[r.mode], reward=r.reward, tests_passed=r.tests_passed, tests_total=r.tests_total,
                    failing_test=r.failing_test or None, divergence=div, span=span, narrowed=narrowed,
                    token_weights=list(r.token_weights) or None, notes=list(r.notes),
                    constraint_violations=list(r.constraint_violations), timings=dict(r.timings))


def _from_range(r: values_pb2.SourceRange) -> Range:
    return Range(r.start_byte, r.end_byte, r.start_line, r.end_line)


def serve(host: str = "127.0.0.1", port: int = 50051, config: EngineConfig | None = None,
          start_runtimes: bool = True) -> None:
    engine = Engine(config)
    if start_runtimes:
        for language in sorted(available_adapters()):
            try:
                engine.runtimes.client(language).info()
            except InfrastructureError as e:
                print(f"egca serve: warning: {language} runtime not available: {e}", file=sys.stderr)
    name = engine_pb2.DESCRIPTOR.services_by_name["Engine"].full_name
    server = Server([(engine_pb2_grpc.add_EngineServicer_to_server, EngineServicer(engine), name)],
                    f"{host}:{port}").start()
    stop = threading.Event()
    threading.Thread(target=_watch_runtimes, args=(engine, server, stop), name="runtime-health", daemon=True).start()
    print(f"PORT {server.port}", flush=True)
    print(f"egca engine serving on {host}:{server.port} (health + reflection enabled); Ctrl-C to stop",
          file=sys.stderr)
    serve_until_signalled(server, on_stop=lambda: (stop.set(), engine.close()))


RUNTIME_HEALTH_EVERY_S = 2.0


def _watch_runtimes(engine: Engine, server: Server, stop: threading.Event) -> None:
    """The Engine is SERVING only while every runtime it uses answers SERVING."""
    while not stop.wait(RUNTIME_HEALTH_EVERY_S):
        down = sorted(lang for lang, ok in engine.runtimes.healthy().items() if not ok)
        if not stop.is_set():
            server.set_serving(not down)


class EngineClient:
    """A running Engine service, with the in-process `Engine.analyze` signature
    (used by `egca analyze --engine` and the trainer)."""

    def __init__(self, address: str, timeout_s: float = 600, connect_timeout_s: float = 20):
        self.address, self.timeout_s, self.connect_timeout_s = address, timeout_s, connect_timeout_s
        self._connected = False
        # Analyze is a function of its request, so it is safe to repeat: the channel retries it
        # when the engine was UNAVAILABLE (restarting, a connection going away, a runtime briefly
        # down), and a call waits for the engine to be reachable instead of failing at once.
        service = engine_pb2.DESCRIPTOR.services_by_name["Engine"].full_name
        options = CHANNEL_OPTIONS + [("grpc.service_config", retry_service_config(service)),
                                     ("grpc.enable_retries", 1)]
        self._channel = grpc.insecure_channel(address, options=options)
        self._stub = engine_pb2_grpc.EngineStub(self._channel)

    def analyze(self, problem: Problem, completions: list[str], token_offsets=None, weighting: str = "span",
                reward: str = "binary", localize: bool = True) -> list[Analysis]:
        request = self.request(problem, completions, token_offsets, weighting, reward, localize)
        self._ensure_reachable()
        try:
            reply = self._stub.Analyze(request, timeout=self.timeout_s, wait_for_ready=True)
        except grpc.RpcError as e:
            if e.code() == grpc.StatusCode.INVALID_ARGUMENT:
                raise InvalidInput(e.details()) from None
            raise InfrastructureError(f"engine at {self.address}: {e.code().name}: {e.details()}") from None
        return [from_proto(r) for r in reply.results]

    def analyze_future(self, problem: Problem, completions: list[str], **options) -> grpc.Future:
        """The same call without blocking (many in flight on this one channel): a grpc.Future
        whose result is the AnalyzeResponse (`from_proto` its results)."""
        self._ensure_reachable()
        return self._stub.Analyze.future(self.request(problem, completions, **options), timeout=self.timeout_s,
                                         wait_for_ready=True)

    def _ensure_reachable(self) -> None:
        """An engine that was never reachable is an error at once (within connect_timeout_s), not
        a wait until the call's deadline; once it answered, calls wait out its restarts."""
        if self._connected:
            return
        try:
            grpc.channel_ready_future(self._channel).result(timeout=self.connect_timeout_s)
        except grpc.FutureTimeoutError:
            raise InfrastructureError(f"engine at {self.address} is unreachable "
                                      f"(no connection within {self.connect_timeout_s:g}s)") from None
        self._connected = True

    @staticmethod
    def request(problem: Problem, completions: list[str], token_offsets=None, weighting: str = "span",
                reward: str = "binary", localize: bool = True) -> engine_pb2.AnalyzeRequest:
        request = engine_pb2.AnalyzeRequest(
            problem=engine_pb2.Problem(task_id=problem.task_id, language=problem.language, prompt=problem.prompt,
                                       reference=problem.reference, entry_point=problem.entry_point,
                                       tests=[{"id": t.id, "code": t.code} for t in problem.tests]),
            options=engine_pb2.AnalyzeOptions(weighting=weighting, reward=reward, skip_localization=not localize))
        for k, text in enumerate(completions):
            candidate = request.candidates.add(completion=text)
            for s, e in (token_offsets[k] if token_offsets is not None else []):
                candidate.token_offsets.add(start=s, end=e)
        return request

    def close(self) -> None:
        self._channel.close()

    def __enter__(self) -> "EngineClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
