"""The one compiled part of the runtime: the tracer's C hooks (egca_runtime_python/_lines.c).
Optional: without a C compiler and Python's headers the package installs without it, and
the tracer makes the same events in Python alone, at ~1.3-1.5x the CPU per event."""

from setuptools import Extension, setup

setup(ext_modules=[Extension("egca_runtime_python._lines", ["egca_runtime_python/_lines.c"], optional=True,
                             extra_compile_args=["-O2"])])
