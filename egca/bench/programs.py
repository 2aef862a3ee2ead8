"""A small shipped set of whole-program problems (stdin/stdout, competitive-programming style)
with references in Python, C and JavaScript, for `egca bench localize --programs`: seeded
mutants of each reference are analysed as whole programs (their tests run through the
runtime kit's program tests). Written for EGCA, under the project's licence; each
problem's expected outputs are its Python reference's, computed here (our own code).
"""

from __future__ import annotations

import contextlib
import functools
import io
import sys

from egca.problem import Problem

PROMPT = {"python": "# {}\n", "c": "/* {} */\n", "javascript": "// {}\n"}

# (name, statement, inputs, {language: reference})
SPECS = [
    ("at_least_k", "Read n and k, then n integers: print how many are at least k.",
     ["3 2\n1 2 3\n", "4 5\n4 6 1 9\n", "1 0\n7\n", "5 3\n3 3 3 1 2\n"],
     {"python": "n, k = map(int, input().split())\nxs = list(map(int, input().split()))\ncount = 0\nfor x in xs:\n    if x >= k:\n        count += 1\nprint(count)\n",
      "c": "#include <stdio.h>\nint main(void) {\n    int n, k;\n    scanf(\"%d %d\", &n, &k);\n    int count = 0;\n    for (int i = 0; i < n; i++) {\n        int x;\n        scanf(\"%d\", &x);\n        if (x >= k) count++;\n    }\n    printf(\"%d\\n\", count);\n    return 0;\n}\n",
      "javascript": "const d = require('fs').readFileSync(0, 'utf8').split(/\\s+/).filter(Boolean).map(Number);\nconst n = d[0], k = d[1];\nlet count = 0;\nfor (let i = 0; i < n; i++) {\n  if (d[2 + i] >= k) count++;\n}\nconsole.log(count);\n"}),
    ("max_min", "Read n, then n integers: print the largest and the smallest.",
     ["3\n1 5 2\n", "1\n-4\n", "4\n-1 -7 3 3\n", "5\n9 8 7 6 5\n"],
     {"python": "n = int(input())\nxs = list(map(int, input().split()))\nhi = xs[0]\nlo = xs[0]\nfor i in range(1, n):\n    if xs[i] > hi:\n        hi = xs[i]\n    if xs[i] < lo:\n        lo = xs[i]\nprint(hi, lo)\n",
      "c": "#include <stdio.h>\nint main(void) {\n    int n;\n    scanf(\"%d\", &n);\n    int xs[1000];\n    for (int i = 0; i < n; i++) scanf(\"%d\", &xs[i]);\n    int hi = xs[0], lo = xs[0];\n    for (int i = 1; i < n; i++) {\n        if (xs[i] > hi) hi = xs[i];\n        if (xs[i] < lo) lo = xs[i];\n    }\n    printf(\"%d %d\\n\", hi, lo);\n    return 0;\n}\n",
      "javascript": "const d = require('fs').readFileSync(0, 'utf8').split(/\\s+/).filter(Boolean).map(Number);\nconst n = d[0];\nconst xs = d.slice(1, 1 + n);\nlet hi = xs[0], lo = xs[0];\nfor (let i = 1; i < n; i++) {\n  if (xs[i] > hi) hi = xs[i];\n  if (xs[i] < lo) lo = xs[i];\n}\nconsole.log(hi + ' ' + lo);\n"}),
    ("prefix_sums", "Read n, then n integers: print their prefix sums on one line.",
     ["3\n1 2 3\n", "1\n5\n", "4\n-1 2 -3 4\n"],
     {"python": "n = int(input())\nxs = list(map(int, input().split()))\ntotal = 0\nout = []\nfor x in xs:\n    total += x\n    out.append(total)\nprint(*out)\n",
      "c": "#include <stdio.h>\nint main(void) {\n    int n;\n    scanf(\"%d\", &n);\n    long total = 0;\n    for (int i = 0; i < n; i++) {\n        int x;\n        scanf(\"%d\", &x);\n        total += x;\n        printf(i + 1 < n ? \"%ld \" : \"%ld\\n\", total);\n    }\n    return 0;\n}\n",
      "javascript": "const d = require('fs').readFileSync(0, 'utf8').split(/\\s+/).filter(Boolean).map(Number);\nconst n = d[0];\nlet total = 0;\nconst out = [];\nfor (let i = 0; i < n; i++) {\n  total += d[1 + i];\n  out.push(total);\n}\nconsole.log(out.join(' '));\n"}),
    ("count_even", "Read n, then n integers: print how many are even.",
     ["4\n1 2 3 4\n", "3\n1 3 5\n", "5\n0 -2 7 8 10\n"],
     {"python": "n = int(input())\nxs = list(map(int, input().split()))\nevens = 0\nfor x in xs:\n    if x % 2 == 0:\n        evens += 1\nprint(evens)\n",
      "c": "#include <stdio.h>\nint main(void) {\n    int n;\n    scanf(\"%d\", &n);\n    int evens = 0;\n    for (int i = 0; i < n; i++) {\n        int x;\n        scanf(\"%d\", &x);\n        if (x % 2 == 0) evens++;\n    }\n    printf(\"%d\\n\", evens);\n    return 0;\n}\n",
      "javascript": "const d = require('fs').readFileSync(0, 'utf8').split(/\\s+/).filter(Boolean).map(Number);\nconst n = d[0];\nlet evens = 0;\nfor (let i = 1; i <= n; i++) {\n  if (d[i] % 2 === 0) evens++;\n}\nconsole.log(evens);\n"}),
    ("fizzbuzz", "Read n: print 1..n, Fizz for multiples of 3, Buzz of 5, FizzBuzz of both, one a line.",
     ["5\n", "15\n", "1\n"],
     {"python": "n = int(input())\nfor i in range(1, n + 1):\n    if i % 15 == 0:\n        print(\"FizzBuzz\")\n    elif i % 3 == 0:\n        print(\"Fizz\")\n    elif i % 5 == 0:\n        print(\"Buzz\")\n    else:\n        print(i)\n",
      "c": "#include <stdio.h>\nint main(void) {\n    int n;\n    scanf(\"%d\", &n);\n    for (int i = 1; i <= n; i++) {\n        if (i % 15 == 0) printf(\"FizzBuzz\\n\");\n        else if (i % 3 == 0) printf(\"Fizz\\n\");\n        else if (i % 5 == 0) printf(\"Buzz\\n\");\n        else printf(\"%d\\n\", i);\n    }\n    return 0;\n}\n",
      "javascript": "const n = Number(require('fs').readFileSync(0, 'utf8').trim());\nconst out = [];\nfor (let i = 1; i <= n; i++) {\n  if (i % 15 === 0) out.push('FizzBuzz');\n  else if (i % 3 === 0) out.push('Fizz');\n  else if (i % 5 === 0) out.push('Buzz');\n  else out.push(String(i));\n}\nconsole.log(out.join('\\n'));\n"}),
    ("gcd", "Read a and b: print their greatest common divisor.",
     ["12 18\n", "7 5\n", "100 10\n", "0 9\n"],
     {"python": "a, b = map(int, input().split())\nwhile b != 0:\n    r = a % b\n    a = b\n    b = r\nprint(a)\n",
      "c": "#include <stdio.h>\nint main(void) {\n    long a, b;\n    scanf(\"%ld %ld\", &a, &b);\n    while (b != 0) {\n        long r = a % b;\n        a = b;\n        b = r;\n    }\n    printf(\"%ld\\n\", a);\n    return 0;\n}\n",
      "javascript": "let [a, b] = require('fs').readFileSync(0, 'utf8').split(/\\s+/).filter(Boolean).map(Number);\nwhile (b !== 0) {\n  const r = a % b;\n  a = b;\n  b = r;\n}\nconsole.log(a);\n"}),
    ("is_prime", "Read n: print YES if n is prime, else NO.",
     ["2\n", "9\n", "1\n", "97\n", "25\n"],
     {"python": "n = int(input())\nprime = n >= 2\nd = 2\nwhile d * d <= n:\n    if n % d == 0:\n        prime = False\n        break\n    d += 1\nprint(\"YES\" if prime else \"NO\")\n",
      "c": "#include <stdio.h>\nint main(void) {\n    long n;\n    scanf(\"%ld\", &n);\n    int prime = n >= 2;\n    for (long d = 2; d * d <= n; d++) {\n        if (n % d == 0) {\n            prime = 0;\n            break;\n        }\n    }\n    printf(prime ? \"YES\\n\" : \"NO\\n\");\n    return 0;\n}\n",
      "javascript": "const n = Number(require('fs').readFileSync(0, 'utf8').trim());\nlet prime = n >= 2;\nfor (let d = 2; d * d <= n; d++) {\n  if (n % d === 0) {\n    prime = false;\n    break;\n  }\n}\nconsole.log(prime ? 'YES' : 'NO');\n"}),
    ("digit_sum", "Read a non-negative integer n: print the sum of its digits.",
     ["123\n", "0\n", "9999\n", "1005\n"],
     {"python": "n = int(input())\ntotal = 0\nwhile n > 0:\n    total += n % 10\n    n //= 10\nprint(total)\n",
      "c": "#include <stdio.h>\nint main(void) {\n    long n;\n    scanf(\"%ld\", &n);\n    long total = 0;\n    while (n > 0) {\n        total += n % 10;\n        n /= 10;\n    }\n    printf(\"%ld\\n\", total);\n    return 0;\n}\n",
      "javascript": "let n = Number(require('fs').readFileSync(0, 'utf8').trim());\nlet total = 0;\nwhile (n > 0) {\n  total += n % 10;\n  n = Math.floor(n / 10);\n}\nconsole.log(total);\n"}),
    ("longest_run", "Read n, then n integers: print the length of the longest run of equal adjacent values.",
     ["5\n1 1 2 2 2\n", "1\n4\n", "6\n3 3 1 3 3 3\n", "4\n1 2 3 4\n"],
     {"python": "n = int(input())\nxs = list(map(int, input().split()))\nbest = 1\nrun = 1\nfor i in range(1, n):\n    if xs[i] == xs[i - 1]:\n        run += 1\n    else:\n        run = 1\n    if run > best:\n        best = run\nprint(best)\n",
      "c": "#include <stdio.h>\nint main(void) {\n    int n;\n    scanf(\"%d\", &n);\n    int prev, best = 1, run = 1;\n    scanf(\"%d\", &prev);\n    for (int i = 1; i < n; i++) {\n        int x;\n        scanf(\"%d\", &x);\n        if (x == prev) run++;\n        else run = 1;\n        if (run > best) best = run;\n        prev = x;\n    }\n    printf(\"%d\\n\", best);\n    return 0;\n}\n",
      "javascript": "const d = require('fs').readFileSync(0, 'utf8').split(/\\s+/).filter(Boolean).map(Number);\nconst n = d[0];\nlet best = 1, run = 1;\nfor (let i = 2; i <= n; i++) {\n  if (d[i] === d[i - 1]) run++;\n  else run = 1;\n  if (run > best) best = run;\n}\nconsole.log(best);\n"}),
    ("inversions", "Read n, then n integers: print the number of pairs i < j with a[i] > a[j].",
     ["3\n3 1 2\n", "4\n1 2 3 4\n", "4\n4 3 2 1\n", "5\n2 2 1 3 1\n"],
     {"python": "n = int(input())\nxs = list(map(int, input().split()))\ncount = 0\nfor i in range(n):\n    for j in range(i + 1, n):\n        if xs[i] > xs[j]:\n            count += 1\nprint(count)\n",
      "c": "#include <stdio.h>\nint main(void) {\n    int n;\n    scanf(\"%d\", &n);\n    int xs[1000];\n    for (int i = 0; i < n; i++) scanf(\"%d\", &xs[i]);\n    long count = 0;\n    for (int i = 0; i < n; i++) {\n        for (int j = i + 1; j < n; j++) {\n            if (xs[i] > xs[j]) count++;\n        }\n    }\n    printf(\"%ld\\n\", count);\n    return 0;\n}\n",
      "javascript": "const d = require('fs').readFileSync(0, 'utf8').split(/\\s+/).filter(Boolean).map(Number);\nconst n = d[0];\nconst xs = d.slice(1, 1 + n);\nlet count = 0;\nfor (let i = 0; i < n; i++) {\n  for (let j = i + 1; j < n; j++) {\n    if (xs[i] > xs[j]) count++;\n  }\n}\nconsole.log(count);\n"}),
    ("lower_bound", "Read n and x, then n sorted integers: print the index of the first one >= x (n if none).",
     ["5 3\n1 2 3 4 5\n", "3 10\n1 2 3\n", "4 0\n1 1 2 2\n", "6 4\n1 3 3 4 4 9\n"],
     {"python": "n, x = map(int, input().split())\nxs = list(map(int, input().split()))\nlo = 0\nhi = n\nwhile lo < hi:\n    mid = (lo + hi) // 2\n    if xs[mid] < x:\n        lo = mid + 1\n    else:\n        hi = mid\nprint(lo)\n",
      "c": "#include <stdio.h>\nint main(void) {\n    int n, x;\n    scanf(\"%d %d\", &n, &x);\n    int xs[1000];\n    for (int i = 0; i < n; i++) scanf(\"%d\", &xs[i]);\n    int lo = 0, hi = n;\n    while (lo < hi) {\n        int mid = (lo + hi) / 2;\n        if (xs[mid] < x) lo = mid + 1;\n        else hi = mid;\n    }\n    printf(\"%d\\n\", lo);\n    return 0;\n}\n",
      "javascript": "const d = require('fs').readFileSync(0, 'utf8').split(/\\s+/).filter(Boolean).map(Number);\nconst n = d[0], x = d[1];\nconst xs = d.slice(2, 2 + n);\nlet lo = 0, hi = n;\nwhile (lo < hi) {\n  const mid = Math.floor((lo + hi) / 2);\n  if (xs[mid] < x) lo = mid + 1;\n  else hi = mid;\n}\nconsole.log(lo);\n"}),
    ("pair_sums", "Read n and k, then n integers: print how many pairs i < j have a[i] + a[j] == k.",
     ["4 5\n1 4 2 3\n", "3 2\n1 1 1\n", "2 10\n1 2\n"],
     {"python": "n, k = map(int, input().split())\nxs = list(map(int, input().split()))\npairs = 0\nfor i in range(n):\n    for j in range(i + 1, n):\n        if xs[i] + xs[j] == k:\n            pairs += 1\nprint(pairs)\n",
      "c": "#include <stdio.h>\nint main(void) {\n    int n, k;\n    scanf(\"%d %d\", &n, &k);\n    int xs[1000];\n    for (int i = 0; i < n; i++) scanf(\"%d\", &xs[i]);\n    int pairs = 0;\n    for (int i = 0; i < n; i++) {\n        for (int j = i + 1; j < n; j++) {\n            if (xs[i] + xs[j] == k) pairs++;\n        }\n    }\n    printf(\"%d\\n\", pairs);\n    return 0;\n}\n",
      "javascript": "const d = require('fs').readFileSync(0, 'utf8').split(/\\s+/).filter(Boolean).map(Number);\nconst n = d[0], k = d[1];\nconst xs = d.slice(2, 2 + n);\nlet pairs = 0;\nfor (let i = 0; i < n; i++) {\n  for (let j = i + 1; j < n; j++) {\n    if (xs[i] + xs[j] === k) pairs++;\n  }\n}\nconsole.log(pairs);\n"}),
    ("factorial_mod", "Read n: print n! modulo 1000000007.",
     ["5\n", "0\n", "20\n", "13\n"],
     {"python": "n = int(input())\nMOD = 1000000007\nresult = 1\nfor i in range(2, n + 1):\n    result = result * i % MOD\nprint(result)\n",
      "c": "#include <stdio.h>\nint main(void) {\n    long long n;\n    scanf(\"%lld\", &n);\n    const long long MOD = 1000000007LL;\n    long long result = 1;\n    for (long long i = 2; i <= n; i++) {\n        result = result * i % MOD;\n    }\n    printf(\"%lld\\n\", result);\n    return 0;\n}\n",
      "javascript": "const n = Number(require('fs').readFileSync(0, 'utf8').trim());\nconst MOD = 1000000007n;\nlet result = 1n;\nfor (let i = 2n; i <= BigInt(n); i++) {\n  result = result * i % MOD;\n}\nconsole.log(String(result));\n"}),
    ("reverse", "Read n, then n integers: print them in reverse order.",
     ["3\n1 2 3\n", "1\n9\n", "4\n4 0 4 1\n"],
     {"python": "n = int(input())\nxs = list(map(int, input().split()))\nout = []\ni = n - 1\nwhile i >= 0:\n    out.append(xs[i])\n    i -= 1\nprint(*out)\n",
      "c": "#include <stdio.h>\nint main(void) {\n    int n;\n    scanf(\"%d\", &n);\n    int xs[1000];\n    for (int i = 0; i < n; i++) scanf(\"%d\", &xs[i]);\n    for (int i = n - 1; i >= 0; i--) {\n        printf(i > 0 ? \"%d \" : \"%d\\n\", xs[i]);\n    }\n    return 0;\n}\n",
      "javascript": "const d = require('fs').readFileSync(0, 'utf8').split(/\\s+/).filter(Boolean).map(Number);\nconst n = d[0];\nconst out = [];\nfor (let i = n; i >= 1; i--) {\n  out.push(d[i]);\n}\nconsole.log(out.join(' '));\n"}),
    ("staircase_cost", "Read n, then n step costs: from before step 1 you climb 1 or 2 steps at a time and pay each step you land on; print the least total to get past step n.",
     ["3\n10 15 20\n", "1\n5\n", "6\n1 100 1 1 100 1\n", "4\n3 2 4 1\n"],
     {"python": "n = int(input())\nc = list(map(int, input().split()))\nprev2 = 0\nprev1 = 0\nfor i in range(n):\n    cur = c[i] + min(prev1, prev2)\n    prev2 = prev1\n    prev1 = cur\nprint(min(prev1, prev2))\n",
      "c": "#include <stdio.h>\nint main(void) {\n    int n;\n    scanf(\"%d\", &n);\n    long prev2 = 0, prev1 = 0;\n    for (int i = 0; i < n; i++) {\n        long c;\n        scanf(\"%ld\", &c);\n        long cur = c + (prev1 < prev2 ? prev1 : prev2);\n        prev2 = prev1;\n        prev1 = cur;\n    }\n    printf(\"%ld\\n\", prev1 < prev2 ? prev1 : prev2);\n    return 0;\n}\n",
      "javascript": "const d = require('fs').readFileSync(0, 'utf8').split(/\\s+/).filter(Boolean).map(Number);\nconst n = d[0];\nlet prev2 = 0, prev1 = 0;\nfor (let i = 1; i <= n; i++) {\n  const cur = d[i] + Math.min(prev1, prev2);\n  prev2 = prev1;\n  prev1 = cur;\n}\nconsole.log(Math.min(prev1, prev2));\n"}),
]


def _run_python(source: str, stdin: str) -> str:
    """The expected output: the Python reference (our own code) run here."""
    out = io.StringIO()
    old_in = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        with contextlib.redirect_stdout(out):
            exec(compile(source, "<reference>", "exec"), {"__name__": "__main__"})
    finally:
        sys.stdin = old_in
    return out.getvalue()


@functools.lru_cache(maxsize=1)
def build() -> tuple[dict, ...]:
    """Every problem in every language, in the problem format (docs/PROBLEMS.md)."""
    rows = []
    for name, statement, inputs, refs in SPECS:
        tests = [{"id": str(i), "stdin": s, "stdout": _run_python(refs["python"], s)} for i, s in enumerate(inputs)]
        for language, ref in refs.items():
            rows.append({"task_id": f"programs/{name}", "language": language, "kind": "program",
                         "prompt": PROMPT[language].format(statement), "reference": ref, "entry_point": "",
                         "tests": tests, "time_limit_s": 2.0})
    return tuple(rows)


def load(language: str) -> list[Problem]:
    """The shipped program problems of one language."""
    return [Problem.from_dict(r) for r in build() if r["language"] == language]
