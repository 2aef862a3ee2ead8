"""DeepMind CodeContests rows: name, description, public_tests / private_tests /
generated_tests (each {input: [...], output: [...]}), solutions and incorrect_solutions
({language: [ids], solution: [programs]}), time_limit ({seconds, nanos}), memory_limit_bytes.

Whole-program problems: every test is stdin -> expected stdout (token comparison). All
correct solutions are kept per language in `references` (language ids as in the dataset:
1 PYTHON (Python 2) -> "python2", 2 CPP -> "cpp", 3 PYTHON3 -> "python", 4 JAVA -> "java");
the engine chooses, per candidate language, one that passes (egca.references). The
problem's language is python when it has Python 3 solutions, else the first installed
language it has solutions in, else python.
"""

from __future__ import annotations

from egca.formats.common import FieldError, commented, finish, memory, need, program_tests, seconds
from egca.plugin import available_adapters
from egca.problem import Problem

LANGUAGES = {1: "python2", 2: "cpp", 3: "python", 4: "java"}
TEST_FIELDS = ("public_tests", "private_tests", "generated_tests")


def detect(row: dict) -> bool:
    return "description" in row and any(f in row for f in TEST_FIELDS)


def references_of(row: dict, field: str = "solutions") -> dict[str, tuple[str, ...]]:
    sols = row.get(field)
    if sols is None:
        return {}
    if not isinstance(sols, dict):
        raise FieldError(field, "must be an object {language: [...], solution: [...]}")
    langs, progs = sols.get("language") or [], sols.get("solution") or []
    if not isinstance(langs, list) or not isinstance(progs, list) or len(langs) != len(progs):
        raise FieldError(field, "'language' and 'solution' must be lists of the same length")
    out: dict[str, list[str]] = {}
    for lang, prog in zip(langs, progs):
        if isinstance(lang, bool) or not isinstance(lang, int) or not isinstance(prog, str):
            raise FieldError(field, "languages must be integer ids and solutions strings")
        if lang in LANGUAGES and prog.strip():
            out.setdefault(LANGUAGES[lang], []).append(prog)
    return {k: tuple(v) for k, v in out.items()}


def convert(row: dict, index: int) -> Problem:
    name = need(row, "name")
    description = need(row, "description")
    tests = []
    for field in TEST_FIELDS:
        block = row.get(field)
        if block is None:
            continue
        if not isinstance(block, dict):
            raise FieldError(field, "must be an object {input: [...], output: [...]}")
        tests += program_tests(block.get("input") or [], block.get("output") or [], field,
                               prefix=field.split("_")[0] + "-")
    if not tests:
        raise FieldError("public_tests", "the row has no tests (public, private or generated)")
    refs = references_of(row)
    installed = [lang for lang in ("python", *sorted(available_adapters())) if lang in available_adapters()]
    language = next((lang for lang in installed if refs.get(lang)), "python")
    return finish(Problem(task_id=name, language=language, prompt=commented(description, language), reference="",
                          entry_point="", tests=tuple(tests), kind="program",
                          time_limit_s=seconds(row.get("time_limit")),
                          memory_bytes=memory(row.get("memory_limit_bytes")), references=refs))
