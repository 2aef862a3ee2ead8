"""The trusted half of the Python runtime's Run: runs the test code and decides
every verdict, in a process the candidate cannot reach.

Started as ``python -I -S harness.pyc`` in the sandbox with split uids
(egca_kit.sandbox): before it reads anything it forks the candidate (child.py,
"serve" mode: one interpreter start for both), and each side drops to its own
unprivileged uid, so the candidate can neither signal, ptrace nor read the
harness. The candidate gets fd 0 = calls and fd 3 = replies and nothing else;
the harness keeps fd 3 = the server's channel, fd 4 = calls, fd 5 = replies.
stdin holds the job: {"program", "tests": [{"id", "code"}], "entry_points",
"deadline_s", "candidate_deadline_s", "recursion_limit", "seed", "trace_failure"}.

The candidate never sees a test's code or an expected value: each name the
test code uses that is not a builtin and that the program defines becomes a
proxy that ships the call's arguments to the candidate and returns what comes
back decoded into plain data (int, float, str, bytes, list, tuple, set, dict,
or inert `Plain`/`Opaque` records). An object cannot claim to equal anything:
its methods never run here. Arguments the call mutated are copied back.
A candidate that exits, dies, lies or stops answering fails the test it was
in; the tests after it are not run. Only after the last verdict, when the job asks
for it ("trace_failure"), does the candidate get one test's code: it traces the
failing test, and this harness relays that trace (relay_trace).
"""

import builtins
import json
import os
import select
import signal
import sys
import time

CHANNEL_FD, CALLS_FD, REPLIES_FD = 3, 4, 5
MAX_REPLY_BYTES = 256 << 20
MAX_TRACE_BYTES = 64 << 20   # a relayed trace (the server keeps at most its event cap)
MIN_TRACE_S = 0.25           # time a trace after the tests needs at least
_monotonic = time.monotonic
_BUILTIN_NAMES = frozenset(dir(builtins))
# Exceptions a candidate may raise into test code by name (a test may expect one).
_EXCEPTIONS = {name: getattr(builtins, name) for name in dir(builtins)
               if isinstance(getattr(builtins, name), type) and issubclass(getattr(builtins, name), Exception)}


def _non_dumpable():
    """Where the candidate shares our uid (unprivileged sandbox), it still cannot ptrace us."""
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(4, 0, 0, 0, 0)   # PR_SET_DUMPABLE = 4
    except Exception:  # noqa: BLE001 - best effort; the sandbox's uids are the real barrier
        pass


def emit(obj):
    data = (json.dumps(obj, separators=(",", ":"), default=repr) + "\n").encode("utf-8", "replace")
    while data:
        data = data[os.write(CHANNEL_FD, data):]


# ---------------------------------------------------------------- plain values

class Opaque:
    """A value that did not cross as data: equal to nothing but itself."""
    __slots__ = ("text",)

    def __init__(self, text):
        self.text = text

    def __repr__(self):
        return self.text

    def __eq__(self, other):
        return self is other

    def __ne__(self, other):
        return self is not other

    __hash__ = object.__hash__


class Plain:
    """An object of the program (class instance) as data: its type name and fields."""
    __slots__ = ("type_name", "fields")

    def __init__(self, type_name, fields):
        self.type_name, self.fields = type_name, fields

    def __repr__(self):
        return "%s(%s)" % (self.type_name, ", ".join("%s=%r" % f for f in self.fields))

    def __eq__(self, other):
        return type(other) is Plain and (self.type_name, self.fields) == (other.type_name, other.fields)

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return hash((self.type_name, self.fields))


_CONTAINERS = {"list": list, "tuple": tuple, "set": set, "frozenset": frozenset}


def plain(j):
    """A VALUE from the candidate -> plain data (never an object of the candidate's)."""
    t = type(j)
    if j is None or t in (bool, int, float, str):
        return j
    if t is not list or not j or type(j[0]) is not str:
        return Opaque("<malformed value>")
    tag = j[0]
    try:
        if tag == "i":
            return int(j[1])
        if tag == "f" and j[1] in ("nan", "inf", "-inf"):
            return float(j[1])
        if tag == "b" and len(j[1]) == 2 * j[2]:
            return bytes.fromhex(j[1])
        if tag == "l" and len(j[3]) == j[2]:
            return _CONTAINERS.get(j[1], list)(plain(x) for x in j[3])
        if tag == "m" and len(j[3]) == j[2]:
            return {plain(k): plain(v) for k, v in j[3]}
        if tag == "c":
            return complex(float(j[1]), float(j[2]))
        if tag == "o":
            return Plain(str(j[1]), tuple((str(n), plain(v)) for n, v in j[2]))
        if tag == "x":
            return Opaque(str(j[1]))
    except (TypeError, ValueError, IndexError, KeyError):
        pass
    return Opaque("<%s value>" % tag[:20])       # cut ("s"), malformed or unknown: equal to nothing


_BIG = 1 << 53


def wire(v, depth=100):
    """Test data -> VALUE, for the arguments of a call."""
    t = type(v)
    if v is None or t in (bool, str):
        return v
    if t is int:
        return v if -_BIG < v < _BIG else ["i", str(v)]
    if t is float:
        return v if v == v and v not in (float("inf"), float("-inf")) else ["f", repr(v)]
    if isinstance(v, (bytes, bytearray)):
        return ["b", bytes(v).hex(), len(v)]
    if t is complex:
        return ["c", repr(v.real), repr(v.imag)]
    if depth > 0 and isinstance(v, (list, tuple, set, frozenset)):
        base = next(b for b in (list, tuple, set, frozenset) if isinstance(v, b))
        items = sorted(v, key=repr) if base in (set, frozenset) else v
        return ["l", base.__name__, len(v), [wire(x, depth - 1) for x in items]]
    if depth > 0 and isinstance(v, dict):
        return ["m", "dict", len(v), [[wire(k, depth - 1), wire(x, depth - 1)] for k, x in v.items()]]
    return ["x", "<%s>" % t.__name__]


def copy_back(original, after):
    """A mutable argument the candidate changed: the caller sees the change."""
    if type(original) is list and type(after) is list:
        original[:] = after
    elif type(original) is dict and type(after) is dict:
        original.clear()
        original.update(after)
    elif type(original) is set and type(after) is set:
        original.clear()
        original.update(after)


# ---------------------------------------------------------------- the candidate

class CandidateGone(BaseException):
    """The candidate exited, died, timed out or broke the protocol: this test and the rest are lost.
    A BaseException, so test code's `except Exception` cannot swallow it."""

    def __init__(self, status, kind, msg, loc=None, exited=False):
        super().__init__(msg)
        self.status, self.kind, self.msg, self.loc, self.exited = status, kind, msg, loc, exited


class CandidateRaised(Exception):
    """Mixed into the builtin exception type the candidate raised, so a test expecting it works."""
    status, kind, msg, loc = "ERROR", "", "", None


_RAISED = {}


def raised(reply):
    name = reply.get("type") if isinstance(reply.get("type"), str) else ""
    base = _EXCEPTIONS.get(name, Exception)
    cls = _RAISED.get(base)
    if cls is None:
        cls = _RAISED[base] = type(base.__name__, (CandidateRaised, base), {})
    e = cls(str(reply.get("msg", "")))
    e.status = "FAIL" if reply.get("s") == "FAIL" else "ERROR"
    e.kind, e.msg, e.loc = str(reply.get("kind", name)), str(reply.get("msg", "")), loc_of(reply)
    return e


def loc_of(reply):
    loc = reply.get("loc")
    if type(loc) is list and len(loc) == 6 and all(type(x) is int for x in loc):
        return loc
    return None


class Candidate:
    """The pipe pair to the candidate, with the run's deadline on every read."""

    def __init__(self, deadline):
        self.deadline = deadline
        self.buf = b""
        self.gone = None

    def send(self, obj):
        data = (json.dumps(obj, separators=(",", ":")) + "\n").encode()
        try:
            while data:
                data = data[os.write(CALLS_FD, data):]
        except OSError:
            self._lost()

    def _lost(self):
        self.gone = CandidateGone("ERROR", "Exit", "the program ended its process")
        raise self.gone

    def receive(self):
        while b"\n" not in self.buf:
            left = self.deadline - _monotonic()
            if left <= 0 or not select.select([REPLIES_FD], [], [], left)[0]:
                self.gone = CandidateGone("TIMEOUT", "Timeout", "the time limit ran out (the program stopped answering)")
                raise self.gone
            chunk = os.read(REPLIES_FD, 1 << 20)
            if not chunk:
                self._lost()
            self.buf += chunk
            if len(self.buf) > MAX_REPLY_BYTES:
                self.gone = CandidateGone("ERROR", "OutputLimit", "the program's answer is too large")
                raise self.gone
        line, _, self.buf = self.buf.partition(b"\n")
        try:
            reply = json.loads(line)
        except ValueError:
            reply = None
        if type(reply) is not dict:
            self.gone = CandidateGone("ERROR", "Protocol", "the program wrote over the runtime's channel")
            raise self.gone
        return reply

    def call(self, name, args, kwargs):
        if self.gone:
            raise self.gone
        self.send({"t": "call", "name": name, "args": [wire(a) for a in args],
                   "kwargs": [[k, wire(v)] for k, v in kwargs.items()]})
        reply = self.receive()
        if reply.get("t") == "ret":
            after = reply.get("args")
            if type(after) is list and len(after) == len(args):
                for original, new in zip(args, after):
                    copy_back(original, plain(new))
            return plain(reply.get("value"))
        if reply.get("t") == "exc":
            if reply.get("s") == "TIMEOUT" or reply.get("exited"):
                status = "TIMEOUT" if reply.get("s") == "TIMEOUT" else "ERROR"
                self.gone = CandidateGone(status, str(reply.get("kind", "")), str(reply.get("msg", "")),
                                          loc_of(reply), exited=bool(reply.get("exited")))
                raise self.gone
            raise raised(reply)
        self.gone = CandidateGone("ERROR", "Protocol", "the program wrote over the runtime's channel")
        raise self.gone

    def get(self, name):
        self.send({"t": "get", "name": name})
        reply = self.receive()
        if reply.get("t") != "ret":
            raise raised(reply)
        return plain(reply.get("value"))


def proxy(candidate, name):
    def call(*args, **kwargs):
        return candidate.call(name, args, kwargs)
    call.__name__ = call.__qualname__ = name
    return call


def free_names(code):
    """Every global name a test's code (and the functions and lambdas in it) may look up."""
    names = set(code.co_names)
    for const in code.co_consts:
        if hasattr(const, "co_names"):
            names |= free_names(const)
    return names


# ---------------------------------------------------------------- tests

class Deadline(BaseException):
    pass


def _on_deadline(signum, frame):
    raise Deadline()


def _drop_to(uid):
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
    if os.getresuid() != (uid, uid, uid) or os.getresgid() != (uid, uid, uid):
        raise OSError("could not drop to uid %d" % uid)


def start_candidate():
    """Fork the candidate before a byte of the job is read; each side takes its own uid."""
    uids = os.environ.get("EGCA_SANDBOX_UIDS")
    calls_r, calls_w = os.pipe()
    replies_r, replies_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.dup2(calls_r, 0)                 # the job on stdin is the harness's, never the candidate's
            os.dup2(replies_w, CHANNEL_FD)      # its fd 3 reaches the harness, not the server
            os.closerange(CHANNEL_FD + 1, 1 << 16)
            if uids:
                _drop_to(int(uids.split(",")[1]))
            sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
            import child
        except BaseException:  # noqa: B036 - nothing may run unprivileged-less: die
            os._exit(71)
        child.entry()
    os.dup2(calls_w, CALLS_FD)
    os.dup2(replies_r, REPLIES_FD)
    for fd in (calls_r, calls_w, replies_r, replies_w):
        if fd not in (CALLS_FD, REPLIES_FD):
            os.close(fd)
    if uids:
        _drop_to(int(uids.split(",")[0]))
        os.chdir("/tmp")
    else:
        _non_dumpable()


def main():
    start_candidate()
    job = json.loads(sys.stdin.buffer.read().decode("utf-8"))
    start = _monotonic()
    deadline = start + float(job.get("deadline_s") or 10.0)
    candidate = Candidate(deadline)
    emit({"t": "ready"})
    tests = []
    for i, t in enumerate(job["tests"]):
        try:
            tests.append(compile(t["code"], "<test>", "exec"))
        except (SyntaxError, ValueError) as e:
            emit({"t": "bad_test", "i": i, "msg": "test %r does not compile: %s: %s" % (t.get("id"), type(e).__name__, e)})
            return
    candidate.send({"mode": "serve", "program": job["program"], "deadline_s": job.get("candidate_deadline_s"),
                    "recursion_limit": job.get("recursion_limit"), "seed": job.get("seed", 0)})
    emit({"t": "program"})
    try:
        loaded = candidate.receive()
        while loaded.get("t") in ("ready", "program"):
            loaded = candidate.receive()
    except CandidateGone as gone:
        emit({"t": "result", "i": 0, "s": gone.status, "kind": gone.kind, "msg": gone.msg, "wall": 0.0})
        return
    kind = loaded.get("t")
    if kind == "compile_error":
        emit({"t": "compile_error", "kind": str(loaded.get("kind", "SyntaxError")),
              "msg": str(loaded.get("msg", ""))[:4000], "loc": loc_of(loaded)})
        emit({"t": "done"})
        return
    if kind == "load_error" or kind != "loaded" or type(loaded.get("names")) is not dict:
        status = "TIMEOUT" if loaded.get("s") == "TIMEOUT" else "ERROR"
        msg = str(loaded.get("msg", "the program did not load"))[:4000]
        for i in range(len(tests) if status == "ERROR" else 1):
            emit({"t": "result", "i": i, "s": status, "kind": str(loaded.get("kind", "Error")), "msg": msg,
                  "loc": loc_of(loaded), "wall": 0.0, "program_level": True})
        if status == "ERROR":
            emit({"t": "done"})
        return
    program_names = loaded["names"]
    entry_points = frozenset(e for e in job.get("entry_points") or () if isinstance(e, str))
    signal.signal(signal.SIGALRM, _on_deadline)
    signal.setitimer(signal.ITIMER_REAL, max(0.001, deadline - _monotonic()))
    statuses = []
    for i, code in enumerate(tests):
        emit({"t": "start", "i": i})
        t0 = _monotonic()
        ns = {"__builtins__": builtins, "__name__": "__test__"}
        result = {"s": "PASS"}
        try:
            for name in free_names(code):
                if program_names.get(name) not in ("callable", "value") \
                        or name in _BUILTIN_NAMES and name not in entry_points:
                    continue              # only the entry points may shadow a builtin (`abs`, `len`, ...)
                ns[name] = proxy(candidate, name) if program_names[name] == "callable" else candidate.get(name)
            if "random" in free_names(code):
                import random     # only tests that use it pay for the import
                random.seed(int(job.get("seed") or 0))
            exec(code, ns)
        except CandidateGone as gone:
            result = {"s": gone.status, "kind": gone.kind, "msg": gone.msg, "loc": gone.loc, "exited": True}
        except Deadline:
            result = {"s": "TIMEOUT", "kind": "Timeout", "msg": "the time limit ran out in the test", "exited": True}
        except CandidateRaised as e:
            result = {"s": e.status, "kind": e.kind, "msg": e.msg, "loc": e.loc}
        except BaseException as e:  # noqa: B036 - the test's own check failed
            text = str(e)
            result = {"s": "FAIL", "kind": type(e).__name__,
                      "msg": (type(e).__name__ + ": " + text if text else type(e).__name__)[:4000]}
        result.update(t="result", i=i, wall=_monotonic() - t0)
        emit(result)
        statuses.append(result["s"])
        if result.get("exited"):
            return                # the candidate is gone: later tests are not run
    emit({"t": "done"})
    if job.get("trace_failure"):
        relay_trace(job, failing_test(statuses), candidate)


def failing_test(statuses):
    """The test a failure is localized on: the first that raised, or with none raised or
    timed out, the first that failed (None: no such test)."""
    for i, s in enumerate(statuses):
        if s == "ERROR":
            return i
        if s == "TIMEOUT":
            return None
    return next((i for i, s in enumerate(statuses) if s == "FAIL"), None)


def relay_trace(job, i, candidate):
    """RunRequest.trace_failure, once every verdict is out ("done"): the candidate traces
    test `i` on a fresh module of the program, and its lines go to the server after
    {"t": "trace", "i": i}. The server reads nothing after that line as a verdict, so
    whatever the candidate writes there can only be its own trace."""
    signal.setitimer(signal.ITIMER_REAL, 0)
    left = candidate.deadline - _monotonic()
    if i is None or left < MIN_TRACE_S:
        return                    # too little time left for a trace: the engine asks Trace instead
    try:
        candidate.send({"t": "trace", "code": job["tests"][i]["code"], "max_events": int(job["trace_failure"]),
                        "deadline_s": left - max(0.1, 0.1 * left)})   # it ends its trace before we give up
    except CandidateGone:
        return
    emit({"t": "trace", "i": i})
    data, candidate.buf = candidate.buf, b""
    sent = 0
    while sent <= MAX_TRACE_BYTES:
        sent += len(data)
        while data:
            data = data[os.write(CHANNEL_FD, data):]
        left = candidate.deadline - _monotonic()
        if left <= 0 or not select.select([REPLIES_FD], [], [], left)[0]:
            return
        data = os.read(REPLIES_FD, 1 << 20)
        if not data:
            return                # the candidate finished its trace and ended


def entry():
    """Run the job on stdin and end the process (a warm sandbox's fork calls this: egca_kit.warm)."""
    try:
        main()
    except BaseException as e:  # noqa: B036
        try:
            emit({"t": "internal", "msg": "%s: %s" % (type(e).__name__, e)})
        except BaseException:
            pass
        os._exit(70)
    os._exit(0)


if __name__ == "__main__":
    entry()
