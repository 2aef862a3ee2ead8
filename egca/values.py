"""Turn wire `Value`s into hashable canonical in-memory values, and back into text.

The engine compares values across languages, so the canonical form erases
what no test can tell apart (a tuple and a list, 2 and 2.0) and keeps what
matters (True is not 1, "1" is not 1).
"""

from __future__ import annotations

import math
from typing import Any

from egca_kit.v1 import values_pb2

# Floats are compared after rounding to this many significant digits: enough to
# tell wrong arithmetic from right, tolerant of summation-order noise.
FLOAT_DIGITS = 9


class Tagged(tuple):
    """A canonical non-scalar value: (tag, payload...). Hashable, comparable by ==."""

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return display(self)


def _tag(*parts: Any) -> Tagged:
    return Tagged(parts)


def canonical(v: values_pb2.Value) -> Any:
    kind = v.WhichOneof("kind")
    if kind is None or kind == "null_value":
        return None
    if kind == "bool_value":
        return _tag("bool", v.bool_value)
    if kind == "int_value":
        try:
            return int(v.int_value)
        except ValueError:
            return _tag("opaque", v.int_value)
    if kind == "float_value":
        return canonical_float(v.float_value)
    if kind == "str_value":
        return v.str_value
    if kind == "bytes_value":
        return _tag("bytes", v.bytes_value)
    if kind == "list_value":
        return _tag("list", tuple(canonical(i) for i in v.list_value.items), v.list_value.length if v.truncated else -1)
    if kind == "map_value":
        entries = [(canonical(e.key), canonical(e.value)) for e in v.map_value.entries]
        return _tag("map", tuple(sorted(entries, key=repr)))
    if kind == "object_value":
        return _tag("obj", v.object_value.type_name,
                    tuple((f.name, canonical(f.value)) for f in v.object_value.fields))
    return _tag("opaque", v.opaque)


def canonical_float(x: float) -> Any:
    if math.isnan(x):
        return _tag("float", "nan")
    if math.isinf(x):
        return _tag("float", "inf" if x > 0 else "-inf")
    if x == int(x) and abs(x) < 2**53:
        return int(x)
    return float(f"{x:.{FLOAT_DIGITS}g}")


def display(c: Any, limit: int = 60) -> str:
    """A short, readable rendering of a canonical value for reasons and reports."""
    text = _display(c)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _display(c: Any) -> str:
    if c is None:
        return "null"
    if isinstance(c, Tagged):
        tag = c[0]
        if tag == "bool":
            return "true" if c[1] else "false"
        if tag == "list":
            more = ", ..." if c[2] >= 0 else ""
            return "[" + ", ".join(_display(i) for i in c[1]) + more + "]"
        if tag == "map":
            return "{" + ", ".join(f"{_display(k)}: {_display(v)}" for k, v in c[1]) + "}"
        if tag == "obj":
            return c[1] + "(" + ", ".join(f"{n}={_display(v)}" for n, v in c[2]) + ")"
        if tag == "bytes":
            return repr(c[1])
        return str(c[1])
    if isinstance(c, str):
        return repr(c)
    return repr(c)


def to_value(obj: Any, *, max_items: int = 64, depth: int = 4) -> values_pb2.Value:
    """Encode a plain object (None, bool, int, float, str, bytes, list, tuple, dict) as a wire
    Value (used by runtimes that run in this interpreter, and by tests)."""
    v = values_pb2.Value()
    if obj is None:
        v.null_value = True
    elif isinstance(obj, bool):
        v.bool_value = obj
    elif isinstance(obj, int):
        v.int_value = str(obj)
    elif isinstance(obj, float):
        v.float_value = obj
    elif isinstance(obj, str):
        v.str_value = obj
    elif isinstance(obj, (bytes, bytearray)):
        v.bytes_value = bytes(obj)
    elif isinstance(obj, (list, tuple)) and depth > 0:
        v.list_value.type_name = type(obj).__name__
        v.list_value.length = len(obj)
        for item in obj[:max_items]:
            v.list_value.items.append(to_value(item, max_items=max_items, depth=depth - 1))
        v.truncated = len(obj) > max_items
    elif isinstance(obj, dict) and depth > 0:
        v.map_value.type_name = type(obj).__name__
        v.map_value.length = len(obj)
        for k, val in list(obj.items())[:max_items]:
            e = v.map_value.entries.add()
            e.key.CopyFrom(to_value(k, max_items=max_items, depth=depth - 1))
            e.value.CopyFrom(to_value(val, max_items=max_items, depth=depth - 1))
        v.truncated = len(obj) > max_items
    else:
        v.opaque = f"<{type(obj).__name__}>"
    return v
