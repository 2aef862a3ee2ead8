"""Generate the Python gRPC code in the runtime kit (egca_kit/v1) from proto/egca/v1/*.proto.

    python tools/gen_proto.py           # regenerate
    python tools/gen_proto.py --check   # exit 1 if the committed code is stale

Uses grpcio-tools; `-I proto` makes generated imports package-qualified
(`from egca_kit.v1 import values_pb2`); they are rewritten to `egca_kit.v1`, so the
stubs live in the runtime kit (runtimes/kit), which every runtime and the engine
import, while the wire names stay `egca.v1.*`.
"""

from __future__ import annotations

import argparse
import filecmp
import shutil
import sys
import tempfile
from pathlib import Path

from grpc_tools import protoc

ROOT = Path(__file__).resolve().parent.parent
PROTO_DIR = ROOT / "proto"
OUT_PACKAGE = ROOT / "runtimes" / "kit" / "egca_kit" / "v1"
GENERATED_IMPORT = "from " + ".".join(("egca", "v1")) + " import"   # as protoc writes it


def generate(out_root: Path) -> list[Path]:
    protos = sorted(str(p.relative_to(PROTO_DIR)) for p in (PROTO_DIR / "egca" / "v1").glob("*.proto"))
    import grpc_tools

    include = Path(grpc_tools.__file__).parent / "_proto"
    args = ["protoc", f"-I{PROTO_DIR}", f"-I{include}", f"--python_out={out_root}",
            f"--pyi_out={out_root}", f"--grpc_python_out={out_root}", *protos]
    if protoc.main(args) != 0:
        raise SystemExit("protoc failed")
    files = sorted((out_root / "egca" / "v1").glob("*_pb2*.py*"))
    for f in files:
        f.write_text(f.read_text().replace(GENERATED_IMPORT, "from egca_kit.v1 import"))
    return files


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="only compare, do not write")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        fresh = generate(Path(tmp))
        if args.check:
            stale = [f.name for f in fresh
                     if not (OUT_PACKAGE / f.name).exists() or not filecmp.cmp(f, OUT_PACKAGE / f.name, shallow=False)]
            extra = {p.name for p in OUT_PACKAGE.glob("*_pb2*.py*")} - {f.name for f in fresh}
            if stale or extra:
                print(f"generated code is out of date: {sorted(stale) + sorted(extra)}; run python tools/gen_proto.py",
                      file=sys.stderr)
                return 1
            print("generated code is in sync with proto/")
            return 0
        OUT_PACKAGE.mkdir(parents=True, exist_ok=True)
        for old in OUT_PACKAGE.glob("*_pb2*.py*"):
            old.unlink()
        for f in fresh:
            shutil.copy(f, OUT_PACKAGE / f.name)
        print(f"wrote {len(fresh)} files to {OUT_PACKAGE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
