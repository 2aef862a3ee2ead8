"""The benchmarks: mutation operators (every installed language), baselines, and tiny
real runs of `egca bench localize/overhead/analyze` (real runtimes, real sandbox)."""

from __future__ import annotations

import itertools
import json

import pytest

from egca import cli, datasets
from egca.bench import baselines
from egca.bench.common import load_problems, span_fraction, tokens
from egca.bench.mutants import KINDS, TWO_FAULTS, all_mutants, mutate, stream
from egca.plugin import Range, available_adapters, get_adapter
from egca.trace import Event, Trace
from egca_kit.v1 import tracer_pb2

LANGUAGES = sorted(available_adapters())


def _problems(language: str, n: int = 12):
    return load_problems(language, None)[1][:n]


@pytest.mark.parametrize("language", LANGUAGES)
def test_mutants_are_deterministic_valid_and_inside_the_completion(language):
    adapter = get_adapter(language)
    made = {k: 0 for k in KINDS}
    for problem in _problems(language):
        lo = len(problem.prompt.encode("utf-8"))
        for kind in KINDS:
            first, again = mutate(adapter, problem, kind, 7), mutate(adapter, problem, kind, 7)
            assert first == again
            for m in ([first] if first else []) + all_mutants(adapter, problem, kind)[:5]:
                program = problem.program(m.completion).encode("utf-8")
                assert not adapter.parse(program).root_node.has_error, (m.id, m.description)
                assert m.completion != problem.reference
                assert m.site[0] >= lo and m.truth
                assert all(t.start_byte >= lo for t in m.truth), m.id
                if m.kind != "deleted_statement":   # the truth statement holds the new text
                    assert any(t.start_byte <= m.site[0] and m.site[1] <= t.end_byte for t in m.truth), m.id
                made[kind] += 1
    # Every operator applies somewhere in a dozen reference solutions (boolean operators are
    # rarer: within sixty).
    for kind in [k for k, n in made.items() if not n]:
        made[kind] = sum(len(all_mutants(adapter, p, kind)) for p in _problems(language, 60))
    assert all(made.values()), made


@pytest.mark.parametrize("language", LANGUAGES)
def test_two_fault_mutants_have_two_sites_in_two_statements(language):
    adapter = get_adapter(language)
    made = 0
    for problem in _problems(language):
        m = mutate(adapter, problem, TWO_FAULTS, 0)
        if m is None:
            continue
        made += 1
        program = problem.program(m.completion).encode("utf-8")
        assert not adapter.parse(program).root_node.has_error and m.kind == TWO_FAULTS
        assert len(m.fault_sites) == 2 and len(m.truth) == 2 and m.truth[0] != m.truth[1]
        for (s, e), t in zip(m.fault_sites, m.truth):
            assert t.start_byte <= s and e <= t.end_byte and e > s
    assert made >= 6


@pytest.mark.parametrize("language", LANGUAGES)
def test_mutant_stream_is_seeded_and_takes_kinds_in_turn(language):
    adapter, problems = get_adapter(language), _problems(language, 30)
    first = [m.id for _, m in itertools.islice(stream(adapter, problems, 3), 16)]
    assert first == [m.id for _, m in itertools.islice(stream(adapter, problems, 3), 16)]
    assert first != [m.id for _, m in itertools.islice(stream(adapter, problems, 4), 16)]
    kinds = [i.split(":")[-2] for i in first]
    assert len(set(kinds[:8])) >= 6   # a prefix is spread over the kinds


def _truth_texts(problem, mutant):
    program = problem.program(mutant.completion).encode("utf-8")
    return [program[t.start_byte:t.end_byte].decode() for t in mutant.truth]


@pytest.mark.skipif("python" not in LANGUAGES, reason="python adapter not installed")
def test_ground_truth_is_the_mutated_statement_python():
    adapter, problem = get_adapter("python"), datasets.get("humaneval", "HumanEval/0")
    by_kind = {k: all_mutants(adapter, problem, k) for k in KINDS}
    comparison = {m.description: _truth_texts(problem, m) for m in by_kind["comparison"]}
    assert comparison["`!=` -> `==`"] == ["if idx == idx2"]
    assert comparison["`<` -> `<=`"] == ["if distance <= threshold"]
    assert _truth_texts(problem, by_kind["arithmetic"][0]) == ["distance = abs(elem + elem2)"]
    assert [_truth_texts(problem, m) for m in by_kind["negated_condition"]] == \
        [["if not (idx != idx2)"], ["if not (distance < threshold)"]]
    # A deleted statement: the statement after the gap and the enclosing header.
    deleted = {m.description: _truth_texts(problem, m) for m in by_kind["deleted_statement"]}
    assert deleted["deleted `distance = abs(elem - elem2)`"] == ["if distance < threshold", "if idx != idx2"]
    # The mutant itself: only the operator changed.
    m = by_kind["comparison"][0]
    assert problem.reference.replace("idx != idx2", "idx == idx2") == m.completion


def _trace(steps: list[tuple[int, int]], passed: bool) -> Trace:
    events = [Event(i, "step", Range(s, e, 1, 1), "f", 1, 1) for i, (s, e) in enumerate(steps)]
    return Trace(events, status=tracer_pb2.PASS if passed else tracer_pb2.FAIL)


def test_ochiai_ranks_the_statement_only_failing_tests_run():
    a, b, c = (10, 20), (20, 30), (30, 40)
    traces = [_trace([a, b], True), _trace([a, c], False), _trace([a, b], True)]
    assert baselines.ochiai(traces, 0, 100) == [c]
    # Ties are all kept; statements outside the completion are ignored.
    assert baselines.ochiai([_trace([a, c], False)], 0, 100) == [a, c]
    assert baselines.ochiai([_trace([a, c], False)], 25, 100) == [c]
    assert baselines.ochiai([_trace([a], True)], 0, 100) == []


def test_stepcoder_and_diff_baselines():
    assert baselines.stepcoder(_trace([(5, 9), (12, 20), (5, 9)], False), 10, 100) == [(12, 20)]
    ref = "    x = 1\n    y = 2\n    return x + y\n"
    cand = "    x = 1\n    y = 3\n    return x + y\n"
    assert baselines.diff_lines(cand, ref, 100) == [(110, 119)]
    # A deleted line marks its neighbours.
    assert baselines.diff_lines("    x = 1\n    return x + y\n", ref, 0) == [(0, 9), (10, 26)]


def test_tokenizer_and_span_fraction():
    toks = tokens(b"if a<=b: return x_1")
    assert [b"if a<=b: return x_1"[s:e] for s, e in toks] == [b"if", b"a", b"<", b"=", b"b", b":", b"return", b"x_1"]
    assert span_fraction(toks, [(0, 2)]) == 1 / 8
    assert span_fraction(toks, []) == 0.0


def _bench(capsys, *argv) -> dict:
    assert cli.main(["bench", *argv, "--json", "--quiet"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.skipif("python" not in LANGUAGES, reason="python adapter not installed")
def test_localize_json_schema(capsys):
    out = _bench(capsys, "localize", "--language", "python", "--limit", "3", "--timeout", "5")
    assert out["benchmark"] == "localize" and out["tokenizer"] and out["sbfl_coverage"]
    lang = out["languages"]["python"]
    assert lang["dataset"] == "humaneval" and lang["mutants_kept"] == 3 and lang["mutants_tried"] >= 3
    assert sum(lang["total"]["modes"].values()) == 3
    assert len(out["mutants"]) == 3
    for m in out["mutants"]:
        assert m["kind"] in KINDS + (TWO_FAULTS,) and m["mode"] in ("syntax", "constraint", "logic") and m["truth"]
        if m["mode"] == "logic":
            assert m["scored"] == "logic"
        if m["scored"]:
            assert set(m["methods"]) == {"egca_narrow", "egca_span", "egca_before", *baselines.METHODS}
            assert m["methods"]["uniform"]["hit"] is True and m["methods"]["uniform"]["size"] == 1.0
            assert all(0.0 <= v["size"] <= 1.0 and 0.0 <= v["credit"] <= 1.0 + 1e-9 for v in m["methods"].values())
            # The narrowed span lies inside the statement span.
            e = m["egca"]
            if e["narrowed"]:
                assert e["span"][0] <= e["narrowed"][0] <= e["narrowed"][1] <= e["span"][1]
    for summary in lang["kinds"].values():
        assert set(summary) >= {"kept", "modes", "logic", "crash", "scored", "methods", "scored_methods"}


@pytest.mark.skipif("python" not in LANGUAGES, reason="python adapter not installed")
def test_alternatives_corpus_loads_and_scores(capsys):
    from egca.bench.corpus import load_corpus

    for language in LANGUAGES:
        for problem, m in load_corpus("alternatives", language):
            program = problem.program(m.completion).encode("utf-8")
            assert not get_adapter(language).parse(program).root_node.has_error, m.task_id
            assert m.truth[0].start_byte <= m.site[0] < m.site[1] <= m.truth[0].end_byte
    out = _bench(capsys, "localize", "--language", "python", "--corpus", "alternatives", "--limit", "4",
                 "--no-baselines", "--timeout", "5")
    lang = out["languages"]["python"]
    assert lang["mutants_kept"] == 4 and all(m["kind"] == "alternative" for m in out["mutants"])
    assert set(lang["total"]["return_span"]) == {"egca", "egca_before"}


@pytest.mark.skipif("python" not in LANGUAGES, reason="python adapter not installed")
def test_overhead_and_analyze_json_schema(capsys):
    out = _bench(capsys, "overhead", "--language", "python", "--limit", "2", "--reps", "2", "--timeout", "5")
    r = out["languages"]["python"]
    assert r["mutants"] == 2 and r["candidates"] == r["mutants"] + r["references"]
    assert len(r["per_rep"]) == 2 and r["ratio_warm_reps"]["n"] == 1
    assert set(r["egca_stages_ms_per_candidate"]) == {"gate", "run", "trace", "align", "span", "other"}
    assert r["throughput_per_s"]["reward_path"] > 0 and r["throughput_per_s"]["reward_plus_egca"] > 0
    out = _bench(capsys, "analyze", "--dataset", "humaneval", "--tasks", "1", "--group", "3", "--repeat", "2")
    assert out["cold_ms"]["n"] == 1 and out["warm_ms"]["n"] == 1 and sum(out["modes"].values()) == 3


def test_unknown_benchmark_is_a_clear_error(capsys):
    assert cli.main(["bench", "nope"]) == 2
    assert "unknown benchmark" in capsys.readouterr().err
