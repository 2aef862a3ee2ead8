"""`egca bench`: the benchmarks that keep EGCA honest.

    egca bench localize   does the span land on the fault? (seeded mutants, baselines)
    egca bench overhead   what does EGCA add to the reward path (running the tests)?
    egca bench analyze    wall time of Engine.analyze for a GRPO group
"""

from __future__ import annotations

import sys

BENCHMARKS = ("localize", "overhead", "analyze")


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__.strip())
        print("\nRun `egca bench NAME -h` for a benchmark's options.")
        return 0 if argv else 2
    name, rest = argv[0], argv[1:]
    if name not in BENCHMARKS:
        print(f"egca bench: unknown benchmark '{name}' (choose from {', '.join(BENCHMARKS)})", file=sys.stderr)
        return 2
    if name == "localize":
        from egca.bench.localize import main as run
    elif name == "overhead":
        from egca.bench.overhead import main as run
    else:
        from egca.bench.analyze import main as run
    return run(rest)
