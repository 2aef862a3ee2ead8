"""Composing a program from a problem and a chat answer (egca/compose.py): the program keeps
every top-level definition of the prompt the answer does not redefine, in Python,
JavaScript and C; the answer's code stays byte for byte at the end, so spans map back into
the completion exactly. Real engine, real runtimes."""

from __future__ import annotations

import dataclasses

import pytest

from egca import datasets
from egca.compose import compose
from egca.plugin import get_adapter
from egca.problem import Problem
from egca.problem import TestCase as Case


def fenced(lang: str, code: str) -> str:
    return f"Here is the implementation:\n\n```{lang}\n{code}```\n\nIt decodes by cycling back.\n"


def check_offsets(problem: Problem, completion: str, result=None) -> str:
    """The answer's code sits at the end of the program, byte for byte, and a reported
    span's program bytes are its completion bytes."""
    program, layout = compose(get_adapter(problem.language), problem, completion)
    prog, comp = program.encode(), completion.encode()
    assert prog[layout.prefix_len:] == comp[layout.code_start:layout.code_start + layout.code_len]
    if result is not None and result.span is not None:
        (ps, pe), (cs, ce) = result.span.program, result.span.completion
        assert prog[ps:pe] == comp[cs:ce]
        assert layout.code_start <= cs <= ce <= layout.code_start + layout.code_len
    return program


# --- Python: HumanEval/38 ----------------------------------------------------------------------

DECODE_ONLY = '''def decode_cyclic(s: str):
    """
    takes as input string encoded with encode_cyclic function. Returns decoded string.
    """
    groups = [s[(3 * i):min((3 * i + 3), len(s))] for i in range((len(s) + 2) // 3)]
    groups = [(group[-1] + group[:-1]) if len(group) == 3 else group for group in groups]
    return "".join(groups)
'''


def test_python_answer_with_only_the_entry_function_keeps_the_prompts_helper(engine):
    """HumanEval/38: a correct GPT-4-style answer defining decode_cyclic alone; the tests
    call the prompt's encode_cyclic, which the program keeps (it used to be dropped: reward 0)."""
    problem = datasets.get("humaneval", "HumanEval/38")
    completion = fenced("python", DECODE_ONLY)
    program = check_offsets(problem, completion)
    assert program.count("def encode_cyclic") == 1 and program.count("def decode_cyclic") == 1
    result = engine.analyze(problem, [completion])[0]
    assert result.mode == "correct" and result.reward == 1.0, result.to_dict()


def test_python_answer_rewriting_a_helper_too_wins_over_the_prompt(engine):
    problem = datasets.get("humaneval", "HumanEval/38")
    code = ('def encode_cyclic(s: str):\n'
            '    out = []\n'
            '    for i in range(0, len(s), 3):\n'
            '        g = s[i:i + 3]\n'
            '        out.append(g[1:] + g[0] if len(g) == 3 else g)\n'
            '    return "".join(out)\n\n\n'
            'def decode_cyclic(s: str):\n'
            '    return encode_cyclic(encode_cyclic(s))\n')
    completion = fenced("python", code)
    program = check_offsets(problem, completion)
    assert program.count("def encode_cyclic") == 1 and "out.append" in program
    assert "returns encoded string by cycling" not in program   # the prompt's copy is gone
    result = engine.analyze(problem, [completion])[0]
    assert result.mode == "correct" and result.reward == 1.0, result.to_dict()


def test_python_answer_with_its_own_helpers_and_a_main_block(engine):
    problem = datasets.get("humaneval", "HumanEval/38")
    code = ('import sys\n\n\n'
            'def _rotate_right(group: str) -> str:\n'
            '    return group[-1] + group[:-1] if len(group) == 3 else group\n\n\n'
            'def decode_cyclic(s: str):\n'
            '    return "".join(_rotate_right(s[i:i + 3]) for i in range(0, len(s), 3))\n\n\n'
            'if __name__ == "__main__":\n'
            '    print(decode_cyclic(encode_cyclic("abcdefg")), file=sys.stderr)\n')
    completion = fenced("python", code)
    program = check_offsets(problem, completion)
    assert program.count("def encode_cyclic") == 1 and "def _rotate_right" in program
    result = engine.analyze(problem, [completion])[0]
    assert result.mode == "correct" and result.reward == 1.0, result.to_dict()


def test_python_wrong_answer_span_lies_in_the_answer(engine):
    problem = datasets.get("humaneval", "HumanEval/38")
    code = 'def decode_cyclic(s: str):\n    return encode_cyclic(s)\n'
    completion = fenced("python", code)
    result = engine.analyze(problem, [completion])[0]
    assert result.reward == 0.0 and result.mode in ("logic", "constraint"), result.to_dict()
    check_offsets(problem, completion, result)


def test_python_prompt_definitions_kept_and_dropped():
    """Imports, constants, classes and decorated helpers of the prompt are kept; a statement
    that defines nothing (a call, a __main__ block) and the redefined entry stub are not."""
    prompt = ('import math\nfrom typing import List\n\nLIMIT = 10\n\n@staticmethod\ndef unused(x):\n    return x\n\n'
              'class Box:\n    pass\n\nprint("hello")\n\nif __name__ == "__main__":\n    pass\n\n'
              'def f(xs: List[int]) -> int:\n    """doc"""\n')
    problem = Problem("t", "python", prompt, "    return 0\n", "f", (Case("0", "assert f([]) == 0\n"),))
    answer = "from typing import List\n\nLIMIT = 3\n\ndef f(xs: List[int]) -> int:\n    return min(len(xs), LIMIT)\n"
    program = check_offsets(problem, fenced("python", answer))
    head = program[:program.index(answer)]
    assert "import math" in head and "@staticmethod\ndef unused" in head and "class Box" in head
    assert "LIMIT = 10" not in head and "from typing" not in head     # redefined / same import
    assert "print(" not in head and "__main__" not in head and '"""doc"""' not in head


def test_unfenced_completion_continues_the_prompt():
    problem = datasets.get("humaneval", "HumanEval/38")
    body = "    return encode_cyclic(encode_cyclic(s))\n"
    program, layout = compose(get_adapter("python"), problem, body)
    assert program == problem.prompt + body and layout.prefix_len == len(problem.prompt.encode())


# --- JavaScript: HumanEval-X JavaScript/38 ----------------------------------------------------------

def js38() -> Problem:
    """JavaScript/38 with the entry point its tests call (the humaneval-js converter takes the
    first function of HumanEval-X's `declaration`, encodeCyclic, for this problem)."""
    problem = next(p for p in datasets.load("humaneval-js") if p.task_id == "JavaScript/38")
    return dataclasses.replace(problem, entry_point="decodeCyclic")


def test_javascript_answer_with_only_the_entry_function(engine):
    problem = js38()
    completion = fenced("javascript", "const decodeCyclic = (s) => {\n  return encodeCyclic(encodeCyclic(s));\n}\n")
    program = check_offsets(problem, completion)
    assert program.count("const encodeCyclic") == 1 and program.count("const decodeCyclic") == 1
    result = engine.analyze(problem, [completion])[0]
    assert result.mode == "correct" and result.reward == 1.0, result.to_dict()


def test_javascript_answer_rewriting_the_helper_with_own_helpers_and_a_main(engine):
    problem = js38()
    code = ("function rotateLeft(g) {\n  return g.length === 3 ? g.slice(1) + g[0] : g;\n}\n\n"
            "const encodeCyclic = (s) => {\n  let out = '';\n"
            "  for (let i = 0; i < s.length; i += 3) out += rotateLeft(s.slice(i, i + 3));\n  return out;\n}\n\n"
            "const decodeCyclic = (s) => {\n  return encodeCyclic(encodeCyclic(s));\n}\n\n"
            "function main() {\n  return decodeCyclic(encodeCyclic('abcdef'));\n}\nmain();\n")
    completion = fenced("js", code)
    program = check_offsets(problem, completion)
    assert program.count("const encodeCyclic") == 1 and "groups2" not in program   # the answer's wins
    result = engine.analyze(problem, [completion])[0]
    assert result.mode == "correct" and result.reward == 1.0, result.to_dict()


def test_javascript_wrong_answer_span_lies_in_the_answer(engine):
    problem = js38()
    completion = fenced("javascript", "const decodeCyclic = (s) => {\n  return encodeCyclic(s);\n}\n")
    result = engine.analyze(problem, [completion])[0]
    assert result.reward == 0.0, result.to_dict()
    check_offsets(problem, completion, result)


# --- C: a prompt with an include, a macro, a struct and a helper -----------------------------------

C_PROMPT = """#include <string.h>
#define SHIFT 3

struct counter { int n; };

static int shift_char(int c) {
    return 'a' + (c - 'a' + SHIFT) % 26;
}

/* The sum of shift_char over the characters of s. */
int sum_shifted(const char *s) {
"""
C_REFERENCE = """    int total = 0;
    for (size_t i = 0; i < strlen(s); i++)
        total += shift_char(s[i]);
    return total;
}
"""


def c_problem() -> Problem:
    tests = (Case("0", "assert(sum_shifted(\"abc\") == 'd' + 'e' + 'f');"),
             Case("1", "assert(sum_shifted(\"xyz\") == 'a' + 'b' + 'c');"),
             Case("2", "assert(sum_shifted(\"\") == 0);"))
    return Problem("C/compose", "c", C_PROMPT, C_REFERENCE, "sum_shifted", tests)


def test_c_answer_with_only_the_entry_function(engine):
    problem = c_problem()
    code = ("int sum_shifted(const char *s) {\n    int total = 0;\n"
            "    for (size_t i = 0; i < strlen(s); i++)\n        total += shift_char(s[i]);\n    return total;\n}\n")
    completion = fenced("c", code)
    program = check_offsets(problem, completion)
    assert "#include <string.h>" in program and "#define SHIFT 3" in program
    assert "struct counter { int n; };" in program and program.count("static int shift_char") == 1
    assert program.count("int sum_shifted") == 1
    result = engine.analyze(problem, [completion])[0]
    assert result.mode == "correct" and result.reward == 1.0, result.to_dict()


def test_c_answer_rewriting_the_helper_with_own_helpers_and_main(engine):
    problem = c_problem()
    code = ("#include <stdio.h>\n#include <string.h>\n\n"
            "static int shift_char(int c) {\n    int k = c - 'a' + 3;\n    return 'a' + k % 26;\n}\n\n"
            "static int add(int a, int b) { return a + b; }\n\n"
            "int sum_shifted(const char *s) {\n    int total = 0;\n"
            "    for (size_t i = 0; s[i]; i++)\n        total = add(total, shift_char(s[i]));\n    return total;\n}\n\n"
            "int main(void) {\n    printf(\"%d\\n\", sum_shifted(\"abc\"));\n    return 0;\n}\n")
    completion = fenced("c", code)
    program = check_offsets(problem, completion)
    assert program.count("static int shift_char") == 1 and "int k = c - 'a' + 3;" in program
    assert program.count("#include <string.h>") == 1 and "#define SHIFT 3" in program
    result = engine.analyze(problem, [completion])[0]
    assert result.mode == "correct" and result.reward == 1.0, result.to_dict()


def test_c_wrong_answer_span_lies_in_the_answer(engine):
    problem = c_problem()
    code = ("int sum_shifted(const char *s) {\n    int total = 0;\n"
            "    for (size_t i = 0; i < strlen(s); i++)\n        total += s[i];\n    return total;\n}\n")
    completion = fenced("c", code)
    result = engine.analyze(problem, [completion])[0]
    assert result.reward == 0.0, result.to_dict()
    check_offsets(problem, completion, result)


@pytest.mark.parametrize("language,prompt,answer,kept,dropped", [
    ("javascript", "const fs = require('fs');\nimport { a } from './m.js';\nclass K {}\nlet y = 3, z = 4;\n"
                   "/* doc */\nconst f = (x) => {\n",
     "const fs = require('fs');\nlet z = 1;\nconst f = (x) => x;\n",
     ["import { a } from './m.js';", "class K {}"], ["let y = 3, z = 4;", "/* doc */"]),
    ("c", "#include <stdio.h>\n#define N 10\ntypedef struct { int a; } P;\nint g(int);\nconst int K = 3;\n"
          "int f(int x) {\n",
     "#define N 12\nint g(int x) { return x; }\nint f(int x) { return g(x) + N; }\n",
     ["#include <stdio.h>", "typedef struct { int a; } P;", "const int K = 3;"], ["#define N 10", "int g(int);"]),
])
def test_definitions_kept_and_dropped(language, prompt, answer, kept, dropped):
    problem = Problem("t", language, prompt, "", "f", (Case("0", "x"),))
    program = check_offsets(problem, fenced(language, answer))
    head = program[:program.rindex(answer)]
    for text in kept:
        assert text in head, (text, head)
    for text in dropped:
        assert text not in head, (text, head)
