"""Chat-style completions: find the code inside Markdown fences, offsets exact.

A completion like "Here you go:\n```<lang>\n    return x\n```\n" is analysed
as if the model had written only the fenced code; spans found in that code
are shifted back into the completion by `code_start`. Which info strings name
the language is the adapter's `fence_names`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_FENCE = re.compile(rb"^[ \t]*(```|~~~)[ \t]*([\w+#.-]*)[^\n]*\n", re.MULTILINE)


@dataclass(frozen=True)
class CodeRegion:
    code: str            # the code the engine analyses
    code_start: int      # byte offset of `code` inside the completion
    fenced: bool


def extract_code(completion: str, fence_names: tuple[str, ...] = ()) -> CodeRegion:
    """The first fenced block (preferring one tagged with a fence name of the language);
    the whole completion when there is no fence."""
    raw = completion.encode("utf-8")
    blocks = []
    pos = 0
    while True:
        m = _FENCE.search(raw, pos)
        if not m:
            break
        start = m.end()
        close = re.compile(rb"^[ \t]*" + re.escape(m.group(1)) + rb"[ \t]*$", re.MULTILINE).search(raw, start)
        end = close.start() if close else len(raw)
        blocks.append((m.group(2).decode("utf-8", "replace").lower(), start, end))
        pos = close.end() if close else len(raw)
    if not blocks:
        return CodeRegion(completion, 0, False)
    wanted = {n.lower() for n in fence_names}
    tag, start, end = next((b for b in blocks if b[0] in wanted), blocks[0])
    return CodeRegion(raw[start:end].decode("utf-8"), start, True)
