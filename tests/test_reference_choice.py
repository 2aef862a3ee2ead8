"""Choosing the reference among several solutions (egca/references.py): the passing one
closest in structure to the candidate, verification cached per (problem, language); none
passing -> mode and reward only, said in the analysis. Real engine, real Python runtime."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from egca import formats

FIXTURE = Path(__file__).parent / "fixtures" / "formats" / "egca.jsonl"


def digit_sum():
    """Three Python solutions: index 0 wrong (the first digit only), 1 a generator sum, 2 a while loop."""
    problem = next(p for p in formats.load_file(FIXTURE).problems if p.task_id == "refs/digit_sum")
    assert len(problem.references["python"]) == 3 and not problem.has_reference
    return problem


LOOP = "    s = 0\n    while n:\n        s += n % 10\n        n = n // 10\n    return s\n"
GENERATOR = "    return sum(int(d) for d in str(n))\n"


def test_only_passing_solutions_are_chosen_and_the_closest_wins(engine):
    problem = digit_sum()
    chooser = engine.references
    assert chooser.passing(problem) == (1, 2)
    loop = chooser.choose(problem, problem.program(LOOP).encode())
    gen = chooser.choose(problem, problem.program(GENERATOR).encode())
    assert loop.chosen == 2 and "while n > 0" in loop.problem.reference
    assert gen.chosen == 1 and "sum(int(c)" in gen.problem.reference
    assert 0 < gen.similarity <= 1 and 0 < loop.similarity <= 1
    # No candidate: the first passing one, one cached choice per (problem, language).
    first = chooser.choose(problem)
    assert first.chosen == 1 and chooser.choose(problem) is first
    assert chooser._key(problem, "python") in chooser._passing


def test_analysis_localizes_against_the_chosen_reference(engine):
    problem = digit_sum()
    wrong = "    s = 0\n    while n:\n        s += n % 10\n        n = n // 100\n    return s\n"
    result = engine.analyze(problem, [wrong, LOOP])
    assert result[1].mode == "correct" and result[1].reward == 1.0 and not result[1].notes
    bad = result[0]
    assert bad.mode == "logic" and bad.reward == 0.0 and not bad.notes, bad.to_dict()
    assert bad.divergence is not None and bad.divergence.reference is not None
    assert "n // 100" in problem.program(wrong).encode()[slice(*bad.span.program)].decode()


def test_no_passing_solution_gives_mode_and_reward_and_says_so(engine):
    problem = digit_sum()
    problem = dataclasses.replace(problem, references={"python": (problem.references["python"][0],)})
    right, wrong = engine.analyze(problem, [GENERATOR, "    return n % 10\n"])
    assert right.mode == "correct" and right.reward == 1.0
    assert wrong.mode == "logic" and wrong.reward == 0.0 and wrong.divergence is None and wrong.span is None
    for r in (right, wrong):
        assert r.notes == ["none of the 1 python reference solutions passes every test: mode and reward only, "
                           "not localized"], r.to_dict()
        assert r.to_dict()["notes"] == r.notes
