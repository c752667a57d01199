"""``iam2rego gate --engine wasm`` with NO opa binary: the gate pack shipped prebuilt in the package
(compiler/assets/gate.wasm, ``make wasm-assets``) gives the opa engine's report; a module set that
is not the shipped one is refused (exit 2), never passed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from iam2rego.cli import main
from iam2rego.engines import wasm
from iam2rego.terraform import gate
from iam2rego.terraform.gate import evaluate
from iam2rego.terraform.plan import load_config

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "terraform"
CASES = sorted(p.parent.name for p in FIXTURES.glob("*/plan.json"))
BREAKGLASS = FIXTURES / "breakglass"


def _data(case: str) -> dict:
    path = FIXTURES / case / "gate.yaml"
    if not path.exists():
        return {"iam2rego_gate": {}}
    data, diags = load_config(str(path))
    assert data is not None, diags
    return data


def _no_opa_path() -> str:
    """PATH without any directory holding an opa executable (python's own directory stays)."""
    dirs = [
        d
        for d in os.environ.get("PATH", "").split(os.pathsep)
        if d and not os.access(os.path.join(d, "opa"), os.X_OK)
    ]
    return os.pathsep.join([os.path.dirname(sys.executable), *dirs])


@pytest.fixture
def no_opa(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict:
    """opa hidden: not on PATH, --opa-path pointing nowhere, an empty Wasm cache, and any opa build
    fails the test. Records which shipped module the engine used."""
    monkeypatch.setenv("PATH", _no_opa_path())
    monkeypatch.setenv("IAM2REGO_CACHE_DIR", str(tmp_path / "cache"))
    used: dict = {"shipped": []}
    real = wasm.shipped_module

    def spy(modules: dict[str, str], entrypoint: str) -> tuple[str, bytes] | None:
        found = real(modules, entrypoint)
        used["shipped"].append(found[0] if found else None)
        return found

    def no_build(*_: object) -> bytes:
        raise AssertionError("the wasm engine ran opa build although opa is hidden")

    monkeypatch.setattr(wasm, "shipped_module", spy)
    monkeypatch.setattr(wasm.WasmEngine, "_build_wasm", no_build)
    return {"opa_path": str(tmp_path / "nowhere" / "opa"), **used}


@pytest.mark.opa
@pytest.mark.parametrize("case", CASES)
def test_wasm_without_opa_reports_what_opa_reports(case: str, no_opa: dict) -> None:
    plan = json.loads((FIXTURES / case / "plan.json").read_text(encoding="utf-8"))
    report = evaluate(plan, _data(case), "wasm", opa_path=no_opa["opa_path"])
    assert no_opa["shipped"] == ["gate"]
    os.environ["PATH"] = os.pathsep.join([str(ROOT / "tools" / "bin"), os.environ["PATH"]])
    assert evaluate(plan, _data(case), "opa") == report


def test_a_module_set_that_is_not_shipped_exits_2_without_opa(
    no_opa: dict, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    real = gate.pack_files

    def changed_pack() -> dict[str, str]:
        files = real()
        files["iam2rego/gate/gate.rego"] += "\n# changed after make wasm-assets\n"
        return files

    monkeypatch.setattr(gate, "pack_files", changed_pack)
    args = ["gate", str(BREAKGLASS / "plan.json"), "--guardrails", str(BREAKGLASS / "gate.yaml")]
    rc = main([*args, "--engine", "wasm", "--opa-path", no_opa["opa_path"], "--format", "json"])
    out, err = capsys.readouterr()
    assert rc == 2
    assert "no Wasm module shipped with iam2rego (shipped: gate) was built from these modules" in err
    assert no_opa["shipped"] == [None]
    assert '"deny"' not in out


@pytest.mark.opa
def test_a_module_set_that_is_not_shipped_is_built_with_opa(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("IAM2REGO_CACHE_DIR", str(tmp_path / "cache"))
    real = gate.pack_files

    def changed_pack() -> dict[str, str]:
        files = real()
        files["iam2rego/gate/gate.rego"] += "\n# changed after make wasm-assets\n"
        return files

    builds: list[str] = []
    real_build = wasm.WasmEngine._build_wasm

    def counting_build(self: wasm.WasmEngine, modules: dict[str, str], entrypoint: str) -> bytes:
        builds.append(modules["iam2rego/gate/gate.rego"][-40:])
        return real_build(self, modules, entrypoint)

    monkeypatch.setattr(wasm.WasmEngine, "_build_wasm", counting_build)
    plan = json.loads((BREAKGLASS / "plan.json").read_text(encoding="utf-8"))
    shipped = evaluate(plan, _data("breakglass"), "wasm")
    assert builds == []
    monkeypatch.setattr(gate, "pack_files", changed_pack)
    built = evaluate(plan, _data("breakglass"), "wasm")
    assert len(builds) == 1 and builds[0].endswith("# changed after make wasm-assets\n")
    assert built == shipped


@pytest.mark.opa
def test_cli_gate_wasm_without_opa_prints_the_opa_engines_report(tmp_path: Path) -> None:
    """A real process whose PATH has no opa, --opa-path pointing nowhere, an empty cache."""
    env = {**os.environ, "PATH": _no_opa_path(), "IAM2REGO_CACHE_DIR": str(tmp_path / "cache")}
    args = [
        sys.executable,
        "-m",
        "iam2rego",
        "gate",
        "--guardrails",
        str(BREAKGLASS / "gate.yaml"),
        "--format",
        "json",
    ]
    nowhere = str(tmp_path / "nowhere" / "opa")
    got = subprocess.run(
        [*args, "--engine", "wasm", "--opa-path", nowhere, str(BREAKGLASS / "plan.json")],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    ref = subprocess.run(
        [*args, "--engine", "opa", str(BREAKGLASS / "plan.json")],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert (got.returncode, ref.returncode) == (1, 1), got.stderr + ref.stderr
    assert got.stdout == ref.stdout
    assert json.loads(got.stdout)["deny"]
