"""What a run leaves behind and what it reads back (issue 25 items 1 and 8):

- a SIGKILL of iam2rego (no ``finally`` runs) leaves no opa child (PR_SET_PDEATHSIG), and the next
  start removes the dead run's temporary directory - never a live run's;
- the Wasm module cache is authenticated: a swapped ``.cwasm`` (native code wasmtime runs without
  validation) or ``.wasm`` is rejected and rebuilt, never run.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from iam2rego import procs
from iam2rego.engines import get_engine, wasm

ROOT = Path(__file__).resolve().parents[2]
CLEAN = str(ROOT / "tests" / "terraform" / "clean" / "plan.json")

SLEEPY_OPA = """#!/bin/sh
if [ "$1" = version ]; then echo "Version: 1.22.3"; exit 0; fi
echo $$ > {pidfile}
exec sleep 120
"""


def _alive(pid: int) -> bool:
    """Running (a zombie or a missing /proc entry is dead)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return False
    return fields[0] != "Z"


def _dead_pid() -> int:
    p = subprocess.Popen(["true"])
    p.wait()
    return p.pid


def _wait(predicate, seconds: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


# --------------------------------------------------------------------------- children and temp dirs


@pytest.mark.opa
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux")
def test_sigkill_of_a_running_gate_leaves_no_opa_and_the_next_start_removes_its_temp_dir(
    tmp_path: Path,
) -> None:
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    pidfile = tmp_path / "opa.pid"
    fake = tmp_path / "opa"
    fake.write_text(SLEEPY_OPA.format(pidfile=pidfile))
    fake.chmod(0o755)
    env = {**os.environ, "TMPDIR": str(tmpdir)}
    gate = subprocess.Popen(
        [sys.executable, "-m", "iam2rego", "gate", CLEAN, "--engine", "opa", "--opa-path", str(fake)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    child = 0
    try:
        assert _wait(lambda: pidfile.is_file() and pidfile.read_text().strip(), 60), "opa eval never started"
        child = int(pidfile.read_text())
        assert _alive(child)
        left = sorted(tmpdir.glob("iam2rego-opa-*"))
        assert left, "the run's temporary directory"
        gate.send_signal(signal.SIGKILL)
        gate.wait(10)
        assert _wait(lambda: not _alive(child), 10), "the opa child outlived iam2rego's SIGKILL"
        assert all(p.exists() for p in left)  # nothing ran on SIGKILL
        nxt = subprocess.run(
            [sys.executable, "-m", "iam2rego", "gate", CLEAN, "--engine", "opa"],
            env=env, capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        assert nxt.returncode == 0, nxt.stderr
        assert not any(p.exists() for p in left), "the next start did not remove the dead run's dir"
        assert list(tmpdir.iterdir()) == []
    finally:
        if gate.poll() is None:
            gate.kill()
        if child and _alive(child):
            os.kill(child, signal.SIGKILL)


SLOW_REGO = "package slow\n\nv := count([x | some x in numbers.range(1, 300000000); x % 7 == 0])\n"
EMBEDDED_RUN = f"""
from iam2rego.engines import get_engine
print("start", flush=True)
get_engine("embedded", timeout=300).evaluate({{"slow/slow.rego": {SLOW_REGO!r}}}, "data.slow.v", [{{}}])
"""


def _children(pid: int) -> list[int]:
    out: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            out += [int(c) for c in (task / "children").read_text().split()]
    return out


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux")
def test_sigkill_during_an_embedded_evaluation_leaves_no_regopy_child() -> None:
    script = subprocess.Popen([sys.executable, "-c", EMBEDDED_RUN], stdout=subprocess.PIPE, text=True)
    kids: list[int] = []
    try:
        assert script.stdout is not None and script.stdout.readline().strip() == "start"
        assert _wait(lambda: bool(_children(script.pid)), 60), "no forked regopy child"
        kids = _children(script.pid)
        time.sleep(0.5)
        assert all(_alive(k) for k in kids)
        script.send_signal(signal.SIGKILL)
        script.wait(10)
        assert _wait(lambda: not any(_alive(k) for k in kids), 10), "the regopy child outlived SIGKILL"
    finally:
        if script.poll() is None:
            script.kill()
        for k in kids:
            if _alive(k):
                os.kill(k, signal.SIGKILL)


def _holder(tmp: Path, code: str) -> subprocess.Popen[str]:
    """A live process that runs ``code`` then prints 'ready' and sleeps (killed by the test)."""
    script = f"{code}\nprint('ready', flush=True)\nimport time\ntime.sleep(120)\n"
    p = subprocess.Popen(
        [sys.executable, "-c", script],
        env={**os.environ, "TMPDIR": str(tmp)},
        stdout=subprocess.PIPE,
        text=True,
    )
    assert p.stdout is not None and p.stdout.readline().strip().endswith("ready")
    return p


def test_the_sweep_never_removes_a_live_runs_dir(tmp_path: Path) -> None:
    code = "from iam2rego import procs\nd = procs.OwnedTempDir('iam2rego-opa-')\nprint(d.name, end=' ')"
    live = _holder(tmp_path, code)
    try:
        owned = sorted(tmp_path.glob("iam2rego-opa-*"))
        assert len(owned) == 1 and owned[0].name.startswith(f"iam2rego-opa-{live.pid}-")
        assert procs.remove_stale_dirs(str(tmp_path)) == []
        assert owned[0].is_dir()
    finally:
        live.kill()
        live.wait()
    assert procs.remove_stale_dirs(str(tmp_path)) == [str(owned[0])]  # its owner is dead now
    assert not owned[0].exists()


def test_a_dead_pid_whose_lock_is_held_is_kept(tmp_path: Path) -> None:
    """Another pid namespace sharing the temp dir: the pid in the name looks dead here, but the owner
    still holds its lock."""
    owned = tmp_path / f"iam2rego-opa-{_dead_pid()}-abc"
    owned.mkdir()
    lock = owned / procs.OWNER_LOCK
    lock.touch()
    code = f"import fcntl, os\nfd = os.open({str(lock)!r}, os.O_RDWR)\nfcntl.flock(fd, fcntl.LOCK_EX)"
    holder = _holder(tmp_path, code)
    try:
        assert procs.remove_stale_dirs(str(tmp_path)) == []
        assert owned.is_dir()
    finally:
        holder.kill()
        holder.wait()
    assert procs.remove_stale_dirs(str(tmp_path)) == [str(owned)]


def test_a_dead_pids_dir_without_its_lock_is_kept_until_it_is_old(tmp_path: Path) -> None:
    owned = tmp_path / f"iam2rego-wasm-{_dead_pid()}-torn"
    owned.mkdir()
    other = tmp_path / "iam2rego-opa-abcdef"  # the old naming (no pid): never touched
    other.mkdir()
    assert procs.remove_stale_dirs(str(tmp_path)) == []
    old = time.time() - procs.STALE_UNLOCKED_S - 60
    os.utime(owned, (old, old))
    os.utime(other, (old, old))
    assert procs.remove_stale_dirs(str(tmp_path)) == [str(owned)]
    assert other.is_dir()


PDEATHSIG = "import ctypes; v = ctypes.c_int(); ctypes.CDLL(None).prctl(2, ctypes.byref(v)); print(v.value)"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux")
def test_every_child_gets_the_parent_death_signal() -> None:
    out = procs.run([sys.executable, "-c", PDEATHSIG], 30)  # PR_GET_PDEATHSIG in the child
    assert (out.returncode, out.stdout.strip()) == (0, str(int(signal.SIGKILL)))


# --------------------------------------------------------------------------- the Wasm cache


def _lying(answer: str) -> bytes:
    from test_wasm_engine import _lying as lying

    return lying(answer)


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("IAM2REGO_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setattr(wasm, "_memo", {})
    return tmp_path / "cache" / "wasm"


def _mods(tmp_path: Path) -> dict[str, str]:
    return {"g/g.rego": f"package g\n\n# {tmp_path.name}\nout := input.x + 1\n"}


@pytest.mark.opa
def test_a_swapped_cwasm_is_rejected_and_rebuilt(
    tmp_path: Path, cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import wasmtime

    mods = _mods(tmp_path)
    assert get_engine("wasm").evaluate(mods, "data.g.out", [{"x": 1}]) == [2]
    [native] = cache.glob("*.cwasm")
    config = wasmtime.Config()
    config.epoch_interruption = True
    lying = wasmtime.Module(wasmtime.Engine(config), _lying('{{"result": 5}}'))
    native.write_bytes(bytes(lying.serialize()))  # what a poisoned CI cache holds
    wasm._memo.clear()
    assert get_engine("wasm").evaluate(mods, "data.g.out", [{"x": 1}]) == [2]
    assert "fails its authentication check" in capsys.readouterr().err
    wasm._memo.clear()  # rebuilt and rewritten authentic: read back silently
    assert get_engine("wasm").evaluate(mods, "data.g.out", [{"x": 1}]) == [2]
    assert "authentication" not in capsys.readouterr().err


@pytest.mark.opa
def test_a_swapped_cached_wasm_is_rejected_and_rebuilt(
    tmp_path: Path, cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mods = _mods(tmp_path)
    assert get_engine("wasm").evaluate(mods, "data.g.out", [{"x": 1}]) == [2]
    [native] = cache.glob("*.cwasm")
    [source] = cache.glob("*.wasm")
    native.unlink()
    source.write_bytes(_lying('{{"result": 5}}'))
    wasm._memo.clear()
    assert get_engine("wasm").evaluate(mods, "data.g.out", [{"x": 1}]) == [2]
    assert "fails its authentication check" in capsys.readouterr().err


@pytest.mark.opa
def test_a_cache_key_others_can_read_is_not_used(tmp_path: Path, cache: Path) -> None:
    from iam2rego.engines import wasm_cache

    key = wasm_cache.key_path()
    assert wasm_cache.cache_key() is not None and key.stat().st_mode & 0o777 == 0o600
    key.chmod(0o644)
    assert wasm_cache.cache_key() is None
    assert get_engine("wasm").evaluate(_mods(tmp_path), "data.g.out", [{"x": 1}]) == [2]
    assert not cache.exists() or list(cache.iterdir()) == []  # no key: no disk cache
