"""conftest conventions: the plain `conftest test -p pack plan.json` gates, and the pack as an OPA bundle.

conftest queries package `main` unless given --namespace; the pack's `main` re-exports the gate's
deny/warn, so the plain command fails a violating plan exactly as the namespaced one does, and
only the two conftest rules are counted as tests. The bundle (`conftest-pack --bundle`) is read by
`conftest pull`/`conftest test --update` and served by `opa run -b`.
"""

from __future__ import annotations

import json
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from iam2rego.cli import main

ROOT = Path(__file__).resolve().parents[2]
LOCATED = ROOT / "tests" / "terraform" / "located"
CLEAN = ROOT / "tests" / "terraform" / "clean" / "plan.json"


@pytest.fixture(scope="module")
def packs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("conftest-pack")
    assert main(["conftest-pack", "-o", str(tmp / "policy"), "--bundle", str(tmp / "gate.tar.gz")]) == 0
    return {"dir": tmp / "policy", "bundle": tmp / "gate.tar.gz", "tmp": tmp}


def _conftest(conftest_bin: str, *args: str, cwd: Path | None = None) -> tuple[int, list[dict]]:
    proc = subprocess.run(
        [conftest_bin, "test", "--no-color", "-o", "json", *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=cwd,
    )
    assert proc.stdout.strip().startswith("["), proc.stdout + proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def _summary(results: list[dict]) -> tuple[int, set[str]]:
    [result] = results
    return result.get("successes", 0), {f["msg"] for f in result.get("failures") or []}


@pytest.mark.conftest
def test_plain_conftest_fails_a_violating_plan_like_the_namespaced_form(
    conftest_bin: str, packs: dict[str, Path]
) -> None:
    plan, data = str(LOCATED / "plan.json"), str(LOCATED / "gate.yaml")
    rc_plain, plain = _conftest(conftest_bin, "-p", str(packs["dir"]), "--data", data, plan)
    rc_ns, namespaced = _conftest(
        conftest_bin, "--namespace", "iam2rego.gate", "-p", str(packs["dir"]), "--data", data, plan
    )
    assert rc_plain == rc_ns == 1
    assert plain[0]["namespace"] == "main"
    _, plain_failures = _summary(plain)
    _, ns_failures = _summary(namespaced)
    assert plain_failures == ns_failures
    assert any("[no-prod-backup-deletion]" in msg for msg in plain_failures)


@pytest.mark.conftest
def test_plain_conftest_passes_a_clean_plan_counting_only_deny_and_warn(
    conftest_bin: str, packs: dict[str, Path]
) -> None:
    rc, results = _conftest(conftest_bin, "-p", str(packs["dir"]), str(CLEAN))
    successes, failures = _summary(results)
    assert rc == 0
    assert failures == set()
    assert successes == 2  # deny and warn: helper rules (report, findings, ...) are not tests


@pytest.mark.conftest
def test_bundle_is_usable_by_conftest(conftest_bin: str, packs: dict[str, Path]) -> None:
    pulled = packs["tmp"] / "pulled"
    # `conftest pull -p` is relative to the working directory (an absolute path is joined to it)
    proc = subprocess.run(
        [conftest_bin, "pull", f"file://{packs['bundle']}", "-p", "pulled"],
        cwd=packs["tmp"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert (pulled / ".manifest").is_file()
    rc, results = _conftest(
        conftest_bin, "-p", str(pulled), "--data", str(LOCATED / "gate.yaml"), str(LOCATED / "plan.json")
    )
    _, failures = _summary(results)
    assert rc == 1
    assert any("[no-prod-backup-deletion]" in msg for msg in failures)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.opa
def test_bundle_is_served_by_opa_run(opa_bin: str, packs: dict[str, Path]) -> None:
    port = _free_port()
    server = subprocess.Popen(
        [opa_bin, "run", "--server", "--addr", f"127.0.0.1:{port}", "-b", str(packs["bundle"])],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        body = json.dumps({"input": json.loads((LOCATED / "plan.json").read_text())}).encode()
        deadline = time.monotonic() + 60
        while True:
            try:
                req = urllib.request.Request(
                    f"http://127.0.0.1:{port}/v1/data/main/deny",
                    data=body,
                    headers={"Content-Type": "application/json"},
                )
                with urllib.request.urlopen(req, timeout=30) as resp:
                    result = json.loads(resp.read())["result"]
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        codes = {f["code"] for f in result}
        # no guardrail data is loaded: the built-in finding still denies the per-table ListBackups
        assert "IAM2REGO-LISTBACKUPS-ON-TABLE" in codes
    finally:
        server.terminate()
        server.wait(timeout=30)
