"""Generate Python code from protos/ into services/gbus/v1, or check it is current.

    python -m gbus.devtools.protogen          # regenerate
    python -m gbus.devtools.protogen --check  # exit 1 if the committed code is stale

The generator is grpcio-tools at the version pinned in pyproject.toml, so the
output is byte-for-byte reproducible; the check regenerates into a temporary
directory and compares, which is what CI runs.
"""

from __future__ import annotations

import argparse
import filecmp
import sys
import tempfile
from pathlib import Path

from grpc_tools import protoc

REPO = Path(__file__).resolve().parents[3]
PROTO_ROOT = REPO / "protos"
OUT_ROOT = REPO / "services"
PACKAGE_DIR = Path("gbus") / "v1"


def _proto_files() -> list[str]:
    return sorted(str(p.relative_to(PROTO_ROOT)) for p in (PROTO_ROOT / PACKAGE_DIR).glob("*.proto"))


def generate(out_root: Path) -> list[Path]:
    """Run protoc for every proto under protos/gbus/v1; return the files written."""
    files = _proto_files()
    if not files:
        raise SystemExit(f"no .proto files under {PROTO_ROOT / PACKAGE_DIR}")
    well_known = Path(protoc.__file__).parent / "_proto"
    (out_root / PACKAGE_DIR).mkdir(parents=True, exist_ok=True)
    args = [
        "grpc_tools.protoc",
        f"-I{PROTO_ROOT}",
        f"-I{well_known}",
        f"--python_out={out_root}",
        f"--pyi_out={out_root}",
        f"--grpc_python_out={out_root}",
        *files,
    ]
    rc = protoc.main(args)
    if rc != 0:
        raise SystemExit(f"protoc failed with exit code {rc}")
    init = out_root / PACKAGE_DIR / "__init__.py"
    init.write_text('"""Generated from protos/gbus/v1 by gbus.devtools.protogen. Do not edit."""\n')
    return sorted((out_root / PACKAGE_DIR).glob("*"))


def check() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        fresh = generate(Path(tmp))
        stale: list[str] = []
        current_dir = OUT_ROOT / PACKAGE_DIR
        fresh_names = {p.name for p in fresh if p.is_file()}
        current_names = {p.name for p in current_dir.glob("*") if p.is_file() and p.suffix in (".py", ".pyi")}
        for name in sorted(fresh_names | current_names):
            a, b = Path(tmp) / PACKAGE_DIR / name, current_dir / name
            if not a.exists():
                stale.append(f"{b.relative_to(REPO)} has no proto any more")
            elif not b.exists():
                stale.append(f"{b.relative_to(REPO)} is missing")
            elif not filecmp.cmp(a, b, shallow=False):
                stale.append(f"{b.relative_to(REPO)} differs from a fresh generation")
    if stale:
        print("generated code is stale; run `make proto` and commit:", file=sys.stderr)
        for line in stale:
            print(f"  {line}", file=sys.stderr)
        return 1
    print(f"generated code is current ({len(fresh_names)} files)")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="fail if generated code differs from protos/")
    args = parser.parse_args(argv)
    if args.check:
        return check()
    out = OUT_ROOT / PACKAGE_DIR
    for old in out.glob("*_pb2*.py*"):
        old.unlink()
    written = generate(OUT_ROOT)
    print(f"generated {len(written)} files into {out.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
