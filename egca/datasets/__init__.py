"""Built-in datasets: raw upstream files shipped in egca/datasets/data, converted by adapters.

Each installed language adapter names the datasets it ships (`dataset_names()`) and turns
their raw rows into `Problem`s (`load_dataset`), so a language plug-in adds its datasets
the same way it adds its grammar. Reading the files is `egca.datafiles` (which adapters use
without importing this registry). Licences of the shipped files: LICENSES.md next to this.

Imported datasets (`egca datasets import FILE --name NAME`, `import_file`) are files of any
problem format (egca.formats: HumanEval(-X), MBPP, APPS/TACO, CodeContests, LiveCodeBench,
verl, the own format; JSON lines or Parquet) converted once into the own format and stored
in the user data directory (`user_dir()`: $EGCA_HOME/datasets, else
$XDG_DATA_HOME/egca/datasets, else ~/.local/share/egca/datasets) as NAME.jsonl. They are
listed, loaded and looked up like the built-in ones. `load_file` reads a file of problems
without storing it (the trainer's data section).
"""

from __future__ import annotations

import functools
import json
import logging
import os
import re
import warnings
from pathlib import Path

from egca.datafiles import data_path, read_rows
from egca.errors import InvalidInput
from egca.plugin import available_adapters, get_adapter
from egca.problem import Problem

__all__ = ["data_path", "get", "import_file", "list_datasets", "load", "load_file", "read_rows", "user_dir"]

log = logging.getLogger(__name__)
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


@functools.lru_cache(maxsize=None)
def _registry() -> dict[str, tuple[str, str]]:
    found: dict[str, tuple[str, str]] = {}
    for language in sorted(available_adapters()):
        adapter = get_adapter(language)
        for name in adapter.dataset_names():
            if name in found:
                warnings.warn(f"dataset '{name}' of the {language} adapter is shadowed by the "
                              f"{found[name][0]} adapter's", stacklevel=2)
                continue
            found[name] = (language, adapter.dataset_description(name))
    return found


def list_datasets() -> dict[str, tuple[str, str]]:
    """name -> (language, description) for every dataset of every installed adapter, then
    every imported dataset."""
    found = dict(_registry())
    for name, meta in _imported().items():
        if name not in found:
            found[name] = (meta.get("language", "?"),
                           f"imported from {meta.get('source', '?')} ({meta.get('format', '?')})")
    return found


@functools.lru_cache(maxsize=None)
def _load(name: str) -> tuple[Problem, ...]:
    registry = _registry()
    if name not in registry:
        known = ", ".join(sorted(set(registry) | set(_imported()))) or "none installed"
        raise InvalidInput(f"unknown dataset '{name}' (known: {known})")
    return tuple(get_adapter(registry[name][0]).load_dataset(name))


def _problems(name: str) -> tuple[Problem, ...]:
    if name not in _registry():
        path = user_dir() / f"{name}.jsonl"
        if name in _imported() and path.is_file():
            return _load_imported(str(path), path.stat().st_mtime_ns)
    return _load(name)


def load(name: str) -> list[Problem]:
    """Every problem of a built-in or imported dataset, in file order (converted once, then cached)."""
    return list(_problems(name))


@functools.lru_cache(maxsize=64)
def _index(problems: tuple[Problem, ...]) -> dict[str, Problem]:
    return {p.task_id: p for p in problems}


def get(name: str, task_id: str) -> Problem:
    """One problem of a built-in or imported dataset by task id."""
    problem = _index(_problems(name)).get(task_id)
    if problem is None:
        raise InvalidInput(f"unknown task '{task_id}' in dataset '{name}'")
    return problem


# --- imported datasets ----------------------------------------------------------------------

def user_dir() -> Path:
    """Where imported datasets are stored."""
    if os.environ.get("EGCA_HOME"):
        return Path(os.environ["EGCA_HOME"]) / "datasets"
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "egca" / "datasets"


def _imported() -> dict[str, dict]:
    """name -> metadata of every imported dataset (NAME.meta.json next to NAME.jsonl)."""
    out = {}
    folder = user_dir()
    for meta in sorted(folder.glob("*.meta.json")) if folder.is_dir() else ():
        name = meta.name[:-len(".meta.json")]
        if (folder / f"{name}.jsonl").is_file():
            try:
                out[name] = json.loads(meta.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                out[name] = {}
    return out


@functools.lru_cache(maxsize=16)
def _load_imported(path: str, mtime_ns: int) -> tuple[Problem, ...]:
    problems = []
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if line.strip():
                try:
                    problems.append(Problem.from_dict(json.loads(line)))
                except (ValueError, InvalidInput) as e:
                    raise InvalidInput(f"imported dataset {path} line {lineno} is damaged ({e}); import it again")
    return tuple(problems)


def load_file(path: str | Path, format: str | None = None, strict: bool = False) -> list[Problem]:
    """The problems of a file in any problem format (egca.formats; auto-detected unless
    `format` is given), read with real loaders (JSON lines, JSON, Parquet). A malformed row
    is logged as a one-line warning naming the row and the field, and skipped; `strict`
    raises `InvalidInput` at the first instead. For the trainer's data section."""
    from egca import formats

    converted = formats.load_file(path, format, strict)
    for error in converted.errors:
        log.warning("%s: %s", path, error)
    if not converted.problems:
        raise InvalidInput(f"{path}: no problem could be read ({len(converted.errors)} malformed rows)")
    return converted.problems


def import_file(path: str | Path, name: str, format: str | None = None, strict: bool = False):
    """Convert a file of problems and store it as the imported dataset `name` (replacing one
    of that name). Returns egca.formats.Converted (problems, one-line errors, format)."""
    from egca import formats

    if not _NAME.match(name):
        raise InvalidInput(f"dataset name {name!r} must be letters, digits, '.', '_' or '-' (at most 64)")
    if name in _registry():
        raise InvalidInput(f"'{name}' is a built-in dataset: choose another name")
    converted = formats.load_file(path, format, strict)
    if not converted.problems:
        raise InvalidInput(f"{path}: no problem could be imported ({len(converted.errors)} malformed rows"
                           + (f"; the first: {converted.errors[0]}" if converted.errors else "") + ")")
    folder = user_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{name}.jsonl.tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            for problem in converted.problems:
                f.write(json.dumps(problem.to_dict(), ensure_ascii=False) + "\n")
        languages = sorted({p.language for p in converted.problems})
        meta = {"source": str(Path(path).resolve()), "format": converted.format, "size": len(converted.problems),
                "rows": converted.rows, "errors": len(converted.errors),
                "language": languages[0] if len(languages) == 1 else ",".join(languages),
                "kinds": sorted({p.kind for p in converted.problems})}
        (folder / f"{name}.meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
        os.replace(tmp, folder / f"{name}.jsonl")
    except OSError as e:
        raise InvalidInput(f"cannot store dataset '{name}' in {folder}: {e.strerror or e}") from None
    return converted
