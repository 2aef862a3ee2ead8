"""Hand-written corpora of buggy candidates for `egca bench localize --corpus NAME`.

`alternatives`: candidates whose algorithm differs from the reference's (a loop where the
reference calls a built-in or a comprehension, another traversal, a helper), each with
exactly one bug, and the faulty tokens known (`fault`: their exact text, found once in the
completion). Ground truth is the statement that holds them, as for mutants; the fault
tokens are the credit target. A person debugging the candidate would point at the fault.

Each entry is (dataset, problem number (the task id's number), fault, completion, what
the bug is).
"""

from __future__ import annotations

from egca import datasets
from egca.bench.mutants import Mutant
from egca.core import Range
from egca.errors import InvalidInput
from egca.plugin import get_adapter
from egca.problem import Problem

CORPORA = ("alternatives",)

_ALTERNATIVES: list[tuple[str, int, str, str, str]] = [
    # --- humaneval -----------------------------------------------------------------------------
    ("humaneval", 60, "range(n)", """    total = 0
    for i in range(n):
        total += i
    return total
""", "a loop where the reference sums a range: the bound stops one short"),
    ("humaneval", 30, "e >= 0", """    out = []
    for e in l:
        if e >= 0:
            out.append(e)
    return out
""", "a loop where the reference filters in a comprehension: keeps zeros"),
    ("humaneval", 42, "e + 2", """    result = []
    for e in l:
        result.append(e + 2)
    return result
""", "a loop where the reference maps in a comprehension: wrong increment"),
    ("humaneval", 29, "s.endswith(prefix)", """    kept = []
    for s in strings:
        if s.endswith(prefix):
            kept.append(s)
    return kept
""", "a loop for a comprehension: tests the wrong end"),
    ("humaneval", 7, "found[1:]", """    found = []
    for s in strings:
        if substring not in s:
            continue
        found.append(s)
    return found[1:]
""", "a loop with an early continue: the result drops its first match on return"),
    ("humaneval", 4, "x - mean", """    total = 0.0
    for x in numbers:
        total += x
    mean = total / len(numbers)
    dev = 0.0
    for x in numbers:
        dev += x - mean
    return dev / len(numbers)
""", "helper loops for sums: the deviation lacks abs()"),
    ("humaneval", 16, "seen.append(ch)", """    seen = []
    for ch in string:
        if ch.lower() not in seen:
            seen.append(ch)
    return len(seen)
""", "a loop for len(set(...)): appends the character, not its lower case"),
    ("humaneval", 85, "range(0, len(lst), 2)", """    total = 0
    for i in range(0, len(lst), 2):
        if lst[i] % 2 == 0:
            total += lst[i]
    return total
""", "a loop for a filtered sum: starts at the even indices"),
    ("humaneval", 66, "ch.islower()", """    total = 0
    for ch in s:
        if ch.islower():
            total += ord(ch)
    return total
""", "a loop for a generator sum: the wrong case test"),
    ("humaneval", 34, "reverse=True", """    res = []
    for x in l:
        if x not in res:
            res.append(x)
    return sorted(res, reverse=True)
""", "a dedupe loop for sorted(set(...)): sorted the wrong way"),
    ("humaneval", 12, "len(s) >= best", """    if not strings:
        return None
    best = 0
    for s in strings:
        best = max(best, len(s))
    for s in strings:
        if len(s) >= best:
            pass
        else:
            return s
""", "a helper loop for max(...), then a wrong comparison"),
    ("humaneval", 26, "counts[n] < 1", """    counts = {}
    for n in numbers:
        counts[n] = counts.get(n, 0) + 1
    out = []
    for n in numbers:
        if counts[n] < 1:
            out.append(n)
    return out
""", "a counting loop for Counter: the filter keeps nothing"),
    ("humaneval", 28, "s + result", """    result = ''
    for s in strings:
        result = s + result
    return result
""", "a loop for ''.join: concatenates in reverse"),
    ("humaneval", 22, "type(v) == float", """    ints = []
    for v in values:
        if type(v) == float:
            ints.append(v)
    return ints
""", "a loop for a comprehension: the wrong type test"),
    ("humaneval", 52, "e > t", """    return all(not (e > t) for e in l)
""", "a built-in where the reference loops: the boundary"),
    ("humaneval", 48, "j -= 2", """    i = 0
    j = len(text) - 1
    while i < j:
        if text[i] != text[j]:
            return False
        i += 1
        j -= 2
    return True
""", "two pointers where the reference indexes from both ends: the wrong step"),
    ("humaneval", 11, "x == y", """    out = ''
    for x, y in zip(a, b):
        if x == y:
            out += '1'
        else:
            out += '0'
    return out
""", "a loop where the reference joins a helper's results: the comparison is inverted"),
    # --- humaneval-js ------------------------------------------------------------------------------
    ("humaneval-js", 30, "e >= 0", """  const out = [];
  for (const e of l) {
    if (e >= 0) out.push(e);
  }
  return out;
}
""", "a loop where the reference filters: keeps zeros"),
    ("humaneval-js", 60, "i < n", """  let total = 0;
  for (let i = 0; i < n; i++) {
    total += i;
  }
  return total;
}
""", "a loop with a bound one short"),
    ("humaneval-js", 42, "e + 2", """  const result = [];
  for (const e of l) result.push(e + 2);
  return result;
}
""", "a loop where the reference maps: wrong increment"),
    ("humaneval-js", 28, "s + result", """  let result = '';
  for (const s of strings) {
    result = s + result;
  }
  return result;
}
""", "a loop for join: concatenates in reverse"),
    ("humaneval-js", 4, "x - mean", """  let total = 0;
  for (const x of numbers) total += x;
  const mean = total / numbers.length;
  let dev = 0;
  for (const x of numbers) dev += x - mean;
  return dev / numbers.length;
}
""", "helper loops for sums: the deviation lacks Math.abs"),
    ("humaneval-js", 29, "s.endsWith(prefix)", """  const kept = [];
  for (const s of strings) {
    if (s.endsWith(prefix)) kept.push(s);
  }
  return kept;
}
""", "a loop for filter: tests the wrong end"),
    # --- humaneval-c ---------------------------------------------------------------------------------
    ("humaneval-c", 60, "i < n", """    int total = 0;
    int i = 0;
    while (i < n) {
        total += i;
        i++;
    }
    return total;
}
""", "a while loop where the reference uses a for loop: the bound stops one short"),
    ("humaneval-c", 35, "l[i] < best", """    int best = l[n - 1];
    for (int i = n - 2; i >= 0; i--) {
        if (l[i] < best)
            best = l[i];
    }
    return best;
}
""", "a backwards traversal: the wrong comparison"),
    ("humaneval-c", 23, "n += 2", """    int n = 0;
    const char *p = str;
    while (*p) {
        n += 2;
        p++;
    }
    return n;
}
""", "a pointer walk where the reference counts with an index: the wrong step"),
    ("humaneval-c", 52, "l[i] > t", """    int i = 0;
    while (i < n && !(l[i] > t))
        i++;
    return i == n;
}
""", "a search loop where the reference returns early: the boundary"),
    ("humaneval-c", 13, "r = a / b", """    while (b != 0) {
        int r = a / b;
        a = b;
        b = r;
    }
    return a;
}
""", "the same loop written with a temporary: division for remainder"),
]


def load_corpus(name: str, language: str) -> list[tuple[Problem, Mutant]]:
    """The corpus entries of one language as (problem, Mutant) pairs (kind `alternative`,
    `site` = the fault's program bytes, `truth` = its statement)."""
    if name not in CORPORA:
        raise InvalidInput(f"unknown corpus '{name}' (choose from {', '.join(CORPORA)})")
    adapter = get_adapter(language)
    out = []
    for dataset, number, fault, completion, what in _ALTERNATIVES:
        problem = next((p for p in datasets.load(dataset) if p.task_id.rsplit("/", 1)[-1] == str(number)), None)
        if problem is None or problem.language != language:
            continue
        task_id = problem.task_id
        at = completion.find(fault)
        if at < 0 or completion.find(fault, at + 1) >= 0:
            raise ValueError(f"corpus {name}, {task_id}: the fault `{fault}` must occur exactly once")
        program = problem.program(completion).encode("utf-8")
        lo = len(problem.prompt.encode("utf-8")) + len(completion[:at].encode("utf-8"))
        site = (lo, lo + len(fault.encode("utf-8")))
        truth = (adapter.statement_range(program, Range.of_bytes(program, *site)),)
        out.append((problem, Mutant(task_id, language, "alternative", completion, what, site, truth)))
    return out
