"""C sources the native (C, C++) runtimes compile into their harnesses, so that a rule of
the sandbox has one implementation: egca_no_processes.h (a candidate's code starts no
process)."""

from importlib import resources

NO_PROCESSES_H = "egca_no_processes.h"


def source(name: str) -> bytes:
    """The bytes of one of this package's C files (the build puts them next to its own)."""
    return resources.files(__name__).joinpath(name).read_bytes()
