"""EGCA language adapter for C++ (entry point `egca.adapters: cpp`)."""

from egca_cpp.adapter import CppAdapter

__all__ = ["CppAdapter"]
