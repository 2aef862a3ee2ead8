"""Source instrumentation of a C program, driven by tree-sitter-c.

Every statement of every function gets code inserted *on its own lines* (no
line is added, so compiler lines and `__LINE__` stay the program's):

- before it, `EGCA_AT(id)`: a store of the statement id into shared memory,
  always on (Run mode too), so a crash or timeout can name the last statement;
- after it, a STEP event carrying the visible local bindings; the runtime
  drops every binding whose encoding equals the one last reported in this
  frame, which gives EVENTS.md's "bindings it changed" rule;
- conditions of if/while/do/for are wrapped in a GNU statement expression that
  evaluates the condition, emits the header's STEP and then the BRANCH;
- `return e;` becomes `{ T r = (e); STEP; RETURN r; return r; }` and the
  function entry emits CALL with the arguments.

What the instrumenter must know statically is each binding's shape (scalar,
array of known size, pointer parameter paired with a length parameter, struct
with a generated printer); the value itself is printed by the `_Generic`
dispatch in egca_rt.h. Locals declared without an initializer are zeroed (no
garbage ever reaches a trace, and runs are deterministic) and are reported
only after a statement that writes them has run.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import tree_sitter
import tree_sitter_c



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
        """The kit's explicit range [sb, eb, sl, el, sc, ec] (columns not given)."""
        return [self.start_byte, self.end_byte, self.start_line, self.end_line, 0, 0]

# Integer parameter types that make the preceding pointer parameter an array.
_LENGTH_TYPES = frozenset({
    "int", "unsigned", "unsigned int", "long", "long int", "unsigned long", "long long", "unsigned long long",
    "short", "unsigned short", "size_t", "ssize_t", "int32_t", "int64_t", "uint32_t", "uint64_t", "long unsigned int",
})
_CHAR_TYPES = frozenset({"char", "signed char", "unsigned char"})
# Words of a base type whose values live in the variable itself (not behind a pointer):
# such a binding can change only by a statement that names it (unless its address is taken).
_SCALAR_WORDS = frozenset({
    "int", "char", "short", "long", "unsigned", "signed", "float", "double", "_Bool", "bool", "const",
    "volatile", "register", "static", "size_t", "ssize_t", "ptrdiff_t", "intptr_t", "uintptr_t",
    "int8_t", "int16_t", "int32_t", "int64_t", "uint8_t", "uint16_t", "uint32_t", "uint64_t",
})


def _unqualified(base: str) -> str:
    return " ".join(w for w in base.split() if w not in ("const", "volatile"))


def _scalar_type(base: str) -> bool:
    return bool(base) and all(w in _SCALAR_WORDS for w in base.split())


@functools.lru_cache(maxsize=1)
def _parser() -> tree_sitter.Parser:
    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_c.language()))


def parse(program: bytes) -> tree_sitter.Tree:
    return _parser().parse(program)


@dataclass(frozen=True)
class StmtInfo:
    range: Range                 # STEP range (a compound statement's header)
    cond: Range | None           # BRANCH range (the condition expression)
    function: str
    branch_kind: str | None


@dataclass(frozen=True)
class FuncInfo:
    name: str
    range: Range                 # the definition's header


@dataclass
class Instrumented:
    source: bytes                # the instrumented program (same line count)
    stmts: list[StmtInfo]
    funcs: list[FuncInfo]


@dataclass
class Var:
    name: str
    kind: str                    # "scalar" | "array" | "array2" | "parr" | "pparam" | "struct"
    elem_printer: str | None     # struct printer for the value / elements
    flag: str | None = None      # set-flag for locals declared without initializer
    length: str | None = None    # C expression of a paired pointer's length
    mem: bool = True             # may change without being named (memory-backed: arrays, pointers, structs, &x)


def _text(node: tree_sitter.Node) -> str:
    return node.text.decode("utf-8", "replace")


def _norm(s: str) -> str:
    return " ".join(s.split())


class _Edits:
    """Insertions (and a few token replacements) keyed by byte offset."""

    def __init__(self) -> None:
        self.items: list[tuple[int, int, int, int, str]] = []   # (start, end, phase, order, text)
        self._n = 0

    def open(self, at: int, text: str, depth: int) -> None:
        self._add(at, at, 1, depth, text)

    def close(self, at: int, text: str, depth: int) -> None:
        self._add(at, at, 0, -depth, text)

    def replace(self, start: int, end: int, text: str) -> None:
        self._add(start, end, 2, 0, text)

    def _add(self, start, end, phase, order, text):
        self._n += 1
        self.items.append((start, end, phase, order, self._n, text))

    def apply(self, src: bytes) -> bytes:
        out = []
        pos = 0
        for start, end, _phase, _order, _n, text in sorted(self.items, key=lambda e: e[:5]):
            if start < pos:
                raise ValueError("overlapping instrumentation edits")
            out.append(src[pos:start])
            out.append(text.encode())
            pos = end
        out.append(src[pos:])
        return b"".join(out)


def _declarator_shape(node: tree_sitter.Node) -> tuple[str | None, int, int, bool, bool]:
    """(name, pointer levels, array dimensions, has initializer, complex) of a declarator."""
    ptr = dims = 0
    init = complex_ = False
    while node is not None:
        t = node.type
        if t == "init_declarator":
            init = True
            node = node.child_by_field_name("declarator")
        elif t == "pointer_declarator":
            ptr += 1
            node = node.child_by_field_name("declarator")
        elif t == "array_declarator":
            dims += 1
            node = node.child_by_field_name("declarator")
        elif t in ("identifier", "field_identifier", "type_identifier"):
            return _text(node), ptr, dims, init, complex_
        elif t == "function_declarator":
            return None, ptr, dims, init, True
        elif t == "parenthesized_declarator":
            complex_ = True
            node = next((c for c in node.named_children), None)
        elif t == "attributed_declarator":
            node = node.named_children[0] if node.named_children else None
        else:
            return None, ptr, dims, init, True
    return None, ptr, dims, init, True


def _root_identifier(node: tree_sitter.Node | None) -> str | None:
    while node is not None:
        t = node.type
        if t == "identifier":
            return _text(node)
        if t in ("subscript_expression", "field_expression"):
            node = node.child_by_field_name("argument")
        elif t == "pointer_expression":
            node = node.child_by_field_name("argument")
        elif t == "parenthesized_expression":
            node = node.named_children[0] if node.named_children else None
        elif t == "cast_expression":
            node = node.child_by_field_name("value")
        else:
            return None
    return None


def _written(nodes: list[tree_sitter.Node | None]) -> set[str]:
    """Names a piece of code may write (statically, conservatively)."""
    names: set[str] = set()
    stack = [n for n in nodes if n is not None]
    while stack:
        n = stack.pop()
        t = n.type
        if t == "assignment_expression":
            names.add(_root_identifier(n.child_by_field_name("left")) or "")
        elif t == "update_expression":
            names.add(_root_identifier(n.child_by_field_name("argument")) or "")
        elif t == "pointer_expression" and n.child_by_field_name("operator") is not None \
                and _text(n.child_by_field_name("operator")) == "&":
            names.add(_root_identifier(n.child_by_field_name("argument")) or "")
        elif t == "init_declarator":
            name = _declarator_shape(n)[0]
            names.add(name or "")
        elif t == "call_expression":
            args = n.child_by_field_name("arguments")
            for a in (args.named_children if args is not None else []):
                if a.type == "identifier":
                    names.add(_text(a))
        if t in ("compound_statement",):
            continue
        stack.extend(n.named_children)
    names.discard("")
    return names


def _plain_target(node: tree_sitter.Node | None) -> str | None:
    """The identifier an assignment writes when it is a bare (parenthesised) name."""
    while node is not None and node.type == "parenthesized_expression" and node.named_children:
        node = node.named_children[0]
    return _text(node) if node is not None and node.type == "identifier" else None


def _writes_memory(nodes: list[tree_sitter.Node | None], addr_taken: set[str]) -> bool:
    """Whether code may write memory other than the bare local variables it names:
    any call, any write through a subscript/field/dereference, or a write to a variable
    whose address is taken."""
    stack = [n for n in nodes if n is not None]
    while stack:
        n = stack.pop()
        t = n.type
        if t == "call_expression":
            return True
        if t in ("assignment_expression", "update_expression"):
            name = _plain_target(n.child_by_field_name("left" if t == "assignment_expression" else "argument"))
            if name is None or name in addr_taken:
                return True
        if t == "compound_statement":
            continue
        stack.extend(n.named_children)
    return False


def _address_taken(node: tree_sitter.Node) -> set[str]:
    """Names whose address is taken (`&x`, `&x.f`, `&x[i]`) anywhere in a function."""
    names: set[str] = set()
    stack = [node]
    while stack:
        n = stack.pop()
        if n.type == "pointer_expression":
            op = n.child_by_field_name("operator")
            if op is not None and _text(op) == "&":
                names.add(_root_identifier(n.child_by_field_name("argument")) or "")
        stack.extend(n.named_children)
    names.discard("")
    return names


class _Function:
    """Per-function state: slots by binding name, flags, and the scope stack."""

    def __init__(self, fid: int, name: str):
        self.fid = fid
        self.name = name
        self.slots: dict[str, int] = {}
        self.scopes: list[list[Var]] = [[]]
        self.addr_taken: set[str] = set()

    def track(self, v: Var) -> Var:
        if v.name in self.addr_taken:
            v.mem = True
        self.slot(v.name)
        return v

    def slot(self, name: str) -> int:
        return self.slots.setdefault(name, len(self.slots))

    def visible(self) -> list[Var]:
        seen: dict[str, Var] = {}
        for scope in self.scopes:
            for v in scope:
                seen[v.name] = v
        return list(seen.values())


class Instrumenter:
    def __init__(self, program: bytes):
        self.src = program
        self.tree = parse(program)
        self.edits = _Edits()
        self.stmts: list[StmtInfo] = []
        self.funcs: list[FuncInfo] = []
        self.structs: dict[str, str] = {}       # normalised type text -> printer function
        self._flags = 0

    # ------------------------------------------------------------------ driver
    def run(self) -> Instrumented:
        for node in self.tree.root_node.named_children:
            self._top_level(node)
        return Instrumented(self.edits.apply(self.src), self.stmts, self.funcs)

    def _top_level(self, node: tree_sitter.Node) -> None:
        if node.type == "function_definition":
            self._function(node)
            return
        if node.type in ("declaration", "type_definition", "struct_specifier"):
            self._structs_in(node)
        if node.type in ("preproc_if", "preproc_ifdef", "preproc_else", "preproc_elif"):
            for c in node.named_children:
                self._top_level(c)

    # ------------------------------------------------------------------ structs
    def _structs_in(self, node: tree_sitter.Node) -> None:
        """Generate printers for struct definitions, inserted after the declaration."""
        specs = [node] if node.type == "struct_specifier" else \
            [c for c in node.named_children if c.type == "struct_specifier"]
        typedef_names = []
        if node.type == "type_definition":
            for d in node.children_by_field_name("declarator"):
                name, ptr, dims, _, cx = _declarator_shape(d)
                if name and not ptr and not dims and not cx:
                    typedef_names.append(name)
        for spec in specs:
            body = spec.child_by_field_name("body")
            tag = spec.child_by_field_name("name")
            if body is None:
                if tag is not None and f"struct {_text(tag)}" in self.structs:
                    for t in typedef_names:
                        self.structs[t] = self.structs[f"struct {_text(tag)}"]
                continue
            type_text = f"struct {_text(tag)}" if tag is not None else (typedef_names[0] if typedef_names else None)
            if type_text is None:
                continue
            printer = f"__egca_pr{len(self.structs)}"
            code = self._struct_printer(printer, type_text, body)
            if code is None:
                continue
            self.structs[type_text] = printer
            for t in typedef_names:
                self.structs[t] = printer
            end = node.end_byte
            nxt = node.next_sibling
            if node.type == "struct_specifier" and nxt is not None and nxt.type == ";":
                end = nxt.end_byte
            self.edits.close(end, " " + code, 0)

    def _struct_printer(self, printer: str, type_text: str, body: tree_sitter.Node) -> str | None:
        parts = []
        i = 0
        for fd in body.named_children:
            if fd.type != "field_declaration":
                continue
            if any(c.type == "bitfield_clause" for c in fd.named_children):
                continue
            ftype = fd.child_by_field_name("type")
            for d in fd.children_by_field_name("declarator"):
                name, ptr, dims, _, cx = _declarator_shape(d)
                if name is None:
                    continue
                expr = f"__v->{name}"
                var = self._var_for(name, _norm(_text(ftype)) if ftype is not None else "", ptr, dims, cx)
                parts.append(f"egca_field({i}, \"{name}\"); {self._value_code(var, expr)}; egca_raw(\"]\");")
                i += 1
        return (f"static void {printer}(const void *__p) {{ const {type_text} *__v = (const {type_text} *)__p; "
                f"egca_obj_begin(\"{type_text}\"); {' '.join(parts)} egca_obj_end(); }}")

    # ------------------------------------------------------------------ values
    def _var_for(self, name: str, base: str, ptr: int, dims: int, complex_: bool) -> Var:
        if complex_:
            return Var(name, "scalar", None)
        v = self._var_shape(name, base, ptr, dims)
        v.mem = not (v.kind == "scalar" and ptr == 0 and _scalar_type(base))
        return v

    def _var_shape(self, name: str, base: str, ptr: int, dims: int) -> Var:
        printer = self.structs.get(base) if ptr == 0 else None
        if dims == 1:
            return Var(name, "array", printer)
        if dims > 1:
            return Var(name, "array2", None)
        if printer is not None:
            return Var(name, "struct", printer)
        return Var(name, "scalar", None)

    def _value_code(self, v: Var, expr: str | None = None) -> str:
        x = f"({expr or v.name})"
        if v.kind == "struct":
            return f"{v.elem_printer}((const void *)&{x})"
        if v.kind == "array":
            pr = v.elem_printer or f"EGCA_FN({x}[0])"
            is_char = "0" if v.elem_printer else f"EGCA_IS_CHAR({x}[0])"
            return f"egca_arr((const void *){x}, sizeof {x} / sizeof {x}[0], sizeof {x}[0], {pr}, {is_char})"
        if v.kind == "array2":
            return f"egca_arr((const void *){x}, sizeof {x} / sizeof {x}[0], sizeof {x}[0], egca_p_other, 0)"
        if v.kind == "pparam":
            pr = v.elem_printer or f"EGCA_FN(*{x})"
            return f"egca_pderef((const void *){x}, sizeof *{x}, {pr})"
        if v.kind == "parr":
            pr = v.elem_printer or f"EGCA_FN(*{x})"
            return f"egca_parr((const void *){x}, {v.length}, sizeof *{x}, {pr})"
        return f"EGCA_V({expr or v.name})"

    def _bindings_code(self, fn: _Function, vars_: list[Var]) -> str:
        out = []
        for v in vars_:
            code = f"egca_bind(\"{v.name}\"); {self._value_code(v)}; egca_bend(&__egca_h[{fn.slot(v.name)}]);"
            out.append(f"if ({v.flag}) {{ {code} }}" if v.flag else code)
        return " ".join(out)

    def _step_code(self, fn: _Function, sid: int, nodes: list[tree_sitter.Node | None] = (),
                   extra: tuple[str, ...] = ()) -> str:
        """STEP of statement `sid`: only the bindings it may have changed (statically, see
        `_written`/`_writes_memory`); the runtime drops those whose encoding is unchanged."""
        written = _written(list(nodes)) | set(extra)
        mem = _writes_memory(list(nodes), fn.addr_taken)
        vars_ = [v for v in fn.visible() if v.name in written or (mem and v.mem)]
        return (f"if (egca_on) {{ egca_ev('S', {sid}, __egca_fr); "
                f"{self._bindings_code(fn, vars_)} egca_ev_end(); }}")

    def _flags_code(self, fn: _Function, nodes: list[tree_sitter.Node | None]) -> str:
        names = _written(nodes)
        flags = [v.flag for v in fn.visible() if v.flag and v.name in names]
        return " ".join(f"{f} = 1;" for f in flags)

    # ------------------------------------------------------------------ functions
    def _function(self, node: tree_sitter.Node) -> None:
        body = node.child_by_field_name("body")
        decl = node.child_by_field_name("declarator")
        ptr = 0
        while decl is not None and decl.type == "pointer_declarator":
            ptr += 1
            decl = decl.child_by_field_name("declarator")
        if body is None or decl is None or decl.type != "function_declarator":
            return
        name_node = decl.child_by_field_name("declarator")
        if name_node is None or name_node.type != "identifier":
            return
        name = _text(name_node)
        fid = len(self.funcs)
        header_end = body.start_byte
        while header_end > node.start_byte and self.src[header_end - 1:header_end] in b" \t\r\n":
            header_end -= 1
        self.funcs.append(FuncInfo(name, Range.of_bytes(self.src, node.start_byte, header_end)))
        fn = _Function(fid, name)
        fn.addr_taken = _address_taken(body)
        params = self._params(fn, decl.child_by_field_name("parameters"))
        fn.scopes[0].extend(params)

        type_node = node.child_by_field_name("type")
        quals = " ".join(_text(c) for c in node.named_children if c.type == "type_qualifier")
        base = _norm(_text(type_node)) if type_node is not None else "int"
        fn.ret_type = _norm(f"{quals} {base} {'*' * ptr}")
        fn.ret_var = self._var_for("__egca_r", base, ptr, 0, False)
        fn.void = base == "void" and ptr == 0

        lens = " ".join(f"const long __egca_len_{p.name} = (long)({p.length});" for p in params if p.kind == "parr")
        for p in params:
            if p.kind == "parr":
                p.length = f"__egca_len_{p.name}"
        nslots = max(1, len(params))
        entry = (f" unsigned long __egca_fr = egca_enter(); int __egca_sv = egca_hot->last; (void)__egca_sv; {lens} "
                 f"unsigned long long __egca_h[@NSLOTS@] = {{0}}; if (egca_on) {{ egca_ev('C', {fid}, __egca_fr); "
                 f"{self._bindings_code(fn, params)} egca_ev_end(); }}")
        first = len(self.edits.items)
        self._compound(fn, body, 1, push=False)
        # Falling off the end: a RETURN with no value (void functions, or UB in others).
        self.edits.close(body.end_byte - 1, f" if (egca_on) {{ egca_ev('E', {fid}, __egca_fr); egca_raw(\"null\"); "
                                            f"egca_ev_end(); }} egca_leave(__egca_sv); ", 1)
        nslots = max(nslots, len(fn.slots))
        self.edits.open(body.start_byte + 1, entry.replace("@NSLOTS@", str(nslots)), 0)
        del first

    def _params(self, fn: _Function, plist: tree_sitter.Node | None) -> list[Var]:
        if plist is None:
            return []
        raw = []
        for p in plist.named_children:
            if p.type != "parameter_declaration":
                continue
            d = p.child_by_field_name("declarator")
            t = p.child_by_field_name("type")
            if d is None or t is None:
                continue
            name, ptr, dims, _, cx = _declarator_shape(d)
            if name is None:
                continue
            const = any(c.type == "type_qualifier" and _text(c) == "const" for c in p.named_children)
            raw.append((name, _norm(_text(t)), ptr + dims, cx, const))
        out = []
        for i, (name, base, ptr, cx, const) in enumerate(raw):
            nxt = raw[i + 1] if i + 1 < len(raw) else None
            if ptr >= 1 and const:
                # input arrays sharing one length: `const int *game, const int *guess, int n`
                # (only inputs: an out-parameter before a length is not an array of that length)
                j = i + 1
                while j < len(raw) and raw[j][2] == ptr and raw[j][1] == base and raw[j][4] and not raw[j][3]:
                    j += 1
                nxt = raw[j] if j < len(raw) else None
            plain = _unqualified(base)
            paired = (not cx and ptr >= 1 and plain != "void" and not (ptr == 1 and plain in _CHAR_TYPES)
                      and nxt is not None and nxt[2] == 0 and not nxt[3] and nxt[1] in _LENGTH_TYPES)
            if paired:
                v = Var(name, "parr", self.structs.get(base) if ptr == 1 else None, length=nxt[0])
            elif not cx and ptr == 1 and plain not in _CHAR_TYPES and plain != "void" \
                    and (_scalar_type(base) or base in self.structs):
                # an out-parameter (`int *out_n`, `double *sum`): shown as the value it points to
                v = Var(name, "pparam", self.structs.get(base))
            else:
                v = self._var_for(name, base, ptr, 0, cx)
            out.append(fn.track(v))
        return out

    # ------------------------------------------------------------------ statements
    def _new_stmt(self, fn: _Function, rng: Range, cond: Range | None = None, kind: str | None = None) -> int:
        self.stmts.append(StmtInfo(rng, cond, fn.name, kind))
        return len(self.stmts) - 1

    def _compound(self, fn: _Function, node: tree_sitter.Node, depth: int, push: bool = True) -> None:
        if push:
            fn.scopes.append([])
        for c in node.named_children:
            self._statement(fn, c, depth)
        if push:
            fn.scopes.pop()

    def _statement(self, fn: _Function, node: tree_sitter.Node, depth: int) -> None:
        t = node.type
        if t == "compound_statement":
            self._compound(fn, node, depth + 1)
        elif t == "declaration":
            self._declaration(fn, node, depth)
        elif t == "expression_statement":
            sid = self._new_stmt(fn, Range.of_node(node))
            self.edits.open(node.start_byte, f"{{ EGCA_AT({sid}); ", depth)
            self.edits.close(node.end_byte, f" {self._flags_code(fn, [node])} {self._step_code(fn, sid, [node])} }}",
                             depth)
        elif t in ("break_statement", "continue_statement", "goto_statement"):
            sid = self._new_stmt(fn, Range.of_node(node))
            self.edits.open(node.start_byte, f"{{ EGCA_AT({sid}); {self._step_code(fn, sid)} ", depth)
            self.edits.close(node.end_byte, " }", depth)
        elif t == "return_statement":
            self._return(fn, node, depth)
        elif t == "if_statement":
            cond = node.child_by_field_name("condition")
            self._condition(fn, node, cond, "if", depth)
            cons = node.child_by_field_name("consequence")
            if cons is not None:
                self._statement(fn, cons, depth + 1)
            alt = node.child_by_field_name("alternative")
            if alt is not None:
                for c in alt.named_children:
                    self._statement(fn, c, depth + 1)
        elif t == "while_statement":
            self._condition(fn, node, node.child_by_field_name("condition"), "while", depth)
            self._body(fn, node, depth)
        elif t == "do_statement":
            self._body(fn, node, depth)
            self._condition(fn, node, node.child_by_field_name("condition"), "do", depth)
        elif t == "for_statement":
            self._for(fn, node, depth)
        elif t == "switch_statement":
            self._switch(fn, node, depth)
        elif t == "labeled_statement":
            for c in node.named_children:
                if c.type != "statement_identifier":
                    self._statement(fn, c, depth + 1)
        elif t == "case_statement":
            value = node.child_by_field_name("value")
            for c in node.named_children:
                if value is None or c.id != value.id:
                    self._statement(fn, c, depth + 1)
        # anything else (preprocessor blocks, asm, type definitions) runs untraced

    def _body(self, fn: _Function, node: tree_sitter.Node, depth: int) -> None:
        body = node.child_by_field_name("body")
        if body is not None:
            self._statement(fn, body, depth + 1)

    def _declaration(self, fn: _Function, node: tree_sitter.Node, depth: int) -> None:
        storage = {_text(c) for c in node.named_children if c.type == "storage_class_specifier"}
        type_node = node.child_by_field_name("type")
        base = _norm(_text(type_node)) if type_node is not None else ""
        new_vars: list[Var] = []
        after = []
        for d in node.children_by_field_name("declarator"):
            name, ptr, dims, init, cx = _declarator_shape(d)
            if name is None or "extern" in storage or "register" in storage:
                continue
            v = self._var_for(name, base, ptr, dims, cx)
            if not init and "static" not in storage:
                self._flags += 1
                v.flag = f"__egca_f{self._flags}"
                after.append(f"__builtin_memset(&({name}), 0, sizeof({name})); unsigned char {v.flag} = 0;")
            new_vars.append(fn.track(v))
        if not new_vars and not any(True for _ in node.children_by_field_name("declarator")):
            return
        if not new_vars:
            return
        sid = self._new_stmt(fn, Range.of_node(node))
        fn.scopes[-1].extend(new_vars)
        self.edits.open(node.start_byte, f"EGCA_AT({sid}); ", depth)
        self.edits.close(node.end_byte, f" {' '.join(after)} {self._flags_code(fn, [node])} "
                                        f"{self._step_code(fn, sid, [node], tuple(v.name for v in new_vars))}",
                         depth)

    def _return(self, fn: _Function, node: tree_sitter.Node, depth: int) -> None:
        sid = self._new_stmt(fn, Range.of_node(node))
        expr = next((c for c in node.named_children if c.type != "comment"), None)
        kw = node.children[0]
        leave = "egca_leave(__egca_sv);"
        if expr is None or fn.void:
            # `return;` (or `return f();` in a void function: keep the call, report null)
            pre = f"{{ EGCA_AT({sid}); "
            self.edits.open(node.start_byte, pre, depth)
            tail_stmt = f"{_text(expr)};" if expr is not None else ""
            self.edits.replace(node.start_byte, node.end_byte,
                               f"{tail_stmt} {self._step_code(fn, sid, [expr])} if (egca_on) {{ egca_ev('R', {sid}, "
                               f"__egca_fr); egca_raw(\"null\"); egca_ev_end(); }} {leave} return; }}")
            return
        self.edits.replace(kw.start_byte, kw.end_byte, f"{{ EGCA_AT({sid}); {fn.ret_type} __egca_r = (")
        semi = node.children[-1]
        end_expr = semi.start_byte if semi.type == ";" else node.end_byte
        value = self._value_code(fn.ret_var, "__egca_r")
        self.edits.close(end_expr, f"); {self._flags_code(fn, [node])} {self._step_code(fn, sid, [node])} "
                                   f"if (egca_on) {{ egca_ev('R', {sid}, __egca_fr); {value}; egca_ev_end(); }} "
                                   f"{leave} return __egca_r", depth)
        self.edits.close(node.end_byte, " }", depth)

    def _condition(self, fn, node, cond, kind: str, depth: int) -> None:
        """Wrap `(cond)`: evaluate, STEP of the header, BRANCH with the outcome."""
        if cond is None:
            return
        inner = cond
        if cond.type == "parenthesized_expression" and cond.named_children:
            inner = cond.named_children[0]
            for c in cond.named_children:
                if c.type != "comment":
                    inner = c
                    break
        hdr = self._header_range(node, kind)
        branch_kind = "while" if kind == "do" else kind
        sid = self._new_stmt(fn, hdr, Range.of_node(inner), branch_kind)
        self.edits.open(inner.start_byte, f"({{ EGCA_AT({sid}); int __egca_c = !!(", depth)
        self.edits.close(inner.end_byte, f"); {self._flags_code(fn, [cond])} {self._step_code(fn, sid, [cond])} "
                                         f"egca_branch({sid}, __egca_fr, __egca_c); __egca_c; }})", depth)

    def _header_range(self, node: tree_sitter.Node, kind: str) -> Range:
        if kind == "do":
            kw = next((c for c in node.children if c.type == "while"), None)
            cond = node.child_by_field_name("condition")
            start = kw.start_byte if kw is not None else node.start_byte
            return Range.of_bytes(self.src, start, cond.end_byte if cond is not None else node.end_byte)
        body = node.child_by_field_name("body") or node.child_by_field_name("consequence")
        if kind == "for":
            close = [c for c in node.children if c.type == ")"]
            end = close[-1].end_byte if close else (body.start_byte if body is not None else node.end_byte)
            return Range.of_bytes(self.src, node.start_byte, end)
        cond = node.child_by_field_name("condition")
        return Range.of_bytes(self.src, node.start_byte, cond.end_byte if cond is not None else node.end_byte)

    def _for(self, fn: _Function, node: tree_sitter.Node, depth: int) -> None:
        fn.scopes.append([])
        init = node.child_by_field_name("initializer")
        if init is not None and init.type == "declaration":
            type_node = init.child_by_field_name("type")
            base = _norm(_text(type_node)) if type_node is not None else ""
            for d in init.children_by_field_name("declarator"):
                name, ptr, dims, _, cx = _declarator_shape(d)
                if name is not None:
                    fn.scopes[-1].append(fn.track(self._var_for(name, base, ptr, dims, cx)))
        cond = node.child_by_field_name("condition")
        update = node.child_by_field_name("update")
        hdr = self._header_range(node, "for")
        sid = self._new_stmt(fn, hdr, Range.of_node(cond) if cond is not None else hdr, "for")
        flags = self._flags_code(fn, [init, cond, update])
        tail = f"{flags} {self._step_code(fn, sid, [init, cond, update])} egca_branch({sid}, __egca_fr, __egca_c); __egca_c; }})"
        if cond is not None:
            self.edits.open(cond.start_byte, f"({{ EGCA_AT({sid}); int __egca_c = !!(", depth)
            self.edits.close(cond.end_byte, f"); {tail}", depth)
        else:
            semis = [c for c in node.children if c.type == ";"]
            if semis:
                self.edits.open(semis[-1].start_byte, f"({{ EGCA_AT({sid}); int __egca_c = 1; {tail}", depth)
        self._body(fn, node, depth)
        fn.scopes.pop()

    def _switch(self, fn: _Function, node: tree_sitter.Node, depth: int) -> None:
        cond = node.child_by_field_name("condition")
        if cond is not None and cond.type == "parenthesized_expression" and cond.named_children:
            inner = cond.named_children[0]
            sid = self._new_stmt(fn, self._header_range(node, "switch"))
            self.edits.open(inner.start_byte, f"({{ EGCA_AT({sid}); __auto_type __egca_sw = (", depth)
            self.edits.close(inner.end_byte, f"); {self._flags_code(fn, [cond])} "
                                             f"{self._step_code(fn, sid, [cond])} __egca_sw; }})", depth)
        body = node.child_by_field_name("body")
        if body is not None:
            # case labels share the switch body's scope
            fn.scopes.append([])
            for c in body.named_children:
                self._statement(fn, c, depth + 1)
            fn.scopes.pop()


def instrument(program: bytes) -> Instrumented:
    return Instrumenter(program).run()
