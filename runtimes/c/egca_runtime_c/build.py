"""Compiling programs with gcc inside the sandbox, and reading its diagnostics.

gcc runs in its own sandboxed run (with limits sized for a compiler); the
binary comes back on stdout and is cached by (program, tests, flavour). A binary
holds every test it was built with and runs any one of them by index, so the Trace
of a test that an earlier Run of the same program included reuses the Run's binary
(`for_test`): a candidate's Run and the Trace of its first failing test compile once.
The tracer runtime (egca_rt.c) is compiled once per server into an object.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import re
import subprocess
import threading
from collections import OrderedDict
from dataclasses import dataclass

from egca_kit import sandbox
from egca.plugin import Range
from egca_runtime_c import harness
from egca_runtime_c.instrument import Instrumented, instrument, parse

log = logging.getLogger(__name__)

GCC = "gcc"
CFLAGS = ["-std=gnu11", "-O0", "-g0", "-fdiagnostics-format=json", "-fdiagnostics-column-unit=byte",
          "-fno-diagnostics-show-caret", "-fmax-errors=20", "-fno-stack-protector"]
# A compiler needs more room than the programs it compiles; these limits are its own.
COMPILE_LIMITS = sandbox.SandboxLimits(timeout_s=60.0, cpu_s=60.0, memory_bytes=4 << 30, max_processes=64,
                                       max_open_files=256, max_file_bytes=64 << 20, max_output_bytes=64 << 20)
CACHE_SIZE = 256


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


@functools.lru_cache(maxsize=1)
def gcc_version() -> str:
    try:
        out = subprocess.run([GCC, "-dumpfullversion"], capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        out = ""
    return f"gcc {out}" if out else "gcc (unknown version)"


class Builder:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rt_obj: bytes | None = None
        self._cache: OrderedDict[str, Binary | CompileError] = OrderedDict()
        # program digest -> [(tests, cache key)] of the instrumented binaries built for it
        self._by_program: dict[str, list[tuple[tuple[str, ...], str]]] = {}

    # ------------------------------------------------------------------ runtime object
    def runtime_object(self) -> bytes:
        with self._lock:
            if self._rt_obj is None:
                res = sandbox.run_sandboxed(
                    ["/bin/sh", "-c", f"{GCC} -std=gnu11 -O2 -c egca_rt.c -o rt.o && cat rt.o"],
                    files={"egca_rt.c": harness.runtime_source().encode(), "egca_rt.h": harness.runtime_header().encode()},
                    limits=COMPILE_LIMITS)
                if res.returncode != 0 or not res.stdout:
                    raise sandbox.SandboxError("cannot compile the C tracer runtime: "
                                               + res.stderr.decode(errors="replace")[-2000:])
                self._rt_obj = res.stdout
            return self._rt_obj

    # ------------------------------------------------------------------ programs
    def build(self, program: str, tests: list[str], *, instrumented: bool = True) -> Binary | CompileError:
        """A binary for (program, tests), or the program's first compile error."""
        key = hashlib.sha256(json.dumps([program, tests, instrumented]).encode()).hexdigest()
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                return hit
        result = self._build(program, tests, instrumented)
        with self._lock:
            self._cache[key] = result
            if instrumented and isinstance(result, Binary):
                prog_key = hashlib.sha256(program.encode("utf-8", "surrogatepass")).hexdigest()
                self._by_program.setdefault(prog_key, []).append((tuple(tests), key))
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
            if len(self._by_program) > CACHE_SIZE:
                self._by_program = {k: [e for e in v if e[1] in self._cache]
                                    for k, v in self._by_program.items()}
                self._by_program = {k: v for k, v in self._by_program.items() if v}
        return result

    def for_test(self, program: str, test: str) -> tuple[Binary | CompileError, int]:
        """A binary that runs `test` (and the index to run it by): a cached build of the
        same program that included it, else a build of (program, [test])."""
        prog_key = hashlib.sha256(program.encode("utf-8", "surrogatepass")).hexdigest()
        with self._lock:
            for tests, key in reversed(self._by_program.get(prog_key, [])):
                hit = self._cache.get(key)
                if isinstance(hit, Binary) and test in tests:
                    self._cache.move_to_end(key)
                    return hit, tests.index(test)
        return self.build(program, [test]), 0

    def _build(self, program: str, tests: list[str], instrumented: bool) -> Binary | CompileError:
        src = program.encode()
        info = None
        if instrumented:
            try:
                info = instrument(src)
                text = info.source.decode("utf-8", "surrogateescape")
            except (ValueError, RecursionError) as e:
                log.warning("instrumentation failed (%s); compiling the plain program for diagnostics", e)
                text, info = None, None
            if text is not None:
                ok, out = self._compile(harness.translation_unit(text, tests, instrumented=True), src)
                if ok:
                    return Binary(out, info)
        # Diagnostics always come from the plain program: instrumented columns are shifted.
        ok, out = self._compile(harness.translation_unit(program, tests, instrumented=False), src)
        if not ok:
            return out
        if instrumented:
            raise BuildError("the instrumented program does not compile although the program does; "
                             "this is a bug in the C tracer's instrumentation")
        return Binary(out, None)

    def _compile(self, tu: str, program: bytes) -> tuple[bool, bytes | CompileError]:
        rt = self.runtime_object()
        cmd = f"{GCC} {' '.join(CFLAGS)} -o prog prog.c rt.o -lm && cat prog"
        res = sandbox.run_sandboxed(["/bin/sh", "-c", cmd], limits=COMPILE_LIMITS, files={
            "prog.c": tu.encode("utf-8", "surrogateescape"), "rt.o": rt,
            "egca_rt.h": harness.runtime_header().encode()})
        if res.returncode == 0 and res.stdout:
            return True, res.stdout
        if res.timed_out:
            return False, CompileError("compilation timed out", None)
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
