"""MBPP rows (original and sanitized): task_id, text or prompt, code, test_list,
test_imports, test_setup_code. Python; converted as the built-in `mbpp` dataset is."""

from __future__ import annotations

from egca.formats.common import FieldError, finish, installed, need
from egca.plugin import get_adapter
from egca.problem import Problem


def detect(row: dict) -> bool:
    return "test_list" in row and "code" in row


def convert(row: dict, index: int) -> Problem:
    need(row, "task_id", (str, int))
    if not isinstance(row.get("text") or row.get("prompt"), str):
        raise FieldError("text", "missing (neither 'text' nor 'prompt' is a string)")
    need(row, "code")
    tests = need(row, "test_list", list)
    if not all(isinstance(t, str) and t.strip() for t in tests):
        raise FieldError("test_list", "must be a list of non-empty strings (asserts)")
    imports = row.get("test_imports") or []
    if not isinstance(imports, list) or not all(isinstance(t, str) for t in imports):
        raise FieldError("test_imports", "must be a list of strings")
    if not isinstance(row.get("test_setup_code") or "", str):
        raise FieldError("test_setup_code", "must be a string")
    adapter = get_adapter(installed("python"))
    from egca_python.datasets import mbpp_problem   # MBPP is Python: its converter is the adapter's

    return finish(mbpp_problem({**row, "test_imports": imports, "test_setup_code": row.get("test_setup_code") or ""},
                               adapter.parse))
