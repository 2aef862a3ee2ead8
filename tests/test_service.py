"""`egca serve` answering Engine.Analyze from another process; health,
reflection, bad input and hostile candidates, the server staying up."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from egca_kit.v1 import engine_pb2, engine_pb2_grpc

# The server and the client both run outside this test process: the client is a
# separate Python process that speaks gRPC (see CLIENT).
CLIENT = r"""
import sys, json, grpc
from egca_kit.v1 import engine_pb2, engine_pb2_grpc
stub = engine_pb2_grpc.EngineStub(grpc.insecure_channel(sys.argv[1]))
req = engine_pb2.AnalyzeRequest(problem_ref=engine_pb2.ProblemRef(dataset="humaneval", task_id="HumanEval/52"),
    candidates=[engine_pb2.Candidate(completion="    for e in l:\n        if e > t:\n            return False\n    return True\n",
                                     token_offsets=[engine_pb2.ByteRange(start=i, end=i + 4) for i in range(0, 80, 4)])])
res = stub.Analyze(req, timeout=120).results[0]
print(json.dumps({"mode": engine_pb2.Mode.Name(res.mode), "span": [res.span.completion.start, res.span.completion.end],
                  "weights": list(res.token_weights)}))
"""


@pytest.fixture(scope="module")
def server():
    proc = subprocess.Popen([sys.executable, "-m", "egca.cli", "serve", "--port", "0"], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, env={**os.environ, "GRPC_VERBOSITY": "ERROR"})
    line = proc.stdout.readline()
    assert line.startswith("PORT "), line
    address = f"127.0.0.1:{int(line.split()[1])}"
    yield address
    proc.terminate()
    proc.wait(timeout=20)


def _stub(address):
    return engine_pb2_grpc.EngineStub(grpc.insecure_channel(address))


def test_client_in_another_process(server):
    import json

    r = subprocess.run([sys.executable, "-c", CLIENT, server], capture_output=True, text=True, timeout=180)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["mode"] == "LOGIC"
    text = "    for e in l:\n        if e > t:\n            return False\n    return True\n"
    assert text[out["span"][0]:out["span"][1]] == "e > t"
    assert abs(sum(out["weights"]) - 1.0) < 1e-9
    assert all(w == 0 for i, w in enumerate(out["weights"]) if not (i * 4 < out["span"][1] and i * 4 + 4 > out["span"][0]))


def test_health_and_reflection(server):
    channel = grpc.insecure_channel(server)
    health = health_pb2_grpc.HealthStub(channel)
    assert health.Check(health_pb2.HealthCheckRequest(service="")).status == health_pb2.HealthCheckResponse.SERVING
    assert health.Check(health_pb2.HealthCheckRequest(service="egca.v1.Engine")).status == \
        health_pb2.HealthCheckResponse.SERVING
    stub = reflection_pb2_grpc.ServerReflectionStub(channel)
    reply = next(stub.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")])))
    names = {s.name for s in reply.list_services_response.service}
    assert {"egca.v1.Engine", "grpc.health.v1.Health", "grpc.reflection.v1alpha.ServerReflection"} <= names


@pytest.mark.parametrize("bad", ["unknown_task", "unknown_language", "empty", "huge", "no_candidates", "no_problem"])
def test_invalid_argument_and_still_serving(server, bad):
    good_problem = engine_pb2.Problem(task_id="t", language="python", prompt="def f(x):\n", reference="    return x\n",
                                      entry_point="f", tests=[{"id": "0", "code": "assert f(1) == 1"}])
    req = engine_pb2.AnalyzeRequest(problem=good_problem, candidates=[engine_pb2.Candidate(completion="    return x\n")])
    if bad == "unknown_task":
        req = engine_pb2.AnalyzeRequest(problem_ref=engine_pb2.ProblemRef(dataset="humaneval", task_id="nope"),
                                        candidates=req.candidates)
    elif bad == "unknown_language":
        req.problem.language = "cobol"
    elif bad == "empty":
        req.candidates[0].completion = ""
    elif bad == "huge":
        req.candidates[0].completion = "    x = 1\n" * (1024 * 1024)
    elif bad == "no_candidates":
        del req.candidates[:]
    elif bad == "no_problem":
        req.ClearField("problem")
    with pytest.raises(grpc.RpcError) as err:
        _stub(server).Analyze(req, timeout=60)
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert err.value.details() and "\n" not in err.value.details()
    ok = _stub(server).Analyze(engine_pb2.AnalyzeRequest(problem=good_problem,
                                                         candidates=[engine_pb2.Candidate(completion="    return x\n")]),
                               timeout=60)
    assert ok.results[0].mode == engine_pb2.CORRECT


HOSTILE = {
    "infinite_loop": "    while True:\n        pass\n",
    "memory_bomb": "    x = [0] * (10 ** 10)\n    return x\n",
    "growing_memory": "    x = []\n    while True:\n        x.append(' ' * 10**6)\n",
    "fork_bomb": "    import os\n    while True:\n        os.fork()\n",
    "socket": "    import socket\n    socket.create_connection(('1.1.1.1', 80), timeout=2)\n    return 1\n",
    "write_outside_scratch": "    open('/etc/egca_pwned', 'w').write('x')\n    return 1\n",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_candidates_are_contained(server, name):
    problem = engine_pb2.Problem(task_id="t", language="python", prompt="def f(x):\n", reference="    return x\n",
                                 entry_point="f", tests=[{"id": "0", "code": "assert f(1) == 1"}])
    start = time.monotonic()
    reply = _stub(server).Analyze(engine_pb2.AnalyzeRequest(
        problem=problem, candidates=[engine_pb2.Candidate(completion=HOSTILE[name])]), timeout=120)
    elapsed = time.monotonic() - start
    res = reply.results[0]
    assert res.mode == engine_pb2.SYNTAX, (name, res)
    assert res.reward == 0.0
    assert elapsed < 60
    assert not os.path.exists("/etc/egca_pwned")
    health = health_pb2_grpc.HealthStub(grpc.insecure_channel(server))
    assert health.Check(health_pb2.HealthCheckRequest()).status == health_pb2.HealthCheckResponse.SERVING
