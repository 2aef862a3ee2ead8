"""The project's own problem format (egca.problem.Problem.from_dict; docs/PROBLEMS.md)."""

from __future__ import annotations

from egca.formats.common import installed
from egca.problem import Problem


def detect(row: dict) -> bool:
    return "tests" in row and "prompt" in row and "language" in row and "task_id" in row


def convert(row: dict, index: int) -> Problem:
    problem = Problem.from_dict(row)
    installed(problem.language)
    return problem
