"""The package as a user gets it: sdist -> wheel -> a fresh venv outside the checkout, every command.

The source is copied to a temporary directory first (only what the sdist build needs), the sdist is
built from that copy, the wheel from the unpacked sdist (as `python -m build` does), and the wheel is
installed with pip into a new venv (pip's cache makes the dependencies quick). Then check, compile,
eval (embedded), test (embedded), gate (opa; findings located in .tf files) and conftest-pack run
in an empty temporary directory, so nothing can come from the checkout: a missing package, Rego file, grammar, catalog or
schema fails here.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
SOURCE = ("pyproject.toml", "README.md", "compiler", "rego")
POLICY = ROOT / "scenarios" / "seed" / "policies" / "example5-allow-restore-describe-deny-delete.json"
SUITE = ROOT / "scenarios" / "seed" / "e5.yaml"
PLAN = ROOT / "tests" / "terraform" / "breakglass" / "plan.json"
GUARDRAILS = PLAN.parent / "gate.yaml"
LOCATED = ROOT / "tests" / "terraform" / "located"


def _run(cmd: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = 300):
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def _build(tmp: Path) -> tuple[Path, Path]:
    src = tmp / "src"
    for name in SOURCE:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            src.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, src / name)
    dist = tmp / "dist"
    # `python -m build`: the sdist, then the wheel from the unpacked sdist, each in an isolated
    # build environment (setuptools from the package index, through pip's cache)
    proc = _run([sys.executable, "-m", "build", "--outdir", str(dist), str(src)], cwd=tmp)
    if proc.returncode != 0 and not IN_CI and "connection" in (proc.stdout + proc.stderr).lower():
        pytest.skip(f"no package index for the isolated build: {proc.stderr[-1000:]}")
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    [sdist] = dist.glob("*.tar.gz")
    [wheel] = dist.glob("*.whl")
    return sdist, wheel


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> dict:
    tmp = tmp_path_factory.mktemp("wheel")
    sdist, wheel = _build(tmp)
    env_dir = tmp / "venv"
    venv.EnvBuilder(with_pip=True, clear=True).create(env_dir)
    bin_dir = env_dir / "bin"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    proc = _run(
        [
            str(bin_dir / "python"),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            str(wheel),
        ],
        cwd=tmp,
        env=env,
    )
    if proc.returncode != 0:
        problem = f"pip could not install the wheel: {proc.stderr[-2000:]}"
        offline = "No matching distribution" in proc.stderr or "connection" in proc.stderr.lower()
        if offline and not IN_CI:
            pytest.skip(problem)  # a laptop without a package index for the dependencies
        pytest.fail(problem)
    work = tmp / "work"
    work.mkdir()
    return {"sdist": sdist, "wheel": wheel, "bin": bin_dir, "env": env, "work": work}


def _members(archive: Path) -> set[str]:
    if archive.suffix == ".whl":
        with zipfile.ZipFile(archive) as z:
            return set(z.namelist())
    with tarfile.open(archive) as tar:
        return {m.name.split("/", 1)[1] for m in tar.getmembers() if "/" in m.name}


def test_wheel_and_sdist_carry_every_package_and_the_rego_library(installed: dict) -> None:
    wheel, sdist = _members(installed["wheel"]), _members(installed["sdist"])
    packages = sorted(
        p.parent.relative_to(ROOT / "compiler") for p in (ROOT / "compiler").rglob("__init__.py")
    )
    for rel in packages:
        assert f"iam2rego/{rel.as_posix()}/__init__.py".replace("/./", "/") in wheel, rel
    runtime = [
        p.relative_to(ROOT / "rego").as_posix()
        for p in (ROOT / "rego").rglob("*.rego")
        if not p.name.endswith("_test.rego")
    ]
    assert "iam2rego/gate/managed/managed.rego" in runtime
    for rel in runtime:
        assert f"iam2rego/rego/{rel}" in wheel, rel
        assert f"rego/{rel}" in sdist, rel
    for data in (
        "grammar/iam.lark",
        "catalog/catalog.json",
        "harness/scenario.schema.json",
        "assets/gate.wasm",  # the gate pack prebuilt (make wasm-assets): gate --engine wasm without opa
        "assets/gate.manifest.json",
    ):
        assert f"iam2rego/{data}" in wheel, data
        assert f"compiler/{data}" in sdist, data
    assert not [m for m in wheel if m.endswith("_test.rego")]


def _cli(installed: dict, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(installed["bin"] / "iam2rego"), *args],
        cwd=installed["work"],
        env=installed["env"],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_installed_package_reads_its_data_from_the_venv(installed: dict) -> None:
    code = "import iam2rego, iam2rego.resources as r; print(iam2rego.__file__); print(r.rego_root())"
    proc = subprocess.run(
        [str(installed["bin"] / "python"), "-c", code],
        cwd=installed["work"],
        env=installed["env"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    venv_dir = installed["bin"].parent.resolve()
    for line in proc.stdout.splitlines():
        assert Path(line).resolve().is_relative_to(venv_dir), line
        assert not Path(line).resolve().is_relative_to(ROOT), line


def test_every_command_runs_outside_the_checkout(installed: dict) -> None:
    work: Path = installed["work"]
    shutil.copy2(POLICY, work / "policy.json")
    (work / "policies").mkdir()
    shutil.copy2(POLICY, work / "policies" / POLICY.name)
    shutil.copy2(SUITE, work / "suite.yaml")
    shutil.copy2(PLAN, work / "plan.json")
    shutil.copy2(GUARDRAILS, work / "gate.yaml")

    check = _cli(installed, "check", "policy.json")
    assert check.returncode == 0, check.stderr
    assert "W-RESTORE-WITHOUT-WRITES" in check.stdout

    compiled = _cli(installed, "compile", "-o", "out", "policy.json")
    assert compiled.returncode == 0, compiled.stderr
    assert (work / "out" / "iam2rego" / "policies" / "policy" / "policy.rego").is_file()
    assert (work / "out" / "iam2rego" / "decide" / "decide.rego").is_file()

    request = {
        "action": "dynamodb:DeleteBackup",
        "resource": "arn:aws:dynamodb:us-east-1:123456789012:table/Music/backup/01489173575360-b308cd7d",
    }
    evaluated = _cli(
        installed, "eval", "--engine", "embedded", "--input", "-", "policy.json", stdin=json.dumps(request)
    )
    assert evaluated.returncode == 0, evaluated.stderr
    assert json.loads(evaluated.stdout)["decision"] == "explicit_deny"

    tested = _cli(installed, "test", "--engine", "embedded", "suite.yaml")
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert " 0 failed" in tested.stdout

    packed = _cli(installed, "conftest-pack", "-o", "policy")
    assert packed.returncode == 0, packed.stderr
    assert (work / "policy" / "iam2rego" / "gate" / "gate.rego").is_file()
    assert (work / "policy" / "iam2rego" / "gate" / "managed" / "managed.rego").is_file()


@pytest.mark.opa
def test_installed_gate_locates_findings_in_the_tf_source(installed: dict, opa_bin: str) -> None:
    """The gate from the wheel (opa engine): python-hcl2 is a declared dependency, findings land in .tf."""
    work: Path = installed["work"] / "located"
    shutil.copytree(LOCATED, work)
    gate = ("gate", "--engine", "opa", "--opa-path", opa_bin, "--guardrails", "gate.yaml", "plan.json")
    proc = subprocess.run(
        [str(installed["bin"] / "iam2rego"), *gate],
        cwd=work,
        env=installed["env"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 1, proc.stderr
    assert "policies.tf:" in proc.stdout and "[no-prod-backup-deletion]" in proc.stdout
    assert "modules/team/policy.tf:" in proc.stdout


@pytest.mark.opa
def test_installed_gate_on_wasm_needs_no_opa(installed: dict, opa_bin: str, tmp_path: Path) -> None:
    """The wheel's prebuilt gate.wasm: no opa on PATH, --opa-path pointing nowhere, an empty cache;
    the same output as the opa engine."""
    work: Path = installed["work"] / "located-wasm"
    shutil.copytree(LOCATED, work)
    gate = ("gate", "--guardrails", "gate.yaml", "plan.json")
    runs = {}
    for engine, opa, path in (
        (
            "wasm",
            str(tmp_path / "nowhere" / "opa"),
            f"{installed['bin']}{os.pathsep}/usr/bin{os.pathsep}/bin",
        ),
        ("opa", opa_bin, installed["env"]["PATH"]),
    ):
        env = {**installed["env"], "PATH": path, "IAM2REGO_CACHE_DIR": str(tmp_path / "cache")}
        runs[engine] = subprocess.run(
            [str(installed["bin"] / "iam2rego"), *gate, "--engine", engine, "--opa-path", opa],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
    assert runs["wasm"].returncode == 1, runs["wasm"].stderr
    assert runs["wasm"].stdout == runs["opa"].stdout
    assert "[no-prod-backup-deletion]" in runs["wasm"].stdout


@pytest.mark.conftest
def test_installed_conftest_pack_works_with_conftest(installed: dict, conftest_bin: str) -> None:
    work: Path = installed["work"] / "conftest"
    work.mkdir()
    shutil.copy2(PLAN, work / "plan.json")
    shutil.copy2(GUARDRAILS, work / "gate.yaml")
    packed = _cli(installed, "conftest-pack", "-o", "conftest/policy")
    assert packed.returncode == 0, packed.stderr
    proc = subprocess.run(
        [
            conftest_bin,
            "test",
            "--no-color",
            "--namespace",
            "iam2rego.gate",
            "-p",
            "policy",
            "--data",
            "gate.yaml",
            "plan.json",
        ],
        cwd=work,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "no-prod-backup-deletion" in proc.stdout
