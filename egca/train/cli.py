"""`egca train --config FILE`: EGCA-GRPO training from a YAML file.

    model:
      path: runs/tiny-cpu/model      # any local HF model directory, loaded by path
      build_tiny: true               # build the tiny Qwen2 + BPE tokenizer there if it is missing
      warm_start_steps: 150          # tiny model only: LM steps on the problems' programs first
    data:                            # egca.train.data.problems_from_config (docs/TRAINING.md)
      datasets: [humaneval]          # built-in datasets (`egca datasets`), or {name: mbpp, split: train}
      files: [my/problems.jsonl]     # optional: files in any problem format (egca.datasets.load_file)
      limit: 4                       # first N problems of each, or `tasks: [HumanEval/0, ...]`
    train:                           # EGCATrainConfig: every trl.GRPOConfig field + the EGCA fields
      preset: paper                  # optional: PAPER_PRESET under the values given here
      method: egca                   # egca | grpo
      reward_funcs: [egca]           # optional: "egca" (the engine), "pkg.module:function", or a reward model
      reward_weights: [1.0]          # optional: one per reward function (TRL's)
      output_dir: runs/tiny-cpu/out
      ...

`--set section.key=value` overrides one setting (the value is read as YAML).
Relative paths are relative to the working directory. The final model and
tokenizer are saved to `train.output_dir` (a directory `transformers` loads).
Exit codes: 0 done, 2 bad config or input, 3 infrastructure failure.

The parser is this sectioned YAML + `--set` rather than TRL's `TrlParser`:
TrlParser maps one flat file onto dataclasses, while a run here also needs the
model-building and problem-selection settings that are no GRPOConfig fields.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from dataclasses import fields
from pathlib import Path
from typing import Any

import yaml

from egca.errors import EgcaError, InfrastructureError

SECTIONS = ("model", "data", "train")
EXIT_INVALID, EXIT_INFRA = 2, 3


def load_config(path: str | Path, overrides: list[str] = ()) -> dict[str, Any]:
    """The YAML file as a dict of sections, with `section.key=value` overrides (values parsed as YAML)."""
    p = Path(path)
    try:
        cfg = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise ValueError(f"config file not found: {p}") from None
    except yaml.YAMLError as e:
        raise ValueError(f"config file {p} is not valid YAML: {e}") from None
    if not isinstance(cfg, dict):
        raise ValueError(f"config file {p} must be a mapping with sections {', '.join(SECTIONS)}")
    unknown = set(cfg) - set(SECTIONS)
    if unknown:
        raise ValueError(f"unknown section(s) in {p}: {', '.join(sorted(unknown))} (known: {', '.join(SECTIONS)})")
    for item in overrides:
        key, sep, value = item.partition("=")
        section, dot, name = key.partition(".")
        if not sep or not dot or section not in SECTIONS:
            raise ValueError(f"override {item!r} must look like section.key=value with section in {SECTIONS}")
        cfg.setdefault(section, {})[name] = yaml.safe_load(value)
    return cfg


def resolve_reward_funcs(names) -> list | None:
    """`train.reward_funcs` entries: "egca" (the engine's reward), "pkg.module:function" (a
    reward function to import), a function of `trl.rewards` by name, or anything else
    TRL accepts as a string (a reward model's path)."""
    if names is None:
        return None
    if isinstance(names, str):
        names = [names]
    import importlib
    out = []
    for name in names:
        if not isinstance(name, str):
            raise ValueError(f"train.reward_funcs entries must be strings, got {name!r}")
        if name == "egca":
            out.append(name)
        elif ":" in name:
            module, _, attr = name.partition(":")
            try:
                out.append(getattr(importlib.import_module(module), attr))
            except (ImportError, AttributeError) as e:
                raise ValueError(f"reward function {name!r} cannot be imported: {e}") from None
        else:
            try:
                import trl.rewards as trl_rewards
            except ImportError:
                trl_rewards = None
            out.append(getattr(trl_rewards, name, None) if trl_rewards and callable(getattr(trl_rewards, name, None))
                       else name)
    return out


def build_train_config(train: dict[str, Any]):
    from egca.train.config import EGCATrainConfig
    train = dict(train)
    train.pop("reward_funcs", None)
    preset = train.pop("preset", None)
    known = {f.name for f in fields(EGCATrainConfig)}
    unknown = sorted(set(train) - known)
    if unknown:
        raise ValueError(f"unknown train setting(s): {', '.join(unknown)} (see EGCATrainConfig / trl.GRPOConfig)")
    if "output_dir" not in train:
        raise ValueError("train.output_dir is required")
    return EGCATrainConfig.from_preset(preset, **train)


def prepare_model_dir(model: dict[str, Any], datasets: list[str], problems=(), args=None) -> Path:
    if "path" not in (model or {}):
        raise ValueError("model.path is required (a local Hugging Face model directory)")
    path = Path(model["path"])
    if not (path / "config.json").is_file():
        if not model.get("build_tiny"):
            raise ValueError(f"model.path {path} is not a model directory (no config.json); "
                             "set model.build_tiny: true to build the tiny example model there")
        from egca.train.tiny import build_tiny
        tiny = {k: model[k] for k in ("vocab_size", "hidden_size", "num_layers", "seed", "warm_start_steps")
                if k in model}
        # Several training processes (accelerate launch): the main one builds, the others wait and load.
        import contextlib
        guard = args.main_process_first(local=True, desc="tiny model") if args is not None else contextlib.nullcontext()
        with guard:
            if not (path / "config.json").is_file():
                print(f"building the tiny model and tokenizer in {path}", file=sys.stderr)
                # Warm start (toy only): a few LM steps on the training problems' programs, so samples parse.
                texts = [p.prompt + p.reference for p in problems] or None
                build_tiny(path, datasets=model.get("tokenizer_datasets", datasets), warm_start_texts=texts,
                           extra_corpus=texts, **tiny)
    return path


def build_trainer(cfg: dict[str, Any], engine=None):
    """Model, data and an `EGCATrainer` from a loaded config (`engine`: share a backend between runs)."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from egca.train.data import (build_dataset, check_program_support, dataset_names, interleave_languages,
                                 problems_from_config)
    from egca.train.trainer import EGCATrainer

    train = cfg.get("train") or {}
    args = build_train_config(train)
    reward_funcs = resolve_reward_funcs(train.get("reward_funcs"))
    data = cfg.get("data") or {}
    problems = problems_from_config(data)
    model_dir = prepare_model_dir(cfg.get("model") or {}, dataset_names(data), problems, args)
    tokenizer = AutoTokenizer.from_pretrained(model_dir, local_files_only=True)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    model = AutoModelForCausalLM.from_pretrained(model_dir, local_files_only=True)
    owned = None
    if engine is None and any(p.kind == "program" for p in problems):
        # Whole-program problems: check that each language's runtime runs them (one reference each).
        from egca.train.reward import make_backend
        engine = owned = make_backend(args.engine_address, args.runtimes)
    try:
        if any(p.kind == "program" for p in problems):
            problems, notes = check_program_support(engine, problems)
            for note in notes:
                logging.getLogger("egca.train").warning("warning: %s", note)
            if data.get("interleave", True):
                problems = interleave_languages(problems)   # spread again without the ones left out
        dataset, by_id = build_dataset(problems, args.prompt_style, args.inject_constraints)
        trainer = EGCATrainer(model=model, args=args, train_dataset=dataset, problems=by_id, engine=engine,
                              processing_class=tokenizer, reward_funcs=reward_funcs)
    except BaseException:
        if owned is not None:
            owned.close()
        raise
    if owned is not None:
        trainer._owns_engine = True   # the trainer closes the engine made for it, as one it made itself
    return trainer


def run_from_config(path: str | Path, overrides: list[str] = ()) -> Path | None:
    """Train as the YAML file says; returns the directory of the saved model (None in the
    non-main processes of a multi-process run: the main process saves)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")   # local paths only: never reach for the Hub
    cfg = load_config(path, overrides)
    with build_trainer(cfg) as trainer:
        trainer.train()
        out = Path(trainer.args.output_dir)
        trainer.save_model(str(out))   # collective: every process takes part, the main one writes
        if not trainer.accelerator.is_main_process:
            return None
        trainer.processing_class.save_pretrained(str(out))
    return out


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """`egca train`'s options (shared by `egca train` and running the `egca.train.cli` module)."""
    parser.add_argument("--config", required=True, help="YAML file with model/data/train sections")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="SECTION.KEY=VALUE",
                        help="override one setting, e.g. --set train.max_steps=2 (repeatable; the value is YAML)")


def run_args(args: argparse.Namespace) -> int:
    try:
        out = run_from_config(args.config, args.overrides)
    except InfrastructureError as e:
        print(f"egca train: infrastructure error (not the model's fault): {e}", file=sys.stderr)
        return EXIT_INFRA
    except (EgcaError, ValueError) as e:
        print(f"egca train: {e}", file=sys.stderr)
        return EXIT_INVALID
    if out is not None:
        print(f"model saved to {out}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="egca train", description="EGCA-GRPO training (TRL) from a YAML config. "
                                     "Exit codes: 2 bad config or input, 3 infrastructure failure.")
    add_arguments(parser)
    return run_args(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
