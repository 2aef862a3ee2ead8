"""The Python runtime on the kit: only what differs for Python.

Run: the trusted harness (harness.py) runs the tests and decides verdicts; it forks
the candidate (child.py, "serve" mode), which loads the program and answers its calls,
each on its own uid. Asked to (RunRequest.trace_failure), the candidate then traces the
failing test on a fresh module of the program, and the harness relays that trace after
its verdicts.
Trace: child.py ("trace" mode) runs one test under sys.settrace.
Both start as ``python -I -S``: only the standard library, only the
interpreter's own prefix mounted in the sandbox.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import logging
import os
import platform
import py_compile
import shutil
import sys
import tempfile
from pathlib import Path

from egca_kit import limits
from egca_kit.tracer import Language, Process, TracerService
from egca_kit.warm import WarmSpec

from egca_runtime_python import __version__

HERE = Path(__file__).parent
CHILD_SOURCE = (HERE / "child.py").read_text(encoding="utf-8")
HARNESS_SOURCE = (HERE / "harness.py").read_text(encoding="utf-8")
LINES_SOURCE = (HERE / "_lines.c").read_text(encoding="utf-8")
RUNTIME_VERSION = (f"{__version__}+"
                   f"{hashlib.sha256((CHILD_SOURCE + HARNESS_SOURCE + LINES_SOURCE).encode()).hexdigest()[:12]}")
SEED = 0
ENV = {"PYTHONHASHSEED": "0"}   # identical hashing (set order) for a candidate and its reference


def c_hooks() -> Path | None:
    """The tracer's C hooks as built with the package (setup.py), or None when they are not
    built or do not load in this interpreter (the one that runs the sandboxed child)."""
    try:
        from egca_runtime_python import _lines
    except ImportError:
        return None
    return Path(_lines.__file__)


def _compile_scripts() -> Path:
    """child.py and harness.py compiled once per server into a private directory the sandbox
    mounts read-only: a run then starts from bytecode (compiling both cost ~15 ms a run).
    The tracer's C hooks go beside them: child.py loads them from its own directory."""
    out = Path(tempfile.mkdtemp(prefix="egca-python-rt-"))
    out.chmod(0o755)
    for name in ("child", "harness"):
        target = out / f"{name}.pyc"
        py_compile.compile(str(HERE / f"{name}.py"), cfile=str(target), dfile=f"<{name}>", doraise=True,
                           invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
        target.chmod(0o644)
    hook = c_hooks()
    if hook is None:
        logging.getLogger(__name__).warning(
            "the Python tracer's C hooks (egca_runtime_python/_lines.c) are not built: traces are the same, "
            "at ~1.3-1.5x the CPU per event; reinstall egca-runtime-python where a C compiler and Python's headers are")
    else:
        shutil.copyfile(hook, out / hook.name)
        (out / hook.name).chmod(0o644)
    atexit.register(shutil.rmtree, out, True)
    return out


def deadlines(timeout_s: float) -> tuple[float, float]:
    """(candidate's soft deadline, harness's deadline): the candidate's fires first so it can
    say where it was stuck; the harness gives up before the sandbox's hard limit."""
    return (max(0.2, timeout_s - max(0.5, 0.1 * timeout_s)),
            max(0.3, timeout_s - max(0.25, 0.05 * timeout_s)))


def _framed(job: dict, stdin: bytes) -> bytes:
    """A program test's stdin: the job's length on a line, the job, then the program's own input."""
    data = json.dumps(job).encode()
    return b"%d\n" % len(data) + data + stdin


class Python(Language):
    name = "python"
    traces_failures = True     # the candidate traces the failing test after the harness's verdicts

    def __init__(self) -> None:
        self.scripts = _compile_scripts()
        self.binds = [sys.base_prefix, str(self.scripts)]
        self.executable = os.path.realpath(sys.executable)

    def _python(self, name: str) -> list[str]:
        return [self.executable, "-I", "-S", "-X", "utf8", str(self.scripts / f"{name}.pyc")]

    def language_version(self) -> str:
        return f"{platform.python_implementation()} {platform.python_version()}"

    def runtime_version(self) -> str:
        return RUNTIME_VERSION

    def run(self, program, tests, lim, entry_points=(), trace_failure=0) -> Process:
        candidate_deadline, harness_deadline = deadlines(lim.timeout_s)
        job = {"program": program, "tests": [{"id": t.id, "code": t.code} for t in tests],
               "entry_points": list(entry_points), "trace_failure": trace_failure,
               "deadline_s": harness_deadline, "candidate_deadline_s": candidate_deadline,
               "recursion_limit": limits.RECURSION_LIMIT, "seed": SEED}
        return Process(argv=self._python("harness"), split_uids=True, stdin=json.dumps(job).encode(),
                       ro_binds=self.binds, env=ENV, entry="harness:entry")

    def trace(self, program, test, lim, max_events) -> Process:
        if test.HasField("stdin"):
            return self._trace_program(program, test, lim, max_events)
        job = {"mode": "trace", "program": program, "tests": [{"id": test.id, "code": test.code}],
               "max_events": max_events, "recursion_limit": limits.RECURSION_LIMIT,
               "deadline_s": deadlines(lim.timeout_s)[0], "seed": SEED}
        return Process(argv=self._python("child"), stdin=json.dumps(job).encode() + b"\n",
                       ro_binds=self.binds, env=ENV, entry="child:entry")

    # ------------------------------------------------------------------ program tests
    def program_process(self, program, stdin, lim) -> Process:
        """One run of the whole program as __main__ (child.py "program" mode) on `stdin`."""
        job = {"mode": "program", "program": program, "recursion_limit": limits.RECURSION_LIMIT,
               "deadline_s": deadlines(lim.timeout_s)[0], "seed": SEED}
        return Process(argv=self._python("child"), stdin=_framed(job, stdin), ro_binds=self.binds, env=ENV,
                       entry="child:entry")

    def _trace_program(self, program, test, lim, max_events) -> Process:
        job = {"mode": "trace", "program_test": True, "program": program, "tests": [{"id": test.id, "code": ""}],
               "max_events": max_events, "recursion_limit": limits.RECURSION_LIMIT,
               "deadline_s": deadlines(lim.timeout_s)[0], "seed": SEED}
        return Process(argv=self._python("child"), stdin=_framed(job, test.stdin.encode("utf-8", "surrogatepass")),
                       ro_binds=self.binds, env=ENV, entry="child:entry")

    def warm(self) -> WarmSpec:
        """Warm sandboxes start with harness and child imported: a run is a fork, not an
        interpreter start (egca_kit.warm; EGCA_WARM=0 turns it off)."""
        return WarmSpec(preload={name: str(self.scripts / f"{name}.pyc") for name in ("child", "harness")},
                        warmup=["child:warm_up"], ro_binds=self.binds, env=ENV)


def PythonTracer() -> TracerService:
    return TracerService(Python())
