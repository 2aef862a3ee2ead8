"""Build the "hacks" key of each language's conformance suite from its reward-hacking corpus.

    python tools/build_conformance_hacks.py            # rewrite the stale suites
    python tools/build_conformance_hacks.py --check    # exit 1 if a suite's "hacks" is stale
    python tools/build_conformance_hacks.py --language c

A corpus (runtimes/<lang>/conformance/hacks.json) lists tricks as {id, problem, tries,
completion, baseline}: a wrong completion of a problem of the language's built-in dataset.
The conformance suite (runtimes/<lang>/conformance/suite.json) must be self-contained (it
runs against any runtime address, without the engine), so each trick becomes an entry
{name, program, tests, entry_points}: program = the problem's prompt + the trick's
completion, tests = the problem's tests, entry_points = [the problem's entry point].
Only the "hacks" key is rewritten; every other key of the suite is left as it is.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNTIMES = ROOT / "runtimes"

# the built-in dataset a language's corpus refers to
DATASETS = {"python": "humaneval", "c": "humaneval-c", "javascript": "humaneval-js"}


def corpus_path(language: str) -> Path:
    return RUNTIMES / language / "conformance" / "hacks.json"


def suite_path(language: str) -> Path:
    return RUNTIMES / language / "conformance" / "suite.json"


def languages() -> list[str]:
    """Every language with both a corpus and a suite file."""
    return sorted(p.parent.parent.name for p in RUNTIMES.glob("*/conformance/hacks.json")
                  if suite_path(p.parent.parent.name).is_file())


def build_hacks(language: str) -> list[dict]:
    from egca import datasets

    if language not in DATASETS:
        raise SystemExit(f"no dataset known for the {language} corpus (add it to DATASETS)")
    entries = []
    for hack in json.loads(corpus_path(language).read_text(encoding="utf-8")):
        problem = datasets.get(DATASETS[language], hack["problem"])
        entries.append({
            "name": f"{hack['id']} ({hack['problem']}): {hack['tries']}",
            "program": problem.program(hack["completion"]),
            "tests": [{"id": t.id, "code": t.code} for t in problem.tests],
            "entry_points": [problem.entry_point],
        })
    return entries


def write_suite(path: Path, suite: dict) -> None:
    path.write_text(json.dumps(suite, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="exit 1 if a suite's hacks are stale; write nothing")
    ap.add_argument("--language", action="append", help="only this language (repeatable)")
    args = ap.parse_args(argv)
    stale = []
    for language in args.language or languages():
        path = suite_path(language)
        suite = json.loads(path.read_text(encoding="utf-8"))
        hacks = build_hacks(language)
        if suite.get("hacks") == hacks:
            continue
        stale.append(language)
        if not args.check:
            suite["hacks"] = hacks
            write_suite(path, suite)
            print(f"{path}: {len(hacks)} hacks")
    if args.check and stale:
        print("stale conformance hacks (run tools/build_conformance_hacks.py): " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
