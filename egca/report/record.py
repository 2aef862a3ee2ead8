"""The record of one analysed candidate: one JSON object per line of a report's input.

A record is the object of `egca analyze --json` (`Analysis.to_dict()`: mode, reward,
tests_passed, tests_total, failing_test, divergence, span, constraint_violations,
token_weights?, trace?) plus

    task_id, language, prompt, completion, reference   the problem and the candidate's text
    tokens        optional: [start_byte, end_byte] of each completion token (order of token_weights)
    tokens_from   optional: what made `tokens` (a tokenizer's name; "split": `pieces` below)
    advantage     optional: the candidate's GRPO advantage A_i
    step          optional: the training step
    program       optional: the program that ran, when it is not prompt + completion (a chat
                  answer's fenced code), and program_prefix: its bytes before the completion's code
    failing_test_code  optional: the code of `failing_test`

`analysis_record` builds one; `normalise` reads one (from any of the writers) into
what the pages need, filling in what a writer left out: without `tokens` (the CLI has
no tokenizer) the completion is split by `pieces` and weighted with the engine's
own `egca.spans.token_weights`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator

from egca.spans import token_weights

RECORD_KEYS = ("task_id", "language", "prompt", "completion", "reference")
# Newline plus indentation, a run of blanks, a word, a common multi-character operator, or one
# other character.
_PIECE = re.compile(r"\r?\n[ \t]*|[ \t]+|\w+|===|!==|\*\*=|//=|>>=|<<=|==|!=|<=|>=|//|\*\*|&&|\|\||\+\+|--|->|=>"
                    r"|<<|>>|[-+*/%&|^]=|[^\w\s]|\s", re.UNICODE)


def analysis_record(problem, completion: str, analysis, tokens=None, **extra) -> dict:
    """`analysis.to_dict()` plus the problem's and the candidate's text (RECORD_KEYS), the
    composed program when it differs from prompt + completion, the failing test's code,
    `tokens` ([start_byte, end_byte] per completion token) and any `extra` keys
    (advantage, step, note, ...)."""
    d = analysis.to_dict()
    d.update(problem_keys(problem, completion, analysis.failing_test))
    if tokens is not None:
        d["tokens"] = [[int(s), int(e)] for s, e in tokens]
        d.setdefault("tokens_from", "tokenizer")
    d.update(extra)
    return d


def problem_keys(problem, completion: str, failing_test: str | None = None) -> dict:
    """The keys a record adds to `Analysis.to_dict()` (also added to `egca analyze --json`)."""
    from egca.engine import compose
    from egca.plugin import get_adapter

    out: dict[str, Any] = {"task_id": problem.task_id, "language": problem.language, "prompt": problem.prompt,
                           "completion": completion, "reference": problem.reference}
    try:
        program, layout = compose(get_adapter(problem.language), problem, completion)
    except Exception:   # no adapter here (a record written for another machine's languages)
        program, layout = problem.prompt + completion, None
    if program != problem.prompt + completion and layout is not None:
        out["program"], out["program_prefix"] = program, layout.prefix_len
    if failing_test is not None:
        test = next((t for t in problem.tests if t.id == failing_test), None)
        if test is not None:
            out["failing_test_code"] = test.code
    return out


def pieces(text: str) -> list[tuple[int, int]]:
    """A deterministic tokenisation of `text` for records without a tokenizer's offsets:
    UTF-8 byte ranges of words, single punctuation characters, blanks and newline+indent."""
    out, pos = [], 0
    for m in _PIECE.finditer(text):
        n = len(m.group(0).encode("utf-8"))
        out.append((pos, pos + n))
        pos += n
    return out


def read_records(lines: Iterable[str] | str) -> Iterator[dict]:
    """Records from JSON lines, or from pretty-printed JSON objects one after another
    (`egca analyze --json` output appended to a file). Blank lines are skipped."""
    text = lines if isinstance(lines, str) else "".join(lines)
    decoder, pos, n = json.JSONDecoder(), 0, len(text)
    while True:
        while pos < n and text[pos].isspace():
            pos += 1
        if pos >= n:
            return
        try:
            obj, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as e:
            line = text.count("\n", 0, e.pos) + 1
            raise ValueError(f"line {line}: not JSON ({e.msg})") from None
        if isinstance(obj, list):
            yield from (o for o in obj if isinstance(o, dict))
        elif isinstance(obj, dict):
            yield obj
        else:
            raise ValueError(f"expected JSON objects, got {type(obj).__name__}")


@dataclass
class View:
    """One record as the pages draw it (byte ranges are into the UTF-8 of the texts)."""

    record: dict
    task_id: str
    language: str
    mode: str
    candidate_program: str                # what is shown on the candidate side
    candidate_prefix: int                 # bytes of it that are prompt (dimmed)
    reference_program: str
    reference_prefix: int
    completion: str
    cand_ranges: list[tuple[int, int, str]] = field(default_factory=list)   # (start, end, "span" | "narrowed")
    ref_ranges: list[tuple[int, int, str]] = field(default_factory=list)
    tokens: list[tuple[int, int]] = field(default_factory=list)
    weights: list[float] = field(default_factory=list)
    tokens_from: str = "tokenizer"       # the record's `tokens_from`, or "split" (`pieces`)
    span_tokens: int = 0                  # tokens overlapping the completion span

    @property
    def span_fraction(self) -> float | None:
        """The span's size as a fraction of the completion's tokens (None: no span)."""
        if not self.record.get("span") or not self.tokens:
            return None
        return self.span_tokens / len(self.tokens)

    def span_text(self) -> str:
        span = self.record.get("span")
        if not span:
            return ""
        c = span["completion"]
        return self.completion.encode("utf-8")[c["start_byte"]:c["end_byte"]].decode("utf-8", "replace")


def normalise(record: dict) -> View:
    prompt = record.get("prompt") or ""
    completion = record.get("completion") or ""
    reference = record.get("reference") if isinstance(record.get("reference"), str) else ""
    div = record.get("divergence") or None
    span = record.get("span") or None

    # The candidate side: the program that ran. Without it (older writers), prompt +
    # completion -- unless the span says the completion's code sits elsewhere (a chat
    # answer): then the completion alone, program ranges shifted onto it.
    shift = 0
    if record.get("program"):
        cand_program, cand_prefix = record["program"], int(record.get("program_prefix") or 0)
    else:
        cand_program, cand_prefix = prompt + completion, len(prompt.encode("utf-8"))
        if span and span["program"]["start_byte"] - span["completion"]["start_byte"] != cand_prefix:
            shift = span["program"]["start_byte"] - span["completion"]["start_byte"]
            cand_program, cand_prefix = completion, 0
    view = View(record=record, task_id=str(record.get("task_id", "?")), language=str(record.get("language", "?")),
                mode=str(record.get("mode", "?")), candidate_program=cand_program, candidate_prefix=cand_prefix,
                reference_program=prompt + reference, reference_prefix=len(prompt.encode("utf-8")),
                completion=completion)

    if div:
        cand = div.get("candidate")
        if cand:
            view.cand_ranges.append((cand["start_byte"] - shift, cand["end_byte"] - shift, "span"))
        ref = div.get("reference")
        if ref and reference:
            view.ref_ranges.append((ref["start_byte"], ref["end_byte"], "span"))
    for side, rng in _narrowed(record):
        if side == "candidate":
            view.cand_ranges.append((rng[0] - shift, rng[1] - shift, "narrowed"))
        elif reference:
            view.ref_ranges.append((rng[0], rng[1], "narrowed"))
    n_cand, n_ref = len(cand_program.encode("utf-8")), len(view.reference_program.encode("utf-8"))
    view.cand_ranges = [(max(0, s), min(n_cand, e), k) for s, e, k in view.cand_ranges if e > s and s < n_cand]
    view.ref_ranges = [(max(0, s), min(n_ref, e), k) for s, e, k in view.ref_ranges if e > s and s < n_ref]

    tokens, weights = record.get("tokens"), record.get("token_weights")
    if tokens and weights and len(tokens) == len(weights):
        view.tokens = [(int(s), int(e)) for s, e in tokens]
        view.weights = [float(w) for w in weights]
        view.tokens_from = str(record.get("tokens_from") or "tokenizer")
    else:
        view.tokens_from = "split"
        view.tokens = pieces(completion)
        comp_span = (span["completion"]["start_byte"], span["completion"]["end_byte"]) if span else None
        view.weights = token_weights(comp_span, view.tokens, "span")
    if span:
        s, e = span["completion"]["start_byte"], span["completion"]["end_byte"]
        view.span_tokens = sum(1 for a, b in view.tokens if a < e and b > s)
    return view


def _narrowed(record: dict) -> list[tuple[str, tuple[int, int]]]:
    """A narrowed sub-statement span, if the analysis carries one. Accepted shapes (at the
    top level or inside `divergence`): {"candidate": RANGE, "reference": RANGE}, a single
    RANGE or a `span`-like {"program": RANGE, "completion": RANGE} (candidate side), where
    RANGE has start_byte and end_byte in program bytes; or a list of these."""
    out: list[tuple[str, tuple[int, int]]] = []
    found = [record.get("narrowed"), (record.get("divergence") or {}).get("narrowed")]
    for item in found:
        for n in item if isinstance(item, list) else [item]:
            if not isinstance(n, dict):
                continue
            if "start_byte" in n:
                out.append(("candidate", (n["start_byte"], n["end_byte"])))
                continue
            for side, key in (("candidate", "candidate"), ("reference", "reference"), ("candidate", "program")):
                r = n.get(key)
                if isinstance(r, dict) and "start_byte" in r:
                    out.append((side, (r["start_byte"], r["end_byte"])))
    return out
