"""The translation unit that is compiled: prelude + program + tests + main.

`#line` directives make every diagnostic and `__FILE__`/`__LINE__` point into
the program's own lines ("<program>") or a test's ("<test>"); the runtime's
`__assert_fail` tells a failed assert in test code (FAIL) from one in program
code (ERROR) by that file name.
"""

from __future__ import annotations

from importlib import resources

PROGRAM_FILE = "<program>"
TEST_FILE = "<test>"

HEADERS = ("assert.h", "stdlib.h", "string.h", "stdio.h", "math.h", "stdbool.h", "limits.h")


def _resource(name: str) -> str:
    return resources.files("egca_runtime_c").joinpath(name).read_text(encoding="utf-8")


def runtime_source() -> str:
    return _resource("egca_rt.c")


def runtime_header() -> str:
    return _resource("egca_rt.h")


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


def translation_unit(program: str, tests: list[str], *, instrumented: bool) -> str:
    parts = [prelude(instrumented), f'#line 1 "{PROGRAM_FILE}"\n', program]
    if not program.endswith("\n"):
        parts.append("\n")
    parts.append("#undef main\n")
    for i, code in enumerate(tests):
        parts.append(f"static void egca_test_{i}(void) {{\n#line 1 \"{TEST_FILE}\"\n{code}\n}}\n")
    names = ", ".join(f"egca_test_{i}" for i in range(len(tests))) or "0"
    parts.append(f"static void (*const egca_tests[])(void) = {{{names}}};\n")
    parts.append(f"int main(int argc, char **argv) {{ return egca_main(argc, argv, egca_tests, {len(tests)}); }}\n")
    return "".join(parts)
