"""egca_kit.buildcache: a build is made once however many runs ask for it at the same time,
installs do not collide, and concurrent Runs of one new C program all pass (real runtime,
real gcc in the sandbox; before this cache, two builds of one program could race on the
harness file and one Run failed INTERNAL)."""

import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from egca_kit.buildcache import BuildCache, install
from egca_kit.v1 import tracer_pb2 as T


def test_concurrent_asks_for_one_key_make_it_once():
    made = []

    def make():
        made.append(threading.get_ident())
        time.sleep(0.2)
        return object()

    cache = BuildCache(4)
    with ThreadPoolExecutor(8) as pool:
        got = list(pool.map(lambda _: cache.get("k", make), range(8)))
    assert len(made) == 1 and all(g is got[0] for g in got)


def test_a_failed_build_is_not_cached_and_every_waiter_sees_the_error():
    calls = []

    def fail():
        calls.append(1)
        time.sleep(0.1)
        raise RuntimeError("gcc went away")

    cache = BuildCache(4)
    with ThreadPoolExecutor(4) as pool:
        outcomes = list(pool.map(lambda _: _outcome(lambda: cache.get("k", fail)), range(4)))
    assert all(isinstance(o, RuntimeError) for o in outcomes) and len(calls) >= 1
    assert cache.get("k", lambda: "built") == "built"      # tried again, now cached


def _outcome(fn):
    try:
        return fn()
    except Exception as e:  # noqa: BLE001
        return e


def test_least_recently_used_builds_are_evicted_and_cleaned_up():
    evicted = []
    cache = BuildCache(2, on_evict=evicted.append)
    cache.get("a", lambda: "A")
    cache.get("b", lambda: "B")
    cache.get("a", lambda: "never")           # a is now the most recent
    cache.get("c", lambda: "C")
    assert evicted == ["B"]
    assert cache.get("a", lambda: "again") == "A" and cache.get("b", lambda: "B2") == "B2"


def test_install_is_atomic_and_leaves_no_temporary_files(tmp_path):
    with ThreadPoolExecutor(8) as pool:
        paths = set(pool.map(lambda i: install(str(tmp_path), "h-x", b"#" * 100000, 0o111), range(8)))
    assert paths == {str(tmp_path / "h-x")} and os.listdir(tmp_path) == ["h-x"]
    assert os.stat(tmp_path / "h-x").st_mode & 0o777 == 0o111 and os.path.getsize(tmp_path / "h-x") == 100000


@pytest.fixture(scope="module")
def c_service():
    from egca_runtime_c.service import CTracer
    return CTracer()


def test_concurrent_runs_of_one_new_c_program_all_pass(c_service):
    program = "int add(int a, int b) {\n    return a + b;\n}\n/* %d */\n" % time.time_ns()
    tests = [T.TestCase(id="t", code="assert(add(2, 3) == 5);")]
    with ThreadPoolExecutor(4) as pool:
        resps = list(pool.map(lambda _: c_service.run(program, tests, T.Limits(timeout_s=10), ("add",)), range(4)))
    assert [[T.TestStatus.Name(r.status) for r in resp.results] for resp in resps] == [["PASS"]] * 4
