"""Errors of the runtime layer, each with one gRPC status (see `egca_kit.tracer`).

`InvalidRequest` is the caller's fault (INVALID_ARGUMENT). `SandboxError` is
ours: the sandbox or a runtime's own machinery failed (UNAVAILABLE), never a
candidate's failure. `SandboxRefused` means no working sandbox exists and
running untrusted code unsandboxed was not asked for (FAILED_PRECONDITION).
"""


class KitError(Exception):
    """Base of the errors the kit raises on purpose."""


class InvalidRequest(KitError, ValueError):
    """The request cannot be served as given."""


class SandboxError(KitError, RuntimeError):
    """The sandbox (or the runtime's own machinery) failed; says nothing about the program."""


class SandboxRefused(SandboxError):
    """No working sandbox, and the unsafe opt-in was not given: untrusted code is refused."""
