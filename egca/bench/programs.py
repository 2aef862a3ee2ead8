"""A small shipped set of whole-program problems (stdin/stdout, competitive-programming style)
for `egca bench localize --programs`: seeded mutants of each reference are analysed as whole
programs (their tests run through the runtime kit's program tests).

The problems are data: egca/datasets/data/bench_programs.jsonl, one row per (problem,
language) in the problem format (docs/PROBLEMS.md, `kind: "program"`), written for EGCA
under the project's licence (egca/datasets/LICENSES.md). Each test's expected stdout is in
the file, computed once by tools/build_bench_programs.py, which runs every language's
reference through its real runtime and checks that they all print the same; this module
only reads it.
"""

from __future__ import annotations

import functools

from egca.datasets import read_rows
from egca.formats import convert_row
from egca.problem import Problem

FILE = "bench_programs.jsonl"


@functools.lru_cache(maxsize=1)
def build() -> tuple[dict, ...]:
    """Every problem in every language, in the problem format (docs/PROBLEMS.md)."""
    return tuple(read_rows(FILE))


def load(language: str) -> list[Problem]:
    """The shipped program problems of one language (none for a language the file lacks)."""
    return [convert_row(row, "egca", i) for i, row in enumerate(build()) if row["language"] == language]
