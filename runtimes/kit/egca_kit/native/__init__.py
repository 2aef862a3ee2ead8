"""C headers the native (C, C++) runtimes compile into their runners and harnesses, so
that what they share has one implementation: egca_no_processes.h (a candidate's code
starts no process) and egca_wait.h (the clock, and the bounded wait for a test's process)."""

from importlib import resources


def headers() -> dict[str, bytes]:
    """Every header of this package by file name (a build puts them next to its own sources)."""
    return {f.name: f.read_bytes() for f in resources.files(__name__).iterdir() if f.name.endswith(".h")}


def c_str(s: str) -> str:
    """A C string literal of `s` (generated code: names and kinds, never a candidate's bytes)."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def event_tables(info) -> tuple[str, int, int]:
    """The program's function names and branch kinds as C arrays (egca_fnames, egca_bkinds),
    as a native runtime's event writer needs them, with the statement and function counts.
    `info`: an instrumentation result with `stmts` (each with `branch_kind`) and `funcs`
    (each with `name`), or None for a program left uninstrumented."""
    stmts, funcs = (info.stmts, info.funcs) if info is not None else ([], [])
    fn = ", ".join(c_str(f.name) for f in funcs) or "0"
    bk = ", ".join(c_str(s.branch_kind) if s.branch_kind else "0" for s in stmts) or "0"
    return (f"static const char *const egca_fnames[] = {{{fn}}};\n"
            f"static const char *const egca_bkinds[] = {{{bk}}};\n", len(stmts), len(funcs))
