"""EGCA language adapter for JavaScript (entry point `egca.adapters: javascript`)."""

from egca_javascript.adapter import JavaScriptAdapter

__all__ = ["JavaScriptAdapter"]
