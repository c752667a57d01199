"""Child processes that never outlive us: each runs in its own process group, and the whole group
(a wrapper ``opa`` script and anything it forked) is killed on timeout, on Ctrl-C / SIGTERM (which
the CLI turns into :class:`Terminated`, a KeyboardInterrupt) and after a normal exit.

The CLI's signal handling lives here too: :func:`handle_sigterm` makes SIGTERM behave like SIGINT
(every ``finally`` runs: containers removed, temporary directories deleted, children killed), and
:func:`deferred_signals` holds both during a short commit (``compile -o``) and re-raises afterwards.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from collections.abc import Iterator, Sequence
from types import FrameType


class Terminated(KeyboardInterrupt):
    """SIGTERM (or SIGHUP), raised where the program is, like Ctrl-C's KeyboardInterrupt."""

    def __init__(self, signum: int = signal.SIGTERM):
        super().__init__(f"terminated by signal {signum}")
        self.signum = signum


def _raise_terminated(signum: int, _frame: FrameType | None) -> None:
    raise Terminated(signum)


def handle_sigterm() -> None:
    """Main thread only: SIGTERM and SIGHUP raise :class:`Terminated` (exit 128 + signal number)."""
    with contextlib.suppress(ValueError):  # not the main thread
        for sig in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
            if sig is not None and signal.getsignal(sig) in (signal.SIG_DFL, None):
                signal.signal(sig, _raise_terminated)


def exit_code(exc: KeyboardInterrupt) -> int:
    return 128 + (exc.signum if isinstance(exc, Terminated) else signal.SIGINT)


@contextlib.contextmanager
def deferred_signals() -> Iterator[None]:
    """Hold SIGINT and SIGTERM during a short critical section; re-raise the first one after it."""
    pending: list[int] = []
    sigs = [signal.SIGINT, signal.SIGTERM]
    try:
        previous = {s: signal.signal(s, lambda signum, _f: pending.append(signum)) for s in sigs}
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        if pending:
            raise Terminated(pending[0]) if pending[0] != signal.SIGINT else KeyboardInterrupt


def kill_group(proc: subprocess.Popen[str]) -> None:
    """SIGKILL the child's process group (it leads it), then reap the child."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(Exception):
        proc.kill()
    with contextlib.suppress(Exception):
        proc.wait(5)


# pids of the children alive now (each leads its process group, except the embedded engine's forked
# watchdog child): the --timeout backstop (iam2rego.deadline) kills them before ending the process.
_LIVE: set[int] = set()


def track(pid: int) -> None:
    _LIVE.add(pid)


def untrack(pid: int) -> None:
    _LIVE.discard(pid)


def kill_live_children() -> None:
    """SIGKILL every tracked child and its process group (the process is about to end)."""
    for pid in list(_LIVE):
        for kill in (os.killpg, os.kill):
            with contextlib.suppress(ProcessLookupError, PermissionError, OSError):
                kill(pid, signal.SIGKILL)


def run(
    cmd: Sequence[str], timeout: float, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)`` in a new process
    group that is always killed as a whole. Raises ``subprocess.TimeoutExpired`` and ``OSError``."""
    proc = subprocess.Popen(
        list(cmd), stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
        start_new_session=True, env=env,
    )  # fmt: skip
    track(proc.pid)
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except BaseException:  # timeout, Ctrl-C, SIGTERM, --timeout: nothing of the group may survive us
        kill_group(proc)
        untrack(proc.pid)
        raise
    kill_group(proc)  # a grandchild that outlived its parent
    untrack(proc.pid)
    return subprocess.CompletedProcess(list(cmd), proc.returncode, stdout, stderr)
