"""Program = problem + answer: what the engine runs for a completion, and where the
completion's code sits in it (docs/PROBLEMS.md, "Composing a program").

A completion either continues the prompt (a base model's body) or is a chat answer whose
fenced code is a whole program of its own. The rule for the second kind, in every language:

    when the fenced code defines the entry point itself, the program is every top-level
    definition of the prompt that the answer does not redefine (helpers, imports,
    includes, classes, constants, in prompt order), followed by the answer's code.

So an answer that rewrites only the entry function keeps the prompt's helpers (HumanEval/38:
`decode_cyclic` alone still finds `encode_cyclic`), an answer that rewrites a helper too wins
over the prompt's copy, and whatever else the answer adds (its own helpers, a `main`) is its
own. What counts as a definition, and which names it binds, is the language adapter's
(`LanguageAdapter.top_level_definitions` / `defined_names`); this module knows no language.

The answer's code is kept byte for byte at the end of the program, so spans map back into
the completion exactly (`egca.spans.Layout`).
"""

from __future__ import annotations

from egca import syntax
from egca.fences import extract_code
from egca.plugin import LanguageAdapter
from egca.problem import Problem
from egca.spans import Layout

__all__ = ["compose", "kept_prompt_definitions"]


def compose(adapter: LanguageAdapter, problem: Problem, completion: str) -> tuple[str, Layout]:
    """The program to run for a completion, and where the completion's code sits in it."""
    region = extract_code(completion, adapter.fence_names)
    prefix = problem.prompt
    if region.fenced and problem.entry_point and \
            syntax.function_range(adapter, region.code.encode("utf-8"), problem.entry_point) is not None:
        prefix = kept_prompt_definitions(adapter, problem.prompt, region.code)
    program = prefix + region.code
    return program, Layout(len(prefix.encode("utf-8")), region.code_start, len(region.code.encode("utf-8")))


def kept_prompt_definitions(adapter: LanguageAdapter, prompt: str, answer: str) -> str:
    """The prompt's top-level definitions that `answer` does not redefine, each on its own
    lines, in prompt order. A definition is redefined when the answer defines one of its
    names, or (imports, includes: no names) has a top-level definition of the same text."""
    prompt_bytes, answer_bytes = prompt.encode("utf-8"), answer.encode("utf-8")
    answer_defs = adapter.top_level_definitions(answer_bytes)
    answer_names = set().union(*(names for _, _, names in answer_defs))
    answer_texts = {_normal(answer_bytes[s:e]) for s, e, _ in answer_defs}
    kept = []
    for start, end, names in adapter.top_level_definitions(prompt_bytes):
        text = prompt_bytes[start:end]
        if names & answer_names or (not names and _normal(text) in answer_texts):
            continue
        kept.append(text.rstrip(b"\n").decode("utf-8") + "\n")
    return "\n".join(kept) + ("\n" if kept else "")


def _normal(text: bytes) -> bytes:
    return b" ".join(text.split())
