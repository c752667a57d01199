"""Child processes that never outlive us: each runs in its own process group, and the whole group
(a wrapper ``opa`` script and anything it forked) is killed on timeout, on Ctrl-C / SIGTERM (which
the CLI turns into :class:`Terminated`, a KeyboardInterrupt) and after a normal exit.

Every child also dies with this process (:func:`die_with_parent`: ``PR_SET_PDEATHSIG`` on Linux), so
a SIGKILL of iam2rego, which runs no ``finally``, leaves no opa behind; and the temporary directories
children work in are :class:`OwnedTempDir` (the owner's pid in the name, a lock held while it
lives), so the next start removes those of dead runs (:func:`remove_stale_dirs`).

The CLI's signal handling lives here too: :func:`handle_sigterm` makes SIGTERM behave like SIGINT
(every ``finally`` runs: containers removed, temporary directories deleted, children killed), and
:func:`deferred_signals` holds both during a short commit (``compile -o``) and re-raises afterwards.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
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


@functools.cache
def _prctl() -> Callable[..., int] | None:
    """libc's prctl, looked up once in the parent (never dlopen between fork and exec); ctypes is
    imported only when a child is started (``iam2rego check`` starts none)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


_PR_SET_PDEATHSIG = 1


def die_with_parent() -> Callable[[], None] | None:
    """A ``preexec_fn`` that makes the child get SIGKILL when this process dies (Linux; None
    elsewhere). If this process died between fork and the prctl call, the child exits at once."""
    prctl = _prctl()
    if prctl is None:
        return None
    parent = os.getpid()

    def preexec() -> None:  # in the child, between fork and exec: no allocation, no imports
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:
            os._exit(137)

    return preexec


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
    group that is always killed as a whole, and dies with us (:func:`die_with_parent`). Raises
    ``subprocess.TimeoutExpired`` and ``OSError``."""
    proc = subprocess.Popen(
        list(cmd), stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
        start_new_session=True, env=env, preexec_fn=die_with_parent(),
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


# --------------------------------------------------------------------------- temporary directories

OWNER_LOCK = ".iam2rego-owner"  # in every OwnedTempDir: flock-ed by the owner while it lives
_OWNED = re.compile(r"^iam2rego-[a-z]+-(\d+)-")
STALE_UNLOCKED_S = 3600.0  # a dir of a dead pid without its lock file (torn at creation): this old


def _lock(fd: int, blocking: bool) -> bool:
    try:
        import fcntl
    except ImportError:  # not POSIX: no locks, the owner's pid alone decides
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
    except BlockingIOError:
        return False
    return True


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def remove_stale_dirs(root: str | None = None) -> list[str]:
    """Remove the OwnedTempDirs of dead runs under ``root`` (default: the temp dir); the removed paths.

    A directory is removed only when its owner pid is not alive AND its owner lock can be taken
    (a live owner holds it, also from another pid namespace that shares this temp dir) - or, when it
    has no lock file, when it is older than STALE_UNLOCKED_S. Anything else is left alone."""
    base = Path(root or tempfile.gettempdir())
    removed: list[str] = []
    try:
        entries = list(os.scandir(base))
    except OSError:
        return removed
    for entry in entries:
        m = _OWNED.match(entry.name)
        if not m or int(m.group(1)) == os.getpid() or _pid_alive(int(m.group(1))):
            continue
        with contextlib.suppress(OSError):
            if (
                not entry.is_dir(follow_symlinks=False)
                or entry.stat(follow_symlinks=False).st_uid != os.getuid()
            ):
                continue
            lock = Path(entry.path) / OWNER_LOCK
            try:
                fd = os.open(lock, os.O_RDWR | getattr(os, "O_NOFOLLOW", 0))
            except FileNotFoundError:
                import time

                if time.time() - entry.stat(follow_symlinks=False).st_mtime < STALE_UNLOCKED_S:
                    continue
                shutil.rmtree(entry.path, ignore_errors=True)
                removed.append(entry.path)
                continue
            try:
                if _lock(fd, blocking=False):
                    shutil.rmtree(entry.path, ignore_errors=True)
                    removed.append(entry.path)
            finally:
                os.close(fd)
    return removed


_swept = False


class OwnedTempDir:
    """``tempfile.TemporaryDirectory`` named ``<prefix><pid>-XXXX`` with an owner lock held until
    :meth:`cleanup`. The first one a process makes first removes the stale dirs of dead runs."""

    def __init__(self, prefix: str):
        global _swept
        if not _swept:
            _swept = True
            remove_stale_dirs()
        self.name = tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-")
        self._fd: int | None = os.open(Path(self.name) / OWNER_LOCK, os.O_RDWR | os.O_CREAT, 0o600)
        _lock(self._fd, blocking=True)

    def cleanup(self) -> None:
        shutil.rmtree(self.name, ignore_errors=True)
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> str:
        return self.name

    def __exit__(self, *_: object) -> None:
        self.cleanup()
