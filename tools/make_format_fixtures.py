"""Write tests/fixtures/formats/: for each problem format, a small .jsonl in the exact layout
of the real dataset (good rows and malformed ones) and a .parquet of its good rows, written
as the Hugging Face `datasets` library writes Parquet. Run from the repository root:

    .venv/bin/python tools/make_format_fixtures.py
"""

from __future__ import annotations

import base64
import json
import pickle
import zlib
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "formats"


def lcb_compressed(cases: list[dict]) -> str:
    """LiveCodeBench's released private_test_cases: base64(zlib(pickle(json text)))."""
    return base64.b64encode(zlib.compress(pickle.dumps(json.dumps(cases)))).decode("ascii")


HUMANEVAL = [
    {"task_id": "HumanEval/53", "prompt": 'def add(x: int, y: int):\n    """Add two numbers x and y\n    >>> add(2, 3)\n'
                                          '    5\n    """\n',
     "canonical_solution": "    return x + y\n", "entry_point": "add",
     "test": "\n\nMETADATA = {}\n\n\ndef check(candidate):\n    import random\n\n    assert candidate(0, 1) == 1\n"
             "    assert candidate(1, 0) == 1\n    assert candidate(5, 7) == 12\n"},
    {"task_id": "HumanEval/38", "prompt": 'def encode_cyclic(s: str):\n    """\n    returns encoded string by cycling groups '
                                          'of three characters.\n    """\n    groups = [s[(3 * i):min((3 * i + 3), len(s))] '
                                          'for i in range((len(s) + 2) // 3)]\n    groups = [(group[1:] + group[0]) if '
                                          'len(group) == 3 else group for group in groups]\n    return "".join(groups)\n\n\n'
                                          'def decode_cyclic(s: str):\n    """\n    takes as input string encoded with '
                                          'encode_cyclic function. Returns decoded string.\n    """\n',
     "canonical_solution": "    return encode_cyclic(encode_cyclic(s))\n", "entry_point": "decode_cyclic",
     "test": "\n\nMETADATA = {}\n\n\ndef check(candidate):\n    for s in ['abc', 'abcdefg', 'hello world']:\n"
             "        assert candidate(encode_cyclic(s)) == s\n"},
]
# HumanEval-X JavaScript: no entry_point, a `declaration`; test is a test function of console.asserts.
HUMANEVAL_X = [
    {"task_id": "JavaScript/53", "prompt": "/*Add two numbers x and y\n  >>> add(2, 3)\n  5\n  */\nconst add = (x, y) => {\n",
     "declaration": "\nconst add = (x, y) => {\n", "canonical_solution": "  return x + y;\n};\n\n",
     "test": "const testAdd = () => {\n  console.assert(add(0, 1) === 1)\n  console.assert(add(5, 7) === 12)\n}\n\n"
             "testAdd()\n", "example_test": "const testAdd = () => {\n  console.assert(add(2, 3) === 5)\n}\ntestAdd()\n"},
]
HUMANEVAL_BAD = [
    {"task_id": "HumanEval/990", "prompt": "def f(x):\n", "canonical_solution": "    return x\n", "entry_point": "f"},
    {"task_id": "Rust/1", "prompt": "fn f() {\n", "canonical_solution": "}\n", "test": "#[test] fn t() {}\n",
     "declaration": "fn f() {\n", "example_test": ""},
    {"task_id": "HumanEval/991", "prompt": "def f(x):\n", "canonical_solution": "    return x\n", "entry_point": "f",
     "test": "assert f(1) == 1\n"},
]

MBPP = [   # the original layout, then the sanitized one
    {"task_id": 2, "text": "Write a function to find the similar elements from the given two tuple lists.",
     "code": "def similar_elements(test_tup1, test_tup2):\r\n  res = tuple(set(test_tup1) & set(test_tup2))\r\n  return (res) ",
     "test_list": ["assert similar_elements((3, 4, 5, 6),(5, 7, 4, 10)) == (4, 5)",
                   "assert similar_elements((1, 2, 3, 4),(5, 4, 3, 7)) == (3, 4)"],
     "test_setup_code": "", "challenge_test_list": []},
    {"source_file": "Benchmark Questions Verification V2.ipynb", "task_id": 17,
     "prompt": "Write a function that returns the perimeter of a square given its side length as input.",
     "code": "def square_perimeter(a):\n  perimeter=4*a\n  return perimeter", "test_imports": [],
     "test_list": ["assert square_perimeter(10)==40", "assert square_perimeter(5)==20", "assert square_perimeter(4)==16"]},
]
MBPP_BAD = [
    {"source_file": "x.ipynb", "task_id": 18, "prompt": "Write a function.", "code": "def f(a):\n  return a",
     "test_imports": [], "test_list": "assert f(1) == 1"},
]

APPS = [   # APPS: stdin/stdout; problem_id, question, solutions and input_output as JSON text
    {"problem_id": 4001, "question": "Read two integers a and b and print their sum.\n\n-----Input-----\n\n"
                                     "One line: a b.\n\n-----Output-----\n\nPrint a + b.",
     "solutions": json.dumps(["a, b = map(int, input().split())\nprint(a + b)\n",
                              "import sys\nprint(sum(map(int, sys.stdin.read().split())))\n"]),
     "input_output": json.dumps({"inputs": ["1 2\n", "10 -3\n"], "outputs": ["3\n", "7\n"]}),
     "difficulty": "introductory", "url": "https://codeforces.com/problemset/problem/0/A", "starter_code": ""},
    {"problem_id": 4002, "question": "Given a list of integers nums, return the largest one.",
     "solutions": json.dumps(["class Solution:\n    def largest(self, nums):\n        return max(nums)\n"]),
     "input_output": json.dumps({"fn_name": "largest", "inputs": [[[1, 5, 2]], [[-3, -1]]], "outputs": [[5], [-1]]}),
     "difficulty": "interview", "url": "https://leetcode.com/problems/x/",
     "starter_code": "class Solution:\n    def largest(self, nums: List[int]) -> int:\n        "},
]
TACO = [   # TACO: call-based with a plain function; time and memory limits as text
    {"question": "Write a function add(a, b) that returns a + b.",
     "solutions": json.dumps(["def add(a, b):\n\treturn a + b\n", "def add(a, b):\n\treturn b + a\n"]),
     "starter_code": "def add(a, b):\n\t", "input_output": json.dumps({"fn_name": "add", "inputs": [[1, 2], [0, 0]],
                                                                     "outputs": [[3], [0]]}),
     "difficulty": "EASY", "raw_tags": "[]", "name": None, "source": "codewars", "tags": "[]", "skill_types": "[]",
     "url": "https://www.codewars.com/kata/x", "Expected Auxiliary Space": None, "time_limit": "1 second",
     "date": None, "picture_num": None, "memory_limit": "256 megabytes", "Expected Time Complexity": None},
]
APPS_BAD = [
    {"problem_id": 4003, "question": "Broken.", "solutions": "[]", "input_output": "{not json",
     "difficulty": "introductory", "url": "", "starter_code": ""},
]


def cc_tests(pairs):
    return {"input": [a for a, _ in pairs], "output": [b for _, b in pairs]}


CODECONTESTS = [
    {"name": "1000_A. Sum of Two", "description": "Given two integers a and b, print a + b.\n\nInput\n\nOne line: a b.\n\n"
                                                  "Output\n\nPrint the sum.",
     "public_tests": cc_tests([("1 2\n", "3\n")]), "private_tests": cc_tests([("10 -3\n", "7\n"), ("0 0\n", "0\n")]),
     "generated_tests": cc_tests([("5 5\n", "10\n")]), "source": 2, "difficulty": 7,
     "solutions": {"language": [3, 2, 3, 1, 3],
                   "solution": ["a, b = map(int, input().split())\nprint(a - b)\n",   # wrong
                                "#include <cstdio>\nint main(){long long a,b;scanf(\"%lld %lld\",&a,&b);"
                                "printf(\"%lld\\n\",a+b);}\n",
                                "a, b = map(int, input().split())\nprint(a + b)\n",
                                "a, b = map(int, raw_input().split())\nprint a + b\n",
                                "import sys\nprint(sum(map(int, sys.stdin.read().split())))\n"]},
     "incorrect_solutions": {"language": [3], "solution": ["print(0)\n"]},
     "cf_contest_id": 1000, "cf_index": "A", "cf_points": 500.0, "cf_rating": 800, "cf_tags": ["math"],
     "is_description_translated": False, "untranslated_description": "",
     "time_limit": {"seconds": 2, "nanos": 500000000}, "memory_limit_bytes": 256000000,
     "input_file": "", "output_file": ""},
]
CODECONTESTS_BAD = [
    dict(CODECONTESTS[0], name="1000_B. Broken", public_tests={"input": ["1\n", "2\n"], "output": ["1\n"]}),
]

LCB_STDIN_CASES = [{"input": "3\n1 2 3\n", "output": "6\n", "testtype": "stdin"}]
LCB = [
    {"question_title": "Sum of Array", "question_content": "You are given N integers. Print their sum.\n\nInput\n\n"
                                                          "N\nA_1 ... A_N",
     "platform": "atcoder", "question_id": "abc999_a", "contest_id": "abc999", "contest_date": "2024-05-04T00:00:00",
     "starter_code": "", "difficulty": "easy", "public_test_cases": json.dumps(LCB_STDIN_CASES),
     "private_test_cases": lcb_compressed([{"input": "1\n-5\n", "output": "-5\n", "testtype": "stdin"},
                                           {"input": "2\n10 20\n", "output": "30\n", "testtype": "stdin"}]),
     "metadata": "{}"},
    {"question_title": "max-of-pair", "question_content": "Given two integers a and b, return the larger one.",
     "platform": "leetcode", "question_id": "3999", "contest_id": "weekly-contest-999",
     "contest_date": "2024-05-05T00:00:00",
     "starter_code": "class Solution:\n    def maxOfPair(self, a: int, b: int) -> int:\n        ",
     "difficulty": "easy",
     "public_test_cases": json.dumps([{"input": "1\n2", "output": "2", "testtype": "functional"},
                                      {"input": "-4\n-7", "output": "-4", "testtype": "functional"}]),
     "private_test_cases": json.dumps([{"input": "5\n5", "output": "5", "testtype": "functional"}]),
     "metadata": json.dumps({"func_name": "maxOfPair"})},
]
LCB_BAD = [dict(LCB[0], question_id="abc999_b", public_test_cases="[{\"input\": ")]

VERL = [
    {"data_source": "taco", "prompt": [{"role": "system", "content": "You are a helpful programmer."},
                                       {"role": "user", "content": "Read a and b from stdin and print a * b."}],
     "ability": "code", "reward_model": {"style": "rule", "ground_truth": json.dumps({"inputs": ["2 3\n", "4 5\n"],
                                                                                        "outputs": ["6\n", "20\n"]})},
     "extra_info": {"split": "train", "index": 0}},
    {"data_source": "mbpp_verl", "prompt": [{"role": "user", "content": "Write a function triple(x) returning 3 * x."}],
     "ability": "code", "reward_model": {"style": "rule",
                                         "ground_truth": json.dumps(["assert triple(2) == 6", "assert triple(-1) == -3"])},
     "extra_info": {"split": "train", "index": 1}},
    {"data_source": "livecodebench", "prompt": [{"role": "user", "content": "Return the smaller of a and b.\n\n"
                                                                            "class Solution:\n    def minOfPair(self, a, b):"}],
     "ability": "code", "reward_model": {"style": "rule", "ground_truth": json.dumps(
         [{"input": "1\n2", "output": "1", "testtype": "functional"}])},
     "extra_info": {"split": "test", "index": 2, "fn_name": "minOfPair"}},
]
VERL_BAD = [
    {"data_source": "taco", "prompt": [{"role": "user", "content": "Broken."}], "ability": "code",
     "reward_model": {"style": "rule"}, "extra_info": {"split": "train", "index": 3}},
]

EGCA = [   # the own format: a function problem with several solutions (one wrong), a program problem
    {"task_id": "refs/digit_sum", "language": "python",
     "prompt": "def digit_sum(n: int) -> int:\n    \"\"\"The sum of the decimal digits of n >= 0.\"\"\"\n",
     "reference": "", "entry_point": "digit_sum",
     "tests": [{"id": "0", "code": "assert digit_sum(0) == 0\n"}, {"id": "1", "code": "assert digit_sum(123) == 6\n"},
               {"id": "2", "code": "assert digit_sum(9071) == 17\n"}],
     "references": {"python": ["    return int(str(n)[0]) if n else 0\n",                      # wrong
                               "    return sum(int(c) for c in str(n))\n",
                               "    total = 0\n    while n > 0:\n        total += n % 10\n        n //= 10\n"
                               "    return total\n"]}},
    {"task_id": "prog/sum", "language": "python", "kind": "program", "prompt": "# Print the sum of the integers on stdin.\n",
     "reference": "import sys\nprint(sum(map(int, sys.stdin.read().split())))\n", "entry_point": "",
     "tests": [{"id": "0", "stdin": "1 2\n", "stdout": "3\n"}, {"id": "1", "stdin": "0.5 1\n", "stdout": "1.5\n"}],
     "time_limit_s": 2.0, "memory_bytes": 268435456, "check": {"mode": "float", "float_tol": 1e-6}},
]
EGCA_BAD = [
    {"task_id": "bad/kind", "language": "python", "kind": "script", "prompt": "", "reference": "", "entry_point": "",
     "tests": [{"id": "0", "code": "assert True\n"}]},
]

FIXTURES = {
    "humaneval": (HUMANEVAL + HUMANEVAL_X + HUMANEVAL_BAD, HUMANEVAL),
    "mbpp": (MBPP + MBPP_BAD, MBPP[1:]),
    "apps": (APPS + APPS_BAD, APPS),
    "taco": (TACO, TACO),
    "codecontests": (CODECONTESTS + CODECONTESTS_BAD, CODECONTESTS),
    "livecodebench": (LCB + LCB_BAD, LCB),
    "verl": (VERL + VERL_BAD, VERL),
    "egca": (EGCA + EGCA_BAD, EGCA[:1]),
}


def main() -> None:
    from datasets import Dataset

    OUT.mkdir(parents=True, exist_ok=True)
    for name, (rows, parquet_rows) in FIXTURES.items():
        with open(OUT / f"{name}.jsonl", "w", encoding="utf-8") as f:
            for row in rows:
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
        Dataset.from_list(parquet_rows).to_parquet(str(OUT / f"{name}.parquet"))
        print(f"{name}: {len(rows)} rows (.jsonl), {len(parquet_rows)} rows (.parquet)")


if __name__ == "__main__":
    main()
