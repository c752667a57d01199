"""The real toolchain runs at the pinned versions, and the OPA image answers without leaking containers."""

from __future__ import annotations

import json
import os
import re
import subprocess
import uuid

import pytest

# Same default as tests/conftest.py (the image scripts/docker-setup.sh builds).
OPA_IMAGE = os.environ.get("IAM2REGO_OPA_IMAGE", "iam2rego/opa:local")

OPA_VERSION = "1.22.3"
CONFTEST_VERSION = "0.71.1"
REGAL_VERSION = "v0.35.1"
TEST_LABEL = "iam2rego.test-toolchain"


def _run(*argv: str) -> str:
    done = subprocess.run(list(argv), capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, f"{argv}: exit {done.returncode}\n{done.stderr}"
    return done.stdout


def _field(text: str, name: str) -> str | None:
    match = re.search(rf"^{re.escape(name)}:\s*(\S+)\s*$", text, re.MULTILINE)
    return match.group(1) if match else None


@pytest.mark.opa
def test_opa_is_the_pinned_version(opa_bin: str) -> None:
    out = _run(opa_bin, "version")
    assert _field(out, "Version") == OPA_VERSION
    assert _field(out, "Rego Version") == "v1"


@pytest.mark.opa
def test_opa_evaluates_rego_v1(opa_bin: str) -> None:
    # `in` is a keyword without any import only in Rego v1.
    out = _run(opa_bin, "eval", "--format", "raw", '"b" in {"a", "b"}')
    assert out.strip() == "true"


@pytest.mark.conftest
def test_conftest_is_the_pinned_version(conftest_bin: str) -> None:
    out = _run(conftest_bin, "--version")
    assert _field(out, "Conftest") == CONFTEST_VERSION


@pytest.mark.regal
def test_regal_is_the_pinned_version(regal_bin: str) -> None:
    out = _run(regal_bin, "version")
    assert _field(out, "Version") == REGAL_VERSION


@pytest.mark.regal
def test_regal_reports_a_violation(regal_bin: str, tmp_path) -> None:
    bad = tmp_path / "bad.rego"
    bad.write_text('package bad\n\nallow if input.user == "admin"\n\nx = 1\n', encoding="utf-8")
    done = subprocess.run([regal_bin, "lint", "--format", "json", str(bad)], capture_output=True, text=True)
    assert done.returncode != 0
    rules = {v["title"] for v in json.loads(done.stdout)["violations"]}
    assert "use-assignment-operator" in rules


@pytest.fixture
def docker_client():
    import docker

    client = docker.from_env(timeout=30)
    yield client
    client.close()


def _leftovers(client, run_id: str) -> list[str]:
    found = client.containers.list(all=True, filters={"label": f"{TEST_LABEL}={run_id}"})
    return [c.id for c in found]


@pytest.mark.docker
def test_image_is_labelled_with_the_opa_binary_hash(docker_client) -> None:
    image = docker_client.images.get(OPA_IMAGE)
    labels = image.labels or {}
    if OPA_IMAGE.startswith("iam2rego/opa:"):
        assert re.fullmatch(r"[0-9a-f]{64}", labels.get("io.iam2rego.opa.sha256", ""))
        assert labels.get("org.opencontainers.image.version") == OPA_VERSION


@pytest.mark.docker
def test_docker_image_answers_opa_version_without_network(docker_client) -> None:
    run_id = uuid.uuid4().hex
    output = docker_client.containers.run(
        OPA_IMAGE, ["version"], network_mode="none", remove=True, labels={TEST_LABEL: run_id}
    )
    text = output.decode() if isinstance(output, bytes) else str(output)
    assert _field(text, "Version") == OPA_VERSION
    assert _leftovers(docker_client, run_id) == []


@pytest.mark.docker
def test_failing_container_is_removed_too(docker_client) -> None:
    import docker

    run_id = uuid.uuid4().hex
    with pytest.raises(docker.errors.ContainerError):
        docker_client.containers.run(
            OPA_IMAGE,
            ["eval", "--fail-defined", "true"],
            network_mode="none",
            remove=True,
            labels={TEST_LABEL: run_id},
        )
    assert _leftovers(docker_client, run_id) == []
