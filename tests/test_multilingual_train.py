"""The multilingual training run (examples/multilingual-cpu.yaml): EGCA's own training files
(every reference passes, function and whole-program problems per language), the data section's
datasets-with-split and files, per-language figures through TRL's `log_metric` hook, and a
bounded `egca train` run of the example (2 steps, short completions) whose logs show them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from egca import datasets
from egca.plugin import available_adapters
from egca.train.data import interleave_languages, problems_from_config
from tests.torch_threads import one_torch_thread  # noqa: F401 - the module's autouse fixture

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "multilingual-cpu.yaml"
TRAIN_FILES = {p.stem.removeprefix("train-"): p for p in sorted((ROOT / "examples" / "data").glob("train-*.jsonl"))}
LANGUAGES = sorted(set(TRAIN_FILES) & set(available_adapters()))


def test_the_training_files_have_function_and_program_problems_per_language():
    assert {"python", "javascript", "c", "cpp", "java"} <= set(TRAIN_FILES)
    assert {"python", "javascript", "c"} <= set(LANGUAGES)
    for language, path in TRAIN_FILES.items():
        problems = datasets.load_file(path, strict=True)
        assert len(problems) >= 8
        assert {p.language for p in problems} == {language}
        assert {p.kind for p in problems} == {"function", "program"}
        assert all(p.task_id.startswith(f"Train/{language}/") and p.has_reference for p in problems)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_reference_of_the_training_files_passes(engine, language):
    """Through the real runtime: function references on their test code, program references on
    their stdin/stdout tests (where the language's runtime runs program tests: C++ and Java
    runtimes add them on their own; tests/test_multilingual_train.py's run leaves them out until then)."""
    from egca.train.data import check_program_support
    problems = datasets.load_file(TRAIN_FILES[language])
    runnable, notes = check_program_support(engine, problems)
    assert {p.kind for p in runnable} >= {"function"}
    if language in ("python", "javascript", "c"):
        assert runnable == problems and notes == []
    for problem in runnable:
        result = engine.analyze(problem, [problem.reference], localize=False)[0]
        assert (result.mode, result.reward) == ("correct", 1.0), (problem.task_id, result.to_dict())


def test_data_section_mixes_datasets_with_a_split_and_files():
    files = [str(TRAIN_FILES[lang]) for lang in ("python", "javascript", "c")]
    problems = problems_from_config({"datasets": [{"name": "mbpp", "split": "train", "limit": 4}],
                                     "files": files})
    languages = [p.language for p in problems]
    assert languages.count("python") == 4 + 8 and languages.count("javascript") == 8 and languages.count("c") == 8
    # Interleaved: the first prompts of a run already cover every language.
    assert set(languages[:3]) == {"python", "javascript", "c"}
    assert [p.task_id for p in problems if p.task_id.startswith("Mbpp/")] == ["Mbpp/602", "Mbpp/603", "Mbpp/604",
                                                                               "Mbpp/605"]
    # A per-file limit and format, and one line for a file that is not there.
    two = problems_from_config({"files": [{"path": str(TRAIN_FILES["c"]), "limit": 2, "format": "egca"}]})
    assert [p.task_id for p in two] == ["Train/c/sum_list", "Train/c/count_digits"]
    with pytest.raises(ValueError, match="not found|no such file|No such file"):
        problems_from_config({"files": [str(ROOT / "no-such-file.jsonl")]})
    with pytest.raises(ValueError, match="unknown data setting"):
        problems_from_config({"file": files})
    # The old form still works: datasets by name, a limit each, or task ids.
    assert [p.task_id for p in problems_from_config({"datasets": ["humaneval"], "tasks": ["HumanEval/3"]})] == \
        ["HumanEval/3"]
    assert len(problems_from_config({"datasets": ["humaneval", "humaneval-js"], "limit": 2})) == 4


def test_interleave_keeps_each_languages_order_and_proportion():
    py = [datasets.get("humaneval", f"HumanEval/{i}") for i in range(4)]
    js = [datasets.get("humaneval-js", f"JavaScript/{i}") for i in range(2)]
    got = [p.task_id for p in interleave_languages(py + js)]
    # The k-th of a language's n at (k + 1/2) / n: Python at 1/8, 3/8, 5/8, 7/8; JavaScript at 1/4, 3/4.
    assert got == ["HumanEval/0", "JavaScript/0", "HumanEval/1", "HumanEval/2", "JavaScript/1", "HumanEval/3"]


def test_per_language_metrics_through_trls_log_metric_hook(engine):
    """EngineReward reports, per language of the batch, the share of each mode and the mean
    reward, through the `log_metric` keyword TRL hands reward functions."""
    from egca.train.reward import LOGGED_MODES, EngineReward
    from egca.train.tiny import build_tokenizer

    py = datasets.load_file(TRAIN_FILES["python"])
    js = datasets.load_file(TRAIN_FILES["javascript"])
    p_fn = next(p for p in py if p.task_id == "Train/python/count_digits")
    j_fn = next(p for p in js if p.task_id == "Train/javascript/count_digits")
    problems = {p.task_id: p for p in (p_fn, j_fn)}
    tok = build_tokenizer([p.prompt + p.reference for p in problems.values()], vocab_size=300)
    wrong = p_fn.reference.replace("count += 1", "count += 2")   # a logic error
    completions = [p_fn.reference, wrong, wrong, j_fn.reference]
    task_ids = [p_fn.task_id, p_fn.task_id, p_fn.task_id, j_fn.task_id]
    ids = [tok(c, add_special_tokens=False)["input_ids"] for c in completions]
    reward = EngineReward(engine, problems, tokenizer=tok)
    logged: dict[str, list[float]] = {}
    rewards = reward(prompts=[problems[t].prompt for t in task_ids], completions=completions, completion_ids=ids,
                     task_id=task_ids, log_metric=lambda name, value: logged.setdefault(name, []).append(value))
    assert rewards == [1.0, 0.0, 0.0, 1.0]
    assert all(len(v) == 1 for v in logged.values())
    got = {k: v[0] for k, v in logged.items()}
    assert got["egca/python/reward"] == pytest.approx(1 / 3)
    assert got["egca/python/frac_correct"] == pytest.approx(1 / 3)
    assert got["egca/python/frac_logic"] == pytest.approx(2 / 3)
    assert got["egca/python/count"] == 3.0
    assert got["egca/javascript/reward"] == 1.0 and got["egca/javascript/frac_correct"] == 1.0
    assert got["egca/javascript/count"] == 1.0
    for language in ("python", "javascript"):
        assert sum(got[f"egca/{language}/frac_{m}"] for m in LOGGED_MODES) == pytest.approx(1.0)
    # The batch-wide figures are still there, and no language that was not in the batch.
    assert got["egca/frac_correct"] == pytest.approx(0.5)
    assert not [k for k in got if k.startswith("egca/c/")]


def test_egca_train_runs_the_multilingual_example(tmp_path, capsys, monkeypatch):
    """`egca train --config examples/multilingual-cpu.yaml` for 2 steps with short completions:
    every installed language's figures are in TRL's logs, the analyses cover every language and
    whole-program problems, and the checkpoint is saved."""
    from egca.cli import main
    monkeypatch.chdir(ROOT)   # the example's data paths are relative to the repository
    out = tmp_path / "out"
    rc = main(["train", "--config", str(EXAMPLE), "--set", f"model.path={tmp_path / 'model'}",
               "--set", "model.vocab_size=384", "--set", "model.warm_start_steps=10",
               "--set", f"train.output_dir={out}", "--set", "train.max_steps=2",
               "--set", "train.max_completion_length=24", "--set", "train.analyses_log=true"])
    captured = capsys.readouterr()
    assert rc == 0, captured.err[-3000:]
    logs = captured.out + captured.err
    for language in LANGUAGES:
        for name in ("reward", "frac_logic", "frac_correct", "count"):
            assert f"egca/{language}/{name}" in logs, (language, name)
    assert "training problems are in evaluation sets" not in logs   # the example's data is no evaluation set
    records = [json.loads(line) for line in (out / "analyses.jsonl").read_text().splitlines()]
    assert {r["language"] for r in records} == set(LANGUAGES)
    programs = {p.task_id for path in TRAIN_FILES.values() for p in datasets.load_file(path) if p.kind == "program"}
    assert {r["language"] for r in records if r["task_id"] in programs} >= {"javascript", "c"}
    assert (out / "config.json").is_file()
