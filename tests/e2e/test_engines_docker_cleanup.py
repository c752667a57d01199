"""The docker engine never leaves a container behind: not after OPA fails, not after Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from iam2rego.engines import CONTAINER_LABEL, EngineError, get_engine

pytestmark = pytest.mark.docker
OPA_IMAGE = os.environ.get("IAM2REGO_OPA_IMAGE", "iam2rego/opa:local")
SLOW = {
    "slow/slow.rego": "package slow\n\nv := count([x | some x in numbers.range(1, 300000000); x % 7 == 0])\n"
}


def our_containers(pid: int | None = None) -> list[str]:
    label = f"{CONTAINER_LABEL}.pid={pid}" if pid else CONTAINER_LABEL
    out = subprocess.run(
        ["docker", "ps", "-aq", "--filter", f"label={label}"], capture_output=True, text=True, check=True
    )
    return out.stdout.split()


def test_no_container_left_after_an_opa_error() -> None:
    engine = get_engine("docker", opa_image=OPA_IMAGE)
    with pytest.raises(EngineError):
        engine.evaluate({"b/b.rego": "package b\n\nx := := 1\n"}, "data.b.x", [{}])
    assert our_containers(os.getpid()) == []


def test_no_container_left_after_sigint() -> None:
    script = textwrap.dedent(f"""
        import sys
        from iam2rego.engines import get_engine
        engine = get_engine("docker", opa_image={OPA_IMAGE!r}, timeout=600)
        try:
            engine.evaluate({SLOW!r}, "data.slow.v", [{{}}])
        except KeyboardInterrupt:
            print("interrupted", flush=True)
            sys.exit(130)
    """)
    proc = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 60
        while not our_containers(proc.pid):  # wait until its container exists
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            assert time.monotonic() < deadline, "the container never appeared"
            time.sleep(0.2)
        time.sleep(0.5)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130 and "interrupted" in out, err
    assert our_containers(proc.pid) == []
