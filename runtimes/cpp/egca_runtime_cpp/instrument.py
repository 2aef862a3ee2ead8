"""Source instrumentation of a C++ program, driven by tree-sitter-cpp.

Code is inserted *on the statement's own lines* (no line is added, so compiler lines
and `__LINE__` stay the program's). The events are the C runtime's:

- before every statement, `EGCA_AT(id)`: the statement id in shared memory (Run too),
  so a crash, a timeout or an exception can name the statement it was at;
- after it, a STEP carrying the bindings the statement may change (`_written`); the
  runtime drops every binding whose encoding equals the one last reported in this
  frame (EVENTS.md's "bindings it changed");
- conditions of if/while/do/for are wrapped in a GNU statement expression that
  evaluates the condition, emits the header's STEP, then the BRANCH; a range-for
  emits its header STEP and BRANCH(true) at the start of each iteration and
  BRANCH(false) when the range is exhausted (not after `break`);
- `return e;` becomes `{ R r = (e); STEP; RETURN r; return r; }` (R: the declared
  return type); the function's entry emits CALL with the arguments, and its body is
  wrapped in `try { ... } catch (...) { EXCEPTION; throw; }`.

Values need no type analysis: `egca_rt::val` (egca_rt.hpp) encodes any binding by
its static type (integers, floating point, std::string, the STL containers, pairs,
tuples, arrays, and the program's own classes through a generated `__egca_enc`
member). Locals declared without an initializer are value-initialised (`int i{}`):
no garbage ever reaches a trace, and runs are deterministic; a scalar (or pointer, or
array) declared so is reported once a statement names it, as the C runtime does.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

import tree_sitter
import tree_sitter_cpp


@dataclass(frozen=True)
class Range:
    """A range of the program: UTF-8 byte offsets, 1-based inclusive lines."""
    start_byte: int
    end_byte: int
    start_line: int
    end_line: int

    @classmethod
    def of_node(cls, node) -> "Range":
        return cls(node.start_byte, node.end_byte, node.start_point[0] + 1, node.end_point[0] + 1)

    @classmethod
    def of_bytes(cls, program: bytes, start: int, end: int) -> "Range":
        return cls(start, end, program.count(b"\n", 0, start) + 1, program.count(b"\n", 0, max(start, end - 1)) + 1)

    def wire(self) -> list[int]:
        return [self.start_byte, self.end_byte, self.start_line, self.end_line, 0, 0]


@functools.lru_cache(maxsize=1)
def _parser() -> tree_sitter.Parser:
    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_cpp.language()))


def parse(program: bytes) -> tree_sitter.Tree:
    return _parser().parse(program)


@dataclass(frozen=True)
class StmtInfo:
    range: Range
    cond: Range | None
    function: str
    branch_kind: str | None


@dataclass(frozen=True)
class FuncInfo:
    name: str
    range: Range


@dataclass
class Instrumented:
    source: bytes
    stmts: list[StmtInfo]
    funcs: list[FuncInfo]


def _text(node) -> str:
    return node.text.decode("utf-8", "replace")


class _Edits:
    """Insertions (and a few token replacements) keyed by byte offset."""

    def __init__(self) -> None:
        self.items: list = []
        self._n = 0

    def open(self, at: int, text: str, depth: int) -> None:
        self._add(at, at, 1, depth, text)

    def close(self, at: int, text: str, depth: int) -> None:
        self._add(at, at, 0, -depth, text)

    def replace(self, start: int, end: int, text: str) -> None:
        self._add(start, end, 2, 0, text)

    def last(self, at: int, text: str) -> None:
        """After everything else inserted at `at` (a function's exit, even in an empty body)."""
        self._add(at, at, 3, 0, text)

    def _add(self, start, end, phase, order, text):
        self._n += 1
        self.items.append((start, end, phase, order, self._n, text))

    def apply(self, src: bytes) -> bytes:
        out, pos = [], 0
        for start, end, _p, _o, _n, text in sorted(self.items, key=lambda e: e[:5]):
            if start < pos:
                raise ValueError("overlapping instrumentation edits")
            out.append(src[pos:start])
            out.append(text.encode())
            pos = end
        out.append(src[pos:])
        return b"".join(out)


_DECLARATOR_WRAPPERS = {"pointer_declarator", "reference_declarator", "array_declarator", "parenthesized_declarator",
                        "attributed_declarator", "init_declarator"}
_NAME_TYPES = {"identifier", "field_identifier"}
_SCALAR_NAMES = frozenset({"size_t", "ssize_t", "ptrdiff_t", "intptr_t", "uintptr_t", "int8_t", "int16_t", "int32_t",
                           "int64_t", "uint8_t", "uint16_t", "uint32_t", "uint64_t", "std::size_t"})


@dataclass
class Var:
    name: str
    alias: bool = False          # a reference or pointer: may change through another name
    flag: str | None = None      # declared without an initializer: reported once a statement names it
    indexed_read: bool = False   # `v[i]` reads it: a C array, or a vector/string/array/deque of no map


def declared(node) -> tuple[list[Var], bool, bool]:
    """(names, has initializer, skip value-init) of one declarator."""
    alias = init = array = False
    vla = False
    n = node
    while n is not None:
        t = n.type
        if t == "init_declarator":
            init = True
        elif t in ("pointer_declarator", "reference_declarator"):
            alias = True
        elif t == "array_declarator":
            array = True
            size = n.child_by_field_name("size")
            if size is not None and size.type != "number_literal":
                vla = True
        elif t in _NAME_TYPES:
            return ([] if vla else [Var(_text(n), alias, indexed_read=array)]), init, vla
        elif t == "structured_binding_declarator":
            return [Var(_text(c), True) for c in n.named_children if c.type == "identifier"], True, True
        elif t in ("function_declarator", "qualified_identifier", "operator_name", "destructor_name"):
            return [], True, True
        if t not in _DECLARATOR_WRAPPERS:
            return [], True, True
        n = n.child_by_field_name("declarator") or next(iter(n.named_children), None)
    return [], True, True


def _names_in(nodes) -> set[str]:
    out: set[str] = set()
    stack = [n for n in nodes if n is not None]
    while stack:
        n = stack.pop()
        if n.type == "identifier":
            out.add(_text(n))
        stack.extend(n.named_children)
    return out


# What a statement may change, so that its STEP re-encodes only those bindings (a binding
# the runtime re-encodes but finds unchanged costs its whole encoding, e.g. a 40-element
# vector at every step of a loop that only reads it).
_WRITES_ANYTHING = ("new_expression", "delete_expression", "lambda_expression", "co_await_expression",
                    "co_yield_expression")
# Member functions that change nothing, of the standard containers and strings (unless the
# program defines a function of that name: then a call of it may change its receiver).
_CONST_METHODS = frozenset({
    "size", "length", "empty", "capacity", "max_size", "begin", "end", "cbegin", "cend", "rbegin", "rend",
    "crbegin", "crend", "front", "back", "at", "data", "c_str", "find", "rfind", "count", "contains",
    "substr", "compare", "starts_with", "ends_with", "find_first_of", "find_last_of", "find_first_not_of",
    "find_last_not_of", "lower_bound", "upper_bound", "equal_range", "top", "str"})
_SEQUENCE_TYPE = re.compile(r"^(?:const\s+)?(?:std\s*::\s*)?(?:vector|string|array|deque|basic_string|wstring)\b")


def _indexed_read(type_node) -> bool:
    """`v[i]` only reads a variable of this declared type (a map's `m[k]` inserts)."""
    if type_node is None:
        return False
    text = _text(type_node)
    return bool(_SEQUENCE_TYPE.match(text)) and "map" not in text


def _lvalue_roots(n, out: set[str]) -> None:
    """The variables an lvalue expression designates (`a[i].f` -> a): what a write through it,
    or a non-const reference bound to it, changes."""
    while n is not None:
        t = n.type
        if t == "identifier":
            out.add(_text(n))
            return
        if t in ("subscript_expression", "field_expression", "pointer_expression", "update_expression"):
            n = n.child_by_field_name("argument")
        elif t == "assignment_expression":
            n = n.child_by_field_name("left")
        elif t == "cast_expression":
            n = n.child_by_field_name("value")
        elif t == "comma_expression":
            n = n.child_by_field_name("right")
        elif t == "parenthesized_expression":
            n = n.named_children[-1] if n.named_children else None
        elif t == "conditional_expression":
            _lvalue_roots(n.child_by_field_name("consequence"), out)
            n = n.child_by_field_name("alternative")
        elif t == "call_expression":       # `v.back() = x`, `*v.begin()`: a reference into its receiver
            f = n.child_by_field_name("function")
            n = f.child_by_field_name("argument") if f is not None and f.type == "field_expression" else None
        else:
            return


def _written(nodes, program_functions: frozenset[str], calls_reach_all: bool,
             indexed_read: frozenset[str]) -> set[str] | None:
    """The variables these nodes may change, or None for any of them.
    Assignments and ++/-- change their target; a declaration its names; a call its lvalue
    arguments and the object whose member it is (a const member of a standard container
    changes nothing); `<<`/`>>` both sides (streams); `m[k]` its map. A call reaches every
    binding when `calls_reach_all` (the function has lambdas or static locals), as do new,
    delete, lambdas and coroutines always."""
    out: set[str] = set()
    stack = [n for n in nodes if n is not None]
    while stack:
        n = stack.pop()
        t = n.type
        if t in _WRITES_ANYTHING:
            return None
        if t == "assignment_expression":
            _lvalue_roots(n.child_by_field_name("left"), out)
        elif t == "update_expression":
            _lvalue_roots(n.child_by_field_name("argument"), out)
        elif t == "init_declarator" or t in ("declaration", "condition_clause"):
            for d in n.children_by_field_name("declarator"):
                out.update(v.name for v in declared(d)[0])
        elif t == "binary_expression" and n.child_by_field_name("operator") is not None \
                and n.child_by_field_name("operator").type in ("<<", ">>"):
            _lvalue_roots(n.child_by_field_name("left"), out)
            _lvalue_roots(n.child_by_field_name("right"), out)
        elif t == "subscript_expression":
            root: set[str] = set()
            _lvalue_roots(n, root)
            out.update(root - indexed_read)
        elif t == "pointer_expression" and n.children and n.children[0].type == "&":
            _lvalue_roots(n.child_by_field_name("argument"), out)
        elif t == "call_expression":
            if calls_reach_all:
                return None
            f = n.child_by_field_name("function")
            if f is not None and f.type == "field_expression":
                name = f.child_by_field_name("field")
                if name is None or _text(name) not in _CONST_METHODS or _text(name) in program_functions:
                    _lvalue_roots(f.child_by_field_name("argument"), out)
            elif f is not None and f.type == "identifier":
                out.add(_text(f))            # a callable object the function holds
            args = n.child_by_field_name("arguments")
            for a in args.named_children if args is not None else ():
                _lvalue_roots(a, out)
        stack.extend(n.named_children)
    return out


class _Function:
    def __init__(self, fid: int, name: str):
        self.fid = fid
        self.name = name
        self.slots: dict[str, int] = {}
        self.scopes: list[list[Var]] = [[]]
        self.loops: list[str | None] = []     # range-for "exhausted" flags (None: another loop/switch)
        self.aliases = False
        self.calls_reach_all = False          # lambdas or static locals: any call may change them
        self.indexed_read: set[str] = set()   # names whose `x[i]` only reads (see Var)
        self._indexed_write: set[str] = set()
        self.void = False
        self.ret_type = "auto"

    def track(self, v: Var) -> Var:
        self.slots.setdefault(v.name, len(self.slots))
        self.aliases = self.aliases or v.alias
        if v.indexed_read and v.name not in self._indexed_write:
            self.indexed_read.add(v.name)
        else:                                 # one name, two variables (scopes): the safe reading
            self.indexed_read.discard(v.name)
            self._indexed_write.add(v.name)
        return v

    def visible(self) -> list[Var]:
        seen: dict[str, Var] = {}
        for scope in self.scopes:
            for v in scope:
                seen.pop(v.name, None)
                seen[v.name] = v
        return list(seen.values())


def function_name(node) -> str | None:
    """The source-level name of a function_definition (last component: `A::f` -> `f`)."""
    d = node.child_by_field_name("declarator")
    while d is not None and d.type in ("pointer_declarator", "reference_declarator", "parenthesized_declarator",
                                       "attributed_declarator"):
        d = d.child_by_field_name("declarator") or next(iter(d.named_children), None)
    if d is None or d.type != "function_declarator":
        return None
    n = d.child_by_field_name("declarator")
    while n is not None and n.type == "qualified_identifier":
        n = n.child_by_field_name("name")
    if n is None:
        return None
    if n.type == "template_function":
        n = n.child_by_field_name("name")
    return " ".join(_text(n).split()) if n is not None else None


def _contains(node, node_type: str) -> bool:
    stack = [node]
    while stack:
        n = stack.pop()
        if n.type == node_type:
            return True
        stack.extend(n.named_children)
    return False


def _defined_functions(root) -> frozenset[str]:
    """Every function name the program defines or declares (members included)."""
    out = set()
    stack = [root]
    while stack:
        n = stack.pop()
        if n.type == "function_declarator":
            d = n.child_by_field_name("declarator")
            if d is not None:
                out.add(_text(d).rsplit("::", 1)[-1].strip())
        stack.extend(n.named_children)
    return frozenset(out)


class Instrumenter:
    def __init__(self, program: bytes):
        self.src = program
        self.tree = parse(program)
        self.program_functions = _defined_functions(self.tree.root_node)
        self.edits = _Edits()
        self.stmts: list[StmtInfo] = []
        self.funcs: list[FuncInfo] = []
        self._n = 0

    def run(self) -> Instrumented:
        stack = [self.tree.root_node]
        while stack:
            n = stack.pop()
            if n.type == "function_definition":
                self._function(n)
            elif n.type in ("class_specifier", "struct_specifier"):
                self._printer(n)
            stack.extend(reversed(n.named_children))
        return Instrumented(self.edits.apply(self.src), self.stmts, self.funcs)

    def _fresh(self, stem: str) -> str:
        self._n += 1
        return f"__egca_{stem}{self._n}"

    # ------------------------------------------------------------------ classes
    def _printer(self, node) -> None:
        """A `__egca_enc` member at the end of a class body: the object and its fields."""
        name = node.child_by_field_name("name")
        body = node.child_by_field_name("body")
        if name is None or body is None or body.type != "field_declaration_list" or body.has_error:
            return
        fields: list[str] = []
        for fd in body.named_children:
            if fd.type != "field_declaration":
                continue
            if any(c.type == "storage_class_specifier" for c in fd.children) or \
                    any(c.type == "bitfield_clause" for c in fd.named_children):
                continue
            for d in fd.children_by_field_name("declarator"):
                vars_, _, _ = declared(d)
                for v in vars_:
                    fields.append(v.name)
        tname = " ".join(_text(name).split())
        if name.type == "template_type":
            tname = _text(name.child_by_field_name("name"))
        parts = " ".join(f'egca_rt::fv({i}, "{f}", {f});' for i, f in enumerate(fields))
        code = (f" public: void __egca_enc() const {{ egca_rt::obj_begin(\"{tname}\"); {parts} egca_rt::close2(); }} ")
        self.edits.close(body.end_byte - 1, code, 0)

    # ------------------------------------------------------------------ functions
    def _function(self, node) -> None:
        body = node.child_by_field_name("body")
        if body is None or body.type != "compound_statement" or node.has_error:
            return
        if any(_text(c) in ("constexpr", "consteval") for c in node.children if c.id != body.id
               and c.type in ("type_qualifier", "storage_class_specifier", "constexpr", "consteval", "virtual")):
            return
        name = function_name(node)
        if name is None:
            return
        fid = len(self.funcs)
        header_end = body.start_byte
        while header_end > node.start_byte and self.src[header_end - 1:header_end] in b" \t\r\n":
            header_end -= 1
        self.funcs.append(FuncInfo(name, Range.of_bytes(self.src, node.start_byte, header_end)))
        fn = _Function(fid, name)
        fn.calls_reach_all = _contains(body, "lambda_expression")   # called later by another name
        fn.ret_type, fn.void = self._return_type(node)
        params = self._params(fn, node)
        fn.scopes[0].extend(params)
        first = len(self.edits.items)
        self._compound(fn, body, 1, push=False)
        del first
        nslots = max(1, len(fn.slots))
        entry = (f" egca_rt::Frame __egca_fr; unsigned long long __egca_h[{nslots}] = {{0}}; (void)__egca_h; "
                 f"if (egca_rt::on) {{ egca_rt::ev('C', {fid}, __egca_fr.id); {self._bindings(fn, params)} "
                 f"egca_rt::ev_end(); }} try {{")
        self.edits.open(body.start_byte + 1, entry, 0)
        self.edits.last(body.end_byte - 1, f" if (egca_rt::on) {{ egca_rt::ev('E', {fid}, __egca_fr.id); "
                                           f"egca_rt::raw(\"null\"); egca_rt::ev_end(); }} }} catch (...) "
                                           f"{{ egca_rt::exc(__egca_fr.id); throw; }} ")

    def _return_type(self, node) -> tuple[str, bool]:
        t = node.child_by_field_name("type")
        d = node.child_by_field_name("declarator")
        suffix = ""
        while d is not None and d.type in ("pointer_declarator", "reference_declarator", "parenthesized_declarator",
                                           "attributed_declarator"):
            if d.type == "pointer_declarator":
                suffix += "*"
            elif d.type == "reference_declarator":
                suffix += "&&" if _text(d).lstrip().startswith("&&") else "&"
            d = d.child_by_field_name("declarator") or next(iter(d.named_children), None)
        if t is None:        # constructors, destructors, conversion operators
            name = function_name(node) or ""
            return "auto", not name.startswith("operator")
        trailing = None
        if d is not None and d.type == "function_declarator":
            trailing = next((c for c in d.named_children if c.type == "trailing_return_type"), None)
        quals = " ".join(_text(c) for c in node.children if c.type == "type_qualifier"
                         and _text(c) in ("const", "volatile") and c.start_byte < t.start_byte)
        base = " ".join(_text(t).split())
        if trailing is not None and base == "auto":
            desc = next(iter(trailing.named_children), None)
            if desc is not None:
                return " ".join(_text(desc).split()), " ".join(_text(desc).split()) == "void"
        full = " ".join(f"{quals} {base} {suffix}".split())
        return full, full == "void"

    def _params(self, fn: _Function, node) -> list[Var]:
        d = node.child_by_field_name("declarator")
        while d is not None and d.type != "function_declarator":
            d = d.child_by_field_name("declarator") or next(iter(d.named_children), None)
        plist = d.child_by_field_name("parameters") if d is not None else None
        out = []
        for p in plist.named_children if plist is not None else []:
            if p.type not in ("parameter_declaration", "optional_parameter_declaration"):
                continue
            pd = p.child_by_field_name("declarator")
            if pd is None:
                continue
            vars_, _, _ = declared(pd)
            for v in vars_:
                v.indexed_read = v.indexed_read or _indexed_read(p.child_by_field_name("type"))
            out.extend(fn.track(v) for v in vars_)
        return out

    # ------------------------------------------------------------------ code pieces
    def _bindings(self, fn: _Function, vars_: list[Var]) -> str:
        return " ".join((f"if ({v.flag}) " if v.flag else "") +
                        f'egca_rt::bv("{v.name}", {v.name}, &__egca_h[{fn.slots[v.name]}]);' for v in vars_)

    def _step(self, fn: _Function, sid: int, nodes=(), extra: tuple = (), fresh: tuple = ()) -> str:
        vis = fn.visible()
        nodes = [n for n in nodes if n is not None]
        named = _names_in(nodes) | set(extra)
        written = None if fn.aliases else _written(nodes, self.program_functions, fn.calls_reach_all,
                                                   frozenset(fn.indexed_read))
        shown = {v.name for v in vis if v.flag and v.name in named and v.name not in fresh}
        if written is None:
            vars_ = vis
        else:
            # a local declared without an initializer shows once a statement names it
            vars_ = [v for v in vis if v.name in written or v.name in extra or v.name in shown]
        flags = " ".join(f"{v.flag} = true;" for v in vis if v.name in shown)
        return (f"if (egca_rt::on) {{ {flags} egca_rt::ev('S', {sid}, __egca_fr.id); {self._bindings(fn, vars_)} "
                f"egca_rt::ev_end(); }}")

    def _new(self, fn: _Function, rng: Range, cond: Range | None = None, kind: str | None = None) -> int:
        self.stmts.append(StmtInfo(rng, cond, fn.name, kind))
        return len(self.stmts) - 1

    # ------------------------------------------------------------------ statements
    def _compound(self, fn: _Function, node, depth: int, push: bool = True) -> None:
        if push:
            fn.scopes.append([])
        for c in node.named_children:
            self._statement(fn, c, depth)
        if push:
            fn.scopes.pop()

    def _wrap(self, node) -> bool:
        """A statement that is a sub-statement itself (`if (c) s;`) is wrapped in braces."""
        p = node.parent
        return p is None or p.type not in ("compound_statement", "case_statement", "labeled_statement")

    def _statement(self, fn: _Function, node, depth: int) -> None:
        t = node.type
        if t == "compound_statement":
            self._compound(fn, node, depth + 1)
        elif t == "declaration":
            self._declaration(fn, node, depth)
        elif t == "expression_statement":
            if not node.named_children:
                return
            sid = self._new(fn, Range.of_node(node))
            self.edits.open(node.start_byte, f"{{ EGCA_AT({sid}); ", depth)
            self.edits.close(node.end_byte, f" {self._step(fn, sid, [node])} }}", depth)
        elif t in ("break_statement", "continue_statement", "goto_statement", "throw_statement"):
            sid = self._new(fn, Range.of_node(node))
            brk = ""
            if t == "break_statement" and fn.loops and fn.loops[-1] is not None:
                brk = f"{fn.loops[-1]} = true; "
            self.edits.open(node.start_byte, f"{{ EGCA_AT({sid}); {brk}{self._step(fn, sid, [node] if t == 'throw_statement' else [])} ", depth)
            self.edits.close(node.end_byte, " }", depth)
        elif t == "return_statement":
            self._return(fn, node, depth)
        elif t == "if_statement":
            self._if(fn, node, depth)
        elif t == "while_statement":
            fn.scopes.append([])
            cond = node.child_by_field_name("condition")
            self._clause(fn, node, cond, "while", depth)
            fn.loops.append(None)
            self._sub(fn, node.child_by_field_name("body"), depth)
            fn.loops.pop()
            fn.scopes.pop()
        elif t == "do_statement":
            fn.loops.append(None)
            self._sub(fn, node.child_by_field_name("body"), depth)
            fn.loops.pop()
            cond = node.child_by_field_name("condition")
            if cond is not None and cond.type == "parenthesized_expression" and cond.named_children:
                self._wrap_condition(fn, node, cond.named_children[0], [cond], "do", depth)
        elif t == "for_statement":
            self._for(fn, node, depth)
        elif t == "for_range_loop":
            self._range_for(fn, node, depth)
        elif t == "switch_statement":
            self._switch(fn, node, depth)
        elif t == "try_statement":
            body = node.child_by_field_name("body")
            if body is not None:
                self._compound(fn, body, depth + 1)
            for c in node.named_children:
                if c.type == "catch_clause":
                    cb = c.child_by_field_name("body")
                    if cb is not None:
                        self._compound(fn, cb, depth + 1)
        elif t == "labeled_statement":
            for c in node.named_children:
                if c.type != "statement_identifier":
                    self._statement(fn, c, depth + 1)
        elif t == "case_statement":
            value = node.child_by_field_name("value")
            for c in node.named_children:
                if value is None or c.id != value.id:
                    self._statement(fn, c, depth + 1)
        # anything else (type and alias declarations, static_assert, ...) runs untraced

    def _sub(self, fn: _Function, body, depth: int) -> None:
        if body is None:
            return
        if body.type == "declaration":
            fn.scopes.append([])
            self._statement(fn, body, depth + 1)
            fn.scopes.pop()
        else:
            self._statement(fn, body, depth + 1)

    def _declaration(self, fn: _Function, node, depth: int) -> None:
        storage = {_text(c) for c in node.children if c.type == "storage_class_specifier"}
        if "extern" in storage:
            return
        type_node = node.child_by_field_name("type")
        placeholder = type_node is not None and type_node.type in ("placeholder_type_specifier", "auto", "decltype")
        # a scalar declared without an initializer would hold garbage: it shows once written;
        # a class object (`string s;`, `map<K, V> m;`) is constructed, and shows at once
        scalar = type_node is not None and (type_node.type in ("primitive_type", "sized_type_specifier")
                                            or _text(type_node) in _SCALAR_NAMES)
        in_case = node.parent is not None and node.parent.type == "case_statement"
        new: list[Var] = []
        flags = []
        if storage & {"static", "thread_local"}:
            fn.calls_reach_all = True         # a recursive call changes it
        for d in node.children_by_field_name("declarator"):
            vars_, init, skip = declared(d)
            if not vars_:
                continue
            for v in vars_:
                v.indexed_read = v.indexed_read or _indexed_read(type_node)
            if not init and not skip and not placeholder and not in_case:
                self.edits.close(d.end_byte, "{}", 99)
                if "static" not in storage and (scalar or d.type in ("pointer_declarator", "array_declarator")):
                    for v in vars_:
                        v.flag = self._fresh("f")
                        flags.append(v.flag)
            new.extend(fn.track(v) for v in vars_)
        if not new:
            return
        sid = self._new(fn, Range.of_node(node))
        fn.scopes[-1].extend(new)
        wrap = self._wrap(node)
        decl_flags = f" bool {', '.join(f + ' = false' for f in flags)};" if flags else ""
        self.edits.open(node.start_byte, ("{ " if wrap else "") + f"EGCA_AT({sid}); ", depth)
        names = tuple(v.name for v in new)
        self.edits.close(node.end_byte, f"{decl_flags} {self._step(fn, sid, [node], names, names)}"
                         + (" }" if wrap else ""), depth)

    def _return(self, fn: _Function, node, depth: int) -> None:
        sid = self._new(fn, Range.of_node(node))
        expr = next((c for c in node.named_children if c.type != "comment"), None)
        kw = node.children[0]
        null_ret = (f"if (egca_rt::on) {{ egca_rt::ev('R', {sid}, __egca_fr.id); egca_rt::raw(\"null\"); "
                    f"egca_rt::ev_end(); }}")
        if expr is None or fn.void:
            self.edits.open(node.start_byte, f"{{ EGCA_AT({sid}); ", depth)
            tail = f"{_text(expr)};" if expr is not None else ""
            self.edits.replace(node.start_byte, node.end_byte,
                               f"{tail} {self._step(fn, sid, [expr])} {null_ret} return; }}")
            return
        braced = expr.type == "initializer_list"
        rt = fn.ret_type
        self.edits.replace(kw.start_byte, kw.end_byte,
                           f"{{ EGCA_AT({sid}); {rt} __egca_r = " + ("" if braced else "("))
        semi = node.children[-1]
        end_expr = semi.start_byte if semi.type == ";" else node.end_byte
        back = "static_cast<decltype(__egca_r)&&>(__egca_r)" if rt.endswith("&&") else "__egca_r"
        self.edits.close(end_expr, ("" if braced else ")") + f"; {self._step(fn, sid, [node])} "
                         f"if (egca_rt::on) egca_rt::ret({sid}, __egca_fr.id, __egca_r); return {back}", depth)
        self.edits.close(node.end_byte, " }", depth)

    def _clause_vars(self, fn: _Function, clause) -> tuple[object | None, list]:
        """A condition_clause: (the condition expression to wrap or None, nodes it evaluates);
        declarations in it (`if (int k = f(); k > 0)`) join the current scope."""
        if clause is None:
            return None, []
        value = clause.child_by_field_name("value")
        init = clause.child_by_field_name("initializer")
        for part in (init, value):
            if part is None:
                continue
            decls = [part] if part.type == "declaration" else [c for c in part.named_children if c.type == "declaration"]
            for dcl in decls:
                for d in dcl.children_by_field_name("declarator"):
                    fn.scopes[-1].extend(fn.track(v) for v in declared(d)[0])
        if value is None or value.type == "declaration":
            return None, [clause]
        return value, [clause]

    def _clause(self, fn: _Function, node, clause, kind: str, depth: int) -> None:
        value, nodes = self._clause_vars(fn, clause)
        if value is not None:
            self._wrap_condition(fn, node, value, nodes, kind, depth)

    def _wrap_condition(self, fn: _Function, node, inner, nodes, kind: str, depth: int) -> None:
        hdr = self._header(node, kind)
        sid = self._new(fn, hdr, Range.of_node(inner), "while" if kind == "do" else kind)
        self.edits.open(inner.start_byte, f"({{ EGCA_AT({sid}); bool __egca_c = !!(", depth)
        self.edits.close(inner.end_byte, f"); {self._step(fn, sid, nodes)} "
                                         f"egca_rt::branch({sid}, __egca_fr.id, __egca_c); __egca_c; }})", depth)

    def _header(self, node, kind: str) -> Range:
        if kind == "do":
            kw = next((c for c in node.children if c.type == "while"), None)
            cond = node.child_by_field_name("condition")
            start = kw.start_byte if kw is not None else node.start_byte
            return Range.of_bytes(self.src, start, cond.end_byte if cond is not None else node.end_byte)
        if kind in ("for", "range"):
            close = [c for c in node.children if c.type == ")"]
            body = node.child_by_field_name("body")
            end = close[-1].end_byte if close else (body.start_byte if body is not None else node.end_byte)
            return Range.of_bytes(self.src, node.start_byte, end)
        cond = node.child_by_field_name("condition")
        return Range.of_bytes(self.src, node.start_byte, cond.end_byte if cond is not None else node.end_byte)

    def _if(self, fn: _Function, node, depth: int) -> None:
        fn.scopes.append([])
        constexpr = any(c.type == "constexpr" or _text(c) == "constexpr" for c in node.children if not c.is_named)
        clause = node.child_by_field_name("condition")
        if constexpr:
            self._clause_vars(fn, clause)
        else:
            self._clause(fn, node, clause, "if", depth)
        self._sub(fn, node.child_by_field_name("consequence"), depth)
        alt = node.child_by_field_name("alternative")
        if alt is not None:
            for c in alt.named_children:
                self._sub(fn, c, depth)
        fn.scopes.pop()

    def _for(self, fn: _Function, node, depth: int) -> None:
        fn.scopes.append([])
        init = node.child_by_field_name("initializer")
        if init is not None and init.type == "declaration":
            for d in init.children_by_field_name("declarator"):
                fn.scopes[-1].extend(fn.track(v) for v in declared(d)[0])
        cond = node.child_by_field_name("condition")
        update = node.child_by_field_name("update")
        hdr = self._header(node, "for")
        sid = self._new(fn, hdr, Range.of_node(cond) if cond is not None else hdr, "for")
        tail = (f"{self._step(fn, sid, [init, cond, update])} egca_rt::branch({sid}, __egca_fr.id, __egca_c); "
                f"__egca_c; }})")
        if cond is not None:
            self.edits.open(cond.start_byte, f"({{ EGCA_AT({sid}); bool __egca_c = !!(", depth)
            self.edits.close(cond.end_byte, f"); {tail}", depth)
        else:
            semis = [c for c in node.children if c.type == ";"]
            if len(semis) >= 1:
                at = semis[-1].start_byte if len(semis) >= 2 else semis[0].end_byte
                if len(semis) >= 2:
                    self.edits.open(at, f"({{ EGCA_AT({sid}); bool __egca_c = true; {tail}", depth)
        fn.loops.append(None)
        self._sub(fn, node.child_by_field_name("body"), depth)
        fn.loops.pop()
        fn.scopes.pop()

    def _range_for(self, fn: _Function, node, depth: int) -> None:
        body = node.child_by_field_name("body")
        if body is None:
            return
        fn.scopes.append([])
        d = node.child_by_field_name("declarator")
        new = [fn.track(v) for v in declared(d)[0]] if d is not None else []
        fn.scopes[-1].extend(new)
        hdr = self._header(node, "range")
        right = node.child_by_field_name("right")
        sid = self._new(fn, hdr, hdr, "for")
        flag = self._fresh("b")
        names = tuple(v.name for v in new)
        self.edits.open(node.start_byte, f"{{ bool {flag} = false; ", depth)
        self.edits.open(body.start_byte, f"{{ EGCA_AT({sid}); {self._step(fn, sid, [], names)} "
                                         f"egca_rt::branch({sid}, __egca_fr.id, 1); ", depth + 50)
        fn.loops.append(flag)
        self._statement(fn, body, depth + 51)
        fn.loops.pop()
        self.edits.close(body.end_byte, " }", depth + 50)
        fn.scopes.pop()
        self.edits.close(node.end_byte, f" if (!{flag}) {{ EGCA_AT({sid}); {self._step(fn, sid, [right])} "
                                        f"egca_rt::branch({sid}, __egca_fr.id, 0); }} }}", depth)

    def _switch(self, fn: _Function, node, depth: int) -> None:
        fn.scopes.append([])
        clause = node.child_by_field_name("condition")
        value, nodes = self._clause_vars(fn, clause)
        if value is not None:
            sid = self._new(fn, self._header(node, "switch"))
            self.edits.open(value.start_byte, f"({{ EGCA_AT({sid}); auto __egca_sw = (", depth)
            self.edits.close(value.end_byte, f"); {self._step(fn, sid, nodes)} __egca_sw; }})", depth)
        body = node.child_by_field_name("body")
        if body is not None:
            fn.loops.append(None)
            fn.scopes.append([])
            for c in body.named_children:
                self._statement(fn, c, depth + 1)
            fn.scopes.pop()
            fn.loops.pop()
        fn.scopes.pop()


def instrument(program: bytes) -> Instrumented:
    return Instrumenter(program).run()
