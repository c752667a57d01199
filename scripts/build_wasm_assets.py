"""Build the gate pack as OPA Wasm into the package (``make wasm-assets``).

Writes ``compiler/assets/gate.wasm`` (``opa build -t wasm -e iam2rego/gate/report`` with the pinned
tools/bin/opa) and ``compiler/assets/gate.manifest.json``: the OPA version, the entrypoint, the sha256
of the wasm, and ``modules_sha256``, the digest of the exact module set the wasm engine gets for the
gate (``pack_files()`` as ``iam2rego gate`` passes it, after the engine's own rewrites). The wasm
engine uses the shipped module only when that digest matches, so ``iam2rego gate --engine wasm``
needs no opa binary; tests/unit/test_wasm_assets.py fails when the Rego changed and this was not rerun.

    python scripts/build_wasm_assets.py [--opa PATH]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

from iam2rego.engines.base import split_data
from iam2rego.engines.opa import opa_version
from iam2rego.engines.wasm import WasmEngine, in_opa_order, module_set_digest
from iam2rego.terraform.pack import ENTRYPOINT, pack_files

ROOT = Path(__file__).resolve().parents[1]
ASSETS = ROOT / "compiler" / "assets"
NAME = "gate"


def gate_modules() -> dict[str, str]:
    """The module set the wasm engine builds for ``iam2rego gate`` (what the digest covers)."""
    modules, _ = split_data("wasm", pack_files(), None)
    return in_opa_order(modules)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--opa", default=str(ROOT / "tools" / "bin" / "opa"), help="the pinned opa (tools/bin/opa)"
    )
    args = ap.parse_args(argv)
    version = opa_version(args.opa)
    if isinstance(version, str):
        print(f"build_wasm_assets: {version} (run `make tools`)", file=sys.stderr)
        return 2
    modules = gate_modules()
    blob = WasmEngine(opa_path=args.opa)._build_wasm(modules, ENTRYPOINT)
    manifest = {
        "name": NAME,
        "built_by": "make wasm-assets (scripts/build_wasm_assets.py)",
        "opa_version": ".".join(map(str, version)),
        "entrypoint": ENTRYPOINT,
        "modules": len(modules),
        "modules_sha256": module_set_digest(modules, ENTRYPOINT),
        "wasm_sha256": hashlib.sha256(blob).hexdigest(),
        "wasm_bytes": len(blob),
    }
    ASSETS.mkdir(exist_ok=True)
    (ASSETS / f"{NAME}.wasm").write_bytes(blob)
    (ASSETS / f"{NAME}.manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    print(
        f"wrote compiler/assets/{NAME}.wasm ({len(blob):,} bytes, OPA {manifest['opa_version']}, "
        f"{len(modules)} modules, modules_sha256 {manifest['modules_sha256'][:16]}…)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
