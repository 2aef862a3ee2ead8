"""EGCA Tracer service for C++."""
__version__ = "0.1.0"
