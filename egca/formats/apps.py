"""APPS and TACO rows: question, solutions (a JSON list of Python programs), input_output (a
JSON object {inputs, outputs, fn_name?}), starter_code; TACO adds time_limit and memory_limit.

Without `fn_name` a problem is a whole program: each input is its stdin, each output the
stdout it must print (compared token by token, as the APPS evaluator does). With `fn_name`
each test calls that function (a method of `Solution` when the starter code is LeetCode
style) with the input's arguments and compares as the APPS evaluator does. The first
solution is the reference; all are kept in `references`.
"""

from __future__ import annotations

from egca.formats.common import (FieldError, call_test, commented, finish, json_field, memory, method_shim, need,
                                 program_tests, py_literal_json, seconds)
from egca.problem import Problem, TestCase


def detect(row: dict) -> bool:
    return "question" in row and "input_output" in row


def solutions_of(row: dict) -> list[str]:
    raw = row.get("solutions")
    if raw is None or raw == "" or raw == []:
        return []
    sols = json_field(row, "solutions", list)
    if not all(isinstance(s, str) for s in sols):
        raise FieldError("solutions", "must be a JSON list of strings")
    return [s for s in sols if s.strip()]


def tests_from_io(io: dict, field: str, starter_code: str = "") -> tuple[str, str, list[TestCase]]:
    """(kind, entry point, tests) from an APPS/TACO input_output object."""
    if not isinstance(io, dict):
        raise FieldError(field, "must hold an object with 'inputs' and 'outputs'")
    inputs, outputs = io.get("inputs"), io.get("outputs")
    if not isinstance(inputs, list) or not isinstance(outputs, list):
        raise FieldError(field, "must hold 'inputs' and 'outputs' lists")
    if not inputs:
        raise FieldError(field, "holds no tests")
    fn_name = io.get("fn_name")
    if not fn_name:
        return "program", "", program_tests(inputs, outputs, field)
    if not isinstance(fn_name, str):
        raise FieldError(field, "'fn_name' must be a string")
    if len(inputs) != len(outputs):
        raise FieldError(field, f"{len(inputs)} inputs but {len(outputs)} outputs")
    method = "class Solution" in (starter_code or "")
    tests = []
    for i, (args, expected) in enumerate(zip(inputs, outputs)):
        if not isinstance(args, list):
            raise FieldError(field, f"input {i} of a call-based problem must be a list of arguments")
        tests.append(TestCase(id=str(i), code=call_test(fn_name, py_literal_json(args), py_literal_json(expected),
                                                        method)))
    return "function", fn_name, tests


def statement(question: str, starter_code: str, entry: str = "") -> str:
    text = question.rstrip()
    if starter_code and starter_code.strip():
        text += "\n\nStarter code:\n" + starter_code.rstrip()
    shim = method_shim(entry) if entry and "class Solution" in starter_code else ""
    return commented(text, "python") + shim


def convert(row: dict, index: int) -> Problem:
    question = need(row, "question")
    starter = row.get("starter_code") or ""
    if not isinstance(starter, str):
        raise FieldError("starter_code", "must be a string")
    kind, entry, tests = tests_from_io(json_field(row, "input_output", dict), "input_output", starter)
    sols = solutions_of(row)
    # APPS rows carry a problem_id; TACO rows none (their task id is the row's index).
    source = "APPS" if "problem_id" in row else "TACO"
    ident = row.get("problem_id", row.get("id"))
    task_id = f"{source}/{ident if ident is not None and str(ident).strip() else index}"
    return finish(Problem(task_id=task_id, language="python", prompt=statement(question, starter, entry),
                          reference=sols[0] if sols else "", entry_point=entry, tests=tuple(tests), kind=kind,
                          time_limit_s=seconds(row.get("time_limit")), memory_bytes=memory(row.get("memory_limit")),
                          references={"python": tuple(sols)} if len(sols) > 1 else {}))
