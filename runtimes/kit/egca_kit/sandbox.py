"""Run one untrusted program in a fresh, limited, isolated child process.

Every runtime runs candidate code only through `run_sandboxed`.
What a run gets:

- a private scratch directory (mode 0700, deleted afterwards) holding `files`;
  it is the child's cwd and, under bubblewrap, mounted at ``/scratch`` — the
  only writable place besides a small private ``/tmp`` tmpfs;
- rlimits: address space, CPU seconds, file size, processes, open files, no core;
- a wall-clock timeout that kills the whole process group (and with it the
  pid namespace);
- stdout/stderr drained concurrently and capped at `max_output_bytes`;
- a side channel: the write end of a pipe is fd 3 in the child; each complete
  line written to it is passed to `on_channel_line` as it arrives. After
  `max_channel_bytes` further lines are dropped (`channel_truncated`); the child
  is not killed for it (its wall clock still bounds it). A final line without a
  newline (child killed mid-write) is dropped, so consumers only see whole lines.

Isolation, strongest available first (see `isolation()`):

1. ``bwrap`` run as root without a user namespace: new net/pid/ipc/uts/mount
   namespaces, a root made only of read-only system directories (/usr, /bin,
   /lib*, /etc, /opt) plus `ro_binds`, and the program runs through ``setpriv``
   as an unprivileged uid that is unique to this run, with no-new-privs. The
   unique uid is what makes RLIMIT_NPROC real: the kernel counts processes per
   uid and never limits root, so a fork bomb is stopped at `max_processes`
   without starving parallel sandboxes.
2. ``bwrap`` as an ordinary user (user namespace): same namespaces; the process
   limit is applied inside the sandbox with ``prlimit``.
3. No bwrap: **refused** (fail closed): every run raises `SandboxRefused`,
   whose message names the opt-in. Only with ``EGCA_UNSAFE_NO_SANDBOX=1`` in
   the runtime's environment does it run programs with plain rlimits (and
   ``unshare -n`` for no network when it works); `isolation()` then says
   ``unsafe-no-sandbox``. ``EGCA_BWRAP`` names the bwrap binary (tests point it
   at a missing file to check the refusal).

Trusted verdicts (`candidate_argv`): the run starts two processes in the same
sandbox. The *harness* (`argv`) gets stdin (the job), stdout/stderr and the
channel (fd 3), plus fd 4 (write: calls to the candidate) and fd 5 (read: the
candidate's replies). The *candidate* (`candidate_argv`) gets fd 0 (the calls),
fd 3 (its replies), stdout/stderr, and nothing else: it cannot write the
channel, so nothing it does can produce a verdict. Under ``bwrap-root`` the two
run as two different unprivileged uids, so the candidate cannot signal, ptrace
or read the harness; under ``bwrap-user`` they share the namespace's one uid,
and the candidate runs in its own nested user and pid namespaces (it cannot
name the harness's process). The harness's cwd is ``/tmp``;
the candidate's is the scratch directory, which only its uid can write.

Split uids (`split_uids=True`): for a harness that starts its candidate itself
(fork, so an interpreter is paid for once). Under ``bwrap-root`` `argv` starts
as root inside the sandbox with only CAP_SETUID/CAP_SETGID and no-new-privs,
and ``EGCA_SANDBOX_UIDS=H,C`` says which two unprivileged uids to drop to: the
harness must fork the candidate, then each side calls setgroups([]),
setresgid and setresuid to its own uid before anything else (the candidate
before it runs a line of the program; the harness before it reads the tests).
Under ``bwrap-user`` and the unsafe plain mode the variable is absent: both
keep the one uid and the harness makes itself non-dumpable.

Exit status under bwrap: bwrap reports a child killed by signal N as exit code
128+N, so such codes are reported as `signal` = N (a program that calls
exit(137) is reported as killed by SIGKILL; no test in the wild does that).
"""

from __future__ import annotations

import errno
import fcntl
import logging
import os
import random
import selectors
import shlex
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from typing import Callable

from egca_kit.errors import SandboxError, SandboxRefused

log = logging.getLogger(__name__)

SCRATCH = "/scratch"              # the scratch directory's path inside bwrap
CHANNEL_FD = 3                    # the side channel's fd in the child
# System directories mounted read-only into the bwrap root. Home directories,
# /root, /work, /tmp, /run, /sys are deliberately absent.
SYSTEM_DIRS = ("usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32", "etc", "opt")
# Unique uids for sandboxed runs: far above any real account.
UID_BASE = 0x7A000000
UID_SLOTS = 1 << 16
TMPFS_BYTES = 64 << 20            # private /tmp size (tmpfs counts against RAM, not RLIMIT_AS)
KILL_GRACE_S = 2.0                # after a kill, how long to wait for the pipes to close
DEFAULT_PATH = "/usr/local/bin:/usr/bin:/bin"
UNSAFE_OPT_IN = "EGCA_UNSAFE_NO_SANDBOX"
# The fds of a harness/candidate pair inside the sandbox (see the module docstring).
HARNESS_CALLS_FD, HARNESS_REPLIES_FD = 4, 5


@dataclass
class SandboxLimits:
    """Limits of one sandboxed run. Zero-valued proto fields mean these defaults.

    timeout_s: wall clock for the whole run (10 s).
    cpu_s: CPU seconds (RLIMIT_CPU; 10 s).
    memory_bytes: address space (RLIMIT_AS; 1 GiB).
    max_processes: processes of the program (RLIMIT_NPROC on the run's own uid; 32).
    max_open_files: RLIMIT_NOFILE (64).
    max_file_bytes: largest file the program may write (RLIMIT_FSIZE; 16 MiB).
    max_output_bytes: stdout+stderr kept (1 MiB; the rest is drained and dropped).
    max_channel_bytes: side-channel bytes delivered (64 MiB).
    """

    timeout_s: float = 10.0
    cpu_s: float = 10.0
    memory_bytes: int = 1 << 30
    max_processes: int = 32
    max_open_files: int = 64
    max_file_bytes: int = 16 << 20
    max_output_bytes: int = 1 << 20
    max_channel_bytes: int = 64 << 20

    @classmethod
    def from_proto(cls, limits_pb) -> "SandboxLimits":
        """From an `egca.v1.Limits` (or None); zero fields take the defaults."""
        d = cls()
        if limits_pb is None:
            return d
        return cls(
            timeout_s=limits_pb.timeout_s or d.timeout_s,
            cpu_s=limits_pb.cpu_s or d.cpu_s,
            memory_bytes=limits_pb.memory_bytes or d.memory_bytes,
            max_processes=limits_pb.max_processes or d.max_processes,
            max_open_files=limits_pb.max_open_files or d.max_open_files,
            max_file_bytes=limits_pb.max_file_bytes or d.max_file_bytes,
            max_output_bytes=limits_pb.max_output_bytes or d.max_output_bytes,
        )

    def to_proto(self, limits_pb) -> None:
        """Fill an `egca.v1.Limits` with these values (for Info.default_limits)."""
        limits_pb.timeout_s = self.timeout_s
        limits_pb.cpu_s = self.cpu_s
        limits_pb.memory_bytes = self.memory_bytes
        limits_pb.max_processes = self.max_processes
        limits_pb.max_open_files = self.max_open_files
        limits_pb.max_file_bytes = self.max_file_bytes
        limits_pb.max_output_bytes = self.max_output_bytes


@dataclass
class SandboxResult:
    returncode: int | None        # exit code; None when killed by a signal
    signal: int | None            # the killing signal, if any
    timed_out: bool               # the wall clock ran out and we killed it
    stdout: bytes
    stderr: bytes
    output_truncated: bool        # stdout+stderr exceeded max_output_bytes
    wall_s: float
    channel_truncated: bool = False


# ---------------------------------------------------------------- isolation mode

_MODE_LOCK = threading.Lock()
_MODE: str | None = None          # "bwrap-root", "bwrap-user", "plain"
_UNSHARE_NET = False


def isolation() -> list[str]:
    """What isolation is really active (probed once)."""
    mode = _mode()
    if mode == "bwrap-root":
        return ["bwrap", "netns", "pidns", "mountns", "ipcns", "uid-drop", "no-new-privs", "rlimits", "scratch"]
    if mode == "bwrap-user":
        return ["bwrap", "userns", "netns", "pidns", "mountns", "ipcns", "rlimits", "scratch"]
    if mode == "refused":
        return ["refused"]
    return ["unsafe-no-sandbox"] + (["netns"] if _UNSHARE_NET else []) + ["rlimits", "scratch"]


def _bwrap() -> str | None:
    return shutil.which(os.environ.get("EGCA_BWRAP", "bwrap"))


_REFUSAL = ""


def refusal() -> str:
    """Why untrusted code is refused here ('' when a sandbox works or the unsafe opt-in is set)."""
    _mode()
    return _REFUSAL


def _seal_inherited_fds() -> None:
    """Make every fd this process inherited non-inheritable: Python's own fds already are
    (PEP 446), but one our parent leaked to us would otherwise reach every sandbox."""
    try:
        names = os.listdir("/proc/self/fd")
    except OSError:
        return
    for name in names:
        fd = int(name)
        if fd > 2:
            try:
                os.set_inheritable(fd, False)
            except OSError:
                pass


def _mode() -> str:
    global _MODE, _UNSHARE_NET, _REFUSAL
    with _MODE_LOCK:
        if _MODE is not None:
            return _MODE
        _seal_inherited_fds()
        candidates = []
        why = []
        if _bwrap():
            if os.geteuid() == 0 and shutil.which("setpriv"):
                candidates.append("bwrap-root")
            if os.geteuid() != 0 and shutil.which("prlimit"):
                candidates.append("bwrap-user")
        else:
            why.append(f"bubblewrap ({os.environ.get('EGCA_BWRAP', 'bwrap')}) not found")
        for mode in candidates:
            reason = _self_test(mode)
            if reason is None:
                _MODE = mode
                return mode
            why.append(f"{mode} self-test failed: {reason}")
            log.warning("sandbox: %s self-test failed: %s", mode, reason)
        if os.environ.get(UNSAFE_OPT_IN) != "1":
            _REFUSAL = (f"no working sandbox ({'; '.join(why) or 'no usable isolation'}): untrusted code is refused; "
                        f"install bubblewrap, or set {UNSAFE_OPT_IN}=1 to run it without isolation (unsafe)")
            log.info("sandbox: %s", _REFUSAL)   # every refused request says it; the user sees it there
            _MODE = "refused"
            return _MODE
        if os.geteuid() == 0 and shutil.which("unshare"):
            _UNSHARE_NET = subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode == 0
        log.warning("sandbox: %s=1: running untrusted code WITHOUT a sandbox (rlimits%s only)",
                    UNSAFE_OPT_IN, " + network namespace" if _UNSHARE_NET else "")
        _MODE = "plain"
        return _MODE


def _self_test(mode: str) -> str | None:
    """Run `true` the way a real run would; None when it works, else the reason."""
    try:
        res = _run(["true"], mode=mode, files={}, limits=SandboxLimits(timeout_s=10), stdin=b"",
                   env=None, ro_binds=(), on_channel_line=None)
    except SandboxError as e:
        return str(e)
    if res.returncode != 0:
        return f"exit {res.returncode} signal {res.signal}: {res.stderr[-500:].decode(errors='replace')}"
    return None


# ---------------------------------------------------------------- unique uids

_UID_LOCK_DIR = os.path.join(tempfile.gettempdir(), "egca-sandbox-uids")


class _UidLease:
    """Claim a uid no other sandboxed run (in any process) is using, via flock."""

    def __init__(self) -> None:
        os.makedirs(_UID_LOCK_DIR, mode=0o700, exist_ok=True)
        start = random.randrange(UID_SLOTS)
        for i in range(UID_SLOTS):
            slot = (start + i) % UID_SLOTS
            fd = os.open(os.path.join(_UID_LOCK_DIR, str(slot)), os.O_CREAT | os.O_RDWR | os.O_CLOEXEC, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                continue
            self.fd, self.uid = fd, UID_BASE + slot
            return
        raise SandboxError("no free sandbox uid")

    def release(self) -> None:
        os.close(self.fd)


# ---------------------------------------------------------------- running

def run_sandboxed(argv: list[str], *, files: dict[str, bytes] | None = None,
                  limits: SandboxLimits | None = None, stdin: bytes = b"",
                  env: dict[str, str] | None = None, ro_binds: list[str] | tuple = (),
                  on_channel_line: Callable[[bytes], None] | None = None,
                  candidate_argv: list[str] | None = None, split_uids: bool = False) -> SandboxResult:
    """Run `argv` in a fresh sandbox (see the module docstring).

    argv[0] must be an absolute path or a name on PATH that exists inside the
    sandbox; `ro_binds` are extra host paths mounted read-only at the same path
    (e.g. an interpreter's prefix). `env` is added to a minimal environment
    (PATH, LANG, HOME=scratch). With `candidate_argv`, `argv` is the trusted
    harness and `candidate_argv` the untrusted program, wired as described above.
    Raises SandboxRefused without a sandbox (unless opted out), SandboxError when
    the sandbox itself fails.
    """
    if not argv or candidate_argv is not None and not candidate_argv:
        raise ValueError("argv is empty")
    mode = _mode()
    if mode == "refused":
        raise SandboxRefused(_REFUSAL)
    return _run(list(argv), mode=mode, files=files or {}, limits=limits or SandboxLimits(),
                stdin=stdin, env=env, ro_binds=tuple(ro_binds), on_channel_line=on_channel_line,
                candidate_argv=list(candidate_argv) if candidate_argv else None, split_uids=split_uids)


def _resolve(argv: list[str]) -> list[str]:
    exe = argv[0] if os.path.isabs(argv[0]) else shutil.which(argv[0], path=DEFAULT_PATH)
    if exe is None or not os.access(exe, os.X_OK):
        raise SandboxError(f"sandbox: cannot execute {argv[0]!r}")
    return [exe] + argv[1:]


def _run(argv, *, mode, files, limits, stdin, env, ro_binds, on_channel_line,
         candidate_argv=None, split_uids=False) -> SandboxResult:
    argv = _resolve(argv)
    candidate_argv = _resolve(candidate_argv) if candidate_argv else None
    leases = []
    try:
        if mode == "bwrap-root":
            leases.append(_UidLease())
            if candidate_argv or split_uids:
                leases.append(_UidLease())   # the candidate's own uid; the harness keeps the first
        uids = [lease.uid for lease in leases]
        if split_uids and len(uids) == 2:
            env = {**(env or {}), "EGCA_SANDBOX_UIDS": f"{uids[0]},{uids[1]}"}
        scratch = _make_scratch(files, uids[-1] if uids else None)
        try:
            return _spawn(argv, mode, scratch, limits, stdin, env, ro_binds, on_channel_line, uids, candidate_argv,
                          split_uids)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    finally:
        for lease in leases:
            lease.release()


def _make_scratch(files: dict[str, bytes], uid: int | None, parent: str | None = None) -> str:
    try:
        scratch = tempfile.mkdtemp(prefix="egca-sbx-", dir=parent)
        os.chmod(scratch, 0o700)
        for rel, data in files.items():
            path = os.path.normpath(os.path.join(scratch, rel))
            if os.path.isabs(rel) or not path.startswith(scratch + os.sep):
                raise ValueError(f"sandbox file name must stay inside scratch: {rel!r}")
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(data)
        if uid is not None:
            for root, dirs, names in os.walk(scratch):
                os.chown(root, uid, uid)
                for n in names:
                    os.chown(os.path.join(root, n), uid, uid)
        return scratch
    except ValueError:
        raise
    except OSError as e:
        raise SandboxError(f"sandbox: cannot create scratch directory: {e}") from e


def _drop(mode: str, uid: int | None) -> list[str]:
    """The prefix that starts a program as the run's unprivileged uid (bwrap-root only)."""
    if mode != "bwrap-root":
        return []
    return ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--no-new-privs", "--"]


def _apart(mode: str) -> list[str]:
    """Under ``bwrap-user`` the harness and the candidate share the namespace's one uid, and a
    harness that cannot make itself non-dumpable (Node, the JVM) could be opened through
    /proc/<pid>/fd or traced: the candidate gets its own user and pid namespaces and /proc,
    so it cannot even name the harness. (Under ``bwrap-root`` two uids keep them apart.)"""
    if mode != "bwrap-user":
        return []
    return [_bwrap() or "bwrap", "--unshare-user", "--unshare-pid", "--die-with-parent", "--ro-bind", "/", "/",
            "--bind", SCRATCH, SCRATCH, "--bind", "/tmp", "/tmp", "--proc", "/proc", "--dev", "/dev",
            "--chdir", SCRATCH, "--"]


def _pair_script(argv, candidate_argv, mode, uids) -> list[str]:
    """/bin/sh wiring of a harness and its candidate (fds as in the module docstring):
    spawned with fd 4 = calls (read end), 5 = replies (write end), 6 = calls (write end),
    7 = replies (read end). The candidate keeps 4 as stdin and 5 as fd 3; the harness
    keeps 6 as fd 4 and 7 as fd 5; each closes the other's ends, so a candidate that dies
    is seen by the harness as EOF."""
    q = shlex.join
    cand = _drop(mode, uids[-1] if uids else None) + _apart(mode) + candidate_argv
    harness = _drop(mode, uids[0] if uids else None) + argv
    cd = "cd /tmp && " if mode != "plain" else ""
    script = (f"{q(cand)} 0<&4 3>&5 4<&- 5>&- 6>&- 7<&- &\n"
              f"{cd}exec {q(harness)} 4>&6 5<&7 6>&- 7<&-\n")
    return ["/bin/sh", "-c", script]


def _command(argv, mode, scratch, limits, ro_binds, uids, candidate_argv=None,
             split_uids=False) -> tuple[list[str], str]:
    """The full command line and the cwd to start it in."""
    if candidate_argv:
        inner = _pair_script(argv, candidate_argv, mode, uids)
    elif split_uids and mode == "bwrap-root":
        inner = ["setpriv", "--no-new-privs", "--"] + argv   # root with CAP_SETUID/SETGID only: it drops itself
    else:
        inner = _drop(mode, uids[0] if uids else None) + argv
    if mode == "plain":
        return (["unshare", "-n", "--"] + inner if _UNSHARE_NET else inner), scratch
    cmd = [_bwrap() or "bwrap", "--die-with-parent", "--new-session",
           "--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"]
    if mode == "bwrap-user":
        cmd.append("--unshare-user")
    for d in SYSTEM_DIRS:
        p = "/" + d
        if os.path.islink(p):
            cmd += ["--symlink", os.readlink(p), p]
        elif os.path.isdir(p):
            cmd += ["--ro-bind", p, p]
    # /tmp is private; the runtime's own binds come after it, so one under /tmp stays visible.
    cmd += ["--dev", "/dev", "--proc", "/proc", "--size", str(TMPFS_BYTES), "--perms", "1777", "--tmpfs", "/tmp"]
    for p in ro_binds:
        real = os.path.realpath(p)
        if os.path.exists(real) and not real.startswith(tuple("/" + d + "/" for d in SYSTEM_DIRS)):
            # bwrap would make the missing parents 0700: the run's uid could not reach the path.
            parents = []
            for q in (real, os.path.abspath(p)):
                d = os.path.dirname(q)
                while d not in ("/", "") and d not in parents:
                    parents.append(d)
                    d = os.path.dirname(d)
            for d in sorted(parents, key=len):
                cmd += ["--perms", "0755", "--dir", d]
            cmd += ["--ro-bind", real, real]
            if real != os.path.abspath(p):   # a symlinked path: keep the name the caller uses
                cmd += ["--ro-bind", real, os.path.abspath(p)]
    cmd += ["--dir", SCRATCH, "--bind", scratch, SCRATCH, "--remount-ro", "/",
            "--chdir", SCRATCH, "--hostname", "sandbox"]
    if mode == "bwrap-root":
        cmd += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID", "--"]
    else:
        cmd += ["--", "prlimit", f"--nproc={limits.max_processes}", "--"]
    return cmd + inner, scratch


def _rlimit_prefix(limits: SandboxLimits, mode: str) -> list[str]:
    # rlimits are applied by util-linux `prlimit` exec-ing the next stage: the
    # server is multi-threaded (gRPC), so no Python code may run between fork and exec.
    cpu = max(1, int(limits.cpu_s + 0.999))
    cmd = ["prlimit", "--core=0", f"--as={int(limits.memory_bytes)}", f"--cpu={cpu}:{cpu + 1}",
           f"--fsize={int(limits.max_file_bytes)}", f"--nofile={int(limits.max_open_files)}"]
    if mode != "bwrap-user":
        # bwrap-root: counts only the run's own uid. bwrap-user: set inside the sandbox,
        # because a limit set out here would also cap all the user's other processes.
        cmd.append(f"--nproc={int(limits.max_processes)}")
    return cmd + ["--"]


def _high_fd(fd: int) -> int:
    """`fd` moved above 7, so the dup2 actions of the spawn cannot clobber each other."""
    if fd > 7:
        return fd
    new = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return new


def _spawn(argv, mode, scratch, limits, stdin, env, ro_binds, on_channel_line, uids,
           candidate_argv=None, split_uids=False) -> SandboxResult:
    cmd, cwd = _command(argv, mode, scratch, limits, ro_binds, uids, candidate_argv, split_uids)
    cmd = _rlimit_prefix(limits, mode) + cmd
    if mode == "plain":
        cmd = ["env", "-C", cwd, "--"] + cmd
    child_env = {"PATH": DEFAULT_PATH, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
                 "HOME": SCRATCH if mode != "plain" else scratch}
    child_env.update(env or {})
    fds = [_high_fd(fd) for pair in (os.pipe(), os.pipe(), os.pipe(), os.pipe()) for fd in pair]
    in_r, in_w, out_r, out_w, err_r, err_w, chan_r, chan_w = fds
    actions = [(os.POSIX_SPAWN_DUP2, in_r, 0), (os.POSIX_SPAWN_DUP2, out_w, 1),
               (os.POSIX_SPAWN_DUP2, err_w, 2), (os.POSIX_SPAWN_DUP2, chan_w, CHANNEL_FD)]
    pair_fds = []
    if candidate_argv:
        # calls: harness -> candidate; replies: candidate -> harness (wired by _pair_script)
        calls_r, calls_w = (_high_fd(fd) for fd in os.pipe())
        replies_r, replies_w = (_high_fd(fd) for fd in os.pipe())
        pair_fds = [calls_r, replies_w, calls_w, replies_r]
        actions += [(os.POSIX_SPAWN_DUP2, fd, 4 + i) for i, fd in enumerate(pair_fds)]
        fds += pair_fds
    start = time.monotonic()
    exe = shutil.which(cmd[0], path=DEFAULT_PATH) or cmd[0]
    try:
        # posix_spawn, not fork+preexec: safe in a threaded server. Every other fd
        # of this process is close-on-exec (PEP 446), so the child gets exactly 0-3.
        pid = os.posix_spawn(exe, cmd, child_env, file_actions=actions, setsid=True)
    except OSError as e:
        for fd in fds:
            os.close(fd)
        raise SandboxError(f"sandbox: cannot start {cmd[0]}: {e}") from e
    for fd in (in_r, out_w, err_w, chan_w, *pair_fds):
        os.close(fd)
    proc = _Proc(pid)
    writer = start_feed(in_w, stdin)
    try:
        out = _drain(proc, out_r, err_r, chan_r, limits, start, on_channel_line)
    finally:
        for fd in (out_r, err_r, chan_r):
            os.close(fd)
        if proc.poll() is None:
            _kill(proc)
        rc = proc.wait()
        writer.join(timeout=1)
    wall = time.monotonic() - start
    sig = None
    if rc < 0:
        sig, rc = -rc, None
    elif mode != "plain" and 128 < rc <= 128 + 64:
        sig, rc = rc - 128, None      # bwrap: child killed by signal N exits 128+N
    stderr = out["stderr"]
    if mode != "plain" and rc == 1 and stderr.startswith(b"bwrap: "):
        raise SandboxError("sandbox: " + stderr.decode(errors="replace").strip()[:500])
    if rc in (1, 126, 127) and stderr.startswith((b"setpriv: ", b"prlimit: ", b"env: ")):
        raise SandboxError("sandbox: " + stderr.decode(errors="replace").strip()[:500])
    return SandboxResult(returncode=rc, signal=sig, timed_out=out["timed_out"], stdout=out["stdout"],
                         stderr=stderr, output_truncated=out["output_truncated"], wall_s=wall,
                         channel_truncated=out["channel_truncated"])


class _Proc:
    """The spawned process: poll/wait/kill by pid (it leads its own process group)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None

    def _set(self, status: int) -> int:
        self.returncode = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
        return self.returncode

    def poll(self) -> int | None:
        if self.returncode is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                return self._set(status)
        return self.returncode

    def wait(self) -> int:
        if self.returncode is None:
            _, status = os.waitpid(self.pid, 0)
            self._set(status)
        return self.returncode


class _Fed:
    """A feed that finished at once: joins like the writer thread it replaces."""

    @staticmethod
    def join(timeout: float | None = None) -> None:
        pass


def start_feed(fd: int, data: bytes):
    """Write `data` to the child's stdin pipe `fd` and close it. What fits the pipe's buffer
    (most jobs) is written here and now, without a thread; the rest goes to a writer thread,
    so a child that reads slowly never blocks the caller. Returns something to `join`."""
    try:
        os.set_blocking(fd, False)
        n = os.write(fd, data) if data else 0
    except BlockingIOError:
        n = 0
    except OSError:
        os.close(fd)              # the child closed stdin or died: not our problem
        return _Fed
    if n == len(data):
        os.close(fd)
        return _Fed
    os.set_blocking(fd, True)
    writer = threading.Thread(target=_feed, args=(fd, data[n:]), daemon=True)
    writer.start()
    return writer


def _feed(fd: int, data: bytes) -> None:
    try:
        view = memoryview(data)
        while view:
            n = os.write(fd, view)
            view = view[n:]
    except OSError:
        pass                      # the child closed stdin or died: not our problem
    finally:
        os.close(fd)


def _kill(proc: _Proc) -> None:
    if type(proc) is not _Proc:
        proc.kill()               # a run in a warm sandbox (egca_kit.warm): its fork server kills it
        return
    # The group holds prlimit/bwrap (or the program); bwrap's pid namespace dies with it.
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _drain(proc, out_r, err_r, chan_r, limits, start, on_channel_line) -> dict:
    """Read stdout, stderr and the channel until all close, enforcing caps and the clock."""
    sel = selectors.DefaultSelector()
    sel.register(out_r, selectors.EVENT_READ, "stdout")
    sel.register(err_r, selectors.EVENT_READ, "stderr")
    sel.register(chan_r, selectors.EVENT_READ, "chan")
    bufs = {"stdout": bytearray(), "stderr": bytearray()}
    kept = 0
    res = {"timed_out": False, "output_truncated": False, "channel_truncated": False}
    pending = bytearray()
    chan_bytes = 0
    deadline = start + limits.timeout_s
    kill_deadline: float | None = None
    open_streams = 3
    try:
        while open_streams:
            now = time.monotonic()
            if kill_deadline is None and now >= deadline:
                if proc.poll() is None:
                    res["timed_out"] = True
                    _kill(proc)
                    kill_deadline = now + KILL_GRACE_S
                else:
                    # It finished in time; a slow consumer of its output only delays the reading.
                    deadline = float("inf")
            if kill_deadline is not None and now >= kill_deadline:
                break  # something outside the group still holds a pipe: stop waiting
            timeout = (kill_deadline or deadline) - now
            for key, _ in sel.select(timeout=max(0.0, min(timeout, 1.0))):
                fd = key.fd
                try:
                    data = os.read(fd, 65536)
                except OSError as e:
                    if e.errno == errno.EINTR:
                        continue
                    data = b""
                if not data:
                    sel.unregister(key.fileobj)
                    open_streams -= 1
                    continue
                if key.data == "chan":
                    if res["channel_truncated"]:
                        continue
                    if b"\n" not in data:
                        pending += data
                    else:
                        # Whole lines in one split (a 64 KiB read holds thousands of trace events).
                        lines = data.split(b"\n")
                        if pending:
                            lines[0] = bytes(pending) + lines[0]
                        pending = bytearray(lines.pop())
                        size = sum(map(len, lines)) + len(lines)
                        if chan_bytes + size > limits.max_channel_bytes:
                            room, keep = limits.max_channel_bytes - chan_bytes, 0
                            while keep < len(lines) and len(lines[keep]) + 1 <= room:
                                room -= len(lines[keep]) + 1
                                keep += 1
                            del lines[keep:]
                            res["channel_truncated"] = True
                            pending.clear()
                        chan_bytes += size
                        if on_channel_line is not None:
                            for line in lines:
                                on_channel_line(line)
                    if len(pending) > limits.max_channel_bytes:
                        res["channel_truncated"] = True
                        pending.clear()
                else:
                    room = limits.max_output_bytes - kept
                    if len(data) > room:
                        res["output_truncated"] = True
                        data = data[:max(0, room)]
                    bufs[key.data] += data
                    kept += len(data)
    finally:
        sel.close()
    res["stdout"] = bytes(bufs["stdout"])
    res["stderr"] = bytes(bufs["stderr"])
    return res
