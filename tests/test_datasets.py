"""The built-in dataset registry (egca.datasets) with the installed Python adapter."""

import gzip
import json

import pytest

import egca.datasets as datasets
from egca.errors import InvalidInput
from egca.problem import Problem


def test_shipped_files_are_there():
    for name in ("HumanEval.jsonl.gz", "mbpp_sanitized.jsonl.gz", "humaneval_js.jsonl.gz", "humaneval_cpp.jsonl.gz"):
        with datasets.data_path(name).open("rb") as raw, gzip.open(raw, "rt") as f:
            assert json.loads(f.readline())["task_id"]


def test_missing_file_is_a_clear_error():
    with pytest.raises(Exception, match="nope.jsonl.gz is missing"):
        datasets.data_path("nope.jsonl.gz")


def test_list_datasets_asks_the_adapters():
    found = datasets.list_datasets()
    assert found["humaneval"][0] == "python" and "164" in found["humaneval"][1]
    assert found["mbpp"][0] == "python" and "427" in found["mbpp"][1]


def test_sizes_and_ids():
    humaneval, mbpp = datasets.load("humaneval"), datasets.load("mbpp")
    assert len(humaneval) == 164 and len(mbpp) == 427
    assert [p.task_id for p in humaneval[:2]] == ["HumanEval/0", "HumanEval/1"]
    assert mbpp[0].task_id == "Mbpp/2"
    assert all(isinstance(p, Problem) and p.language == "python" and p.tests for p in humaneval + mbpp)
    assert len({p.task_id for p in mbpp}) == 427


def test_load_returns_a_copy_of_the_cache():
    first = datasets.load("humaneval")
    first.clear()
    assert len(datasets.load("humaneval")) == 164


def test_get_one_problem_round_trips_through_json():
    p = datasets.get("humaneval", "HumanEval/0")
    assert p.entry_point == "has_close_elements"
    assert Problem.from_dict(json.loads(json.dumps(p.to_dict()))) == p


def test_unknown_dataset_names_the_known_ones():
    with pytest.raises(InvalidInput, match=r"unknown dataset 'nope' \(known: .*humaneval.*mbpp"):
        datasets.load("nope")
    with pytest.raises(InvalidInput, match="unknown dataset 'nope'"):
        datasets.get("nope", "HumanEval/0")


def test_unknown_task():
    with pytest.raises(InvalidInput, match="unknown task 'HumanEval/999' in dataset 'humaneval'"):
        datasets.get("humaneval", "HumanEval/999")
