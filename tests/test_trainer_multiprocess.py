"""Two training processes (torch.distributed, gloo on CPU) share one Engine service (`egca serve`)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import pytest

pytest.importorskip("torch")
pytest.importorskip("trl")

from egca import datasets  # noqa: E402


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def served_engine():
    from egca.engine import Engine
    from egca_kit.server import make_server
    from egca.service import EngineServicer
    from egca_kit.v1 import engine_pb2, engine_pb2_grpc
    engine = Engine()
    name = engine_pb2.DESCRIPTOR.services_by_name["Engine"].full_name
    server, port, _ = make_server([(engine_pb2_grpc.add_EngineServicer_to_server, EngineServicer(engine), name)],
                                  "127.0.0.1:0")
    server.start()
    yield f"127.0.0.1:{port}"
    server.stop(None)
    engine.close()


def test_two_processes_train_against_one_engine_service(tmp_path, served_engine):
    from egca.train.tiny import build_tiny
    problem = datasets.get("humaneval", "HumanEval/0")
    model = build_tiny(tmp_path / "model", datasets=("humaneval",), vocab_size=384, warm_start_steps=20,
                       warm_start_texts=[problem.prompt + problem.reference])
    out = tmp_path / "out"
    cfg = tmp_path / "mp.yaml"
    # 2 completions per process, 4 per prompt: one GRPO group spans both processes (a single process
    # would refuse this config: its generation batch of 2 is not a multiple of 4).
    cfg.write_text(f"model: {{path: {model}}}\ndata: {{datasets: [humaneval], tasks: [HumanEval/0]}}\n"
                   f"train: {{output_dir: {out}, max_steps: 1, num_generations: 4, per_device_train_batch_size: 2, "
                   "max_completion_length: 16, use_cpu: true, bf16: false, report_to: none, beta: 0.0, "
                   "gradient_checkpointing: null, activation_checkpointing: false, disable_tqdm: true, "
                   f"analyses_log: true, logging_steps: 1, engine_address: '{served_engine}'}}\n")
    env = dict(os.environ, HF_HUB_OFFLINE="1", OMP_NUM_THREADS="1")
    cmd = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_addr", "127.0.0.1",
           "--master_port", str(_free_port()), "-m", "egca.train.cli", "--config", str(cfg)]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert proc.stdout.count("model saved to") == 1           # the main process saves
    assert (out / "config.json").is_file()
    records = [json.loads(line) for line in (out / "analyses.jsonl").read_text().splitlines()]
    assert len(records) == 4                                   # both processes' completions, gathered
    assert {r["task_id"] for r in records} == {"HumanEval/0"} and {r["step"] for r in records} == {1}
