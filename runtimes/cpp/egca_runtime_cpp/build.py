"""Compiling C++ in the sandbox (g++ under egca_kit.limits.COMPILE_LIMITS), with caches.

Once per server, into a directory of this server (mode 0711) bound read-only into
every sandbox: the precompiled prelude (egca_pre.hpp + its .gch: the standard headers
and the runtime's own, so a program compiles in a fraction of a second), the tracer
runtime (egca_rt.o, position independent), the Run harness's runner (egca_harness.o)
and the call child's path (libegca_cpp_child.so, plain C). Per Run: the candidate's
shared object (instrumented program + runtime + entries), cached per source, and the
harness executable (tests + stubs), cached per harness source, which the candidates of a
problem share. Per Trace: one executable (program + the test).

The harness executables live in the same directory, each execute-only (0111): a
candidate can neither read the executable's file (and with it the tests' constants)
nor chmod it.
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
from egca_runtime_cpp import harness
from egca_runtime_cpp.instrument import Instrumented, Range, instrument, parse

log = logging.getLogger(__name__)

GXX = "g++"
CXXFLAGS = ["-std=gnu++17", "-O0", "-g0", "-fPIC", "-fdiagnostics-format=json", "-fdiagnostics-column-unit=byte",
            "-fno-diagnostics-show-caret", "-fmax-errors=20", "-fno-stack-protector", "-w"]
CACHE_SIZE = 256
TIMED_OUT = "compilation timed out"
CHILD_LIB = "libegca_cpp_child.so"
RUNTIME_FILES = ("egca_rt.hpp", "egca_rt.cc", "egca_wire.hpp", "egca_harness.hpp", "egca_harness.cc", "egca_child.c")


class BuildError(Exception):
    """The instrumented program does not compile though the plain one does (our bug)."""


@dataclass(frozen=True)
class CompileError:
    message: str
    location: Range | None
    in_tests: bool = False


@dataclass(frozen=True)
class Binary:
    data: bytes
    info: Instrumented | None


@dataclass(frozen=True)
class RunBuild:
    program_so: bytes
    harness: str                 # path of the execute-only harness executable (host)
    info: Instrumented | None


@functools.lru_cache(maxsize=1)
def gxx_version() -> str:
    try:
        out = subprocess.run([GXX, "-dumpfullversion"], capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        out = ""
    return f"g++ {out} (C++17)" if out else "g++ (unknown version)"


def _res(name: str) -> bytes:
    return resources.files("egca_runtime_cpp").joinpath(name).read_bytes()


def _untar(data: bytes) -> dict[str, bytes]:
    out = {}
    with tarfile.open(fileobj=io.BytesIO(data)) as tf:
        for m in tf.getmembers():
            if m.isfile():
                out[m.name] = tf.extractfile(m).read()
    return out


def _libs(program: str) -> str:
    """Libraries a program may need beyond the C++ standard library (HumanEval-X's md5 task)."""
    return "-lm" + (" -lcrypto" if "openssl/" in program else "")


class Builder:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ready = False
        self._cache = BuildCache(CACHE_SIZE, on_evict=remove_installed)
        # Not under /tmp: the sandbox mounts a private /tmp over it.
        base = "/var/tmp" if os.access("/var/tmp", os.W_OK) else None
        self.dir = tempfile.mkdtemp(prefix="egca-cpp-", dir=base)
        os.chmod(self.dir, 0o711)
        atexit.register(shutil.rmtree, self.dir, True)

    @property
    def flags(self) -> str:
        return " ".join(CXXFLAGS) + f" -include {self.dir}/egca_pre.hpp -I{self.dir}"

    # ------------------------------------------------------------------ once per server
    def runtime(self) -> None:
        """The precompiled prelude, rt.o and the harness library, compiled once."""
        with self._lock:
            if self._ready:
                return
            for name, data in [*((n, _res(n)) for n in RUNTIME_FILES), *native.headers().items()]:
                path = os.path.join(self.dir, name)
                with open(path, "wb") as f:
                    f.write(data)
                os.chmod(path, 0o444)
            pre = (harness.prelude() + '#include "egca_rt.hpp"\n#include "egca_wire.hpp"\n'
                   '#include "egca_harness.hpp"\n')
            base = " ".join(CXXFLAGS)
            hpps = " ".join(f"{self.dir}/{n}" for n in RUNTIME_FILES if n.endswith(".hpp"))
            cmd = (f"cp {hpps} . && {GXX} {base} -x c++-header -o egca_pre.hpp.gch egca_pre.hpp && "
                   f"{GXX} {base} -O2 -c {self.dir}/egca_rt.cc -o egca_rt.o && "
                   f"{GXX} {base} -O2 -c {self.dir}/egca_harness.cc -o egca_harness.o && "
                   f"gcc -O2 -fPIC -shared -o {CHILD_LIB} {self.dir}/egca_child.c -ldl && "
                   f"tar cf - egca_pre.hpp.gch egca_rt.o egca_harness.o {CHILD_LIB}")
            res = sandbox.run_sandboxed(["/bin/sh", "-c", cmd], limits=limits.COMPILE_LIMITS,
                                        files={"egca_pre.hpp": pre.encode()}, ro_binds=[self.dir])
            if res.returncode != 0 or not res.stdout:
                raise sandbox.SandboxError("cannot compile the C++ runtime: " + res.stderr.decode(errors="replace")[-2000:])
            built = _untar(res.stdout)
            built["egca_pre.hpp"] = pre.encode()
            for name, data in built.items():
                path = os.path.join(self.dir, name)
                with open(path, "wb") as f:
                    f.write(data)
                os.chmod(path, 0o444)
            self._ready = True

    @staticmethod
    def _instrument(program: str) -> tuple[str | None, Instrumented | None]:
        try:
            info = instrument(program.encode())
            return info.source.decode("utf-8", "surrogateescape"), info
        except (ValueError, RecursionError) as e:
            log.warning("instrumentation failed (%s); compiling the plain program", e)
            return None, None

    def _sandboxed(self, cmd: str, files: dict):
        return sandbox.run_sandboxed(["/bin/sh", "-c", cmd], limits=limits.COMPILE_LIMITS, files=files,
                                     ro_binds=[self.dir])

    # ------------------------------------------------------------------ Run
    def build_run(self, program: str, tests: list[str]) -> RunBuild | CompileError:
        """The candidate's shared object (program + entry points of the functions the tests
        call), cached per source, and the harness executable, cached per harness source (tests
        + stubs, never the program's text): the candidates of a problem share one harness
        build, so a new candidate costs one g++ run, not two."""
        self.runtime()
        src = program.encode()
        try:
            sigs = harness.wanted(src, tests)
        except harness.Unsupported as e:
            return CompileError(str(e), None)
        entries = harness.entries_unit(src, sigs)
        so = self._cache.get("so:" + digest(program + "\0" + entries), lambda: self._build_so(program, entries))
        if isinstance(so, CompileError):
            return so
        harness_src = harness.harness_unit(sigs, tests)
        built = self._cache.get("harness:" + digest(harness_src), lambda: self._build_harness(harness_src))
        if isinstance(built, Failed):
            if built.timed_out:
                return CompileError(TIMED_OUT, None)
            e = first_error(built.stderr, src)
            return CompileError(e.message, e.location if not e.in_tests else None, e.in_tests)
        return RunBuild(so.data, built.path, so.info)

    def _build_so(self, program: str, entries: str) -> Binary | CompileError:
        src = program.encode()
        text, info = self._instrument(program)
        so_cmd = (f"{GXX} {self.flags} -shared -Wl,-Bsymbolic -Wl,--no-undefined -o prog.so prog.cc "
                  f"{self.dir}/egca_rt.o {_libs(program)} && cat prog.so")
        if text is not None:
            unit = harness.program_unit(text, instrumented=True, wire=True) + entries + harness.trace_entry(info)
            ok, out = self._gxx(so_cmd, {"prog.cc": unit.encode("utf-8", "surrogateescape")}, src)
            if ok:
                return Binary(out, info)
            if out.message == TIMED_OUT:
                return out
        # Diagnostics come from the plain program: instrumented columns are shifted.
        plain = harness.program_unit(program, instrumented=False, wire=True) + entries
        ok, out = self._gxx(so_cmd, {"prog.cc": plain.encode("utf-8", "surrogateescape")}, src)
        if not ok:
            return out
        if text is not None:
            log.warning("the instrumented program does not compile although the program does (a bug in the "
                        "C++ instrumentation); running it uninstrumented")
        return Binary(out, None)

    def _build_harness(self, harness_src: str) -> Installed | Failed:
        # The harness carries its own C++ library (static): a shared libstdc++ would bind to
        # the executable's template instances, which a call child unmaps (egca_child.c).
        cmd = (f"{GXX} {self.flags} -o harness harness.cc {self.dir}/egca_harness.o "
               f"-L{self.dir} -legca_cpp_child -Wl,-rpath,{self.dir} -static-libstdc++ -static-libgcc -ldl "
               f"&& cat harness")
        res = self._sandboxed(cmd, {"harness.cc": harness_src.encode("utf-8", "surrogateescape")})
        return install_result(res, self.dir, "h-" + digest(harness_src)[:20], "g++")

    # ------------------------------------------------------------------ Trace
    def build_trace(self, program: str, test: str) -> Binary | CompileError:
        key = "trace:" + hashlib.sha256(json.dumps([program, test]).encode()).hexdigest()
        return self._cache.get(key, lambda: self._build_trace(program, test))

    def _build_trace(self, program: str, test: str) -> Binary | CompileError:
        self.runtime()
        src = program.encode()
        text, info = self._instrument(program)
        cmd = f"{GXX} {self.flags} -o prog prog.cc {self.dir}/egca_rt.o {_libs(program)} && cat prog"
        if text is not None:
            ok, out = self._gxx(cmd, {"prog.cc": harness.trace_unit(text, [test], info).encode("utf-8", "surrogateescape")},
                                src)
            if ok:
                return Binary(out, info)
        ok, out = self._gxx(cmd, {"prog.cc": harness.trace_unit(program, [test], None).encode("utf-8", "surrogateescape")},
                            src)
        if not ok:
            return out
        if text is not None:
            log.warning("the instrumented program does not compile although the program does (a bug in the C++ "
                        "instrumentation); tracing it uninstrumented")
        return Binary(out, None)

    def _gxx(self, cmd: str, files: dict, program: bytes) -> tuple[bool, bytes | CompileError]:
        res = self._sandboxed(cmd, files)
        if res.returncode == 0 and res.stdout:
            return True, res.stdout
        if res.timed_out:
            return False, CompileError(TIMED_OUT, None)
        if not res.stderr.strip():
            raise sandbox.SandboxError(f"g++ ended without a diagnostic (exit {res.returncode}, signal {res.signal})")
        return False, first_error(res.stderr.decode("utf-8", "replace"), program)


_UNDEFINED = re.compile(r"undefined reference to [`'‘]([A-Za-z_]\w*)")


def first_error(stderr: str, program: bytes) -> CompileError:
    """The first error g++ reported (JSON diagnostics), located in the program."""
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
    """caret..finish when g++ gives a range; else the token at (or just before) the caret."""
    start = _offset(program, caret.get("line", 1), caret.get("byte-column", caret.get("column", 1)))
    if finish and finish.get("file") == caret.get("file"):
        end = _offset(program, finish.get("line", 1), finish.get("byte-column", finish.get("column", 1))) + 1
        if end > start:
            return Range.of_bytes(program, start, min(end, len(program)))
    root = parse(program).root_node
    node = root.descendant_for_byte_range(start, start)
    if node is None or node.child_count or node.start_byte > start or node.end_byte <= start:
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
