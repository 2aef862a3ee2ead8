"""EGCA runtime kit: what every language runtime is built on.

- `egca_kit.v1`: the generated `egca.v1` wire stubs (Tracer, Engine, Value);
- `egca_kit.sandbox`: running untrusted code (bubblewrap + rlimits), fail-closed;
- `egca_kit.warm`, `egca_kit.zygote`: warm sandboxes (a run is a fork of a
  pre-initialised template in a long-lived sandbox, on its own uids and namespaces);
- `egca_kit.limits`: the one table of default limits;
- `egca_kit.protocol`: the child line protocol and its one decoder;
- `egca_kit.tracer`: the base Tracer servicer (validation, limits, status mapping,
  chunked streaming); a language supplies a `Language` with only what differs;
- `egca_kit.programs`: whole-program tests (stdin/stdout), judged in the server;
- `egca_kit.healthcheck`: the container health check;
- `egca_kit.server`: gRPC plumbing (truthful health, reflection, graceful drain)
  and the launcher contract every runtime's `__main__` follows;
- `egca_kit.conformance`: the conformance suite any Tracer can be checked with.

Nothing here imports the engine (`egca`).
"""

__version__ = "0.2.0"
