"""Training problems that are in an evaluation set (HumanEval and its ports, MBPP's test split):
found by task id and by normalised prompt/reference text, reported in one warning line (also by
the trainer itself), and left out on request; MBPP's official split by task id."""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

import pytest

from egca import datasets
from egca.train.data import (EVAL_FAMILY, MBPP_TEST, find_eval_overlap, installed_eval_sets, mbpp_split,
                             normalise_text, problems_from_config, warn_eval_overlap)

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "formats"
TRAIN_FILES = sorted((ROOT / "examples" / "data").glob("train-*.jsonl"))


def test_mbpp_split_follows_the_released_division_by_task_id():
    assert [mbpp_split(f"Mbpp/{n}") for n in (1, 10, 11, 510, 511, 600, 601, 974)] == \
        ["prompt", "prompt", "test", "test", "validation", "validation", "train", "train"]
    assert mbpp_split("Mbpp/975") is None and mbpp_split("HumanEval/3") is None
    # The shipped sanitized file holds train ids: MBPP's train split is a source that is no evaluation set.
    train = problems_from_config({"datasets": [{"name": "mbpp", "split": "train"}], "interleave": False})
    assert len(train) == 120
    assert all(601 <= int(p.task_id.split("/")[1]) <= 974 for p in train)
    with pytest.raises(ValueError, match="no official split"):
        problems_from_config({"datasets": [{"name": "humaneval", "split": "train"}]})


def test_overlap_by_task_id_and_by_normalised_text():
    he = datasets.get("humaneval", "HumanEval/0")
    js = datasets.get("humaneval-js", "JavaScript/3")
    mbpp_test = datasets.get("mbpp", "Mbpp/11")
    # The same MBPP test problem under another id, re-indented and with other comment marks:
    # only the text finds it.
    copy = dataclasses.replace(mbpp_test, task_id="mine/remove-occ",
                               prompt=mbpp_test.prompt.replace("# ", "// ").replace("\n", "\r\n"),
                               reference=mbpp_test.reference.replace("    ", "\t"))
    # A HumanEval task id on an unrelated problem: only the id finds it.
    renamed = dataclasses.replace(datasets.get("mbpp", "Mbpp/602"), task_id="HumanEval/7")
    clean = [datasets.get("mbpp", "Mbpp/603")]
    for path in TRAIN_FILES:
        clean.extend(datasets.load_file(path))
    overlap = find_eval_overlap([he, js, copy, renamed, *clean])
    assert overlap.total == 4 + len(clean)
    assert overlap.task_ids == sorted(["HumanEval/0", "JavaScript/3", "mine/remove-occ", "HumanEval/7"])
    assert overlap.by_id == {"HumanEval/0", "JavaScript/3", "HumanEval/7"}
    assert overlap.by_text == {"HumanEval/0", "JavaScript/3", "mine/remove-occ"}
    assert overlap.by_set == {"humaneval": ["HumanEval/0", "HumanEval/7"], "humaneval-js": ["JavaScript/3"],
                              MBPP_TEST: ["mine/remove-occ"]}
    # EGCA's own training files and MBPP's train split (but for one cross-split duplicate) are clean.
    assert find_eval_overlap(clean).message() is None
    assert normalise_text("  # Return x\r\n//  and Y;") == "return x and y"


def test_every_port_of_humaneval_is_checked_when_its_adapter_is_installed():
    installed = installed_eval_sets()
    assert {"humaneval", "humaneval-js", "humaneval-c", MBPP_TEST} <= set(installed)
    known = datasets.list_datasets()
    assert set(installed) == {s for s in known if s == EVAL_FAMILY or s.startswith(EVAL_FAMILY + "-")} | {MBPP_TEST}
    for name in ("humaneval-cpp", "humaneval-java"):
        if name in installed:
            first = datasets.load(name)[0]
            assert find_eval_overlap([first]).by_set == {name: [first.task_id]}


def test_an_imported_humaneval_file_is_found_by_text_and_id():
    # tests/fixtures/formats/humaneval.jsonl: HumanEval rows in the upstream layout, read by load_file.
    problems = datasets.load_file(FIXTURES / "humaneval.jsonl")
    overlap = find_eval_overlap(problems)
    assert "humaneval" in overlap.by_set
    assert {p.task_id for p in problems if p.task_id.startswith("HumanEval/")} <= set(overlap.task_ids)


def test_one_warning_line_naming_how_many_and_which_sets(caplog):
    problems = [datasets.get("humaneval", "HumanEval/0"), datasets.get("humaneval", "HumanEval/1"),
                datasets.get("mbpp", "Mbpp/11"), datasets.get("mbpp", "Mbpp/602")]
    with caplog.at_level(logging.WARNING, logger="egca.train"):
        warn_eval_overlap(problems)
    lines = [r.getMessage() for r in caplog.records if r.name == "egca.train"]
    assert len(lines) == 1 and "\n" not in lines[0]
    line = lines[0]
    assert line.startswith("warning: 3 of 4 training problems are in evaluation sets: ")
    assert "humaneval (2)" in line and "mbpp-test (1)" in line
    assert "3 by task id, 3 by normalised prompt/reference text" in line
    assert "Mbpp/602" not in line
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="egca.train"):
        warn_eval_overlap([datasets.get("mbpp", "Mbpp/602")])
    assert not [r for r in caplog.records if r.name == "egca.train"]


def test_the_trainer_warns_and_exclude_eval_overlap_leaves_them_out(tmp_path, caplog):
    from egca.engine import Engine
    from egca.train.config import EGCATrainConfig
    from egca.train.data import build_dataset
    from egca.train.tiny import build_tiny
    from egca.train.trainer import EGCATrainer

    problems = [datasets.get("humaneval", "HumanEval/2"), datasets.get("mbpp", "Mbpp/602")]
    model = build_tiny(tmp_path / "model", datasets=("humaneval",), vocab_size=300)
    dataset, by_id = build_dataset(problems)
    engine = Engine()   # starts no runtime until asked for an analysis
    try:
        for check in (True, False):
            caplog.clear()
            args = EGCATrainConfig(output_dir=str(tmp_path / "out"), use_cpu=True, bf16=False, report_to="none",
                                   num_generations=2, per_device_train_batch_size=2, max_completion_length=8,
                                   gradient_checkpointing=None, activation_checkpointing=False,
                                   check_eval_overlap=check)
            with caplog.at_level(logging.WARNING, logger="egca.train"):
                EGCATrainer(model=str(model), args=args, train_dataset=dataset, problems=by_id, engine=engine)
            lines = [r.getMessage() for r in caplog.records if r.name == "egca.train"]
            if check:
                assert len(lines) == 1 and "1 of 2 training problems" in lines[0] and "humaneval (1)" in lines[0]
            else:
                assert lines == []
    finally:
        engine.close()
    # The data section can leave them out instead (before `limit`): Mbpp/608 is MBPP test's Mbpp/67.
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="egca.train"):
        got = problems_from_config({"datasets": [{"name": "mbpp", "split": "train", "limit": 8}],
                                    "exclude_eval_overlap": True})
    assert len(got) == 8 and "Mbpp/608" not in {p.task_id for p in got}
    assert any("Mbpp/608" in r.getMessage() and "left out" in r.getMessage() for r in caplog.records)
    assert find_eval_overlap(got).message() is None
