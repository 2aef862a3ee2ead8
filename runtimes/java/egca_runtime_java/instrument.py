"""Source-level instrumentation of a Java program, driven by tree-sitter-java; the
statement table; the harness's stubs. Everything here only parses and rewrites text:
the program is compiled and run in the sandbox.

Every method and constructor with a body becomes

    RT m(P p) { int egca$f = egca.Tr.c(FN, new Object[]{p}); try { BODY }
                catch (Throwable egca$t) { egca.Tr.x(egca$f, egca$t); throw egca$t; }
                finally { egca.Tr.e(egca$f); } }

and inside BODY (not inside lambdas or nested class bodies, which are functions of their own):
- after an expression statement, a local declaration or an assert: `egca.Tr.s(egca$f, K, vals)`
  with the definitely assigned locals in scope (the runtime reports those that changed);
- an if/while/do/for condition C becomes `egca.Tr.b(egca$f, K, C, vals)` (the header's STEP,
  then the BRANCH); an enhanced for reports `true` at the start of each iteration and
  `false` after the loop;
- `return E;` becomes `return egca.Tr.r(egca$f, K, E, vals);`, `return;` is preceded by
  `egca.Tr.rv(egca$f, K, vals);`, break and continue by a STEP;
- a body that is a single statement gets braces.

Nothing is inserted that contains a newline, so javac's line numbers (compile errors, stack
traces) are the program's own: a line maps to its innermost statement (`lines`).
`new Random()` becomes `new Random(0L)` in Run and Trace alike (seeded randomness).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import tree_sitter
import tree_sitter_java


@functools.lru_cache(maxsize=1)
def _parser() -> tree_sitter.Parser:
    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_java.language()))


def parse(src: bytes) -> tree_sitter.Tree:
    return _parser().parse(src)


SIMPLE = frozenset({"expression_statement", "local_variable_declaration", "assert_statement"})
JUMPS = frozenset({"break_statement", "continue_statement"})
COMPOUND = frozenset({"if_statement", "while_statement", "for_statement", "enhanced_for_statement", "do_statement",
                      "try_statement", "try_with_resources_statement", "switch_expression", "synchronized_statement",
                      "labeled_statement", "block"})
STATEMENTS = SIMPLE | JUMPS | COMPOUND | {"return_statement", "throw_statement", "yield_statement"}
BODIES = {"if_statement": ("consequence", "alternative"), "while_statement": ("body",), "for_statement": ("body",),
          "enhanced_for_statement": ("body",), "do_statement": ("body",)}
BRANCH_KIND = {"if_statement": "if", "while_statement": "while", "for_statement": "for",
               "enhanced_for_statement": "for", "do_statement": "while"}
NARROW = frozenset({"byte", "short", "char"})


def wire(program: bytes, start: int, end: int) -> list[int]:
    """The kit's explicit range [sb, eb, sl, el, sc, ec] of program bytes."""
    sl = program.count(b"\n", 0, start) + 1
    el = program.count(b"\n", 0, max(start, end - 1)) + 1
    ls = program.rfind(b"\n", 0, start) + 1
    le = program.rfind(b"\n", 0, max(start, end - 1)) + 1
    return [start, end, sl, el, start - ls, end - le]


def _trim(program: bytes, start: int, end: int) -> int:
    while end > start and program[end - 1:end] in (b" ", b"\n", b"\t", b"\r", b"{"):
        end -= 1
    return end


def _binds_pattern(node) -> bool:
    """Does an expression bind a pattern variable (`o instanceof String s`)?"""
    stack = [node]
    while stack:
        n = stack.pop()
        if n.type == "instanceof_expression" and (n.child_by_field_name("name") is not None or any(
                c.type in ("type_pattern", "record_pattern") for c in n.named_children)):
            return True
        if n.type not in ("lambda_expression", "class_body"):
            stack.extend(n.children)
    return False


def header_end(program: bytes, node: tree_sitter.Node) -> int:
    """Where a compound statement's header ends (before its body); a simple statement's end."""
    if node.type == "do_statement":
        return node.end_byte
    body = None
    for f in ("body", "consequence"):
        body = node.child_by_field_name(f)
        if body is not None:
            break
    if node.type in ("try_statement", "try_with_resources_statement", "synchronized_statement") or body is None:
        blk = next((c for c in node.children if c.type == "block"), None) if body is None else body
        if blk is None:
            return node.end_byte
        body = blk
    if node.type not in COMPOUND and node.type not in ("method_declaration", "constructor_declaration"):
        return node.end_byte
    return max(_trim(program, node.start_byte, body.start_byte), node.start_byte + 1)


def header_range(program: bytes, node: tree_sitter.Node) -> list[int]:
    if node.type == "do_statement":
        kw = next((c for c in node.children if c.type == "while"), None)
        if kw is not None:
            return wire(program, kw.start_byte, node.end_byte)
    if node.type == "labeled_statement":
        inner = node.named_children[-1]
        return header_range(program, inner)
    if node.type == "switch_expression":
        body = node.child_by_field_name("body")
        return wire(program, node.start_byte, _trim(program, node.start_byte, body.start_byte) if body else node.end_byte)
    return wire(program, node.start_byte, header_end(program, node))


# ---------------------------------------------------------------- types (canonical text)

def type_text(node, keep: set[str], drop: set[str]) -> str:
    """A type as canonical text (identifiers, dots, <>, [], ?), annotations dropped; a type
    the program declares but `keep` does not hold (it has no stub) is Object."""
    if node is None:
        return "Object"
    t = node.type
    if t in ("integral_type", "floating_point_type", "boolean_type", "void_type"):
        return node.text.decode()
    if t == "type_identifier":
        name = node.text.decode()
        return "Object" if name in drop and name not in keep else name
    if t == "scoped_type_identifier":
        parts = [c.text.decode() for c in node.named_children if c.type in ("type_identifier", "identifier")]
        if any(p in drop for p in parts):
            return "Object"
        return ".".join(parts)
    if t == "generic_type":
        base = next((c for c in node.named_children if c.type in ("type_identifier", "scoped_type_identifier")), None)
        args = next((c for c in node.named_children if c.type == "type_arguments"), None)
        b = type_text(base, keep, drop)
        if b == "Object":
            return "Object"
        if args is None:
            return b
        inner = [type_text(a, keep, drop) for a in args.named_children if a.type not in ("annotation", "marker_annotation")]
        return f"{b}<{', '.join(inner)}>" if inner else f"{b}<>"
    if t == "array_type":
        el = type_text(node.child_by_field_name("element"), keep, drop)
        dims = node.child_by_field_name("dimensions")
        n = dims.text.decode().count("[") if dims is not None else 1
        return el + "[]" * n
    if t == "wildcard":
        bound = [c for c in node.named_children if c.type not in ("annotation", "marker_annotation")]
        kw = "super" if any(c.type == "super" for c in node.children) else "extends"
        return f"? {kw} {type_text(bound[0], keep, drop)}" if bound else "?"
    if t == "annotated_type":
        inner = [c for c in node.named_children if c.type not in ("annotation", "marker_annotation")]
        return type_text(inner[-1], keep, drop) if inner else "Object"
    return "Object"


def type_params_text(node, keep, drop) -> str:
    if node is None:
        return ""
    out = []
    for tp in node.named_children:
        if tp.type != "type_parameter":
            continue
        name = next((c.text.decode() for c in tp.named_children if c.type in ("type_identifier", "identifier")), None)
        if name is None:
            continue
        bound = next((c for c in tp.named_children if c.type == "type_bound"), None)
        if bound is not None:
            bs = [type_text(b, keep, drop) for b in bound.named_children]
            bs = [b for b in bs if b != "Object"]
            out.append(f"{name} extends {' & '.join(bs)}" if bs else name)
        else:
            out.append(name)
    return f"<{', '.join(out)}>" if out else ""


def _modifiers(node) -> str:
    m = next((c for c in node.children if c.type == "modifiers"), None)
    return m.text.decode() if m is not None else ""


def _params(node) -> list[tuple]:
    """(type node, name, varargs, extra dims) of a method's formal parameters."""
    out = []
    params = node.child_by_field_name("parameters")
    if params is None:
        return out
    for p in params.named_children:
        if p.type == "formal_parameter":
            dims = p.child_by_field_name("dimensions")
            out.append((p.child_by_field_name("type"), p.child_by_field_name("name").text.decode(), False,
                        dims.text.decode().count("[") if dims is not None else 0))
        elif p.type == "spread_parameter":
            ty = next((c for c in p.named_children if c.type not in ("modifiers", "variable_declarator")), None)
            decl = next((c for c in p.named_children if c.type == "variable_declarator"), None)
            name = decl.child_by_field_name("name").text.decode() if decl is not None else "rest"
            out.append((ty, name, True, 0))
    return out


# ---------------------------------------------------------------- the statement table

@dataclass
class Table:
    """Statement table of a program (Run and Trace share it)."""
    ranges: list = field(default_factory=list)
    lines: list = field(default_factory=list)        # line -> statement index (-1)
    names: list = field(default_factory=list)        # statement -> names it reports
    cond: list = field(default_factory=list)         # statement -> range index of its condition
    kind: list = field(default_factory=list)         # statement -> branch kind
    fn: list = field(default_factory=list)
    fn_method: list = field(default_factory=list)
    params: list = field(default_factory=list)
    fn_range: list = field(default_factory=list)


@dataclass
class Instrumented:
    source: str            # the instrumented program (Trace)
    seeded: str            # the program with seeded randomness only (Run)
    table: Table


class _Edits:
    def __init__(self):
        self.items: list[tuple[int, int, int, str]] = []
        self.seq = 0

    def add(self, pos: int, rank: int, text: str) -> None:
        self.items.append((pos, rank, self.seq, text))
        self.seq += 1

    def apply(self, src: bytes) -> bytes:
        out, last = [], 0
        for pos, _, _, text in sorted(self.items):
            out.append(src[last:pos])
            out.append(text.encode())
            last = pos
        out.append(src[last:])
        return b"".join(out)


def _depth(node) -> int:
    d = 0
    while node.parent is not None:
        node = node.parent
        d += 1
    return d


def _seed_randoms(root, edits: _Edits) -> None:
    stack = [root]
    while stack:
        n = stack.pop()
        if n.type == "object_creation_expression":
            ty = n.child_by_field_name("type")
            args = n.child_by_field_name("arguments")
            if ty is not None and ty.text in (b"Random", b"java.util.Random") and args is not None \
                    and not args.named_children and n.child_by_field_name("body") is None:
                edits.add(args.start_byte + 1, 0, "0L")
        stack.extend(n.children)


class _Instrumenter:
    def __init__(self, program: bytes):
        self.p = program
        self.tree = parse(program)
        self.e = _Edits()
        self.t = Table()
        self.stmts: list[tuple[tree_sitter.Node, int]] = []   # (node, index) for the lines table
        self.conds: list[tuple[int, list]] = []               # (stmt index, condition range)

    # -- helpers
    def vals(self, scope: list[str]) -> str:
        return "new Object[]{" + ", ".join(scope) + "}"

    def stmt(self, node, names: list[str], kind: str = "") -> int:
        k = len(self.t.ranges)
        self.t.ranges.append(header_range(self.p, node))
        self.t.names.append(list(names))
        self.t.cond.append(k)
        self.t.kind.append(kind)
        self.stmts.append((node, k))
        return k

    def before(self, node, text, brace=False):
        d = _depth(node)
        self.e.add(node.start_byte, 2 * d + (0 if brace else 1), text)

    def after(self, node, text, brace=False):
        d = _depth(node)
        self.e.add(node.end_byte, 10_000 - 2 * d - (0 if brace else 1), text)

    def wrap(self, node):
        self.before(node, "{", brace=True)
        self.after(node, "}", brace=True)

    def inside_body(self, body, text):
        """Code at the start of a loop body (braced if it is one statement)."""
        if body.type == "block":
            self.e.add(body.start_byte + 1, -1, text)
        else:
            self.before(body, text)

    # -- statements
    def block(self, node, scope: list[str], fn_rt: str | None) -> None:
        """The statements that are children of node (a block, a switch group, a constructor body)."""
        local = list(scope)
        for c in node.named_children:
            if c.type in STATEMENTS:
                self.statement(c, local, fn_rt)
            if c.type == "local_variable_declaration":
                for d in c.children_by_field_name("declarator"):
                    if d.child_by_field_name("value") is not None:
                        local.append(d.child_by_field_name("name").text.decode())

    def body(self, node, scope, fn_rt):
        """A statement in a body position: braced unless it is a block."""
        if node is None:
            return
        if node.type != "block":
            self.wrap(node)
        self.statement(node, scope, fn_rt)

    def declared(self, node) -> list[str]:
        return [d.child_by_field_name("name").text.decode() for d in node.children_by_field_name("declarator")
                if d.child_by_field_name("value") is not None]

    def statement(self, node, scope: list[str], fn_rt: str | None) -> None:
        t = node.type
        if t == "block":
            self.block(node, scope, fn_rt)
        elif t in SIMPLE:
            names = scope + (self.declared(node) if t == "local_variable_declaration" else [])
            k = self.stmt(node, names)
            self.after(node, f" egca.Tr.s(egca$f, {k}, {self.vals(names)});")
        elif t in JUMPS:
            k = self.stmt(node, scope)
            self.before(node, f"egca.Tr.s(egca$f, {k}, {self.vals(scope)}); ")
        elif t == "return_statement":
            k = self.stmt(node, scope)
            expr = node.named_children[0] if node.named_children else None
            if expr is None:
                self.before(node, f"egca.Tr.rv(egca$f, {k}, {self.vals(scope)}); ")
            elif fn_rt in NARROW:
                self.before(expr, f"({fn_rt}) egca.Tr.r(egca$f, {k}, ({fn_rt}) (")
                self.after(expr, f"), {self.vals(scope)})")
            else:
                self.before(expr, f"egca.Tr.r(egca$f, {k}, ")
                self.after(expr, f", {self.vals(scope)})")
        elif t == "throw_statement" or t == "yield_statement":
            self.stmt(node, scope)
        elif t in ("if_statement", "while_statement", "do_statement"):
            k = self.stmt(node, scope, BRANCH_KIND[t])
            cond = node.child_by_field_name("condition")
            inner = cond.named_children[0] if cond is not None and cond.type == "parenthesized_expression" \
                and cond.named_children else cond
            if inner is not None and _binds_pattern(inner):
                pass     # `x instanceof T v` binds v past the statement only as the condition itself
            elif inner is not None and inner.type == "true" and t != "if_statement":
                # `while (true)` must stay constant (javac's reachability): the branch goes in the body
                self.conds.append((k, wire(self.p, inner.start_byte, inner.end_byte)))
                if t == "while_statement":
                    self.inside_body(node.child_by_field_name("body"), f"egca.Tr.b(egca$f, {k}, true, {self.vals(scope)}); ")
            elif inner is not None:
                self.conds.append((k, wire(self.p, inner.start_byte, inner.end_byte)))
                self.before(inner, f"egca.Tr.b(egca$f, {k}, ")
                self.after(inner, f", {self.vals(scope)})")
            for f in BODIES[t]:
                self.body(node.child_by_field_name(f), scope, fn_rt)
        elif t == "for_statement":
            inner_scope = list(scope)
            for init in node.children_by_field_name("init"):
                if init.type == "local_variable_declaration":
                    inner_scope += self.declared(init)
            k = self.stmt(node, inner_scope, "for")
            cond = node.child_by_field_name("condition")
            if cond is not None and cond.type != "true" and not _binds_pattern(cond):
                self.conds.append((k, wire(self.p, cond.start_byte, cond.end_byte)))
                self.before(cond, f"egca.Tr.b(egca$f, {k}, ")
                self.after(cond, f", {self.vals(inner_scope)})")
            elif cond is None or cond.type == "true":
                # `for (;;)` must stay without a condition (javac's reachability): the branch goes in the body
                self.inside_body(node.child_by_field_name("body"), f"egca.Tr.b(egca$f, {k}, true, {self.vals(inner_scope)}); ")
            self.body(node.child_by_field_name("body"), inner_scope, fn_rt)
        elif t == "enhanced_for_statement":
            var = node.child_by_field_name("name")
            inner_scope = scope + ([var.text.decode()] if var is not None and var.type == "identifier" else [])
            k = self.stmt(node, inner_scope, "for")
            body = node.child_by_field_name("body")
            outer = node.parent if node.parent is not None and node.parent.type == "labeled_statement" else node
            self.inside_body(body, f"egca.Tr.b(egca$f, {k}, true, {self.vals(inner_scope)}); ")
            if outer.parent is not None and outer.parent.type not in ("block", "constructor_body",
                                                                      "switch_block_statement_group"):
                self.wrap(outer)
            self.after(outer, f" egca.Tr.b(egca$f, {k}, false, {self.vals(scope)});")
            self.body(body, inner_scope, fn_rt)
        elif t in ("try_statement", "try_with_resources_statement"):
            self.stmt(node, scope)
            inner_scope = list(scope)
            res = node.child_by_field_name("resources")
            if res is not None:
                for r in res.named_children:
                    n = r.child_by_field_name("name")
                    if n is not None:
                        inner_scope.append(n.text.decode())
            self.statement(node.child_by_field_name("body"), inner_scope, fn_rt)
            for c in node.named_children:
                if c.type == "catch_clause":
                    param = next((x for x in c.named_children if x.type == "catch_formal_parameter"), None)
                    name = param.child_by_field_name("name") if param is not None else None
                    self.statement(c.child_by_field_name("body"), scope + ([name.text.decode()] if name else []), fn_rt)
                elif c.type == "finally_clause":
                    blk = next((x for x in c.named_children if x.type == "block"), None)
                    if blk is not None:
                        self.statement(blk, scope, fn_rt)
        elif t == "switch_expression":
            self.stmt(node, scope)
            body = node.child_by_field_name("body")
            for g in body.named_children if body is not None else ():
                if g.type == "switch_block_statement_group":
                    self.block(g, scope, fn_rt)
                elif g.type == "switch_rule":
                    for c in g.named_children:
                        if c.type == "expression_statement":
                            self.wrap(c)
                            self.statement(c, scope, fn_rt)
                        elif c.type in ("block", "throw_statement"):
                            self.statement(c, scope, fn_rt)
        elif t == "synchronized_statement":
            self.stmt(node, scope)
            blk = node.child_by_field_name("body") or next((c for c in node.named_children if c.type == "block"), None)
            if blk is not None:
                self.statement(blk, scope, fn_rt)
        elif t == "labeled_statement":
            inner = node.named_children[-1]
            if inner.type in STATEMENTS:
                self.statement(inner, scope, fn_rt)

    # -- functions
    def function(self, node) -> None:
        body = node.child_by_field_name("body")
        if body is None:
            return
        ctor = node.type == "constructor_declaration"
        params = _params(node)
        names = [n for _, n, _, _ in params]
        fn = len(self.t.fn)
        self.t.fn.append(node.child_by_field_name("name").text.decode())
        self.t.fn_method.append("<init>" if ctor else node.child_by_field_name("name").text.decode())
        self.t.params.append(names)
        self.t.fn_range.append(-1)        # filled once the table's size is known
        self.fn_headers.append(wire(self.p, node.start_byte, max(_trim(self.p, node.start_byte, body.start_byte),
                                                                 node.start_byte + 1)))
        rt = None
        if not ctor:
            ty = node.child_by_field_name("type")
            rt = ty.text.decode() if ty is not None else None
            dims = node.child_by_field_name("dimensions")
            if dims is not None:
                rt = None
        first = body.named_children[0] if ctor and body.named_children and \
            body.named_children[0].type == "explicit_constructor_invocation" else None
        start = first.end_byte if first is not None else body.start_byte + 1
        self.e.add(start, -20_000, f" int egca$f = egca.Tr.c({fn}, {self.vals(names)}); try {{")
        self.e.add(body.end_byte - 1, 20_000, "} catch (Throwable egca$t) { egca.Tr.x(egca$f, egca$t); throw egca$t; } "
                                               "finally { egca.Tr.e(egca$f); } ")
        self.block(body, names, rt)

    def run(self) -> Instrumented:
        self.fn_headers: list = []
        root = self.tree.root_node
        stack = [root]
        fns = []
        while stack:
            n = stack.pop()
            if n.type in ("method_declaration", "constructor_declaration"):
                fns.append(n)
            stack.extend(reversed(n.children))
        for f in fns:
            self.function(f)
        n_stmts = len(self.t.ranges)
        for i, h in enumerate(self.fn_headers):
            self.t.fn_range[i] = len(self.t.ranges)
            self.t.ranges.append(h)
        for k, r in self.conds:
            self.t.cond[k] = len(self.t.ranges)
            self.t.ranges.append(r)
        lines = [-1] * (self.p.count(b"\n") + 3)
        for node, k in sorted(self.stmts, key=lambda s: -(s[0].end_byte - s[0].start_byte)):
            for ln in range(node.start_point[0] + 1, node.end_point[0] + 2):
                if ln < len(lines):
                    lines[ln] = k
        self.t.lines = lines
        assert n_stmts == len(self.t.names)
        seeded = _Edits()
        _seed_randoms(root, seeded)
        _seed_randoms(root, self.e)
        return Instrumented(self.e.apply(self.p).decode("utf-8", "surrogatepass"),
                            seeded.apply(self.p).decode("utf-8", "surrogatepass"), self.t)


@functools.lru_cache(maxsize=256)
def instrument(program: str) -> Instrumented:
    return _Instrumenter(program.encode("utf-8", "surrogatepass")).run()


# ---------------------------------------------------------------- stubs for the harness

STUB_IMPORTS = ("import java.util.*;\nimport java.util.function.*;\nimport java.util.stream.*;\nimport java.math.*;\n")


def _declared_types(root) -> set[str]:
    out = set()
    stack = [root]
    while stack:
        n = stack.pop()
        if n.type in ("class_declaration", "interface_declaration", "enum_declaration", "record_declaration",
                      "annotation_type_declaration"):
            name = n.child_by_field_name("name")
            if name is not None:
                out.add(name.text.decode())
        stack.extend(n.children)
    return out


def _imports(root) -> str:
    out = []
    for n in root.named_children:
        if n.type != "import_declaration":
            continue
        parts = [c.text.decode() for c in n.named_children if c.type in ("identifier", "scoped_identifier")]
        static = any(c.type == "static" for c in n.children)
        star = any(c.type == "asterisk" for c in n.named_children) or n.text.rstrip(b"; \n").endswith(b"*")
        if len(parts) != 1 or not parts[0].split(".")[0] in ("java", "javax") or static:
            continue
        if all(p.isidentifier() for p in parts[0].split(".")):
            out.append(f"import {parts[0]}{'.*' if star else ''};\n")
    return "".join(out)


def _literal(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def stubs(program: str) -> str:
    """The harness's compilation unit: a stub per top-level class of the program, with its
    constructors and non-private methods, whose bodies call the candidate (egca.Harness)."""
    root = parse(program.encode("utf-8", "surrogatepass")).root_node
    declared = _declared_types(root)
    classes = [n for n in root.named_children if n.type == "class_declaration"]
    keep = {n.child_by_field_name("name").text.decode() for n in classes}
    out = [STUB_IMPORTS, _imports(root)]
    for cls in classes:
        name = cls.child_by_field_name("name").text.decode()
        tps = type_params_text(cls.child_by_field_name("type_parameters"), keep, declared)
        body = cls.child_by_field_name("body")
        members = body.named_children if body is not None else []
        lines = [f"class {name}{tps} extends egca.Proxy {{",
                 f"  {name}(egca.Proxy.Handle h) {{ super(h); }}"]
        seen = set()
        ctors = [m for m in members if m.type == "constructor_declaration"]
        for m in ctors:
            if "private" in _modifiers(m).split():
                continue
            sig, descs, names = _signature(m, keep, declared)
            key = ("<init>", tuple(d.split("<")[0] for d in descs))
            if key in seen or key == ("<init>", ("Proxy.Handle",)):
                continue
            seen.add(key)
            lines.append(f"  public {name}({sig}) {_throws(m, keep, declared)}{{ super({_literal(name)}, "
                         f"new String[]{{{', '.join(map(_literal, descs))}}}, new Object[]{{{', '.join(names)}}}); }}")
        if not ctors:
            lines.append(f"  public {name}() {{ super({_literal(name)}, new String[]{{}}, new Object[]{{}}); }}")
        for m in members:
            if m.type != "method_declaration":
                continue
            mods = _modifiers(m).split()
            if "private" in mods:
                continue
            mname = m.child_by_field_name("name").text.decode()
            if mname in ("equals", "hashCode", "toString", "getClass", "notify", "notifyAll", "wait", "finalize",
                         "clone"):
                continue
            sig, descs, names = _signature(m, keep, declared)
            key = (mname, tuple(d.split("<")[0] for d in descs))
            if key in seen:
                continue
            seen.add(key)
            mtps = type_params_text(m.child_by_field_name("type_parameters"), keep, declared)
            ty = m.child_by_field_name("type")
            rt = type_text(ty, keep, declared)
            if m.child_by_field_name("dimensions") is not None:
                rt += "[]" * m.child_by_field_name("dimensions").text.decode().count("[")
            static = "static" in mods
            call = (f"egca.Harness.call({'null' if static else 'this'}, {_literal(name)}, {_literal(mname)}, "
                    f"new String[]{{{', '.join(map(_literal, descs))}}}, {_literal(rt)}, new Object[]{{{', '.join(names)}}})")
            stmt = f"{call};" if rt == "void" else f"return ({rt}) {call};"
            lines.append(f"  public {'static ' if static else ''}{mtps + ' ' if mtps else ''}{rt} {mname}({sig}) "
                         f"{_throws(m, keep, declared)}{{ {stmt} }}")
        lines.append("}")
        out.append("\n".join(lines) + "\n")
    return "".join(out)


def _signature(m, keep, declared) -> tuple[str, list[str], list[str]]:
    parts, descs, names = [], [], []
    for i, (ty, _, varargs, dims) in enumerate(_params(m)):
        t = type_text(ty, keep, declared) + "[]" * dims
        parts.append(f"{t}{'...' if varargs else ''} p{i}")
        descs.append(t + ("[]" if varargs else ""))
        names.append(f"p{i}")
    return ", ".join(parts), descs, names


def _throws(m, keep, declared) -> str:
    th = next((c for c in m.children if c.type == "throws"), None)
    if th is None:
        return ""
    types = [type_text(t, keep, declared) for t in th.named_children]
    types = [t for t in types if t != "Object"]
    return f"throws {', '.join(types)} " if types else ""


def rename_main(test: str, new: str) -> str:
    """The test's class Main (and every mention of it) renamed, so that many tests compile together."""
    src = test.encode("utf-8", "surrogatepass")
    edits = []
    stack = [parse(src).root_node]
    while stack:
        n = stack.pop()
        if n.type in ("identifier", "type_identifier") and n.text == b"Main":
            edits.append((n.start_byte, n.end_byte))
        stack.extend(n.children)
    out, last = [], 0
    for s, e in sorted(edits):
        out += [src[last:s], new.encode()]
        last = e
    out.append(src[last:])
    return b"".join(out).decode("utf-8", "surrogatepass")


def seed_test(test: str) -> str:
    """`new Random()` in test code seeded like the program's."""
    src = test.encode("utf-8", "surrogatepass")
    e = _Edits()
    _seed_randoms(parse(src).root_node, e)
    return e.apply(src).decode("utf-8", "surrogatepass")
