"""EGCA language adapter for Python (entry point `egca.adapters: python`)."""

from egca_python.adapter import PythonAdapter

__all__ = ["PythonAdapter"]
