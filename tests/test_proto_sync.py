"""The generated Python code in the runtime kit (egca_kit/v1) matches proto/egca/v1/*.proto."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_generated_code_in_sync():
    r = subprocess.run([sys.executable, str(ROOT / "tools" / "gen_proto.py"), "--check"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def test_check_detects_stale_code(tmp_path):
    """The check is not vacuous: a changed generated file is reported."""
    import shutil

    copy = tmp_path / "repo"
    shutil.copytree(ROOT / "proto", copy / "proto")
    stubs = Path("runtimes") / "kit" / "egca_kit" / "v1"
    shutil.copytree(ROOT / stubs, copy / stubs)
    (copy / "tools").mkdir()
    shutil.copy(ROOT / "tools" / "gen_proto.py", copy / "tools")
    target = copy / stubs / "values_pb2.py"
    target.write_text(target.read_text() + "\n# edited by hand\n")
    r = subprocess.run([sys.executable, str(copy / "tools" / "gen_proto.py"), "--check"], capture_output=True, text=True)
    assert r.returncode == 1
    assert "values_pb2.py" in r.stderr
