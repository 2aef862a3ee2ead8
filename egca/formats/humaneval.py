"""HumanEval and HumanEval-X rows: task_id, prompt, canonical_solution, test, entry_point.

The language is the row's `language` field, else the task id's prefix (`HumanEval/` and
`Python/`: python, `JavaScript/`: javascript, `C/`: c, `CPP/`: cpp, ...). HumanEval-X rows
have no `entry_point`: it is the last function the prompt defines. The test code is split
into one test case per check by the language adapter (`LanguageAdapter.split_test_code`).
"""

from __future__ import annotations

from egca.formats.common import FieldError, finish, installed, need
from egca.plugin import get_adapter, preorder
from egca.problem import Problem

PREFIXES = {"humaneval": "python", "python": "python", "javascript": "javascript", "js": "javascript", "c": "c",
            "cpp": "cpp", "c++": "cpp", "java": "java", "go": "go", "rust": "rust", "typescript": "typescript"}


def detect(row: dict) -> bool:
    return "canonical_solution" in row and "test" in row and "prompt" in row


def language_of(row: dict, task_id: str) -> str:
    lang = row.get("language")
    if isinstance(lang, str) and lang.strip():
        return installed(PREFIXES.get(lang.strip().lower(), lang.strip().lower()))
    prefix = task_id.split("/", 1)[0].strip().lower() if "/" in task_id else ""
    if prefix not in PREFIXES:
        raise FieldError("task_id", f"cannot tell the language from {task_id!r} (no 'language' field either)")
    return installed(PREFIXES[prefix], "task_id")


def last_prompt_function(language: str, prompt: str, solution: str) -> str | None:
    """The last function whose definition starts in the prompt (HumanEval-X's declaration)."""
    adapter = get_adapter(language)
    program = (prompt + solution).encode("utf-8")
    cut = len(prompt.encode("utf-8"))
    names = [adapter.function_name(n, program) for n in preorder(adapter.parse(program).root_node)
             if n.type in adapter.function_types and n.start_byte < cut]
    names = [n for n in names if n]
    return names[-1] if names else None


def convert(row: dict, index: int) -> Problem:
    task_id = str(need(row, "task_id", (str, int)))
    prompt = need(row, "prompt")
    solution = need(row, "canonical_solution", nonempty=False)
    test = need(row, "test")
    language = language_of(row, task_id)
    entry = row.get("entry_point")
    if entry is not None and not isinstance(entry, str):
        raise FieldError("entry_point", "must be a string")
    entry = entry or last_prompt_function(language, prompt, solution)
    if not entry:
        raise FieldError("entry_point", "missing, and the prompt defines no function")
    try:
        tests = get_adapter(language).split_test_code(test, entry, task_id)
    except FieldError:
        raise
    except Exception as e:   # the adapter's InvalidInput: the test code is not what it expects
        raise FieldError("test", " ".join(str(e).split())) from None
    return finish(Problem(task_id=task_id, language=language, prompt=prompt, reference=solution,
                          entry_point=entry, tests=tuple(tests)))
