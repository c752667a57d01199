"""Signals and output files (issue #12, items 4, 5 and 7).

- SIGTERM is handled like SIGINT: an ``opa`` child and everything it forked (its process group) is
  killed on SIGTERM, SIGINT and ``--timeout``, and its temporary directory removed; ``compile -o``
  interrupted in its commit leaves the output all-old or all-new and no staging directory.
- ``conftest-pack -o DIR`` never wipes a directory that is not a previous pack (unless ``--force``)
  and never follows a symlink to wipe its target.
- Reports and bundles keep the user's umask; an unwritable ``--json``/``--junit`` path is exit 2
  before any case runs.
"""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
POLICY = str(ROOT / "scenarios" / "seed" / "policies" / "example1-allow-createbackup-restore.json")
REQUEST = json.dumps(
    {"action": "dynamodb:CreateBackup", "resource": "arn:aws:dynamodb:us-east-1:123456789012:table/Music"}
)
SUITE = str(ROOT / "scenarios" / "seed" / "e1.yaml")
# A wrapper `opa` that forks a grandchild and hangs: what a shell wrapper or a stuck OPA looks like.
HANGING_OPA = """#!{python}
import os, subprocess, sys, time
if sys.argv[1:2] == ["version"]:
    print("Version: 1.22.3")
    sys.exit(0)
child = subprocess.Popen(["sleep", "300"])
with open(os.environ["PIDS"], "w") as fh:
    fh.write(f"{{os.getpid()}} {{child.pid}}")
time.sleep(300)
"""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.fixture
def hanging_opa(tmp_path: Path) -> tuple[str, Path]:
    fake = tmp_path / "opa"
    fake.write_text(HANGING_OPA.format(python=sys.executable))
    fake.chmod(0o755)
    return str(fake), tmp_path / "pids"


def _start_eval(fake: str, pids: Path, tmpdir: Path, *extra: str) -> subprocess.Popen[str]:
    tmpdir.mkdir()
    env = {**os.environ, "PIDS": str(pids), "TMPDIR": str(tmpdir)}
    return subprocess.Popen(
        [sys.executable, "-m", "iam2rego", "eval", POLICY, "--input", REQUEST, "--engine", "opa",
         "--opa-path", fake, *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip


def _wait_for(path: Path, proc: subprocess.Popen[str], timeout: float = 120) -> list[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and len(path.read_text().split()) == 2:
            return [int(p) for p in path.read_text().split()]
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.1)
    proc.kill()
    raise AssertionError("the fake opa never started")


def _assert_gone(pids: list[int]) -> None:
    deadline = time.monotonic() + 10
    while any(_alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    alive = [p for p in pids if _alive(p)]
    for p in alive:
        os.kill(p, signal.SIGKILL)
    assert not alive, f"processes left running: {alive}"


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_kills_the_opa_process_group_and_removes_temp_files(
    sig: int, hanging_opa: tuple[str, Path], tmp_path: Path
) -> None:
    fake, pid_file = hanging_opa
    proc = _start_eval(fake, pid_file, tmp_path / "tmp")
    pids = _wait_for(pid_file, proc)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + sig, (proc.returncode, err)
    assert "Traceback" not in err, err
    _assert_gone(pids)
    assert list((tmp_path / "tmp").iterdir()) == [], "temporary directory left behind"


@pytest.mark.parametrize("command", ["eval", "gate"])
def test_timeout_kills_the_whole_process_group(
    command: str, hanging_opa: tuple[str, Path], tmp_path: Path
) -> None:
    fake, pid_file = hanging_opa
    if command == "gate":
        (tmp_path / "tmp").mkdir()
        proc = subprocess.Popen(
            [sys.executable, "-m", "iam2rego", "gate", str(ROOT / "tests/terraform/clean/plan.json"),
             "--engine", "opa", "--opa-path", fake, "--timeout", "5"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "PIDS": str(pid_file), "TMPDIR": str(tmp_path / "tmp")},
        )  # fmt: skip
    else:
        proc = _start_eval(fake, pid_file, tmp_path / "tmp", "--timeout", "5")
    pids = _wait_for(pid_file, proc)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 2 and "timed out after 5 s (--timeout)" in err, err  # the whole run (issue 25)
    _assert_gone(pids)
    assert list((tmp_path / "tmp").iterdir()) == []


def _children(pid: int) -> list[int]:
    out = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                fields = (d / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                out.append(int(d.name))
    return out


def test_sigterm_stops_the_embedded_engines_child(tmp_path: Path) -> None:
    batch = tmp_path / "b.jsonl"
    batch.write_text((REQUEST + "\n") * 3000)
    proc = subprocess.Popen(
        [sys.executable, "-m", "iam2rego", "eval", POLICY, "--batch", str(batch), "--engine", "embedded"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    deadline, kids = time.monotonic() + 120, []
    while not kids and time.monotonic() < deadline and proc.poll() is None:
        kids = _children(proc.pid)
        time.sleep(0.05)
    if not kids:
        proc.kill()
        pytest.skip("the embedded evaluation ended before a child was seen")
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signal.SIGTERM, (proc.returncode, err)
    _assert_gone(kids)


@pytest.mark.opa
def test_eval_json_lines_escape_u2028_and_u2029(tmp_path: Path) -> None:
    policy = tmp_path / "line\u2028sep\u2029para.json"  # the policy's path is in every reason
    policy.write_text(Path(POLICY).read_text())
    proc = subprocess.run(
        [sys.executable, "-m", "iam2rego", "eval", str(policy), "--engine", "opa", "--package", "p", "--input",
         REQUEST.replace("table/Music", "table/Movies")],  # allowed: the reason names the policy file
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "\u2028" not in proc.stdout and "\u2029" not in proc.stdout
    [line] = proc.stdout.splitlines()
    assert "line\u2028sep\u2029para.json" in json.loads(line)["reasons"][0]["source"]


COMMIT_KILLER = """
import os, signal, sys
from iam2rego import cli
real, calls = os.replace, [0]
def replace(src, dst, *a, **k):
    calls[0] += 1
    if calls[0] == 4:  # in the middle of the commit
        os.kill(os.getpid(), signal.SIGTERM)
    return real(src, dst, *a, **k)
os.replace = replace
sys.exit(cli.main(sys.argv[1:]))
"""


def test_sigterm_in_the_middle_of_compile_commit_leaves_all_old_or_all_new(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh"
    subprocess.run([sys.executable, "-m", "iam2rego", "compile", POLICY, "-o", str(fresh)], check=True,
                   capture_output=True, timeout=300)  # fmt: skip
    rels = sorted(str(p.relative_to(fresh)) for p in fresh.rglob("*") if p.is_file())
    assert len(rels) > 5
    out = tmp_path / "out"
    for rel in rels:  # a previous output: every file differs from the new one
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_text("# old\n")
    proc = subprocess.run(
        [sys.executable, "-c", COMMIT_KILLER, "compile", POLICY, "-o", str(out)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert proc.returncode == 128 + signal.SIGTERM, (proc.returncode, proc.stderr)
    new = [rel for rel in rels if (out / rel).read_text() != "# old\n"]
    assert new in ([], rels), f"{len(new)} of {len(rels)} files new: a half-written output"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fresh", "out"], "staging directory left behind"


# --------------------------------------------------------------------------- conftest-pack -o


def _pack(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "iam2rego", "conftest-pack", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120, check=False)  # fmt: skip


def test_conftest_pack_refuses_a_directory_that_is_not_a_pack(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('resource "x" "y" {}\n')
    (tmp_path / ".env").write_text("SECRET=1\n")
    proc = _pack("-o", ".", cwd=tmp_path)
    assert proc.returncode == 2 and "not an iam2rego pack" in proc.stderr, proc.stderr
    assert (tmp_path / "main.tf").read_text() == 'resource "x" "y" {}\n' and (tmp_path / ".env").exists()


def test_conftest_pack_never_wipes_a_symlink_target(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (real / "keep.txt").write_text("mine\n")
    (real / ".iam2rego-pack").write_text("")  # even a pack behind a link is not replaced through it
    (tmp_path / "link").symlink_to(real)
    proc = _pack("-o", "link", "--force", cwd=tmp_path)
    assert proc.returncode == 2 and "symbolic link" in proc.stderr, proc.stderr
    assert (real / "keep.txt").read_text() == "mine\n"


def test_conftest_pack_replaces_its_own_pack_and_forced_directories(tmp_path: Path) -> None:
    assert _pack("-o", "pack", cwd=tmp_path).returncode == 0
    assert (tmp_path / "pack" / ".iam2rego-pack").is_file()
    assert _pack("-o", "pack", cwd=tmp_path).returncode == 0  # a previous pack is replaced
    other = tmp_path / "other"
    other.mkdir()
    (other / "x.txt").write_text("x")
    assert _pack("-o", "other", cwd=tmp_path).returncode == 2
    assert _pack("-o", "other", "--force", cwd=tmp_path).returncode == 0
    assert not (other / "x.txt").exists()


# --------------------------------------------------------------------------- umask and report paths


def test_outputs_keep_the_users_umask(tmp_path: Path) -> None:
    script = (
        f"umask 002 && {sys.executable} -m iam2rego compile {POLICY} -o out --bundle b.tar.gz && "
        f"{sys.executable} -m iam2rego conftest-pack -o pack && "
        f"{sys.executable} -m iam2rego test {SUITE} --engine opa --json r.json --junit r.xml"
    )
    if not (ROOT / "tools" / "bin" / "opa").exists():
        script = script.rsplit(" && ", 1)[0]
    proc = subprocess.run(
        ["bash", "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=600, check=False
    )
    assert proc.returncode == 0, proc.stderr
    files = ["b.tar.gz", "out/iam2rego/request/request.rego", "pack/iam2rego/gate/gate.rego"]
    files += [f for f in ("r.json", "r.xml") if (tmp_path / f).exists()]
    for name in files:
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o664, name
    for name in ("out", "pack"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o775, name


@pytest.mark.parametrize("flag", ["--json", "--junit"])
def test_an_unwritable_report_path_is_exit_2_before_running(flag: str, tmp_path: Path) -> None:
    target = tmp_path / "ro"
    target.mkdir()
    target.chmod(0o500)
    if os.access(target, os.W_OK):  # root ignores permissions: use a path under a file instead
        (tmp_path / "file").write_text("")
        report = str(tmp_path / "file" / "r.json")
    else:
        report = str(target / "r.json")
    proc = subprocess.run(
        [sys.executable, "-m", "iam2rego", "test", SUITE, "--engine", "embedded", flag, report],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert proc.returncode == 2 and "cannot write" in proc.stderr, (proc.returncode, proc.stderr)
    assert "Traceback" not in proc.stderr and "passed" not in proc.stdout, proc.stdout


@pytest.mark.docker
def test_sigterm_removes_the_docker_container(tmp_path: Path) -> None:
    from iam2rego.engines import CONTAINER_LABEL

    import docker

    batch = tmp_path / "b.jsonl"
    batch.write_text((REQUEST + "\n") * 20000)
    image = os.environ.get("IAM2REGO_OPA_IMAGE", "iam2rego/opa:local")
    proc = subprocess.Popen(
        [sys.executable, "-m", "iam2rego", "eval", POLICY, "--batch", str(batch), "--engine", "docker",
         "--opa-image", image],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    client = docker.from_env(timeout=30)
    label = f"{CONTAINER_LABEL}.pid={proc.pid}"
    deadline, seen = time.monotonic() + 180, []
    while not seen and time.monotonic() < deadline and proc.poll() is None:
        seen = client.containers.list(all=True, filters={"label": label})
        time.sleep(0.05)
    if not seen:
        proc.kill()
        pytest.skip("the docker evaluation ended before its container was seen")
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 128 + signal.SIGTERM, (proc.returncode, err)
    assert client.containers.list(all=True, filters={"label": label}) == [], "container left behind"
