"""The C HumanEval set: the shipped JSONL matches its sources and its references really pass."""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from pathlib import Path

import pytest

from egca.problem import Problem

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "egca" / "datasets" / "data" / "humaneval_c.jsonl"


def _builder():
    spec = importlib.util.spec_from_file_location("build_humaneval_c", ROOT / "tools" / "build_humaneval_c.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_jsonl_is_valid_and_sorted():
    lines = DATA.read_text(encoding="utf-8").splitlines()
    problems = [Problem.from_dict(json.loads(line)) for line in lines]
    assert len(problems) >= 60
    numbers = [int(p.task_id.split("/")[1]) for p in problems]
    assert numbers == sorted(set(numbers))
    for p in problems:
        assert p.language == "c" and p.task_id.startswith("C/")
        assert p.prompt.endswith("{\n") and p.reference.rstrip().endswith("}")
        assert p.entry_point and f"{p.entry_point}(" in p.prompt.splitlines()[-1]
        assert [t.id for t in p.tests] == [str(i) for i in range(len(p.tests))]


def test_jsonl_matches_sources():
    b = _builder()
    assert b.render(b.load_all()) == DATA.read_text(encoding="utf-8"), \
        "stale: run .venv/bin/python tools/build_humaneval_c.py"


@pytest.mark.skipif(shutil.which("gcc") is None, reason="gcc not installed")
@pytest.mark.parametrize("number", [10, 25, 107])  # a prompt helper, an out_n array, out-parameters
def test_reference_passes_and_wrong_body_is_rejected(number):
    b = _builder()
    (src,) = b.load_all({number})
    _, failures, _ = b.verify_one(src, shutil.which("gcc"), sanitize=False)
    assert failures == []


@pytest.mark.skipif(shutil.which("gcc") is None, reason="gcc not installed")
def test_verification_catches_a_wrong_reference():
    b = _builder()
    (src,) = b.load_all({13})
    src.reference = src.reference.replace("a % b", "a / b")
    _, failures, _ = b.verify_one(src, shutil.which("gcc"), sanitize=False)
    assert any("reference fails test" in f for f in failures)
