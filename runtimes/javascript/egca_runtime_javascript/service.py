"""The JavaScript runtime on the kit: only what differs for JavaScript.

Run: the trusted harness (src/harness.js) runs the tests and decides verdicts; the
candidate (src/child.js, "serve" mode) loads the program and answers its calls.
Trace: src/child.js ("trace" mode) runs one test of the Babel-instrumented program.
The sandboxed processes are `node` from PATH, with the runtime's src/ and node_modules
mounted read-only; Babel itself runs in trusted helpers of this server (babel.py), which
only parse and transform program text.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

from egca_kit.errors import SandboxError
from egca_kit.sandbox import SYSTEM_DIRS, SandboxLimits
from egca_kit.tracer import Language, Process, TracerService

from egca_runtime_javascript import __version__
from egca_runtime_javascript.babel import Babel

SEED = 0
NOW_MS = 1_700_000_000_000        # Date.now() and new Date() in every run (2023-11-14T22:13:20Z)
MiB = 1 << 20
# V8 reserves ~0.75 GiB of address space before it allocates anything (a Node process
# does not start under ~0.8 GiB of RLIMIT_AS): the address-space limit of a Node process
# is the request's memory plus this, and the request's memory caps what the program can
# really allocate (half of it for the JavaScript heap, --max-old-space-size).
V8_RESERVATION_BYTES = 1 << 30
# The sandbox's wall clock beyond the request's limit: two Node processes start first.
STARTUP_GRACE_S = 1.0
ENV = {"TZ": "UTC", "NODE_OPTIONS": ""}


def runtime_dir() -> Path:
    """runtimes/javascript: src/ and node_modules/ (EGCA_JS_RUNTIME_DIR in an image)."""
    env = os.environ.get("EGCA_JS_RUNTIME_DIR")
    return Path(env).resolve() if env else Path(__file__).resolve().parents[1]


@functools.cache
def node() -> str:
    found = shutil.which(os.environ.get("EGCA_NODE", "node"))
    if not found:
        raise SandboxError("node is not on PATH (the JavaScript runtime runs programs with Node.js >= 20)")
    return os.path.realpath(found)


def check_installation() -> None:
    """At start-up: node and the runtime's files are there (a broken install shows at once)."""
    src, modules = runtime_dir() / "src", runtime_dir() / "node_modules"
    if not (src / "child.js").is_file():
        raise SystemExit(f"egca-runtime-javascript: no runtime sources at {src} (set EGCA_JS_RUNTIME_DIR)")
    if not (modules / "@babel" / "parser").is_dir():
        raise SystemExit(f"egca-runtime-javascript: packages not installed: run `npm ci` in {runtime_dir()}")
    node()


def deadlines(timeout_s: float) -> tuple[float, float]:
    """(candidate's soft deadline, harness's deadline), from each process's start: the candidate's
    fires first, so it can say where it was stuck (child.js stuckLine, ~0.2 s); the harness
    gives up after that and before the sandbox's hard limit (the limit + STARTUP_GRACE_S)."""
    return max(0.2, timeout_s - max(0.5, 0.1 * timeout_s)), timeout_s + 0.25


def _framed(job: dict, stdin: bytes) -> bytes:
    """A program test's stdin: the job's length on a line, the job, then the program's own input."""
    data = json.dumps(job).encode("utf-8", "surrogatepass")
    return b"%d\n" % len(data) + data + stdin


class JavaScript(Language):
    name = "javascript"

    def __init__(self) -> None:
        self.dir = runtime_dir()
        self.src = self.dir / "src"
        self.babel = Babel([node(), str(self.src / "babel_helper.js")],
                           size=max(1, min(4, (os.cpu_count() or 2) // 2)))
        binds = [str(self.src), str(self.dir / "node_modules")]
        prefix = os.path.dirname(os.path.dirname(node()))
        if not any(prefix == "/" + d or prefix.startswith("/" + d + "/") for d in SYSTEM_DIRS):
            binds.append(prefix)
        self.ro_binds = binds
        digest = hashlib.sha256()
        for f in sorted(self.src.glob("*.js")) + sorted(Path(__file__).parent.glob("*.py")):
            digest.update(f.name.encode() + f.read_bytes())
        self.version = f"egca-js/{__version__}+{digest.hexdigest()[:12]}"

    @functools.cached_property
    def _node_version(self) -> str:
        try:
            out = subprocess.run([node(), "--version"], capture_output=True, text=True, timeout=30).stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            out = "unknown"
        return f"Node {out}"

    def language_version(self) -> str:
        return self._node_version

    def runtime_version(self) -> str:
        return self.version

    def _node(self, script: str, limits: SandboxLimits) -> list[str]:
        heap = max(32, limits.memory_bytes // 2 // MiB)
        return [node(), f"--max-old-space-size={heap}", str(self.src / script)]

    @staticmethod
    def _limits(limits: SandboxLimits) -> SandboxLimits:
        return replace(limits, memory_bytes=limits.memory_bytes + V8_RESERVATION_BYTES)

    def run(self, program, tests, lim, entry_points=()) -> Process:
        checked = self.babel.request("check", program)
        candidate_deadline, harness_deadline = deadlines(lim.timeout_s)
        job = {"program": program, "tests": [{"id": t.id, "code": t.code} for t in tests],
               "stmts": checked["stmts"], "names": checked["names"], "n_ranges": len(checked["ranges"]),
               "entry_points": [e for e in entry_points if isinstance(e, str)],
               "deadline_s": harness_deadline, "candidate_deadline_s": candidate_deadline,
               "seed": SEED, "now": NOW_MS}
        return Process(argv=self._node("harness.js", lim), candidate_argv=self._node("child.js", lim),
                       stdin=json.dumps(job).encode("utf-8", "surrogatepass"), ro_binds=self.ro_binds, env=ENV,
                       ranges=checked["ranges"], limits=self._limits(lim), grace_s=STARTUP_GRACE_S)

    # ------------------------------------------------------------------ program tests
    def prepare_program(self, program, lim):
        """Program tests: the program parses (CompileFailed otherwise); its statement table locates errors."""
        return program, self.babel.request("check", program)

    def program_process(self, prepared, stdin, lim) -> Process:
        program, checked = prepared
        job = {"mode": "program", "program": program, "stmts": checked["stmts"],
               "deadline_s": deadlines(lim.timeout_s)[0], "seed": SEED, "now": NOW_MS}
        return Process(argv=self._node("child.js", lim), stdin=_framed(job, stdin), ro_binds=self.ro_binds, env=ENV,
                       ranges=checked["ranges"], limits=self._limits(lim), grace_s=STARTUP_GRACE_S)

    def _trace_program(self, program, test, lim, max_events) -> Process:
        inst = self.babel.request("instrument_program", program)
        job = {"mode": "trace", "program_test": True, "program": inst["code"], "fns": inst["fns"],
               "points": inst["points"], "max_events": max_events, "deadline_s": deadlines(lim.timeout_s)[0],
               "seed": SEED, "now": NOW_MS}
        return Process(argv=self._node("child.js", lim), stdin=_framed(job, test.stdin.encode("utf-8", "surrogatepass")),
                       ro_binds=self.ro_binds, env=ENV, ranges=inst["ranges"], limits=self._limits(lim),
                       grace_s=STARTUP_GRACE_S)

    def trace(self, program, test, lim, max_events) -> Process:
        if test.HasField("stdin"):
            return self._trace_program(program, test, lim, max_events)
        inst = self.babel.request("instrument", program)
        job = {"mode": "trace", "program": inst["code"], "tests": [{"id": test.id, "code": test.code}],
               "fns": inst["fns"], "points": inst["points"], "max_events": max_events,
               "deadline_s": deadlines(lim.timeout_s)[0], "seed": SEED, "now": NOW_MS}
        return Process(argv=self._node("child.js", lim), stdin=json.dumps(job).encode("utf-8", "surrogatepass") + b"\n",
                       ro_binds=self.ro_binds, env=ENV, ranges=inst["ranges"], limits=self._limits(lim),
                       grace_s=STARTUP_GRACE_S)


def JavaScriptTracer() -> TracerService:
    return TracerService(JavaScript())
