"""Seeded single-fault mutants of reference solutions, made on tree-sitter trees.

Every operator works on the syntax tree of `prompt + reference` through the
language adapter (its grammar and the node types it declares: statements,
conditions, functions, identifiers, literals, declarators, patterns), so one set
of operators serves every installed language. Operators and their replacements are
spelled as tokens; a replacement that is not a token of the language does not parse
as one and is dropped. Only code of
the reference completion is mutated, never the prompt. A mutant is kept only
when the mutated program still parses without an ERROR/MISSING node.

Ground truth is the mutated statement: `adapter.statement_range` of the
replaced text (a compound statement cut to its header). A deleted statement
has no text left, so its ground truth is where the statement was: the
statements right before and after the gap and the header of the enclosing
compound statement.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Iterator, Sequence

import tree_sitter

from egca.core import Range
from egca.plugin import LanguageAdapter, preorder
from egca.problem import Problem

KINDS = ("comparison", "arithmetic", "off_by_one", "wrong_variable", "negated_condition",
         "deleted_statement", "wrong_return", "wrong_initial",
         # expression-level and multi-token operators
         "swapped_operands", "logical_operator", "dropped_term", "shifted_variable")
# Two single faults of different kinds in different statements of one program; either counts.
TWO_FAULTS = "two_faults"
# The kinds a two-fault mutant draws its faults from (a deletion leaves no text to point at).
_PAIRABLE = ("comparison", "arithmetic", "off_by_one", "wrong_variable", "wrong_initial", "swapped_operands",
             "logical_operator", "dropped_term")

# Relational operator swaps: a boundary shift and a direction flip.
_COMPARISON = {"<": ("<=", ">"), "<=": ("<", ">="), ">": (">=", "<"), ">=": (">", "<="),
               "==": ("!=",), "!=": ("==",), "===": ("!==",), "!==": ("===",)}
# Arithmetic operator swaps (binary and compound assignment; `++`/`--` are unary).
_ARITHMETIC = {"+": ("-",), "-": ("+",), "*": ("+", "/"), "/": ("*",), "//": ("/", "*"), "%": ("//", "/"),
               "+=": ("-=",), "-=": ("+=",), "*=": ("+=",), "++": ("--",), "--": ("++",)}
_UNARY_ARITHMETIC = frozenset({"++", "--"})
_DECIMAL = re.compile(rb"^[0-9]+$")
# Negation spellings tried in order; the first that parses wins (a prefix operator, or a
# keyword in languages where `!(x)` is a syntax error).
_NEGATIONS = ("!", "not ")
_BOOLEANS = {b"True": b"False", b"False": b"True", b"true": b"false", b"false": b"true"}
_LOGICAL = {"and": ("or",), "or": ("and",), "&&": ("||",), "||": ("&&",)}
# Binary operators whose operands cannot be swapped without changing the result.
_NON_COMMUTATIVE = frozenset({"-", "/", "//", "%", "<", "<=", ">", ">=", "**"})
_TERMS = frozenset({"+", "-", "*"})


@dataclass(frozen=True)
class Mutant:
    task_id: str
    language: str
    kind: str
    completion: str                    # the mutated reference completion
    description: str                   # e.g. "`<` -> `<=`"
    site: tuple[int, int]              # program bytes of the new text in the mutant program
    truth: tuple[Range, ...]           # ground-truth statement range(s) in the mutant program
    sites: tuple[tuple[int, int], ...] = ()   # every fault's new text (two-fault mutants); () = (site,)

    @property
    def fault_sites(self) -> tuple[tuple[int, int], ...]:
        """Program bytes of the mutated text of every fault (a deletion: an empty range)."""
        return self.sites or (self.site,)

    @property
    def id(self) -> str:
        return f"{self.task_id}:{self.kind}:{self.site[0]}"


@dataclass(frozen=True)
class _Edit:
    start: int
    end: int
    text: bytes
    description: str
    # For a deletion: ground-truth ranges in the *original* program, shifted afterwards.
    neighbours: tuple[Range, ...] = ()
    # For a token swap: the token type the new text must parse as (`//` may start a comment).
    token: str | None = None


class _Program:
    """One reference program with the facts every operator needs."""

    def __init__(self, adapter: LanguageAdapter, problem: Problem):
        self.adapter = adapter
        self.problem = problem
        self.source = problem.reference_program.encode("utf-8")
        self.lo = len(problem.prompt.encode("utf-8"))       # completion starts here
        self.root = adapter.parse(self.source).root_node
        self.nodes = list(preorder(self.root))

    def inside(self, node: tree_sitter.Node) -> bool:
        return node.start_byte >= self.lo and node.end_byte <= len(self.source)

    def text(self, node: tree_sitter.Node) -> bytes:
        return self.source[node.start_byte:node.end_byte]

    def function_of(self, node: tree_sitter.Node) -> tree_sitter.Node | None:
        n = node.parent
        while n is not None and n.type not in self.adapter.function_types:
            n = n.parent
        return n

    def variables(self, fn: tree_sitter.Node | None) -> tuple[set[str], set[tuple[int, int]]]:
        """Names a function binds (parameters and write targets) and the byte ranges of the
        identifiers that are write targets."""
        scope = fn if fn is not None else self.root
        names = set(self.adapter.parameter_names(fn, self.source)) if fn is not None else set()
        targets: set[tuple[int, int]] = set()
        for node in preorder(scope):
            for target in _write_targets(self.adapter, node):
                names.add(target.text.decode())
                targets.add((target.start_byte, target.end_byte))
        return names, targets


def _write_targets(adapter: LanguageAdapter, node: tree_sitter.Node) -> Iterator[tree_sitter.Node]:
    """Identifiers a node assigns: `left` of assignments/for-in, `name` of a declarator,
    `declarator` of a declaration (followed through pointer/array declarators)."""
    fields = ["left"]
    if node.type in adapter.declarator_types:
        fields.append("name")
    if node.child_by_field_name("parameters") is None:   # a function's declarator names the function
        fields.append("declarator")
    for f in fields:
        for child in node.children_by_field_name(f):
            yield from _identifiers_of_target(adapter, child)


def _identifiers_of_target(adapter: LanguageAdapter, node: tree_sitter.Node) -> Iterator[tree_sitter.Node]:
    if node.type in adapter.identifier_types:
        yield node
    elif node.type in adapter.pattern_types:
        for c in node.named_children:
            yield from _identifiers_of_target(adapter, c)
    elif node.child_by_field_name("declarator") is not None and node.child_by_field_name("parameters") is None:
        yield from _identifiers_of_target(adapter, node.child_by_field_name("declarator"))


def _is_number(adapter: LanguageAdapter, node: tree_sitter.Node) -> bool:
    return node.is_named and node.child_count == 0 and node.type in adapter.number_types \
        and _DECIMAL.match(node.text or b"") is not None


def _literal_value(adapter: LanguageAdapter, node: tree_sitter.Node) -> tree_sitter.Node | None:
    """The literal a right-hand side is: a number (also `-1`) or a boolean; else None."""
    if _is_number(adapter, node) or node.type in adapter.boolean_types:
        return node
    if node.named_child_count == 1 and node.text.startswith(b"-") and _is_number(adapter, node.named_children[0]):
        return node.named_children[0]
    return None


def _initial_assignments(prog: _Program) -> list[tuple[tree_sitter.Node, tree_sitter.Node]]:
    """(target identifier, literal) of each variable's first write in its function when the
    value written is a literal: `count = 0`, `let found = false`, `int i = 1`."""
    seen: set[tuple[int, str]] = set()
    out = []
    for node in prog.nodes:
        value = None
        for f in ("right", "value"):
            value = node.child_by_field_name(f)
            if value is not None:
                break
        targets = list(_write_targets(prog.adapter, node))
        if value is None or len(targets) != 1 or node.type in prog.adapter.function_types:
            continue
        fn = prog.function_of(node)
        key = (fn.start_byte if fn is not None else -1, targets[0].text.decode())
        if key in seen:
            continue
        seen.add(key)
        literal = _literal_value(prog.adapter, value)
        if literal is not None and prog.inside(literal) and not _is_update(node):
            out.append((targets[0], literal))
    return out


def _is_update(node: tree_sitter.Node) -> bool:
    """`x += 1` is not an initialisation."""
    return any(not c.is_named and c.type.endswith("=") and c.type not in ("=", "==") for c in node.children)


# --- operators: each returns the mutation sites, each site a list of alternative edits ----

def _comparison(prog: _Program) -> list[list[_Edit]]:
    return _token_swaps(prog, _COMPARISON)


def _arithmetic(prog: _Program) -> list[list[_Edit]]:
    return _token_swaps(prog, _ARITHMETIC)


def _token_swaps(prog: _Program, table: dict[str, tuple[str, ...]]) -> list[list[_Edit]]:
    sites = []
    for node in prog.nodes:
        if node.is_named or node.type not in table or not prog.inside(node) or node.parent is None:
            continue
        operands = node.parent.named_child_count
        if operands < (1 if node.type in _UNARY_ARITHMETIC else 2):
            continue   # a unary minus is not a subtraction
        sites.append([_Edit(node.start_byte, node.end_byte, alt.encode(), f"`{node.type}` -> `{alt}`", token=alt)
                      for alt in table[node.type]])
    return sites


def _off_by_one(prog: _Program) -> list[list[_Edit]]:
    initial = {(lit.start_byte, lit.end_byte) for _, lit in _initial_assignments(prog)}
    sites = []
    for node in prog.nodes:
        if _is_number(prog.adapter, node) and prog.inside(node) and (node.start_byte, node.end_byte) not in initial:
            value = int(node.text)
            sites.append([_Edit(node.start_byte, node.end_byte, str(v).encode(), f"`{value}` -> `{v}`")
                          for v in (value + 1, value - 1) if v >= 0])
    return sites


def _wrong_variable(prog: _Program) -> list[list[_Edit]]:
    sites = []
    cache: dict[int, tuple[set[str], set[tuple[int, int]]]] = {}
    for node in prog.nodes:
        if node.type not in prog.adapter.identifier_types or not prog.inside(node) or node.parent is None:
            continue
        parent = node.parent
        if any(parent.child_by_field_name(f) == node for f in prog.adapter.name_fields):
            continue   # a callee, an attribute/keyword name, a type: not a variable read
        fn = prog.function_of(node)
        key = fn.start_byte if fn is not None else -1
        if key not in cache:
            cache[key] = prog.variables(fn)
        names, targets = cache[key]
        name = node.text.decode()
        if name not in names or (node.start_byte, node.end_byte) in targets:
            continue
        sites.append([_Edit(node.start_byte, node.end_byte, other.encode(), f"`{name}` -> `{other}`")
                      for other in sorted(names - {name})])
    return [s for s in sites if s]


def _negated_condition(prog: _Program) -> list[list[_Edit]]:
    sites = []
    for node in prog.nodes:
        field = prog.adapter.condition_fields.get(node.type)
        cond = node.child_by_field_name(field) if field else None
        if cond is None or not prog.inside(cond):
            continue
        text = prog.text(cond)
        edits = []
        for neg in _NEGATIONS:
            new = (b"(" + neg.encode() + text + b")") if text.startswith(b"(") and text.endswith(b")") \
                else (neg.encode() + b"(" + text + b")")
            edits.append(_Edit(cond.start_byte, cond.end_byte, new, f"`{text.decode()}` negated ({neg.strip()})"))
        sites.append(edits)   # alternatives are tried in order: the first that parses wins
    return sites


def _deleted_statement(prog: _Program) -> list[list[_Edit]]:
    adapter, src = prog.adapter, prog.source
    sites = []
    for node in prog.nodes:
        if node.type not in adapter.statement_types or not prog.inside(node) or adapter.body_node(node) is not None:
            continue
        if node.type in adapter.declaration_types or node.type in adapter.comment_types:
            continue   # deleting a declaration is a compile error, not a logic fault
        if any(c.type in adapter.statement_types for c in preorder(node) if c != node):
            continue
        if node.type in adapter.expression_statement_types and node.named_child_count == 1 \
                and node.named_children[0].type in adapter.string_types:
            continue   # a docstring or a directive
        siblings = [c for c in node.parent.named_children
                    if c != node and c.type in adapter.statement_types and prog.inside(c)] \
            if node.parent is not None else []
        if not siblings:
            continue   # emptying a block (invalid in some languages) or the whole completion: degenerate
        start, end = node.start_byte, node.end_byte
        line_start = src.rfind(b"\n", 0, start) + 1
        line_end = src.find(b"\n", end)
        line_end = len(src) if line_end < 0 else line_end + 1
        if not src[line_start:start].strip() and not src[end:line_end].strip():
            start, end = line_start, line_end   # the statement owns its lines: remove them whole
        neighbours = []
        for sib in (node.prev_named_sibling, node.next_named_sibling):
            if sib is not None and sib.type in adapter.statement_types:
                neighbours.append(adapter.header_range(src, sib))
        outer = node.parent
        while outer is not None and outer.type not in adapter.statement_types:
            outer = outer.parent
        if outer is not None:
            neighbours.append(adapter.header_range(src, outer))
        neighbours = [r for r in neighbours if r.start_byte >= prog.lo]   # the prompt is nobody's fault
        text = src[node.start_byte:node.end_byte].decode()
        sites.append([_Edit(start, end, b"", f"deleted `{_short(text)}`", tuple(neighbours))])
    return sites


def _wrong_return(prog: _Program) -> list[list[_Edit]]:
    returns = [n for n in prog.nodes if n.type in prog.adapter.return_types and n.type in prog.adapter.statement_types
               and n.named_child_count >= 1 and prog.inside(n)]
    sites = []
    cache: dict[int, set[str]] = {}
    for ret in returns:
        value = ret.named_children[0]
        text = prog.text(value)
        fn = prog.function_of(ret)
        key = fn.start_byte if fn is not None else -1
        if key not in cache:
            cache[key] = prog.variables(fn)[0]
        alts: list[bytes] = []
        for other in returns:   # another return's value in the same function
            other_text = prog.text(other.named_children[0])
            if other_text != text and prog.function_of(other) == fn and other_text not in alts:
                alts.append(other_text)
        if text in _BOOLEANS:
            alts.append(_BOOLEANS[text])
        elif _is_number(prog.adapter, value):
            alts.extend(str(v).encode() for v in (int(text) + 1, int(text) - 1) if v >= 0)
        elif value.type in prog.adapter.identifier_types and text.decode() in cache[key]:
            alts.extend(n.encode() for n in sorted(cache[key] - {text.decode()}))
        if alts:
            sites.append([_Edit(value.start_byte, value.end_byte, a,
                                f"return `{_short(text.decode())}` -> `{_short(a.decode())}`") for a in alts])
    return sites


def _wrong_initial(prog: _Program) -> list[list[_Edit]]:
    sites = []
    for target, lit in _initial_assignments(prog):
        text = prog.text(lit)
        if text in _BOOLEANS:
            alts = [_BOOLEANS[text]]
        else:
            alts = [str(v).encode() for v in (int(text) + 1, int(text) - 1) if v >= 0]
        sites.append([_Edit(lit.start_byte, lit.end_byte, a,
                            f"initial `{target.text.decode()}`: `{text.decode()}` -> `{a.decode()}`") for a in alts])
    return sites


def _binary(node: tree_sitter.Node) -> tuple[tree_sitter.Node, tree_sitter.Node, tree_sitter.Node] | None:
    """(left, operator, right) of a binary expression: two named operands around one token."""
    if node.child_count != 3:
        return None
    left, op, right = node.children
    if not left.is_named or op.is_named or not right.is_named:
        return None
    return left, op, right


def _swapped_operands(prog: _Program) -> list[list[_Edit]]:
    """`a - b` -> `b - a`, `i < n` -> `n < i`: both operands move (multi-token)."""
    sites = []
    for node in prog.nodes:
        parts = _binary(node) if prog.inside(node) else None
        if parts is None or parts[1].type not in _NON_COMMUTATIVE:
            continue
        left, op, right = parts
        if prog.text(left) == prog.text(right):
            continue
        new = prog.text(right) + prog.source[left.end_byte:right.start_byte] + prog.text(left)
        sites.append([_Edit(node.start_byte, node.end_byte, new,
                            f"`{_short(prog.text(node).decode())}` -> `{_short(new.decode())}`")])
    return sites


def _logical_operator(prog: _Program) -> list[list[_Edit]]:
    return _token_swaps(prog, _LOGICAL)


def _dropped_term(prog: _Program) -> list[list[_Edit]]:
    """`len(s) - 1` -> `len(s)`: an arithmetic term dropped (the expression shrinks to its
    left operand)."""
    sites = []
    for node in prog.nodes:
        parts = _binary(node) if prog.inside(node) else None
        if parts is None or parts[1].type not in _TERMS:
            continue
        left = parts[0]
        sites.append([_Edit(node.start_byte, node.end_byte, prog.text(left),
                            f"`{_short(prog.text(node).decode())}` -> `{_short(prog.text(left).decode())}`")])
    return sites


def _shifted_variable(prog: _Program) -> list[list[_Edit]]:
    """A variable read in arithmetic or a comparison replaced by `(x + 1)` (multi-token)."""
    numeric = set(_COMPARISON) | set(_ARITHMETIC) - _UNARY_ARITHMETIC
    sites = []
    cache: dict[int, tuple[set[str], set[tuple[int, int]]]] = {}
    for node in prog.nodes:
        if node.type not in prog.adapter.identifier_types or not prog.inside(node) or node.parent is None:
            continue
        parts = _binary(node.parent)
        if parts is None or parts[1].type not in numeric or node.id not in (parts[0].id, parts[2].id):
            continue
        fn = prog.function_of(node)
        key = fn.start_byte if fn is not None else -1
        if key not in cache:
            cache[key] = prog.variables(fn)
        names, targets = cache[key]
        name = node.text.decode()
        if name not in names or (node.start_byte, node.end_byte) in targets:
            continue
        sites.append([_Edit(node.start_byte, node.end_byte, f"({name} + 1)".encode(), f"`{name}` -> `({name} + 1)`")])
    return sites


OPERATORS = {"comparison": _comparison, "arithmetic": _arithmetic, "off_by_one": _off_by_one,
             "wrong_variable": _wrong_variable, "negated_condition": _negated_condition,
             "deleted_statement": _deleted_statement, "wrong_return": _wrong_return,
             "wrong_initial": _wrong_initial, "swapped_operands": _swapped_operands,
             "logical_operator": _logical_operator, "dropped_term": _dropped_term,
             "shifted_variable": _shifted_variable}
assert tuple(OPERATORS) == KINDS


def _short(text: str, width: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[:width - 3] + "..."


# --- building mutants -----------------------------------------------------------------------

def _apply(prog: _Program, kind: str, edit: _Edit) -> Mutant | None:
    src = prog.source
    mutated = src[:edit.start] + edit.text + src[edit.end:]
    tree = prog.adapter.parse(mutated)
    if mutated == src or tree.root_node.has_error:
        return None
    site = (edit.start, edit.start + len(edit.text))
    if edit.token is not None:
        node = tree.root_node.descendant_for_byte_range(site[0], site[1])
        if node is None or node.type != edit.token or (node.start_byte, node.end_byte) != site:
            return None
    if edit.text:
        truth: tuple[Range, ...] = (prog.adapter.statement_range(mutated, Range.of_bytes(mutated, *site)),)
    else:
        shift = edit.end - edit.start
        truth = tuple(Range.of_bytes(mutated, r.start_byte - shift if r.start_byte >= edit.end else r.start_byte,
                                     r.end_byte - shift if r.start_byte >= edit.end else r.end_byte)
                      for r in edit.neighbours)
    completion = mutated[prog.lo:].decode("utf-8")
    return Mutant(prog.problem.task_id, prog.adapter.name, kind, completion, edit.description, site, truth)


def all_mutants(adapter: LanguageAdapter, problem: Problem, kind: str) -> list[Mutant]:
    """Every valid mutant one operator makes of a problem's reference (first parsing
    alternative per site), in source order."""
    prog = _Program(adapter, problem)
    out = []
    for site in OPERATORS[kind](prog):
        for edit in site:
            m = _apply(prog, kind, edit)
            if m is not None:
                out.append(m)
                break
    return out


def mutate(adapter: LanguageAdapter, problem: Problem, kind: str, seed: int) -> Mutant | None:
    """One seeded mutant of `kind` (None when the reference has no valid site for it).
    Same (problem, kind, seed) -> same mutant. `two_faults`: see `mutate_two`."""
    if kind == TWO_FAULTS:
        return mutate_two(adapter, problem, seed)
    prog = _Program(adapter, problem)
    found = _seeded_edits(prog, kind, seed)
    return next(found, (None, None))[1]


def _seeded_edits(prog: _Program, kind: str, seed: int) -> Iterator[tuple[_Edit, Mutant]]:
    """The valid edits of one operator in seeded order (one per site)."""
    sites = OPERATORS[kind](prog)
    rng = random.Random(f"{seed}|{prog.adapter.name}|{prog.problem.task_id}|{kind}")
    rng.shuffle(sites)
    for site in sites:
        # Negations are tried in spelling order; other alternatives in seeded order.
        edits = list(site) if kind == "negated_condition" else rng.sample(site, len(site))
        for edit in edits:
            m = _apply(prog, kind, edit)
            if m is not None:
                yield edit, m
                break


def mutate_two(adapter: LanguageAdapter, problem: Problem, seed: int) -> Mutant | None:
    """Two seeded faults of different kinds in two different statements of one reference
    (None when it has no such pair). Ground truth: both mutated statements; a span on
    either is a hit."""
    prog = _Program(adapter, problem)
    rng = random.Random(f"{seed}|{adapter.name}|{problem.task_id}|{TWO_FAULTS}")
    kinds = list(_PAIRABLE)
    rng.shuffle(kinds)
    first = None
    for kind in kinds:
        for edit, m in _seeded_edits(prog, kind, seed):
            if first is None:
                first = (kind, edit, m)
                break
            if kind == first[0] or m.truth[0].start_byte == first[2].truth[0].start_byte \
                    or not (edit.end <= first[1].start or edit.start >= first[1].end):
                continue
            both = _apply_two(prog, first[1], edit)
            if both is not None:
                return both
    return None


def _apply_two(prog: _Program, a: _Edit, b: _Edit) -> Mutant | None:
    first, second = sorted((a, b), key=lambda e: e.start)
    src = prog.source
    mutated = src[:first.start] + first.text + src[first.end:second.start] + second.text + src[second.end:]
    if prog.adapter.parse(mutated).root_node.has_error:
        return None
    shift = len(first.text) - (first.end - first.start)
    sites = ((first.start, first.start + len(first.text)),
             (second.start + shift, second.start + shift + len(second.text)))
    truth = tuple(prog.adapter.statement_range(mutated, Range.of_bytes(mutated, *s)) for s in sites)
    if truth[0] == truth[1]:
        return None
    completion = mutated[prog.lo:].decode("utf-8")
    return Mutant(prog.problem.task_id, prog.adapter.name, TWO_FAULTS, completion,
                  f"{first.description}; {second.description}", sites[0], truth, sites)


def stream(adapter: LanguageAdapter, problems: Sequence[Problem], seed: int,
           kinds: Sequence[str] = KINDS) -> Iterator[tuple[Problem, Mutant]]:
    """Mutants in a seeded order that takes the kinds in turn, each kind walking the problems
    in its own shuffled order, so any prefix is balanced across kinds and spread over problems.
    `kinds` may include TWO_FAULTS."""
    def per_kind(kind: str) -> Iterator[tuple[Problem, Mutant]]:
        order = list(problems)
        random.Random(f"{seed}|{adapter.name}|order|{kind}").shuffle(order)
        for p in order:
            m = mutate(adapter, p, kind, seed)
            if m is not None:
                yield p, m

    iterators = [per_kind(k) for k in kinds]
    while iterators:
        alive = []
        for it in iterators:
            item = next(it, None)
            if item is not None:
                yield item
                alive.append(it)
        iterators = alive
