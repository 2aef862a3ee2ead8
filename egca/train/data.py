"""Training prompts from problems: base-model completion prompts or chat prompts.

Completion style: the prompt is `problem.prompt` and the model continues the
code, so the engine's program is prompt + completion. Chat style: the user
message asks for the continuation inside a Markdown fence; the engine finds
the fenced code in the answer (egca.fences) and reports spans in the answer's
bytes, so both styles map onto completion tokens the same way.
"""

from __future__ import annotations

from typing import Iterable

from egca.problem import Problem

CHAT_INSTRUCTION = ("Complete the following {language} code. Reply with only the code that continues it "
                    "(do not repeat the given part), inside one ```{language} fenced block.")


def constraint_lines(problem: Problem) -> list[str]:
    """The constraints extracted from the reference, in words (LanguageAdapter.extract_constraints)."""
    from egca.plugin import get_adapter
    adapter = get_adapter(problem.language)
    return adapter.extract_constraints(problem.reference_program.encode("utf-8"), problem.entry_point).describe()


def completion_prompt(problem: Problem, inject_constraints: bool = False) -> str:
    if not inject_constraints:
        return problem.prompt
    from egca.plugin import get_adapter
    mark = get_adapter(problem.language).line_comment
    header = "".join(f"{mark} {line}\n" for line in ["Constraints:", *constraint_lines(problem)])
    return header + problem.prompt


def chat_prompt(problem: Problem, inject_constraints: bool = False) -> list[dict[str, str]]:
    text = CHAT_INSTRUCTION.format(language=problem.language)
    if inject_constraints:
        text += "\nConstraints:\n" + "".join(f"- {line}\n" for line in constraint_lines(problem))
    text += f"\n\n```{problem.language}\n{problem.prompt}```"
    return [{"role": "user", "content": text}]


def build_rows(problems: Iterable[Problem], prompt_style: str = "completion",
               inject_constraints: bool = False) -> list[dict]:
    """One row per problem: `prompt` for TRL, `task_id` for the engine reward."""
    make = completion_prompt if prompt_style == "completion" else chat_prompt
    return [{"prompt": make(p, inject_constraints), "task_id": p.task_id} for p in problems]


def build_dataset(problems: list[Problem], prompt_style: str = "completion", inject_constraints: bool = False):
    """A `datasets.Dataset` of training rows, and the task_id -> Problem map the trainer needs."""
    from datasets import Dataset
    ids = [p.task_id for p in problems]
    if len(set(ids)) != len(ids):
        raise ValueError("task ids must be unique across the training problems")
    return Dataset.from_list(build_rows(problems, prompt_style, inject_constraints)), {p.task_id: p for p in problems}


def select_problems(dataset_names: list[str], tasks: list[str] | None = None, limit: int | None = None) -> list[Problem]:
    """Problems from the built-in datasets: the named tasks, else the first `limit` of each dataset."""
    from egca import datasets
    out: list[Problem] = []
    for name in dataset_names:
        if tasks:
            out.extend(datasets.get(name, t) for t in tasks if t in {p.task_id for p in datasets.load(name)})
        else:
            probs = datasets.load(name)
            out.extend(probs[:limit] if limit else probs)
    if tasks:
        found = {p.task_id for p in out}
        missing = [t for t in tasks if t not in found]
        if missing:
            raise ValueError(f"task(s) not found in {dataset_names}: {', '.join(missing)}")
    if not out:
        raise ValueError(f"no problems selected from {dataset_names}")
    return out
