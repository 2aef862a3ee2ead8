"""Compiling C in the sandbox (gcc under egca_kit.limits.COMPILE_LIMITS), with caches.

Once per server: the tracer runtime (egca_rt.c, position independent) and the Run
harness library (libegca_harness.so). Per Run: the candidate's shared object
(instrumented program + runtime), cached per program, and the harness executable
(tests + stubs), cached per harness source, which is the same for every candidate of a
problem whose called functions keep their signatures. Per Trace: one executable
(program + the test).

The harness executables live in a directory of this server (mode 0711), each
execute-only (0111) and bound read-only into the sandbox: a candidate can neither
read the executable's file (and with it the tests' constants) nor chmod it.
"""

from __future__ import annotations

import atexit
import functools
import hashlib
import io
import json
import logging
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
import threading
from dataclasses import dataclass
from importlib import resources

from egca_kit import limits, native, sandbox
from egca_kit.buildcache import BuildCache, Failed, Installed, digest, install_result, remove_installed
from egca_runtime_c import harness
from egca_runtime_c.instrument import Instrumented, Range, instrument, parse

log = logging.getLogger(__name__)

GCC = "gcc"
CFLAGS = ["-std=gnu11", "-O0", "-g0", "-fdiagnostics-format=json", "-fdiagnostics-column-unit=byte",
          "-fno-diagnostics-show-caret", "-fmax-errors=20", "-fno-stack-protector"]
CACHE_SIZE = 256
TIMED_OUT = "compilation timed out"
HARNESS_LIB = "libegca_harness.so"


class BuildError(Exception):
    """The instrumented program does not compile though the plain one does (our bug)."""


@dataclass(frozen=True)
class CompileError:
    message: str
    location: Range | None       # in the program, bytes + lines
    in_tests: bool = False


@dataclass(frozen=True)
class Binary:
    data: bytes
    info: Instrumented | None    # statement table (None for a plain build)


@dataclass(frozen=True)
class RunBuild:
    program_so: bytes            # the candidate's shared object
    harness: str                 # path of the execute-only harness executable (host)
    info: Instrumented | None


@functools.lru_cache(maxsize=1)
def gcc_version() -> str:
    try:
        out = subprocess.run([GCC, "-dumpfullversion"], capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        out = ""
    return f"gcc {out}" if out else "gcc (unknown version)"


def _res(name: str) -> bytes:
    return resources.files("egca_runtime_c").joinpath(name).read_bytes()


def _untar(data: bytes) -> dict[str, bytes]:
    out = {}
    with tarfile.open(fileobj=io.BytesIO(data)) as tf:
        for m in tf.getmembers():
            if m.isfile():
                out[m.name] = tf.extractfile(m).read()
    return out


class Builder:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rt: dict[str, bytes] | None = None
        self._cache = BuildCache(CACHE_SIZE, on_evict=remove_installed)
        # Not under /tmp: the sandbox mounts a private /tmp over it.
        base = "/var/tmp" if os.access("/var/tmp", os.W_OK) else None
        self.dir = tempfile.mkdtemp(prefix="egca-c-harness-", dir=base)
        os.chmod(self.dir, 0o711)
        atexit.register(shutil.rmtree, self.dir, True)

    # ------------------------------------------------------------------ runtime objects
    def runtime(self) -> dict[str, bytes]:
        """rt.o (the tracer runtime, PIC) and the harness library, compiled once."""
        with self._lock:
            if self._rt is None:
                cmd = (f"{GCC} -std=gnu11 -O2 -fPIC -c egca_rt.c -o rt.o && "
                       f"{GCC} -std=gnu11 -O2 -fPIC -shared -o {HARNESS_LIB} egca_harness.c -ldl && "
                       f"tar cf - rt.o {HARNESS_LIB}")
                res = sandbox.run_sandboxed(["/bin/sh", "-c", cmd], limits=limits.COMPILE_LIMITS, files={
                    **{n: _res(n) for n in ("egca_rt.c", "egca_rt.h", "egca_harness.c", "egca_harness.h")},
                    **native.headers()})
                if res.returncode != 0 or not res.stdout:
                    raise sandbox.SandboxError("cannot compile the C runtime: " + res.stderr.decode(errors="replace")[-2000:])
                self._rt = _untar(res.stdout)
                lib = os.path.join(self.dir, HARNESS_LIB)
                with open(lib, "wb") as f:
                    f.write(self._rt[HARNESS_LIB])
                os.chmod(lib, 0o444)
            return self._rt

    @staticmethod
    def _instrument(program: str) -> tuple[str | None, Instrumented | None]:
        try:
            info = instrument(program.encode())
            return info.source.decode("utf-8", "surrogateescape"), info
        except (ValueError, RecursionError) as e:
            log.warning("instrumentation failed (%s); compiling the plain program for diagnostics", e)
            return None, None

    # ------------------------------------------------------------------ Run
    def build_run(self, program: str, tests: list[str]) -> RunBuild | CompileError:
        """The candidate's shared object, cached per program, and the harness executable,
        cached per harness source (the tests and the stubs of the functions they call, never
        the program's text): every candidate of a problem with the same signatures shares one
        harness build, so a new candidate costs one gcc run, not two."""
        src = program.encode()
        try:
            harness_src = harness.harness_unit(src, tests)
        except harness.Unsupported as e:
            return CompileError(str(e), None)
        so = self._cache.get("so:" + digest(program), lambda: self._build_so(program))
        if isinstance(so, CompileError):
            return so
        built = self._cache.get("harness:" + digest(harness_src), lambda: self._build_harness(harness_src))
        if isinstance(built, Failed):
            if built.timed_out:
                return CompileError(TIMED_OUT, None)
            e = first_error(built.stderr, src)
            return CompileError(e.message, e.location if not e.in_tests else None, e.in_tests)
        return RunBuild(so.data, built.path, so.info)

    def _build_so(self, program: str) -> Binary | CompileError:
        text, info = self._instrument(program)
        if text is not None:
            rt = self.runtime()
            cmd = (f"{GCC} {' '.join(CFLAGS)} -fPIC -shared -Wl,-Bsymbolic -Wl,--no-undefined -o prog.so prog.c rt.o "
                   f"-lm && cat prog.so")
            ok, out = self._gcc(cmd, {"prog.c": harness.run_so_unit(text, info).encode("utf-8", "surrogateescape"),
                                      "rt.o": rt["rt.o"], "egca_rt.h": _res("egca_rt.h")}, program.encode())
            if ok:
                return Binary(out, info)
            if out.message == TIMED_OUT:
                return out
        # Diagnostics always come from the plain program: instrumented columns are shifted.
        ok, plain = self._compile_so(program)
        if not ok:
            return plain
        if text is not None:
            raise BuildError("the instrumented program does not compile although the program does; "
                             "this is a bug in the C tracer's instrumentation")
        return Binary(plain, None)

    def _build_harness(self, harness_src: str) -> "Installed | Failed":
        rt = self.runtime()
        files = {"harness.c": harness_src.encode("utf-8", "surrogateescape"), HARNESS_LIB: rt[HARNESS_LIB],
                 "egca_rt.h": _res("egca_rt.h"), "egca_harness.h": _res("egca_harness.h")}
        cmd = (f"{GCC} {' '.join(CFLAGS)} -o harness harness.c -L. -legca_harness -Wl,-rpath,'$ORIGIN' -ldl -lm "
               f"&& cat harness")
        res = sandbox.run_sandboxed(["/bin/sh", "-c", cmd], limits=limits.COMPILE_LIMITS, files=files)
        return install_result(res, self.dir, "h-" + digest(harness_src)[:16], "gcc")

    def _compile_so(self, program: str) -> tuple[bool, bytes | CompileError]:
        cmd = f"{GCC} {' '.join(CFLAGS)} -fPIC -shared -Wl,--no-undefined -o prog.so prog.c -lm && cat prog.so"
        return self._gcc(cmd, {"prog.c": harness.program_unit(program, instrumented=False).encode("utf-8", "surrogateescape"),
                               "egca_rt.h": _res("egca_rt.h")}, program.encode())

    # ------------------------------------------------------------------ Trace
    def build_trace(self, program: str, test: str) -> Binary | CompileError:
        key = "trace:" + hashlib.sha256(json.dumps([program, test]).encode()).hexdigest()
        return self._cache.get(key, lambda: self._build_trace(program, test))

    def _build_trace(self, program: str, test: str) -> Binary | CompileError:
        src = program.encode()
        text, info = self._instrument(program)
        rt = self.runtime()
        cmd = f"{GCC} {' '.join(CFLAGS)} -o prog prog.c rt.o -lm && cat prog"
        if text is not None:
            ok, out = self._gcc(cmd, {"prog.c": harness.trace_unit(text, [test], info).encode("utf-8", "surrogateescape"),
                                      "rt.o": rt["rt.o"], "egca_rt.h": _res("egca_rt.h")}, src)
            if ok:
                return Binary(out, info)
        ok, out = self._gcc(cmd, {"prog.c": harness.trace_unit(program, [test], None).encode("utf-8", "surrogateescape"),
                                  "rt.o": rt["rt.o"], "egca_rt.h": _res("egca_rt.h")}, src)
        if not ok:
            return out
        if text is not None:
            raise BuildError("the instrumented program does not compile although the program does; "
                             "this is a bug in the C tracer's instrumentation")
        return Binary(out, None)

    # ------------------------------------------------------------------ program tests
    def build_program(self, program: str) -> Binary | CompileError:
        """The whole program as it is (its own main, no instrumentation): program tests' Run."""
        key = "program:" + hashlib.sha256(program.encode("utf-8", "surrogateescape")).hexdigest()
        return self._cache.get(key, lambda: self._build_program(program))

    def _build_program(self, program: str) -> Binary | CompileError:
        cmd = f"{GCC} {' '.join(CFLAGS)} -o prog prog.c -lm && cat prog"
        src = f'#line 1 "{harness.PROGRAM_FILE}"\n{program}\n'.encode("utf-8", "surrogateescape")
        ok, out = self._gcc(cmd, {"prog.c": src}, program.encode("utf-8", "surrogateescape"))
        return Binary(out, None) if ok else out

    def _gcc(self, cmd: str, files: dict, program: bytes) -> tuple[bool, bytes | CompileError]:
        res = sandbox.run_sandboxed(["/bin/sh", "-c", cmd], limits=limits.COMPILE_LIMITS, files=files)
        if res.returncode == 0 and res.stdout:
            return True, res.stdout
        if res.timed_out:
            return False, CompileError(TIMED_OUT, None)
        if not res.stderr.strip():
            raise sandbox.SandboxError(f"gcc ended without a diagnostic (exit {res.returncode}, signal {res.signal}, "
                                       f"stdout {len(res.stdout)} bytes)")
        return False, first_error(res.stderr.decode("utf-8", "replace"), program)


_UNDEFINED = re.compile(r"undefined reference to [`'‘]([A-Za-z_]\w*)['’]")


def first_error(stderr: str, program: bytes) -> CompileError:
    """The first error gcc reported (JSON diagnostics), located in the program."""
    for line in stderr.splitlines():
        line = line.strip()
        if not line.startswith("["):
            continue
        try:
            diags = json.loads(line)
        except ValueError:
            continue
        for d in diags:
            if d.get("kind") not in ("error", "fatal error"):
                continue
            msg = d.get("message", "error")
            locs = d.get("locations") or []
            if not locs:
                return CompileError(msg, None)
            caret = locs[0].get("caret", {})
            finish = locs[0].get("finish")
            if caret.get("file") != harness.PROGRAM_FILE:
                where = caret.get("file", "?")
                return CompileError(f"{msg} (in {where} line {caret.get('line')})", None,
                                    in_tests=where == harness.TEST_FILE)
            return CompileError(msg, _locate(program, caret, finish))
    m = _UNDEFINED.search(stderr)
    if m:
        return CompileError(f"undefined reference to '{m.group(1)}'", _find_call(program, m.group(1)))
    tail = [ln for ln in stderr.splitlines() if ln.strip()]
    return CompileError(tail[-1][:500] if tail else "compilation failed", None)


def _offset(program: bytes, line: int, byte_col: int) -> int:
    pos = 0
    for _ in range(max(0, line - 1)):
        nl = program.find(b"\n", pos)
        if nl < 0:
            return len(program)
        pos = nl + 1
    return min(len(program), pos + max(0, byte_col - 1))


def _locate(program: bytes, caret: dict, finish: dict | None) -> Range:
    """caret..finish when gcc gives a range; else the token at (or just before) the caret."""
    start = _offset(program, caret.get("line", 1), caret.get("byte-column", caret.get("column", 1)))
    if finish and finish.get("file") == caret.get("file"):
        end = _offset(program, finish.get("line", 1), finish.get("byte-column", finish.get("column", 1))) + 1
        if end > start:
            return Range.of_bytes(program, start, min(end, len(program)))
    root = parse(program).root_node
    node = root.descendant_for_byte_range(start, start)
    if node is None or node.child_count or node.start_byte > start or node.end_byte <= start:
        # whitespace / end of input: the token that precedes the caret
        prev = None
        stack = [root]
        while stack:
            n = stack.pop()
            if n.child_count == 0 and n.end_byte <= start and n.end_byte > n.start_byte:
                if prev is None or n.end_byte > prev.end_byte:
                    prev = n
            stack.extend(c for c in n.children if c.start_byte < start)
        node = prev
    if node is None:
        return Range.of_bytes(program, start, min(len(program), start + 1))
    return Range.of_node(node)


def _find_call(program: bytes, name: str) -> Range | None:
    root = parse(program).root_node
    stack = [root]
    found = None
    while stack:
        n = stack.pop()
        if n.type == "call_expression":
            f = n.child_by_field_name("function")
            if f is not None and f.text.decode(errors="replace") == name:
                if found is None or n.start_byte < found.start_byte:
                    found = n
        stack.extend(n.children)
    return Range.of_node(found) if found is not None else None
