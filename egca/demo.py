"""`egca demo`: analyse the bundled failing completions on the embedded runtimes,
printing each mode and the highlighted divergent span (the quick start's main job);
`--json`: one analysis record per line (egca/report/record.py), the input of `egca report`."""

from __future__ import annotations

import json
import sys
from importlib import resources

from egca import datasets
from egca.engine import Engine, EngineConfig, compose
from egca.plugin import available_adapters, get_adapter
from egca.render import render
from egca.report.record import analysis_record


def examples() -> list[dict]:
    """Bundled examples whose language has an installed adapter."""
    text = resources.files("egca").joinpath("examples", "demo.jsonl").read_text(encoding="utf-8")
    rows = [json.loads(line) for line in text.splitlines() if line.strip()]
    known = datasets.list_datasets()
    return [r for r in rows if r["dataset"] in known and known[r["dataset"]][0] in available_adapters()]


def run_demo(as_json: bool = False) -> int:
    rows = examples()
    color = sys.stdout.isatty() and not as_json
    mismatches = 0
    # JSON records carry the aligned trace steps around each divergence (for `egca report`).
    with Engine(EngineConfig(workers=2, trace_window=3 if as_json else 0)) as engine:
        for row in rows:
            problem = datasets.get(row["dataset"], row["task_id"])
            result = engine.analyze(problem, [row["completion"]])[0]
            mismatches += result.mode != row.get("expected_mode", result.mode)
            if as_json:   # one record per line: what `egca report` reads
                print(json.dumps(analysis_record(problem, row["completion"], result, note=row.get("note", ""),
                                                 dataset=row["dataset"], expected_mode=row.get("expected_mode"))),
                      flush=True)
                continue
            print(f"--- {row.get('note', '')}")
            program, _ = compose(get_adapter(problem.language), problem, row["completion"])
            print(render(problem.task_id, result, program, problem.reference_program, color))
            print()
    if not as_json:
        print(f"analysed {len(rows)} bundled candidates; {len(rows) - mismatches} got the mode their note expects")
    return 0 if mismatches == 0 else 1
