"""The aligned trace steps around a divergence, for the report's trace table.

The engine calls `trace_window` only when `EngineConfig.trace_window` asks for
it (the training path pays nothing). Both traces are cut around the event
where the divergence shows: the candidate's event k* and the reference event
it was compared with; rows pair the i-th event before (or after) k* on each
side, so the steps the two programs shared line up above the divergent row.

The result is plain JSON (it travels in `Analysis.trace` and in report records):

    {"candidate_event": 13, "reference_event": 13,       # k* on each side (None: no counterpart)
     "candidate_events": 16, "reference_events": 40,     # events in each trace
     "rows": [{"offset": -2, "divergent": false,
               "candidate": {"step": 11, "kind": "step", "function": "f", "line": 15,
                             "statement": "distance = abs(elem - elem2)",
                             "bindings": [["distance", "1"]]},
               "reference": {...} or null}, ...]}

A branch entry adds "outcome" ("true" / "false") and "branch_kind" ("if", "while",
"for", ...); a return entry "value"; an
exception entry "message". Values are rendered with `egca.values.display`.
"""

from __future__ import annotations

from typing import Any

from egca.trace import Event, Trace
from egca.values import display

SHOWN = ("call", "step", "branch", "return", "exception")
STATEMENT_CHARS = 80


def trace_window(cand: Trace, cand_program: bytes, ref: Trace, ref_program: bytes, found: Any,
                 size: int) -> dict:
    """`found` is the aligner's `egca.align.Found` (event, kind, candidate, reference, ref_event)."""
    size = max(1, int(size))
    c_events = [e for e in cand.events if e.kind in SHOWN]
    r_events = [e for e in ref.events if e.kind in SHOWN]
    c_at = _position(c_events, found.event)
    r_idx = found.ref_event if found.ref_event is not None else _counterpart(cand, ref, found)
    r_at = _position(r_events, r_idx) if r_idx is not None else None
    rows = []
    for offset in range(-size, size + 1):
        c = _entry(c_events, c_at, offset, cand_program)
        r = _entry(r_events, r_at, offset, ref_program) if r_at is not None else None
        if c is None and r is None:
            continue
        rows.append({"offset": offset, "divergent": offset == 0, "candidate": c, "reference": r})
    return {"candidate_event": found.event, "reference_event": r_idx,
            "candidate_events": len(cand.events), "reference_events": len(ref.events), "rows": rows}


def _position(events: list[Event], idx: int) -> int | None:
    for i, e in enumerate(events):
        if e.idx >= idx:
            return i
    return len(events) - 1 if events else None


def _counterpart(cand: Trace, ref: Trace, found: Any) -> int | None:
    """The reference event a divergence corresponds to when the aligner did not say:
    a return pairs with the reference's return of the same ordinal (as the aligner
    compares them); otherwise the reference event at `found.reference` with the same
    ordinal as the candidate's event among those at its own range (clamped)."""
    event = cand.events[found.event]
    if event.kind == "return":
        c_rets = cand.returns.get(event.function, [])
        r_rets = ref.returns.get(event.function, [])
        k = next((i for i, e in enumerate(c_rets) if e.idx == event.idx), 0)
        return r_rets[min(k, len(r_rets) - 1)].idx if r_rets else None
    if found.reference is None:
        return None
    start = event.range.start_byte if event.range is not None else None
    k = sum(1 for e in cand.events[:found.event] if e.kind == event.kind and e.range is not None
            and e.range.start_byte == start)
    same = [e for e in ref.events if e.kind == event.kind and e.range is not None
            and e.range.start_byte == found.reference.start_byte]
    if not same:
        same = [e for e in ref.events if e.range is not None and e.range.start_byte == found.reference.start_byte]
    return same[min(k, len(same) - 1)].idx if same else None


def _entry(events: list[Event], at: int | None, offset: int, program: bytes) -> dict | None:
    if at is None or not 0 <= at + offset < len(events):
        return None
    e = events[at + offset]
    out: dict[str, Any] = {"step": e.idx, "kind": e.kind, "function": e.function,
                           "line": e.range.start_line if e.range is not None else None,
                           "statement": _statement(program, e), "bindings": [[n, display(v)] for n, v in e.bindings]}
    if e.kind == "branch":
        out["outcome"] = "true" if e.taken else "false"
        out["branch_kind"] = e.branch_kind
    elif e.kind == "return":
        out["value"] = display(e.value)
    elif e.kind == "exception":
        out["message"] = e.message
    return out


def _statement(program: bytes, e: Event) -> str:
    if e.range is None:
        return e.function
    text = program[e.range.start_byte:e.range.end_byte].decode("utf-8", "replace").strip()
    first = text.splitlines()[0].rstrip() if text else ""
    if e.kind == "call":
        first = first.rstrip(":{ ")
    if len(first) > STATEMENT_CHARS:
        first = first[:STATEMENT_CHARS - 3] + "..."
    return first + (" ..." if "\n" in text and e.kind != "call" and not first.endswith("...") else "")
