"""A candidate cannot read the host outside the sandbox's system directories: not the
checkout, not the datasets with their reference solutions (a reward hack in RL)."""

from __future__ import annotations

import pytest

from egca.datasets import data_path
from egca.problem import Problem, TestCase

SECRET = str(data_path("HumanEval.jsonl.gz"))

PROGRAMS = {
    "python": ("def f():\n", f"    try:\n        open({SECRET!r}, 'rb').read(1)\n        return 1\n"
                             "    except OSError:\n        return 0\n", "assert f() == 0"),
    "javascript": ("const f = () => {\n", f"  try {{ require('fs').readFileSync({SECRET!r}); return 1; }}\n"
                                          "  catch (e) { return 0; }\n};\n",
                   "if (f() !== 0) throw new Error('read the host');"),
    "c": ("#include <stdio.h>\nint f(void) {\n", f"  FILE *h = fopen(\"{SECRET}\", \"rb\");\n"
                                                "  if (h) { fclose(h); return 1; }\n  return 0;\n}}\n".replace("}}", "}"),
          "assert(f() == 0);"),
}


@pytest.mark.parametrize("language", sorted(PROGRAMS))
def test_candidate_cannot_read_the_datasets(engine, language):
    prompt, body, test = PROGRAMS[language]
    problem = Problem(task_id="visibility", language=language, prompt=prompt, reference=body, entry_point="f",
                      tests=(TestCase("0", test),))
    result = engine.analyze(problem, [body])[0]
    assert result.mode == "correct", result.to_dict()   # f() could not open the file
