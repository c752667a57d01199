"""The pre-commit hooks (.pre-commit-hooks.yaml) with the real pre-commit, against a temporary repo.

The hook repository is a snapshot of this package committed to a temporary git repository (what a
user's `repo:`/`rev:` points at); pre-commit installs it with pip into its own environment, so the
test also proves the package installs outside the checkout. The user's repository holds policy
JSON and plan JSON; a broken policy and an unverifiable plan fail their hooks, clean ones pass.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
HOOK_SOURCE = ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml", "compiler", "rego")
GOOD_POLICY = ROOT / "scenarios" / "seed" / "policies" / "example1-allow-createbackup-restore.json"
CLEAN_PLAN = ROOT / "tests" / "terraform" / "clean" / "plan.json"
FAILCLOSED_PLAN = ROOT / "tests" / "terraform" / "failclosed" / "plan.json"


def _git(cwd: Path, *args: str) -> str:
    proc = subprocess.run(
        [
            "git",
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.invalid",
            "-c",
            "commit.gpgsign=false",
            *args,
        ],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    )
    return proc.stdout.strip()


def _pre_commit() -> list[str]:
    try:
        import pre_commit  # noqa: F401
    except ImportError:
        if IN_CI:
            pytest.fail("CI=true but pre-commit is not installed (it is in the dev extra)")
        pytest.skip("pre-commit is not installed (pip install -e '.[dev]')")
    return [sys.executable, "-m", "pre_commit"]


@pytest.fixture(scope="module")
def repos(tmp_path_factory: pytest.TempPathFactory, opa_bin: str) -> dict:
    repos_opa = opa_bin
    tmp = tmp_path_factory.mktemp("precommit")
    hooks = tmp / "hooks"
    hooks.mkdir()
    for name in HOOK_SOURCE:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, hooks / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(src, hooks / name)
    _git(hooks, "init", "-q")
    _git(hooks, "add", "-A")
    _git(hooks, "commit", "-q", "-m", "snapshot")
    rev = _git(hooks, "rev-parse", "HEAD")
    user = tmp / "user"
    (user / "iam" / "policies").mkdir(parents=True)
    (user / "plans").mkdir()
    shutil.copy2(GOOD_POLICY, user / "iam" / "policies" / "backup.json")
    shutil.copy2(CLEAN_PLAN, user / "plans" / "plan.json")
    shutil.copy2(CLEAN_PLAN, user / "plans" / "staging-plan.json")  # pre-commit passes both at once
    (user / "package.json").write_text('{"name": "not-a-policy"}\n')
    config = {
        "repos": [
            {
                "repo": str(hooks),
                "rev": rev,
                "hooks": [
                    {"id": "iam2rego-check"},
                    {"id": "iam2rego-gate", "args": ["--engine", "opa", "--opa-path", repos_opa]},
                ],
            }
        ]
    }
    (user / ".pre-commit-config.yaml").write_text(json.dumps(config, indent=2) + "\n")
    _git(user, "init", "-q")
    _git(user, "add", "-A")
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env["PRE_COMMIT_HOME"] = str(tmp / "cache")
    return {"user": user, "env": env}


def _run(repos: dict) -> subprocess.CompletedProcess[str]:
    _git(repos["user"], "add", "-A")
    return subprocess.run(
        [*_pre_commit(), "run", "--all-files", "--color", "never"],
        cwd=repos["user"],
        env=repos["env"],
        capture_output=True,
        text=True,
        timeout=900,
    )


def _status(output: str, hook: str) -> str:
    for line in output.splitlines():
        if line.startswith(hook):
            return line.rstrip().rsplit(".", 1)[-1]
    raise AssertionError(f"no status line for {hook!r} in:\n{output}")


@pytest.mark.opa
def test_hooks_pass_clean_policies_and_plans(repos: dict) -> None:
    proc = _run(repos)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert _status(proc.stdout, "iam2rego check") == "Passed"
    assert _status(proc.stdout, "iam2rego gate") == "Passed"


@pytest.mark.opa
def test_hooks_fail_a_broken_policy_and_an_unverifiable_plan(repos: dict) -> None:
    user: Path = repos["user"]
    (user / "iam" / "policies" / "broken.json").write_text('{"Version": "2012-10-17", "Statement": []}}\n')
    shutil.copy2(FAILCLOSED_PLAN, user / "plans" / "plan.json")
    proc = _run(repos)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert _status(proc.stdout, "iam2rego check") == "Failed"
    assert "iam/policies/broken.json:1:" in proc.stdout
    assert "error[V-JSON]" in proc.stdout
    assert "package.json" not in proc.stdout  # not a policy: not checked
    assert _status(proc.stdout, "iam2rego gate") == "Failed"
    assert "IAM2REGO-UNVERIFIABLE" in proc.stdout
