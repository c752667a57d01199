"""Shared test plumbing: locate the real tools, and skip (laptop) or fail (CI=true) when one is missing."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TOOLS_BIN = ROOT / "tools" / "bin"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
# The image .ci/run builds; users may set IAM2REGO_OPA_IMAGE=openpolicyagent/opa:<tag>-static.
OPA_IMAGE = os.environ.get("IAM2REGO_OPA_IMAGE", "iam2rego/opa:local")


def find_tool(name: str) -> str | None:
    local = TOOLS_BIN / name
    if local.is_file() and os.access(local, os.X_OK):
        return str(local)
    return shutil.which(name)


def _docker_problem() -> str | None:
    try:
        import docker
    except ImportError:
        return "the docker Python SDK is not installed"
    try:
        client = docker.from_env(timeout=5)
        client.ping()
    except Exception as exc:  # any failure to reach the daemon
        return f"no Docker engine reachable ({exc.__class__.__name__}); run scripts/docker-setup.sh"
    try:
        client.images.get(OPA_IMAGE)
    except Exception:
        return f"Docker image {OPA_IMAGE} not found; run scripts/docker-setup.sh to build it"
    finally:
        client.close()
    return None


_TOOL_FOR_MARK = {
    "opa": "opa",
    "conftest": "conftest",
    "regal": "regal",
    "terraform": "terraform",
    "chromium": "chromium",
}
_cache: dict[str, str | None] = {}


def _problem_for(mark: str) -> str | None:
    if mark not in _cache:
        if mark == "docker":
            _cache[mark] = _docker_problem()
        else:
            tool = _TOOL_FOR_MARK[mark]
            _cache[mark] = (
                None if find_tool(tool) else f"{tool} not found in tools/bin or PATH (run `make tools`)"
            )
    return _cache[mark]


def pytest_runtest_setup(item: pytest.Item) -> None:
    for mark in ("opa", "conftest", "regal", "docker", "terraform", "chromium"):
        if item.get_closest_marker(mark) is None:
            continue
        problem = _problem_for(mark)
        if problem is None:
            continue
        if IN_CI and mark != "terraform":
            # On CI every real-tool test must run: a missing tool is a broken install step, not a skip.
            pytest.fail(f"CI=true but {mark} is unavailable: {problem}", pytrace=False)
        pytest.skip(f"{mark}: {problem}")


def _tool_fixture(name: str):  # type: ignore[no-untyped-def]
    @pytest.fixture(scope="session")
    def fixture() -> str:
        path = find_tool(name)
        if path is None:
            pytest.skip(f"{name} not found")
        return path

    return fixture


opa_bin = _tool_fixture("opa")
conftest_bin = _tool_fixture("conftest")
regal_bin = _tool_fixture("regal")


@pytest.fixture(autouse=True)
def _every_sarif_is_valid(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every SARIF document a test renders in-process is validated against the 2.1.0 schema
    (tests/sarif_schema.py; subprocess runs validate their output explicitly)."""
    import json

    from iam2rego.report import gate_sarif, sarif
    from sarif_schema import assert_valid_sarif

    for module in (sarif, gate_sarif):
        original = module.render

        def checked(*args, _original=original, **kwargs):  # type: ignore[no-untyped-def]
            text = _original(*args, **kwargs)
            assert_valid_sarif(json.loads(text))
            return text

        monkeypatch.setattr(module, "render", checked)
