"""Program tests (whole-program problems, stdin/stdout): run and judged by the kit, so every
language gets them the same way (docs/RUNTIMES.md, "Program tests").

Each test is one sandboxed run of the whole program with the test's stdin
(`Language.program_process`); the sandbox captures its stdout; the verdict is decided
here, in the server, by comparing that stdout with the expected output, which is never
written into the sandbox, so nothing the program does can see it or forge a verdict:

- exit 0 (and in time): the checker (`judge`) decides PASS or FAIL ("WrongAnswer",
  "PresentationError" in exact mode, "OutputLimitExceeded");
- timed out, or killed for CPU time: TIMEOUT;
- another signal, or a non-zero exit: ERROR ("Exit", the signal's name, or the uncaught
  exception the language's launcher reported on the channel, with its location).

What a program writes on the channel (fd 3) can only describe a failure the sandbox
saw (its kind, message, location); it never makes a test pass.

Checker modes (`egca.v1.Check.mode`): "tokens" (default): whitespace-separated tokens
equal; a PASS whose text differs beyond trailing whitespace and line endings is still a
PASS, with the diagnostic kind "PresentationDiffers". "exact": byte for byte; same
tokens but other bytes is FAIL "PresentationError". "float": tokens, numeric ones equal
within `float_tol` (absolute or relative; default 1e-6).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, replace

from egca_kit import limits as limits_mod
from egca_kit import protocol, sandbox
from egca_kit.errors import InvalidRequest
from egca_kit.v1 import tracer_pb2

TS = tracer_pb2
DEFAULT_FLOAT_TOL = 1e-6
MODES = ("tokens", "exact", "float")
SHOW = 40                      # characters of a token shown in a message
# stdout kept for a test: the request's cap, or room for twice the expected output.
MAX_KEPT_OUTPUT = 64 << 20


def is_program_test(test) -> bool:
    return test.HasField("stdin")


@dataclass(frozen=True)
class Verdict:
    status: int                # TestStatus
    kind: str = ""             # "" for a plain PASS
    message: str = ""


# ---------------------------------------------------------------- the checker

def _tokens(data: bytes) -> list[tuple[bytes, int]]:
    """(token, 1-based line) of every whitespace-separated token."""
    out = []
    for no, line in enumerate(data.split(b"\n"), 1):
        out.extend((tok, no) for tok in line.split())
    return out


def _show(tok: bytes | None) -> str:
    if tok is None:
        return "nothing"
    text = tok.decode("utf-8", "replace")
    return repr(text if len(text) <= SHOW else text[:SHOW] + "...")


def _float(tok: bytes) -> float | None:
    try:
        return float(tok)
    except ValueError:
        return None


def _close(a: float, b: float, tol: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    diff = abs(a - b)
    return diff <= tol or diff <= tol * max(abs(a), abs(b))


def _lines(data: bytes) -> list[bytes]:
    """The text with line endings and trailing whitespace normalised away."""
    lines = [ln.rstrip() for ln in data.replace(b"\r\n", b"\n").split(b"\n")]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def _first_line_difference(got: bytes, want: bytes) -> str:
    g, w = _lines(got), _lines(want)
    for i, (a, b) in enumerate(zip(g, w), 1):
        if a != b:
            return f"line {i}: expected {_show(b)}, got {_show(a)}"
    if len(g) != len(w):
        return f"expected {len(w)} lines, got {len(g)}"
    if got != want:
        return "trailing whitespace or line endings differ"
    return ""


def judge(stdout: bytes, expected: str | bytes, mode: str = "tokens", float_tol: float = 0.0) -> Verdict:
    """The verdict of a program that exited normally with `stdout`."""
    mode = mode or "tokens"
    if mode not in MODES:
        raise InvalidRequest(f"unknown check mode {mode!r} (choose from {', '.join(MODES)})")
    want = expected.encode("utf-8", "surrogatepass") if isinstance(expected, str) else expected
    tol = float_tol if float_tol > 0 else DEFAULT_FLOAT_TOL
    if mode == "exact" and stdout == want:
        return Verdict(TS.PASS)
    got_t, want_t = _tokens(stdout), _tokens(want)
    for k, ((g, gl), (w, _)) in enumerate(zip(got_t, want_t)):
        if g == w:
            continue
        if mode == "float":
            a, b = _float(g), _float(w)
            if a is not None and b is not None and _close(a, b, tol):
                continue
        what = f"within {tol:g}" if mode == "float" and _float(w) is not None else ""
        return Verdict(TS.FAIL, "WrongAnswer",
                       f"wrong answer: line {gl}, token {k + 1}: expected {_show(w)}{' ' + what if what else ''}, "
                       f"got {_show(g)}")
    if len(got_t) != len(want_t):
        if len(got_t) < len(want_t):
            w, wl = want_t[len(got_t)]
            return Verdict(TS.FAIL, "WrongAnswer",
                           f"wrong answer: the output ends after {len(got_t)} tokens; expected {len(want_t)} "
                           f"(next: {_show(w)} on line {wl})")
        g, gl = got_t[len(want_t)]
        return Verdict(TS.FAIL, "WrongAnswer",
                       f"wrong answer: {len(got_t) - len(want_t)} extra tokens after the expected {len(want_t)} "
                       f"(first: {_show(g)} on line {gl})")
    if mode == "exact":
        return Verdict(TS.FAIL, "PresentationError",
                       "presentation error: the right tokens, other whitespace: " + _first_line_difference(stdout, want))
    if _lines(stdout) != _lines(want):
        return Verdict(TS.PASS, "PresentationDiffers",
                       "passed (tokens equal); whitespace differs: " + _first_line_difference(stdout, want))
    return Verdict(TS.PASS)


# ---------------------------------------------------------------- running

def test_limits(test, base: sandbox.SandboxLimits) -> sandbox.SandboxLimits:
    """One program test's sandbox limits: the test's own time and memory where given."""
    lim = base
    if test.time_limit_s > 0:
        lim = replace(lim, timeout_s=test.time_limit_s, cpu_s=test.time_limit_s)
    if test.memory_bytes > 0:
        lim = replace(lim, memory_bytes=int(test.memory_bytes))
    want = len(test.expected_stdout.encode("utf-8", "surrogatepass"))
    if 2 * want + 4096 > lim.max_output_bytes:
        lim = replace(lim, max_output_bytes=min(MAX_KEPT_OUTPUT, 2 * want + 4096))
    return lim


def check_test(test) -> None:
    for what, text in (("stdin", test.stdin), ("expected_stdout", test.expected_stdout)):
        size = len(text.encode("utf-8", "surrogatepass"))
        if size > limits_mod.MAX_PROGRAM_IO_BYTES:
            raise InvalidRequest(f"test case {test.id!r}: {what} is larger than {limits_mod.MAX_PROGRAM_IO_BYTES} bytes")
    if test.HasField("check") and test.check.mode not in ("",) + MODES:
        raise InvalidRequest(f"test case {test.id!r}: unknown check mode {test.check.mode!r}")
    if test.check.float_tol < 0 or test.time_limit_s < 0:
        raise InvalidRequest(f"test case {test.id!r}: negative float_tol or time_limit_s")


def outcome(test, res: sandbox.SandboxResult, report: protocol.Report, lim: sandbox.SandboxLimits
            ) -> tuple[int, str, str, list | None]:
    """(TestStatus, kind, message, location) of one run of the program on `test`."""
    said = report.results.get(0)          # the launcher's description of a failure, if any
    loc = report.loc(said) if said else None
    if res.timed_out or (said and said.get("s") == "TIMEOUT" and res.returncode != 0):
        return TS.TIMEOUT, "Timeout", f"the program did not finish within {lim.timeout_s:g}s", loc
    if res.signal is not None:
        name = protocol.signal_name(res.signal)
        if name == "SIGXCPU":
            return TS.TIMEOUT, "Timeout", f"CPU time limit of {lim.cpu_s:g}s exceeded", None
        hint = protocol.SIGNAL_HINTS.get(name)
        if said and said.get("s") == "ERROR":
            return TS.ERROR, str(said.get("kind") or name), str(said.get("msg") or name)[:4000], loc
        return TS.ERROR, name, f"killed by {name}" + (f" ({hint})" if hint else "") + _stderr_tail(res), None
    if res.returncode != 0:
        if said and said.get("s") in ("ERROR", "FAIL"):
            return TS.ERROR, str(said.get("kind") or "Error"), str(said.get("msg") or "")[:4000], loc
        return TS.ERROR, "Exit", f"the program exited with status {res.returncode}" + _stderr_tail(res), None
    if res.output_truncated:
        return TS.FAIL, "OutputLimitExceeded", f"the program printed more than {lim.max_output_bytes} bytes", None
    v = judge(res.stdout, test.expected_stdout, test.check.mode, test.check.float_tol)
    return v.status, v.kind, v.message, None


def _stderr_tail(res: sandbox.SandboxResult) -> str:
    lines = [ln for ln in res.stderr.decode("utf-8", "replace").splitlines() if ln.strip()]
    return f": {lines[-1].strip()[:300]}" if lines else ""


def run_tests(service, program: str, tests: list, lim: sandbox.SandboxLimits) -> tracer_pb2.RunResponse:
    """Tracer.Run of program tests: one sandboxed run of the whole program per test, judged here.
    `service` is the TracerService (its language, warm pool and process starter)."""
    from egca_kit.tracer import CompileFailed, _check_infrastructure, _start

    language = service.language
    resp = TS.RunResponse()
    start = time.monotonic()
    try:
        prepared = language.prepare_program(program, lim)
    except CompileFailed as e:
        return service._compile_error(resp, e.kind, e.message, e.loc, tests)
    output = []
    for t in tests:
        tl = test_limits(t, lim)
        proc = language.program_process(prepared, t.stdin.encode("utf-8", "surrogatepass"), tl)
        report = protocol.Report(proc.ranges)

        def on_line(line: bytes, report=report) -> None:
            msg = protocol.parse(line)
            if type(msg) is dict:
                report.take(msg)

        res = _start(proc, tl, on_line, service.warm_pool)
        if proc.says_ready:
            _check_infrastructure(report, res, language.name)
        elif report.internal:
            _check_infrastructure(report, res, language.name)
        if report.compile_error:
            ce = report.compile_error
            del resp.results[:]
            return service._compile_error(resp, ce.get("kind", "CompileError"), ce.get("msg", ""), report.loc(ce),
                                          tests)
        status, kind, message, loc = outcome(t, res, report, tl)
        r = resp.results.add(id=t.id, status=status, wall_s=res.wall_s)
        if kind:
            protocol.diagnostic(r.error, kind, message, loc)
        if len(output) < 4 and (res.stderr or status != TS.PASS):
            output.append(f"--- test {t.id}: stdout ---\n{res.stdout[:2000].decode('utf-8', 'replace')}"
                          + (f"\n--- stderr ---\n{res.stderr[-2000:].decode('utf-8', 'replace')}" if res.stderr else ""))
    resp.status = TS.TIMED_OUT if any(r.status == TS.TIMEOUT for r in resp.results) else TS.COMPLETED
    resp.output = "\n".join(output)[:limits_mod.DEFAULT_LIMITS.max_output_bytes]
    resp.wall_s = time.monotonic() - start
    return resp


def judge_trace(test, res: sandbox.SandboxResult, got: dict | None) -> dict | None:
    """Trace of a program test: a run the launcher says ended normally (PASS) is judged on
    its stdout here, so the trace's END says whether this input was answered right."""
    if got is None or got.get("s") != "PASS" or res.returncode not in (0, None) or res.timed_out:
        return got
    if res.signal is not None or res.returncode != 0:
        return got
    v = judge(res.stdout, test.expected_stdout, test.check.mode, test.check.float_tol) \
        if not res.output_truncated else Verdict(TS.FAIL, "OutputLimitExceeded", "the program printed too much")
    if v.status == TS.PASS:
        return got
    return {**got, "s": "FAIL", "kind": v.kind, "msg": v.message, "loc": None}
