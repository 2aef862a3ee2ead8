"""Problem formats (egca/formats): each format's fixture in the real dataset's layout
(tests/fixtures/formats, written by tools/make_format_fixtures.py) as JSON lines and Parquet;
one-line errors naming the row and the field; imported datasets; function problems of every
format analysed by the real engine; program problems refused in one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from egca import datasets, formats
from egca.cli import main
from egca.errors import InvalidInput

FIXTURES = Path(__file__).parent / "fixtures" / "formats"

# fixture -> (format detected, task ids converted, (row, field) of each malformed row)
EXPECTED = {
    "humaneval": ("humaneval", ["HumanEval/53", "HumanEval/38", "JavaScript/53"],
                  [("row 3 (HumanEval/990)", "test"), ("row 4 (Rust/1)", "task_id"), ("row 5 (HumanEval/991)", "test")]),
    "mbpp": ("mbpp", ["Mbpp/2", "Mbpp/17"], [("row 2 (18)", "test_list")]),
    "apps": ("apps", ["APPS/4001", "APPS/4002"], [("row 2 (4003)", "input_output")]),
    "taco": ("apps", ["TACO/0"], []),
    "codecontests": ("codecontests", ["1000_A. Sum of Two"], [("row 1 (1000_B. Broken)", "public_tests")]),
    "livecodebench": ("livecodebench", ["abc999_a", "3999"], [("row 2 (abc999_b)", "public_test_cases")]),
    "verl": ("verl", ["taco/0", "mbpp_verl/1", "livecodebench/2"], [("row 3", "reward_model.ground_truth")]),
    "egca": ("egca", ["refs/digit_sum", "prog/sum"], [("row 2 (bad/kind)", "kind")]),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_converts_with_one_line_errors(name):
    fmt, ids, bad = EXPECTED[name]
    converted = formats.load_file(FIXTURES / f"{name}.jsonl")
    assert converted.format == fmt
    assert [p.task_id for p in converted.problems] == ids
    assert len(converted.errors) == len(bad)
    for error, (row, field) in zip(converted.errors, bad):
        assert "\n" not in error and error.startswith(row + ":") and f"'{field}'" in error, error
    with pytest.raises(InvalidInput, match="^" + bad[0][0].replace("(", r"\(").replace(")", r"\)")) if bad \
            else _no_error():
        formats.load_file(FIXTURES / f"{name}.jsonl", strict=True)


class _no_error:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_parquet_reads_as_the_jsonl(name):
    """The .parquet holds the good rows (as `datasets` writes them); read with Dataset.from_parquet
    they convert to the same problems as from JSON lines."""
    from_parquet = formats.load_file(FIXTURES / f"{name}.parquet", "apps" if name == "taco" else None)
    assert not from_parquet.errors
    by_id = {p.task_id: p for p in formats.load_file(FIXTURES / f"{name}.jsonl").problems}
    for problem in from_parquet.problems:
        assert problem.to_dict() == by_id[problem.task_id].to_dict()


def test_conversions_are_faithful():
    load = lambda name: {p.task_id: p for p in formats.load_file(FIXTURES / f"{name}.jsonl").problems}
    cc = load("codecontests")["1000_A. Sum of Two"]
    assert cc.kind == "program" and cc.language == "python" and cc.reference == ""
    assert [t.id for t in cc.tests] == ["public-0", "private-0", "private-1", "generated-0"]
    assert (cc.tests[1].stdin, cc.tests[1].stdout, cc.tests[1].code) == ("10 -3\n", "7\n", "")
    assert len(cc.references["python"]) == 3 and set(cc.references) == {"python", "cpp", "python2"}
    assert cc.time_limit_s == 2.5 and cc.memory_bytes == 256000000
    assert cc.prompt.startswith("# Given two integers a and b")
    lcb = load("livecodebench")
    assert [t.id for t in lcb["abc999_a"].tests] == ["public-0", "private-0", "private-1"]   # compressed private cases
    assert lcb["abc999_a"].tests[2].stdin == "2\n10 20\n" and lcb["abc999_a"].kind == "program"
    assert lcb["3999"].entry_point == "maxOfPair" and lcb["3999"].prompt.endswith("-> int:\n        ")
    assert "def solution_maxOfPair(*args):" in lcb["3999"].prompt
    taco = load("taco")["TACO/0"]
    assert taco.time_limit_s == 1.0 and taco.memory_bytes == 256 << 20 and len(taco.references["python"]) == 2
    assert load("humaneval")["JavaScript/53"].entry_point == "add"          # from the prompt (HumanEval-X)
    prog = load("egca")["prog/sum"]
    assert prog.check.mode == "float" and prog.to_dict()["tests"][0] == {"id": "0", "stdin": "1 2\n", "stdout": "3\n"}
    # The own format round-trips; a function problem's JSON is unchanged by the new optional fields.
    assert formats.convert_row(prog.to_dict()).to_dict() == prog.to_dict()
    he = datasets.get("humaneval", "HumanEval/0").to_dict()
    assert set(he) == {"task_id", "language", "prompt", "reference", "entry_point", "tests"}


def test_unknown_format_and_undetectable_rows(tmp_path):
    with pytest.raises(InvalidInput, match="unknown format 'nope'"):
        formats.load_file(FIXTURES / "mbpp.jsonl", "nope")
    f = tmp_path / "x.jsonl"
    f.write_text('{"foo": 1}\n{"bar": 2\n')
    with pytest.raises(InvalidInput, match="cannot tell the format"):
        formats.load_file(f)
    converted = formats.load_file(f, "mbpp")
    assert converted.errors == ["row 0: field 'task_id': missing",
                                "row 1: line 2 is not valid JSON: Expecting ',' delimiter (column 10)"]


CANDIDATES = [   # (fixture, task, completion): every function problem of every format, answered correctly
    ("humaneval", "HumanEval/53", "    return x + y\n"),
    ("humaneval", "HumanEval/38", "```python\ndef decode_cyclic(s: str):\n    return encode_cyclic(encode_cyclic(s))\n```\n"),
    ("humaneval", "JavaScript/53", "  return y + x;\n};\n"),
    ("mbpp", "Mbpp/2", "def similar_elements(a, b):\n  return tuple(sorted(set(a) & set(b)))\n"),
    ("mbpp", "Mbpp/17", "def square_perimeter(a):\n  return a * 4\n"),
    ("apps", "APPS/4002", "class Solution:\n    def largest(self, nums):\n        best = nums[0]\n"
                          "        for x in nums:\n            best = max(best, x)\n        return best\n"),
    ("taco", "TACO/0", "def add(a, b):\n    return a + b\n"),
    ("livecodebench", "3999", "return a if a > b else b\n"),
    ("verl", "mbpp_verl/1", "```python\ndef triple(x):\n    return 3 * x\n```"),
    ("verl", "livecodebench/2", "```python\nclass Solution:\n    def minOfPair(self, a, b):\n        return min(a, b)\n```"),
]


def test_function_problems_of_every_format_run_in_the_engine(engine):
    for fixture, task, completion in CANDIDATES:
        problem = {p.task_id: p for p in formats.load_file(FIXTURES / f"{fixture}.jsonl").problems}[task]
        result = engine.analyze(problem, [completion])[0]
        assert result.mode == "correct" and result.reward == 1.0, (task, result.to_dict())
        if problem.has_reference:
            assert not result.notes
            ref = engine.analyze(problem, [problem.reference])[0]
            assert ref.mode == "correct", (task, "reference", ref.to_dict())
        else:
            assert result.notes == ["the problem has no reference solution: mode and reward only, not localized"]


def test_without_a_reference_a_wrong_answer_gets_mode_and_reward_only(engine):
    problem = {p.task_id: p for p in formats.load_file(FIXTURES / "livecodebench.jsonl").problems}["3999"]
    result = engine.analyze(problem, ["return a\n", "return a +\n"])
    assert result[0].mode == "logic" and result[0].reward == 0.0 and result[0].divergence is None
    assert result[0].span is None and result[0].notes
    assert result[1].mode == "syntax" and result[1].reward == 0.0


def test_program_problem_is_analysed(engine, tmp_path, capsys):
    """Program problems (stdin/stdout) run end to end (tests/test_program_problems.py has more)."""
    problem = formats.load_file(FIXTURES / "codecontests.jsonl").problems[0]
    assert engine.analyze(problem, ["print(3)\n"])[0].mode == "logic"
    candidate = tmp_path / "c.py"
    candidate.write_text("a, b = map(int, input().split())\nprint(a + b)\n")
    assert main(["analyze", "--problem", str(FIXTURES / "codecontests.parquet"), "--candidate", str(candidate),
                 "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["mode"] == "correct"


def test_import_list_and_analyze_an_imported_dataset(engine, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("EGCA_HOME", str(tmp_path / "home"))
    assert main(["datasets", "import", str(FIXTURES / "humaneval.jsonl"), "--name", "hx"]) == 0
    out = capsys.readouterr()
    assert "imported 3 of 6 rows (humaneval format; 3 function)" in out.out
    assert out.err.count("egca: skipped row") == 3
    assert (tmp_path / "home" / "datasets" / "hx.jsonl").is_file()
    assert main(["datasets"]) == 0
    assert any(line.startswith("hx ") and "3 problems" in line for line in capsys.readouterr().out.splitlines())
    assert main(["datasets", "hx", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == ["HumanEval/53", "HumanEval/38", "JavaScript/53"]
    problem = datasets.get("hx", "JavaScript/53")
    assert engine.analyze(problem, ["  return x + y;\n};\n"])[0].mode == "correct"
    # --strict: the first malformed row stops the import, exit 2, one line; built-in names are refused.
    assert main(["datasets", "import", str(FIXTURES / "humaneval.jsonl"), "--name", "hy", "--strict"]) == 2
    assert capsys.readouterr().err.strip().startswith("egca: error: row 3 (HumanEval/990): field 'test': missing")
    assert main(["datasets", "import", str(FIXTURES / "mbpp.jsonl"), "--name", "mbpp"]) == 2
    assert "built-in" in capsys.readouterr().err
    # A Parquet file with --format; re-importing a name replaces it.
    assert main(["datasets", "import", str(FIXTURES / "taco.parquet"), "--name", "hx", "--format", "taco"]) == 0
    capsys.readouterr()
    assert [p.task_id for p in datasets.load("hx")] == ["TACO/0"]


def test_load_file_for_the_trainer(caplog):
    problems = datasets.load_file(FIXTURES / "verl.jsonl")
    assert [p.task_id for p in problems] == ["taco/0", "mbpp_verl/1", "livecodebench/2"]
    assert any("row 3" in r.getMessage() and "ground_truth" in r.getMessage() for r in caplog.records)
    with pytest.raises(InvalidInput, match="row 3"):
        datasets.load_file(FIXTURES / "verl.jsonl", strict=True)


def test_analyze_problem_file_of_another_format_with_task(tmp_path, capsys):
    candidate = tmp_path / "c.py"
    candidate.write_text("def similar_elements(a, b):\n  return tuple(sorted(set(a) & set(b)))\n")
    assert main(["analyze", "--problem", str(FIXTURES / "mbpp.jsonl"), "--task", "Mbpp/2",
                 "--candidate", str(candidate), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["mode"] == "correct"
