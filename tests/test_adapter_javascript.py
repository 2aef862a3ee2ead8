"""The JavaScript adapter: humaneval-js conversion and test splitting, spans, names, runtime location."""

from __future__ import annotations

import sys

import pytest

from egca import datasets
from egca.core import Range
from egca.plugin import get_adapter, preorder

JS = get_adapter("javascript")


def text(program: bytes, rng: Range) -> str:
    return program[rng.start_byte:rng.end_byte].decode()


def test_registered_under_entry_point():
    assert type(JS).__name__ == "JavaScriptAdapter" and JS.name == "javascript"
    assert {"javascript", "js", "node"} <= set(JS.fence_names)
    assert datasets.list_datasets()["humaneval-js"][0] == "javascript"


def test_humaneval_js_loads_and_splits_every_problem():
    problems = datasets.load("humaneval-js")
    assert len(problems) == 164
    assert [p.task_id for p in problems] == [f"JavaScript/{i}" for i in range(164)]
    for p in problems:
        assert p.language == "javascript"
        assert p.entry_point and p.entry_point in p.prompt, p.task_id
        assert p.tests, p.task_id
        program = p.reference_program.encode()
        assert JS.syntax_error(program) is None, p.task_id
        for t in p.tests:
            code = t.code.encode()
            assert b"console.assert" not in code, (p.task_id, t.id)
            assert b"throw new Error(\"assertion failed: " in code, (p.task_id, t.id)
            assert JS.syntax_error(code) is None, (p.task_id, t.id)
    assert sum(len(p.tests) for p in problems) > 1000


def test_split_keeps_setup_and_loops():
    first = datasets.get("humaneval-js", "JavaScript/0")
    assert len(first.tests) == 7 and first.entry_point == "hasCloseElements"
    assert first.tests[0].code.startswith("if (!(hasCloseElements([1.0, 2.0, 3.9, 4.0, 5.0, 2.2], 0.3) === true))")
    loop = datasets.get("humaneval-js", "JavaScript/44").tests[-1].code      # asserts inside a for loop
    assert loop.startswith("for (let i = 2; i < 8; i++) {") and "throw new Error" in loop
    setup = datasets.get("humaneval-js", "JavaScript/151").tests[-1].code   # assert-free statements first
    assert setup.startswith("let lst = []\nlet odd_sum = 0\nfor (")
    assert setup.rstrip().endswith('throw new Error("assertion failed: doubleTheDifference(lst) === odd_sum")')


def test_spans_and_headers():
    program = b"""const f = (xs) => {
  let s = 0;
  for (let i = 0; i < xs.length; i++) {
    if (xs[i] > 0) { s += xs[i]; } else if (xs[i] < -5) s -= 1;
  }
  do { s--; } while (s > 10);
  return s > 3 ? s : 0;
}
"""
    def at(snippet: bytes) -> Range:
        i = program.index(snippet)
        return JS.statement_range(program, Range.of_bytes(program, i, i + len(snippet)))

    assert text(program, at(b"s += xs[i]")) == "s += xs[i];"
    assert text(program, at(b"i < xs.length")) == "for (let i = 0; i < xs.length; i++)"
    assert text(program, at(b"xs[i] > 0")) == "if (xs[i] > 0)"
    assert text(program, at(b"xs[i] < -5")) == "if (xs[i] < -5)"
    assert text(program, at(b"s > 10")) == "while (s > 10)"   # a do-while: its trailing condition
    i = program.index(b"s > 3")
    assert text(program, JS.condition_range(program, Range.of_bytes(program, i, i + 5))) == "s > 3"
    i = program.index(b"xs[i] > 0")
    assert text(program, JS.condition_range(program, Range.of_bytes(program, i, i + 3))) == "xs[i] > 0"


def test_syntax_error_span():
    assert JS.syntax_error(b"const f = (x) => { return x + 1; }\n") is None
    rng = JS.syntax_error(b"const f = (x) => {\n  return x +* 2;\n}\n")
    assert rng is not None and rng.start_line == 2


def test_function_names_and_constraints():
    program = b"const fib = (n) => {\n  if (n < 2) return n;\n  return fib(n - 1) + fib(n - 2);\n}\n"
    fns = [n for n in preorder(JS.parse(program).root_node) if n.type in JS.function_types]
    assert [JS.function_name(f, program) for f in fns] == ["fib"]
    assert JS.extract_constraints(program, "fib").recursive
    loops = b"const f = (a) => {\n  for (const x of a) { let i = 0; while (i < x) i++; }\n  return 0;\n}\n"
    assert JS.extract_constraints(loops, "f").loop_depth == 2
    assert not JS.extract_constraints(loops, "f").recursive


def test_local_runtime_command(monkeypatch, tmp_path):
    argv = JS.local_runtime_command(5123)
    assert argv == [sys.executable, "-m", "egca_runtime_javascript", "--host", "127.0.0.1", "--port", "5123"]
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "child.js").write_text("")
    monkeypatch.setenv("EGCA_JS_RUNTIME_DIR", str(tmp_path))
    with pytest.raises(Exception, match="npm ci"):
        JS.local_runtime_command(1)
    (tmp_path / "node_modules").mkdir()
    assert JS.local_runtime_command(1)[2] == "egca_runtime_javascript"
    monkeypatch.setenv("EGCA_JS_RUNTIME_DIR", str(tmp_path / "missing"))
    with pytest.raises(Exception, match="not at"):
        JS.local_runtime_command(1)
