"""The engine and the runtimes as real containers (Podman or Docker, through the
Docker API): analyses through the containerised engine equal the embedded
default's, a runtime replica killed in the middle of a batch loses nothing, and
the sandbox inside a runtime container still has no network and no writes
outside its scratch directory.

These run only when EGCA_CONTAINER_TESTS=1, which CI sets after
deploy/ci-containers.sh has built the images and started the API socket. When
it is set, anything missing is a failure, never a skip.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import grpc
import pytest

from egca import datasets
from egca.engine import Engine, EngineConfig
from egca.service import EngineClient
from egca_kit.v1 import tracer_pb2, tracer_pb2_grpc

pytestmark = pytest.mark.skipif(os.environ.get("EGCA_CONTAINER_TESTS") != "1",
                                reason="container stage: set EGCA_CONTAINER_TESTS=1 after deploy/ci-containers.sh")

DEMO = [json.loads(line) for line in (Path(__file__).parent.parent / "egca/examples/demo.jsonl").read_text().splitlines()
        if line.strip()]
# The kill test's batch: the ten Python candidates (its replicas are Python runtimes).
PY_DEMO = [d for d in DEMO if d["dataset"] == "humaneval"][:10]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def stack():
    from egca import containers

    c = containers.client()            # no engine or no images: an error here, not a skip
    for comp in containers.COMPONENTS.values():
        c.images.get(comp.ref)
    port = _free_port()
    containers.up({"python": 2, "javascript": 1, "c": 1}, port=port, log=lambda *_: None)
    ips = {row["name"]: row["ip"] for row in containers.status()}
    yield {"client": c, "engine": f"127.0.0.1:{port}", "ips": ips}
    containers.down(log=lambda *_: None)


@pytest.fixture(scope="module")
def embedded():
    with Engine(EngineConfig()) as e:     # the embedded default: local runtimes, `egca serve`'s config
        yield e


def _tracer(stack, name: str, port: int):
    return tracer_pb2_grpc.TracerStub(grpc.insecure_channel(f"{stack['ips'][name]}:{port}"))


CASES = {
    # language: (dataset, task, candidates: a correct one, a failing one, one that does not compile)
    "python": ("humaneval", "HumanEval/35", None),
    "javascript": ("humaneval-js", "JavaScript/2", ["  return number - Math.floor(number) + 1;\n}\n",
                                                    "  return number %% ;\n}\n"]),
    "c": ("humaneval-c", "C/3", ["    int balance = 0;\n    for (int i = 0; i < n; i++) {\n        balance += operations[i];\n"
                                 "        if (balance <= 0)\n            return true;\n    }\n    return false;\n}\n",
                                 "    int balance = 0\n    return false;\n}\n"]),
}


@pytest.mark.parametrize("language", list(CASES))
def test_analyze_through_containers_equals_embedded(stack, embedded, language, tmp_path):
    dataset, task, extra = CASES[language]
    problem = datasets.get(dataset, task)
    if extra is None:   # Python: the demo's candidates for this task cover every mode
        candidates = [d["completion"] for d in DEMO if d["task_id"] == task]
    else:
        candidates = [problem.reference, *extra]
    local = [a.to_dict() for a in embedded.analyze(problem, candidates)]
    with EngineClient(stack["engine"]) as client:
        remote = [a.to_dict() for a in client.analyze(problem, candidates)]
    assert remote == local
    assert len({r["mode"] for r in local}) >= 2, local      # the comparison is not between identical results
    # The command line (`egca analyze --engine`) prints the same JSON.
    cand = tmp_path / "candidate.txt"
    cand.write_text(candidates[1])
    out = subprocess.run([sys.executable, "-m", "egca.cli", "analyze", "--dataset", dataset, "--task", task,
                          "--candidate", str(cand), "--json", "--engine", stack["engine"]],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    printed = json.loads(out.stdout)      # the analysis, plus the record keys of `egca report` (task, texts)
    assert {k: printed[k] for k in local[1]} == local[1]


def test_runtime_containers_report_namespace_isolation(stack):
    for name, port in (("egca-runtime-python-1", 50061), ("egca-runtime-javascript-1", 50062),
                       ("egca-runtime-c-1", 50063)):
        info = _tracer(stack, name, port).Info(tracer_pb2.InfoRequest(), timeout=30)
        assert {"bwrap", "netns", "pidns"} <= set(info.isolation), (name, list(info.isolation))


# Each check passes only if the sandbox refused: the test fails when the program got through.
PROBES = """\
import os, socket
def connects(host, port):
    try:
        socket.create_connection((host, port), timeout=3).close()
        return True
    except OSError:
        return False
def exists(path):
    return os.path.exists(path)
def writes(path):
    try:
        with open(path, "w") as f:
            f.write("x")
        return True
    except OSError:
        return False
"""


def test_sandbox_in_container_has_no_network_and_writes_only_scratch(stack):
    engine_ip = stack["ips"]["egca-engine"]
    c_ip = stack["ips"]["egca-runtime-c-1"]
    tests = [
        ("engine", f"assert not connects({engine_ip!r}, 50051)"),
        ("peer", f"assert not connects({c_ip!r}, 50063)"),
        ("own-server", "assert not connects('127.0.0.1', 50061)"),
        ("dns", "import socket\ntry:\n    socket.getaddrinfo('egca-engine', 50051)\n    ok = False\n"
                "except OSError:\n    ok = True\nassert ok"),
        ("root", "assert not writes('/opt/egca/pwned')"),
        ("etc", "assert not writes('/etc/pwned')"),
        ("scratch", "assert writes('here.txt') and exists('here.txt')"),   # both in the program's process
        ("tmp", "assert writes('/tmp/egca-probe')"),       # a private tmpfs, checked below
    ]
    req = tracer_pb2.RunRequest(program=PROBES, tests=[tracer_pb2.TestCase(id=i, code=code) for i, code in tests],
                                limits=tracer_pb2.Limits(timeout_s=20))
    run = _tracer(stack, "egca-runtime-python-1", 50061).Run(req, timeout=60)
    assert {r.id: tracer_pb2.TestStatus.Name(r.status) for r in run.results} == {i: "PASS" for i, _ in tests}, \
        [(r.id, r.error) for r in run.results]
    # The same connection from the container itself works: the probe's refusal is the sandbox's doing.
    container = stack["client"].containers.get("egca-runtime-python-1")
    reach = container.exec_run(["python", "-c", f"import socket; socket.create_connection(({engine_ip!r}, 50051), 5)"])
    assert reach.exit_code == 0, reach.output
    # The sandbox's /tmp was its own: nothing it wrote is in the container's /tmp.
    assert container.exec_run(["test", "-e", "/tmp/egca-probe"]).exit_code != 0


def _batch(engine: str, on_progress=None) -> list[tuple[str, str]]:
    """200 analyses (20 rounds of the demo's 10 candidates), 4 at a time: [(task, mode)] in order."""
    jobs = [d for _ in range(20) for d in PY_DEMO]
    done = [0]
    lock = threading.Lock()

    def one(client, d):
        problem = datasets.get(d["dataset"], d["task_id"])
        a = client.analyze(problem, [d["completion"]])[0]
        with lock:
            done[0] += 1
            if on_progress:
                on_progress(done[0])
        return d["task_id"], a.mode

    with EngineClient(engine) as client, ThreadPoolExecutor(4) as pool:
        return list(pool.map(lambda d: one(client, d), jobs))


def test_replica_killed_mid_batch_loses_nothing(stack):
    from egca import containers

    undisturbed = _batch(stack["engine"])
    assert len(undisturbed) == 200
    assert [m for _, m in undisturbed[:10]] == [d["expected_mode"] for d in PY_DEMO]
    # Both replicas did work: the engine spreads calls over the addresses behind the DNS name.
    for name in ("egca-runtime-python-1", "egca-runtime-python-2"):
        usage = stack["client"].containers.get(name).stats(stream=False)["cpu_stats"]["cpu_usage"]["total_usage"]
        assert usage > 2e9, (name, usage)      # ns of CPU: far more than a start-up
    victim = stack["client"].containers.get("egca-runtime-python-2")
    killed = threading.Event()

    def kill_halfway(n):
        if n == 100 and not killed.is_set():
            killed.set()
            victim.kill()

    try:
        disturbed = _batch(stack["engine"], kill_halfway)
    finally:
        if killed.is_set():
            containers.start_runtime(stack["client"], "python", 2)
    assert killed.is_set()
    assert disturbed == undisturbed


@pytest.mark.parametrize("name,port,language", [("egca-runtime-python-1", 50061, "python"),
                                                ("egca-runtime-javascript-1", 50062, "javascript"),
                                                ("egca-runtime-c-1", 50063, "c")])
def test_conformance_against_the_runtime_containers(stack, name, port, language):
    """The runtime conformance suite, hostile and reward-hacking corpora included, against the images."""
    from egca.plugin import get_adapter
    from egca_kit.conformance import load_suite, run_suite

    suite = get_adapter(language).conformance_suite()
    assert suite is not None, f"{language} has no conformance suite"
    checks = run_suite(f"{stack['ips'][name]}:{port}", load_suite(suite))
    failed = [f"{c.name}: {c.detail}" for c in checks if not c.ok]
    assert not failed, "\n".join(failed)
