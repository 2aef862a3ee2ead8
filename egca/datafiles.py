"""Raw dataset files: where egca ships them, and reading their rows.

Kept apart from `egca.datasets` (the registry, which asks the installed adapters for
their datasets) so that adapters can read their files without importing the registry.
"""

from __future__ import annotations

import gzip
import json
from importlib import resources
from importlib.resources.abc import Traversable

from egca.errors import InfrastructureError


def data_path(filename: str) -> Traversable:
    """A raw file shipped in egca/datasets/data (read it with `.open("rb")`)."""
    path = resources.files("egca").joinpath("datasets", "data", filename)
    if not path.is_file():
        raise InfrastructureError(f"dataset file {filename} is missing from the egca installation ({path})")
    return path


def read_rows(source: str | Traversable) -> list[dict]:
    """The JSON objects of a .jsonl or .jsonl.gz file, one per non-blank line: a file
    shipped in egca/datasets/data (by name) or any readable path."""
    path = data_path(source) if isinstance(source, str) else source
    if not path.is_file():
        raise InfrastructureError(f"dataset file {path} is missing")
    filename = path.name
    with path.open("rb") as raw:
        text = (gzip.decompress(raw.read()) if filename.endswith(".gz") else raw.read()).decode("utf-8")
    rows = []
    for lineno, line in enumerate(text.splitlines(), 1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as e:
                raise InfrastructureError(f"{filename} line {lineno} is malformed: {e}") from None
    return rows
