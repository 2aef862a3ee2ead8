"""EGCA's Java language adapter (entry point `egca.adapters`: java)."""

from egca_java.adapter import JavaAdapter

__all__ = ["JavaAdapter"]
