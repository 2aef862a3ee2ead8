"""What the format converters share: field access with one-line errors, statements as
comments, tests from JSON values, time and memory limits."""

from __future__ import annotations

import json
import re

from egca.errors import InvalidInput
from egca.plugin import available_adapters, get_adapter
from egca.problem import Problem, TestCase


class FieldError(InvalidInput):
    """What is wrong with one field of a row (the caller names the row)."""

    def __init__(self, field: str, message: str):
        super().__init__(f"field '{field}': {message}")
        self.field, self.message = field, message


def need(row: dict, field: str, kind: type | tuple[type, ...] = str, *, nonempty: bool = True):
    """row[field], of the given type (and non-empty); FieldError otherwise."""
    if field not in row or row[field] is None:
        raise FieldError(field, "missing")
    value = row[field]
    if not isinstance(value, kind) or isinstance(value, bool) and bool not in _tuple(kind):
        raise FieldError(field, f"must be {_kind_name(kind)}, not {type(value).__name__}")
    if nonempty and hasattr(value, "__len__") and not len(value):
        raise FieldError(field, "is empty")
    return value


def _tuple(kind) -> tuple:
    return kind if isinstance(kind, tuple) else (kind,)


def _kind_name(kind) -> str:
    names = {str: "a string", list: "a list", dict: "an object", int: "an integer", float: "a number"}
    return " or ".join(names.get(k, k.__name__) for k in _tuple(kind))


def json_field(row: dict, field: str, kind: type | tuple[type, ...] = (list, dict)):
    """A field holding JSON text (or, as Parquet readers sometimes give it, the parsed value)."""
    value = row.get(field)
    if value is None:
        raise FieldError(field, "missing")
    if isinstance(value, str):
        if not value.strip():
            raise FieldError(field, "is empty")
        try:
            value = json.loads(value)
        except json.JSONDecodeError as e:
            raise FieldError(field, f"is not valid JSON: {e.msg} (column {e.colno})") from None
    if not isinstance(value, kind):
        raise FieldError(field, f"must hold {_kind_name(kind)}, not {type(value).__name__}")
    return value


def installed(language: str, field: str = "language") -> str:
    if language not in available_adapters():
        raise FieldError(field, f"no installed adapter runs '{language}' "
                                f"(installed: {', '.join(sorted(available_adapters()))})")
    return language


def commented(text: str, language: str) -> str:
    """A problem statement as line comments of the language (the prompt of a problem whose
    answer is a whole program): every line prefixed, ending in a newline."""
    mark = get_adapter(language).line_comment
    lines = text.replace("\r\n", "\n").strip("\n").split("\n")
    return "".join(f"{mark} {line}".rstrip() + "\n" for line in lines) if text.strip() else ""


def io_text(value: object, field: str) -> str:
    """A stdin or stdout of a test: a string, or a list of lines (as some datasets store them)."""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(x, str) for x in value):
        return "\n".join(value) + ("\n" if value else "")
    raise FieldError(field, f"a test's input/output must be a string, not {type(value).__name__}")


def program_tests(inputs: list, outputs: list, field: str, prefix: str = "") -> list[TestCase]:
    if not isinstance(inputs, list) or not isinstance(outputs, list):
        raise FieldError(field, "inputs and outputs must be lists")
    if len(inputs) != len(outputs):
        raise FieldError(field, f"{len(inputs)} inputs but {len(outputs)} outputs")
    return [TestCase(id=f"{prefix}{i}", stdin=io_text(a, field), stdout=io_text(b, field))
            for i, (a, b) in enumerate(zip(inputs, outputs))]


def py_literal_json(value: object) -> str:
    """Python source that rebuilds a JSON value exactly: json.loads of its JSON text."""
    return f"json.loads({json.dumps(json.dumps(value))})"


def method_shim(fn_name: str) -> str:
    """LeetCode-style problems (`class Solution` with a method): tests call this module-level
    function of the prompt, which calls the method. Runtimes hand test code values, not the
    program's objects, so a test cannot call `Solution().fn` itself; the shim looks
    `Solution` up when called, so it may precede the class."""
    return f"def {shim_name(fn_name)}(*args):\n    return Solution().{fn_name}(*args)\n\n\n"


def shim_name(fn_name: str) -> str:
    return f"solution_{fn_name}"


def call_test(fn_name: str, args_src: str, expected_src: str, method: bool) -> str:
    """A Python test calling the function (or, for LeetCode-style starter code, the method
    through `method_shim`) and comparing as the APPS/TACO evaluator does: tuples as lists,
    and an expected value wrapped in a one-element list also matches the bare value."""
    callee = shim_name(fn_name) if method else fn_name
    return ("import json\n"
            "from typing import *\n"
            f"_args = {args_src}\n"
            f"_expected = {expected_src}\n"
            f"_got = {callee}(*_args)\n"
            "if isinstance(_got, tuple):\n"
            "    _got = list(_got)\n"
            "assert _got == _expected or (isinstance(_expected, list) and len(_expected) == 1 "
            "and _got == _expected[0]), (_got, _expected)\n")


def seconds(value: object) -> float | None:
    """A time limit: a number of seconds, {seconds, nanos}, or text like "2 seconds"."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value) if value > 0 else None
    if isinstance(value, dict):
        total = float(value.get("seconds") or 0) + float(value.get("nanos") or 0) / 1e9
        return total or None
    if isinstance(value, str):
        m = re.match(r"\s*([\d.]+)\s*(ms|milliseconds?|s|sec|seconds?)?", value)
        if m:
            n = float(m.group(1))
            return (n / 1000 if (m.group(2) or "").startswith("m") else n) or None
    return None


def memory(value: object) -> int | None:
    """A memory limit: bytes, or text like "256 megabytes"."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    if isinstance(value, str):
        m = re.match(r"\s*([\d.]+)\s*(k|m|g)?", value.lower())
        if m:
            scale = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30}.get(m.group(2) or "", 1)
            return int(float(m.group(1)) * scale) or None
    return None


def finish(problem: Problem) -> Problem:
    """Validate a converted problem as the own format would (sizes, non-empty tests)."""
    if not problem.tests:
        raise FieldError("tests", "the row has no tests")
    return Problem.from_dict(problem.to_dict())
