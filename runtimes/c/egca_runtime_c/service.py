"""The Tracer service for C on the runtime kit: only what differs for C.

gcc runs in the sandbox (build.py). Run starts the trusted harness executable
(tests + stubs, egca_harness.c), which calls the candidate's shared object in a
forked child per call and alone writes the verdicts on fd 3. Trace starts one
executable (program + the test, egca_rt.c's runner) that writes events on fd 3.
"""

from __future__ import annotations

import hashlib
from importlib import resources

from egca_kit.errors import InvalidRequest
from egca_kit.tracer import CompileFailed, Language, Process, TracerService

from egca_runtime_c import __version__, harness
from egca_runtime_c.build import Binary, BuildError, Builder, CompileError, RunBuild, gcc_version
from egca_runtime_c.instrument import Instrumented

# The sandbox's clock runs this much longer than the harness's own deadline, so
# the harness can report which test timed out and where.
SANDBOX_GRACE_S = 2.0
SOURCES = ("egca_rt.c", "egca_rt.h", "egca_test.h", "egca_harness.c", "egca_harness.h", "instrument.py",
           "harness.py", "build.py", "service.py")


def runtime_version() -> str:
    """Changes whenever the instrumentation or the event encoding changes (reference-trace cache key)."""
    h = hashlib.sha256()
    for name in SOURCES:
        h.update(resources.files("egca_runtime_c").joinpath(name).read_bytes())
    return f"{__version__}+{h.hexdigest()[:12]}"


def ranges(info: Instrumented | None) -> list:
    """The statement table of the kit: [statements..., functions..., branch conditions...]
    (the indices egca_rt.c writes)."""
    if info is None:
        return []
    return ([s.range.wire() for s in info.stmts] + [f.range.wire() for f in info.funcs]
            + [(s.cond or s.range).wire() for s in info.stmts])


def _failed(e: CompileError) -> CompileFailed:
    return CompileFailed(e.message, "CompileError", e.location.wire() if e.location else None)


class C(Language):
    name = "c"

    def __init__(self) -> None:
        self.builder = Builder()
        self._version = runtime_version()

    def language_version(self) -> str:
        return gcc_version()

    def runtime_version(self) -> str:
        return self._version

    # The harness traces the failing test through the candidate's shared object (egca_harness.c).
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

    def prepare_program(self, program, lim):
        """Program tests: the plain program compiled once (its own main) for all the tests."""
        built = self.builder.build_program(program)
        if isinstance(built, CompileError):
            raise _failed(built)
        return built

    def program_process(self, prepared, stdin, lim) -> Process:
        return Process(argv=["/bin/sh", "-c", "chmod 700 prog && exec ./prog"], files={"prog": prepared.data},
                       stdin=stdin, says_ready=False)

    def trace(self, program, test, lim, max_events) -> Process:
        code = harness.main_call(program.encode()) if test.HasField("stdin") else test.code
        built = self.builder.build_trace(program, code)
        if isinstance(built, CompileError):
            raise InvalidRequest(f"the program does not compile: {built.message}")
        if built.info is None:
            raise BuildError("no instrumented build")
        argv = ["/bin/sh", "-c", 'chmod 700 prog && exec ./prog "$@"', "sh",
                "trace", str(int(lim.timeout_s * 1000)), str(max_events), "0"]
        return Process(argv=argv, files={"prog": built.data}, ranges=ranges(built.info), grace_s=SANDBOX_GRACE_S,
                       stdin=test.stdin.encode("utf-8", "surrogateescape") if test.HasField("stdin") else b"")


def CTracer() -> TracerService:
    lang = C()
    lang.builder.runtime()       # compile the runtime once, before serving
    return TracerService(lang)


__all__ = ["C", "CTracer", "Binary", "RunBuild", "runtime_version"]
