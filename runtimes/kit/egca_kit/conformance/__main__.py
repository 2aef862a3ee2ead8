"""`python -m egca_kit.conformance --suite FILE --address HOST:PORT`: check a running Tracer."""

from __future__ import annotations

import argparse
import sys

from egca_kit.conformance import load_suite, run_suite


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="egca-conformance", description=__doc__)
    p.add_argument("--suite", required=True, help="the language's suite file (JSON, see docs/RUNTIMES.md)")
    p.add_argument("--address", required=True, help="HOST:PORT of the Tracer under test")
    args = p.parse_args(argv)
    return report(run_suite(args.address, load_suite(args.suite), on_check=print_check))


def print_check(check) -> None:
    print(f"{'PASS' if check.ok else 'FAIL'}  {check.name}" + (f"  -- {check.detail}" if check.detail else ""),
          flush=True)


def report(checks) -> int:
    failed = sum(not c.ok for c in checks)
    print(f"{len(checks) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
