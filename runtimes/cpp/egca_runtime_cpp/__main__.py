"""`python -m egca_runtime_cpp --host 127.0.0.1 --port 0`: serve egca.v1.Tracer for C++
(the launcher contract of egca_kit.server.serve_main: the first stdout line is `PORT <n>`)."""

import sys

from egca_kit.server import serve_main

from egca_runtime_cpp.service import CppTracer


def main(argv: list[str] | None = None) -> int:
    return serve_main("egca-runtime-cpp", CppTracer, argv)


if __name__ == "__main__":
    sys.exit(main())
