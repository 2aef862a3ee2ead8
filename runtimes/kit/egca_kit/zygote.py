"""The fork server inside a warm sandbox (egca_kit.warm): trusted, standard library only.

Started once per warm sandbox as
``python -I -S zygote.pyc [--preload NAME=PATH.pyc]... [--warmup MODULE:FUNCTION]...``
by bubblewrap as root with CAP_SETUID, CAP_SETGID, CAP_SYS_ADMIN and CAP_KILL, under
no-new-privs. It imports the preloaded modules (a runtime's harness and child: the
pre-initialised template), calls their warm-up functions (trusted code on fixed inputs
that fills lazy caches, e.g. compiled regular expressions, so no run pays for them),
freezes the heap, says {"ready": true} on fd 3 (a SOCK_SEQPACKET socket to the server)
and then serves one run at a time:

    server -> {"run": id, "uids": [H, C] | [U], "scratch": name, "limits": {...},
               "env": {...}, "entry": "module:function" | null, "argv": [...],
               "candidate_argv": [...] | null}
              with four fds attached: the run's stdin, stdout, stderr, channel
    server -> {"kill": id}
    zygote -> {"exit": id, "code": n}     (128+N: killed by signal N, as bwrap reports)

Each run: the fork server forks the run's init straight into a new pid namespace
(unshare(CLONE_NEWPID) before the fork, setns back to its own after it: one fork per
run, not two). Init (pid 1 of its namespace, a new session) unshares mount and IPC
namespaces, mounts a fresh /tmp, /dev/shm and /proc, binds the run's scratch directory
over /scratch (hiding every other run's), sets the rlimits, environment and fds 0-3,
closes every other fd, and then either calls the preloaded `entry` (uids [H, C]: it gets
EGCA_SANDBOX_UIDS=H,C and drops itself after forking its candidate, as under split
uids; uids [U]: init drops to U first) or drops and execs `argv` (with
`candidate_argv`: a harness/candidate pair on two uids, wired as egca_kit.sandbox
describes). When init exits, the kernel kills everything left in its pid namespace
before the fork server can reap init and report its status. A kill request makes the
fork server SIGKILL init.
Nothing of a run survives it: not its processes, files, /tmp, IPC objects or memory.
"""

import ctypes
import gc
import json
import os
import resource
import select
import signal
import socket
import sys

CTL_FD = 3
CLONE_NEWNS, CLONE_NEWIPC, CLONE_NEWPID = 0x00020000, 0x08000000, 0x20000000
MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_BIND, MS_REC, MS_PRIVATE = 2, 4, 8, 4096, 16384, 1 << 18
SCRATCH = "/scratch"
TMPFS = "size=%d,mode=1777" % (64 << 20)
RLIMITS = {"as": resource.RLIMIT_AS, "cpu": resource.RLIMIT_CPU, "fsize": resource.RLIMIT_FSIZE,
           "nofile": resource.RLIMIT_NOFILE, "nproc": resource.RLIMIT_NPROC, "core": resource.RLIMIT_CORE}
_libc = ctypes.CDLL(None, use_errno=True)


def _check(rc, what):
    if rc != 0:
        e = ctypes.get_errno()
        raise OSError(e, "%s: %s" % (what, os.strerror(e)))


def _mount(src, target, fstype, flags, data=None):
    enc = lambda s: None if s is None else s.encode()
    _check(_libc.mount(enc(src), enc(target), enc(fstype), ctypes.c_ulong(flags), enc(data)), "mount " + target)


def _drop(uid):
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
    if os.getresuid() != (uid, uid, uid) or os.getresgid() != (uid, uid, uid):
        raise OSError("could not drop to uid %d" % uid)


def _reset_signals():
    signal.set_wakeup_fd(-1)
    for sig in (signal.SIGCHLD, signal.SIGTERM, signal.SIGINT, signal.SIGALRM):
        signal.signal(sig, signal.SIG_DFL)
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)     # as a fresh Python interpreter has it


def _init(req, fds):
    """pid 1 of the run's pid namespace: its own session, mount and IPC namespaces,
    private mounts, limits, fds; then the program."""
    _reset_signals()
    os.setsid()
    _check(_libc.unshare(CLONE_NEWNS | CLONE_NEWIPC), "unshare")
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    _mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, TMPFS)
    if os.path.isdir("/dev/shm"):
        _mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, TMPFS)
    name = req["scratch"]
    if "/" in name or name in ("", ".", ".."):
        raise ValueError("bad scratch name")
    _mount(SCRATCH + "/" + name, SCRATCH, None, MS_BIND)
    _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    for key, value in (req.get("limits") or {}).items():
        resource.setrlimit(RLIMITS[key], (int(value), int(value) + (1 if key == "cpu" else 0)))
    os.environ.clear()
    os.environ.update(req.get("env") or {})
    os.chdir(SCRATCH)
    for target, fd in enumerate(fds):        # stdin, stdout, stderr, channel
        os.dup2(fd, target)
    os.closerange(4, 1 << 16)
    uids = [int(u) for u in req["uids"]]
    if req.get("entry"):
        module, _, func = req["entry"].partition(":")
        fn = getattr(sys.modules[module], func)
        if len(uids) == 2:
            os.environ["EGCA_SANDBOX_UIDS"] = "%d,%d" % (uids[0], uids[1])
        else:
            _drop(uids[0])
        fn()                                  # the entry ends the process itself
        os._exit(0)
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)   # a program exec'd fresh has the default
    if req.get("candidate_argv"):
        _pair(req, uids)
    _drop(uids[0])
    os.execvpe(req["argv"][0], req["argv"], dict(os.environ))


def _pair(req, uids):
    """A harness (uids[0], fds 4/5) and its candidate (uids[1], fd 0 calls, fd 3 replies)."""
    calls_r, calls_w = os.pipe()
    replies_r, replies_w = os.pipe()
    if os.fork() == 0:
        os.dup2(calls_r, 0)
        os.dup2(replies_w, 3)
        os.closerange(4, 1 << 16)
        _drop(uids[1])
        argv = req["candidate_argv"]
        os.execvpe(argv[0], argv, dict(os.environ))
    os.dup2(calls_w, 4)
    os.dup2(replies_r, 5)
    os.closerange(6, 1 << 16)
    for fd in (calls_r, calls_w, replies_r, replies_w):
        if fd not in (4, 5):
            try:
                os.close(fd)
            except OSError:
                pass
    os.chdir("/tmp")


def _fork_init(req, fds, pid_ns, own_fds):
    """Fork the run's init as pid 1 of a new pid namespace; the fork server stays in its own.
    `own_fds` (the control socket, ...) are closed in init before anything else."""
    _check(_libc.unshare(CLONE_NEWPID), "unshare")
    pid = None
    try:
        pid = os.fork()
    finally:
        if pid != 0:
            _check(_libc.setns(pid_ns, CLONE_NEWPID), "setns")    # our next child: back in our namespace
    if pid == 0:
        try:
            for fd in own_fds:
                os.close(fd)
            _init(req, fds)
        except BaseException as e:  # noqa: B036 - never run a program half set up
            _say(fds, e)
        os._exit(125)
    return pid


def _kill(pid):
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass                                  # it ended on its own meanwhile


def _say(fds, e):
    """A run that could not be set up says why on its stderr (fds[2] before the dup, 2 after)."""
    for fd in (fds[2], 2):
        try:
            os.write(fd, ("egca zygote: run set-up failed: %s: %s\n" % (type(e).__name__, e)).encode())
            return
        except OSError:
            pass


def _preload(specs):
    import importlib.machinery
    import importlib.util
    for spec in specs:
        name, _, path = spec.partition("=")
        loader = importlib.machinery.SourcelessFileLoader(name, path)
        module = importlib.util.module_from_spec(importlib.util.spec_from_loader(name, loader))
        sys.modules[name] = module
        loader.exec_module(module)
        d = os.path.dirname(path)
        if d not in sys.path:
            sys.path.insert(0, d)


def _own_pid_ns():
    """Our pid namespace, after checking that a run's can be made and left (unshare, setns
    back): where that is not allowed the fork server fails at start, and the pool goes cold."""
    pid_ns = os.open("/proc/self/ns/pid", os.O_RDONLY | os.O_CLOEXEC)
    _check(_libc.unshare(CLONE_NEWPID), "unshare")
    _check(_libc.setns(pid_ns, CLONE_NEWPID), "setns")
    return pid_ns


def serve(ctl, pid_ns):
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    runs = {}                                 # init pid -> run id
    by_id = {}
    while True:
        ready = select.select([ctl, wake_r], [], [])[0]
        if wake_r in ready:
            os.read(wake_r, 4096)
        while runs:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if not pid:
                break
            rid = runs.pop(pid, None)
            if rid is not None:
                by_id.pop(rid, None)
                code = 128 + os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
                ctl.send(json.dumps({"exit": rid, "code": code}).encode())
        if ctl not in ready:
            continue
        data, fds, _, _ = socket.recv_fds(ctl, 1 << 20, 8)
        if not data:
            return
        req = json.loads(data)
        if "kill" in req:
            pid = by_id.get(req["kill"])
            if pid is not None:               # not reaped yet, so the pid is still the run's init
                _kill(pid)
            continue
        try:
            pid = _fork_init(req, fds, pid_ns, (ctl.fileno(), wake_r, wake_w, pid_ns))
        finally:
            for fd in fds:
                os.close(fd)
        runs[pid] = req["run"]
        by_id[req["run"]] = pid


def _warm_up(specs):
    for spec in specs:
        module, _, func = spec.partition(":")
        getattr(sys.modules[module], func)()


def main(argv):
    ctl = socket.socket(fileno=CTL_FD)
    _preload([argv[i + 1] for i, a in enumerate(argv[:-1]) if a == "--preload"])
    _warm_up([argv[i + 1] for i, a in enumerate(argv[:-1]) if a == "--warmup"])
    pid_ns = _own_pid_ns()
    gc.collect()
    gc.freeze()                               # forks share the template's pages untouched
    ctl.send(json.dumps({"ready": True, "pid": os.getpid()}).encode())
    serve(ctl, pid_ns)


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except BaseException as e:  # noqa: B036
        try:
            os.write(2, ("egca zygote: %s: %s\n" % (type(e).__name__, e)).encode())
        except OSError:
            pass
        os._exit(1)
    os._exit(0)
