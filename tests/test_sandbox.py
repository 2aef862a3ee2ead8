"""egca_kit.sandbox: real sandboxed runs of small Python programs."""

import os
import sys

import pytest

from egca_kit.sandbox import SandboxError, SandboxLimits, isolation, run_sandboxed
from egca_kit.v1 import tracer_pb2

PY = [os.path.realpath(sys.executable), "-I", "-S", "-c"]
BINDS = [sys.base_prefix]


def run(code, **kw):
    kw.setdefault("ro_binds", BINDS)
    return run_sandboxed(PY + [code], **kw)


def test_files_cwd_stdin_output_and_channel():
    lines = []
    r = run("import os, sys\nprint(open('in.txt').read(), sys.stdin.read())\n"
            "sys.stderr.write('E')\nos.write(3, b'one\\ntwo\\npartial')",
            files={"in.txt": b"hello"}, stdin=b"IN", on_channel_line=lines.append)
    assert r.returncode == 0 and r.signal is None and not r.timed_out
    assert r.stdout == b"hello IN\n" and r.stderr == b"E"
    assert lines == [b"one", b"two"]          # an unfinished last line is dropped


def test_stdin_larger_than_a_pipe_buffer_arrives_whole():
    """A job that fits the pipe is written at once; the rest goes through a writer thread
    while the child reads (sandbox.start_feed)."""
    data = bytes(range(256)) * 4096 + b"end"          # 1 MiB: sixteen pipe buffers
    r = run("import hashlib, sys, time\ntime.sleep(0.2)\nd = sys.stdin.buffer.read()\n"
            "print(len(d), hashlib.sha256(d).hexdigest())", stdin=data)
    import hashlib
    assert r.stdout.decode().split() == [str(len(data)), hashlib.sha256(data).hexdigest()], r.stderr


def test_isolation_is_reported():
    iso = isolation()
    assert "rlimits" in iso and "scratch" in iso
    if os.geteuid() == 0 and "bwrap" in iso:
        assert {"netns", "pidns", "uid-drop"} <= set(iso)


def test_wall_clock_timeout_kills():
    r = run("while True: pass", limits=SandboxLimits(timeout_s=1))
    assert r.timed_out and r.signal is not None and r.wall_s < 5


def test_output_is_capped_and_drained():
    r = run("import sys\nfor _ in range(300): sys.stdout.write('x' * 100000)\nprint('end', file=sys.stderr)",
            limits=SandboxLimits(max_output_bytes=1000))
    assert r.returncode == 0 and r.output_truncated
    assert len(r.stdout) + len(r.stderr) <= 1000


def test_channel_cap():
    lines = []
    r = run("import os\nfor i in range(1000): os.write(3, b'%04d\\n' % i)",
            limits=SandboxLimits(max_channel_bytes=50), on_channel_line=lines.append)
    assert r.returncode == 0 and r.channel_truncated and len(lines) == 10


def test_memory_limit():
    r = run("x = bytearray(2 * 1024 ** 3)", limits=SandboxLimits(memory_bytes=256 << 20))
    assert r.returncode == 1 and b"MemoryError" in r.stderr


def test_signal_is_reported():
    r = run("import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)")
    assert r.returncode is None and r.signal == 11


@pytest.mark.skipif("bwrap" not in isolation(), reason="needs bubblewrap")
def test_fork_bomb_is_contained():
    r = run("import os\nn = 0\ntry:\n    while True:\n        if os.fork() == 0:\n            import time; time.sleep(5); os._exit(0)\n"
            "        n += 1\nexcept OSError:\n    print('stopped after', n)",
            limits=SandboxLimits(max_processes=8, timeout_s=10))
    assert r.returncode == 0 and b"stopped after" in r.stdout
    assert int(r.stdout.split()[-1]) < 8


@pytest.mark.skipif("netns" not in isolation(), reason="needs a network namespace")
def test_no_network():
    r = run("import socket\ntry:\n    socket.create_connection(('1.1.1.1', 80), timeout=2)\n"
            "except OSError as e:\n    print('blocked', e.errno)")
    assert b"blocked" in r.stdout


@pytest.mark.skipif("bwrap" not in isolation(), reason="needs bubblewrap")
def test_filesystem_read_only_outside_scratch_and_private_tmp():
    r = run("import os\nfor p in ['/usr/egca_x', '/etc/egca_x', '/scratch/ok', '/tmp/ok']:\n"
            "    try:\n        open(p, 'w').write('x'); print('wrote', p)\n"
            "    except OSError as e:\n        print('denied', p)\nprint(sorted(os.listdir('/')))")
    out = r.stdout.decode()
    assert "denied /usr/egca_x" in out and "denied /etc/egca_x" in out
    assert "wrote /scratch/ok" in out and "wrote /tmp/ok" in out
    hidden = "'work'" if not sys.base_prefix.startswith("/work") else "'home'"
    assert hidden not in out        # only system directories and ro_binds are mounted


def test_missing_interpreter_is_an_infrastructure_error():
    with pytest.raises(SandboxError):
        run_sandboxed(["/nonexistent/python3", "-c", "pass"])


def test_limits_from_proto_zero_means_default():
    d = SandboxLimits()
    lim = SandboxLimits.from_proto(tracer_pb2.Limits(timeout_s=2.5))
    assert lim.timeout_s == 2.5 and lim.memory_bytes == d.memory_bytes and lim.max_processes == d.max_processes
