"""EGCA language adapter for C (entry point `egca.adapters: c`)."""

from egca_c.adapter import CAdapter

__all__ = ["CAdapter"]
