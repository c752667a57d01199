"""Golden tests for the code generator: ``<case>/policy.json`` (+ optional ``case.json``) -> ``expected.rego``
and ``expected.data.json`` (the module's data document: the statements payload, ARCHITECTURE §5).

Each case also goes through the real tools: ``opa parse``, ``opa fmt --fail``, ``opa check --strict``
together with the runtime library, and ``regal lint``; and it is compiled twice to compare bytes.
Regenerate with ``UPDATE_GOLDEN=1 pytest tests/golden/compile`` and review the diff; never hand-edit.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from iam2rego import api

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
CASES = sorted(p.name for p in HERE.iterdir() if (p / "policy.json").is_file())
UPDATE = os.environ.get("UPDATE_GOLDEN", "") not in ("", "0")


def case_principals(case_dir: Path) -> tuple[api.Principals, api.CompileOptions]:
    cfg = json.loads((case_dir / "case.json").read_text()) if (case_dir / "case.json").is_file() else {}

    def src(file: str, display: str | None = None) -> api.PolicySource:
        return api.PolicySource(label=display or f"{case_dir.name}/{file}", path=case_dir / file)

    def one(key: str) -> api.PolicySource | None:
        return src(cfg[key], cfg.get(f"{key}_path")) if key in cfg else None

    def levels(key: str) -> tuple[tuple[api.PolicySource, ...], ...]:
        return tuple(tuple(src(f) for f in level) for level in cfg.get(key, []))

    identity = (src("policy.json", cfg.get("path")), *(src(f) for f in cfg.get("identity", [])))
    caller = api.PolicySetSpec(
        identity=identity,
        boundary=one("boundary"),
        session=one("session"),
        scp_levels=levels("scp"),
        rcp_levels=levels("rcp"),
        resource_policies=tuple(
            (t, src(f, cfg.get("resource_policy_path")))
            for t, f in sorted(cfg.get("resource_policies", {}).items())
        ),
        resource_policy=one("resource_policy"),
    )
    role = None
    if "role" in cfg:
        role = api.PolicySetSpec(identity=tuple(src(f) for f in cfg["role"]), boundary=one("role_boundary"))
    loaded = api.load_principals(api.PrincipalsSpec(caller, role))
    assert loaded.principals is not None, [d.code for d in loaded.diagnostics]
    opts = dict(cfg.get("options", {}))
    if "kms_set" in opts and opts["kms_set"] is not None:
        opts["kms_set"] = tuple(opts["kms_set"])
    options = api.CompileOptions(package=cfg.get("package", case_dir.name), **opts)
    return loaded.principals, options


def compile_case(name: str) -> api.CompiledModule:
    principals, options = case_principals(HERE / name)
    return api.compile(principals, options)


@pytest.mark.parametrize("case", CASES)
def test_compiled_module_matches_golden(case: str) -> None:
    module = compile_case(case)
    folder = "/".join(module.package.split("."))
    last = module.package.rsplit(".", 1)[-1]
    assert set(module.files) == {f"{folder}/{last}.rego", f"{folder}/data.json"}
    for rel, golden in (
        (f"{folder}/{last}.rego", "expected.rego"),
        (f"{folder}/data.json", "expected.data.json"),
    ):
        expected = HERE / case / golden
        if UPDATE:
            expected.write_text(module.files[rel], encoding="utf-8")
        assert expected.is_file(), f"no golden file {golden}; run UPDATE_GOLDEN=1 pytest {HERE}"
        assert module.files[rel] == expected.read_text(encoding="utf-8")


@pytest.mark.parametrize("case", CASES)
def test_compiling_twice_gives_identical_bytes(case: str) -> None:
    assert compile_case(case).files == compile_case(case).files


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every case's module plus the runtime library, laid out as an OPA bundle directory."""
    root = tmp_path_factory.mktemp("golden_tree")
    files = dict(api.library_files())
    for case in CASES:
        files.update(compile_case(case).files)
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def _run(*argv: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, timeout=120, cwd=cwd, check=False)


def _module_path(tree: Path, case: str) -> Path:
    (rel,) = [p for p in compile_case(case).files if p.endswith(".rego")]
    return tree / rel


@pytest.mark.opa
@pytest.mark.parametrize("case", CASES)
def test_golden_parses_and_is_opa_fmt_stable(case: str, tree: Path, opa_bin: str) -> None:
    path = _module_path(tree, case)
    parsed = _run(opa_bin, "parse", str(path))
    assert parsed.returncode == 0, parsed.stderr
    fmt = _run(opa_bin, "fmt", "--fail", "--diff", str(path))
    assert fmt.returncode == 0 and fmt.stdout == "", fmt.stdout + fmt.stderr


@pytest.mark.opa
def test_golden_modules_pass_opa_check_strict_with_library(tree: Path, opa_bin: str) -> None:
    result = _run(opa_bin, "check", "--strict", "--v1-compatible", str(tree))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.regal
@pytest.mark.parametrize("case", CASES)
def test_golden_is_regal_clean(case: str, tree: Path, regal_bin: str) -> None:
    config = ROOT / ".regal" / "config.yaml"
    args = [regal_bin, "lint", "--format", "compact"]
    if config.is_file():
        args += ["--config-file", str(config)]
    result = _run(*args, str(_module_path(tree, case)), cwd=tree)
    assert result.returncode == 0, result.stdout + result.stderr
