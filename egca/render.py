"""Human-readable rendering of an analysis: the divergent span highlighted in
the candidate, next to the matching reference lines."""

from __future__ import annotations

from egca.analysis import Analysis
from egca.core import Range

BOLD_RED, DIM, RESET, BOLD = "\033[1;31m", "\033[2m", "\033[0m", "\033[1m"


def render(task_id: str, analysis: Analysis, program: str, reference_program: str, color: bool) -> str:
    a = analysis
    head = f"{task_id}  mode: {a.mode}  reward: {a.reward:g}  tests: {a.tests_passed}/{a.tests_total} passed"
    if a.failing_test is not None:
        head += f"  first failing test: {a.failing_test}"
    lines = [(BOLD + head + RESET) if color else head]
    if a.constraint_violations:
        lines += [f"  constraint: {v}" for v in a.constraint_violations]
    d = a.divergence
    if d is None:
        if a.mode == "logic":
            lines.append("  no divergence could be localised: credit is uniform")
        elif a.mode == "syntax":
            lines.append("  no location reported: credit is uniform")
        return "\n".join(lines)
    lines.append(f"  {d.kind}: {d.reason}")
    lines.append("  candidate:")
    lines += _excerpt(program.encode("utf-8"), d.candidate, color)
    if d.reference is not None:
        lines.append("  reference:")
        lines += _excerpt(reference_program.encode("utf-8"), d.reference, color)
    if a.span is not None:
        s, e = a.span.completion
        lines.append(f"  span: completion bytes {s}..{e}")
    return "\n".join(lines)


def _excerpt(program: bytes, rng: Range, color: bool, context: int = 1) -> list[str]:
    """The lines of `rng` (plus context), the range highlighted (color) or underlined with ^."""
    starts = [0] + [i + 1 for i, b in enumerate(program) if b == 0x0A]
    first = max(1, rng.start_line - context)
    last = min(len(starts), rng.end_line + context)
    out = []
    for no in range(first, last + 1):
        lo = starts[no - 1]
        hi = starts[no] - 1 if no < len(starts) else len(program)
        text = program[lo:hi]
        a, b = max(rng.start_byte, lo) - lo, min(rng.end_byte, hi) - lo
        inside = rng.start_line <= no <= rng.end_line and b > a
        prefix = f"  {no:5d} | "
        if inside and color:
            out.append(prefix + (text[:a] + BOLD_RED.encode() + text[a:b] + RESET.encode() + text[b:]).decode(
                "utf-8", "replace"))
        else:
            line = prefix + text.decode("utf-8", "replace")
            out.append(line if inside or not color else DIM + line + RESET)
            if inside:
                pad = len(text[:a].decode("utf-8", "replace"))
                width = max(1, len(text[a:b].decode("utf-8", "replace")))
                out.append(" " * (len(prefix) + pad) + "^" * width)
    return out
