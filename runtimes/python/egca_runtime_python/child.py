"""The sandboxed, untrusted half of the Python runtime: loads the program and
either serves the trusted harness's calls (Run) or traces one test (Trace).

Trace: started as ``python -I -S child.pyc`` inside the sandbox (only the
standard library). Run: the trusted harness (harness.py) imports this module,
forks, and the forked candidate drops to its own uid and calls `entry()`.
The first line on stdin is the job:

    {"mode": "serve" | "trace", "program": str, "tests": [{"id", "code"}] (trace),
     "max_events": int, "recursion_limit": int, "deadline_s": float, "seed": int}

Program tests (whole programs, stdin/stdout): stdin starts with the job's length in
bytes on a line of its own, then the job ({"mode": "program"}: run the program as
``__main__``; {"mode": "trace", "program_test": true}: trace its module level too),
then the test's own stdin, which the program reads from fd 0 as usual. Its stdout is
judged by the server (egca_kit.programs); an uncaught error is described on fd 3 as a
"result" line before the process exits with status 1.

It writes JSON lines to fd 3 in the kit's child protocol (docs/RUNTIMES.md).
In "trace" mode fd 3 is the server's channel: control messages and trace events.
In "serve" mode fd 3 goes to the trusted harness (harness.py), never to the
server: it answers {"t": "loaded", "names": {...}} | {"t": "compile_error"} |
{"t": "load_error"}, then one reply per call line read from stdin
({"t": "call", "name", "args", "kwargs"} or {"t": "get", "name"}):
{"t": "ret", "value", "args"} or {"t": "exc", "s", "kind", "msg", "loc", ...}.
Values are exact there (no size caps but the harness's); the harness decides
every verdict. Everything the program prints goes to stdout/stderr. After the
last verdict the harness may send {"t": "trace", "code", "max_events",
"deadline_s"}: the candidate then traces that test as trace mode does (retrace)
and the harness relays the lines to the server.
"""

import ast
import builtins
import json
import os
import signal
import sys
import time
import tokenize
import types
import io

CHANNEL_FD = 3
STR_CAP = 1000
ITEMS_CAP = 64
DEPTH_CAP = 4
CO_OPTIMIZED = 0x1
CO_GENERATOR = 0x20
CO_VARARGS = 0x4
CO_VARKEYWORDS = 0x8
FLUSH_EVERY = 256            # trace events buffered before a write
_YIELD = __import__("dis").opmap["YIELD_VALUE"]

_chan = None                 # the channel, moved off fd 3 by open_channel()
_write = os.write
_dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, default=repr).encode
_monotonic = time.monotonic
_buf = []


def emit(obj):
    _buf.append(_dumps(obj))
    flush()


_ALARM = {signal.SIGALRM}


def flush():
    if _buf:
        data = ("\n".join(_buf) + "\n").encode("utf-8", "replace")
        _buf.clear()
        # The deadline timer must not cut a line in half: hold it while writing.
        signal.pthread_sigmask(signal.SIG_BLOCK, _ALARM)
        try:
            while data:
                n = _write(_chan, data)
                data = data[n:]
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, _ALARM)


# ---------------------------------------------------------------- values
# JSON form: null / true / false / JSON int (|n| < 2**53) / JSON float / JSON string,
# else a tagged list: ["i", "digits"], ["f", "nan"|"inf"|"-inf"], ["s", prefix, length],
# ["b", hex, length], ["l", type, length, [items]], ["m", type, length, [[k, v]...]],
# ["o", type, [[field, v]...]], ["x", "opaque text"].

_SCALARS = (type(None), bool, int, float, str)
_IMMUTABLE = frozenset(_SCALARS + (bytes,))
_BIG = 1 << 53


_TRACE_STR_CAP = STR_CAP
_CAPS = [STR_CAP, ITEMS_CAP]      # trace caps; replies to the harness lift them (exact values)


_INF = float("inf")
_NINF = float("-inf")


def enc(v, depth=DEPTH_CAP):
    t = type(v)
    if v is None or t is bool:
        return v
    if t is int:
        if -(1 << 53) < v < (1 << 53):
            return v
        try:
            return ["i", str(v)]
        except ValueError:
            return ["x", "<int of %d bits>" % v.bit_length()]
    if t is float:
        if v != v:
            return ["f", "nan"]
        if v == _INF or v == _NINF:
            return ["f", "inf" if v > 0 else "-inf"]
        return v
    STR_CAP, ITEMS_CAP = _CAPS
    if t is str:
        return v if len(v) <= STR_CAP else ["s", v[:STR_CAP], len(v)]
    if t is complex:         # exact replies only; a trace shows its repr
        return ["c", repr(v.real), repr(v.imag)] if STR_CAP != _TRACE_STR_CAP else ["x", repr(v)]
    if t in (list, tuple, set, frozenset) or isinstance(v, (list, tuple, set, frozenset)):
        if depth <= 0:
            return ["x", "<%s of %d>" % (t.__name__, len(v))]
        if isinstance(v, (set, frozenset)):
            try:
                items = sorted(v, key=repr)[:ITEMS_CAP]
            except Exception:
                items = list(v)[:ITEMS_CAP]
        else:
            items = v[:ITEMS_CAP]
        # small ints and short strings are their own encoding: skip the call per item
        return ["l", _base_name(t), len(v), [i if (type(i) is int and -_BIG < i < _BIG)
                                              or (type(i) is str and len(i) <= STR_CAP) else enc(i, depth - 1)
                                              for i in items]]
    if isinstance(v, dict):
        if depth <= 0:
            return ["x", "<%s of %d>" % (t.__name__, len(v))]
        out = []
        for k, val in v.items():
            if len(out) >= ITEMS_CAP:
                break
            out.append([enc(k, depth - 1), enc(val, depth - 1)])
        return ["m", _base_name(t), len(v), out]
    if isinstance(v, (bytes, bytearray)):
        return ["b", bytes(v[:STR_CAP]).hex(), len(v)]
    if isinstance(v, (int, float, str)):          # subclasses (IntEnum, ...)
        return enc(t.__mro__[-2](v) if t.__mro__[-2] in _SCALARS else repr(v), depth)
    if callable(v) or t.__module__ in ("builtins",):
        name = getattr(v, "__qualname__", None) or t.__name__
        return ["x", "<%s %s>" % (t.__name__, name) if name != t.__name__ else "<%s>" % name]
    d = getattr(v, "__dict__", None)
    if isinstance(d, dict) and depth > 0:
        fields = [[k, enc(x, depth - 1)] for k, x in list(d.items())[:ITEMS_CAP] if not k.startswith("__")]
        return ["o", t.__name__, fields]
    slots = getattr(t, "__slots__", None)
    if slots and depth > 0:
        names = [slots] if isinstance(slots, str) else list(slots)
        return ["o", t.__name__, [[n, enc(getattr(v, n), depth - 1)] for n in names if hasattr(v, n)]]
    return ["x", "<%s>" % t.__name__]


def _base_name(t):
    """Exact replies name the builtin container (a namedtuple is a tuple to the harness);
    traces keep the program's own type name."""
    if _CAPS[0] == STR_CAP:
        return t.__name__
    for base in (list, tuple, set, frozenset, dict):
        if issubclass(t, base):
            return base.__name__
    return t.__name__


def enc_exact(v):
    """A value for the harness: no size caps (the harness caps what it reads), deep."""
    _CAPS[0] = _CAPS[1] = 1 << 62
    try:
        return enc(v, 100)
    finally:
        _CAPS[0], _CAPS[1] = STR_CAP, ITEMS_CAP


def dec(j):
    """A value from the harness (arguments) -> plain Python data."""
    t = type(j)
    if t is not list:
        return j
    tag = j[0]
    if tag == "i":
        return int(j[1])
    if tag == "f":
        return float(j[1])
    if tag == "c":
        return complex(float(j[1]), float(j[2]))
    if tag == "b":
        return bytes.fromhex(j[1])
    if tag == "l":
        items = [dec(x) for x in j[3]]
        return {"tuple": tuple, "set": set, "frozenset": frozenset}.get(j[1], list)(items)
    if tag == "m":
        return {dec(k): dec(x) for k, x in j[3]}
    return None


# ---------------------------------------------------------------- statements

class Program:
    """Statement table of the program: byte ranges, headers, bodies, lookups."""

    def __init__(self, source):
        self.source = source
        raw = source.encode("utf-8")
        self.line_start = [0, 0]          # 1-based: byte offset of each line's start
        for i, b in enumerate(raw):
            if b == 10:
                self.line_start.append(i + 1)
        self.raw = raw
        self.ranges = []                  # [sb, eb, sl, el, sc, ec]
        self.stmts = []                   # (node, kind, range index, span (sl, sc, el, ec))
        self.body_lines = {}              # stmt index -> (first, last) body line, None = same line
        self.branch_range = {}            # stmt index -> range index of the condition
        self.def_at_line = {}             # def/decorator line -> stmt index
        self.by_line = {}                 # line -> [stmt index] starting/covering that line
        self.cache = {}
        tree = ast.parse(source, "<program>")
        self._walk(tree.body)

    def offset(self, line, col):
        if line >= len(self.line_start):
            return len(self.raw)
        return min(self.line_start[line] + col, len(self.raw))

    def add_range(self, sl, sc, el, ec):
        self.ranges.append([self.offset(sl, sc), self.offset(el, ec), sl, el, sc, ec])
        return len(self.ranges) - 1

    def _header_end(self, node):
        """(line, col) just after the ':' that ends a compound statement's header."""
        first = node.body[0]
        lo = getattr(node, "lineno")
        lines = self.source.splitlines(True)[lo - 1:first.lineno]
        text = "".join(lines)
        colon = None
        try:
            for tok in tokenize.generate_tokens(io.StringIO(text).readline):
                if tok.type == tokenize.OP and tok.string == ":" and tok.start[0] + lo - 1 <= first.lineno:
                    line = tok.start[0] + lo - 1
                    if (line, self._bytecol(line, tok.start[1])) < (first.lineno, first.col_offset):
                        colon = (line, self._bytecol(line, tok.end[1]))
                if tok.start[0] + lo - 1 > first.lineno:
                    break
        except (tokenize.TokenError, IndentationError, SyntaxError):
            pass
        return colon or (node.lineno, len(self.source.splitlines()[node.lineno - 1].encode()))

    def _bytecol(self, line, charcol):
        text = self.source.splitlines()[line - 1] if line - 1 < len(self.source.splitlines()) else ""
        return len(text[:charcol].encode("utf-8"))

    def _walk(self, body):
        for node in body:
            idx = len(self.stmts)
            compound = isinstance(node, (ast.If, ast.While, ast.For, ast.AsyncFor, ast.With, ast.AsyncWith,
                                         ast.Try, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) \
                or type(node).__name__ in ("TryStar", "Match")
            if not compound:
                span = (node.lineno, node.col_offset, node.end_lineno, node.end_col_offset)
            elif isinstance(node, (ast.If, ast.While)):
                span = (node.lineno, node.col_offset, node.test.end_lineno, node.test.end_col_offset)
            elif isinstance(node, (ast.For, ast.AsyncFor)):
                span = (node.lineno, node.col_offset, node.iter.end_lineno, node.iter.end_col_offset)
            elif type(node).__name__ == "Match":      # its body is in `cases`, its header ends at the subject
                span = (node.lineno, node.col_offset, node.subject.end_lineno, node.subject.end_col_offset)
            else:
                el, ec = self._header_end(node)
                span = (node.lineno, node.col_offset, el, ec)
            r = self.add_range(*span)
            self.stmts.append((node, r, span))
            for line in range(span[0], span[2] + 1):
                self.by_line.setdefault(line, []).append(idx)
            if isinstance(node, (ast.If, ast.While, ast.For, ast.AsyncFor)):
                first, last = node.body[0].lineno, node.body[-1].end_lineno
                self.body_lines[idx] = None if first <= span[2] else (first, last)
                if isinstance(node, (ast.For, ast.AsyncFor)):
                    self.branch_range[idx] = r
                else:
                    t = node.test
                    self.branch_range[idx] = self.add_range(t.lineno, t.col_offset, t.end_lineno, t.end_col_offset)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                self.def_at_line[node.lineno] = idx
                for d in node.decorator_list:
                    self.def_at_line[d.lineno] = idx
            if compound:
                for field in ("body", "orelse", "finalbody"):
                    sub = getattr(node, field, None)
                    if sub:
                        self._walk(sub)
                for h in getattr(node, "handlers", ()) or ():
                    self.by_line.setdefault(h.lineno, []).append(idx)  # `except` lines: the try
                    self._walk(h.body)
                for case in getattr(node, "cases", ()) or ():
                    self._walk(case.body)

    def stmt_at(self, code, lasti, lineno):
        """The statement an instruction belongs to (innermost containing span), or None."""
        key = (code, lasti)
        hit = self.cache.get(key, -2)
        if hit != -2:
            return hit
        line, col = lineno, None
        if lasti >= 0:
            for i, pos in enumerate(code.co_positions()):
                if i == lasti // 2:
                    if pos[0] is not None:
                        line, col = pos[0], pos[2]
                    break
        best = None
        for idx in self.by_line.get(line, ()):
            sl, sc, el, ec = self.stmts[idx][2]
            if col is None:
                if sl == line:
                    best = idx
                    break
                continue
            if (sl, sc) <= (line, col) < (el, ec):
                best = idx          # later (inner) statements win
        if best is None and col is not None:
            cands = [i for i in self.by_line.get(line, ()) if self.stmts[i][2][0] == line]
            best = cands[-1] if cands else None
        self.cache[key] = best
        return best

    def location_of(self, tb):
        """Innermost program frame of a traceback -> (range list) or None."""
        hit = None
        while tb is not None:
            if tb.tb_frame.f_code.co_filename == "<program>":
                hit = tb
            tb = tb.tb_next
        if hit is None:
            return None
        idx = self.stmt_at(hit.tb_frame.f_code, hit.tb_lasti, hit.tb_lineno)
        if idx is None:
            line = hit.tb_lineno
            text = self.raw[self.offset(line, 0):self.offset(line + 1, 0)].rstrip(b"\r\n")
            return [self.offset(line, 0), self.offset(line, 0) + len(text), line, line, 0, len(text)]
        return self.ranges[self.stmts[idx][1]]


# ---------------------------------------------------------------- outcomes

def describe(e):
    text = str(e)
    name = type(e).__name__
    return name, (name + ": " + text) if text else name


class Deadline(BaseException):
    """Raised by the soft wall-clock timer, so a timeout still says where the program was."""


def _on_deadline(signum, frame):
    raise Deadline("time limit reached")


def outcome(e, prog):
    """(status, kind, message, location) of a test that raised `e`."""
    kind, msg = describe(e)
    if isinstance(e, Deadline):
        return "TIMEOUT", "Timeout", "the time limit ran out here", prog.location_of(e.__traceback__)
    if isinstance(e, SystemExit):
        return "ERROR", "SystemExit", "program exited (sys.exit(%r))" % (e.code,), prog.location_of(e.__traceback__)
    loc = prog.location_of(e.__traceback__)
    if loc is not None or isinstance(e, (RecursionError, MemoryError)):
        return "ERROR", kind, msg, loc
    return "FAIL", kind, msg, None


def compile_error(e, source):
    kind, _ = describe(e)
    out = {"t": "compile_error", "kind": kind, "msg": "%s: %s" % (kind, getattr(e, "msg", str(e)))}
    line = getattr(e, "lineno", None)
    lines = source.splitlines()
    if isinstance(e, SyntaxError) and line and 1 <= line <= len(lines):
        text = lines[line - 1]
        sc = len(text[:max(0, (e.offset or 1) - 1)].encode())
        el, eo = getattr(e, "end_lineno", None), getattr(e, "end_offset", None)
        if el and eo and el <= len(lines) and (el, eo) > (line, e.offset or 1):
            ec = len(lines[el - 1][:eo - 1].encode())
        else:
            el, ec = line, len(text.encode())
        raw = source.encode()
        starts = [0]
        for i, b in enumerate(raw):
            if b == 10:
                starts.append(i + 1)
        out["loc"] = [starts[line - 1] + sc, starts[el - 1] + ec, line, el, sc, ec]
    return out


# ---------------------------------------------------------------- tracer
#
# The hooks that run per event (Tracer.global_trace / local_trace) are closures that write
# each event's JSON text directly: byte for byte what `_dumps` writes for the event list
# (json's separators, its string escaping, int and float repr), without building the list.
# The original hooks (the _slow_* methods, _finish_prev, _diff, _event) are kept as they
# were: the tracer switches to them for good when the stack gets near the recursion limit,
# so that a RecursionError is raised at exactly the same point of the same event as ever.
# The closures' common cases are also written in C (_lines.c, when it is built): its hooks
# wrap the closures, do what the closures would for plain values, and pass them the rest.
#
# A STEP lists the variables whose encoding differs from the last one seen (_diff). The fast
# hooks skip looking at what a statement cannot have changed ("plans", below): a value is only
# left unlooked at when it is plain (None, bool, int, float, str, bytes, tuples of them) or a
# clean list/dict (at most ITEMS_CAP items, all plain), so that encoding it again could neither
# run code of the program nor give anything new.

_ebs = json.encoder.encode_basestring      # a JSON string, as _dumps writes it (ensure_ascii=False)
try:                                        # _dumps of a list, without building an encoder per call
    _cenc = json.encoder.c_make_encoder(None, repr, _ebs, None, ":", ",", False, False, True)
except (AttributeError, TypeError):
    _cenc = None
_MISS = object()


def _c_hooks():
    """The hooks' common cases in C (_lines.c: LineHook, CallHook), built with the package and
    copied next to child.pyc for the sandbox; None: the tracer makes the same events in Python."""
    from importlib.machinery import EXTENSION_SUFFIXES, ExtensionFileLoader, ModuleSpec
    here = os.path.dirname(globals().get("__file__") or "")
    for suffix in EXTENSION_SUFFIXES:
        path = os.path.join(here, "_lines" + suffix)
        if os.path.isfile(path):
            try:
                loader = ExtensionFileLoader("_lines", path)
                module = loader.create_module(ModuleSpec("_lines", loader, origin=path))
                loader.exec_module(module)
                return module
            except (ImportError, OSError):   # built for another interpreter
                return None
    return None


_CHooks = _c_hooks()
_BIND = {}                                  # variable name -> '["name",'
_SLOW_MARGIN = 200                          # stack levels kept free for the fast hooks
_GUARDS = 4                                 # interpreter recursion levels a frame may count for


def _jtext(v):
    """The JSON text of an `enc` result, exactly as `_dumps` writes it inside an event."""
    t = type(v)
    if t is str:
        return _ebs(v)
    if t is int or t is float:
        return repr(v)
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if t is list and _cenc is not None:
        return "".join(_cenc(v, 0))
    return _dumps(v)


def _bind(name):
    b = _BIND.get(name)
    if b is None:
        b = _BIND[name] = "[" + _ebs(name) + ","
    return b


def _frozen(v, depth=DEPTH_CAP):
    """A tuple of (tuples of) None/bool/int/float/str/bytes: the same object always encodes the same."""
    if len(v) > ITEMS_CAP:
        return False
    for x in v:
        t = type(x)
        if t in _IMMUTABLE:
            continue
        if t is tuple and depth > 1 and _frozen(x, depth - 1):
            continue
        return False
    return True


class _Bail(Exception):
    """A value a plan must not encode on its own (it is neither plain nor a clean list/dict)."""


_DIRTY = [False, False]           # an item seen that is not plain / that is a list (a row)


def _row_mark(x):
    t = type(x)
    if t not in _IMMUTABLE and (t is not tuple or not _frozen(x)):
        _DIRTY[0] = True
    return enc(x, DEPTH_CAP - 2)


def _row_bail(x):
    t = type(x)
    if t not in _IMMUTABLE and (t is not tuple or not _frozen(x)):
        raise _Bail
    return enc(x, DEPTH_CAP - 2)


def _enc_row(i, item):
    """enc(i, DEPTH_CAP - 1) of an exact list inside a list or dict (a row); notes that one was seen."""
    _DIRTY[1] = True
    return ["l", "list", len(i), [x if (type(x) is int and -_BIG < x < _BIG) or (type(x) is str and len(x) <= STR_CAP)
                                  else item(x) for x in i[:ITEMS_CAP]]]


def _plain_tuple(i):
    """enc(i, DEPTH_CAP - 1) of an exact tuple of at most ITEMS_CAP small ints and short strs, the
    common item of a trace's lists (pairs, triples), without enc's general path; else None."""
    if len(i) > ITEMS_CAP:
        return None
    for x in i:
        if not ((type(x) is int and -_BIG < x < _BIG) or (type(x) is str and len(x) <= STR_CAP)):
            return None
    return ["l", "tuple", len(i), list(i)]


def _item_mark(i):
    """enc of a list/dict item that is not a short str or small int; notes one that is not plain
    (a row of plain items is fine)."""
    t = type(i)
    if t is list:
        return _enc_row(i, _row_mark)
    if t is tuple:
        v = _plain_tuple(i)
        if v is not None:
            return v
    if t not in _IMMUTABLE and (t is not tuple or not _frozen(i)):
        _DIRTY[0] = True
    return enc(i, DEPTH_CAP - 1)


def _item_bail(i):
    t = type(i)
    if t is list:
        return _enc_row(i, _row_bail)
    if t is tuple:
        v = _plain_tuple(i)
        if v is not None:
            return v
    if t not in _IMMUTABLE and (t is not tuple or not _frozen(i)):
        raise _Bail
    return enc(i, DEPTH_CAP - 1)


def _enc_list(v, item=_item_mark):
    """enc(v) of an exact list (the same calls to enc), and whether it is clean: 1 when the items
    enc looks at are plain, 2 when some are rows (exact lists whose items enc looks at are plain),
    0 otherwise (with _item_bail: _Bail at the first such item, before encoding it)."""
    _DIRTY[0] = _DIRTY[1] = False
    out = ["l", "list", len(v), [i if (type(i) is int and -_BIG < i < _BIG) or (type(i) is str and len(i) <= STR_CAP)
                                 else item(i) for i in v[:ITEMS_CAP]]]
    return out, 0 if _DIRTY[0] else 2 if _DIRTY[1] else 1


def _enc_dict(v, item=_item_mark):
    """The same for an exact dict of at most ITEMS_CAP items (whose keys are not rows)."""
    _DIRTY[0] = _DIRTY[1] = False
    out = [[k if (type(k) is int and -_BIG < k < _BIG) or (type(k) is str and len(k) <= STR_CAP) else item(k),
            x if (type(x) is int and -_BIG < x < _BIG) or (type(x) is str and len(x) <= STR_CAP) else item(x)]
           for k, x in v.items()]
    return ["m", "dict", len(v), out], 0 if _DIRTY[0] else 2 if _DIRTY[1] else 1


def _all_plain(items):
    for x in items:
        t = type(x)
        if t not in _IMMUTABLE and (t is not tuple or not _frozen(x)):
            return False
    return True


_OPAQUE = frozenset((types.FunctionType, types.BuiltinFunctionType, type))


def _enc_clean(v, t):
    """enc(v), and whether v is clean: encoding it again could neither run code of the program nor
    give anything new before something changes it in place or sets an attribute. (Lists: the
    items enc looks at are plain; dicts, sets: at most ITEMS_CAP items, all plain; functions,
    classes: enc only reads __qualname__.)"""
    if t is list:
        return _enc_list(v)
    if t is dict:
        if len(v) <= ITEMS_CAP:
            return _enc_dict(v)
        return enc(v), 0
    if t is set or t is frozenset:
        return enc(v), 1 if len(v) <= ITEMS_CAP and _all_plain(v) else 0
    return enc(v), 1 if t in _OPAQUE else 0


# Builtins that change nothing they are given and run no code of the program but in frames of
# its own (a key function, a __len__, a generator): name -> the builtin.
_PURE_BUILTINS = {name: getattr(builtins, name) for name in (
    "abs", "all", "any", "bin", "bool", "chr", "divmod", "enumerate", "filter", "float", "hex", "int",
    "len", "list", "map", "max", "min", "oct", "ord", "pow", "range", "repr", "reversed", "round",
    "set", "sorted", "str", "sum", "tuple", "zip")}
# Methods of the same kind, of builtin containers and str: name -> (receiver types, changes it)
_METHODS = {}
for _t, _names, _changes in (
        (list, "append extend insert pop remove reverse sort clear", True),
        (list, "index count copy", False),
        (dict, "pop popitem setdefault update clear", True),
        (dict, "get keys values items copy", False),
        (set, "add remove discard pop update clear difference_update intersection_update "
              "symmetric_difference_update", True),
        (set, "union intersection difference symmetric_difference issubset issuperset isdisjoint copy", False),
        (str, "split rsplit splitlines strip lstrip rstrip lower upper title capitalize swapcase casefold "
              "replace startswith endswith find rfind index rindex count isdigit isalpha isalnum isspace "
              "islower isupper isnumeric isdecimal join zfill center ljust rjust partition rpartition", False)):
    for _m in _names.split():
        _types, _was = _METHODS.get(_m, ((), False))
        _METHODS[_m] = (_types + (_t,), _was or _changes)
del _t, _names, _changes, _m, _types, _was


class _Fx:
    """What code can do: names it binds, local containers it changes in place, builtins and
    methods it calls, names it augments (`x += ...`: in place when x holds a container)."""

    def __init__(self):
        self.binds, self.changes, self.calls, self.methods, self.augs, self.deep = [], [], set(), [], [], []


def _fx_expr(node, fx):
    """Whether an expression only computes with names, constants, operators, displays, f-strings,
    subscripts and calls of _PURE_BUILTINS / _METHODS (the callee named directly)."""
    t = type(node)
    if t is ast.Name or t is ast.Constant:
        return True
    if t is ast.Call:
        f = node.func
        if type(f) is ast.Name and f.id in _PURE_BUILTINS:
            fx.calls.add(f.id)
        elif type(f) is ast.Attribute and type(f.value) is ast.Name and f.attr in _METHODS:
            fx.methods.append((f.value.id, f.attr))
            if _METHODS[f.attr][1]:
                fx.changes.append(f.value.id)
        else:
            return False
        return all(_fx_expr(a, fx) for a in node.args) and \
            all(k.arg is not None and _fx_expr(k.value, fx) for k in node.keywords)
    if t is ast.BinOp:
        return _fx_expr(node.left, fx) and _fx_expr(node.right, fx)
    if t is ast.UnaryOp:
        return _fx_expr(node.operand, fx)
    if t is ast.BoolOp:
        return all(_fx_expr(v, fx) for v in node.values)
    if t is ast.Compare:
        return _fx_expr(node.left, fx) and all(_fx_expr(c, fx) for c in node.comparators)
    if t is ast.IfExp:
        return _fx_expr(node.test, fx) and _fx_expr(node.body, fx) and _fx_expr(node.orelse, fx)
    if t is ast.Tuple or t is ast.List or t is ast.Set:
        return all(_fx_expr(e, fx) for e in node.elts)
    if t is ast.Dict:
        return all(k is not None and _fx_expr(k, fx) for k in node.keys) and all(_fx_expr(v, fx) for v in node.values)
    if t is ast.Subscript:
        return _fx_expr(node.value, fx) and _fx_expr(node.slice, fx)
    if t is ast.Slice:
        return all(p is None or _fx_expr(p, fx) for p in (node.lower, node.upper, node.step))
    if t is ast.Starred:
        return _fx_expr(node.value, fx)
    if t is ast.NamedExpr:
        fx.binds.append(node.target.id)
        return _fx_expr(node.value, fx)
    if t is ast.JoinedStr:
        return all(_fx_expr(v, fx) for v in node.values)
    if t is ast.FormattedValue:
        return _fx_expr(node.value, fx) and (node.format_spec is None or _fx_expr(node.format_spec, fx))
    return False


def _fx_target(node, fx):
    t = type(node)
    if t is ast.Name:
        fx.binds.append(node.id)
        return True
    if t is ast.Tuple or t is ast.List:
        return all(_fx_target(e, fx) for e in node.elts)
    if t is ast.Starred:
        return _fx_target(node.value, fx)
    if t is ast.Subscript and type(node.value) is ast.Name:
        fx.changes.append(node.value.id)
        return _fx_expr(node.slice, fx)
    if t is ast.Subscript and type(node.value) is ast.Subscript and type(node.value.value) is ast.Name:
        fx.changes.append(node.value.value.id)         # t[i][j] = ...: a row of t
        fx.deep.append(node.value.value.id)
        return _fx_expr(node.slice, fx) and _fx_expr(node.value.slice, fx)
    return False


def _fx_stmt(node, fx):
    """The same for a statement's own code (a compound statement's: its header)."""
    t = type(node)
    if t is ast.If or t is ast.While:
        return _fx_expr(node.test, fx)
    if t is ast.For:
        return _fx_target(node.target, fx) and _fx_expr(node.iter, fx)
    if t is ast.Assign:
        return all(_fx_target(x, fx) for x in node.targets) and _fx_expr(node.value, fx)
    if t is ast.AugAssign:
        if type(node.target) is ast.Name:
            fx.binds.append(node.target.id)
            fx.augs.append(node.target.id)
        elif not _fx_target(node.target, fx):
            return False
        return _fx_expr(node.value, fx)
    if t is ast.AnnAssign:
        return node.value is not None and type(node.target) is ast.Name and _fx_target(node.target, fx) \
            and _fx_expr(node.annotation, fx) and _fx_expr(node.value, fx)
    if t is ast.Expr or t is ast.Return:
        return node.value is None or _fx_expr(node.value, fx)
    if t is ast.Delete:
        return all(_fx_target(x, fx) for x in node.targets)
    if t is ast.Assert:
        return _fx_expr(node.test, fx) and (node.msg is None or _fx_expr(node.msg, fx))
    return t in (ast.Pass, ast.Break, ast.Continue, ast.Global, ast.Nonlocal)


def _plan(prog, idx, code):
    """What a STEP of statement idx of `code` must look at, provided that while it ran no Python
    frame was entered (no code of the program ran: no dunder, property, key function, generator,
    __del__, signal handler), the builtins and methods it calls are the real ones, and every value
    of the frame is plain or clean: (names bound, containers changed, builtins, (receiver, method)
    pairs, augmented names, names whose rows it changes). None: it can do more, or we cannot tell."""
    sl, _, el, _ = prog.stmts[idx][2]
    region = set()
    for line in range(sl, el + 1):                 # what else runs on its lines (one-line bodies)
        region.update(prog.by_line.get(line, ()))
    fx = _Fx()
    for j in sorted(region):
        if not _fx_stmt(prog.stmts[j][0], fx):
            return None
    if fx.calls & (set(code.co_varnames) | set(code.co_cellvars) | set(code.co_freevars)):
        return None
    return (tuple(dict.fromkeys(fx.binds)), tuple(dict.fromkeys(fx.changes)), tuple(sorted(fx.calls)),
            tuple(dict.fromkeys(fx.methods)), tuple(dict.fromkeys(fx.augs)), tuple(dict.fromkeys(fx.deep)))


def _tables(prog):
    """Per statement: the start of its STEP text, its first line, whether it is a return,
    for a header with a body on other lines (first, last body line, BRANCH texts), and for a
    return the start of its RETURN text (else None)."""
    t = prog.__dict__.get("_tables")
    if t is None:
        s_pre, first, is_ret, binfo, r_pre = [], [], [], [], []
        for idx, (node, r, span) in enumerate(prog.stmts):
            s_pre.append('["S",%d' % r)
            first.append(span[0])
            is_ret.append(isinstance(node, ast.Return))
            r_pre.append('["R",%d' % r if is_ret[-1] else None)
            body = prog.body_lines.get(idx)
            if body is None:
                binfo.append(None)
            else:
                kind = "if" if isinstance(node, ast.If) else "while" if isinstance(node, ast.While) else "for"
                binfo.append((body[0], body[1], '["B",%d' % prog.branch_range[idx],
                              'true,"%s"]' % kind, 'false,"%s"]' % kind))
        t = prog._tables = (s_pre, first, is_ret, binfo, r_pre)
    return t


class Tracer:
    """settrace hooks that turn program frames into the events of docs/EVENTS.md."""

    def __init__(self, prog, max_events, module=False):
        self.prog = prog
        self.max_events = max_events
        self.module = module      # program tests: the module level is traced too (function "<module>")
        self.out = None           # program tests: text printed since the last STEP (binding "<stdout>")
        self._count = 0           # events emitted, once the original hooks run (else in the hooks)
        self.stopped = False
        self.truncated = False
        self.next_frame = 1
        self.depth = 0
        self.states = {}          # frame -> [id, depth, prev stmt, snapshot, exc flag, last lasti, raw objects, ...]
        self._on_stop = self._get_count = None
        self.global_trace, self._on_stop, self._get_count = self._fast_hooks()

    @property
    def count(self):
        return self._count if self._get_count is None else self._get_count()

    def stop(self):
        self.stopped = True
        if self._on_stop is not None:
            self._on_stop()
        sys.settrace(None)

    def _to_slow(self):
        """From now on every frame, this one included, runs the original hooks (whose calls,
        stop() included, must nest exactly as they always did)."""
        self._get_count = self._on_stop = None
        slow = self._slow_local_trace
        for f in list(self.states):
            f.f_trace = slow
        sys.settrace(self._slow_global_trace)
        return slow

    def _fast_hooks(self):
        """The hooks proper: (global_trace, on_stop, get_count). They write each event's text
        directly and inline the common cases: a Python call costs ~0.1 us here, as much as
        a dozen bytecodes. Frame state: the original 7 fields (see _slow_global_trace), then
        7 fd: ",id,depth," of its events, 8 frozen: name -> tuple known to hold only plain
        values, 9 est: frames below it, 10 info (per code), 11 unclean: names whose value is
        neither plain nor clean, 12 lasti -> statement, 13 statement -> plan, 14 mark: `entered`
        when the running statement began, -1 when what the frame holds was not all seen then,
        15 clean: name -> clean container it holds, 16 nested: those of them holding rows."""
        tracer = self
        prog = self.prog
        stmts = prog.stmts
        s_pre, first_line, is_ret, binfo, r_pre = _tables(prog)
        states = self.states
        states_get = states.get
        max_events = self.max_events
        buf = _buf
        buf_append = buf.append
        blen = len
        flush_every = FLUSH_EVERY
        infos = prog.__dict__.setdefault("_infos", ({}, {}))[bool(self.module)]   # per code, shared by tests
        infos_get = infos.get
        imm = _IMMUTABLE
        miss = _MISS
        big = _BIG
        inf, ninf = _INF, _NINF
        str_cap = STR_CAP
        bind_get = _BIND.get
        getlimit = sys.getrecursionlimit
        module_mode = self.module
        stmt_at = prog.stmt_at
        real = _PURE_BUILTINS
        methods_ = _METHODS
        items_cap = ITEMS_CAP
        list_, dict_, tuple_ = list, dict, tuple
        opaque = _OPAQUE
        count = 0                 # the tracer's counters (the original hooks get them in sync())
        stopped = False
        depth = 0
        next_frame = 1
        entered = 0               # Python frames entered so far (any code, traced or not)

        def on_stop():
            nonlocal stopped
            stopped = True

        def sync():
            tracer._count, tracer.depth, tracer.next_frame = count, depth, next_frame

        def get_count():
            return count

        def truncate():
            """What _event does when the budget is spent."""
            tracer.stop()
            tracer.truncated = True

        def emit(text):
            nonlocal count
            if count >= max_events:
                truncate()
                return
            count += 1
            buf_append(text)
            if blen(buf) >= flush_every:
                flush()

        def info_of(code):
            traced = code.co_filename == "<program>"
            is_module = False
            flags = code.co_flags
            if traced and (not (flags & CO_OPTIMIZED) or code.co_name.startswith("<")):
                traced = module_mode and code.co_name == "<module>" and not (flags & CO_OPTIMIZED)
                is_module = True
            n = code.co_argcount + code.co_kwonlyargcount
            names = list(code.co_varnames[:n])
            if flags & CO_VARARGS:
                names.append(code.co_varnames[n])
                n += 1
            if flags & CO_VARKEYWORDS:
                names.append(code.co_varnames[n])
            didx = None if is_module else prog.def_at_line.get(code.co_firstlineno)
            r = stmts[didx][1] if didx is not None else None
            rdidx = prog.def_at_line.get(code.co_firstlineno) if flags & CO_OPTIMIZED else None
            r_end = stmts[rdidx][1] if rdidx is not None else None
            optimized = bool(flags & CO_OPTIMIZED)
            info = (code,                                   # 0
                    traced,                                 # 1
                    tuple(names),                           # 2 arguments
                    '["C",' + ("null" if r is None else str(r)),          # 3
                    _ebs(code.co_name) + ",[",              # 4
                    {},                                     # 5 lasti -> statement
                    r_end,                                  # 6 R range of a return with no return statement
                    code.co_freevars if optimized else (),  # 7 not in a STEP
                    not optimized,                          # 8 module level
                    not code.co_freevars and optimized,     # 9 nothing to leave out of a STEP
                    [miss] * len(stmts))                    # 10 statement -> plan
            infos[id(code)] = info
            return info

        def plan_of(idx, info):
            """(kind, bound name, builtins, (receiver, method)s, changed, bound or changed, binding
            prefix, augmented, anything to check, rows changed) or None; see _plan. Kind 0: nothing to
            look at, 1: one name bound (nothing changed in place), 2: the rest."""
            p = _plan(prog, idx, info[0])
            if p is None:
                plan = None
            else:
                binds, changes, calls, methods, augs, deep = p
                targets = frozenset(binds) | frozenset(changes)
                checks = bool(calls or methods or changes)
                if not targets:
                    plan = (0, None, calls, methods, changes, targets, None, augs, checks, deep)
                elif len(binds) == 1 and not changes and info[9]:
                    plan = (1, binds[0], calls, methods, changes, targets, bind_get(binds[0]) or _bind(binds[0]),
                            augs, checks, deep)
                else:
                    plan = (2, None, calls, methods, changes, targets, None, augs, checks, deep)
            info[10][idx] = plan
            return plan

        def plan_ok(frame, st, plan):
            """The rest of what a plan needs: no value in the frame but plain or clean ones, the
            builtins it calls are the real ones, the methods those of the receiver they had, what it
            changes in place is a variable of the frame."""
            if st[11]:
                return False
            if plan[2]:
                g = frame.f_globals
                b = frame.f_builtins
                for name in plan[2]:
                    if name in g or b.get(name) is not real[name]:
                        return False
            raw = st[6]
            for name, m in plan[3]:
                if type(raw.get(name, miss)) not in methods_[m][0]:
                    return False
            for name in plan[4]:
                if name not in raw:
                    return False
            return True

        def stdout_part(parts):
            out = tracer.out
            if out:                   # what the statement printed: a binding of its own
                b = '["<stdout>",' + _jtext(enc("".join(out))) + "]"
                out.clear()
                if parts is None:
                    return [b]
                parts.append(b)
            return parts

        def diff(loc, st, info):
            """_diff's bindings as JSON texts (None: none), with the same calls to enc in the same
            order; also notes which values are plain, clean or neither."""
            free = info[7]
            module = info[8]
            snap = st[3]
            raw = st[6]
            raw_get = raw.get
            frozen = st[8]
            unclean = st[11]
            clean = st[15]
            nested = st[16]
            parts = None
            for name, value in loc.items():
                if free and name in free:
                    continue
                if module and (name.startswith("__") or isinstance(value, _DEFINITIONS)):
                    continue
                t = type(value)
                if raw_get(name, miss) is value and (t in imm or (t is tuple_ and frozen.get(name) is value)):
                    continue
                raw[name] = value
                if t in imm:
                    v = enc(value)
                    c = False
                else:
                    v, c = _enc_clean(value, t)
                sv = snap.get(name, miss)
                if sv is miss or sv != v:
                    snap[name] = v
                    b = (bind_get(name) or _bind(name)) + _jtext(v) + "]"
                    if parts is None:
                        parts = [b]
                    else:
                        parts.append(b)
                if t in imm or (t is tuple_ and _frozen(value) and frozen.__setitem__(name, value) is None):
                    if clean:
                        clean.pop(name, None)
                        nested.pop(name, None)
                    if unclean:
                        unclean.discard(name)
                elif c:
                    clean[name] = value
                    if c == 2:
                        nested[name] = value
                    elif nested:
                        nested.pop(name, None)
                    if unclean:
                        unclean.discard(name)
                else:
                    unclean.add(name)
                    if clean:
                        clean.pop(name, None)
                        nested.pop(name, None)
            if unclean:
                unclean.intersection_update(loc)
            return stdout_part(parts)

        def plan_step(frame, st, plan):
            """diff() for a statement with a plan: only what it bound or changed in place (and what
            else holds the containers it changed). _Bail (nothing done) if one of them holds a value
            neither plain nor clean: encoding that could run code of the program."""
            loc = frame.f_locals
            info = st[10]
            raw = st[6]
            clean = st[15]
            targets = plan[5]
            changed = plan[4]
            for name in plan[7]:      # `x += ...` changes a container x in place
                if type(raw.get(name)) not in imm and type(raw.get(name)) is not tuple_:
                    changed = changed + (name,)
            if changed and clean:
                objs = set()
                for name in changed:
                    objs.add(id(raw.get(name, miss)))
                    objs.add(id(loc.get(name, miss)))
                for name in plan[9]:  # t[i][j] = ...: any row of t may have changed
                    o = raw.get(name)
                    if type(o) is list_:
                        objs.update(map(id, o))
                    elif type(o) is dict_:
                        objs.update(map(id, o.values()))
                    else:
                        raise _Bail
                extra = [c for c, o in clean.items() if id(o) in objs and c not in targets]
                nested = st[16]
                for c, o in nested.items():       # a container holding a changed row
                    if c not in targets and c not in extra and \
                            not objs.isdisjoint(map(id, o[:items_cap] if type(o) is list_ else o.values())):
                        extra.append(c)
                if extra:
                    targets = targets.union(extra)
            free = info[7]
            module = info[8]
            frozen = st[8]
            todo = []
            for name, value in [(k, v) for k, v in loc.items() if k in targets]:
                if free and name in free:
                    continue
                if module and (name.startswith("__") or isinstance(value, _DEFINITIONS)):
                    continue
                t = type(value)
                if raw.get(name, miss) is value and (t in imm or (t is tuple_ and frozen.get(name) is value)):
                    continue
                if t in imm:
                    v = enc(value)
                    c = 0
                elif t is tuple_:
                    if not _frozen(value):
                        raise _Bail
                    v = enc(value)
                    c = 1
                elif t is list_:
                    v, c = _enc_list(value, _item_bail)
                    c += 1
                elif t is dict_ and len(value) <= items_cap:
                    v, c = _enc_dict(value, _item_bail)
                    c += 1
                elif (t is set or t is frozenset) and len(value) <= items_cap and _all_plain(value) or t in opaque:
                    v = enc(value)
                    c = 2
                else:
                    raise _Bail
                todo.append((name, value, v, c))
            snap = st[3]
            parts = None
            for name, value, v, c in todo:
                raw[name] = value
                sv = snap.get(name, miss)
                if sv is miss or sv != v:
                    snap[name] = v
                    b = (bind_get(name) or _bind(name)) + _jtext(v) + "]"
                    if parts is None:
                        parts = [b]
                    else:
                        parts.append(b)
                if c >= 2:
                    clean[name] = value
                    if c == 3:
                        st[16][name] = value
                    else:
                        st[16].pop(name, None)
                else:
                    if c == 1:
                        frozen[name] = value
                    if clean:
                        clean.pop(name, None)
                        st[16].pop(name, None)
            return stdout_part(parts)

        def step(frame, st, prev, mark):
            """The bindings of the STEP of `prev` (the statement that just ran in this frame) as
            JSON texts, or None."""
            info = st[10]
            plan = info[10][prev]
            if plan is miss:
                plan = plan_of(prev, info)
            if plan is not None and entered == mark and plan_ok(frame, st, plan):
                if not plan[0]:
                    return stdout_part(None) if tracer.out else None
                try:
                    return plan_step(frame, st, plan)
                except _Bail:
                    pass
            return diff(frame.f_locals, st, info)

        def local_trace(frame, event, arg):
            nonlocal count, depth
            if stopped:
                return None
            st = states_get(frame)
            if st is None:
                return None
            if event == "line":
                lasti = frame.f_lasti
                lmap = st[12]
                idx = lmap.get(lasti, miss)
                if idx is miss:
                    idx = lmap[lasti] = stmt_at(frame.f_code, lasti, frame.f_lineno)
                if idx is None:
                    st[14] = -1           # code no statement owns ran (a decorator): no shortcut
                    return local_trace
                if st[4]:             # resumed after an exception inside this frame (handler)
                    st[2] = None
                    st[4] = False
                    st[14] = -1
                prev = st[2]
                if idx == prev and lasti > st[5]:
                    st[5] = lasti
                    return local_trace
                st[2] = idx
                st[5] = lasti
                if prev is None:
                    return local_trace
                mark = st[14]
                st[14] = entered
                # STEP for the statement that just ran (as _diff would), then its BRANCH
                plan = st[13][prev]
                if plan is miss:
                    plan = plan_of(prev, st[10])
                text = None
                if plan is not None and entered == mark and (not (st[11] or plan[8]) or plan_ok(frame, st, plan)):
                    kind = plan[0]
                    if kind == 1 and not tracer.out:      # one name bound: plain values inline
                        name = plan[1]
                        raw = st[6]
                        if not plan[7] or type(raw.get(name)) in imm:
                            value = frame.f_locals.get(name, miss)
                            t = type(value)
                            if t in imm:
                                if raw.get(name, miss) is value:
                                    text = s_pre[prev] + st[7] + "[]]"
                                else:
                                    raw[name] = value
                                    if t is int and -big < value < big or \
                                            t is float and value == value and value != inf and value != ninf:
                                        v = value
                                        vt = 1
                                    elif t is str and len(value) <= str_cap:
                                        v = value
                                        vt = 2
                                    else:
                                        v = enc(value)
                                        vt = 0
                                    snap = st[3]
                                    sv = snap.get(name, miss)
                                    if sv is miss or sv != v:
                                        snap[name] = v
                                        text = s_pre[prev] + st[7] + "[" + plan[6] + \
                                            (repr(v) if vt == 1 else _ebs(v) if vt == 2 else _jtext(v)) + "]]]"
                                    else:
                                        text = s_pre[prev] + st[7] + "[]]"
                                    if st[15]:
                                        st[15].pop(name, None)
                                        st[16].pop(name, None)
                            elif value is miss:
                                text = s_pre[prev] + st[7] + "[]]"
                    elif kind == 0:
                        parts = stdout_part(None) if tracer.out else None
                        text = s_pre[prev] + st[7] + ("[]]" if parts is None else "[" + ",".join(parts) + "]]")
                    if text is None:
                        try:
                            parts = plan_step(frame, st, plan)
                            text = s_pre[prev] + st[7] + ("[]]" if parts is None else "[" + ",".join(parts) + "]]")
                        except _Bail:
                            pass
                if text is None:
                    parts = diff(frame.f_locals, st, st[10])
                    text = s_pre[prev] + st[7] + ("[]]" if parts is None else "[" + ",".join(parts) + "]]")
                if count >= max_events:
                    truncate()
                    return local_trace
                count += 1
                buf_append(text)
                if blen(buf) >= flush_every:
                    flush()
                bi = binfo[prev]
                if bi is not None and not stopped:
                    if count >= max_events:
                        truncate()
                        return local_trace
                    count += 1
                    buf_append(bi[2] + st[7] + (bi[3] if bi[0] <= first_line[idx] <= bi[1] else bi[4]))
                    if blen(buf) >= flush_every:
                        flush()
                return local_trace
            if event == "return":
                code = frame.f_code
                if code.co_flags & CO_GENERATOR and frame.f_lasti >= 0 \
                        and code.co_code[frame.f_lasti] == _YIELD:
                    return local_trace        # a yield, not the end of the activation
                if not st[4]:
                    prev = st[2]
                    fd = st[7]
                    if prev is not None:
                        parts = step(frame, st, prev, st[14])
                        emit(s_pre[prev] + fd + ("[]]" if parts is None else "[" + ",".join(parts) + "]]"))
                        bi = binfo[prev]
                        if bi is not None and not stopped:
                            emit(bi[2] + fd + bi[4])
                    # A return on its header's line (`if s == "": return 0`) had no line event.
                    if prev is not None and is_ret[prev]:
                        r = stmts[prev][1]
                    else:
                        lasti = frame.f_lasti
                        lmap = st[12]
                        here = lmap.get(lasti, miss)
                        if here is miss:
                            here = lmap[lasti] = stmt_at(code, lasti, frame.f_lineno)
                        if here is not None and is_ret[here]:
                            r = stmts[here][1]
                        else:
                            r = st[10][6]
                    emit('["R",' + ("null" if r is None else str(r)) + fd + _jtext(enc(arg)) + "]")
                del states[frame]
                depth -= 1
            elif event == "exception":
                prev = st[2]
                r = stmts[prev][1] if prev is not None else None
                emit('["X",' + ("null" if r is None else str(r)) + st[7]
                     + _ebs(describe(arg[1])[1][:STR_CAP]) + "]")
                st[4] = True          # the statement did not finish: no STEP for it
            return local_trace

        # A traced frame's trace function: local_trace, or the C hook doing its common line and return events.
        hook = local_trace
        if _CHooks is not None:
            cells = dict(zip(local_trace.__code__.co_freevars, local_trace.__closure__))
            hook = _CHooks.LineHook(local_trace, cells["stopped"], cells["count"], cells["entered"], cells["depth"],
                                    states, buf, flush, tracer, s_pre, binfo, first_line, r_pre, miss, real,
                                    methods_, enc, _jtext, _ebs, max_events, flush_every, str_cap)

        def global_trace(frame, event, arg):
            nonlocal depth, next_frame, entered, count
            entered += 1
            code = frame.f_code
            if stopped:
                return None
            info = infos_get(id(code))
            if info is None or info[0] is not code:
                info = info_of(code)
            if not info[1]:
                return None
            st = states_get(frame)
            if st is None:            # a new activation (a resumed generator keeps its state)
                depth += 1
                fid = next_frame
                next_frame += 1
                loc = frame.f_locals
                snap = {}
                raw = {}
                clean = {}
                nested = {}
                unclean = set()       # what a STEP may take for granted before the first one
                parts = []
                for name in info[2]:
                    if name in loc:
                        value = loc[name]
                        t = type(value)
                        if t in imm:
                            v = value if t is int and -big < value < big or t is str and len(value) <= str_cap \
                                else enc(value)
                        else:
                            v, c = _enc_clean(value, t)
                            if c:
                                clean[name] = value
                                if c == 2:
                                    nested[name] = value
                            elif t is not tuple_ or not _frozen(value):
                                unclean.add(name)
                        snap[name] = v
                        raw[name] = value
                        parts.append((bind_get(name) or _bind(name)) + _jtext(v) + "]")
                if len(raw) != len(loc):
                    free = info[7]
                    module = info[8]
                    for name, value in loc.items():
                        if name in raw or free and name in free:
                            continue
                        if module and (name.startswith("__") or isinstance(value, _DEFINITIONS)):
                            continue
                        t = type(value)
                        if t not in imm and (t is not tuple_ or not _frozen(value)):
                            unclean.add(name)
                fd = ",%d,%d," % (fid, depth)
                st = [fid, depth, None, snap, False, -1, raw, fd, {}, 0, info, unclean, info[5], info[10],
                      entered, clean, nested]
                states[frame] = st
                if count >= max_events:
                    truncate()
                else:
                    count += 1
                    buf_append(info[3] + fd + info[4] + ",".join(parts) + "]]")
                    if blen(buf) >= flush_every:
                        flush()
            # How deep the stack is, counted in frames: near the recursion limit, the original hooks.
            back = frame.f_back
            k = 1
            while back is not None:
                pst = states_get(back)
                if pst is not None:
                    k += pst[9]
                    break
                k += 1
                back = back.f_back
            st[9] = k
            if k * _GUARDS + _SLOW_MARGIN >= getlimit():
                sync()
                return tracer._to_slow()
            return hook

        if _CHooks is not None:       # the global hook: calls of untraced code, plain new activations in C
            cells = dict(zip(global_trace.__code__.co_freevars, global_trace.__closure__))
            return (_CHooks.CallHook(global_trace, cells["stopped"], cells["count"], cells["entered"], cells["depth"],
                                     cells["next_frame"], states, infos, buf, flush, hook, enc, _jtext, _ebs,
                                     _BIND, _bind, max_events, flush_every, str_cap, _GUARDS, _SLOW_MARGIN),
                    on_stop, get_count)
        return global_trace, on_stop, get_count

    # ------------------------------------------------ the original hooks (near the recursion limit)

    def _event(self, ev):
        if self._count >= self.max_events:
            self.stop()
            self.truncated = True
            return
        self._count += 1
        _buf.append(_dumps(ev))
        if len(_buf) >= FLUSH_EVERY:
            flush()

    def _slow_global_trace(self, frame, event, arg):
        code = frame.f_code
        if self.stopped or code.co_filename != "<program>":
            return None
        is_module = False
        if not (code.co_flags & CO_OPTIMIZED) or code.co_name.startswith("<"):
            if not (self.module and code.co_name == "<module>" and not (code.co_flags & CO_OPTIMIZED)):
                return None
            is_module = True
        st = self.states.get(frame)
        if st is None:            # a new activation (a resumed generator keeps its state)
            self.depth += 1
            fid = self.next_frame
            self.next_frame += 1
            loc = frame.f_locals
            n = code.co_argcount + code.co_kwonlyargcount
            names = list(code.co_varnames[:n])
            if code.co_flags & CO_VARARGS:
                names.append(code.co_varnames[n])
                n += 1
            if code.co_flags & CO_VARKEYWORDS:
                names.append(code.co_varnames[n])
            snap = {}
            binds = []
            for name in names:
                if name in loc:
                    v = enc(loc[name])
                    snap[name] = v
                    binds.append([name, v])
            st = [fid, self.depth, None, snap, False, -1, {}]
            self.states[frame] = st
            didx = None if is_module else self.prog.def_at_line.get(code.co_firstlineno)
            r = self.prog.stmts[didx][1] if didx is not None else None
            self._event(["C", r, fid, self.depth, code.co_name, binds])
        return self._slow_local_trace

    def _diff(self, frame, st):
        snap = st[3]
        raw = st[6]
        free = frame.f_code.co_freevars
        out = []
        module = not (frame.f_code.co_flags & CO_OPTIMIZED)
        for name, value in frame.f_locals.items():
            if free and name in free:
                continue
            if module and (name.startswith("__") or isinstance(value, _DEFINITIONS)):
                continue          # the module level: its variables, not its imports and definitions
            if raw.get(name, raw) is value and type(value) in _IMMUTABLE:
                continue          # the very same immutable object: unchanged
            raw[name] = value
            v = enc(value)
            if name not in snap or snap[name] != v:
                snap[name] = v
                out.append([name, v])
        if self.out:              # what the statement printed: a binding of its own
            out.append(["<stdout>", enc("".join(self.out))])
            self.out.clear()
        return out

    def _finish_prev(self, frame, st, next_stmt, next_line):
        """STEP for the statement that just ran in this frame, then its BRANCH."""
        prev = st[2]
        if prev is None:
            return
        prog = self.prog
        self._event(["S", prog.stmts[prev][1], st[0], st[1], self._diff(frame, st)])
        if self.stopped or prev not in prog.body_lines:
            return
        body = prog.body_lines[prev]
        if body is None:
            return                # body on the header's own line: the outcome is not visible
        node = prog.stmts[prev][0]
        kind = "if" if isinstance(node, ast.If) else "while" if isinstance(node, ast.While) else "for"
        if next_line is None:
            taken = False         # the function returned straight after the header
        else:
            taken = body[0] <= next_line <= body[1]
        self._event(["B", prog.branch_range[prev], st[0], st[1], taken, kind])

    def _slow_local_trace(self, frame, event, arg):
        if self.stopped:
            return None
        st = self.states.get(frame)
        if st is None:
            return None
        if event == "line":
            lasti = frame.f_lasti
            idx = self.prog.stmt_at(frame.f_code, lasti, frame.f_lineno)
            if idx is None:
                return self._slow_local_trace
            if st[4]:             # resumed after an exception inside this frame (handler)
                st[2] = None
                st[4] = False
            if idx != st[2] or lasti <= st[5]:
                self._finish_prev(frame, st, idx, self.prog.stmts[idx][2][0])
                st[2] = idx
            st[5] = lasti
        elif event == "return":
            code = frame.f_code
            if code.co_flags & CO_GENERATOR and frame.f_lasti >= 0 \
                    and code.co_code[frame.f_lasti] == _YIELD:
                return self._slow_local_trace       # a yield, not the end of the activation
            if not st[4]:
                self._finish_prev(frame, st, None, None)
                prev = st[2]
                node = self.prog.stmts[prev][0] if prev is not None else None
                # A return on its header's line (`if s == "": return 0`) had no line event.
                here = None if isinstance(node, ast.Return) else \
                    self.prog.stmt_at(code, frame.f_lasti, frame.f_lineno)
                if isinstance(node, ast.Return):
                    r = self.prog.stmts[prev][1]
                elif here is not None and isinstance(self.prog.stmts[here][0], ast.Return):
                    r = self.prog.stmts[here][1]
                elif code.co_flags & CO_OPTIMIZED:
                    didx = self.prog.def_at_line.get(code.co_firstlineno)
                    r = self.prog.stmts[didx][1] if didx is not None else None
                else:
                    r = None
                self._event(["R", r, st[0], st[1], enc(arg)])
            del self.states[frame]
            self.depth -= 1
        elif event == "exception":
            prev = st[2]
            r = self.prog.stmts[prev][1] if prev is not None else None
            self._event(["X", r, st[0], st[1], describe(arg[1])[1][:STR_CAP]])
            st[4] = True          # the statement did not finish: no STEP for it
        return self._slow_local_trace


# ---------------------------------------------------------------- main

def run_test(code_obj, ns):
    exec(code_obj, ns)


def load(source, job):
    """Compile and run the program's module level. Returns (prog, ns, None) or
    (prog or None, None, message): a compile_error or a result-shaped failure."""
    try:
        code = compile(source, "<program>", "exec")
        prog = Program(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError) as e:
        return None, None, compile_error(e, source)
    return prog, fresh_module(job), code


def fresh_module(job):
    """The namespace the program's module level runs in."""
    # The limit counts frames above main(), so a run has the same depth to spend however it
    # started: cold, forked from a warm template, or by the harness (whose frames lie below).
    sys.setrecursionlimit(int(job.get("recursion_limit") or 3000) + _BASE_DEPTH)
    # A real module, so that dataclasses, pickle and friends find the program's globals.
    module = types.ModuleType("__program__")
    sys.modules["__program__"] = module
    ns = module.__dict__
    ns["__builtins__"] = builtins
    return ns


def arm_deadline(job):
    # The sandbox (or the harness) gives up at the hard limit; this softer one fires
    # first so the test that was running reports the statement it was stuck in.
    if job.get("deadline_s"):
        signal.signal(signal.SIGALRM, _on_deadline)
        signal.setitimer(signal.ITIMER_REAL, float(job["deadline_s"]))


def seed(job):
    """Every test and call of candidate and reference starts from the same random state
    (imported only where the program or the test mentions it: the import costs a run ~3 ms)."""
    if "random" in sys.modules or "random" in job["program"] or any("random" in t["code"] for t in job.get("tests", ())):
        import random
        random.seed(int(job.get("seed") or 0))


def serve(job):
    """Run mode: answer the trusted harness's calls. Nothing here decides a verdict. Returns
    (prog, code, message) when the harness asks for a trace after its tests (see retrace)."""
    source = job["program"]
    prog, ns, code = load(source, job)
    if ns is None:
        emit(code)
        return
    emit({"t": "program"})
    arm_deadline(job)
    try:
        seed(job)
        exec(code, ns)
    except BaseException as e:  # noqa: B036 - the program's own failure, reported per test
        status, kind, msg, loc = outcome(e, prog)
        emit({"t": "load_error", "s": status if status == "TIMEOUT" else "ERROR", "kind": kind,
              "msg": msg[:4000], "loc": loc})
        return
    emit({"t": "loaded", "names": {k: ("callable" if callable(v) else "value") for k, v in list(ns.items())
                                   if isinstance(k, str) and not k.startswith("__")}})
    stdin = sys.stdin.buffer
    while True:
        line = stdin.readline()
        if not line:
            return
        msg = json.loads(line)
        if msg.get("t") == "trace":
            ns.clear()            # the first load's objects go before the program loads again
            return prog, code, msg
        name = msg.get("name")
        try:
            if msg.get("t") == "get":
                reply = {"t": "ret", "value": enc_exact(ns[name])}
            else:
                args = [dec(a) for a in msg.get("args", ())]
                kwargs = {k: dec(v) for k, v in msg.get("kwargs", ())}
                seed(job)
                value = ns[name](*args, **kwargs)
                if hasattr(value, "__next__") and not isinstance(value, (list, tuple, str, bytes, dict)):
                    value = list(value)       # an iterator crosses as the items it yields
                reply = {"t": "ret", "value": enc_exact(value), "args": [enc_exact(a) for a in args]}
        except BaseException as e:  # noqa: B036 - every way a call can end is reported
            status, kind, msg_text, loc = outcome(e, prog)
            reply = {"t": "exc", "s": status, "kind": kind, "msg": msg_text[:4000], "loc": loc,
                     "type": type(e).__name__}
            if kind == "SystemExit":
                reply["exited"] = True
            emit(reply)
            if kind == "SystemExit" or status == "TIMEOUT":
                return
            continue
        emit(reply)


def trace(job):
    """Trace mode: run the one test here, under sys.settrace, and stream the events."""
    source = job["program"]
    tests = job["tests"]
    compiled_tests = []
    for i, t in enumerate(tests):
        try:
            compiled_tests.append(compile(t["code"], "<test>", "exec"))
        except (SyntaxError, ValueError) as e:
            emit({"t": "bad_test", "i": i, "msg": "test %r does not compile: %s" % (t.get("id"), describe(e)[1])})
            return
    prog, ns, code = load(source, job)
    if ns is None:
        emit(code)
        emit({"t": "done"})
        return
    trace_tests(job, prog, ns, code, compiled_tests)


def retrace(job, prog, code, msg):
    """Run mode, once the harness has every verdict (RunRequest.trace_failure): trace one
    test as trace mode does, on a fresh module of the program, and write the trace to the
    harness, which relays it to the server after its verdicts. What the earlier calls left
    in this process is the program's own doing; a trace only steers where credit goes."""
    signal.setitimer(signal.ITIMER_REAL, 0)
    import gc
    gc.collect()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:  # noqa: B036 - the program's stream: its problem
            pass
    quiet = os.open(os.devnull, os.O_WRONLY)    # the run's output stays the run's
    os.dup2(quiet, 1)
    os.dup2(quiet, 2)
    tests = [{"id": "", "code": str(msg.get("code", ""))}]
    job = dict(job, tests=tests, deadline_s=msg.get("deadline_s"), max_events=msg.get("max_events"))
    trace_tests(job, prog, fresh_module(job), code, [compile(tests[0]["code"], "<test>", "exec")])


def trace_tests(job, prog, ns, code, compiled_tests):
    """Run the program's module level in `ns`, then each test under sys.settrace."""
    tests = job["tests"]
    emit({"t": "ranges", "ranges": prog.ranges})
    emit({"t": "program"})
    arm_deadline(job)
    try:
        seed(job)
        exec(code, ns)
    except BaseException as e:  # noqa: B036 - the program's own failure, reported per test
        status, kind, msg, loc = outcome(e, prog)
        if status == "TIMEOUT":       # stuck while defining: the first test times out, the rest do not run
            emit({"t": "result", "i": 0, "s": status, "kind": kind, "msg": msg, "loc": loc, "wall": 0.0})
            return
        for i in range(len(tests)):
            emit({"t": "result", "i": i, "s": "ERROR", "kind": kind, "msg": msg, "loc": loc, "wall": 0.0,
                  "program_level": True})
        emit({"t": "done"})
        return
    for i, test_code in enumerate(compiled_tests):
        emit({"t": "start", "i": i})
        test_ns = dict(ns)
        tracer = Tracer(prog, int(job.get("max_events") or 20000))
        t0 = _monotonic()
        try:
            seed(job)
            sys.settrace(tracer.global_trace)
            try:
                run_test(test_code, test_ns)
            finally:
                sys.settrace(None)
            res = {"s": "PASS"}
        except BaseException as e:  # noqa: B036 - every way a test can end is an outcome
            sys.settrace(None)
            status, kind, msg, loc = outcome(e, prog)
            res = {"s": status, "kind": kind, "msg": msg[:4000], "loc": loc}
            if kind == "SystemExit" or status == "TIMEOUT":
                res.update(t="result", i=i, wall=_monotonic() - t0, truncated=tracer.truncated,
                           exited=kind == "SystemExit")
                flush()
                emit(res)
                return            # the program ended the process, or time ran out: later tests are NOT_RUN
        res.update(t="result", i=i, wall=_monotonic() - t0, truncated=tracer.truncated, events=tracer.count)
        flush()
        emit(res)
    emit({"t": "done"})


def read_job():
    """The job: a JSON line, or (program tests) its length on a line, then exactly that many
    bytes, read from fd 0 unbuffered, so the rest of fd 0 is the program's own stdin."""
    first = os.read(0, 1)
    if first != b"{" and first.isdigit():
        head = first
        while not head.endswith(b"\n"):
            b = os.read(0, 1)
            if not b:
                break
            head += b
        size = int(head)
        parts = []
        while size > 0:
            chunk = os.read(0, min(size, 1 << 20))
            if not chunk:
                break
            parts.append(chunk)
            size -= len(chunk)
        return json.loads(b"".join(parts).decode("utf-8"))
    return json.loads((first + sys.stdin.buffer.readline()).decode("utf-8"))


# ---------------------------------------------------------------- program tests

_DEFINITIONS = (types.ModuleType, types.FunctionType, types.BuiltinFunctionType, type)


class _Printed(io.TextIOBase):
    """sys.stdout while a program test is traced: writes through, and keeps what each statement
    printed for the tracer's "<stdout>" binding (sys.stdout.buffer writes included)."""

    def __init__(self, real, sink):
        self._real, self._sink = real, sink

    def write(self, s):
        n = self._real.write(s)
        self._sink.append(str(s))
        return n

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def flush(self):
        self._real.flush()

    def fileno(self):
        return self._real.fileno()

    def isatty(self):
        return False

    def writable(self):
        return True

    @property
    def encoding(self):
        return self._real.encoding

    @property
    def buffer(self):
        self._real.flush()
        return _PrintedBytes(self._real.buffer, self._sink)


class _PrintedBytes:
    def __init__(self, real, sink):
        self._real, self._sink = real, sink

    def write(self, b):
        n = self._real.write(b)
        self._sink.append(bytes(b).decode("utf-8", "replace"))
        return n

    def __getattr__(self, name):
        return getattr(self._real, name)


def _end_stdout():
    try:
        sys.stdout.flush()
    except BaseException:   # noqa: B036 - a closed or broken stdout: nothing more to print
        pass


def _exit_status(e):
    """The exit status of a SystemExit, as the interpreter would give it."""
    code = e.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    try:
        sys.stderr.write(str(code) + "\n")
    except BaseException:   # noqa: B036
        pass
    return 1


def program_outcome(e, prog):
    """(status, kind, message, location) of an uncaught error of a whole program (never FAIL:
    there is no test code)."""
    status, kind, msg, loc = outcome(e, prog)
    return ("TIMEOUT" if status == "TIMEOUT" else "ERROR"), kind, msg, loc


def run_program(job):
    """Program tests, Run: the program as __main__ on this process's stdin; the server judges stdout."""
    prog, ns, code = load(job["program"], job)
    if ns is None:
        emit(code)
        os._exit(1)
    ns["__name__"] = "__main__"
    if not hasattr(builtins, "exit"):     # -S: no site, so no exit()/quit(); programs call them
        builtins.exit = builtins.quit = sys.exit
    emit({"t": "program"})
    arm_deadline(job)
    status = 0
    try:
        seed(job)
        exec(code, ns)
    except SystemExit as e:
        status = _exit_status(e)
    except BaseException as e:  # noqa: B036 - the program's own failure: described, then exit 1
        signal.setitimer(signal.ITIMER_REAL, 0)
        st, kind, msg, loc = program_outcome(e, prog)
        emit({"t": "result", "i": 0, "s": st, "kind": kind, "msg": msg[:4000], "loc": loc})
        try:
            import traceback
            traceback.print_exception(type(e), e, e.__traceback__, file=sys.stderr)
        except BaseException:  # noqa: B036
            pass
        status = 1
    signal.setitimer(signal.ITIMER_REAL, 0)
    _end_stdout()
    os._exit(status)


def trace_program(job):
    """Program tests, Trace: the module level and every function, with the test's stdin."""
    prog, ns, code = load(job["program"], job)
    if ns is None:
        emit(code)
        emit({"t": "done"})
        return
    ns["__name__"] = "__main__"
    if not hasattr(builtins, "exit"):     # -S: no site, so no exit()/quit(); programs call them
        builtins.exit = builtins.quit = sys.exit
    emit({"t": "ranges", "ranges": prog.ranges})
    emit({"t": "start", "i": 0})
    tracer = Tracer(prog, int(job.get("max_events") or 20000), module=True)
    tracer.out = []
    real_stdout = sys.stdout
    sys.stdout = _Printed(real_stdout, tracer.out)
    arm_deadline(job)
    t0 = _monotonic()
    res = {"s": "PASS"}
    try:
        seed(job)
        sys.settrace(tracer.global_trace)
        try:
            exec(code, ns)
        finally:
            sys.settrace(None)
    except SystemExit as e:
        if _exit_status(e) != 0:
            res = {"s": "ERROR", "kind": "SystemExit", "msg": "program exited (sys.exit(%r))" % (e.code,),
                   "loc": prog.location_of(e.__traceback__)}
    except BaseException as e:  # noqa: B036 - every way the program can end is an outcome
        sys.settrace(None)
        st, kind, msg, loc = program_outcome(e, prog)
        res = {"s": st, "kind": kind, "msg": msg[:4000], "loc": loc}
    signal.setitimer(signal.ITIMER_REAL, 0)
    sys.stdout = real_stdout
    _end_stdout()
    flush()
    res.update(t="result", i=0, wall=_monotonic() - t0, truncated=tracer.truncated, events=tracer.count)
    emit(res)
    emit({"t": "done"})


_BASE_DEPTH = 0       # frames below main(): set by main()


def _depth():
    f, n = sys._getframe(1), 0
    while f is not None:
        n += 1
        f = f.f_back
    return n


def main():
    global _BASE_DEPTH
    _BASE_DEPTH = _depth()
    job = read_job()
    emit({"t": "ready"})
    if job.get("mode") == "serve":
        retrace_request = serve(job)
        if retrace_request:       # called from here, as trace() is: the same stack depth
            retrace(job, *retrace_request)
    elif job.get("mode") == "program":
        run_program(job)
    elif job.get("program_test"):
        trace_program(job)
    else:
        trace(job)


# Standard modules programs often import (`typing` in most HumanEval prompts costs a run
# ~3 ms, `dataclasses` ~4): a warm template imports them once, so a program's import is a
# lookup in sys.modules. A program's changes to them stay in its own (copy-on-write) process.
WARM_MODULES = ("typing", "math", "random", "collections", "itertools", "functools", "operator", "heapq",
                "bisect", "string", "copy", "re", "fractions", "decimal", "datetime", "dataclasses",
                "statistics", "hashlib")


def warm_up():
    """Called once by a warm sandbox's fork server (egca_kit.warm), on fixed input, before
    any run: compiles tokenize's regular expressions (~2.6 ms) and imports WARM_MODULES,
    which each run, a fork of that template, would otherwise pay for again."""
    Program('def f():\n    """a\n    b"""\n    \'\'\'c\'\'\'\n    if "d" + \'e\':\n        pass\n')   # every quote kind
    import importlib
    for name in WARM_MODULES:
        try:
            importlib.import_module(name)
        except ImportError:
            pass


def open_channel():
    """Move the channel off fd 3 so a program writing to "fd 3" by accident cannot corrupt it;
    what we use is bound at import, so a program that monkeypatches modules cannot break us."""
    global _chan
    _chan = os.dup(CHANNEL_FD)
    os.close(CHANNEL_FD)


def entry():
    """Run the job on stdin and end the process (the harness forks into this for Run)."""
    try:
        open_channel()
        main()
    except BaseException as e:  # noqa: B036
        try:
            flush()
            emit({"t": "internal", "msg": "%s: %s" % (type(e).__name__, e)})
        except BaseException:
            pass
        os._exit(70)
    os._exit(0)


if __name__ == "__main__":
    entry()
