"""Built-in datasets: raw upstream files shipped in egca/datasets/data, converted by adapters.

Each installed language adapter names the datasets it ships (`dataset_names()`) and turns
their raw rows into `Problem`s (`load_dataset`), so a language plug-in adds its datasets
the same way it adds its grammar. Reading the files is `egca.datafiles` (which adapters use
without importing this registry). Licences of the shipped files: LICENSES.md next to this.
"""

from __future__ import annotations

import functools
import warnings

from egca.datafiles import data_path, read_rows
from egca.errors import InvalidInput
from egca.plugin import available_adapters, get_adapter
from egca.problem import Problem

__all__ = ["data_path", "get", "list_datasets", "load", "read_rows"]


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
    """name -> (language, description) for every dataset of every installed adapter."""
    return dict(_registry())


@functools.lru_cache(maxsize=None)
def _load(name: str) -> tuple[Problem, ...]:
    registry = _registry()
    if name not in registry:
        known = ", ".join(sorted(registry)) or "none installed"
        raise InvalidInput(f"unknown dataset '{name}' (known: {known})")
    return tuple(get_adapter(registry[name][0]).load_dataset(name))


def load(name: str) -> list[Problem]:
    """Every problem of a built-in dataset, in upstream order (converted once, then cached)."""
    return list(_load(name))


@functools.lru_cache(maxsize=None)
def _index(name: str) -> dict[str, Problem]:
    return {p.task_id: p for p in _load(name)}


def get(name: str, task_id: str) -> Problem:
    """One problem of a built-in dataset by task id."""
    problem = _index(name).get(task_id)
    if problem is None:
        raise InvalidInput(f"unknown task '{task_id}' in dataset '{name}'")
    return problem
