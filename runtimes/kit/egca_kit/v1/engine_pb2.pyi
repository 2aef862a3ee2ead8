from egca_kit.v1 import values_pb2 as _values_pb2
from egca_kit.v1 import tracer_pb2 as _tracer_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Mode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MODE_UNSPECIFIED: _ClassVar[Mode]
    SYNTAX: _ClassVar[Mode]
    CONSTRAINT: _ClassVar[Mode]
    CORRECT: _ClassVar[Mode]
    LOGIC: _ClassVar[Mode]
MODE_UNSPECIFIED: Mode
SYNTAX: Mode
CONSTRAINT: Mode
CORRECT: Mode
LOGIC: Mode

class Problem(_message.Message):
    __slots__ = ("task_id", "language", "prompt", "reference", "entry_point", "tests")
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    PROMPT_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    ENTRY_POINT_FIELD_NUMBER: _ClassVar[int]
    TESTS_FIELD_NUMBER: _ClassVar[int]
    task_id: str
    language: str
    prompt: str
    reference: str
    entry_point: str
    tests: _containers.RepeatedCompositeFieldContainer[_tracer_pb2.TestCase]
    def __init__(self, task_id: _Optional[str] = ..., language: _Optional[str] = ..., prompt: _Optional[str] = ..., reference: _Optional[str] = ..., entry_point: _Optional[str] = ..., tests: _Optional[_Iterable[_Union[_tracer_pb2.TestCase, _Mapping]]] = ...) -> None: ...

class ProblemRef(_message.Message):
    __slots__ = ("dataset", "task_id")
    DATASET_FIELD_NUMBER: _ClassVar[int]
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    dataset: str
    task_id: str
    def __init__(self, dataset: _Optional[str] = ..., task_id: _Optional[str] = ...) -> None: ...

class ByteRange(_message.Message):
    __slots__ = ("start", "end")
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    start: int
    end: int
    def __init__(self, start: _Optional[int] = ..., end: _Optional[int] = ...) -> None: ...

class Candidate(_message.Message):
    __slots__ = ("completion", "token_offsets")
    COMPLETION_FIELD_NUMBER: _ClassVar[int]
    TOKEN_OFFSETS_FIELD_NUMBER: _ClassVar[int]
    completion: str
    token_offsets: _containers.RepeatedCompositeFieldContainer[ByteRange]
    def __init__(self, completion: _Optional[str] = ..., token_offsets: _Optional[_Iterable[_Union[ByteRange, _Mapping]]] = ...) -> None: ...

class AnalyzeOptions(_message.Message):
    __slots__ = ("weighting", "reward", "skip_localization")
    WEIGHTING_FIELD_NUMBER: _ClassVar[int]
    REWARD_FIELD_NUMBER: _ClassVar[int]
    SKIP_LOCALIZATION_FIELD_NUMBER: _ClassVar[int]
    weighting: str
    reward: str
    skip_localization: bool
    def __init__(self, weighting: _Optional[str] = ..., reward: _Optional[str] = ..., skip_localization: _Optional[bool] = ...) -> None: ...

class AnalyzeRequest(_message.Message):
    __slots__ = ("problem", "problem_ref", "candidates", "options")
    PROBLEM_FIELD_NUMBER: _ClassVar[int]
    PROBLEM_REF_FIELD_NUMBER: _ClassVar[int]
    CANDIDATES_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    problem: Problem
    problem_ref: ProblemRef
    candidates: _containers.RepeatedCompositeFieldContainer[Candidate]
    options: AnalyzeOptions
    def __init__(self, problem: _Optional[_Union[Problem, _Mapping]] = ..., problem_ref: _Optional[_Union[ProblemRef, _Mapping]] = ..., candidates: _Optional[_Iterable[_Union[Candidate, _Mapping]]] = ..., options: _Optional[_Union[AnalyzeOptions, _Mapping]] = ...) -> None: ...

class Divergence(_message.Message):
    __slots__ = ("candidate", "reference", "has_reference", "reason", "kind", "narrowed", "has_narrowed", "narrowed_reference", "has_narrowed_reference", "crash", "has_crash")
    CANDIDATE_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    HAS_REFERENCE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    NARROWED_FIELD_NUMBER: _ClassVar[int]
    HAS_NARROWED_FIELD_NUMBER: _ClassVar[int]
    NARROWED_REFERENCE_FIELD_NUMBER: _ClassVar[int]
    HAS_NARROWED_REFERENCE_FIELD_NUMBER: _ClassVar[int]
    CRASH_FIELD_NUMBER: _ClassVar[int]
    HAS_CRASH_FIELD_NUMBER: _ClassVar[int]
    candidate: _values_pb2.SourceRange
    reference: _values_pb2.SourceRange
    has_reference: bool
    reason: str
    kind: str
    narrowed: _values_pb2.SourceRange
    has_narrowed: bool
    narrowed_reference: _values_pb2.SourceRange
    has_narrowed_reference: bool
    crash: _values_pb2.SourceRange
    has_crash: bool
    def __init__(self, candidate: _Optional[_Union[_values_pb2.SourceRange, _Mapping]] = ..., reference: _Optional[_Union[_values_pb2.SourceRange, _Mapping]] = ..., has_reference: _Optional[bool] = ..., reason: _Optional[str] = ..., kind: _Optional[str] = ..., narrowed: _Optional[_Union[_values_pb2.SourceRange, _Mapping]] = ..., has_narrowed: _Optional[bool] = ..., narrowed_reference: _Optional[_Union[_values_pb2.SourceRange, _Mapping]] = ..., has_narrowed_reference: _Optional[bool] = ..., crash: _Optional[_Union[_values_pb2.SourceRange, _Mapping]] = ..., has_crash: _Optional[bool] = ...) -> None: ...

class Span(_message.Message):
    __slots__ = ("program", "completion")
    PROGRAM_FIELD_NUMBER: _ClassVar[int]
    COMPLETION_FIELD_NUMBER: _ClassVar[int]
    program: ByteRange
    completion: ByteRange
    def __init__(self, program: _Optional[_Union[ByteRange, _Mapping]] = ..., completion: _Optional[_Union[ByteRange, _Mapping]] = ...) -> None: ...

class CandidateResult(_message.Message):
    __slots__ = ("mode", "reward", "tests_passed", "tests_total", "failing_test", "divergence", "has_divergence", "span", "has_span", "token_weights", "constraint_violations", "timings", "narrowed", "has_narrowed", "notes")
    class TimingsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    MODE_FIELD_NUMBER: _ClassVar[int]
    REWARD_FIELD_NUMBER: _ClassVar[int]
    TESTS_PASSED_FIELD_NUMBER: _ClassVar[int]
    TESTS_TOTAL_FIELD_NUMBER: _ClassVar[int]
    FAILING_TEST_FIELD_NUMBER: _ClassVar[int]
    DIVERGENCE_FIELD_NUMBER: _ClassVar[int]
    HAS_DIVERGENCE_FIELD_NUMBER: _ClassVar[int]
    SPAN_FIELD_NUMBER: _ClassVar[int]
    HAS_SPAN_FIELD_NUMBER: _ClassVar[int]
    TOKEN_WEIGHTS_FIELD_NUMBER: _ClassVar[int]
    CONSTRAINT_VIOLATIONS_FIELD_NUMBER: _ClassVar[int]
    TIMINGS_FIELD_NUMBER: _ClassVar[int]
    NARROWED_FIELD_NUMBER: _ClassVar[int]
    HAS_NARROWED_FIELD_NUMBER: _ClassVar[int]
    NOTES_FIELD_NUMBER: _ClassVar[int]
    mode: Mode
    reward: float
    tests_passed: int
    tests_total: int
    failing_test: str
    divergence: Divergence
    has_divergence: bool
    span: Span
    has_span: bool
    token_weights: _containers.RepeatedScalarFieldContainer[float]
    constraint_violations: _containers.RepeatedScalarFieldContainer[str]
    timings: _containers.ScalarMap[str, float]
    narrowed: Span
    has_narrowed: bool
    notes: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, mode: _Optional[_Union[Mode, str]] = ..., reward: _Optional[float] = ..., tests_passed: _Optional[int] = ..., tests_total: _Optional[int] = ..., failing_test: _Optional[str] = ..., divergence: _Optional[_Union[Divergence, _Mapping]] = ..., has_divergence: _Optional[bool] = ..., span: _Optional[_Union[Span, _Mapping]] = ..., has_span: _Optional[bool] = ..., token_weights: _Optional[_Iterable[float]] = ..., constraint_violations: _Optional[_Iterable[str]] = ..., timings: _Optional[_Mapping[str, float]] = ..., narrowed: _Optional[_Union[Span, _Mapping]] = ..., has_narrowed: _Optional[bool] = ..., notes: _Optional[_Iterable[str]] = ...) -> None: ...

class AnalyzeResponse(_message.Message):
    __slots__ = ("task_id", "results")
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    task_id: str
    results: _containers.RepeatedCompositeFieldContainer[CandidateResult]
    def __init__(self, task_id: _Optional[str] = ..., results: _Optional[_Iterable[_Union[CandidateResult, _Mapping]]] = ...) -> None: ...
