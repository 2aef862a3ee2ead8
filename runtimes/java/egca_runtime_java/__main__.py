"""`python -m egca_runtime_java --port N [--host H]`: serve egca.v1.Tracer for Java
(the launcher contract of egca_kit.server.serve_main)."""

import sys

from egca_kit.server import serve_main

from egca_runtime_java.service import JavaTracer


def main(argv: list[str] | None = None) -> int:
    return serve_main("egca-runtime-java", JavaTracer, argv)


if __name__ == "__main__":
    sys.exit(main())
