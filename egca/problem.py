"""Problems and candidates (their format: docs/ENGINE_API.md, "Problems") and their validation."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from egca.errors import InvalidInput

# Larger sources are refused: nothing a model completes for one problem needs more,
# and a multi-megabyte program only ties up a sandbox.
MAX_SOURCE_BYTES = 256 * 1024


@dataclass(frozen=True)
class TestCase:
    id: str
    code: str


@dataclass(frozen=True)
class Problem:
    task_id: str
    language: str
    prompt: str
    reference: str
    entry_point: str
    tests: tuple[TestCase, ...] = field(default_factory=tuple)

    @property
    def reference_program(self) -> str:
        return self.prompt + self.reference

    def program(self, completion: str) -> str:
        return self.prompt + completion

    def to_dict(self) -> dict:
        d = asdict(self)
        d["tests"] = [asdict(t) for t in self.tests]
        return d

    @classmethod
    def from_dict(cls, data: object) -> "Problem":
        """Build a problem from parsed JSON, with one clear error for anything malformed."""
        if not isinstance(data, dict):
            raise InvalidInput("problem must be a JSON object")
        missing = [k for k in ("task_id", "language", "prompt", "reference", "tests") if k not in data]
        if missing:
            raise InvalidInput(f"problem is missing field(s): {', '.join(missing)}")
        for key in ("task_id", "language", "prompt", "reference", "entry_point"):
            if key in data and not isinstance(data[key], str):
                raise InvalidInput(f"problem field '{key}' must be a string")
        tests = data["tests"]
        if not isinstance(tests, list) or not tests:
            raise InvalidInput("problem field 'tests' must be a non-empty list")
        parsed = []
        for i, t in enumerate(tests):
            if not isinstance(t, dict) or not isinstance(t.get("code"), str):
                raise InvalidInput(f"test {i} must be an object with a string 'code'")
            parsed.append(TestCase(id=str(t.get("id", i)), code=t["code"]))
        problem = cls(task_id=data["task_id"], language=data["language"], prompt=data["prompt"],
                      reference=data["reference"], entry_point=data.get("entry_point", ""), tests=tuple(parsed))
        check_source_size(problem.reference_program, "reference program")
        return problem


def check_source_size(text: str, what: str) -> None:
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_SOURCE_BYTES:
        raise InvalidInput(f"{what} is {size} bytes; the limit is {MAX_SOURCE_BYTES}")


def validate_completion(completion: object) -> str:
    """A candidate completion must be non-empty UTF-8 text of sane size."""
    if isinstance(completion, bytes):
        try:
            completion = completion.decode("utf-8")
        except UnicodeDecodeError as e:
            raise InvalidInput(f"candidate is not valid UTF-8 (byte {e.start})") from None
    if not isinstance(completion, str):
        raise InvalidInput("candidate must be text")
    if not completion.strip():
        raise InvalidInput("candidate completion is empty")
    try:
        completion.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput("candidate contains text that is not valid UTF-8") from None
    check_source_size(completion, "candidate completion")
    return completion


def load_problem_file(path: str | Path) -> Problem:
    """Read one problem from a .json file (or the first line of a .jsonl file)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidInput(f"problem file not found: {p}") from None
    except UnicodeDecodeError:
        raise InvalidInput(f"problem file is not valid UTF-8: {p}") from None
    text = text.strip()
    if p.suffix == ".jsonl":
        text = text.splitlines()[0] if text else ""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise InvalidInput(f"problem file {p} is not valid JSON: {e.msg} (line {e.lineno}, column {e.colno})") from None
    return Problem.from_dict(data)


def read_candidate_file(path: str | Path) -> str:
    p = Path(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise InvalidInput(f"candidate file not found: {p}") from None
    if len(raw) > MAX_SOURCE_BYTES:
        raise InvalidInput(f"candidate file {p} is {len(raw)} bytes; the limit is {MAX_SOURCE_BYTES}")
    return validate_completion(raw)
