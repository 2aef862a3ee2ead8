"""EGCA JavaScript runtime on the kit: the server is Python (egca_kit), the sandboxed
processes are Node.js (src/harness.js, src/child.js)."""

__version__ = "0.2.0"
