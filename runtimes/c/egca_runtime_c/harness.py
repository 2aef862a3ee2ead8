"""The translation units that are compiled.

Trace: one program, prelude + program + tests + a main that runs egca_rt.c's runner.
Run (trusted verdicts, see README "Trusted verdicts"): two units that never meet:
- the candidate's shared object: prelude + program (`-shared -fPIC`, instrumented);
- the harness executable: headers + our `assert` + generated stubs + the tests +
  main. It never includes the candidate's source: the stubs are rebuilt from the
  parsed signatures (whitelisted type words, pointer levels, names), so nothing
  the candidate writes (macros, attributes, expressions) reaches it.

`#line` directives make every diagnostic and `__FILE__`/`__LINE__` point into the
program's own lines ("<program>") or a test's ("<test>").
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

from egca_kit.native import c_str, event_tables
from egca_runtime_c.instrument import _LENGTH_TYPES, _SCALAR_WORDS, Instrumented, parse

PROGRAM_FILE = "<program>"
TEST_FILE = "<test>"

HEADERS = ("assert.h", "stdlib.h", "string.h", "stdio.h", "math.h", "stdbool.h", "limits.h")
# Names the harness itself defines (or that are never the program's to answer).
RESERVED = frozenset({"main", "malloc", "calloc", "realloc", "free", "strdup", "strndup", "assert"})
_TYPE_WORDS = _SCALAR_WORDS | {"void"}
_STORAGE = frozenset({"static", "inline", "extern", "register", "__inline", "__inline__"})


def _resource(name: str) -> str:
    return resources.files("egca_runtime_c").joinpath(name).read_text(encoding="utf-8")


def prelude(instrumented: bool) -> str:
    lines = [f"#include <{h}>" for h in HEADERS]
    # Heap blocks come zeroed and recorded (traces show them as arrays, never garbage).
    lines += ["#define malloc(n) egca_malloc(n)", "#define calloc(n, m) egca_calloc(n, m)",
              "#define realloc(p, n) egca_realloc(p, n)", "#define free(p) egca_free(p)",
              "#define strdup(s) egca_strdup(s)"] if instrumented else []
    lines.append('#include "egca_rt.h"')
    lines.append(_resource("egca_test.h"))
    # A program may define its own main (models often add one): it must not clash with ours.
    lines.append("#define main egca_user_main")
    return "\n".join(lines) + "\n"


def program_unit(program: str, *, instrumented: bool) -> str:
    """The candidate alone: the shared object of a Run (also the diagnostics of a plain build)."""
    return "".join([prelude(instrumented), f'#line 1 "{PROGRAM_FILE}"\n', program, "\n"])


def run_so_unit(program: str, info: Instrumented) -> str:
    """The candidate's shared object of a Run: the instrumented program, plus the entry the
    harness calls to trace the failing test inside the Run (egca_rt.c's egca_trace_one)."""
    tables, nstmts, nfuncs = event_tables(info)
    return (program_unit(program, instrumented=True) + tables
            + "int egca_trace_failure(void (*test)(void), double left_s, unsigned long long max_events) {\n"
            f"    return egca_trace_one(test, left_s, max_events, egca_fnames, {nstmts}, {nfuncs}, egca_bkinds);\n}}\n")


def trace_unit(program: str, tests: list[str], info: Instrumented | None) -> str:
    parts = [program_unit(program, instrumented=info is not None), "#undef main\n"]
    for i, code in enumerate(tests):
        parts.append(f"static void egca_test_{i}(void) {{\n#line 1 \"{TEST_FILE}\"\n{code}\n}}\n")
    names = ", ".join(f"egca_test_{i}" for i in range(len(tests))) or "0"
    parts.append(f"static void (*const egca_tests[])(void) = {{{names}}};\n")
    tables, nstmts, nfuncs = event_tables(info)
    parts.append(tables)
    parts.append(f"int main(int argc, char **argv) {{ return egca_main(argc, argv, egca_tests, {len(tests)}, "
                 f"egca_fnames, {nstmts}, {nfuncs}, egca_bkinds); }}\n")
    return "".join(parts)


def main_call(program: bytes) -> str:
    """Program tests, Trace: the test that runs the program's own main (renamed egca_user_main by
    the prelude) as the C runtime would, and exits with its status."""
    params, returns = 2, True
    for node in parse(program).root_node.named_children:
        if node.type != "function_definition":
            continue
        d = node.child_by_field_name("declarator")
        while d is not None and d.type in ("pointer_declarator", "parenthesized_declarator"):
            d = d.child_by_field_name("declarator")
        ident = d.child_by_field_name("declarator") if d is not None and d.type == "function_declarator" else None
        if ident is None or ident.text != b"main":
            continue
        plist = d.child_by_field_name("parameters")
        named = [p for p in (plist.named_children if plist is not None else []) if p.type != "comment"]
        params = 0 if not named or (len(named) == 1 and named[0].text.strip() == b"void") else len(named)
        returns = node.child_by_field_name("type").text.strip() != b"void"
    args = {0: "", 1: "1"}.get(params, "1, egca_argv" if params == 2 else "1, egca_argv, egca_argv + 1")
    call = f"egca_user_main({args})"
    return ('static char egca_name[] = "prog"; static char *egca_argv[] = {egca_name, 0}; (void)egca_argv;\n'
            + (f"int egca_rc = {call}; fflush(NULL); if (egca_rc) exit(egca_rc & 255);\n" if returns
               else f"{call}; fflush(NULL);\n"))


# ---------------------------------------------------------------- signatures

@dataclass(frozen=True)
class CType:
    words: tuple[str, ...]       # whitelisted type words, qualifiers included ("const", "char")
    ptr: int                     # pointer levels

    @property
    def text(self) -> str:
        return " ".join(self.words) + (" " + "*" * self.ptr if self.ptr else "")

    @property
    def base(self) -> str:
        return " ".join(w for w in self.words if w not in ("const", "volatile"))

    @property
    def is_char(self) -> bool:
        return self.base in ("char", "signed char", "unsigned char")

    @property
    def const_pointee(self) -> bool:
        return "const" in self.words

    @property
    def kind(self) -> str:
        if self.ptr == 0:
            return "void" if self.base == "void" else "scalar"
        if self.ptr == 1:
            return "str" if self.is_char else "ptr"
        if self.ptr == 2 and self.is_char:
            return "strv"
        return "bad"


@dataclass(frozen=True)
class Signature:
    name: str
    ret: CType
    params: tuple[tuple[str, CType], ...]


class Unsupported(ValueError):
    pass


def _type_of(type_node, quals: list, declarator) -> tuple[str | None, CType]:
    words = [w for q in quals for w in q.text.decode().split()]
    words += type_node.text.decode().split()
    ptr = 0
    d = declarator
    name = None
    while d is not None:
        if d.type in ("pointer_declarator", "abstract_pointer_declarator"):
            ptr += 1
        elif d.type in ("array_declarator", "abstract_array_declarator"):
            ptr += 1
        elif d.type == "identifier":
            name = d.text.decode()
            break
        elif d.type == "function_declarator":
            break
        elif d.type != "parenthesized_declarator":
            raise Unsupported(f"declarator {d.type}")
        d = d.child_by_field_name("declarator")
    words = [w for w in words if w not in _STORAGE]
    if not words or any(w not in _TYPE_WORDS for w in words):
        raise Unsupported(f"type {' '.join(words)!r}")
    return name, CType(tuple(words), ptr)


def signatures(program: bytes) -> dict[str, Signature | str]:
    """Every function the program defines: its signature, or why the harness cannot call it."""
    out: dict[str, Signature | str] = {}
    root = parse(program).root_node
    for node in root.named_children:
        if node.type != "function_definition":
            continue
        d = node.child_by_field_name("declarator")
        ptr = 0
        while d is not None and d.type in ("pointer_declarator", "parenthesized_declarator"):
            ptr += d.type == "pointer_declarator"
            d = d.child_by_field_name("declarator")
        if d is None or d.type != "function_declarator":
            continue
        ident = d.child_by_field_name("declarator")
        if ident is None or ident.type != "identifier":
            continue
        name = ident.text.decode()
        try:
            quals = [c for c in node.children if c.type in ("type_qualifier", "storage_class_specifier")]
            _, ret = _type_of(node.child_by_field_name("type"), quals, None)
            ret = CType(ret.words, ptr)
            params = []
            plist = d.child_by_field_name("parameters")
            for p in plist.named_children if plist is not None else []:
                if p.type == "comment":
                    continue
                if p.type != "parameter_declaration":
                    raise Unsupported(p.type)
                pq = [c for c in p.children if c.type == "type_qualifier"]
                pname, pt = _type_of(p.child_by_field_name("type"), pq, p.child_by_field_name("declarator"))
                if pname is None and pt.text == "void":
                    continue
                if pname is None or pt.kind in ("bad", "void"):
                    raise Unsupported(f"parameter {pt.text}")
                params.append((pname, pt))
            if ret.kind == "bad":
                raise Unsupported(f"return type {ret.text}")
            out[name] = Signature(name, ret, tuple(params))
        except Unsupported as e:
            out[name] = str(e)
    return out


def called_names(tests: list[str]) -> set[str]:
    names: set[str] = set()
    for code in tests:
        root = parse(f"void f(void) {{\n{code}\n}}\n".encode()).root_node
        stack = [root]
        while stack:
            n = stack.pop()
            if n.type == "call_expression":
                f = n.child_by_field_name("function")
                if f is not None and f.type == "identifier":
                    names.add(f.text.decode())
            stack.extend(n.children)
    return names


def _count(params, i: int) -> str:
    """The length of pointer parameter i: the integer parameter right after it, else -1."""
    if i + 1 < len(params):
        pname, pt = params[i + 1]
        if pt.ptr == 0 and pt.base in _LENGTH_TYPES:
            return f"(long)({pname})"
    return "-1L"


def stub(sig: Signature) -> str:
    ps = sig.params
    decl = ", ".join(f"{t.text} {n}" for n, t in ps) or "void"
    args = ", ".join(n for n, _ in ps)
    r = sig.ret
    L = [f"{r.text} {sig.name}({decl}) {{"]
    # Tracing the failing test after the verdicts (egca_harness.c): the test calls the
    # program directly, in one process, as Trace does.
    direct = f"((__typeof__({sig.name}) *)egca_direct({c_str(sig.name)}))({args})"
    L.append(f"    if (egca_tracing) {{ {direct}; return; }}" if r.kind == "void"
             else f"    if (egca_tracing) return {direct};")
    L += ["    struct egca_call egca_c;",
         f"    egca_call_start(&egca_c, {c_str(sig.name)});"]
    for i, (n, t) in enumerate(ps):
        if t.kind == "str":
            L.append(f"    egca_reg_str(&egca_c, {i}, (const char *){n});")
        elif t.kind == "strv":
            L.append(f"    egca_reg_strv(&egca_c, {i}, (const char *const *){n}, {_count(ps, i)});")
        elif t.kind == "ptr":
            L.append(f"    egca_reg_ptr(&egca_c, {i}, (const void *){n}, sizeof(*{n}), {_count(ps, i)});")
    L.append("    if (egca_fork(&egca_c)) {")
    for i, (n, t) in enumerate(ps):
        if t.kind == "str":
            L.append(f"        egca_move_str(&egca_c, (char **)&{n});")
        elif t.kind == "strv":
            L.append(f"        egca_move_strv(&egca_c, (char ***)&{n}, {_count(ps, i)});")
    L.append("        egca_seal(&egca_c);")
    L.append(f"        __typeof__({sig.name}) *egca_f = (__typeof__({sig.name}) *)egca_load(&egca_c);")
    kinds = {"str": "EGCA_STR", "strv": "EGCA_STRV", "ptr": "EGCA_PTR"}
    if r.kind == "void":
        L.append(f"        egca_f({args});")
    else:
        L.append(f"        {r.text} egca_r = egca_f({args});")
        if r.kind == "scalar" and r.base in ("bool", "_Bool"):
            L.append("        unsigned char egca_b = egca_r ? 1 : 0; egca_put(&egca_c, &egca_b, 1);")
        elif r.kind == "scalar":
            L.append("        egca_put(&egca_c, &egca_r, sizeof egca_r);")
        else:
            L.append(f"        egca_put_ptr(&egca_c, (const void *)egca_r, 1, {kinds[r.kind]});")
    outs = [(i, n) for i, (n, t) in enumerate(ps) if t.kind in ("ptr", "str") and not t.const_pointee]
    for i, n in outs:
        L.append(f"        egca_put_out(&egca_c, {i}, (const void *){n});")
    L.append("        egca_end(&egca_c);")
    L.append("    }")
    L.append("    egca_wait(&egca_c);")
    if r.kind != "void":
        L.append(f"    {r.text} egca_r;")
        if r.kind == "scalar" and r.base in ("bool", "_Bool"):
            L.append("    egca_get_bool(&egca_c, &egca_r);")
        elif r.kind == "scalar":
            L.append("    egca_get(&egca_c, &egca_r, sizeof egca_r);")
        else:
            L.append(f"    egca_r = ({r.text})egca_get_ptr(&egca_c, {kinds[r.kind]});")
    for i, n in outs:
        L.append(f"    egca_get_out(&egca_c, {i}, (void *){n});")
    L.append("    egca_done(&egca_c);")
    L.append("    return egca_r;" if r.kind != "void" else "    return;")
    L.append("}")
    return "\n".join(L) + "\n"


def harness_unit(program: bytes, tests: list[str]) -> str:
    """The harness executable's source: tests + stubs, never the program's text.
    Raises Unsupported when a test calls a function the harness cannot call."""
    sigs = signatures(program)
    parts = [f"#include <{h}>\n" for h in HEADERS]
    parts.append('#include "egca_harness.h"\n#undef assert\n'
                 "#define assert(e) ((e) ? (void)0 : egca_test_fail(#e, __LINE__))\n")
    # The test's own heap goes through the harness, which hands it to the program's
    # allocator while tracing (so the trace shows the test's blocks as Trace does).
    parts.append("#define malloc(n) egca_t_malloc(n)\n#define calloc(n, m) egca_t_calloc(n, m)\n"
                 "#define realloc(p, n) egca_t_realloc(p, n)\n#define free(p) egca_t_free(p)\n"
                 "#define strdup(s) egca_t_strdup(s)\n")
    parts.append(_resource("egca_test.h"))
    for name in sorted(called_names(tests) & set(sigs)):
        if name in RESERVED or name.startswith("egca_"):
            continue
        sig = sigs[name]
        if isinstance(sig, str):
            raise Unsupported(f"a test calls {name}(), whose {sig} the C harness cannot pass")
        parts.append(stub(sig))
    sect = '__attribute__((section("egca_testcode"), noinline, used'
    parts.append(f"static void {sect}, aligned(4096))) egca_tests_first(void) {{}}\n")
    for i, code in enumerate(tests):
        parts.append(f"static void {sect})) egca_test_{i}(void) {{\n#line 1 \"{TEST_FILE}\"\n{code}\n}}\n")
    parts.append(f"static void {sect}, aligned(4096))) egca_tests_end(void) {{}}\n")
    names = ", ".join(f"egca_test_{i}" for i in range(len(tests))) or "0"
    parts.append(f"static void (*const egca_tests[])(void) = {{{names}}};\n")
    parts.append(f"int main(int argc, char **argv) {{ return egca_harness_main(argc, argv, egca_tests, {len(tests)}, "
                 "(const void *)egca_tests_first, (const void *)egca_tests_end); }\n")
    return "".join(parts)
