"""EGCA's Java runtime: an egca.v1.Tracer on the runtime kit (egca_kit)."""

__version__ = "0.1.0"
