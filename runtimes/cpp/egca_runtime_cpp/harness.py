"""The translation units that are compiled.

Trace: one executable: prelude + program (instrumented) + the test + a main that runs
egca_rt.cc's runner.
Run (trusted verdicts, see README "Trusted verdicts"): two units that never meet:
- the candidate's shared object: prelude + program (instrumented) + one generated
  entry per function the tests call (`egca_call_<k>(args, fd)`: calls the function
  on the harness's arguments and replies with plain bytes, egca_wire.hpp);
- the harness executable: prelude + our `assert` + generated stubs + the tests + main.
  It never includes the candidate's source: the stubs are rebuilt from the parsed
  signatures (whitelisted type words and templates, reference levels, names), so
  nothing the candidate writes (macros, attributes, expressions) reaches it.

A test case's code is either statements (the body of a function) or top-level C++
with a `main()` (HumanEval-X's shape: helper functions, then `int main() { ... }`).
Each test is compiled inside its own namespace (`egca_t<i>`), so helpers of different
tests never clash and a `main` there is an ordinary function; `#include` lines are
moved to the top of the unit (their line left blank). `#line` directives make every
diagnostic point into the program's own lines ("<program>") or a test's ("<test>").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from egca_kit.native import c_str, event_tables
from egca_runtime_cpp.instrument import Instrumented, parse

PROGRAM_FILE = "<program>"
TEST_FILE = "<test>"

HEADERS = ("algorithm", "array", "bitset", "cassert", "cctype", "climits", "cmath", "cstdint", "cstdio", "cstdlib",
           "cstring", "deque", "functional", "iostream", "iterator", "limits", "list", "map", "numeric", "queue",
           "set", "sstream", "stack", "string", "tuple", "unordered_map", "unordered_set", "utility", "vector",
           "math.h", "stdio.h", "stdlib.h", "string.h", "assert.h")
# Names the harness itself defines (or that are never the program's to answer).
RESERVED = frozenset({"main", "assert", "operator"})

_INCLUDE = re.compile(rb"^[ \t]*#[ \t]*include\b.*$", re.MULTILINE)
_NDEBUG = re.compile(rb"^[ \t]*#[ \t]*(undef|define)[ \t]+NDEBUG\b.*$", re.MULTILINE)


def prelude() -> str:
    return "".join(f"#include <{h}>\n" for h in HEADERS)


def _hoist_includes(code: str) -> tuple[str, str]:
    """(the #include lines, the code with those lines blank): includes cannot live in a namespace."""
    raw = code.encode("utf-8", "surrogateescape")
    incs = [m.group(0).decode("utf-8", "surrogateescape").strip() for m in _INCLUDE.finditer(raw)]
    raw = _INCLUDE.sub(b"", raw)
    raw = _NDEBUG.sub(b"", raw)
    return "".join(i + "\n" for i in incs), raw.decode("utf-8", "surrogateescape")


def has_main(code: str) -> bool:
    root = parse(code.encode("utf-8", "surrogateescape")).root_node
    for n in root.named_children:
        if n.type == "function_definition":
            d = n.child_by_field_name("declarator")
            if d is not None and d.type == "function_declarator":
                name = d.child_by_field_name("declarator")
                if name is not None and name.text == b"main":
                    return True
    return False


def test_units(tests: list[str]) -> tuple[str, str]:
    """(hoisted includes, the test namespaces + egca_tests[]) for a list of test codes."""
    heads, parts = [], []
    for i, code in enumerate(tests):
        inc, body = _hoist_includes(code)
        heads.append(inc)
        if has_main(body):
            parts.append(f"namespace egca_t{i} {{\n#line 1 \"{TEST_FILE}\"\n{body}\n}}\n"
                         f"static void egca_test_{i}() {{ egca_t{i}::main(); }}\n")
        else:
            parts.append(f"static void egca_test_{i}() {{\n#line 1 \"{TEST_FILE}\"\n{body}\n}}\n")
    names = ", ".join(f"egca_test_{i}" for i in range(len(tests))) or "0"
    parts.append(f"static void (*const egca_tests[])() = {{{names}}};\n")
    return "".join(heads), "".join(parts)


def program_unit(program: str, *, instrumented: bool, wire: bool = False) -> str:
    """The candidate alone (the shared object of a Run; also the diagnostics of a plain build)."""
    head = prelude() + '#include "egca_rt.hpp"\n' + ('#include "egca_wire.hpp"\n' if wire else "")
    # A program may define its own main (models often add one): it must not clash with ours.
    return head + f'#define main egca_user_main\n#line 1 "{PROGRAM_FILE}"\n' + program + "\n"


def trace_entry(info: Instrumented) -> str:
    """What follows the entries in an instrumented shared object of a Run: the function the
    harness calls to trace the failing test inside the Run (egca_rt.cc's egca_trace_one)."""
    tables, nstmts, nfuncs = event_tables(info)
    return ('#line 1 "<egca>"\n' + tables
            + 'extern "C" int egca_trace_one(void (*)(), double, unsigned long long, const char *const *, int, int, '
            "const char *const *);\n"
            + 'extern "C" int egca_trace_failure(void (*test)(), double left_s, unsigned long long max_events) {\n'
            f"    return egca_trace_one(test, left_s, max_events, egca_fnames, {nstmts}, {nfuncs}, egca_bkinds);\n}}\n")


def trace_unit(program: str, tests: list[str], info: Instrumented | None) -> str:
    incs, body = test_units(tests)
    parts = [program_unit(program, instrumented=info is not None), '#line 1 "<egca>"\n#undef main\n', incs,
             "using namespace std;\n", body]
    tables, nstmts, nfuncs = event_tables(info)
    parts.append(tables + 'extern "C" int egca_main(int, char **, void (*const *)(), int, const char *const *, int, int, '
                 "const char *const *);\n")
    parts.append(f"int main(int argc, char **argv) {{ return egca_main(argc, argv, egca_tests, {len(tests)}, "
                 f"egca_fnames, {nstmts}, {nfuncs}, egca_bkinds); }}\n")
    return "".join(parts)


# ---------------------------------------------------------------- signatures

_SCALARS = frozenset({"int", "char", "short", "long", "unsigned", "signed", "float", "double", "bool", "void"})
_NAMED = {"string": "std::string", "size_t": "std::size_t", "int8_t": "std::int8_t", "int16_t": "std::int16_t",
          "int32_t": "std::int32_t", "int64_t": "std::int64_t", "uint8_t": "std::uint8_t",
          "uint16_t": "std::uint16_t", "uint32_t": "std::uint32_t", "uint64_t": "std::uint64_t"}
_TEMPLATES = {"vector": 1, "deque": 1, "list": 1, "set": 1, "multiset": 1, "unordered_set": 1,
              "unordered_multiset": 1, "map": 2, "multimap": 2, "unordered_map": 2, "unordered_multimap": 2,
              "pair": 2, "tuple": -1}


class Unsupported(ValueError):
    pass


def _type(node) -> str:
    """A type node rebuilt from whitelisted words only (never the candidate's text)."""
    t = node.type
    if t == "type_descriptor":
        quals = [c.text.decode() for c in node.children if c.type == "type_qualifier"]
        inner = node.child_by_field_name("type")
        if inner is None or node.child_by_field_name("declarator") is not None:
            raise Unsupported("a declarator inside a template argument")
        if any(q not in ("const",) for q in quals):
            raise Unsupported(f"qualifier {' '.join(quals)}")
        return ("const " if quals else "") + _type(inner)
    if t in ("primitive_type", "sized_type_specifier"):
        words = node.text.decode().split()
        if not words or any(w not in _SCALARS for w in words):
            raise Unsupported(f"type {' '.join(words)!r}")
        return " ".join(words)
    if t == "type_identifier":
        name = node.text.decode()
        if name not in _NAMED:
            raise Unsupported(f"type {name!r}")
        return _NAMED[name]
    if t == "qualified_identifier":
        scope = node.child_by_field_name("scope")
        name = node.child_by_field_name("name")
        if scope is None or scope.text != b"std" or name is None:
            raise Unsupported(f"type {node.text.decode()[:60]!r}")
        return _type(name)
    if t == "template_type":
        name = node.child_by_field_name("name").text.decode()
        args = node.child_by_field_name("arguments")
        if name not in _TEMPLATES or args is None:
            raise Unsupported(f"type {node.text.decode()[:60]!r}")
        items = [_type(a) for a in args.named_children if a.type != "comment"]
        want = _TEMPLATES[name]
        if want >= 0 and len(items) != want:
            raise Unsupported(f"type {node.text.decode()[:60]!r} (allocator or comparator arguments)")
        return f"std::{name}<{', '.join(items)}>"
    raise Unsupported(f"type {node.text.decode()[:60]!r}")


@dataclass(frozen=True)
class Param:
    name: str
    type: str          # rebuilt type text, without reference
    ref: str           # "", "&" or "&&"
    const: bool

    @property
    def decl(self) -> str:
        return f"{'const ' if self.const else ''}{self.type}{self.ref}"

    @property
    def out(self) -> bool:
        return self.ref == "&" and not self.const


@dataclass(frozen=True)
class Signature:
    name: str
    ret: str           # rebuilt type text ("void" for none)
    params: tuple[Param, ...]


def _param(p, i: int) -> Param:
    if p.type != "parameter_declaration":
        raise Unsupported("a default argument" if p.type == "optional_parameter_declaration" else p.type)
    quals = [c.text.decode() for c in p.children if c.type == "type_qualifier"]
    if any(q != "const" for q in quals):
        raise Unsupported(f"qualifier {' '.join(quals)}")
    base = _type(p.child_by_field_name("type"))
    d = p.child_by_field_name("declarator")
    ref = ""
    name = None
    if d is not None and d.type == "reference_declarator":
        ref = "&&" if d.text.lstrip().startswith(b"&&") else "&"
        d = next(iter(d.named_children), None)
    if d is not None:
        if d.type != "identifier":
            raise Unsupported(f"parameter declarator {d.type}")
        name = d.text.decode()
    if base == "void" and not ref and name is None:
        raise Unsupported("void")
    if base == "void":
        raise Unsupported("a void parameter")
    return Param(name or f"egca_p{i}", base, ref, bool(quals))


def signatures(program: bytes) -> dict[str, Signature | str]:
    """Every top-level function the program defines: its signature, or why the harness cannot call it."""
    out: dict[str, Signature | str] = {}
    root = parse(program).root_node
    for node in root.named_children:
        if node.type != "function_definition":
            continue
        d = node.child_by_field_name("declarator")
        ref = False
        while d is not None and d.type in ("pointer_declarator", "reference_declarator", "parenthesized_declarator"):
            ref = True
            d = d.child_by_field_name("declarator") or next(iter(d.named_children), None)
        if d is None or d.type != "function_declarator":
            continue
        ident = d.child_by_field_name("declarator")
        if ident is None or ident.type != "identifier":
            continue
        name = ident.text.decode()
        try:
            if ref:
                raise Unsupported("a pointer or reference result")
            if any(c.type == "trailing_return_type" for c in d.named_children):
                raise Unsupported("a trailing return type")
            quals = [c.text.decode() for c in node.children if c.type == "type_qualifier"]
            if any(q != "const" for q in quals):
                raise Unsupported(f"qualifier {' '.join(quals)}")
            ret = _type(node.child_by_field_name("type"))
            plist = d.child_by_field_name("parameters")
            params = []
            named = [p for p in (plist.named_children if plist is not None else []) if p.type != "comment"]
            for i, p in enumerate(named):
                if (len(named) == 1 and p.type == "parameter_declaration" and p.child_by_field_name("declarator") is None
                        and p.child_by_field_name("type") is not None and p.child_by_field_name("type").text == b"void"):
                    continue
                params.append(_param(p, i))
            out[name] = Signature(name, ret, tuple(params))
        except Unsupported as e:
            out[name] = str(e)
    return out


def called_names(tests: list[str]) -> set[str]:
    """Identifiers the tests call, less the functions the tests define themselves."""
    names: set[str] = set()
    for code in tests:
        root = parse(code.encode("utf-8", "surrogateescape")).root_node
        if not has_main(code):
            root = parse(f"void egca_body() {{\n{code}\n}}\n".encode("utf-8", "surrogateescape")).root_node
        own = set()
        for n in root.named_children:
            if n.type == "function_definition":
                d = n.child_by_field_name("declarator")
                while d is not None and d.type != "function_declarator":
                    d = d.child_by_field_name("declarator") or next(iter(d.named_children), None)
                if d is not None and d.child_by_field_name("declarator") is not None:
                    own.add(d.child_by_field_name("declarator").text.decode())
        stack = [root]
        while stack:
            n = stack.pop()
            if n.type == "call_expression":
                f = n.child_by_field_name("function")
                if f is not None and f.type == "identifier":
                    names.add(f.text.decode())
            stack.extend(n.children)
        names -= own - {"main"}
    return names


def stub(sig: Signature, k: int) -> str:
    """The harness's definition of a program function: forks a call child that runs the
    candidate's entry `egca_call_<k>`, then rebuilds the result from the reply."""
    ps = sig.params
    decl = ", ".join(f"{p.decl} {p.name}" for p in ps)
    args = ", ".join(f"(void *)&{p.name}" for p in ps) or "nullptr"
    L = [f"{sig.ret} {sig.name}({decl}) {{",
         f"    egca_h::Call egca_c({c_str(sig.name)}, \"egca_call_{k}\");",
         f"    void *egca_a[] = {{{args}}};",
         "    egca_c.call(egca_a);"]
    if sig.ret != "void":
        L.append(f"    {sig.ret} egca_r{{}};")
        L.append("    egca_c.get(egca_r);")
    for p in ps:
        if p.out:
            L.append(f"    egca_c.get({p.name});")
    L.append("    egca_c.done();")
    L.append("    return egca_r;" if sig.ret != "void" else "    return;")
    L.append("}")
    return "\n".join(L) + "\n"


def entry(sig: Signature, k: int) -> str:
    """The candidate-side entry of stub k (compiled into the candidate's shared object)."""
    ps = sig.params
    def arg(i: int, p: Param) -> str:
        obj = f"*static_cast<{'const ' if p.const else ''}{p.type} *>(egca_a[{i}])"
        return obj if p.ref == "&" else f"std::move({obj})"
    args = ", ".join(arg(i, p) for i, p in enumerate(ps))
    call = f"::{sig.name}({args})"
    body = f"{sig.ret} egca_r = {call}; egca_wire::put(egca_o, egca_r);" if sig.ret != "void" else f"{call};"
    outs = " ".join(f"egca_wire::put(egca_o, *static_cast<{p.type} *>(egca_a[{i}]));"
                    for i, p in enumerate(ps) if p.out)
    return (f'extern "C" void egca_call_{k}(void **egca_a, int egca_fd) {{ (void)egca_a; egca_wire::Out egca_o; '
            f"try {{ {body} }} catch (...) {{ egca_rt_escaped(); }} {outs} egca_rt_reply(&egca_o, egca_fd); }}\n")


def _macros(program: bytes) -> list[str]:
    names = []
    stack = [parse(program).root_node]
    while stack:
        n = stack.pop()
        if n.type in ("preproc_def", "preproc_function_def"):
            nm = n.child_by_field_name("name")
            if nm is not None:
                names.append(nm.text.decode())
        stack.extend(c for c in n.named_children if c.type.startswith("preproc") or c.type == "translation_unit")
    return names


def wanted(program: bytes, tests: list[str]) -> list[Signature]:
    """The program functions the tests call, in a fixed order; Unsupported when a test calls
    one whose signature the harness cannot pass."""
    sigs = signatures(program)
    out = []
    for name in sorted(called_names(tests) & set(sigs)):
        if name in RESERVED or name.startswith("egca_"):
            continue
        sig = sigs[name]
        if isinstance(sig, str):
            raise Unsupported(f"a test calls {name}(), whose {sig} the C++ harness cannot pass")
        out.append(sig)
    return out


def entries_unit(program: bytes, sigs: list[Signature]) -> str:
    """What follows the program in its shared object: its macros undone, then the entries."""
    undef = "".join(f"#undef {m}\n" for m in _macros(program))
    return ('\n#line 1 "<egca>"\n' + undef + '#undef main\nextern "C" void egca_rt_escaped();\n'
            'extern "C" void egca_rt_reply(egca_wire::Out *, int);\n'
            + "".join(entry(s, k) for k, s in enumerate(sigs)))


def harness_unit(sigs: list[Signature], tests: list[str]) -> str:
    """The harness executable's source: tests + stubs, never the program's text."""
    incs, body = test_units(tests)
    parts = [prelude(), '#include "egca_harness.hpp"\n', incs, "using namespace std;\n#undef assert\n"
             "#define assert(e) ((e) ? (void)0 : egca_h::test_fail(#e, __LINE__))\n"]
    parts += [stub(s, k) for k, s in enumerate(sigs)]
    parts.append(body)
    parts.append(f"int main(int argc, char **argv) {{ return egca_h::harness_main(argc, argv, egca_tests, {len(tests)}); }}\n")
    return "".join(parts)
