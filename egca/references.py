"""Choosing the reference a candidate is compared with, among several solutions.

Datasets like CodeContests carry many solutions per language, some of them wrong. A problem
keeps them all (`Problem.references`: language -> solutions). For a candidate's language the
engine compares it with one that passes every test of the problem, preferring the one
closest in structure to the candidate: the adapter's normalised syntax-tree similarity, the
same measure the gate uses (`LanguageAdapter.similarity`). Which solutions pass is decided
once per (problem, language) through the runtime's `Run` and cached; picking the closest
passing one is then a few tree comparisons per candidate. When none passes, the analysis
says so and gives the mode and reward without localization.
"""

from __future__ import annotations

import dataclasses
import hashlib
import threading
from dataclasses import dataclass
from typing import Callable

from egca.plugin import get_adapter
from egca.problem import Problem
from egca.runtimes import RuntimePool
from egca_kit.v1 import tracer_pb2

__all__ = ["ReferenceChoice", "ReferenceChooser", "candidates_for", "for_language"]


@dataclass(frozen=True)
class ReferenceChoice:
    problem: Problem              # the problem with `reference` set to the chosen solution ("" if none)
    chosen: int | None            # index in `candidates_for(problem, language)`, None when none passes
    passing: tuple[int, ...]      # indices of the solutions that pass every test
    tried: int                    # how many solutions were run
    similarity: float | None      # of the chosen one to the candidate, when a candidate was given
    note: str | None              # what the analysis should say (none passes)


def candidates_for(problem: Problem, language: str | None = None) -> tuple[str, ...]:
    """The solutions to choose from for `language` (default: the problem's): the problem's
    `reference` when it is in that language, then `references[language]`, without repeats."""
    language = language or problem.language
    found: list[str] = []
    if language == problem.language and problem.has_reference:
        found.append(problem.reference)
    for ref in problem.references.get(language, ()):
        if ref.strip() and ref not in found:
            found.append(ref)
    return tuple(found)


def for_language(problem: Problem, language: str) -> Problem:
    """The problem as posed in another language of its `references` (program problems and
    problems whose tests do not depend on the language, such as stdin/stdout ones)."""
    if language == problem.language:
        return problem
    refs = candidates_for(problem, language)
    return dataclasses.replace(problem, language=language, reference=refs[0] if refs else "")


class ReferenceChooser:
    """Verifies a problem's solutions through a runtime (once per problem and language) and
    picks, for each candidate, the passing one closest to it. Thread-safe."""

    def __init__(self, runtimes: RuntimePool, limits: Callable[[], tracer_pb2.Limits]):
        self.runtimes = runtimes
        self.limits = limits
        self._passing: dict[tuple, tuple[int, ...]] = {}
        self._first: dict[tuple, ReferenceChoice] = {}
        self._lock = threading.Lock()

    def _key(self, problem: Problem, language: str) -> tuple:
        digest = hashlib.sha256()
        for part in (problem.prompt, *candidates_for(problem, language), *(t.code for t in problem.tests),
                     *((t.stdin or "") + "\0" + (t.stdout or "") for t in problem.tests)):
            digest.update(part.encode("utf-8", "surrogatepass") + b"\0\1")
        return problem.task_id, language, digest.hexdigest()

    def passing(self, problem: Problem, language: str | None = None) -> tuple[int, ...]:
        """Indices (in `candidates_for`) of the solutions that pass every test; each
        solution is run once per (problem, language)."""
        language = language or problem.language
        key = self._key(problem, language)
        with self._lock:
            if key in self._passing:
                return self._passing[key]
        client = self.runtimes.client(language)
        ok = []
        for i, ref in enumerate(candidates_for(problem, language)):
            run = client.run(problem.prompt + ref, problem.tests, self.limits(), [problem.entry_point])
            if run.status == tracer_pb2.COMPLETED and len(run.results) == len(problem.tests) \
                    and all(r.status == tracer_pb2.PASS for r in run.results):
                ok.append(i)
        with self._lock:
            self._passing[key] = tuple(ok)
        return tuple(ok)

    def choose(self, problem: Problem, candidate_program: bytes | None = None,
               language: str | None = None) -> ReferenceChoice:
        """The passing solution closest in structure to the candidate's program (the first
        passing one when no candidate is given, cached per problem and language)."""
        language = language or problem.language
        problem = for_language(problem, language)
        refs = candidates_for(problem, language)
        passing = self.passing(problem, language)
        if not passing:
            note = (f"none of the {len(refs)} {language} reference solutions passes every test: "
                    f"mode and reward only, not localized" if refs else
                    f"no {language} reference solution: mode and reward only, not localized")
            return ReferenceChoice(dataclasses.replace(problem, reference=""), None, (), len(refs), None, note)
        if candidate_program is None or len(passing) == 1:
            key = self._key(problem, language)
            with self._lock:
                cached = self._first.get(key)
            if cached is None:
                cached = ReferenceChoice(dataclasses.replace(problem, reference=refs[passing[0]]), passing[0],
                                         passing, len(refs), None, None)
                with self._lock:
                    self._first[key] = cached
            if candidate_program is None:
                return cached
        adapter = get_adapter(language)
        scored = [(adapter.similarity((problem.prompt + refs[i]).encode("utf-8"), candidate_program), -i, i)
                  for i in passing]
        best, _, index = max(scored)
        return ReferenceChoice(dataclasses.replace(problem, reference=refs[index]), index, passing, len(refs),
                               best, None)
