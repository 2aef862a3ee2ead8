"""Problems and candidates (their format: docs/ENGINE_API.md, "Problems") and their validation."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path

from egca.errors import InvalidInput

# Larger sources are refused: nothing a model completes for one problem needs more,
# and a multi-megabyte program only ties up a sandbox.
MAX_SOURCE_BYTES = 256 * 1024


KINDS = ("function", "program")
CHECK_MODES = ("tokens", "exact", "float")


@dataclass(frozen=True)
class TestCase:
    """A function problem's test is code run after the program; a program problem's test is
    the text fed to the program's stdin and the stdout it must print (`code` is empty)."""

    id: str
    code: str = ""
    stdin: str | None = None
    stdout: str | None = None
    # A program test's comparison and limits: the problem's (`Problem` fills them in); not
    # part of the test's JSON.
    check: "Check | None" = field(default=None, compare=False)
    time_limit_s: float | None = field(default=None, compare=False)
    memory_bytes: int | None = field(default=None, compare=False)

    def to_dict(self) -> dict:
        if self.stdin is None and self.stdout is None:
            return {"id": self.id, "code": self.code}
        return {"id": self.id, "stdin": self.stdin or "", "stdout": self.stdout or ""}


@dataclass(frozen=True)
class Check:
    """How a program problem's stdout is compared with the expected: `tokens` (the default:
    whitespace-separated tokens equal, so line endings and trailing spaces do not matter),
    `exact` (byte for byte), `float` (tokens; numeric ones equal within `float_tol`, absolute
    or relative)."""

    mode: str = "tokens"
    float_tol: float = 1e-6

    def to_dict(self) -> dict:
        return {"mode": self.mode, "float_tol": self.float_tol}


@dataclass(frozen=True)
class Problem:
    task_id: str
    language: str
    prompt: str
    reference: str                   # "" when the problem has no reference solution
    entry_point: str
    tests: tuple[TestCase, ...] = field(default_factory=tuple)
    # "function": tests are code calling `entry_point`; "program": stdin/stdout tests.
    kind: str = "function"
    time_limit_s: float | None = None     # per test, program problems (None: the engine's)
    memory_bytes: int | None = None
    check: Check | None = None            # program problems (None: Check())
    # Every known solution per language, some possibly wrong (CodeContests): the engine
    # chooses one that passes for the candidate's language (egca.references).
    references: dict[str, tuple[str, ...]] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        if self.kind == "program":   # each program test carries the problem's check and limits to the runtime
            object.__setattr__(self, "tests", tuple(
                replace(t, check=self.check or Check(), time_limit_s=self.time_limit_s, memory_bytes=self.memory_bytes)
                for t in self.tests))

    @property
    def reference_program(self) -> str:
        return self.prompt + self.reference

    @property
    def has_reference(self) -> bool:
        return bool(self.reference.strip())

    def program(self, completion: str) -> str:
        return self.prompt + completion

    def to_dict(self) -> dict:
        """The problem format (docs/PROBLEMS.md); optional fields only when set."""
        d = {"task_id": self.task_id, "language": self.language, "prompt": self.prompt,
             "reference": self.reference, "entry_point": self.entry_point,
             "tests": [t.to_dict() for t in self.tests]}
        if self.kind != "function":
            d["kind"] = self.kind
        if self.time_limit_s is not None:
            d["time_limit_s"] = self.time_limit_s
        if self.memory_bytes is not None:
            d["memory_bytes"] = self.memory_bytes
        if self.check is not None:
            d["check"] = self.check.to_dict()
        if self.references:
            d["references"] = {lang: list(refs) for lang, refs in self.references.items()}
        return d

    @classmethod
    def from_dict(cls, data: object) -> "Problem":
        """Build a problem from parsed JSON, with one clear error for anything malformed."""
        if not isinstance(data, dict):
            raise InvalidInput("problem must be a JSON object")
        missing = [k for k in ("task_id", "language", "prompt", "tests") if k not in data]
        if missing:
            raise InvalidInput(f"problem is missing field(s): {', '.join(missing)}")
        for key in ("task_id", "language", "prompt", "reference", "entry_point"):
            if key in data and not isinstance(data[key], str):
                raise InvalidInput(f"problem field '{key}' must be a string")
        kind = data.get("kind", "function")
        if kind not in KINDS:
            raise InvalidInput(f"problem field 'kind' must be one of {', '.join(KINDS)}, not {kind!r}")
        tests = data["tests"]
        if not isinstance(tests, list) or not tests:
            raise InvalidInput("problem field 'tests' must be a non-empty list")
        parsed = []
        for i, t in enumerate(tests):
            if kind == "program":
                if not isinstance(t, dict) or not isinstance(t.get("stdin"), str) \
                        or not isinstance(t.get("stdout"), str):
                    raise InvalidInput(f"test {i} of a program problem must be an object with string "
                                       f"'stdin' and 'stdout'")
                parsed.append(TestCase(id=str(t.get("id", i)), stdin=t["stdin"], stdout=t["stdout"]))
            else:
                if not isinstance(t, dict) or not isinstance(t.get("code"), str):
                    raise InvalidInput(f"test {i} must be an object with a string 'code'")
                parsed.append(TestCase(id=str(t.get("id", i)), code=t["code"]))
        time_limit = data.get("time_limit_s")
        if time_limit is not None and (isinstance(time_limit, bool) or not isinstance(time_limit, (int, float))
                                       or time_limit <= 0):
            raise InvalidInput("problem field 'time_limit_s' must be a positive number")
        memory = data.get("memory_bytes")
        if memory is not None and (isinstance(memory, bool) or not isinstance(memory, int) or memory <= 0):
            raise InvalidInput("problem field 'memory_bytes' must be a positive integer")
        problem = cls(task_id=data["task_id"], language=data["language"], prompt=data["prompt"],
                      reference=data.get("reference", ""), entry_point=data.get("entry_point", ""),
                      tests=tuple(parsed), kind=kind,
                      time_limit_s=float(time_limit) if time_limit is not None else None, memory_bytes=memory,
                      check=_check(data.get("check")), references=_references(data.get("references")))
        check_source_size(problem.reference_program, "reference program")
        return problem


def _check(spec: object) -> Check | None:
    if spec is None:
        return None
    if not isinstance(spec, dict):
        raise InvalidInput("problem field 'check' must be an object like {\"mode\": \"tokens\"}")
    mode = spec.get("mode", "tokens")
    if mode not in CHECK_MODES:
        raise InvalidInput(f"problem field 'check.mode' must be one of {', '.join(CHECK_MODES)}, not {mode!r}")
    tol = spec.get("float_tol", 1e-6)
    if isinstance(tol, bool) or not isinstance(tol, (int, float)) or tol < 0:
        raise InvalidInput("problem field 'check.float_tol' must be a non-negative number")
    return Check(mode=mode, float_tol=float(tol))


def _references(spec: object) -> dict[str, tuple[str, ...]]:
    if spec is None:
        return {}
    if not isinstance(spec, dict) or not all(
            isinstance(k, str) and isinstance(v, list) and all(isinstance(x, str) for x in v)
            for k, v in spec.items()):
        raise InvalidInput("problem field 'references' must map a language to a list of solution strings")
    for lang, refs in spec.items():
        for ref in refs:
            check_source_size(ref, f"a {lang} reference solution")
    return {k: tuple(v) for k, v in spec.items()}


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
