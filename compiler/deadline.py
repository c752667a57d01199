"""``--timeout S``: one deadline for the whole command (issue 25 item 6), not one per engine call.

:func:`start` arms ``SIGALRM`` for S seconds: its handler raises :class:`TimedOut` (a
``KeyboardInterrupt``, like :class:`~iam2rego.procs.Terminated`) where the program is, so every
``finally`` runs (engine children killed, containers removed, temporary directories deleted) and no
``except Exception`` turns it into an answer; the CLI prints "timed out after S s" and exits 2.
Reports are written only after the work is done, all or none: :func:`commit` (called just before
writing) raises if the deadline has passed and otherwise disarms it, so a run either writes every
file or none.

A backstop thread covers code that never returns to the interpreter (a C extension looping): GRACE_S
after the deadline it kills the registered child processes (:func:`iam2rego.procs.live_children`)
and ends the process with exit code 2.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from types import FrameType

GRACE_S = 5.0

_state: dict[str, object] = {}


class TimedOut(KeyboardInterrupt):
    """The command's ``--timeout`` passed."""

    def __init__(self, seconds: float):
        super().__init__(f"timed out after {seconds:g} s (--timeout)")
        self.seconds = seconds


def message(prog: str, seconds: float) -> str:
    return f"iam2rego {prog}: timed out after {seconds:g} s (--timeout); no report was written"


def _on_alarm(_signum: int, _frame: FrameType | None) -> None:
    raise TimedOut(float(_state.get("seconds", 0.0)))  # type: ignore[arg-type]


def _backstop(prog: str, seconds: float) -> None:
    if _state.get("armed") is not True:
        return
    from . import procs

    with contextlib.suppress(Exception):
        sys.stderr.write(message(prog, seconds) + "\n")
        sys.stderr.flush()
    procs.kill_live_children()
    os._exit(2)


def start(prog: str, seconds: float) -> None:
    """Arm the deadline (main thread only; elsewhere only the backstop is armed)."""
    _state.update(seconds=seconds, end=time.monotonic() + seconds, armed=True, prog=prog)
    with contextlib.suppress(ValueError):  # not the main thread: no signal handler there
        signal.signal(signal.SIGALRM, _on_alarm)
        signal.setitimer(signal.ITIMER_REAL, seconds)
    timer = threading.Timer(seconds + GRACE_S, _backstop, (prog, seconds))
    timer.daemon = True
    timer.start()
    _state["timer"] = timer


def remaining() -> float | None:
    """Seconds left before the deadline, or None when no deadline is armed."""
    if _state.get("armed") is not True:
        return None
    return max(0.0, float(_state["end"]) - time.monotonic())  # type: ignore[arg-type]


def stop() -> None:
    """Disarm the deadline (the alarm, its handler and the backstop)."""
    if _state.get("armed") is not True:
        return
    _state["armed"] = False
    with contextlib.suppress(ValueError):
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
    timer = _state.get("timer")
    if isinstance(timer, threading.Timer):
        timer.cancel()


def commit() -> None:
    """Before writing reports: raise :class:`TimedOut` if the deadline has passed, else disarm it."""
    left = remaining()
    if left is None:
        return
    if left <= 0:
        stop()
        raise TimedOut(float(_state["seconds"]))  # type: ignore[arg-type]
    stop()
