"""Build the C HumanEval problem set (egca/datasets/data/humaneval_c.jsonl).

    python tools/build_humaneval_c.py            # parse, validate, write the JSONL
    python tools/build_humaneval_c.py --check    # exit 1 if the committed JSONL is stale
    python tools/build_humaneval_c.py --verify   # also compile and run every reference
                                                 # (gcc, ASan+UBSan) and check the tests
                                                 # reject trivially wrong bodies
    python tools/build_humaneval_c.py --verify --only 0,13,55

The problems live in tools/humaneval_c/problems/NNN.c, one per HumanEval number, in
sections introduced by `//@@` lines:

    //@@ prompt          includes, block comment, signature and its `{` line
    //@@ reference       the body and the closing `}` (a completion of the prompt)
    //@@ tests           C statements; blank lines separate test cases (one per
                         original HumanEval assert)
    //@@ wrong           optional, repeatable: a trivially wrong body that some test must
                         reject; replaces the defaults derived from the return type
    //@@ no_wrong_check: REASON   optional: no trivially wrong body makes sense

The verification harness mirrors the one of the C runtime: the standard headers, the
test-support functions (egca_int_array_eq, egca_str_eq, egca_double_close), the
program, then each test as `static void egca_test_i(void) { ... }`.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROBLEM_DIR = ROOT / "tools" / "humaneval_c" / "problems"
OUTPUT = ROOT / "egca" / "datasets" / "data" / "humaneval_c.jsonl"

HARNESS_HEADERS = ["assert.h", "stdlib.h", "string.h", "stdio.h", "math.h", "stdbool.h", "limits.h"]

# The test-support functions every test may use (the C runtime provides the same three).
SUPPORT = r"""
static inline bool egca_int_array_eq(const int *a, int na, const int *b, int nb) {
    if (na != nb) return false;
    for (int i = 0; i < na; i++)
        if (a[i] != b[i]) return false;
    return true;
}
static inline bool egca_str_eq(const char *a, const char *b) {
    if (a == NULL || b == NULL) return a == b;
    return strcmp(a, b) == 0;
}
static inline bool egca_double_close(double a, double b) {
    return fabs(a - b) < 1e-6;
}
"""

SECTION_RE = re.compile(r"^//@@ ?(\w+)(?::\s*(.*))?$")
SIGNATURE_RE = re.compile(r"^(?P<ret>[\w\s\*]+?)\s*\b(?P<name>\w+)\s*\((?P<params>.*)\)\s*\{$")


@dataclass
class Source:
    number: int
    path: Path
    prompt: str
    reference: str
    tests: list[str]
    wrong: list[str] = field(default_factory=list)
    no_wrong_check: str | None = None
    entry_point: str = ""
    return_type: str = ""
    params: str = ""


class ProblemError(Exception):
    pass


def parse_file(path: Path) -> Source:
    number = int(path.stem)
    sections: list[tuple[str, str | None, list[str]]] = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(keepends=True), 1):
        m = SECTION_RE.match(line.rstrip("\n"))
        if m:
            sections.append((m.group(1), m.group(2), []))
        elif not sections:
            if line.strip():
                raise ProblemError(f"{path}:{lineno}: text before the first //@@ section")
        else:
            sections[-1][2].append(line)
    by_name: dict[str, list[str]] = {}
    no_wrong_check = None
    for name, arg, lines in sections:
        if name == "no_wrong_check":
            no_wrong_check = (arg or "").strip() or "unspecified"
            continue
        if name not in ("prompt", "reference", "tests", "wrong"):
            raise ProblemError(f"{path}: unknown section //@@ {name}")
        if name != "wrong" and name in by_name:
            raise ProblemError(f"{path}: section //@@ {name} appears twice")
        by_name.setdefault(name, []).append("".join(lines))
    for name in ("prompt", "reference", "tests"):
        if name not in by_name:
            raise ProblemError(f"{path}: missing section //@@ {name}")
    prompt = by_name["prompt"][0].strip("\n") + "\n"
    reference = by_name["reference"][0].strip("\n") + "\n"
    tests = [textwrap.dedent(block).strip("\n") for block in re.split(r"\n\s*\n", by_name["tests"][0])]
    tests = [t for t in tests if t.strip()]
    wrong = [w.strip("\n") + "\n" for w in by_name.get("wrong", [])]
    src = Source(number, path, prompt, reference, tests, wrong, no_wrong_check)
    validate(src)
    return src


def validate(src: Source) -> None:
    where = str(src.path)
    if not src.prompt.endswith("{\n"):
        raise ProblemError(f"{where}: the prompt must end with the signature's opening brace line")
    signature = src.prompt.rstrip("\n").splitlines()[-1]
    m = SIGNATURE_RE.match(signature)
    if not m:
        raise ProblemError(f"{where}: cannot read the signature line {signature!r}")
    src.entry_point, src.return_type, src.params = m.group("name"), " ".join(m.group("ret").split()), m.group("params")
    if not src.reference.rstrip().endswith("}"):
        raise ProblemError(f"{where}: the reference must end with the function's closing brace")
    if "/*" not in src.prompt:
        raise ProblemError(f"{where}: the prompt has no problem statement comment")
    if not src.tests:
        raise ProblemError(f"{where}: no tests")
    for i, t in enumerate(src.tests):
        if src.entry_point + "(" not in t.replace(" (", "("):
            raise ProblemError(f"{where}: test {i} does not call {src.entry_point}")
        if "assert" not in t:
            raise ProblemError(f"{where}: test {i} has no assert")
    if "\t" in src.prompt + src.reference:
        raise ProblemError(f"{where}: use spaces, not tabs")


def to_record(src: Source) -> dict:
    return {
        "task_id": f"C/{src.number}",
        "language": "c",
        "prompt": src.prompt,
        "reference": src.reference,
        "entry_point": src.entry_point,
        "tests": [{"id": str(i), "code": code} for i, code in enumerate(src.tests)],
    }


def load_all(only: set[int] | None = None) -> list[Source]:
    sources = []
    errors = []
    for path in sorted(PROBLEM_DIR.glob("*.c"), key=lambda p: int(p.stem)):
        if only is not None and int(path.stem) not in only:
            continue
        try:
            sources.append(parse_file(path))
        except ProblemError as e:
            errors.append(str(e))
    if errors:
        raise SystemExit("invalid problem sources:\n  " + "\n  ".join(errors))
    return sources


def render(sources: list[Source]) -> str:
    return "".join(json.dumps(to_record(s), ensure_ascii=False) + "\n" for s in sources)


# ---- verification -------------------------------------------------------------------

def default_wrong_bodies(src: Source) -> list[str]:
    """Trivially wrong bodies derived from the return type (each must fail some test)."""
    ret = src.return_type
    out_n = re.search(r"int\s*\*\s*(out_n\w*)\b", src.params)
    if ret == "bool":
        return ["    return false;\n}\n", "    return true;\n}\n"]
    if ret in ("int", "long", "long long", "unsigned", "char"):
        return ["    return 0;\n}\n", "    return 1;\n}\n"]
    if ret == "double":
        return ["    return 0.0;\n}\n"]
    if "*" in ret:
        set_n = f"    *{out_n.group(1)} = 0;\n" if out_n else ""
        bodies = [set_n + "    return NULL;\n}\n"]
        if ret.replace(" ", "") == "char*":
            bodies.append("    char *r = malloc(1);\n    r[0] = '\\0';\n    return r;\n}\n")
        return bodies
    if ret == "void":
        return ["}\n"]
    raise ProblemError(f"{src.path}: no default wrong body for return type {ret!r}; add //@@ wrong")


def harness(program: str, tests: list[str]) -> str:
    parts = [f"#include <{h}>\n" for h in HARNESS_HEADERS]
    parts.append(SUPPORT)
    parts.append("\n/* ---- program ---- */\n")
    parts.append(program)
    parts.append("\n/* ---- tests ---- */\n")
    for i, code in enumerate(tests):
        parts.append(f"static void egca_test_{i}(void) {{\n{code}\n}}\n")
    parts.append("static void (*const egca_tests[])(void) = {"
                 + ", ".join(f"egca_test_{i}" for i in range(len(tests))) + "};\n")
    parts.append("int main(int argc, char **argv) {\n"
                 "    if (argc != 2) return 2;\n"
                 "    egca_tests[atoi(argv[1])]();\n"
                 "    return 0;\n}\n")
    return "".join(parts)


def sanitizers_available(gcc: str, work: Path) -> bool:
    probe = work / "probe.c"
    probe.write_text("int main(void) { return 0; }\n")
    r = subprocess.run([gcc, "-fsanitize=address,undefined", str(probe), "-o", str(work / "probe")],
                       capture_output=True, text=True)
    return r.returncode == 0


def compile_and_run(gcc: str, work: Path, tag: str, program: str, tests: list[str], strict: bool,
                    sanitize: bool) -> tuple[str | None, list[tuple[int, str]]]:
    """Compile the harness; return (compile error or None, [(rc, output) per test])."""
    c_file = work / f"{tag}.c"
    exe = work / tag
    c_file.write_text(harness(program, tests), encoding="utf-8")
    flags = ["-std=gnu11", "-O0", "-g", "-Wall", "-Werror=implicit-function-declaration"]
    if strict:
        flags.append("-Werror")
    if sanitize:
        flags += ["-fsanitize=address,undefined", "-fno-sanitize-recover=all"]
    r = subprocess.run([gcc, *flags, str(c_file), "-o", str(exe), "-lm"], capture_output=True, text=True)
    if r.returncode != 0:
        return r.stderr, []
    env = dict(os.environ, ASAN_OPTIONS="detect_leaks=1:abort_on_error=0",
               UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1")
    results = []
    for i in range(len(tests)):
        try:
            p = subprocess.run([str(exe), str(i)], capture_output=True, text=True, timeout=20, env=env)
            results.append((p.returncode, p.stdout + p.stderr))
        except subprocess.TimeoutExpired:
            results.append((-999, "timeout"))
    return None, results


def verify_one(src: Source, gcc: str, sanitize: bool) -> tuple[int, list[str], str]:
    """Return (number, list of problems found, one-line summary)."""
    failures = []
    with tempfile.TemporaryDirectory(prefix=f"hec{src.number}_") as tmp:
        work = Path(tmp)
        # The program alone must compile: its prompt includes every header it needs.
        alone = work / "alone.c"
        alone.write_text(src.prompt + src.reference, encoding="utf-8")
        r = subprocess.run([gcc, "-std=gnu11", "-fsyntax-only", "-Wall", "-Werror", str(alone)],
                           capture_output=True, text=True)
        if r.returncode != 0:
            failures.append(f"the program alone does not compile cleanly (missing #include?):\n{r.stderr}")
        err, results = compile_and_run(gcc, work, "ref", src.prompt + src.reference, src.tests,
                                       strict=True, sanitize=sanitize)
        if err is not None:
            return src.number, [f"reference does not compile:\n{err}"], "compile error"
        for i, (rc, out) in enumerate(results):
            if rc != 0 or "runtime error" in out or "Sanitizer" in out:
                failures.append(f"reference fails test {i} (rc={rc}):\n{out[-2000:]}")
        summary = f"{len(results)} tests pass"
        if src.no_wrong_check is None:
            bodies = src.wrong or default_wrong_bodies(src)
            for j, body in enumerate(bodies):
                err, results = compile_and_run(gcc, work, f"wrong{j}", src.prompt + body, src.tests,
                                               strict=False, sanitize=False)
                if err is not None:
                    failures.append(f"wrong body {j} does not compile:\n{body}\n{err}")
                    continue
                rejected = sum(1 for rc, _ in results if rc != 0)
                if rejected == 0:
                    failures.append(f"no test rejects the trivially wrong body:\n{body}")
            summary += f", {len(bodies)} wrong bodies rejected"
        else:
            summary += f", wrong-body check skipped ({src.no_wrong_check})"
    return src.number, failures, summary


def check_tree_sitter(sources: list[Source]) -> list[str]:
    """The engine reads C with tree-sitter: prompt + reference must parse without errors."""
    try:
        import tree_sitter
        import tree_sitter_c
    except ImportError:
        print("note: tree-sitter-c not importable; parse check skipped", file=sys.stderr)
        return []
    parser = tree_sitter.Parser(tree_sitter.Language(tree_sitter_c.language()))
    bad = []
    for s in sources:
        tree = parser.parse((s.prompt + s.reference).encode("utf-8"))
        if tree.root_node.has_error:
            bad.append(f"C/{s.number}: tree-sitter-c reports a parse error")
    return bad


def verify(sources: list[Source], jobs: int) -> int:
    gcc = shutil.which("gcc")
    if gcc is None:
        print("error: gcc not found", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        sanitize = sanitizers_available(gcc, Path(tmp))
    if not sanitize:
        print("note: gcc has no ASan/UBSan here; running without sanitizers", file=sys.stderr)
    bad = check_tree_sitter(sources)
    n_tests = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        for number, failures, summary in pool.map(lambda s: verify_one(s, gcc, sanitize), sources):
            status = "ok " if not failures else "BAD"
            print(f"{status} C/{number}: {summary}", flush=True)
            for f in failures:
                bad.append(f"C/{number}: {f}")
    n_tests = sum(len(s.tests) for s in sources)
    if bad:
        print(f"\n{len(bad)} problem(s):", file=sys.stderr)
        for b in bad:
            print("  " + b.replace("\n", "\n    "), file=sys.stderr)
        return 1
    print(f"verified {len(sources)} problems, {n_tests} tests, sanitizers={'on' if sanitize else 'off'}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="only compare with the committed JSONL")
    parser.add_argument("--verify", action="store_true", help="compile and run references and wrong bodies")
    parser.add_argument("--only", help="comma-separated HumanEval numbers (verification only; no write)")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    args = parser.parse_args()

    only = {int(x) for x in args.only.split(",")} if args.only else None
    sources = load_all(only)
    if args.verify:
        rc = verify(sources, args.jobs)
        if rc != 0 or only is not None:
            return rc
    text = render(sources)
    if args.check:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        if current != text:
            print(f"{OUTPUT.relative_to(ROOT)} is stale: run python tools/build_humaneval_c.py", file=sys.stderr)
            return 1
        print(f"{OUTPUT.relative_to(ROOT)} is up to date ({len(sources)} problems)")
        return 0
    if only is None:
        OUTPUT.parent.mkdir(parents=True, exist_ok=True)
        OUTPUT.write_text(text, encoding="utf-8")
        print(f"wrote {len(sources)} problems to {OUTPUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
