"""The embedded engine is never silently wrong (issue #12, item 2; the hostile-string differential
against OPA is tests/robustness/test_cross_engine.py). Here, without OPA: an answer re-shaped by a
request string regopy echoes unescaped is refused; NUL and backslash inputs and escaped literals are
refused with a location; the engine's import failure under ``ulimit -v`` is a clean exit 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from iam2rego.engines import EngineError, get_engine

ROOT = Path(__file__).resolve().parents[2]
ECHO = {
    "echo/echo.rego": 'package echo\n\nreport := {"deny": [{"msg": input.d}], "warn": [{"msg": input.w}], "x": {"y": input.s}}\n'
}


def _embedded():  # type: ignore[no-untyped-def]
    engine = get_engine("embedded", timeout=120)
    if engine.unavailable_reason():
        pytest.skip(engine.unavailable_reason())
    return engine


def test_plain_strings_are_echoed_faithfully() -> None:
    inputs = [{"d": "a plain b", "w": "w", "s": "s\u2028"}]
    [answer] = _embedded().evaluate(ECHO, "data.echo.report", inputs)
    assert answer == {"deny": [{"msg": "a plain b"}], "warn": [{"msg": "w"}], "x": {"y": "s\u2028"}}


@pytest.mark.parametrize(
    "field,text,why",
    [
        ("w", 'x"}],"deny":[],"warn":[{"msg":"y', "duplicate key"),  # a later "deny" would empty the findings
        (
            "s",
            'x","z":"y',
            "shape differs",
        ),  # no duplicate key, one string more: only the shape check sees it
    ],
)
def test_an_answer_re_shaped_by_an_echoed_string_is_refused(field: str, text: str, why: str) -> None:
    inputs = [{"d": "d", "w": "w", "s": "s", field: text}]
    with pytest.raises(EngineError) as info:
        _embedded().evaluate(ECHO, "data.echo.report", inputs)
    assert why in info.value.message, info.value.message


@pytest.mark.parametrize("char", ["\0", "\\"])
def test_nul_and_backslash_in_inputs_are_refused_before_running(char: str) -> None:
    with pytest.raises(EngineError) as info:
        _embedded().evaluate(ECHO, "data.echo.report", [{"d": f"a{char}b", "w": "w", "s": "s"}])
    assert "refused" in info.value.message and "--engine opa" in info.value.message


def test_an_escaped_literal_in_a_compiled_module_is_refused_with_its_location() -> None:
    modules = {"p/p.rego": 'package p\n\n# "\\n" in a comment is fine\nx := "a\\"b"\n'}
    with pytest.raises(EngineError) as info:
        _embedded().evaluate(modules, "data.p.x", [{}])
    assert "p/p.rego:4:6" in info.value.message, info.value.message


def test_import_failure_under_a_memory_limit_is_a_clean_engine_error() -> None:
    request = json.dumps(
        {"action": "dynamodb:CreateBackup", "resource": "arn:aws:dynamodb:us-east-1:123456789012:table/Music"}
    )
    policy = ROOT / "scenarios" / "seed" / "policies" / "example1-allow-createbackup-restore.json"
    script = f"ulimit -v 3000000; exec {sys.executable} -m iam2rego eval {policy} --engine embedded --input '{request}'"
    proc = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=300, check=False)
    if proc.returncode == 0:
        pytest.skip("regopy starts under this memory limit on this machine")
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert "engine error" in proc.stderr and "ulimit" in proc.stderr, proc.stderr
