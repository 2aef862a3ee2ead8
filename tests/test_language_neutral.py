"""The engine names no language: everything language-specific comes from the adapters.

Scans the code of the engine modules (egca/*.py, egca/bench, egca/train; not the
dataset registry's data nor generated code) for the registered adapters' language
names and for the node types they declare, and fails on any it finds:

- a language name (`python`, `javascript`, ...) as a word in any string, or as a part
  of an identifier (`_py_health`, `PYTHON_PREAMBLE`); a one-letter name only as a
  whole string (`"c"`);
- a node type an adapter declares (statement types, write fields, literal types, ...)
  as a whole string, except where that string is a field name of a grammar
  (`child_by_field_name("function")`, the adapter's `name_fields`) or a word of the
  engine's own vocabulary (the modes, divergence kinds, trace event kinds and wire value
  kinds of docs/EVENTS.md: `"call"`, `"return"`, `"list"`) or a display word (`"true"`).
  Underscored node types (`return_statement`) are also caught inside docstrings.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from egca.core import DivergenceKind, Mode
from egca.plugin import LanguageAdapter, available_adapters

ROOT = Path(__file__).resolve().parent.parent
ENGINE = sorted([*ROOT.glob("egca/*.py"), *ROOT.glob("egca/bench/*.py"), *ROOT.glob("egca/train/*.py")])

# The adapter hooks that hold node types (sets, or dicts keyed by node type).
NODE_TYPE_HOOKS = ("statement_types", "condition_fields", "loop_types", "function_types", "call_types",
                   "identifier_types", "comment_types", "return_types", "write_fields", "target_container_types",
                   "member_types", "condition_wrapper_types", "shape_noise_types", "declaration_types",
                   "expression_statement_types", "string_types", "number_types", "boolean_types",
                   "declarator_types", "pattern_types")
# Words the engine uses in its own sense (docs/EVENTS.md event kinds, modes, divergence kinds).
ENGINE_VOCABULARY = {*(m.value for m in Mode), *(k.value for k in DivergenceKind),
                     "step", "call", "return", "exception", "branch", "end", "list", "map", "object",
                     "true", "false"}
# The engine image's own interpreter, named by its health check (not a language it analyses).
ALLOWED: set[tuple[str, str]] = set()


def _declared_node_types() -> set[str]:
    """Node types the adapters declare themselves (not the base class's defaults)."""
    base = set()
    for hook in NODE_TYPE_HOOKS:
        base |= set(getattr(LanguageAdapter, hook, ()))
    names = set()
    for cls in available_adapters().values():
        for klass in cls.__mro__:
            if klass is LanguageAdapter or not issubclass(klass, LanguageAdapter):
                continue
            for hook in NODE_TYPE_HOOKS:
                if hook in vars(klass):
                    names |= set(vars(klass)[hook])
    return names - base - ENGINE_VOCABULARY - _field_names()


def _field_names() -> set[str]:
    """Every field name of the adapters' grammars (`left`, `body`, `function`, ...)."""
    out = set()
    for language in available_adapters():
        from egca.plugin import get_adapter

        grammar = get_adapter(language).ts_language()
        out |= {grammar.field_name_for_id(i) for i in range(1, grammar.field_count + 1)} - {None}
    return out


def _language_words() -> tuple[set[str], set[str]]:
    """(names matched as words and identifier parts, names matched only as whole strings)."""
    words, whole = set(), set()
    for cls in available_adapters().values():
        for name in (cls.name, *getattr(cls, "fence_names", ())):
            name = name.lower()
            (words if len(name) >= 3 and name != "node" else whole).add(name)
    return words, whole


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                ids.add(id(first.value))
    return ids


def _field_name_args(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr.endswith("by_field_name"):
            ids.update(id(a) for a in node.args if isinstance(a, ast.Constant))
    return ids


def _identifier_parts(name: str) -> set[str]:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    return {p.lower() for p in spaced.split("_") if p}


def findings(source: str, where: str, node_types: set[str], words: set[str], whole: set[str]) -> list[str]:
    tree = ast.parse(source)
    docs, fields = _docstrings(tree), _field_name_args(tree)
    out = []
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
            for w in words:
                # a word, not part of a path (`.venv/bin/python`) or a module name
                if re.search(rf"(?<![\w./]){re.escape(w)}(?![\w])", text, re.IGNORECASE) and (where, w) not in ALLOWED:
                    out.append(f"{where}:{line}: language name {w!r} in {text[:60]!r}")
            if text in whole:        # names are lower case: the wire's event letter "C" is not the language c
                out.append(f"{where}:{line}: language name {text!r}")
            if id(node) not in docs and id(node) not in fields and text in node_types:
                out.append(f"{where}:{line}: node type {text!r}")
            elif id(node) in docs:
                for t in node_types:
                    if "_" in t and re.search(rf"\b{re.escape(t)}\b", text):
                        out.append(f"{where}:{line}: node type {t!r} in a docstring")
        names = []
        if isinstance(node, ast.Name):
            names = [node.id]
        elif isinstance(node, ast.Attribute):
            names = [node.attr]
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names = [node.name]
        elif isinstance(node, ast.arg):
            names = [node.arg]
        elif isinstance(node, ast.alias):
            names = [node.asname or node.name]
        for name in names:
            hit = _identifier_parts(name) & words
            if hit:
                out.append(f"{where}:{line}: identifier {name!r} names {sorted(hit)}")
    return out


@pytest.fixture(scope="module")
def vocab():
    node_types = _declared_node_types()
    words, whole = _language_words()
    assert len(available_adapters()) >= 1 and node_types and words
    return node_types, words, whole


def test_engine_modules_name_no_language_and_no_node_type(vocab):
    found = []
    for path in ENGINE:
        where = str(path.relative_to(ROOT))
        found += findings(path.read_text(encoding="utf-8"), where, *vocab)
    assert not found, "language-specific names in the engine:\n" + "\n".join(found)


def test_the_scan_finds_what_it_looks_for(vocab):
    """The check is real: a snippet that names an adapter's language or node types is caught."""
    node_types, words, whole = vocab
    language = sorted(w for w in words if w.isidentifier())[0]
    node_type = sorted(t for t in node_types if "_" in t)[0]
    source = (f"TABLE = {{{node_type!r}: 'left'}}\n"
              f"def f(node):\n    return node.type == {node_type!r} or node.child_by_field_name('body')\n"
              f"_{language}_marker = {'# ' + language + ' comment'!r}\n")
    found = findings(source, "snippet.py", *vocab)
    assert sum(f"node type {node_type!r}" in f for f in found) == 2, found
    assert any("identifier" in f and language in f for f in found), found
    assert any("language name" in f for f in found), found
    assert not findings("def g(node):\n    return node.child_by_field_name('body')\n", "ok.py", *vocab)
