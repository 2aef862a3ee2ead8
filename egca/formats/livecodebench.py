"""LiveCodeBench code_generation rows: question_title, question_content, platform,
question_id, contest_id, contest_date, starter_code, difficulty, public_test_cases and
private_test_cases (JSON text of [{input, output, testtype: "stdin" | "functional"}]; the
released private cases are that JSON pickled, zlib-compressed and base64-encoded, which is
read without unpickling anything but a string), metadata (JSON text, `func_name`).

stdin tests make a whole-program problem. Functional tests (LeetCode) make a function
problem: each input line is one JSON argument, the output JSON; the test calls
`Solution().<func_name>(...)`, as LiveCodeBench's evaluator does (through the prompt's
`solution_<func_name>` shim: egca.formats.common.method_shim). There is no reference.
"""

from __future__ import annotations

import base64
import io
import json
import pickle
import zlib

from egca.formats.common import (FieldError, commented, finish, json_field, method_shim, need, py_literal_json,
                                 shim_name)
from egca.problem import Problem, TestCase


def detect(row: dict) -> bool:
    return "question_content" in row and "public_test_cases" in row


class _StringsOnly(pickle.Unpickler):
    def find_class(self, module, name):   # a pickled str needs no class: refuse every one
        raise pickle.UnpicklingError(f"refusing to load {module}.{name}")


def test_cases(row: dict, field: str) -> list:
    value = row.get(field)
    if value is None or value == "" or value == []:
        return []
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            try:
                text = _StringsOnly(io.BytesIO(zlib.decompress(base64.b64decode(value.encode("ascii"), validate=True)))
                                    ).load()
                value = json.loads(text) if isinstance(text, str) else text
            except Exception:
                raise FieldError(field, "is neither JSON nor LiveCodeBench's compressed JSON") from None
    if not isinstance(value, list) or not all(isinstance(t, dict) for t in value):
        raise FieldError(field, "must hold a list of {input, output, testtype} objects")
    for t in value:
        if not isinstance(t.get("input"), str) or not isinstance(t.get("output"), str):
            raise FieldError(field, "every test needs string 'input' and 'output'")
        if t.get("testtype", "stdin") not in ("stdin", "functional"):
            raise FieldError(field, f"unknown testtype {t.get('testtype')!r}")
    return value


def functional_test(func_name: str, case: dict, field: str) -> str:
    try:
        args = [json.loads(line) for line in case["input"].split("\n") if line.strip()]
        expected = json.loads(case["output"])
    except json.JSONDecodeError as e:
        raise FieldError(field, f"a functional test's input/output is not JSON: {e.msg}") from None
    return ("import json\nfrom typing import *\n"
            f"assert {shim_name(func_name)}(*{py_literal_json(args)}) == {py_literal_json(expected)}\n")


def convert_cases(cases: list[tuple[str, dict]], func_name: str | None, field: str) -> tuple[str, list[TestCase]]:
    kinds = {c.get("testtype", "stdin") for _, c in cases}
    if len(kinds) > 1:
        raise FieldError(field, "mixes stdin and functional tests")
    if kinds == {"functional"}:
        if not func_name:
            raise FieldError("metadata", "functional tests need 'func_name'")
        return "function", [TestCase(id=i, code=functional_test(func_name, c, field)) for i, c in cases]
    return "program", [TestCase(id=i, stdin=c["input"], stdout=c["output"]) for i, c in cases]


def convert(row: dict, index: int) -> Problem:
    question_id = str(need(row, "question_id", (str, int)))
    content = need(row, "question_content")
    title = row.get("question_title") or ""
    starter = row.get("starter_code") or ""
    if not isinstance(starter, str):
        raise FieldError("starter_code", "must be a string")
    metadata = row.get("metadata") or {}
    metadata = json_field(row, "metadata", dict) if isinstance(metadata, str) and metadata.strip() else metadata
    if not isinstance(metadata, dict):
        raise FieldError("metadata", "must be an object (or its JSON text)")
    cases = [(f"public-{i}", c) for i, c in enumerate(test_cases(row, "public_test_cases"))]
    cases += [(f"private-{i}", c) for i, c in enumerate(test_cases(row, "private_test_cases"))]
    if not cases:
        raise FieldError("public_test_cases", "the row has no tests")
    kind, tests = convert_cases(cases, metadata.get("func_name"), "public_test_cases")
    prompt = commented(f"{title}\n\n{content}" if title else content, "python")
    if kind == "function":
        prompt += "from typing import *\n\n\n" + method_shim(metadata["func_name"]) + starter
    return finish(Problem(task_id=question_id, language="python", prompt=prompt, reference="",
                          entry_point=metadata.get("func_name") or "", tests=tuple(tests), kind=kind))
