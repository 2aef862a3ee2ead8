"""Warm sandboxes: a fresh, limited, isolated process per run without paying for a new
sandbox and interpreter each time.

A `WarmPool` keeps long-lived bubblewrap sandboxes ("zygotes"), each running the kit's
fork server (egca_kit/zygote.py) with the language's trusted modules already imported
(`WarmSpec.preload`, e.g. the Python runtime's harness and child). A run asks an idle
zygote for one fork; that fork gets, exactly as a cold run (egca_kit.sandbox) does:

- its own unprivileged uid(s), leased per run from the same uid pool (RLIMIT_NPROC is real,
  the candidate cannot signal, ptrace or read the harness);
- its own scratch directory (0700, only the candidate's uid can write it) at /scratch,
  created for the run and deleted after it; a fresh private /tmp and /dev/shm;
- its own pid namespace (it is pid 1 there; /proc shows only the run; when it ends the
  kernel kills every process it left) and its own IPC namespace;
- the request's rlimits, a minimal environment, fds 0-3 (stdin, stdout, stderr, channel)
  and nothing else; the same wall clock, output and channel caps (the server's drain).

What the runs of one zygote share, and why it is safe: the read-only root, the
interpreter's pages and the preloaded modules as they were before any run (each run is
a fork of a template that never ran a line of a program and never saw a job: jobs travel
on the run's own stdin pipe), and the sandbox's network namespace (loopback only; a run
cannot leave a process behind to listen on it). One zygote serves one run at a time.
docs/RUNTIMES.md ("Warm sandboxes") has the whole argument.

Only with real uids (sandbox mode ``bwrap-root``); elsewhere, or with ``EGCA_WARM=0``,
every run takes the cold path. A zygote that fails is replaced; a pool whose zygotes
cannot start turns itself off (logged) and runs go cold.
"""

from __future__ import annotations

import atexit
import functools
import itertools
import json
import logging
import os
import py_compile
import select
import shutil
import socket
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from egca_kit import sandbox
from egca_kit.errors import SandboxError

log = logging.getLogger(__name__)

WARM_ENV = "EGCA_WARM"            # "0": every run cold
START_TIMEOUT_S = 60.0            # a zygote's start (sandbox, interpreter, preload)
EXIT_TIMEOUT_S = 10.0             # after the run's pipes closed, its exit report
SETUP_FAILED = 125                # the zygote's code for a run it could not set up


@dataclass
class WarmSpec:
    """What a language preloads into its warm sandboxes.

    preload: module name -> path of a .pyc (stdlib-only trusted code) imported by the fork
      server once; a run's `Process.entry` ("module:function") is called in the fork.
    warmup: "module:function"s of the preload the fork server calls once, after importing
      it: trusted code on fixed inputs that pays start-up costs the modules would otherwise
      pay lazily in every run (compiling regular expressions, first imports).
    ro_binds: host paths mounted read-only in every warm sandbox (the preload's directory,
      interpreters, toolchains). A run in exec mode (no entry) must need no others.
    env: the fork server's environment (what must hold from interpreter start, e.g.
      PYTHONHASHSEED); each run still gets its own `Process.env`.
    """
    preload: dict[str, str] = field(default_factory=dict)
    warmup: list[str] = field(default_factory=list)
    ro_binds: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)


def enabled() -> bool:
    return os.environ.get(WARM_ENV, "1") != "0" and sandbox._mode() == "bwrap-root"


_ZYGOTE_DIR: str | None = None
_ZYGOTE_LOCK = threading.Lock()


def _zygote_dir() -> str:
    """zygote.py compiled once per server into a private directory the sandbox mounts read-only."""
    global _ZYGOTE_DIR
    with _ZYGOTE_LOCK:
        if _ZYGOTE_DIR is None:
            out = tempfile.mkdtemp(prefix="egca-zygote-")
            os.chmod(out, 0o755)
            target = os.path.join(out, "zygote.pyc")
            py_compile.compile(os.path.join(os.path.dirname(__file__), "zygote.py"), cfile=target,
                               dfile="<zygote>", doraise=True,
                               invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
            os.chmod(target, 0o644)
            atexit.register(shutil.rmtree, out, True)
            _ZYGOTE_DIR = out
        return _ZYGOTE_DIR


def _rlimits(limits: sandbox.SandboxLimits) -> dict:
    return {"core": 0, "as": int(limits.memory_bytes), "cpu": max(1, int(limits.cpu_s + 0.999)),
            "fsize": int(limits.max_file_bytes), "nofile": int(limits.max_open_files),
            "nproc": int(limits.max_processes)}


class _Zygote:
    """One warm sandbox: the fork server, its control socket and its scratch pool."""

    _ids = itertools.count(1)

    def __init__(self, spec: WarmSpec):
        self.spec = spec
        self.broken = False
        self.runs = 0
        self.pool_dir = tempfile.mkdtemp(prefix="egca-warm-")
        os.chmod(self.pool_dir, 0o700)
        zdir = _zygote_dir()
        argv = [os.path.realpath(sys.executable), "-I", "-S", "-X", "utf8", os.path.join(zdir, "zygote.pyc")]
        for name, path in spec.preload.items():
            argv += ["--preload", f"{name}={path}"]
        for call in spec.warmup:
            argv += ["--warmup", call]
        binds = [sys.base_prefix, zdir] + [b for b in spec.ro_binds if b not in (sys.base_prefix, zdir)]
        cmd, _ = sandbox._command(argv, "bwrap-root", self.pool_dir, sandbox.SandboxLimits(), binds, [],
                                  split_uids=True)
        at = cmd.index("--cap-add")
        cmd[at:at] = ["--cap-add", "CAP_SYS_ADMIN", "--cap-add", "CAP_KILL"]
        env = {"PATH": sandbox.DEFAULT_PATH, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "HOME": sandbox.SCRATCH,
               **spec.env}
        parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        log_r, log_w = os.pipe()
        null = os.open(os.devnull, os.O_RDWR | os.O_CLOEXEC)
        hi = [sandbox._high_fd(fd) for fd in (child.detach(), log_w, null)]
        actions = [(os.POSIX_SPAWN_DUP2, hi[2], 0), (os.POSIX_SPAWN_DUP2, hi[2], 1),
                   (os.POSIX_SPAWN_DUP2, hi[1], 2), (os.POSIX_SPAWN_DUP2, hi[0], 3)]
        try:
            self.pid = os.posix_spawn(shutil.which(cmd[0]) or cmd[0], cmd, env, file_actions=actions, setsid=True)
        except OSError as e:
            raise SandboxError(f"warm sandbox: cannot start bwrap: {e}") from e
        finally:
            for fd in hi:
                os.close(fd)
        self.sock = parent
        self._log = bytearray()
        threading.Thread(target=self._drain_log, args=(log_r,), daemon=True).start()
        ready = self._recv(START_TIMEOUT_S)
        if ready is None or not ready.get("ready"):
            self.close()
            raise SandboxError("warm sandbox did not start: " + self._log[-500:].decode(errors="replace"))

    def _drain_log(self, fd: int) -> None:
        try:
            while True:
                data = os.read(fd, 65536)
                if not data:
                    return
                self._log += data
                del self._log[:-4096]
                log.warning("warm sandbox: %s", data.decode(errors="replace").strip()[:500])
        finally:
            os.close(fd)

    def _recv(self, timeout: float | None) -> dict | None:
        """The next message, or None when the zygote is gone or silent for `timeout`."""
        if timeout is not None and not select.select([self.sock], [], [], timeout)[0]:
            return None
        try:
            data = self.sock.recv(1 << 16)
        except OSError:
            return None
        return json.loads(data) if data else None

    def close(self) -> None:
        self.broken = True
        try:
            self.sock.close()
        except OSError:
            pass
        try:
            os.killpg(self.pid, 9)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:
            pass
        shutil.rmtree(self.pool_dir, ignore_errors=True)

    # ------------------------------------------------------------------ one run
    def run(self, argv, *, files, limits, stdin, env, on_channel_line, entry, candidate_argv,
            split_uids) -> sandbox.SandboxResult:
        self.runs += 1
        rid = next(self._ids)
        leases = [sandbox._UidLease() for _ in range(2 if (split_uids or candidate_argv) else 1)]
        try:
            uids = [lease.uid for lease in leases]
            scratch = sandbox._make_scratch(files, uids[-1], parent=self.pool_dir)
            try:
                return self._spawn(rid, argv, scratch, limits, stdin, env, on_channel_line, uids, entry,
                                   candidate_argv)
            finally:
                shutil.rmtree(scratch, ignore_errors=True)
        finally:
            for lease in leases:
                lease.release()     # the run's pid namespace is gone: nothing of these uids is left

    def _spawn(self, rid, argv, scratch, limits, stdin, env, on_channel_line, uids, entry, candidate_argv):
        child_env = {"PATH": sandbox.DEFAULT_PATH, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "HOME": sandbox.SCRATCH}
        child_env.update(env or {})
        req = {"run": rid, "uids": uids, "scratch": os.path.basename(scratch), "limits": _rlimits(limits),
               "env": child_env, "entry": entry, "argv": list(argv),
               "candidate_argv": list(candidate_argv) if candidate_argv else None}
        in_r, in_w = os.pipe()
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        chan_r, chan_w = os.pipe()
        start = time.monotonic()
        try:
            socket.send_fds(self.sock, [json.dumps(req).encode()], [in_r, out_w, err_w, chan_w])
        except OSError as e:
            for fd in (in_r, in_w, out_r, out_w, err_r, err_w, chan_r, chan_w):
                os.close(fd)
            self.broken = True
            raise SandboxError(f"warm sandbox: cannot start a run: {e}") from e
        for fd in (in_r, out_w, err_w, chan_w):
            os.close(fd)
        proc = _WarmProc(self, rid)
        writer = sandbox.start_feed(in_w, stdin)
        try:
            out = sandbox._drain(proc, out_r, err_r, chan_r, limits, start, on_channel_line)
        except BaseException:
            proc.kill()
            raise
        finally:
            for fd in (out_r, err_r, chan_r):
                os.close(fd)
            # Its pipes are closed: the run is ending. One that lingers past its clock is killed.
            rc = proc.wait(max(0.0, start + limits.timeout_s - time.monotonic()), kill=True)
            writer.join(timeout=1)
        wall = time.monotonic() - start
        if rc == SETUP_FAILED:
            self.broken = True
            raise SandboxError("warm sandbox: run set-up failed: " + out["stderr"][-500:].decode(errors="replace"))
        sig = None
        if 128 < rc <= 128 + 64:
            sig, rc = rc - 128, None
        return sandbox.SandboxResult(returncode=rc, signal=sig, timed_out=out["timed_out"], stdout=out["stdout"],
                                     stderr=out["stderr"], output_truncated=out["output_truncated"], wall_s=wall,
                                     channel_truncated=out["channel_truncated"])


class _WarmProc:
    """A run in a zygote, as egca_kit.sandbox's drain sees a process: poll, kill, wait."""

    def __init__(self, zygote: _Zygote, rid: int):
        self.zygote, self.rid = zygote, rid
        self.returncode: int | None = None

    def _take(self, msg: dict | None) -> None:
        if msg is None:
            self.zygote.broken = True
            raise SandboxError("warm sandbox: the fork server went away")
        if msg.get("exit") == self.rid:
            self.returncode = int(msg["code"])

    def poll(self) -> int | None:
        if self.returncode is None and select.select([self.zygote.sock], [], [], 0)[0]:
            self._take(self.zygote._recv(None))
        return self.returncode

    def kill(self) -> None:
        try:
            self.zygote.sock.send(json.dumps({"kill": self.rid}).encode())
        except OSError:
            self.zygote.broken = True

    def wait(self, timeout: float, kill: bool = False) -> int:
        """Its exit code; after `timeout` it is killed (`kill`) and waited for a little longer."""
        deadline = time.monotonic() + timeout
        while self.returncode is None:
            left = deadline - time.monotonic()
            if left <= 0:
                if kill:
                    self.kill()
                    kill, deadline = False, time.monotonic() + EXIT_TIMEOUT_S
                    continue
                self.zygote.broken = True       # a run that will not end: the whole sandbox goes
                raise SandboxError("warm sandbox: a run did not end when killed")
            if select.select([self.zygote.sock], [], [], left)[0]:
                self._take(self.zygote._recv(None))
        return self.returncode


class WarmPool:
    """Idle zygotes of one language, created on demand up to `max_size` (one per concurrent run)."""

    def __init__(self, spec: WarmSpec, max_size: int = 32):
        self.spec, self.max_size = spec, max(1, max_size)
        self._idle: list[_Zygote] = []
        self._count = 0
        self._cond = threading.Condition()
        self.disabled = not enabled()
        self.started = 0
        # bwrap --die-with-parent follows the thread that started it: every zygote is started
        # by this one long-lived thread, not by a request's (a Trace's thread ends with it).
        self._spawner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="warm-spawner")
        atexit.register(self.close)

    def _acquire(self) -> _Zygote:
        with self._cond:
            while not self._idle and self._count >= self.max_size:
                self._cond.wait()
            if self._idle:
                return self._idle.pop()
            self._count += 1
        try:
            z = self._spawner.submit(_Zygote, self.spec).result()
        except BaseException:
            with self._cond:
                self._count -= 1
                self._cond.notify()
            raise
        self.started += 1
        return z

    def _release(self, z: _Zygote) -> None:
        if z.broken:
            z.close()
        with self._cond:
            if z.broken:
                self._count -= 1
            else:
                self._idle.append(z)
            self._cond.notify()

    def run(self, argv, *, files=None, limits=None, stdin=b"", env=None, on_channel_line=None, entry=None,
            candidate_argv=None, split_uids=False) -> sandbox.SandboxResult:
        try:
            z = self._acquire()
        except SandboxError as e:
            if self.started == 0:      # zygotes cannot start here at all: go cold for good
                log.warning("warm sandboxes unavailable, runs go cold: %s", e)
                self.disabled = True
            raise
        try:
            return z.run(argv, files=files or {}, limits=limits or sandbox.SandboxLimits(), stdin=stdin, env=env,
                         on_channel_line=on_channel_line, entry=entry, candidate_argv=candidate_argv,
                         split_uids=split_uids)
        finally:
            self._release(z)

    def close(self) -> None:
        with self._cond:
            idle, self._idle = self._idle, []
        for z in idle:
            z.close()


def fits(spec: WarmSpec, entry: str | None, ro_binds, candidate_argv, split_uids) -> bool:
    """Whether a run can go warm: a preloaded entry, or an exec that needs no other binds
    (a harness that drops its own uids must be preloaded: exec keeps root's bounding set)."""
    if entry:
        return entry.partition(":")[0] in spec.preload
    if split_uids:
        return False
    known = {_realpath(b) for b in spec.ro_binds}
    return all(_realpath(b) in known for b in ro_binds)


_realpath = functools.lru_cache(maxsize=1024)(os.path.realpath)   # asked on every run


