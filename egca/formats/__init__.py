"""Problem formats: rows of public code datasets -> `Problem`s (docs/PROBLEMS.md).

One module per format, each with `detect(row) -> bool` and `convert(row, index) -> Problem`:

    egca           the project's own format (egca.problem; function and program problems)
    humaneval      HumanEval and HumanEval-X (task_id, prompt, canonical_solution, test, entry_point)
    mbpp           MBPP (task_id, text/prompt, code, test_list, test_imports, test_setup_code)
    apps           APPS and TACO (question, solutions, input_output, optional fn_name / starter_code)
    codecontests   DeepMind CodeContests (name, description, public/private/generated tests, solutions)
    livecodebench  LiveCodeBench code_generation (question_content, public/private_test_cases, metadata)
    verl           verl RL data (data_source, prompt as chat messages, ability, reward_model, extra_info)

`read_rows` reads JSON lines (.jsonl, .jsonl.gz), JSON (.json: one object or a list) and
Parquet (with the `datasets` library); `convert_rows` converts them, one one-line error per
malformed row naming the row and the field (the other rows still convert, unless strict).
"""

from __future__ import annotations

import gzip
import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from egca.errors import InvalidInput
from egca.formats import apps, codecontests, humaneval, livecodebench, mbpp, native, verl
from egca.formats.common import FieldError
from egca.problem import Problem

__all__ = ["ALIASES", "FORMATS", "Converted", "FieldError", "RowError", "convert_row", "convert_rows", "detect",
           "load_file", "read_rows"]

# In detection order: the most specific layouts first.
FORMATS = {"egca": native, "verl": verl, "livecodebench": livecodebench, "codecontests": codecontests,
           "apps": apps, "mbpp": mbpp, "humaneval": humaneval}
ALIASES = {"native": "egca", "taco": "apps", "humaneval-x": "humaneval", "lcb": "livecodebench",
           "code_contests": "codecontests"}


class RowError(InvalidInput):
    """A malformed row: `row N (task id): field 'F': what is wrong` on one line."""


@dataclass
class Converted:
    format: str
    problems: list[Problem] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    rows: int = 0


def format_name(name: str) -> str:
    key = ALIASES.get(name.lower(), name.lower())
    if key not in FORMATS:
        raise InvalidInput(f"unknown format '{name}' (known: {', '.join(FORMATS)}; aliases: "
                           f"{', '.join(f'{a}={b}' for a, b in ALIASES.items())})")
    return key


def detect(row: object) -> str | None:
    """The format a row is in, or None."""
    if not isinstance(row, dict):
        return None
    return next((name for name, module in FORMATS.items() if module.detect(row)), None)


def _row_label(row: object, index: int) -> str:
    if isinstance(row, dict):
        for key in ("task_id", "question_id", "name", "problem_id", "id"):
            value = row.get(key)
            if isinstance(value, (str, int)) and not isinstance(value, bool) and str(value).strip():
                return f"row {index} ({str(value)[:60]})"
    return f"row {index}"


def convert_row(row: object, format: str | None = None, index: int = 0) -> Problem:
    """One row as a problem (format auto-detected when not given); RowError when malformed."""
    if isinstance(row, _BadLine):
        raise RowError(f"row {index}: {row.why}")
    fmt = format_name(format) if format else detect(row)
    label = _row_label(row, index)
    if fmt is None:
        keys = ", ".join(sorted(row)[:12]) if isinstance(row, dict) else type(row).__name__
        raise RowError(f"{label}: cannot tell its format (fields: {keys}); give --format")
    if not isinstance(row, dict):
        raise RowError(f"{label}: not a JSON object")
    try:
        return FORMATS[fmt].convert(row, index)
    except FieldError as e:
        raise RowError(f"{label}: field '{e.field}': {e.message}") from None
    except InvalidInput as e:
        raise RowError(f"{label}: {' '.join(str(e).split())}") from None


def convert_rows(rows: Iterable[object], format: str | None = None, strict: bool = False) -> Converted:
    """Convert every row; the format is the given one, else the first row's that is known.
    A malformed row is an error line in `errors` (strict: RowError at the first)."""
    rows = list(rows)
    fmt = format_name(format) if format else next((f for f in map(detect, rows) if f), None)
    if fmt is None:
        raise InvalidInput("cannot tell the format of any row; give --format "
                           f"({', '.join(FORMATS)})" if rows else "no rows to import")
    out = Converted(fmt, rows=len(rows))
    seen: set[str] = set()
    for i, row in enumerate(rows):
        try:
            problem = convert_row(row, fmt, i)
            if problem.task_id in seen:
                raise RowError(f"{_row_label(row, i)}: field 'task_id': duplicate task id {problem.task_id!r}")
            seen.add(problem.task_id)
            out.problems.append(problem)
        except RowError as e:
            if strict:
                raise
            out.errors.append(str(e))
    return out


def read_rows(path: str | Path) -> list[object]:
    """The rows of a .jsonl / .jsonl.gz / .json / .parquet file."""
    p = Path(path)
    if not p.is_file():
        raise InvalidInput(f"file not found: {p}")
    name = p.name.lower()
    if name.endswith(".parquet"):
        return _read_parquet(p)
    try:
        raw = p.read_bytes()
        text = (gzip.decompress(raw) if name.endswith(".gz") else raw).decode("utf-8")
    except (OSError, EOFError) as e:
        raise InvalidInput(f"cannot read {p}: {e}") from None
    except UnicodeDecodeError:
        raise InvalidInput(f"{p} is not valid UTF-8") from None
    if name.endswith((".json", ".json.gz")):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as e:
            raise InvalidInput(f"{p} is not valid JSON: {e.msg} (line {e.lineno}, column {e.colno})") from None
        return data if isinstance(data, list) else [data]
    rows: list[object] = []
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError as e:
            rows.append(_BadLine(f"line {lineno} is not valid JSON: {e.msg} (column {e.colno})"))
    return rows


class _BadLine(dict):
    """A JSON-lines line that does not parse: converting it is a row error."""

    def __init__(self, why: str):
        super().__init__()
        self.why = why


def _read_parquet(path: Path) -> list[object]:
    try:
        from datasets import Dataset
    except ImportError:   # pragma: no cover - `datasets` is a dependency
        import pyarrow.parquet as pq

        return pq.read_table(path).to_pylist()
    from datasets.utils import logging as ds_logging

    bars = ds_logging.is_progress_bar_enabled()
    ds_logging.disable_progress_bar()   # one-line output: no progress bars on stderr
    try:
        with tempfile.TemporaryDirectory(prefix="egca-parquet-") as cache:
            try:
                ds = Dataset.from_parquet(str(path), cache_dir=cache, keep_in_memory=True)
            except Exception as e:   # pyarrow's and datasets' errors: a file that is not Parquet
                raise InvalidInput(f"{path} is not a readable Parquet file: {str(e).splitlines()[0][:200]}") from None
            return ds.to_list()
    finally:
        if bars:
            ds_logging.enable_progress_bar()


def load_file(path: str | Path, format: str | None = None, strict: bool = False) -> Converted:
    """Read and convert a file of problems (any format above)."""
    return convert_rows(read_rows(path), format, strict)
