from egca_kit.v1 import values_pb2 as _values_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class TestStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TEST_STATUS_UNSPECIFIED: _ClassVar[TestStatus]
    PASS: _ClassVar[TestStatus]
    FAIL: _ClassVar[TestStatus]
    ERROR: _ClassVar[TestStatus]
    TIMEOUT: _ClassVar[TestStatus]
    NOT_RUN: _ClassVar[TestStatus]

class RunStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RUN_STATUS_UNSPECIFIED: _ClassVar[RunStatus]
    COMPLETED: _ClassVar[RunStatus]
    COMPILE_ERROR: _ClassVar[RunStatus]
    CRASHED: _ClassVar[RunStatus]
    TIMED_OUT: _ClassVar[RunStatus]
TEST_STATUS_UNSPECIFIED: TestStatus
PASS: TestStatus
FAIL: TestStatus
ERROR: TestStatus
TIMEOUT: TestStatus
NOT_RUN: TestStatus
RUN_STATUS_UNSPECIFIED: RunStatus
COMPLETED: RunStatus
COMPILE_ERROR: RunStatus
CRASHED: RunStatus
TIMED_OUT: RunStatus

class InfoRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class InfoResponse(_message.Message):
    __slots__ = ("language", "runtime_version", "language_version", "isolation", "default_limits")
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    RUNTIME_VERSION_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_VERSION_FIELD_NUMBER: _ClassVar[int]
    ISOLATION_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_LIMITS_FIELD_NUMBER: _ClassVar[int]
    language: str
    runtime_version: str
    language_version: str
    isolation: _containers.RepeatedScalarFieldContainer[str]
    default_limits: Limits
    def __init__(self, language: _Optional[str] = ..., runtime_version: _Optional[str] = ..., language_version: _Optional[str] = ..., isolation: _Optional[_Iterable[str]] = ..., default_limits: _Optional[_Union[Limits, _Mapping]] = ...) -> None: ...

class Limits(_message.Message):
    __slots__ = ("timeout_s", "memory_bytes", "max_output_bytes", "max_events", "max_processes", "max_open_files", "max_file_bytes", "cpu_s")
    TIMEOUT_S_FIELD_NUMBER: _ClassVar[int]
    MEMORY_BYTES_FIELD_NUMBER: _ClassVar[int]
    MAX_OUTPUT_BYTES_FIELD_NUMBER: _ClassVar[int]
    MAX_EVENTS_FIELD_NUMBER: _ClassVar[int]
    MAX_PROCESSES_FIELD_NUMBER: _ClassVar[int]
    MAX_OPEN_FILES_FIELD_NUMBER: _ClassVar[int]
    MAX_FILE_BYTES_FIELD_NUMBER: _ClassVar[int]
    CPU_S_FIELD_NUMBER: _ClassVar[int]
    timeout_s: float
    memory_bytes: int
    max_output_bytes: int
    max_events: int
    max_processes: int
    max_open_files: int
    max_file_bytes: int
    cpu_s: float
    def __init__(self, timeout_s: _Optional[float] = ..., memory_bytes: _Optional[int] = ..., max_output_bytes: _Optional[int] = ..., max_events: _Optional[int] = ..., max_processes: _Optional[int] = ..., max_open_files: _Optional[int] = ..., max_file_bytes: _Optional[int] = ..., cpu_s: _Optional[float] = ...) -> None: ...

class TestCase(_message.Message):
    __slots__ = ("id", "code", "stdin", "expected_stdout", "check", "time_limit_s", "memory_bytes")
    ID_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    STDIN_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_STDOUT_FIELD_NUMBER: _ClassVar[int]
    CHECK_FIELD_NUMBER: _ClassVar[int]
    TIME_LIMIT_S_FIELD_NUMBER: _ClassVar[int]
    MEMORY_BYTES_FIELD_NUMBER: _ClassVar[int]
    id: str
    code: str
    stdin: str
    expected_stdout: str
    check: Check
    time_limit_s: float
    memory_bytes: int
    def __init__(self, id: _Optional[str] = ..., code: _Optional[str] = ..., stdin: _Optional[str] = ..., expected_stdout: _Optional[str] = ..., check: _Optional[_Union[Check, _Mapping]] = ..., time_limit_s: _Optional[float] = ..., memory_bytes: _Optional[int] = ...) -> None: ...

class Check(_message.Message):
    __slots__ = ("mode", "float_tol")
    MODE_FIELD_NUMBER: _ClassVar[int]
    FLOAT_TOL_FIELD_NUMBER: _ClassVar[int]
    mode: str
    float_tol: float
    def __init__(self, mode: _Optional[str] = ..., float_tol: _Optional[float] = ...) -> None: ...

class RunRequest(_message.Message):
    __slots__ = ("program", "tests", "limits", "entry_points", "trace_failure")
    PROGRAM_FIELD_NUMBER: _ClassVar[int]
    TESTS_FIELD_NUMBER: _ClassVar[int]
    LIMITS_FIELD_NUMBER: _ClassVar[int]
    ENTRY_POINTS_FIELD_NUMBER: _ClassVar[int]
    TRACE_FAILURE_FIELD_NUMBER: _ClassVar[int]
    program: str
    tests: _containers.RepeatedCompositeFieldContainer[TestCase]
    limits: Limits
    entry_points: _containers.RepeatedScalarFieldContainer[str]
    trace_failure: bool
    def __init__(self, program: _Optional[str] = ..., tests: _Optional[_Iterable[_Union[TestCase, _Mapping]]] = ..., limits: _Optional[_Union[Limits, _Mapping]] = ..., entry_points: _Optional[_Iterable[str]] = ..., trace_failure: _Optional[bool] = ...) -> None: ...

class Diagnostic(_message.Message):
    __slots__ = ("message", "kind", "has_location", "location")
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    HAS_LOCATION_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    message: str
    kind: str
    has_location: bool
    location: _values_pb2.SourceRange
    def __init__(self, message: _Optional[str] = ..., kind: _Optional[str] = ..., has_location: _Optional[bool] = ..., location: _Optional[_Union[_values_pb2.SourceRange, _Mapping]] = ...) -> None: ...

class TestResult(_message.Message):
    __slots__ = ("id", "status", "error", "wall_s")
    ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    WALL_S_FIELD_NUMBER: _ClassVar[int]
    id: str
    status: TestStatus
    error: Diagnostic
    wall_s: float
    def __init__(self, id: _Optional[str] = ..., status: _Optional[_Union[TestStatus, str]] = ..., error: _Optional[_Union[Diagnostic, _Mapping]] = ..., wall_s: _Optional[float] = ...) -> None: ...

class RunResponse(_message.Message):
    __slots__ = ("status", "results", "compile_error", "output", "output_truncated", "wall_s", "failure_trace")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    COMPILE_ERROR_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_TRUNCATED_FIELD_NUMBER: _ClassVar[int]
    WALL_S_FIELD_NUMBER: _ClassVar[int]
    FAILURE_TRACE_FIELD_NUMBER: _ClassVar[int]
    status: RunStatus
    results: _containers.RepeatedCompositeFieldContainer[TestResult]
    compile_error: Diagnostic
    output: str
    output_truncated: bool
    wall_s: float
    failure_trace: FailureTrace
    def __init__(self, status: _Optional[_Union[RunStatus, str]] = ..., results: _Optional[_Iterable[_Union[TestResult, _Mapping]]] = ..., compile_error: _Optional[_Union[Diagnostic, _Mapping]] = ..., output: _Optional[str] = ..., output_truncated: _Optional[bool] = ..., wall_s: _Optional[float] = ..., failure_trace: _Optional[_Union[FailureTrace, _Mapping]] = ...) -> None: ...

class FailureTrace(_message.Message):
    __slots__ = ("test_id", "trace")
    TEST_ID_FIELD_NUMBER: _ClassVar[int]
    TRACE_FIELD_NUMBER: _ClassVar[int]
    test_id: str
    trace: TraceEvents
    def __init__(self, test_id: _Optional[str] = ..., trace: _Optional[_Union[TraceEvents, _Mapping]] = ...) -> None: ...

class TraceRequest(_message.Message):
    __slots__ = ("program", "test", "limits", "compact")
    PROGRAM_FIELD_NUMBER: _ClassVar[int]
    TEST_FIELD_NUMBER: _ClassVar[int]
    LIMITS_FIELD_NUMBER: _ClassVar[int]
    COMPACT_FIELD_NUMBER: _ClassVar[int]
    program: str
    test: TestCase
    limits: Limits
    compact: bool
    def __init__(self, program: _Optional[str] = ..., test: _Optional[_Union[TestCase, _Mapping]] = ..., limits: _Optional[_Union[Limits, _Mapping]] = ..., compact: _Optional[bool] = ...) -> None: ...

class Binding(_message.Message):
    __slots__ = ("name", "value")
    NAME_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    name: str
    value: _values_pb2.Value
    def __init__(self, name: _Optional[str] = ..., value: _Optional[_Union[_values_pb2.Value, _Mapping]] = ...) -> None: ...

class TraceEvents(_message.Message):
    __slots__ = ("events", "lines", "ranges_json")
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    RANGES_JSON_FIELD_NUMBER: _ClassVar[int]
    events: _containers.RepeatedCompositeFieldContainer[TraceEvent]
    lines: _containers.RepeatedScalarFieldContainer[bytes]
    ranges_json: str
    def __init__(self, events: _Optional[_Iterable[_Union[TraceEvent, _Mapping]]] = ..., lines: _Optional[_Iterable[bytes]] = ..., ranges_json: _Optional[str] = ...) -> None: ...

class TraceEvent(_message.Message):
    __slots__ = ("kind", "seq", "range", "function", "frame", "depth", "bindings", "value", "taken", "message", "status", "truncated", "branch_kind")
    class Kind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        KIND_UNSPECIFIED: _ClassVar[TraceEvent.Kind]
        STEP: _ClassVar[TraceEvent.Kind]
        CALL: _ClassVar[TraceEvent.Kind]
        RETURN: _ClassVar[TraceEvent.Kind]
        EXCEPTION: _ClassVar[TraceEvent.Kind]
        BRANCH: _ClassVar[TraceEvent.Kind]
        END: _ClassVar[TraceEvent.Kind]
    KIND_UNSPECIFIED: TraceEvent.Kind
    STEP: TraceEvent.Kind
    CALL: TraceEvent.Kind
    RETURN: TraceEvent.Kind
    EXCEPTION: TraceEvent.Kind
    BRANCH: TraceEvent.Kind
    END: TraceEvent.Kind
    KIND_FIELD_NUMBER: _ClassVar[int]
    SEQ_FIELD_NUMBER: _ClassVar[int]
    RANGE_FIELD_NUMBER: _ClassVar[int]
    FUNCTION_FIELD_NUMBER: _ClassVar[int]
    FRAME_FIELD_NUMBER: _ClassVar[int]
    DEPTH_FIELD_NUMBER: _ClassVar[int]
    BINDINGS_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    TAKEN_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    TRUNCATED_FIELD_NUMBER: _ClassVar[int]
    BRANCH_KIND_FIELD_NUMBER: _ClassVar[int]
    kind: TraceEvent.Kind
    seq: int
    range: _values_pb2.SourceRange
    function: str
    frame: int
    depth: int
    bindings: _containers.RepeatedCompositeFieldContainer[Binding]
    value: _values_pb2.Value
    taken: bool
    message: str
    status: TestStatus
    truncated: bool
    branch_kind: str
    def __init__(self, kind: _Optional[_Union[TraceEvent.Kind, str]] = ..., seq: _Optional[int] = ..., range: _Optional[_Union[_values_pb2.SourceRange, _Mapping]] = ..., function: _Optional[str] = ..., frame: _Optional[int] = ..., depth: _Optional[int] = ..., bindings: _Optional[_Iterable[_Union[Binding, _Mapping]]] = ..., value: _Optional[_Union[_values_pb2.Value, _Mapping]] = ..., taken: _Optional[bool] = ..., message: _Optional[str] = ..., status: _Optional[_Union[TestStatus, str]] = ..., truncated: _Optional[bool] = ..., branch_kind: _Optional[str] = ...) -> None: ...
