"""The program-test checker of the runtime kit (egca_kit.programs.judge): tokens, exact and
float modes, presentation differences, and the short diff of a wrong answer."""

from __future__ import annotations

import pytest

from egca_kit.errors import InvalidRequest
from egca_kit.programs import judge
from egca_kit.v1 import tracer_pb2 as T


def test_tokens_mode_ignores_line_endings_and_trailing_whitespace():
    v = judge(b"3 4\r\n5  \n\n", "3 4\n5\n")
    assert v.status == T.PASS and v.kind == ""


def test_tokens_mode_reports_a_presentation_only_difference_on_a_pass():
    v = judge(b"3\n4\n5\n", "3 4 5\n")
    assert v.status == T.PASS and v.kind == "PresentationDiffers"
    assert "line 1" in v.message and "'3 4 5'" in v.message


def test_wrong_token_names_its_line_and_position():
    v = judge(b"1 2\n3 9\n", "1 2\n3 4\n")
    assert v.status == T.FAIL and v.kind == "WrongAnswer"
    assert v.message == "wrong answer: line 2, token 4: expected '4', got '9'"


def test_missing_and_extra_output():
    short = judge(b"1\n", "1\n2\n")
    assert short.status == T.FAIL and "ends after 1 tokens; expected 2" in short.message and "'2' on line 2" in short.message
    extra = judge(b"1 2 3\n", "1\n")
    assert extra.status == T.FAIL and "2 extra tokens" in extra.message and "'2'" in extra.message
    assert judge(b"", "").status == T.PASS
    assert judge(b"", "0\n").status == T.FAIL


def test_exact_mode_is_byte_for_byte_with_a_presentation_error():
    assert judge(b"a b\n", "a b\n", "exact").status == T.PASS
    v = judge(b"a  b\n", "a b\n", "exact")
    assert v.status == T.FAIL and v.kind == "PresentationError" and "line 1" in v.message
    v = judge(b"a b", "a b\n", "exact")
    assert v.status == T.FAIL and v.kind == "PresentationError"
    assert judge(b"a c\n", "a b\n", "exact").kind == "WrongAnswer"


def test_float_mode_absolute_and_relative_tolerance():
    assert judge(b"0.3333333\n", "0.33333333333\n", "float", 1e-6).status == T.PASS
    assert judge(b"1000000.5\n", "1000000.0\n", "float", 1e-6).status == T.PASS      # relative
    v = judge(b"0.334\n", "0.333333\n", "float", 1e-6)
    assert v.status == T.FAIL and "within 1e-06" in v.message
    assert judge(b"YES 1.0000001\n", "YES 1\n", "float").status == T.PASS          # default tolerance
    assert judge(b"NO 1\n", "YES 1\n", "float").status == T.FAIL                   # words compare as text
    assert judge(b"nan\n", "nan\n", "float").status == T.PASS
    assert judge(b"inf\n", "1e308\n", "float").status == T.FAIL
    # tokens mode never compares numbers as numbers
    assert judge(b"1.0\n", "1\n").status == T.FAIL


def test_long_tokens_are_cut_in_the_message():
    v = judge(b"x" * 500 + b"\n", "y\n")
    assert v.status == T.FAIL and len(v.message) < 200 and "..." in v.message


def test_unknown_mode_is_the_callers_error():
    with pytest.raises(InvalidRequest):
        judge(b"1", "1", "fuzzy")
