"""Prebuilt artefacts shipped in the wheel: ``gate.wasm`` (the gate pack compiled by ``opa build -t wasm``)
and ``gate.manifest.json`` (the OPA version and the sha256 of the exact modules it was built from).

Written by ``make wasm-assets`` (scripts/build_wasm_assets.py); the wasm engine uses a shipped module
only when its manifest's digest equals the module set it is asked to evaluate (docs/ENGINES.md §4).
"""
