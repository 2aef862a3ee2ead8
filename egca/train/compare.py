"""Step time of EGCA vs GRPO on the same model and data, and where EGCA's extra time goes.

    .venv/bin/python -m egca.train.compare --config examples/tiny-cpu.yaml [--steps 6]

Both runs share one engine (runtimes started once, reference traces cached by
the first run, as in a long training run) and start from the same weights and
seed. The first step of each run is warm-up and left out of the means. The
engine stages come from Analysis.timings summed over a step's candidates
(`gate`, `run`: what a reward needs; `trace`, `align`, `span`: what EGCA adds;
the stage sums exceed wall time when the engine runs candidates in parallel).
With `method: grpo` the engine computes the reward only (no traces), so the
ratio compares EGCA with a GRPO that pays for its reward path alone.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys

LOCALIZE_STAGES = ("trace", "align", "span")


def _per_step(trainer) -> list[dict[str, float]]:
    return [e for e in trainer.state.log_history if "step_time" in e]


def run_one(cfg: dict, method: str, steps: int, engine) -> dict[str, float]:
    from egca.train.cli import build_trainer
    cfg = {s: dict(v or {}) for s, v in cfg.items()}
    cfg["train"].update(method=method, max_steps=steps, logging_steps=1, save_strategy="no", report_to="none")
    cfg["train"]["output_dir"] = os.path.join(cfg["train"].get("output_dir", "runs/compare"), f"compare-{method}")
    trainer = build_trainer(cfg, engine=engine)
    trainer.train()
    rows = _per_step(trainer)[1:] or _per_step(trainer)   # drop the warm-up step
    keys = sorted({k for r in rows for k in r if k.startswith("egca/") or k in ("step_time", "reward")})
    return {k: statistics.fmean(r[k] for r in rows if k in r) for k in keys} | {"steps_measured": len(rows)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", required=True)
    parser.add_argument("--steps", type=int, default=6, help="steps per method (the first is warm-up)")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="SECTION.KEY=VALUE")
    parser.add_argument("--json", action="store_true", help="print the numbers as one JSON object")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    from egca.train.cli import load_config
    from egca.train.reward import make_backend
    cfg = load_config(args.config, args.overrides)
    train = cfg.get("train") or {}
    engine = make_backend(train.get("engine_address"), train.get("runtimes"))
    try:
        results = {m: run_one(cfg, m, args.steps, engine) for m in ("grpo", "egca")}
    finally:
        engine.close()
    g, e = results["grpo"], results["egca"]
    localize = sum(e.get(f"egca/engine_stage_s/{s}", 0.0) for s in LOCALIZE_STAGES)
    summary = {"grpo": g, "egca": e, "ratio_egca_over_grpo": e["step_time"] / g["step_time"],
               "egca_localize_s_per_step": localize}
    if args.json:
        print(json.dumps(summary, indent=2))
        return 0
    print(f"{'metric':40s} {'grpo':>10s} {'egca':>10s}")
    for k in sorted(set(g) | set(e)):
        print(f"{k:40s} {g.get(k, float('nan')):10.4f} {e.get(k, float('nan')):10.4f}")
    print(f"step time ratio egca/grpo: {summary['ratio_egca_over_grpo']:.3f}")
    print(f"EGCA localization (trace+align+span, summed over candidates) per step: {localize:.4f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
