"""A runtime the engine starts on this machine (egca.runtimes.LocalRuntime) ends with the
process that started it, however that process ended: a training job killed outright
(SIGKILL, or SIGTERM to a command that runs no atexit hook) leaves no server behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

STARTER = """
import sys, time
from egca.runtimes import LocalRuntime
runtime = LocalRuntime("python")
print(runtime.process.pid, runtime.address, flush=True)
time.sleep(600)
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_a_local_runtime_ends_with_a_parent_killed_outright():
    parent = subprocess.Popen([sys.executable, "-c", STARTER], stdout=subprocess.PIPE, start_new_session=True)
    runtime_pid = None
    try:
        pid, address = parent.stdout.readline().decode().split()
        runtime_pid = int(pid)
        assert _alive(runtime_pid)
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=30)
        deadline = time.monotonic() + 30
        while _alive(runtime_pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(runtime_pid), f"the runtime at {address} outlived the process that started it"
    finally:
        if parent.poll() is None:
            parent.kill()
        if runtime_pid is not None and _alive(runtime_pid):
            os.kill(runtime_pid, signal.SIGKILL)
