"""The embedded engine's watchdog: a regopy hang, crash or memory blow-up becomes a clear engine error.

rego-cpp 1.5.2 can loop while compiling some modules; these tests stand a misbehaving evaluation in
for it (the watchdog is what is under test, not regopy) and check that the child is always reaped.
"""

from __future__ import annotations

import os
import time

import pytest
from iam2rego.engines import EngineError
from iam2rego.engines.embedded import EmbeddedEngine

MODULES = {"t/t.rego": "package t\n\nallow := true\n"}


def _no_children() -> bool:
    import multiprocessing

    return not multiprocessing.active_children()


def test_a_hanging_evaluation_is_stopped_at_the_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(EmbeddedEngine, "_run_here", lambda self, *a: time.sleep(3600))
    with pytest.raises(EngineError) as err:
        EmbeddedEngine(timeout=1).evaluate(MODULES, "data.t.allow", [{}])
    assert "did not finish" in err.value.message and "--timeout" in err.value.message
    assert _no_children()


def test_a_crashing_evaluation_is_an_error_not_a_crash_of_the_caller(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(EmbeddedEngine, "_run_here", lambda self, *a: os._exit(139))
    with pytest.raises(EngineError) as err:
        EmbeddedEngine(timeout=30).evaluate(MODULES, "data.t.allow", [{}])
    assert "crashed" in err.value.message or "without an answer" in err.value.message
    assert _no_children()


def test_an_evaluation_that_grows_past_the_memory_limit_is_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    def grow(self: EmbeddedEngine, *args: object) -> None:
        hog = []
        while True:
            hog.append(bytearray(16 * 1024**2))
            time.sleep(0.01)

    monkeypatch.setattr(EmbeddedEngine, "_run_here", grow)
    with pytest.raises(EngineError) as err:
        EmbeddedEngine(timeout=60, max_rss_bytes=256 * 1024**2).evaluate(MODULES, "data.t.allow", [{}])
    assert "MiB" in err.value.message and "stopped" in err.value.message
    assert _no_children()


def test_a_real_evaluation_still_answers_through_the_watchdog() -> None:
    assert EmbeddedEngine(timeout=120).evaluate(MODULES, "data.t.allow", [{}, {}]) == [True, True]
