"""Credit-assignment baselines EGCA is compared with, each giving the program byte
ranges it would put the credit on (None = the whole completion).

- uniform: plain GRPO, every completion token.
- stepcoder: StepCoder-style credit on executed code only: every statement the
  candidate executed on its first failing test.
- ochiai: spectrum-based fault localisation over the test suite; statement
  coverage per test comes from Tracer.Trace of each test (STEP events), and the
  top-ranked statements (all ties) are the span.
- diff: a textual diff against the reference completion (difflib over lines):
  the candidate's changed lines. An oracle on mutants (it sees the reference the
  mutant was made from); on real candidates the diff is most of the program.
"""

from __future__ import annotations

import difflib
import math
from collections import defaultdict
from typing import Sequence

from egca.trace import Trace

# EGCA's own columns (`egca bench localize`) are egca_narrow, egca_span and egca_before.
METHODS = ("uniform", "stepcoder", "ochiai", "diff")


def executed_statements(trace: Trace, lo: int, hi: int) -> set[tuple[int, int]]:
    """Program byte ranges of the statements a trace executed (STEP events) inside [lo, hi)."""
    out = set()
    for e in trace.events:
        if e.kind == "step" and e.range is not None and e.range.start_byte < hi and e.range.end_byte > lo:
            out.add((e.range.start_byte, e.range.end_byte))
    return out


def stepcoder(failing: Trace, lo: int, hi: int) -> list[tuple[int, int]]:
    return sorted(executed_statements(failing, lo, hi))


def ochiai(traces: Sequence[Trace], lo: int, hi: int) -> list[tuple[int, int]]:
    """Statements with the highest Ochiai score ef / sqrt(F * (ef + ep)); ties are all kept
    (SBFL cannot tell them apart, so picking one would be luck)."""
    failed = [not t.passed for t in traces]
    total_failed = sum(failed)
    if total_failed == 0:
        return []
    ef: dict[tuple[int, int], int] = defaultdict(int)
    ep: dict[tuple[int, int], int] = defaultdict(int)
    for trace, bad in zip(traces, failed):
        for stmt in executed_statements(trace, lo, hi):
            (ef if bad else ep)[stmt] += 1
    scores = {s: ef[s] / math.sqrt(total_failed * (ef[s] + ep[s])) for s in set(ef) | set(ep) if ef[s]}
    if not scores:
        return []
    best = max(scores.values())
    return sorted(s for s, v in scores.items() if math.isclose(v, best))


def diff_lines(completion: str, reference: str, prefix_len: int) -> list[tuple[int, int]]:
    """Program byte ranges of the completion lines difflib marks as changed; a pure deletion
    marks the lines on both sides of the gap."""
    cand = completion.encode("utf-8").splitlines(keepends=True)
    ref = reference.encode("utf-8").splitlines(keepends=True)
    starts = [0]
    for line in cand:
        starts.append(starts[-1] + len(line))
    changed: set[int] = set()
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, ref, cand, autojunk=False).get_opcodes():
        if tag in ("replace", "insert"):
            changed.update(range(j1, j2))
        elif tag == "delete":
            changed.update(j for j in (j1 - 1, j1) if 0 <= j < len(cand))
    return [(prefix_len + starts[j], prefix_len + starts[j] + len(cand[j].rstrip(b"\r\n"))) for j in sorted(changed)]
