"""The Python runtime's tracer (child.py) emits exactly the events it always did.

Its hooks were rewritten for speed (event text written directly, STEPs that look only at
what a statement can have changed, the original hooks near the recursion limit); the events
below are what the original hooks (child.py as of commit 3fc2af9) emitted for these programs,
written down here so that any difference, however small, fails. Each program runs in a fresh
interpreter, so that even the recursion-limit case hits the limit at the same depth.
Line and position details are those of CPython 3.11. Every case runs twice: with the
tracer's C hooks (_lines.c, which handle the common line and call events) and without it.
"""

import json
import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHILD = ROOT / "runtimes" / "python" / "egca_runtime_python" / "child.py"

pytestmark = pytest.mark.skipif(sys.version_info[:2] != (3, 11),
                                reason="the expected events were recorded on CPython 3.11")

# (name, program, test code (one test per line) or None for a whole program traced as __main__, stdin, max_events, recursion_limit)
CASES = [
    ("scalar_loop", '''def walk(n):
    s = 0
    best = None
    for i in range(n):
        s += i * 1.5
        w = "ab"[i % 2]
        if i % 3 == 0:
            best = (i, w)
    return s, best
''', "walk(5)", "", 20000, 3000),
    ("containers_aliases", '''def f(n):
    xs = []
    ys = xs
    t = 0
    for i in range(n):
        xs.append(i)
        t += 1
        ys += [t]
        k = len(ys)
    d = {}
    e = d
    d[1] = xs[-1]
    d.setdefault(3, 4)
    e.pop(1)
    del d[3]
    s = {1}
    s2 = s
    s.add(5)
    s2.discard(1)
    return xs, d, s
''', "f(3)", "", 20000, 3000),
    ("nested_rows", '''def lps(s):
    n = len(s)
    L = [[0 for x in range(n)] for x in range(n)]
    row = L[1]
    for i in range(n):
        L[i][i] = 1
    for cl in range(2, n + 1):
        for i in range(n - cl + 1):
            j = i + cl - 1
            if s[i] == s[j]:
                L[i][j] = L[i + 1][j - 1] + 2
            else:
                L[i][j] = max(L[i][j - 1], L[i + 1][j])
    row.append(7)
    g = {1: [1], 2: [2]}
    adj = g[1]
    g[1][0] = 5
    adj.append(3)
    return L[0][n - 1]
''', "lps('abca')", "", 20000, 3000),
    ("closures_generators", '''def outer(n):
    total = 0
    acc = []
    def add(k):
        nonlocal total
        total += k
        acc.append(k)
        return total
    for i in range(n):
        add(i)
        j = i * 2
    def gen(m):
        for q in range(m):
            x = q * q
            yield x
    out = [v + 1 for v in gen(3)]
    s = sum(x for x in out)
    return total, acc, out, s
''', "outer(3)", "", 20000, 3000),
    ("exceptions_recursion", '''class MyErr(Exception):
    pass
def g(x):
    if x > 1:
        raise MyErr("big %d" % x)
    return x
def f(n):
    acc = []
    for i in range(n):
        try:
            acc.append(g(i))
        except MyErr as e:
            acc.append(str(e))
    return acc
def fib(n):
    if n < 2: return n
    return fib(n - 1) + fib(n - 2)
def bad(xs):
    y = xs[10]
    return y
''', "f(3)\nfib(4)\nbad([1])", "", 20000, 3000),
    ("shadowed_and_objects", '''def len(x):
    return 42
def h(xs):
    n = len(xs)
    m = max(xs)
    return n + m
class L(list):
    def append(self, x):
        super().append(x * 10)
class P:
    def __init__(self, v):
        self.v = v
    def __repr__(self):
        return "P(%d)" % self.v
def k():
    xs = L()
    for i in range(2):
        xs.append(i)
    ps = {P(2), P(1)}
    c = 0
    c += 1
    p = P(c)
    p.v = 5
    return xs, ps, p
''', "h([1, 2])\nk()", "", 20000, 3000),
    ("locals_decorators", '''import sys
def deco(fn):
    fn.tag = 1
    return fn
def f():
    a = 1
    d = locals()
    d["zz"] = 5
    b = a + 1
    @deco
    def inner():
        return 1
    c = b + 1
    return c
''', "f()", "", 20000, 3000),
    ("program_mode", '''import math
n = int(input())
xs = []
total = 0
for i in range(n):
    total += i
    xs.append(total)
    print(total)
def helper(a):
    b = a * 2
    return b
ys = [helper(x) for x in xs]
r = math.sqrt(total)
words = "a b".split()
print(ys, len(words))
''', None, "3\n", 20000, 3000),
    ("truncated", '''def f(n):
    xs = []
    t = 0
    for i in range(n):
        t += i
        xs.append(t)
    return t
''', "f(50)", "", 40, 3000),
    ("recursion_limit", '''def deep(n):
    x = [n]
    return deep(n + 1)
''', "deep(0)", "", 100000, 300),
    # Added with the C hooks (recorded from the hooks in Python alone): a statement that loops
    # back to itself, and a name rebound from a container to a number.
    ("one_line_loops", '''def f(n):
    while n > 0: n -= 1
    for i in range(3): n += i
    k = 0
    while k < 3: k += 1; n = n * 2
    xs = [1, 2]
    xs = 7
    return n + xs
''', "f(3)", "", 20000, 3000),
]

RUNNER = r"""
# Runs CASES with the child.py at argv[1], with its C hooks (argv[3] "c") or in Python
# alone ("python"); prints {name: {"events": [...], "result": [...]}} as JSON.
import io, json, os, sys, tempfile, importlib.util
spec = importlib.util.spec_from_file_location("child_under_test", sys.argv[1])
child = importlib.util.module_from_spec(spec)
spec.loader.exec_module(child)
if sys.argv[3] == "c":
    assert child._CHooks is not None, "the C hooks (_lines.c) are not built: pip install -e runtimes/python"
else:
    child._CHooks = None
exec(open(sys.argv[2]).read())
out = {}
for name, source, test, stdin, max_events, rl in CASES:
    fd, path = tempfile.mkstemp()
    child._chan = fd
    prog, ns, code = child.load(source, {"program": source, "recursion_limit": rl})
    tracer = child.Tracer(prog, max_events, module=test is None)
    real_out, real_in = sys.stdout, sys.stdin
    sys.stdin = io.TextIOWrapper(io.BytesIO(stdin.encode()))
    sys.stdout = io.StringIO()
    outcome = "ok"
    try:
        if test is None:
            ns["__name__"] = "__main__"
            tracer.out = []
            sys.stdout = child._Printed(sys.stdout, tracer.out)
            sys.settrace(tracer.global_trace)
            try:
                exec(code, ns)
            finally:
                sys.settrace(None)
        else:
            exec(code, ns)
            for line in test.splitlines():
                try:
                    sys.settrace(tracer.global_trace)
                    try:
                        exec(compile(line, "<test>", "exec"), dict(ns))
                    finally:
                        sys.settrace(None)
                except Exception as e:
                    outcome = type(e).__name__
    except Exception as e:
        outcome = type(e).__name__
    finally:
        sys.settrace(None)
        sys.stdout, sys.stdin = real_out, real_in
    child.flush()
    os.close(fd)
    with open(path, "rb") as f:
        lines = f.read().decode("utf-8").splitlines()
    os.unlink(path)
    out[name] = {"events": lines, "result": [outcome, tracer.count, tracer.truncated]}
print(json.dumps(out))
"""

EXPECTED = {
    'one_line_loops': {"result": ['ok', 15, False], "events": [
        '["C",0,1,1,"f",[["n",3]]]',
        '["S",1,1,1,[["n",2]]]',
        '["S",3,1,1,[["n",1]]]',
        '["S",3,1,1,[["n",0]]]',
        '["S",4,1,1,[["n",1],["i",1]]]',
        '["S",4,1,1,[["n",3],["i",2]]]',
        '["S",4,1,1,[]]',
        '["S",6,1,1,[["k",0]]]',
        '["S",7,1,1,[["n",6],["k",1]]]',
        '["S",9,1,1,[["n",12],["k",2]]]',
        '["S",9,1,1,[["n",24],["k",3]]]',
        '["S",11,1,1,[["xs",["l","list",2,[1,2]]]]]',
        '["S",12,1,1,[["xs",7]]]',
        '["S",13,1,1,[]]',
        '["R",13,1,1,31]',
    ]},
    'scalar_loop': {"result": ['ok', 39, False], "events": [
        '["C",0,1,1,"walk",[["n",5]]]',
        '["S",1,1,1,[["s",0]]]',
        '["S",2,1,1,[["best",null]]]',
        '["S",3,1,1,[["i",0]]]',
        '["B",3,1,1,true,"for"]',
        '["S",4,1,1,[]]',
        '["S",5,1,1,[["w","a"]]]',
        '["S",6,1,1,[]]',
        '["B",7,1,1,true,"if"]',
        '["S",8,1,1,[["best",["l","tuple",2,[0,"a"]]]]]',
        '["S",3,1,1,[["i",1]]]',
        '["B",3,1,1,true,"for"]',
        '["S",4,1,1,[["s",1.5]]]',
        '["S",5,1,1,[["w","b"]]]',
        '["S",6,1,1,[]]',
        '["B",7,1,1,false,"if"]',
        '["S",3,1,1,[["i",2]]]',
        '["B",3,1,1,true,"for"]',
        '["S",4,1,1,[["s",4.5]]]',
        '["S",5,1,1,[["w","a"]]]',
        '["S",6,1,1,[]]',
        '["B",7,1,1,false,"if"]',
        '["S",3,1,1,[["i",3]]]',
        '["B",3,1,1,true,"for"]',
        '["S",4,1,1,[["s",9.0]]]',
        '["S",5,1,1,[["w","b"]]]',
        '["S",6,1,1,[]]',
        '["B",7,1,1,true,"if"]',
        '["S",8,1,1,[["best",["l","tuple",2,[3,"b"]]]]]',
        '["S",3,1,1,[["i",4]]]',
        '["B",3,1,1,true,"for"]',
        '["S",4,1,1,[["s",15.0]]]',
        '["S",5,1,1,[["w","a"]]]',
        '["S",6,1,1,[]]',
        '["B",7,1,1,false,"if"]',
        '["S",3,1,1,[]]',
        '["B",3,1,1,false,"for"]',
        '["S",9,1,1,[]]',
        '["R",9,1,1,["l","tuple",2,[15.0,["l","tuple",2,[3,"b"]]]]]',
    ]},
    'containers_aliases': {"result": ['ok', 36, False], "events": [
        '["C",0,1,1,"f",[["n",3]]]',
        '["S",1,1,1,[["xs",["l","list",0,[]]]]]',
        '["S",2,1,1,[["ys",["l","list",0,[]]]]]',
        '["S",3,1,1,[["t",0]]]',
        '["S",4,1,1,[["i",0]]]',
        '["B",4,1,1,true,"for"]',
        '["S",5,1,1,[["xs",["l","list",1,[0]]],["ys",["l","list",1,[0]]]]]',
        '["S",6,1,1,[["t",1]]]',
        '["S",7,1,1,[["xs",["l","list",2,[0,1]]],["ys",["l","list",2,[0,1]]]]]',
        '["S",8,1,1,[["k",2]]]',
        '["S",4,1,1,[["i",1]]]',
        '["B",4,1,1,true,"for"]',
        '["S",5,1,1,[["xs",["l","list",3,[0,1,1]]],["ys",["l","list",3,[0,1,1]]]]]',
        '["S",6,1,1,[["t",2]]]',
        '["S",7,1,1,[["xs",["l","list",4,[0,1,1,2]]],["ys",["l","list",4,[0,1,1,2]]]]]',
        '["S",8,1,1,[["k",4]]]',
        '["S",4,1,1,[["i",2]]]',
        '["B",4,1,1,true,"for"]',
        '["S",5,1,1,[["xs",["l","list",5,[0,1,1,2,2]]],["ys",["l","list",5,[0,1,1,2,2]]]]]',
        '["S",6,1,1,[["t",3]]]',
        '["S",7,1,1,[["xs",["l","list",6,[0,1,1,2,2,3]]],["ys",["l","list",6,[0,1,1,2,2,3]]]]]',
        '["S",8,1,1,[["k",6]]]',
        '["S",4,1,1,[]]',
        '["B",4,1,1,false,"for"]',
        '["S",9,1,1,[["d",["m","dict",0,[]]]]]',
        '["S",10,1,1,[["e",["m","dict",0,[]]]]]',
        '["S",11,1,1,[["d",["m","dict",1,[[1,3]]]],["e",["m","dict",1,[[1,3]]]]]]',
        '["S",12,1,1,[["d",["m","dict",2,[[1,3],[3,4]]]],["e",["m","dict",2,[[1,3],[3,4]]]]]]',
        '["S",13,1,1,[["d",["m","dict",1,[[3,4]]]],["e",["m","dict",1,[[3,4]]]]]]',
        '["S",14,1,1,[["d",["m","dict",0,[]]],["e",["m","dict",0,[]]]]]',
        '["S",15,1,1,[["s",["l","set",1,[1]]]]]',
        '["S",16,1,1,[["s2",["l","set",1,[1]]]]]',
        '["S",17,1,1,[["s",["l","set",2,[1,5]]],["s2",["l","set",2,[1,5]]]]]',
        '["S",18,1,1,[["s",["l","set",1,[5]]],["s2",["l","set",1,[5]]]]]',
        '["S",19,1,1,[]]',
        '["R",19,1,1,["l","tuple",3,[["l","list",6,[0,1,1,2,2,3]],["m","dict",0,[]],["l","set",1,[5]]]]]',
    ]},
    'nested_rows': {"result": ['ok', 75, False], "events": [
        '["C",0,1,1,"lps",[["s","abca"]]]',
        '["S",1,1,1,[["n",4]]]',
        '["S",2,1,1,[["L",["l","list",4,[["l","list",4,[0,0,0,0]],["l","list",4,[0,0,0,0]],["l","list",4,[0,0,0,0]],["l","list",4,[0,0,0,0]]]]]]]',
        '["S",3,1,1,[["row",["l","list",4,[0,0,0,0]]]]]',
        '["S",4,1,1,[["i",0]]]',
        '["B",4,1,1,true,"for"]',
        '["S",5,1,1,[["L",["l","list",4,[["l","list",4,[1,0,0,0]],["l","list",4,[0,0,0,0]],["l","list",4,[0,0,0,0]],["l","list",4,[0,0,0,0]]]]]]]',
        '["S",4,1,1,[["i",1]]]',
        '["B",4,1,1,true,"for"]',
        '["S",5,1,1,[["L",["l","list",4,[["l","list",4,[1,0,0,0]],["l","list",4,[0,1,0,0]],["l","list",4,[0,0,0,0]],["l","list",4,[0,0,0,0]]]]],["row",["l","list",4,[0,1,0,0]]]]]',
        '["S",4,1,1,[["i",2]]]',
        '["B",4,1,1,true,"for"]',
        '["S",5,1,1,[["L",["l","list",4,[["l","list",4,[1,0,0,0]],["l","list",4,[0,1,0,0]],["l","list",4,[0,0,1,0]],["l","list",4,[0,0,0,0]]]]]]]',
        '["S",4,1,1,[["i",3]]]',
        '["B",4,1,1,true,"for"]',
        '["S",5,1,1,[["L",["l","list",4,[["l","list",4,[1,0,0,0]],["l","list",4,[0,1,0,0]],["l","list",4,[0,0,1,0]],["l","list",4,[0,0,0,1]]]]]]]',
        '["S",4,1,1,[]]',
        '["B",4,1,1,false,"for"]',
        '["S",6,1,1,[["cl",2]]]',
        '["B",6,1,1,true,"for"]',
        '["S",7,1,1,[["i",0]]]',
        '["B",7,1,1,true,"for"]',
        '["S",8,1,1,[["j",1]]]',
        '["S",9,1,1,[]]',
        '["B",10,1,1,false,"if"]',
        '["S",12,1,1,[["L",["l","list",4,[["l","list",4,[1,1,0,0]],["l","list",4,[0,1,0,0]],["l","list",4,[0,0,1,0]],["l","list",4,[0,0,0,1]]]]]]]',
        '["S",7,1,1,[["i",1]]]',
        '["B",7,1,1,true,"for"]',
        '["S",8,1,1,[["j",2]]]',
        '["S",9,1,1,[]]',
        '["B",10,1,1,false,"if"]',
        '["S",12,1,1,[["L",["l","list",4,[["l","list",4,[1,1,0,0]],["l","list",4,[0,1,1,0]],["l","list",4,[0,0,1,0]],["l","list",4,[0,0,0,1]]]]],["row",["l","list",4,[0,1,1,0]]]]]',
        '["S",7,1,1,[["i",2]]]',
        '["B",7,1,1,true,"for"]',
        '["S",8,1,1,[["j",3]]]',
        '["S",9,1,1,[]]',
        '["B",10,1,1,false,"if"]',
        '["S",12,1,1,[["L",["l","list",4,[["l","list",4,[1,1,0,0]],["l","list",4,[0,1,1,0]],["l","list",4,[0,0,1,1]],["l","list",4,[0,0,0,1]]]]]]]',
        '["S",7,1,1,[]]',
        '["B",7,1,1,false,"for"]',
        '["S",6,1,1,[["cl",3]]]',
        '["B",6,1,1,true,"for"]',
        '["S",7,1,1,[["i",0]]]',
        '["B",7,1,1,true,"for"]',
        '["S",8,1,1,[["j",2]]]',
        '["S",9,1,1,[]]',
        '["B",10,1,1,false,"if"]',
        '["S",12,1,1,[["L",["l","list",4,[["l","list",4,[1,1,1,0]],["l","list",4,[0,1,1,0]],["l","list",4,[0,0,1,1]],["l","list",4,[0,0,0,1]]]]]]]',
        '["S",7,1,1,[["i",1]]]',
        '["B",7,1,1,true,"for"]',
        '["S",8,1,1,[["j",3]]]',
        '["S",9,1,1,[]]',
        '["B",10,1,1,false,"if"]',
        '["S",12,1,1,[["L",["l","list",4,[["l","list",4,[1,1,1,0]],["l","list",4,[0,1,1,1]],["l","list",4,[0,0,1,1]],["l","list",4,[0,0,0,1]]]]],["row",["l","list",4,[0,1,1,1]]]]]',
        '["S",7,1,1,[]]',
        '["B",7,1,1,false,"for"]',
        '["S",6,1,1,[["cl",4]]]',
        '["B",6,1,1,true,"for"]',
        '["S",7,1,1,[["i",0]]]',
        '["B",7,1,1,true,"for"]',
        '["S",8,1,1,[]]',
        '["S",9,1,1,[]]',
        '["B",10,1,1,true,"if"]',
        '["S",11,1,1,[["L",["l","list",4,[["l","list",4,[1,1,1,3]],["l","list",4,[0,1,1,1]],["l","list",4,[0,0,1,1]],["l","list",4,[0,0,0,1]]]]]]]',
        '["S",7,1,1,[]]',
        '["B",7,1,1,false,"for"]',
        '["S",6,1,1,[]]',
        '["B",6,1,1,false,"for"]',
        '["S",13,1,1,[["L",["l","list",4,[["l","list",4,[1,1,1,3]],["l","list",5,[0,1,1,1,7]],["l","list",4,[0,0,1,1]],["l","list",4,[0,0,0,1]]]]],["row",["l","list",5,[0,1,1,1,7]]]]]',
        '["S",14,1,1,[["g",["m","dict",2,[[1,["l","list",1,[1]]],[2,["l","list",1,[2]]]]]]]]',
        '["S",15,1,1,[["adj",["l","list",1,[1]]]]]',
        '["S",16,1,1,[["g",["m","dict",2,[[1,["l","list",1,[5]]],[2,["l","list",1,[2]]]]]],["adj",["l","list",1,[5]]]]]',
        '["S",17,1,1,[["g",["m","dict",2,[[1,["l","list",2,[5,3]]],[2,["l","list",1,[2]]]]]],["adj",["l","list",2,[5,3]]]]]',
        '["S",18,1,1,[]]',
        '["R",18,1,1,3]',
    ]},
    'closures_generators': {"result": ['ok', 54, False], "events": [
        '["C",0,1,1,"outer",[["n",3]]]',
        '["S",1,1,1,[["total",0]]]',
        '["S",2,1,1,[["acc",["l","list",0,[]]]]]',
        '["S",3,1,1,[["add",["x","<function outer.<locals>.add>"]]]]',
        '["S",8,1,1,[["i",0]]]',
        '["B",8,1,1,true,"for"]',
        '["C",3,2,2,"add",[["k",0]]]',
        '["S",5,2,2,[]]',
        '["S",6,2,2,[]]',
        '["S",7,2,2,[]]',
        '["R",7,2,2,0]',
        '["S",9,1,1,[["acc",["l","list",1,[0]]]]]',
        '["S",10,1,1,[["j",0]]]',
        '["S",8,1,1,[["i",1]]]',
        '["B",8,1,1,true,"for"]',
        '["C",3,3,2,"add",[["k",1]]]',
        '["S",5,3,2,[]]',
        '["S",6,3,2,[]]',
        '["S",7,3,2,[]]',
        '["R",7,3,2,1]',
        '["S",9,1,1,[["total",1],["acc",["l","list",2,[0,1]]]]]',
        '["S",10,1,1,[["j",2]]]',
        '["S",8,1,1,[["i",2]]]',
        '["B",8,1,1,true,"for"]',
        '["C",3,4,2,"add",[["k",2]]]',
        '["S",5,4,2,[]]',
        '["S",6,4,2,[]]',
        '["S",7,4,2,[]]',
        '["R",7,4,2,3]',
        '["S",9,1,1,[["total",3],["acc",["l","list",3,[0,1,2]]]]]',
        '["S",10,1,1,[["j",4]]]',
        '["S",8,1,1,[]]',
        '["B",8,1,1,false,"for"]',
        '["S",11,1,1,[["gen",["x","<function outer.<locals>.gen>"]]]]',
        '["C",11,5,2,"gen",[["m",3]]]',
        '["S",12,5,2,[["q",0]]]',
        '["B",12,5,2,true,"for"]',
        '["S",13,5,2,[["x",0]]]',
        '["S",14,5,2,[]]',
        '["S",12,5,2,[["q",1]]]',
        '["B",12,5,2,true,"for"]',
        '["S",13,5,2,[["x",1]]]',
        '["S",14,5,2,[]]',
        '["S",12,5,2,[["q",2]]]',
        '["B",12,5,2,true,"for"]',
        '["S",13,5,2,[["x",4]]]',
        '["S",14,5,2,[]]',
        '["S",12,5,2,[]]',
        '["B",12,5,2,false,"for"]',
        '["R",11,5,2,null]',
        '["S",15,1,1,[["out",["l","list",3,[1,2,5]]]]]',
        '["S",16,1,1,[["s",8]]]',
        '["S",17,1,1,[]]',
        '["R",17,1,1,["l","tuple",4,[3,["l","list",3,[0,1,2]],["l","list",3,[1,2,5]],8]]]',
    ]},
    'exceptions_recursion': {"result": ['IndexError', 66, False], "events": [
        '["C",7,1,1,"f",[["n",3]]]',
        '["S",8,1,1,[["acc",["l","list",0,[]]]]]',
        '["S",9,1,1,[["i",0]]]',
        '["B",9,1,1,true,"for"]',
        '["S",10,1,1,[]]',
        '["C",2,2,2,"g",[["x",0]]]',
        '["S",3,2,2,[]]',
        '["B",4,2,2,false,"if"]',
        '["S",6,2,2,[]]',
        '["R",6,2,2,0]',
        '["S",11,1,1,[["acc",["l","list",1,[0]]]]]',
        '["S",9,1,1,[["i",1]]]',
        '["B",9,1,1,true,"for"]',
        '["S",10,1,1,[]]',
        '["C",2,3,2,"g",[["x",1]]]',
        '["S",3,3,2,[]]',
        '["B",4,3,2,false,"if"]',
        '["S",6,3,2,[]]',
        '["R",6,3,2,1]',
        '["S",11,1,1,[["acc",["l","list",2,[0,1]]]]]',
        '["S",9,1,1,[["i",2]]]',
        '["B",9,1,1,true,"for"]',
        '["S",10,1,1,[]]',
        '["C",2,4,2,"g",[["x",2]]]',
        '["S",3,4,2,[]]',
        '["B",4,4,2,true,"if"]',
        '["X",5,4,2,"MyErr: big 2"]',
        '["X",11,1,1,"MyErr: big 2"]',
        '["S",12,1,1,[["acc",["l","list",3,[0,1,"big 2"]]]]]',
        '["S",9,1,1,[]]',
        '["B",9,1,1,false,"for"]',
        '["S",13,1,1,[]]',
        '["R",13,1,1,["l","list",3,[0,1,"big 2"]]]',
        '["C",14,5,1,"fib",[["n",4]]]',
        '["S",15,5,1,[]]',
        '["C",14,6,2,"fib",[["n",3]]]',
        '["S",15,6,2,[]]',
        '["C",14,7,3,"fib",[["n",2]]]',
        '["S",15,7,3,[]]',
        '["C",14,8,4,"fib",[["n",1]]]',
        '["S",15,8,4,[]]',
        '["R",17,8,4,1]',
        '["C",14,9,4,"fib",[["n",0]]]',
        '["S",15,9,4,[]]',
        '["R",17,9,4,0]',
        '["S",18,7,3,[]]',
        '["R",18,7,3,1]',
        '["C",14,10,3,"fib",[["n",1]]]',
        '["S",15,10,3,[]]',
        '["R",17,10,3,1]',
        '["S",18,6,2,[]]',
        '["R",18,6,2,2]',
        '["C",14,11,2,"fib",[["n",2]]]',
        '["S",15,11,2,[]]',
        '["C",14,12,3,"fib",[["n",1]]]',
        '["S",15,12,3,[]]',
        '["R",17,12,3,1]',
        '["C",14,13,3,"fib",[["n",0]]]',
        '["S",15,13,3,[]]',
        '["R",17,13,3,0]',
        '["S",18,11,2,[]]',
        '["R",18,11,2,1]',
        '["S",18,5,1,[]]',
        '["R",18,5,1,3]',
        '["C",19,14,1,"bad",[["xs",["l","list",1,[1]]]]]',
        '["X",20,14,1,"IndexError: list index out of range"]',
    ]},
    'shadowed_and_objects': {"result": ['ok', 40, False], "events": [
        '["C",2,1,1,"h",[["xs",["l","list",2,[1,2]]]]]',
        '["C",0,2,2,"len",[["x",["l","list",2,[1,2]]]]]',
        '["S",1,2,2,[]]',
        '["R",1,2,2,42]',
        '["S",3,1,1,[["n",42]]]',
        '["S",4,1,1,[["m",2]]]',
        '["S",5,1,1,[]]',
        '["R",5,1,1,44]',
        '["C",14,3,1,"k",[]]',
        '["S",15,3,1,[["xs",["l","L",0,[]]]]]',
        '["S",16,3,1,[["i",0]]]',
        '["B",16,3,1,true,"for"]',
        '["C",7,4,2,"append",[["self",["l","L",0,[]]],["x",0]]]',
        '["S",8,4,2,[["self",["l","L",1,[0]]]]]',
        '["R",7,4,2,null]',
        '["S",17,3,1,[["xs",["l","L",1,[0]]]]]',
        '["S",16,3,1,[["i",1]]]',
        '["B",16,3,1,true,"for"]',
        '["C",7,5,2,"append",[["self",["l","L",1,[0]]],["x",1]]]',
        '["S",8,5,2,[["self",["l","L",2,[0,10]]]]]',
        '["R",7,5,2,null]',
        '["S",17,3,1,[["xs",["l","L",2,[0,10]]]]]',
        '["S",16,3,1,[]]',
        '["B",16,3,1,false,"for"]',
        '["C",10,6,2,"__init__",[["self",["o","P",[]]],["v",2]]]',
        '["S",11,6,2,[["self",["o","P",[["v",2]]]]]]',
        '["R",10,6,2,null]',
        '["C",10,7,2,"__init__",[["self",["o","P",[]]],["v",1]]]',
        '["S",11,7,2,[["self",["o","P",[["v",1]]]]]]',
        '["R",10,7,2,null]',
        '["S",18,3,1,[["ps",["l","set",2,[["o","P",[["v",1]]],["o","P",[["v",2]]]]]]]]',
        '["S",19,3,1,[["c",0]]]',
        '["S",20,3,1,[["c",1]]]',
        '["C",10,8,2,"__init__",[["self",["o","P",[]]],["v",1]]]',
        '["S",11,8,2,[["self",["o","P",[["v",1]]]]]]',
        '["R",10,8,2,null]',
        '["S",21,3,1,[["p",["o","P",[["v",1]]]]]]',
        '["S",22,3,1,[["p",["o","P",[["v",5]]]]]]',
        '["S",23,3,1,[]]',
        '["R",23,3,1,["l","tuple",3,[["l","L",2,[0,10]],["l","set",2,[["o","P",[["v",1]]],["o","P",[["v",2]]]]],["o","P",[["v",5]]]]]]',
    ]},
    'locals_decorators': {"result": ['ok', 13, False], "events": [
        '["C",4,1,1,"f",[]]',
        '["S",5,1,1,[["a",1]]]',
        '["S",6,1,1,[["d",["m","dict",2,[["a",1],["d",["m","dict",2,[["a",1],["d",["m","dict",2,[["a",1],["d",["m","dict",2,[["a",1],["d",["x","<dict of 2>"]]]]]]]]]]]]]]]]',
        '["S",7,1,1,[["d",["m","dict",3,[["a",1],["d",["m","dict",3,[["a",1],["d",["m","dict",3,[["a",1],["d",["m","dict",3,[["a",1],["d",["x","<dict of 3>"]],["zz",5]]]],["zz",5]]]],["zz",5]]]],["zz",5]]]],["zz",5]]]',
        '["S",8,1,1,[["d",["m","dict",4,[["a",1],["d",["m","dict",4,[["a",1],["d",["m","dict",4,[["a",1],["d",["m","dict",4,[["a",1],["d",["x","<dict of 4>"]],["zz",5],["b",2]]]],["zz",5],["b",2]]]],["zz",5],["b",2]]]],["zz",5],["b",2]]]],["b",2]]]',
        '["C",1,2,2,"deco",[["fn",["x","<function f.<locals>.inner>"]]]]',
        '["S",2,2,2,[]]',
        '["S",3,2,2,[]]',
        '["R",3,2,2,["x","<function f.<locals>.inner>"]]',
        '["S",9,1,1,[["d",["m","dict",5,[["a",1],["d",["m","dict",5,[["a",1],["d",["m","dict",5,[["a",1],["d",["m","dict",5,[["a",1],["d",["x","<dict of 5>"]],["zz",5],["b",2],["inner",["x","<function f.<locals>.inner>"]]]]],["zz",5],["b",2],["inner",["x","<function f.<locals>.inner>"]]]]],["zz",5],["b",2],["inner",["x","<function f.<locals>.inner>"]]]]],["zz",5],["b",2],["inner",["x","<function f.<locals>.inner>"]]]]],["inner",["x","<function f.<locals>.inner>"]]]]',
        '["S",11,1,1,[["d",["m","dict",6,[["a",1],["d",["m","dict",6,[["a",1],["d",["m","dict",6,[["a",1],["d",["m","dict",6,[["a",1],["d",["x","<dict of 6>"]],["zz",5],["b",2],["inner",["x","<function f.<locals>.inner>"]],["c",3]]]],["zz",5],["b",2],["inner",["x","<function f.<locals>.inner>"]],["c",3]]]],["zz",5],["b",2],["inner",["x","<function f.<locals>.inner>"]],["c",3]]]],["zz",5],["b",2],["inner",["x","<function f.<locals>.inner>"]],["c",3]]]],["c",3]]]',
        '["S",12,1,1,[]]',
        '["R",12,1,1,3]',
    ]},
    'program_mode': {"result": ['ok', 40, False], "events": [
        '["C",null,1,1,"<module>",[]]',
        '["S",0,1,1,[]]',
        '["S",1,1,1,[["n",3]]]',
        '["S",2,1,1,[["xs",["l","list",0,[]]]]]',
        '["S",3,1,1,[["total",0]]]',
        '["S",4,1,1,[["i",0]]]',
        '["B",4,1,1,true,"for"]',
        '["S",5,1,1,[]]',
        '["S",6,1,1,[["xs",["l","list",1,[0]]]]]',
        '["S",7,1,1,[["<stdout>","0\\n"]]]',
        '["S",4,1,1,[["i",1]]]',
        '["B",4,1,1,true,"for"]',
        '["S",5,1,1,[["total",1]]]',
        '["S",6,1,1,[["xs",["l","list",2,[0,1]]]]]',
        '["S",7,1,1,[["<stdout>","1\\n"]]]',
        '["S",4,1,1,[["i",2]]]',
        '["B",4,1,1,true,"for"]',
        '["S",5,1,1,[["total",3]]]',
        '["S",6,1,1,[["xs",["l","list",3,[0,1,3]]]]]',
        '["S",7,1,1,[["<stdout>","3\\n"]]]',
        '["S",4,1,1,[]]',
        '["B",4,1,1,false,"for"]',
        '["S",8,1,1,[]]',
        '["C",8,2,2,"helper",[["a",0]]]',
        '["S",9,2,2,[["b",0]]]',
        '["S",10,2,2,[]]',
        '["R",10,2,2,0]',
        '["C",8,3,2,"helper",[["a",1]]]',
        '["S",9,3,2,[["b",2]]]',
        '["S",10,3,2,[]]',
        '["R",10,3,2,2]',
        '["C",8,4,2,"helper",[["a",3]]]',
        '["S",9,4,2,[["b",6]]]',
        '["S",10,4,2,[]]',
        '["R",10,4,2,6]',
        '["S",11,1,1,[["ys",["l","list",3,[0,2,6]]]]]',
        '["S",12,1,1,[["r",1.7320508075688772]]]',
        '["S",13,1,1,[["words",["l","list",2,["a","b"]]]]]',
        '["S",14,1,1,[["<stdout>","[0, 2, 6] 2\\n"]]]',
        '["R",null,1,1,null]',
    ]},
    'truncated': {"result": ['ok', 40, True], "events": [
        '["C",0,1,1,"f",[["n",50]]]',
        '["S",1,1,1,[["xs",["l","list",0,[]]]]]',
        '["S",2,1,1,[["t",0]]]',
        '["S",3,1,1,[["i",0]]]',
        '["B",3,1,1,true,"for"]',
        '["S",4,1,1,[]]',
        '["S",5,1,1,[["xs",["l","list",1,[0]]]]]',
        '["S",3,1,1,[["i",1]]]',
        '["B",3,1,1,true,"for"]',
        '["S",4,1,1,[["t",1]]]',
        '["S",5,1,1,[["xs",["l","list",2,[0,1]]]]]',
        '["S",3,1,1,[["i",2]]]',
        '["B",3,1,1,true,"for"]',
        '["S",4,1,1,[["t",3]]]',
        '["S",5,1,1,[["xs",["l","list",3,[0,1,3]]]]]',
        '["S",3,1,1,[["i",3]]]',
        '["B",3,1,1,true,"for"]',
        '["S",4,1,1,[["t",6]]]',
        '["S",5,1,1,[["xs",["l","list",4,[0,1,3,6]]]]]',
        '["S",3,1,1,[["i",4]]]',
        '["B",3,1,1,true,"for"]',
        '["S",4,1,1,[["t",10]]]',
        '["S",5,1,1,[["xs",["l","list",5,[0,1,3,6,10]]]]]',
        '["S",3,1,1,[["i",5]]]',
        '["B",3,1,1,true,"for"]',
        '["S",4,1,1,[["t",15]]]',
        '["S",5,1,1,[["xs",["l","list",6,[0,1,3,6,10,15]]]]]',
        '["S",3,1,1,[["i",6]]]',
        '["B",3,1,1,true,"for"]',
        '["S",4,1,1,[["t",21]]]',
        '["S",5,1,1,[["xs",["l","list",7,[0,1,3,6,10,15,21]]]]]',
        '["S",3,1,1,[["i",7]]]',
        '["B",3,1,1,true,"for"]',
        '["S",4,1,1,[["t",28]]]',
        '["S",5,1,1,[["xs",["l","list",8,[0,1,3,6,10,15,21,28]]]]]',
        '["S",3,1,1,[["i",8]]]',
        '["B",3,1,1,true,"for"]',
        '["S",4,1,1,[["t",36]]]',
        '["S",5,1,1,[["xs",["l","list",9,[0,1,3,6,10,15,21,28,36]]]]]',
        '["S",3,1,1,[["i",9]]]',
    ]},
    'recursion_limit': {"result": ['RecursionError', 574, False], "lines": 573, "sha256": 'f1f265a1fb010b8ddb9d42fefaec7b1d1f03b8984d0dcd2a84e12d8ee70f8b16',
        "tail": [
            '["S",1,285,285,[["x",["l","list",1,[284]]]]]',
            '["C",0,286,286,"deep",[["n",285]]]',
            '["S",1,286,286,[["x",["l","list",1,[285]]]]]',
            '["C",0,287,287,"deep",[["n",286]]]',
        ]},
}


@pytest.fixture(scope="module", params=["c", "python"], ids=["C hooks", "Python alone"])
def traced(tmp_path_factory, request):
    d = tmp_path_factory.mktemp("tracer")
    runner = d / "runner.py"
    runner.write_text(RUNNER, encoding="utf-8")
    cases = d / "cases.py"
    cases.write_text("CASES = " + repr(CASES), encoding="utf-8")
    proc = subprocess.run([sys.executable, str(runner), str(CHILD), str(cases), request.param], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.mark.parametrize("name", [c[0] for c in CASES])
def test_events_unchanged(traced, name):
    got, want = traced[name], EXPECTED[name]
    assert got["result"] == want["result"]
    if "events" in want:
        assert got["events"] == want["events"]
    else:
        assert len(got["events"]) == want["lines"]
        assert got["events"][-len(want["tail"]):] == want["tail"]
        assert hashlib.sha256("\n".join(got["events"]).encode()).hexdigest() == want["sha256"]


TAMPERING = r'''
import io, os, sys, tempfile, importlib.util
spec = importlib.util.spec_from_file_location("child_under_test", sys.argv[1])
child = importlib.util.module_from_spec(spec)
spec.loader.exec_module(child)
assert child._CHooks is not None, "the C hooks (_lines.c) are not built: pip install -e runtimes/python"
SRC = """import sys
class Key:                       # met by the C hook's check that `range` is still the builtin
    def __hash__(self):
        return hash("range")
    def __eq__(self, other):
        import gc
        for st in gc.get_objects():      # every frame's state list, emptied
            if type(st) is list and len(st) == 17 and type(st[7]) is str and st[7].startswith(","):
                st.clear()
        return False
def f(n):
    s = 0
    for i in range(n):       # from the third pass, checking `range` runs Key.__eq__
        s += i
        if i == 1:
            globals()[Key()] = 1
    return s
def finished():
    return sys._getframe()
def g():
    hooks = [sys._getframe().f_trace, sys.gettrace()]
    done = finished()
    for args in [(), (1, 2, 3), (sys._getframe(), "line", None), (None, "line", None), (sys._getframe(), 1, 2),
                 (sys._getframe(), "call", None), (None, "call", None), (done, "call", None), (done, "line", None),
                 (done, "return", None)]:
        for hook in hooks:
            try:
                hook(*args)
            except Exception:
                pass
    return 1
"""
for test in ("f(10)", "g()"):
    fd, path = tempfile.mkstemp()
    child._chan = fd
    prog, ns, code = child.load(SRC, {"program": SRC, "recursion_limit": 3000})
    exec(code, ns)
    tracer = child.Tracer(prog, 20000)
    sys.settrace(tracer.global_trace)
    try:
        exec(compile(test, "<test>", "exec"), dict(ns))
        outcome = "ok"
    except Exception as e:
        outcome = type(e).__name__
    finally:
        sys.settrace(None)
    child.flush()
    os.close(fd)
    print(test, outcome, len(open(path).read().splitlines()))
'''


def test_a_program_that_tampers_with_the_tracer_cannot_crash_its_c_hooks(tmp_path):
    """The program runs in the tracer's process: it can reach the hooks' state (through
    sys.gettrace()), run its own code in the middle of the C hook's checks (a globals key whose
    hash collides with a builtin's name) and call its frame's hook and the global one with
    anything, a finished frame included. That may spoil
    its own trace, as it could in Python; it must not crash the process."""
    script = tmp_path / "tamper.py"
    script.write_text(TAMPERING, encoding="utf-8")
    proc = subprocess.run([sys.executable, str(script), str(CHILD)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    (f, f_outcome, _), (g, g_outcome, g_events) = [line.split(" ") for line in proc.stdout.splitlines()]
    assert (f, f_outcome) == ("f(10)", "IndexError")     # the Python hook found the state it was given
    assert (g, g_outcome) == ("g()", "ok") and int(g_events) > 3
