"""Numbers for the container deployment (not a test): image sizes, cold start of
each runtime container (create+start to a SERVING health check, one at a time),
and analyses per second through the containerised engine against the embedded
default, on the same batch in the same run.

    DOCKER_HOST=unix:///run/podman/podman.sock .venv/bin/python deploy/bench_containers.py [--rounds 20]
"""

from __future__ import annotations

import argparse
import json
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from egca import containers, datasets
from egca.engine import Engine, EngineConfig
from egca.service import EngineClient

DEMO = [json.loads(x) for x in (Path(__file__).resolve().parent.parent / "egca/examples/demo.jsonl").read_text().splitlines()
        if x.strip()]


def batch(analyze, rounds: int, parallel: int) -> float:
    jobs = [d for _ in range(rounds) for d in DEMO]
    problems = {d["task_id"]: datasets.get(d["dataset"], d["task_id"]) for d in DEMO}
    analyze(problems[DEMO[0]["task_id"]], [DEMO[0]["completion"]])       # warm-up (start-up, first traces)
    t = time.monotonic()
    with ThreadPoolExecutor(parallel) as pool:
        list(pool.map(lambda d: analyze(problems[d["task_id"]], [d["completion"]]), jobs))
    return len(jobs) / (time.monotonic() - t)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=20, help="rounds of the demo's 10 candidates (default 20)")
    ap.add_argument("--parallel", type=int, default=4)
    args = ap.parse_args()
    c = containers.client()
    out = {"sizes_mb": {}, "cold_start_s": {}}
    for name, comp in containers.COMPONENTS.items():
        out["sizes_mb"][name] = round(c.images.get(comp.ref).attrs["Size"] / 1e6, 1)
    containers.down(log=lambda *_: None)
    containers._ensure_network(c)
    for lang in containers.RUNTIMES:      # one at a time, so they do not share the CPUs
        t0 = time.monotonic()
        ct = containers.start_runtime(c, lang, 1)
        out["cold_start_s"][lang] = round(containers.wait_serving(c, {ct.name: (ct, lang, t0)})[ct.name], 2)
    t0 = time.monotonic()
    eng = containers.start_engine(c, port=50051)
    out["cold_start_s"]["engine"] = round(containers.wait_serving(c, {eng.name: (eng, "engine", t0)})[eng.name], 2)
    with EngineClient("127.0.0.1:50051") as client:
        out["containers_per_s"] = round(batch(client.analyze, args.rounds, args.parallel), 2)
    with Engine(EngineConfig()) as engine:
        out["embedded_per_s"] = round(batch(engine.analyze, args.rounds, args.parallel), 2)
    out["ratio_containers_to_embedded"] = round(out["containers_per_s"] / out["embedded_per_s"], 3)
    containers.down(log=lambda *_: None)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
