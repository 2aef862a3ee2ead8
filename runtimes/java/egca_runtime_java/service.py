"""The Java runtime on the kit: only what differs for Java.

Run: a pair of JVMs in one sandbox (Process.candidate_argv): the trusted harness
(java/egca/Harness.java) compiles the test code against stubs of the program's classes
and decides every verdict; the candidate (java/egca/Child.java, serve mode) compiles the
program with javax.tools in its own JVM and answers the stubs' calls with values.
Trace: one JVM (Child, trace mode) compiles the instrumented program (instrument.py)
with the test and runs it.

JVM start-up: the runtime's classes are compiled once per server into a jar, and a
class-data-sharing archive of that jar plus javac's classes is dumped from a training run
(java/egca/Warm.java); every sandboxed JVM maps it (-XX:SharedArchiveFile), runs C1 only
(-XX:TieredStopAtLevel=1) with the serial collector, and compiles in memory.
"""

from __future__ import annotations

import atexit
import functools
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import zipfile
from dataclasses import replace
from pathlib import Path

from egca_kit.errors import SandboxError
from egca_kit.sandbox import SYSTEM_DIRS, SandboxLimits
from egca_kit.tracer import Language, Process, TracerService

from egca_runtime_java import __version__, instrument

HERE = Path(__file__).parent
JAVA_SOURCES = sorted((HERE / "java" / "egca").glob("*.java"))
SEED = 0
MiB = 1 << 20
# A JVM reserves address space well beyond its heap (code cache, class space, metaspace,
# thread stacks, the program thread's 256 MiB stack): the process's RLIMIT_AS is the
# request's memory plus this, and the request's memory caps what the program can really
# allocate (half of it is the Java heap, -Xmx).
JVM_RESERVATION_BYTES = 1 << 30
# The sandbox's clock beyond the request's limit: two JVMs start and javac compiles first
# (the program's own time limit starts once it is loaded, like a compiled language's build).
STARTUP_GRACE_S = 10.0
ENV = {"MALLOC_ARENA_MAX": "2", "TZ": "UTC"}
JVM_FLAGS = ["-Xshare:auto", "-Xlog:disable", "-Xlog:all=off", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:-UsePerfData",
             "-XX:ReservedCodeCacheSize=48m", "-XX:CompressedClassSpaceSize=64m", "-XX:MaxMetaspaceSize=256m",
             "-XX:+DisableAttachMechanism", "-Xss2m", "-Djava.io.tmpdir=/tmp", "-Dfile.encoding=UTF-8",
             "-Duser.language=en", "-Duser.country=US", "-Duser.timezone=UTC",
             "--add-opens", "java.base/java.lang=ALL-UNNAMED", "--add-opens", "java.base/java.io=ALL-UNNAMED"]


def runtime_version() -> str:
    """Changes with the instrumentation, the harness or the child (the reference-trace cache key)."""
    h = hashlib.sha256()
    for f in JAVA_SOURCES + [HERE / "instrument.py", HERE / "service.py"]:
        h.update(f.name.encode() + f.read_bytes())
    return f"{__version__}+{h.hexdigest()[:12]}"


@functools.cache
def java_home() -> Path:
    """The JDK: EGCA_JAVA_HOME, JAVA_HOME, or the one javac on PATH belongs to."""
    for env in ("EGCA_JAVA_HOME", "JAVA_HOME"):
        if os.environ.get(env) and (Path(os.environ[env]) / "bin" / "javac").exists():
            return Path(os.environ[env]).resolve()
    javac = shutil.which("javac")
    if not javac:
        raise SandboxError("javac is not on PATH (the Java runtime needs a JDK >= 17; set JAVA_HOME)")
    return Path(os.path.realpath(javac)).parent.parent


def deadlines(timeout_s: float) -> tuple[float, float]:
    """(candidate's soft deadline, harness's deadline), from the program's load: the candidate's
    fires first so it can say where it was stuck; the harness gives up before the sandbox."""
    return (max(0.2, timeout_s - max(0.5, 0.1 * timeout_s)),
            max(0.3, timeout_s - max(0.25, 0.05 * timeout_s)))


class Build:
    """The runtime's jar and class-data-sharing archive, made once per server in a private
    directory that every sandbox mounts read-only."""

    def __init__(self) -> None:
        self.java = str(java_home() / "bin" / "java")
        key = hashlib.sha256(f"{runtime_version()} {os.path.realpath(self.java)} {JVM_FLAGS}".encode()).hexdigest()[:16]
        cached = Path(tempfile.gettempdir()) / f"egca-java-rt-{key}-{os.geteuid()}"
        if self._usable(cached):
            self.dir = cached
            self.jar = cached / "egca-runtime.jar"
            self.archive = cached / "egca-runtime.jsa" if (cached / "egca-runtime.jsa").is_file() else None
            return
        self.dir = Path(tempfile.mkdtemp(prefix="egca-java-rt-"))
        self.dir.chmod(0o755)
        self._jar()
        try:       # kept for the next server with the same runtime and JDK (start-up is then instant)
            os.rename(self.dir, cached)
            self.dir, self.jar = cached, cached / "egca-runtime.jar"
        except OSError:
            atexit.register(shutil.rmtree, self.dir, True)
        self._archive()       # the archive names the jar's path: made where the jar stays

    @staticmethod
    def _usable(d: Path) -> bool:
        """A cached build: ours (our uid, nobody else may write it) and complete."""
        try:
            st = d.lstat()
        except OSError:
            return False
        return (st.st_uid == os.geteuid() and not st.st_mode & 0o022 and d.is_dir() and not d.is_symlink()
                and (d / "egca-runtime.jar").is_file() and (d / "done").is_file())

    def _jar(self) -> None:
        classes = self.dir / "classes"
        out = subprocess.run([str(java_home() / "bin" / "javac"), "-nowarn", "-encoding", "UTF-8", "-d", str(classes),
                              *map(str, JAVA_SOURCES)], capture_output=True, text=True, timeout=300)
        if out.returncode != 0:
            raise SandboxError(f"cannot compile the Java runtime: {out.stderr[-2000:]}")
        self.jar = self.dir / "egca-runtime.jar"
        with zipfile.ZipFile(self.jar, "w") as z:
            z.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n\n")
            for f in sorted(classes.rglob("*.class")):
                z.write(f, f.relative_to(classes).as_posix())
        shutil.rmtree(classes, ignore_errors=True)
        self.jar.chmod(0o644)

    def _archive(self) -> None:
        self.archive = self.dir / "egca-runtime.jsa"
        dump = subprocess.run([self.java, f"-XX:ArchiveClassesAtExit={self.archive}", *JVM_FLAGS, "-Xmx512m",
                               "-cp", str(self.jar), "egca.Warm"], capture_output=True, text=True, timeout=300,
                              env={**os.environ, **ENV})
        if dump.returncode != 0 or not self.archive.exists():
            self.archive = None                # no CDS: slower start-up, same results
        else:
            self.archive.chmod(0o644)
        (self.dir / "done").write_text("ok\n")

    def argv(self, main: str, mode: str | None, limits: SandboxLimits) -> list[str]:
        heap = max(64, limits.memory_bytes // 2 // MiB)
        cds = [f"-XX:SharedArchiveFile={self.archive}"] if self.archive else []
        return [self.java, *cds, *JVM_FLAGS, f"-Xmx{heap}m", "-cp", str(self.jar), main] + ([mode] if mode else [])


class Java(Language):
    name = "java"

    def __init__(self) -> None:
        self.build = Build()
        self.version = runtime_version()
        binds = [str(self.build.dir)]
        home = str(java_home())
        if not any(home == "/" + d or home.startswith("/" + d + "/") for d in SYSTEM_DIRS):
            binds.append(home)
        self.ro_binds = binds

    @functools.cached_property
    def _java_version(self) -> str:
        try:
            out = subprocess.run([self.build.java, "-version"], capture_output=True, text=True, timeout=30).stderr
            line = out.strip().splitlines()[0] if out.strip() else "unknown"
        except (OSError, subprocess.TimeoutExpired):
            line = "unknown"
        return line.replace('"', "")

    def language_version(self) -> str:
        return self._java_version

    def runtime_version(self) -> str:
        return self.version

    @staticmethod
    def _limits(limits: SandboxLimits) -> SandboxLimits:
        return replace(limits, memory_bytes=limits.memory_bytes + JVM_RESERVATION_BYTES)

    def run(self, program, tests, lim, entry_points=()) -> Process:
        info = instrument.instrument(program)
        candidate_deadline, harness_deadline = deadlines(lim.timeout_s)
        job = {"program": info.seeded, "lines": info.table.lines, "stubs": instrument.stubs(program),
               "tests": [{"id": t.id, "code": instrument.rename_main(instrument.seed_test(t.code), f"Main__{i}"),
                          "main": f"Main__{i}"} for i, t in enumerate(tests)],
               "deadline_s": harness_deadline, "candidate_deadline_s": candidate_deadline, "seed": SEED,
               "n_ranges": len(info.table.ranges)}
        return Process(argv=self.build.argv("egca.Harness", None, lim),
                       candidate_argv=self.build.argv("egca.Child", "serve", lim),
                       stdin=json.dumps(job).encode("utf-8", "surrogatepass"), ro_binds=self.ro_binds, env=ENV,
                       ranges=info.table.ranges, limits=self._limits(lim), grace_s=STARTUP_GRACE_S)

    def trace(self, program, test, lim, max_events) -> Process:
        info = instrument.instrument(program)
        t = info.table
        job = {"program": info.source, "test": instrument.seed_test(test.code), "main": "Main",
               "names": t.names, "cond": t.cond, "kind": t.kind, "fn": t.fn, "fn_method": t.fn_method,
               "params": t.params, "fn_range": t.fn_range, "lines": t.lines, "max_events": max_events,
               "deadline_s": deadlines(lim.timeout_s)[0], "seed": SEED}
        return Process(argv=self.build.argv("egca.Child", "trace", lim),
                       stdin=json.dumps(job).encode("utf-8", "surrogatepass"), ro_binds=self.ro_binds, env=ENV,
                       ranges=t.ranges, limits=self._limits(lim), grace_s=STARTUP_GRACE_S)


def JavaTracer() -> TracerService:
    return TracerService(Java())
