"""The two kinds of failure a caller must be able to tell apart.

`InvalidInput` is the caller's fault (bad problem, bad candidate, unknown
language): a one-line CLI error or INVALID_ARGUMENT over gRPC.
`InfrastructureError` is ours (runtime down, sandbox broken): never turned
into a candidate's mode or reward.
"""


class EgcaError(Exception):
    """Base class of every error EGCA raises on purpose."""


class InvalidInput(EgcaError, ValueError):
    """The input cannot be analysed as given."""


class InfrastructureError(EgcaError, RuntimeError):
    """A runtime, sandbox or service failed; says nothing about the candidate."""
