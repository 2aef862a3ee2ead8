"""verl RL data rows: data_source, prompt (chat messages), ability, reward_model {style,
ground_truth}, extra_info. Code datasets prepared for verl (PRIME/Eurus, DeepCoder, TACO and
APPS re-packs, ...) put the tests in ground_truth, usually as JSON text, in one of:

  {"inputs": [...], "outputs": [...], "fn_name"?: ...}   APPS/TACO style (stdin or calls)
  [{"input", "output", "testtype"}, ...]                  LiveCodeBench style
  ["assert f(1) == 2", ...]                                asserts (Python)
  "assert f(1) == 2\\n..." (not JSON)                       one Python test of that code

The statement is the last user message (as comments of the prompt); the language is
extra_info's `language`, else python; the entry point for asserts is extra_info's
`entry_point`/`fn_name`, else the first function the first assert calls that is not a
builtin. A reference, when extra_info has one (`reference`, `solution`, `canonical_solution`).
"""

from __future__ import annotations

import builtins
import json

from egca.formats import apps, livecodebench
from egca.formats.common import FieldError, commented, finish, installed, method_shim, need
from egca.plugin import get_adapter, preorder
from egca.problem import Problem, TestCase

_BUILTINS = frozenset(dir(builtins))


def detect(row: dict) -> bool:
    return "reward_model" in row and "prompt" in row


def user_text(prompt: object) -> str:
    if isinstance(prompt, str):
        return prompt
    if isinstance(prompt, list) and prompt and all(isinstance(m, dict) for m in prompt):
        users = [m.get("content") for m in prompt if m.get("role") == "user"]
        if users and isinstance(users[-1], str):
            return users[-1]
    raise FieldError("prompt", "must be chat messages with a user message (or a string)")


def first_callee(asserts: list[str], language: str) -> str | None:
    adapter = get_adapter(language)
    src = asserts[0].encode("utf-8")
    for node in preorder(adapter.parse(src).root_node):
        if node.type in adapter.call_types:
            name = adapter.callee_name(node, src)
            if name and name not in _BUILTINS:
                return name
    return None


def convert(row: dict, index: int) -> Problem:
    text = user_text(row.get("prompt"))
    reward = need(row, "reward_model", dict)
    extra = row.get("extra_info") or {}
    if not isinstance(extra, dict):
        raise FieldError("extra_info", "must be an object")
    if "ground_truth" not in reward or reward["ground_truth"] in (None, ""):
        raise FieldError("reward_model.ground_truth", "missing")
    language = installed(str(extra.get("language") or row.get("language") or "python"), "extra_info.language")
    source = str(row.get("data_source") or "verl")
    ident = extra.get("index", extra.get("id", index))
    task_id = f"{source}/{ident}"
    reference = next((extra[k] for k in ("reference", "solution", "canonical_solution")
                      if isinstance(extra.get(k), str) and extra[k].strip()), "")
    prompt = commented(text, language)
    truth = reward["ground_truth"]
    field = "reward_model.ground_truth"
    try:
        truth = json.loads(truth) if isinstance(truth, str) else truth
    except ValueError:
        pass   # not JSON: test code
    if isinstance(truth, dict):
        kind, entry, tests = apps.tests_from_io(truth, field)
    elif isinstance(truth, list) and truth and all(isinstance(t, dict) for t in truth):
        cases = livecodebench.test_cases({field: truth}, field)
        kind, tests = livecodebench.convert_cases([(str(i), c) for i, c in enumerate(cases)],
                                                  extra.get("fn_name") or extra.get("func_name"), field)
        entry = extra.get("fn_name") or extra.get("func_name") or ""
        if kind == "function":
            prompt += method_shim(entry)
    elif isinstance(truth, list) and truth and all(isinstance(t, str) and t.strip() for t in truth):
        kind, tests = "function", [TestCase(id=str(i), code=t.rstrip() + "\n") for i, t in enumerate(truth)]
        entry = extra.get("entry_point") or extra.get("fn_name") or first_callee(truth, language) or ""
    elif isinstance(truth, str) and truth.strip():
        kind, tests = "function", [TestCase(id="0", code=truth.rstrip() + "\n")]
        entry = extra.get("entry_point") or extra.get("fn_name") or first_callee([truth], language) or ""
    else:
        raise FieldError(field, "must hold tests: {inputs, outputs}, [{input, output}], asserts or test code")
    if not isinstance(entry, str):
        raise FieldError("extra_info.fn_name", "must be a string")
    return finish(Problem(task_id=task_id, language=language, prompt=prompt, reference=reference, entry_point=entry,
                          tests=tuple(tests), kind=kind))
