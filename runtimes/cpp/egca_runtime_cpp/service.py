"""The Tracer service for C++ on the runtime kit: only what differs for C++.

g++ runs in the sandbox (build.py). Run starts the trusted harness executable
(tests + stubs, egca_harness.cc), which calls the candidate's shared object in a
forked child per call and alone writes the verdicts on fd 3. Trace starts one
executable (program + the test, egca_rt.cc's runner) that writes events on fd 3.
"""

from __future__ import annotations

import hashlib
from importlib import resources

from egca_kit.errors import InvalidRequest
from egca_kit.tracer import CompileFailed, Language, Process, TracerService

from egca_runtime_cpp import __version__
from egca_runtime_cpp.build import Binary, Builder, CompileError, RunBuild, gxx_version
from egca_runtime_cpp.instrument import Instrumented

# The sandbox's clock runs this much longer than the harness's own deadline, so
# the harness can report which test timed out and where.
SANDBOX_GRACE_S = 2.0
SOURCES = ("egca_rt.hpp", "egca_rt.cc", "egca_wire.hpp", "egca_harness.hpp", "egca_harness.cc", "egca_child.c", "instrument.py",
           "harness.py", "build.py", "service.py")


def runtime_version() -> str:
    """Changes whenever the instrumentation or the event encoding changes (reference-trace cache key)."""
    h = hashlib.sha256()
    for name in SOURCES:
        h.update(resources.files("egca_runtime_cpp").joinpath(name).read_bytes())
    return f"{__version__}+{h.hexdigest()[:12]}"


def ranges(info: Instrumented | None) -> list:
    """The statement table of the kit: [statements..., functions..., branch conditions...]."""
    if info is None:
        return []
    return ([s.range.wire() for s in info.stmts] + [f.range.wire() for f in info.funcs]
            + [(s.cond or s.range).wire() for s in info.stmts])


def _failed(e: CompileError) -> CompileFailed:
    return CompileFailed(e.message, "CompileError", e.location.wire() if e.location else None)


class Cpp(Language):
    name = "cpp"

    def __init__(self) -> None:
        self.builder = Builder()
        self._version = runtime_version()

    def language_version(self) -> str:
        return gxx_version()

    def runtime_version(self) -> str:
        return self._version

    # The harness traces the failing test through the candidate's shared object (egca_harness.cc).
    traces_failures = True

    def run(self, program, tests, lim, entry_points=(), trace_failure=0) -> Process:
        built = self.builder.build_run(program, [t.code for t in tests])
        if isinstance(built, CompileError):
            raise _failed(built)
        ms = str(int(lim.timeout_s * 1000))
        # A plain build (instrumentation failed) has no events to trace.
        traced = [str(trace_failure)] if trace_failure and built.info is not None else []
        return Process(argv=[built.harness, "run", ms, "./prog.so", *traced], files={"prog.so": built.program_so},
                       ro_binds=[self.builder.dir], ranges=ranges(built.info), grace_s=SANDBOX_GRACE_S)

    def trace(self, program, test, lim, max_events) -> Process:
        built = self.builder.build_trace(program, test.code)
        if isinstance(built, CompileError):
            if built.location is None and built.in_tests:
                raise InvalidRequest(f"the test does not compile: {built.message}")
            raise _failed(built)
        argv = ["/bin/sh", "-c", 'chmod 700 prog && exec ./prog "$@"', "sh",
                "trace", str(int(lim.timeout_s * 1000)), str(max_events), "0"]
        return Process(argv=argv, files={"prog": built.data}, ro_binds=[self.builder.dir],
                       ranges=ranges(built.info), grace_s=SANDBOX_GRACE_S)


def CppTracer() -> TracerService:
    lang = Cpp()
    lang.builder.runtime()       # the precompiled prelude and the runtime, once, before serving
    return TracerService(lang)


__all__ = ["Cpp", "CppTracer", "Binary", "RunBuild", "runtime_version"]
