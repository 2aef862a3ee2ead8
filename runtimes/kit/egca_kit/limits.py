"""The one table of default limits, for every language (documented in docs/RUNTIMES.md).

A request's `Limits` field that is zero takes the default here. Languages do not
define their own: a compiler gets `COMPILE_LIMITS`, a program gets these.
"""

from __future__ import annotations

from egca_kit.errors import InvalidRequest
from egca_kit.sandbox import SandboxLimits

MAX_SOURCE_BYTES = 1 << 20        # a program, or one test case's code
MAX_TESTS = 10_000                # test cases in one Run
MAX_PROGRAM_IO_BYTES = 64 << 20   # a program test's stdin, or its expected stdout
DEFAULT_MAX_EVENTS = 20_000       # trace events before truncation (END.truncated)
MAX_EVENTS = 1_000_000            # the most a request may ask for
RECURSION_LIMIT = 3_000           # call depth an interpreter allows a program
# Program runs: wall clock and CPU 10 s, 1 GiB address space, 32 processes,
# 64 open files, 16 MiB files, 1 MiB of stdout+stderr, 64 MiB of channel lines.
DEFAULT_LIMITS = SandboxLimits()
# A compiler needs more room than the programs it compiles.
COMPILE_LIMITS = SandboxLimits(timeout_s=60.0, cpu_s=60.0, memory_bytes=4 << 30, max_processes=64,
                               max_open_files=256, max_file_bytes=64 << 20, max_output_bytes=64 << 20)


def from_proto(limits_pb) -> tuple[SandboxLimits, int]:
    """(sandbox limits, max events) of a request; zero fields take the defaults."""
    if limits_pb is not None:
        for f, value in limits_pb.ListFields():
            if isinstance(value, (int, float)) and value < 0:
                raise InvalidRequest(f"limits.{f.name} must be non-negative (got {value})")
    max_events = DEFAULT_MAX_EVENTS
    if limits_pb is not None and limits_pb.max_events:
        max_events = min(int(limits_pb.max_events), MAX_EVENTS)
    return SandboxLimits.from_proto(limits_pb), max_events


def fill_proto(out) -> None:
    """Info.default_limits."""
    DEFAULT_LIMITS.to_proto(out)
    out.max_events = DEFAULT_MAX_EVENTS
