"""The gate pack shipped prebuilt as Wasm (compiler/assets, ``make wasm-assets``) is built from the
Rego the package ships now, so ``iam2rego gate --engine wasm`` can use it without an opa binary."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from iam2rego.engines.base import split_data
from iam2rego.engines.wasm import in_opa_order, module_set_digest, shipped_manifests
from iam2rego.terraform.pack import ENTRYPOINT, pack_files

ROOT = Path(__file__).resolve().parents[2]
ASSETS = ROOT / "compiler" / "assets"
STALE = "the shipped compiler/assets/gate.wasm was built from other Rego: run `make wasm-assets` and commit"


def _manifest() -> dict:
    return json.loads((ASSETS / "gate.manifest.json").read_text(encoding="utf-8"))


def test_shipped_gate_wasm_is_built_from_the_current_gate_pack() -> None:
    """Recomputes the digest of the module set the wasm engine gets for the gate (pack_files(), data
    documents split off, the engine's set-order rewrite) and compares it with the manifest."""
    modules, _ = split_data("wasm", pack_files(), None)
    digest = module_set_digest(in_opa_order(modules), ENTRYPOINT)
    manifest = _manifest()
    assert manifest["entrypoint"] == ENTRYPOINT
    assert manifest["modules_sha256"] == digest, STALE
    assert manifest["modules"] == len(modules), STALE


def test_shipped_gate_wasm_is_the_manifests_module_and_the_pinned_opa_built_it() -> None:
    blob = (ASSETS / "gate.wasm").read_bytes()
    manifest = _manifest()
    assert blob[:4] == b"\0asm"
    assert hashlib.sha256(blob).hexdigest() == manifest["wasm_sha256"], STALE
    assert manifest["wasm_bytes"] == len(blob)
    pinned = re.search(
        r'OPA_VERSION="\$\{OPA_VERSION:-v([0-9.]+)\}"', (ROOT / "scripts" / "install-tools.sh").read_text()
    )
    assert pinned is not None
    assert manifest["opa_version"] == pinned.group(1), STALE
    assert set(shipped_manifests()) == {"gate"}  # read through importlib.resources, as installed


def test_the_digest_covers_every_path_and_byte() -> None:
    base = {"a/x.rego": "package a\n", "b/y.rego": "package b\n"}
    digest = module_set_digest(base, ENTRYPOINT)
    assert module_set_digest(dict(reversed(base.items())), ENTRYPOINT) == digest
    for changed in (
        {**base, "a/x.rego": "package a\n\n"},
        {"a/z.rego": "package a\n", "b/y.rego": "package b\n"},
        {**base, "c/z.rego": ""},
        {"a/x.rego": "package a\n"},
    ):
        assert module_set_digest(changed, ENTRYPOINT) != digest
    assert module_set_digest(base, "data.a.other") != digest
