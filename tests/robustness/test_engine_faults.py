"""Engine faults (issue #6, item 4): each ends in ONE paragraph saying what to do, exit code 2 from
the CLI, and leaves no container (``docker ps -a`` with the harness label) and no child process.

Faults: docker daemon down (DOCKER_HOST at a dead socket), image missing, container killed mid-run,
OPA exiting with an error (bad Rego), a run over ``--timeout``; opa binary missing, too old (a fake
script), crashing (a script exiting 139), hanging past ``--timeout``; embedded: a module calling a
builtin regopy lacks (``net.cidr_contains``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from iam2rego.engines import CONTAINER_LABEL, EngineError, get_engine

ROOT = Path(__file__).resolve().parents[2]
IMAGE = os.environ.get("IAM2REGO_OPA_IMAGE", "iam2rego/opa:local")
SUITE = str(ROOT / "scenarios" / "seed" / "e1.yaml")
BAD_REGO = {"bad/bad.rego": "package bad\n\nallow if {\n\tinput.x ==\n}\n"}
GOOD = {"ok/ok.rego": "package ok\n\nanswer := input.x\n"}
CIDR = {"net/net.rego": 'package net\n\nin_range if net.cidr_contains("10.0.0.0/8", input.ip)\n'}


def _cli(
    *args: str, env: dict[str, str] | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "iam2rego", *args],
        capture_output=True, text=True, timeout=timeout, check=False, env={**os.environ, **(env or {})},
    )  # fmt: skip


def _children() -> set[int]:
    """Live (non-zombie) descendants of this test process, from /proc."""
    parents: dict[int, int] = {}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if fields[0] != "Z":
            parents[int(d.name)] = int(fields[1])
    me, out, frontier = os.getpid(), set(), {os.getpid()}
    while frontier:
        frontier = {p for p, pp in parents.items() if pp in frontier and p not in out and p != me}
        out |= frontier
    return out


def _assert_one_paragraph_with_advice(message: str, *advice: str) -> None:
    text = message.strip()
    assert text and "\n\n" not in text and "Traceback" not in text, message
    assert any(a in text for a in advice), (advice, message)


def _engine_message(proc: subprocess.CompletedProcess[str]) -> str:
    """The engine error the CLI printed (stderr for set-up errors, the report for run-time ones)."""
    lines = [ln.strip() for ln in (proc.stderr + proc.stdout).splitlines() if " engine: " in ln]
    assert lines, (proc.stdout, proc.stderr)
    return lines[0]


def _labelled_containers(client, pid: int | None = None) -> list:  # type: ignore[no-untyped-def]
    """Containers the harness started from process ``pid`` (default: this test process); other
    processes (xdist workers, other suites) may run their own containers at the same time."""
    label = f"{CONTAINER_LABEL}.pid={pid or os.getpid()}"
    return client.containers.list(all=True, filters={"label": label})


# --------------------------------------------------------------------------- opa


def _script(tmp: Path, name: str, body: str) -> str:
    path = tmp / name
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(0o755)
    return str(path)


def _fake_opa(tmp: Path, eval_body: str) -> str:
    """A fake opa that answers `version` like 1.22.3 and runs ``eval_body`` for everything else."""
    return _script(
        tmp, "opa", f'if [ "$1" = version ]; then echo "Version: 1.22.3"; exit 0; fi\n{eval_body}\n'
    )


def test_cli_opa_binary_missing_exits_2_saying_where_to_get_one(tmp_path: Path) -> None:
    before = _children()
    proc = _cli("test", SUITE, "--engine", "opa", "--opa-path", str(tmp_path / "no-such-opa"))
    assert proc.returncode == 2, proc.stderr
    _assert_one_paragraph_with_advice(_engine_message(proc), "install", "--opa-path", "PATH")
    assert _children() <= before


def test_cli_opa_too_old_exits_2_naming_the_needed_version(tmp_path: Path) -> None:
    old = _script(tmp_path, "opa", 'echo "Version: 0.34.2"\n')
    proc = _cli("test", SUITE, "--engine", "opa", "--opa-path", old)
    assert proc.returncode == 2, proc.stderr
    _assert_one_paragraph_with_advice(_engine_message(proc), "1.22.3", ">= 1.0")
    assert "0.34.2" in proc.stderr


def test_cli_opa_crash_exits_2_and_says_what_to_do(tmp_path: Path) -> None:
    crash = _fake_opa(tmp_path, 'echo "SIGSEGV: segmentation violation" >&2; exit 139')
    proc = _cli("test", SUITE, "--engine", "opa", "--opa-path", crash)
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    message = _engine_message(proc)
    assert "139" in message
    _assert_one_paragraph_with_advice(message, "--engine", "reinstall", "install", "scripts/install-tools.sh")


def test_cli_opa_hanging_past_timeout_is_killed_and_exits_2(tmp_path: Path) -> None:
    marker = tmp_path / "pid"
    hang = _fake_opa(tmp_path, f'echo $$ > "{marker}"\nexec sleep 120')
    proc = _cli("test", SUITE, "--engine", "opa", "--opa-path", hang, "--timeout", "10")
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    # --timeout bounds the whole command (issue 25): the deadline, not the engine call, ends it
    _assert_one_paragraph_with_advice(proc.stderr, "timed out after 10 s (--timeout)")
    pid = int(marker.read_text())
    assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text().split()[2], pid


@pytest.mark.opa
def test_opa_rejecting_bad_rego_is_an_engine_error_with_the_location() -> None:
    before = _children()
    with pytest.raises(EngineError) as err:
        get_engine("opa").evaluate(BAD_REGO, "data.bad.allow", [{"x": 1}])
    _assert_one_paragraph_with_advice(err.value.message, "bad/bad.rego:")
    assert _children() <= before


# --------------------------------------------------------------------------- embedded


def test_embedded_unsupported_builtin_is_refused_with_advice() -> None:
    with pytest.raises(EngineError) as err:
        get_engine("embedded").evaluate(CIDR, "data.net.in_range", [{"ip": "10.1.2.3"}])
    _assert_one_paragraph_with_advice(err.value.message, "--engine opa")
    assert "net.cidr_contains" in err.value.message


# --------------------------------------------------------------------------- docker


@pytest.fixture
def docker_client():  # type: ignore[no-untyped-def]
    import docker

    client = docker.from_env(timeout=30)
    yield client
    client.close()


def test_cli_docker_daemon_down_exits_2_saying_how_to_start_it(tmp_path: Path) -> None:
    dead = f"unix://{tmp_path}/dead.sock"
    proc = _cli("test", SUITE, "--engine", "docker", env={"DOCKER_HOST": dead}, timeout=120)
    assert proc.returncode == 2, proc.stderr
    _assert_one_paragraph_with_advice(_engine_message(proc), "Start Docker", "DOCKER_HOST", "--engine opa")


@pytest.mark.docker
def test_cli_docker_image_missing_exits_2_saying_how_to_get_it(docker_client) -> None:  # type: ignore[no-untyped-def]
    cmd = [
        sys.executable,
        "-m",
        "iam2rego",
        "test",
        SUITE,
        "--engine",
        "docker",
        "--opa-image",
        "iam2rego/opa:nope",
    ]
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as child:
        out, err = child.communicate(timeout=300)
    proc = subprocess.CompletedProcess(cmd, child.returncode, out, err)
    assert proc.returncode == 2, proc.stderr
    _assert_one_paragraph_with_advice(_engine_message(proc), "docker pull", "docker-setup.sh")
    assert _labelled_containers(docker_client, child.pid) == []


@pytest.mark.docker
def test_docker_bad_rego_is_an_engine_error_and_leaves_no_container(docker_client) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(EngineError) as err:
        get_engine("docker", opa_image=IMAGE).evaluate(BAD_REGO, "data.bad.allow", [{"x": 1}])
    _assert_one_paragraph_with_advice(err.value.message, "bad/bad.rego:")
    assert _labelled_containers(docker_client) == []


@pytest.mark.docker
def test_docker_timeout_removes_the_container(docker_client) -> None:  # type: ignore[no-untyped-def]
    # A deliberately slow query (a 10^9-element comprehension) exceeds a 2 s timeout.
    slow = {"slow/slow.rego": "package slow\n\nn := count([x | some x in numbers.range(1, 1000000000)])\n"}
    engine = get_engine("docker", opa_image=IMAGE, timeout=2)
    with pytest.raises(EngineError) as err:
        engine.evaluate(slow, "data.slow.n", [{}])
    _assert_one_paragraph_with_advice(err.value.message, "--timeout")
    assert _labelled_containers(docker_client) == []


@pytest.mark.docker
def test_docker_container_killed_mid_run_is_an_error_and_removed(docker_client) -> None:  # type: ignore[no-untyped-def]
    slow = {"slow/slow.rego": "package slow\n\nn := count([x | some x in numbers.range(1, 1000000000)])\n"}
    engine = get_engine("docker", opa_image=IMAGE, timeout=120)
    killed: list[str] = []

    def killer() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not killed:
            for c in docker_client.containers.list(
                filters={"label": f"{CONTAINER_LABEL}.pid={os.getpid()}", "status": "running"}
            ):
                c.kill()
                killed.append(c.id)
            time.sleep(0.2)

    t = threading.Thread(target=killer, daemon=True)
    t.start()
    with pytest.raises(EngineError) as err:
        engine.evaluate(slow, "data.slow.n", [{}])
    t.join(5)
    assert killed, "the container never ran"
    _assert_one_paragraph_with_advice(err.value.message, "137", "died", "killed")
    assert _labelled_containers(docker_client) == []
