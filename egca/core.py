"""The engine's shared value types: source ranges, the gate's settings and findings,
and the vocabularies of modes and divergence kinds.

Nothing here depends on a language, a grammar, a runtime or the wire format, so every
part of the engine (and every language adapter) can import it without pulling in the
rest. `egca.plugin` re-exports `Range`, `GateConfig` and `Constraints` for code written
against it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

import tree_sitter


class Mode(enum.StrEnum):
    """What the engine decided about a candidate (README, "How a candidate is analysed").

    A `StrEnum`: each member is its string value (`Mode.LOGIC == "logic"`, and it prints,
    formats and serialises to JSON as `logic`), so the JSON of `egca analyze --json` is
    exactly the strings below.
    """

    SYNTAX = "syntax"          # does not parse/compile, or crashes or times out: credit on the error
    CONSTRAINT = "constraint"  # violates a constraint of the reference, or not comparable: uniform
    CORRECT = "correct"        # passes every test: uniform
    LOGIC = "logic"            # fails a test: credit on the divergent span


class DivergenceKind(enum.StrEnum):
    """Why the engine points where it points (`Divergence.kind`, the `kind` of the JSON).

    The first five come from aligning the traces (docs/EVENTS.md), the rest from a failed
    run or build. A `StrEnum`, like `Mode`: members are their string values.
    """

    VALUE = "value"        # a write produced a value the reference's counterpart never took
    BRANCH = "branch"      # a decision went the other way
    RETURN = "return"      # a matched function returned something else
    MISSING = "missing"    # writes the reference made never happened: the condition that kept them out
    CALL = "call"          # a call passed an argument the reference's counterpart never received
    SYNTAX = "syntax"      # the grammar's first error (the program does not parse)
    COMPILE = "compile"    # the language's compiler rejected the program
    ERROR = "error"        # the program raised or crashed on a test
    TIMEOUT = "timeout"    # a test ran out of time (located at the loop that did not end)


# Divergences located at a decision (a condition or a loop header) rather than a statement.
DECISION_KINDS = frozenset({DivergenceKind.BRANCH, DivergenceKind.MISSING})


@dataclass(frozen=True)
class Range:
    """A range of a program: UTF-8 byte offsets, 1-based inclusive lines."""

    start_byte: int
    end_byte: int
    start_line: int
    end_line: int

    @classmethod
    def of_node(cls, node: tree_sitter.Node) -> "Range":
        return cls(node.start_byte, node.end_byte, node.start_point[0] + 1, node.end_point[0] + 1)

    @classmethod
    def of_bytes(cls, program: bytes, start: int, end: int) -> "Range":
        return cls(start, end, program.count(b"\n", 0, start) + 1, program.count(b"\n", 0, max(start, end - 1)) + 1)

    def to_dict(self) -> dict:
        return {"start_byte": self.start_byte, "end_byte": self.end_byte,
                "start_line": self.start_line, "end_line": self.end_line}


@dataclass(frozen=True)
class GateConfig:
    """Thresholds of the constraint gate. The defaults, and the HumanEval measurements
    behind them, are in README ("Gate defaults")."""

    # A candidate whose normalised syntax-tree similarity to the reference is
    # below this is "not comparable": its trace cannot be aligned meaningfully.
    min_similarity: float = 0.05
    # Loop nesting deeper than the reference's by more than this is a
    # complexity-class violation (e.g. O(n^3) where the reference is O(n)).
    max_extra_loop_depth: int = 1
    # Recursion where the reference has none (or none where it has some).
    check_recursion: bool = True
    # The entry function never reads any of its parameters while the reference's does:
    # a stub (`return 0`, `pass`, a constant, random output) whose trace cannot be aligned.
    check_parameters_used: bool = True


@dataclass
class Constraints:
    """Algorithmic constraints read deterministically off the reference."""

    loop_depth: int = 0
    recursive: bool = False
    # Does the reference's entry function read its parameters? None: could not tell.
    uses_parameters: bool | None = None
    features: dict[str, object] = field(default_factory=dict)

    def describe(self) -> list[str]:
        """Plain-language constraints, for injecting into a prompt."""
        lines = [f"Use at most {self.loop_depth + 1} nested loop(s)."]
        lines.append("Use recursion." if self.recursive else "Do not use recursion.")
        return lines
