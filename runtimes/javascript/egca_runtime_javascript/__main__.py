"""`python -m egca_runtime_javascript --port N [--host H]`: serve egca.v1.Tracer for JavaScript
(the launcher contract of egca_kit.server.serve_main)."""

import sys

from egca_kit.server import serve_main

from egca_runtime_javascript.service import JavaScriptTracer, check_installation


def main(argv: list[str] | None = None) -> int:
    return serve_main("egca-runtime-javascript", JavaScriptTracer, argv, before_start=check_installation)


if __name__ == "__main__":
    sys.exit(main())
