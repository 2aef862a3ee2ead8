"""Training prompts from problems: base-model completion prompts or chat prompts.

Completion style: the prompt is `problem.prompt` and the model continues the
code, so the engine's program is prompt + completion. Chat style: the user
message asks for the continuation inside a Markdown fence; the engine finds
the fenced code in the answer (egca.fences) and reports spans in the answer's
bytes, so both styles map onto completion tokens the same way.
"""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass, field
from typing import Iterable

from egca.problem import Problem

log = logging.getLogger("egca.train")

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


# --- the data section: built-in datasets (with splits) and files, mixed ------------------------------

# MBPP's own division by task id (Austin et al. 2021, the released split): prompt 1-10,
# test 11-510, validation 511-600, train 601-974. The shipped sanitized file keeps ids from
# every part (120 of its 427 problems are train ids), so `split: train` is a non-evaluation
# source of Python problems.
MBPP_SPLITS: dict[str, tuple[int, int]] = {"prompt": (1, 10), "test": (11, 510), "validation": (511, 600),
                                           "train": (601, 974)}
SPLIT_DATASETS = ("mbpp",)   # built-in datasets that have an official split by task id


def mbpp_split(task_id: str) -> str | None:
    """The MBPP split of a task id like `Mbpp/602` (None when it is not an MBPP id)."""
    prefix, _, number = task_id.partition("/")
    if prefix.lower() != "mbpp" or not number.isdigit():
        return None
    n = int(number)
    return next((s for s, (lo, hi) in MBPP_SPLITS.items() if lo <= n <= hi), None)


def _entries(value, key: str, what: str) -> list[dict]:
    """A list of names/paths or of mappings, as a list of mappings with `key`."""
    if value is None:
        return []
    if isinstance(value, (str, dict)):
        value = [value]
    if not isinstance(value, list):
        raise ValueError(f"data.{what} must be a list")
    out = []
    for item in value:
        if isinstance(item, str):
            item = {key: item}
        if not isinstance(item, dict) or not isinstance(item.get(key), str):
            raise ValueError(f"data.{what} entries must be strings or mappings with a '{key}' string, got {item!r}")
        out.append(item)
    return out


def _pick(problems: list[Problem], source: str, tasks, limit, exclude: set[str] = frozenset()) -> list[Problem]:
    problems = [p for p in problems if p.task_id not in exclude]
    if tasks:
        problems = _only_tasks(problems, tasks, source)
    if limit is not None:
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise ValueError(f"limit for {source} must be a positive integer, got {limit!r}")
        problems = problems[:limit]
    return problems


def _only_tasks(problems: list[Problem], tasks, source: str) -> list[Problem]:
    """The problems named in `tasks`; a name `source` does not hold is an error."""
    have = {p.task_id for p in problems}
    missing = [t for t in tasks if t not in have]
    if missing:
        raise ValueError(f"task(s) not found in {source}: {', '.join(missing)}")
    wanted = set(tasks)
    return [p for p in problems if p.task_id in wanted]


def _dataset_problems(entry: dict, default_limit, drop_overlap: bool = False) -> list[Problem]:
    from egca import datasets
    unknown = set(entry) - {"name", "split", "limit", "tasks"}
    if unknown:
        raise ValueError(f"data.datasets entry {entry['name']!r}: unknown key(s) {', '.join(sorted(unknown))} "
                         "(known: name, split, limit, tasks)")
    name, split = entry["name"], entry.get("split")
    try:
        problems = datasets.load(name)
    except Exception as e:   # unknown dataset: one line
        raise ValueError(str(e)) from None
    source = name
    if split is not None:
        if name not in SPLIT_DATASETS:
            raise ValueError(f"dataset {name!r} has no official split (splits: {', '.join(SPLIT_DATASETS)})")
        if split not in MBPP_SPLITS:
            raise ValueError(f"unknown {name} split {split!r} (known: {', '.join(MBPP_SPLITS)})")
        problems = [p for p in problems if mbpp_split(p.task_id) == split]
        source = f"{name} ({split} split)"
    return _pick(problems, source, entry.get("tasks"), entry.get("limit", default_limit),
                 _overlapping(problems, source) if drop_overlap else frozenset())


def _file_problems(entry: dict, default_limit, drop_overlap: bool = False) -> list[Problem]:
    from egca import datasets
    unknown = set(entry) - {"path", "format", "limit", "tasks", "strict"}
    if unknown:
        raise ValueError(f"data.files entry {entry['path']!r}: unknown key(s) {', '.join(sorted(unknown))} "
                         "(known: path, format, limit, tasks, strict)")
    try:
        problems = datasets.load_file(entry["path"], entry.get("format"), bool(entry.get("strict", False)))
    except FileNotFoundError:
        raise ValueError(f"data file not found: {entry['path']}") from None
    except Exception as e:   # InvalidInput and format errors: one line
        raise ValueError(f"data file {entry['path']}: {e}") from None
    return _pick(problems, entry["path"], entry.get("tasks"), entry.get("limit", default_limit),
                 _overlapping(problems, entry["path"]) if drop_overlap else frozenset())


def _overlapping(problems: list[Problem], source: str) -> set[str]:
    """`exclude_eval_overlap`: the task ids of `source` found in an evaluation set, logged in one line."""
    overlap = find_eval_overlap(problems)
    ids = overlap.task_ids
    if ids:
        sets = ", ".join(f"{name} ({len(t)})" for name, t in overlap.by_set.items())
        log.warning("warning: %d problem(s) of %s left out (exclude_eval_overlap): in evaluation sets %s: %s",
                    len(ids), source, sets, ", ".join(ids[:5]) + (", ..." if len(ids) > 5 else ""))
    return set(ids)


def interleave_languages(problems: list[Problem]) -> list[Problem]:
    """The problems spread evenly by language (each language's problems in order, the k-th of a
    language's n at position (k + 1/2) / n of the list), so that consecutive prompts, and so
    each generation batch of an unshuffled run, mix the languages in proportion."""
    by_language: dict[str, list[Problem]] = {}
    for p in problems:
        by_language.setdefault(p.language, []).append(p)
    keyed = [((k + 0.5) / len(group), order, p) for order, group in enumerate(by_language.values())
             for k, p in enumerate(group)]
    return [p for _, _, p in sorted(keyed, key=lambda t: (t[0], t[1]))]


def runnable(problems: list[Problem]) -> tuple[list[Problem], list[str]]:
    """The problems the installed engine can analyse, and one line per group it cannot: a
    language without an installed adapter, or whole-program problems while the runtimes
    cannot run stdin/stdout tests yet (`egca.engine.RUNTIMES_RUN_PROGRAM_TESTS`)."""
    from egca.engine import RUNTIMES_RUN_PROGRAM_TESTS
    from egca.plugin import available_adapters
    languages = set(available_adapters())
    keep, no_adapter, programs = [], {}, 0
    for p in problems:
        if p.language not in languages:
            no_adapter[p.language] = no_adapter.get(p.language, 0) + 1
        elif p.kind == "program" and not RUNTIMES_RUN_PROGRAM_TESTS:
            programs += 1
        else:
            keep.append(p)
    notes = [f"{n} {lang} problem(s) left out: no {lang} adapter is installed" for lang, n in sorted(no_adapter.items())]
    if programs:
        notes.append(f"{programs} whole-program problem(s) (stdin/stdout tests) left out: the runtimes cannot run "
                     "them yet (egca.engine.RUNTIMES_RUN_PROGRAM_TESTS is false)")
    return keep, notes


def problems_from_config(data: dict | None) -> list[Problem]:
    """The training problems of a config's `data` section (docs/TRAINING.md, "Training data"):

        datasets: [humaneval, {name: mbpp, split: train, limit: 40}]   # built-in or imported, by name
        files: [examples/data/train-c.jsonl, {path: x.parquet, format: apps, limit: 8}]   # egca.datasets.load_file
        tasks: [HumanEval/0]      # only these task ids (across every source)
        limit: 4                  # default limit of each source
        interleave: true          # spread the languages evenly through the data (default)
        exclude_eval_overlap: false   # true: leave out problems found in an evaluation set (before `limit`)

    Problems the installed engine cannot analyse (a language without an adapter; whole-program
    problems while the runtimes cannot run them) are left out with one warning line each."""
    data = dict(data or {})
    unknown = set(data) - {"datasets", "files", "tasks", "limit", "interleave", "exclude_eval_overlap"}
    if unknown:
        raise ValueError(f"unknown data setting(s): {', '.join(sorted(unknown))} "
                         "(known: datasets, files, tasks, limit, interleave, exclude_eval_overlap)")
    drop = bool(data.get("exclude_eval_overlap", False))
    names = _entries(data.get("datasets"), "name", "datasets")
    files = _entries(data.get("files"), "path", "files")
    if not names and not files:
        names = [{"name": "humaneval"}]
    tasks, limit = data.get("tasks"), data.get("limit")
    if tasks:   # the old form: task ids looked up across the sources, the limit does not apply
        limit = None
    problems: list[Problem] = []
    for entry in names:
        problems.extend(_dataset_problems(entry, limit, drop))
    for entry in files:
        problems.extend(_file_problems(entry, limit, drop))
    if tasks:
        problems = _only_tasks(problems, tasks, "the data sources")
    problems, notes = runnable(problems)
    for note in notes:
        log.warning("warning: %s", note)
    if not problems:
        raise ValueError("no training problems selected" + (f" ({'; '.join(notes)})" if notes else ""))
    seen: dict[str, int] = {}
    for p in problems:
        seen[p.task_id] = seen.get(p.task_id, 0) + 1
    dupes = [t for t, n in seen.items() if n > 1]
    if dupes:
        raise ValueError(f"task id(s) appear in more than one data source: {', '.join(dupes[:5])}")
    if data.get("interleave", True):
        problems = interleave_languages(problems)
    return problems


# --- overlap with evaluation sets -----------------------------------------------------------------------

# Known evaluation sets: HumanEval and every port of it a language adapter ships (the dataset
# family named `humaneval` and `humaneval-<suffix>`, whole datasets), and MBPP's test split.
EVAL_FAMILY = "humaneval"
MBPP_TEST = "mbpp-test"
MIN_TEXT_CHARS = 40   # normalised references shorter than this (`return a b`) match by chance


def normalise_text(text: str) -> str:
    """Lower case, every run of characters other than letters and digits one space: comment
    marks, indentation, line endings and punctuation do not tell two copies apart."""
    return " ".join(re.findall(r"[0-9a-z]+", text.lower()))


@dataclass
class Overlap:
    """Training problems found in evaluation sets: set name -> task ids (of the training problems)."""

    by_set: dict[str, list[str]] = field(default_factory=dict)
    by_id: set[str] = field(default_factory=set)       # training task ids matched by task id
    by_text: set[str] = field(default_factory=set)     # ... by normalised prompt or reference text
    total: int = 0                                     # training problems checked

    @property
    def task_ids(self) -> list[str]:
        return sorted(self.by_id | self.by_text)

    def message(self) -> str | None:
        """One line, or None when nothing overlaps."""
        ids = self.task_ids
        if not ids:
            return None
        sets = ", ".join(f"{name} ({len(t)})" for name, t in self.by_set.items())
        shown = ", ".join(ids[:5]) + (", ..." if len(ids) > 5 else "")
        return (f"warning: {len(ids)} of {self.total} training problems are in evaluation sets: "
                f"{sets}; {len(self.by_id)} by task id, {len(self.by_text)} by normalised prompt/reference text "
                f"({shown}); scores on those sets would be contaminated")


@functools.lru_cache(maxsize=None)
def _eval_index(name: str) -> tuple[frozenset, frozenset, frozenset]:
    """(task ids, normalised prompts, normalised references) of one evaluation set."""
    from egca import datasets
    if name == MBPP_TEST:
        problems = [p for p in datasets.load("mbpp") if mbpp_split(p.task_id) == "test"]
    else:
        problems = datasets.load(name)
    refs = (normalise_text(p.reference) for p in problems)
    return (frozenset(p.task_id for p in problems), frozenset(normalise_text(p.prompt) for p in problems),
            frozenset(r for r in refs if len(r) >= MIN_TEXT_CHARS))


def installed_eval_sets() -> list[str]:
    """The evaluation sets whose datasets are installed (a port without its adapter is not)."""
    from egca import datasets
    known = datasets.list_datasets()
    family = [n for n in sorted(known) if n == EVAL_FAMILY or n.startswith(EVAL_FAMILY + "-")]
    return family + ([MBPP_TEST] if "mbpp" in known else [])


def find_eval_overlap(problems: Iterable[Problem], eval_sets: Iterable[str] | None = None) -> Overlap:
    """Which training problems are in a known evaluation set, by task id and by normalised
    prompt or reference text (a copy in another format, e.g. an imported HumanEval file)."""
    problems = list(problems)
    out = Overlap(total=len(problems))
    for name in (installed_eval_sets() if eval_sets is None else list(eval_sets)):
        ids, prompts, refs = _eval_index(name)
        hit = []
        for p in problems:
            same_id = p.task_id in ids
            ref = normalise_text(p.reference)
            same_text = normalise_text(p.prompt) in prompts or (len(ref) >= MIN_TEXT_CHARS and ref in refs)
            if same_id:
                out.by_id.add(p.task_id)
            if same_text:
                out.by_text.add(p.task_id)
            if same_id or same_text:
                hit.append(p.task_id)
        if hit:
            out.by_set[name] = hit
    return out


def warn_eval_overlap(problems: Iterable[Problem]) -> Overlap:
    """Log one warning line when training problems are in an evaluation set; returns the overlap."""
    overlap = find_eval_overlap(problems)
    message = overlap.message()
    if message:
        log.warning("%s", message)
    return overlap


def dataset_names(data: dict | None) -> list[str]:
    """The built-in dataset names a data section uses (for the tiny model's tokenizer corpus)."""
    data = data or {}
    entries = _entries(data.get("datasets"), "name", "datasets")
    if not entries and not data.get("files"):
        return ["humaneval"]
    return [e["name"] for e in entries]


PROGRAMS_UNSUPPORTED = "does not run program tests"   # the runtime kit's refusal (egca_kit.tracer)


def check_program_support(backend, problems: list[Problem]) -> tuple[list[Problem], list[str]]:
    """Whole-program problems need a runtime that runs stdin/stdout tests, which each language's
    runtime adds on its own (docs/RUNTIMES.md, "Program tests"). Per language with program
    problems, the first one's reference is analysed once through `backend` (this also starts
    the runtime); where the runtime says it does not run program tests, that language's program
    problems are left out, with one line each. Any other failure is raised as it is."""
    from egca.errors import InfrastructureError
    first: dict[str, Problem] = {}
    for p in problems:
        if p.kind == "program" and p.has_reference:
            first.setdefault(p.language, p)
    unsupported: set[str] = set()
    for language, p in first.items():
        try:
            backend.analyze(p, [p.reference], localize=False)
        except InfrastructureError as e:
            if PROGRAMS_UNSUPPORTED not in str(e):
                raise
            unsupported.add(language)
    keep = [p for p in problems if not (p.kind == "program" and p.language in unsupported)]
    notes = [f"{sum(p.kind == 'program' and p.language == lang for p in problems)} {lang} whole-program "
             f"problem(s) left out: the {lang} runtime does not run stdin/stdout tests yet" for lang in sorted(unsupported)]
    return keep, notes
