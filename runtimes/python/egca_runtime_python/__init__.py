"""EGCA's Python runtime: runs and traces Python programs in a sandbox (egca.v1.Tracer)."""

__version__ = "0.1.0"
