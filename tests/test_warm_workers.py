"""Warm sandboxes (egca_kit.warm): each candidate is a fresh fork of a pre-initialised
template, and nothing one candidate does is visible to the next one served by the same
warm sandbox. Real bubblewrap sandboxes, the real Python runtime servicer."""

import os

import pytest

from egca_kit import sandbox, warm
from egca_kit.tracer import TracerService
from egca_kit.v1 import tracer_pb2 as T
from egca_runtime_python.service import Python

pytestmark = pytest.mark.skipif(not warm.enabled(), reason="warm sandboxes need the bwrap-root sandbox")


@pytest.fixture(scope="module")
def service():
    """One warm sandbox at most: every run below goes through the same fork server."""
    svc = TracerService(Python(), warm_sandboxes=1)
    assert svc.warm_pool is not None
    yield svc
    svc.warm_pool.close()


def run(svc, program, *codes, entry="probe", **limits):
    tests = [T.TestCase(id=str(i), code=c) for i, c in enumerate(codes)]
    return svc.run(program, tests, T.Limits(**limits), (entry,))


def statuses(resp):
    return [T.TestStatus.Name(r.status) for r in resp.results]


POLLUTER = r'''
import builtins, ctypes, json, math, os, sys, time, typing

def probe():
    math.pi = 3.0                                  # modules the template imported (child.WARM_MODULES)
    typing.List = None
    open("leak.txt", "w").write("from the first candidate")
    open("/tmp/leak.txt", "w").write("from the first candidate")
    if os.path.isdir("/dev/shm"):
        open("/dev/shm/leak.txt", "w").write("from the first candidate")
    builtins.LEAK = "global"
    json.dumps = lambda *a, **k: "patched"
    child = sys.modules.get("child")
    if child is not None:
        child.enc = lambda v, depth=4: 42            # the runtime's own encoder in this process
        child.enc_exact = lambda v: 42
    ctypes.CDLL(None).shmget(0x5EC1E7, 4096, 0o1000 | 0o666)   # a SysV segment (IPC_CREAT)
    if os.fork() == 0:                             # a process meant to outlive the candidate
        os.setsid()
        while True:
            time.sleep(0.05)
    raise ValueError(os.getuid(), os.getcwd())
'''

OBSERVER = r'''
import builtins, ctypes, json, math, os, sys, typing

def probe():
    seen = {
        "math": math.pi,
        "typing": typing.List is not None,
        "scratch": sorted(os.listdir(".")),
        "tmp": sorted(os.listdir("/tmp")),
        "shm": sorted(os.listdir("/dev/shm")) if os.path.isdir("/dev/shm") else [],
        "builtins": hasattr(builtins, "LEAK"),
        "json": json.dumps([1]),
        "ipc": ctypes.CDLL(None).shmget(0x5EC1E7, 0, 0),
        "pids": sorted(int(p) for p in os.listdir("/proc") if p.isdigit()),
        "uid": os.getuid(),
    }
    return seen
'''


def _host_pids_of(uid):
    out = []
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("Uid:"):
                        if int(line.split()[1]) == uid:
                            out.append(int(p))
                        break
        except OSError:
            pass
    return out


def test_nothing_leaks_from_one_candidate_to_the_next(service):
    first = run(service, POLLUTER, "probe()")
    assert statuses(first) == ["ERROR"], first
    uid, cwd = eval(first.results[0].error.message.split(": ", 1)[1])
    assert cwd == "/scratch"
    # Every process the first candidate started is gone once its run returned.
    assert _host_pids_of(uid) == []
    second = run(service, OBSERVER,
                 "s = probe()\n"
                 "assert s['scratch'] == [] and s['tmp'] == [] and s['shm'] == [], s\n"
                 "assert s['builtins'] is False and s['json'] == '[1]', s\n"
                 "assert s['math'] == 3.141592653589793 and s['typing'], s\n"
                 "assert s['ipc'] == -1, s\n"
                 "assert len(s['pids']) <= 3 and 1 in s['pids'], s\n")
    assert statuses(second) == ["PASS"], second.results[0].error.message
    assert service.warm_pool.started == 1      # both went through the one warm sandbox


def test_the_runtime_template_is_pristine_for_the_next_candidate(service):
    """A candidate that patched the runtime's own encoder (in its process) cannot change
    what the next candidate's replies look like."""
    run(service, POLLUTER, "probe()")
    resp = run(service, "def probe(x):\n    return [x, {'k': (1, 2.5)}]\n",
               "assert probe('a') == ['a', {'k': (1, 2.5)}]")
    assert statuses(resp) == ["PASS"], resp.results[0].error.message


def test_the_template_is_warmed_up_before_any_run(service):
    """WarmSpec.warmup ran in the fork server: a run starts with the stdlib modules programs
    often import already imported and tokenize's patterns compiled (none pays for them)."""
    resp = run(service, "import sys, tokenize\ndef probe():\n    return sorted(sys.modules), tokenize._compile.cache_info().currsize\n",
               "mods, patterns = probe()\nraise ValueError((patterns, [m for m in ('typing', 'dataclasses', 'fractions') if m in mods]))")
    patterns, mods = eval(resp.results[0].error.message.split(": ", 1)[1])
    assert patterns >= 2 and mods == ["typing", "dataclasses", "fractions"]


def test_each_run_has_its_own_uids_and_pid_namespace(service):
    uids, pids = set(), set()
    for _ in range(3):
        resp = run(service, OBSERVER, "s = probe()\nraise ValueError((s['uid'], s['pids']))")
        uid, ns_pids = eval(resp.results[0].error.message.split(": ", 1)[1])
        uids.add(uid)
        pids.add(tuple(ns_pids))
        assert sandbox.UID_BASE <= uid < sandbox.UID_BASE + sandbox.UID_SLOTS
    assert len(uids) == 3


def test_a_candidate_that_loops_forever_times_out_and_the_sandbox_serves_on(service):
    resp = run(service, "def probe():\n    while True:\n        pass\n", "probe()", "probe()", timeout_s=1.5)
    assert statuses(resp) == ["TIMEOUT", "NOT_RUN"], resp
    again = run(service, "def probe():\n    return 7\n", "assert probe() == 7")
    assert statuses(again) == ["PASS"]
    assert service.warm_pool.started == 1


def test_a_candidate_that_ignores_every_signal_and_hides_is_killed_at_the_wall_clock(service):
    prog = ("import os, signal\n"
            "def probe():\n"
            "    for s in (signal.SIGTERM, signal.SIGINT, signal.SIGALRM, signal.SIGHUP):\n"
            "        signal.signal(s, signal.SIG_IGN)\n"
            "    os.close(1); os.close(2)\n"
            "    while True:\n"
            "        pass\n")
    resp = run(service, prog, "probe()", timeout_s=1.5)
    assert statuses(resp) == ["TIMEOUT"]
    assert statuses(run(service, "def probe():\n    return 1\n", "assert probe() == 1")) == ["PASS"]


def test_a_program_test_gets_all_of_a_large_stdin(service):
    """1 MiB of input (many pipe buffers) reaches a warm run whole while it reads."""
    data = "x" * (1 << 20) + "\n"
    test = T.TestCase(id="big", stdin=data, expected_stdout=str(len(data)))
    resp = service.run("import sys\nprint(len(sys.stdin.read()))\n", [test], T.Limits(timeout_s=10))
    assert statuses(resp) == ["PASS"], resp.results[0].error.message


def test_trace_runs_warm_and_clean(service):
    class Ctx:
        def add_callback(self, cb):
            pass

        def abort(self, code, msg):
            raise AssertionError((code, msg))

    prog = "import builtins\ndef probe(x):\n    y = x + 1\n    builtins.LEAK = y\n    return y\n"
    for _ in range(2):
        req = T.TraceRequest(program=prog, test=T.TestCase(id="t", code="assert not hasattr(__import__('builtins'), 'LEAK')\nassert probe(1) == 2"))
        events = [e for chunk in service.Trace(req, Ctx()) for e in chunk.events]
        assert events[-1].kind == T.TraceEvent.END and events[-1].status == T.PASS, events[-1]
    assert service.warm_pool.started == 1


def test_warm_can_be_turned_off(monkeypatch):
    monkeypatch.setenv(warm.WARM_ENV, "0")
    assert TracerService(Python()).warm_pool is None


def test_warm_and_cold_runs_have_the_same_recursion_depth(service):
    """The recursion limit counts frames above the child's main(): a warm run (forked from the
    template, under the harness's frames) reaches the depth a cold one does, so their
    verdicts and traces agree on a program at the edge of the limit."""
    cold = TracerService(Python(), warm_sandboxes=0)
    assert cold.warm_pool is None
    program = "def probe(n):\n    return 0 if n == 0 else 1 + probe(n - 1)\n"
    deepest = {}
    for name, svc in (("warm", service), ("cold", cold)):
        statuses_by_n = [statuses(run(svc, program, f"assert probe({n}) == {n}"))[0] for n in range(2985, 3000)]
        deepest[name] = statuses_by_n.count("PASS")
        assert statuses_by_n == ["PASS"] * deepest[name] + ["ERROR"] * (15 - deepest[name]), (name, statuses_by_n)
    assert deepest["warm"] == deepest["cold"], deepest
